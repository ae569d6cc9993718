"""Shared pytest fixtures: tiny locally built models, ../shared paths, environment isolation."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parent
# `factory` is importable as a top-level module whatever pytest's import mode (and for
# benchmarks, which insert this same directory into sys.path themselves).
if str(TESTS_DIR) not in sys.path:
    sys.path.insert(0, str(TESTS_DIR))

import factory  # noqa: E402  (cheap: torch/transformers are imported only when building)

# Variables that would point Hugging Face libraries at a real cache, however HF_HOME is set.
_HF_CACHE_OVERRIDES = ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "TRANSFORMERS_CACHE", "HF_ASSETS_CACHE")


# --------------------------------------------------------------------------------------------
# Session hooks
# --------------------------------------------------------------------------------------------

_saved_environ: dict[str, str] | None = None
_session_hf_home: str | None = None


def pytest_configure(config: pytest.Config) -> None:
    """Go offline with a throw-away HF_HOME before anything imports huggingface_hub.

    huggingface_hub reads HF_HOME and HF_HUB_OFFLINE once, at import, so the per-test
    monkeypatching in ``_isolate_env`` alone would come too late for the import-time constants.
    """
    global _saved_environ, _session_hf_home
    _saved_environ = dict(os.environ)
    _session_hf_home = tempfile.mkdtemp(prefix="summtrans-test-hf-home-")
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["HF_HOME"] = _session_hf_home
    for name in _HF_CACHE_OVERRIDES:
        os.environ.pop(name, None)
    # The tiny test models gain nothing from intra-op threads, and on a busy machine OpenMP's
    # spinning threads make each forward pass 10-15x slower. Read by torch and CTranslate2 when
    # they are first imported; set OMP_NUM_THREADS yourself to override.
    os.environ.setdefault("OMP_NUM_THREADS", "1")


def pytest_unconfigure(config: pytest.Config) -> None:
    if _saved_environ is not None:
        os.environ.clear()
        os.environ.update(_saved_environ)
    if _session_hf_home is not None:
        shutil.rmtree(_session_hf_home, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# Environment isolation
# --------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _isolate_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No hub access, no real Hugging Face cache, no user summtrans config or cache."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path_factory.mktemp("hf-home")))
    for name in _HF_CACHE_OVERRIDES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("SUMMTRANS_CONFIG", raising=False)
    monkeypatch.setenv("SUMMTRANS_CACHE_DIR", str(tmp_path_factory.mktemp("summtrans-cache")))


# --------------------------------------------------------------------------------------------
# Models and data
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def tiny_models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory with ``marian/``, ``bart/`` and ``t5/``: tiny random models, built once."""
    root = tmp_path_factory.mktemp("tiny-models")
    factory.build_marian(root / "marian")
    factory.build_bart(root / "bart")
    factory.build_t5(root / "t5")
    return root


@pytest.fixture(scope="session")
def tiny_marian(tiny_models_dir: Path) -> Path:
    return tiny_models_dir / "marian"


@pytest.fixture(scope="session")
def tiny_bart(tiny_models_dir: Path) -> Path:
    return tiny_models_dir / "bart"


@pytest.fixture(scope="session")
def tiny_t5(tiny_models_dir: Path) -> Path:
    return tiny_models_dir / "t5"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` beside the checkout (may not exist; tests that need it skip)."""
    return Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(scope="session")
def mini_marian(shared_dir: Path) -> Path:
    """The small real German→English Marian model from ``../shared``."""
    path = shared_dir / "models" / "mini-marian-de-en"
    if not (path / "config.json").is_file():
        pytest.skip("../shared not available")
    return path
