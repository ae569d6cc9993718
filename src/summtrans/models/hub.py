"""Finding model files: a local directory, or a hub id in the local cache, or a download.

Both engines load from the local directory this module returns, so offline behaviour is decided
in one place: a model that is not cached while the hub is unreachable (or `HF_HUB_OFFLINE=1`)
fails at once with one message that says how to get it.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

from ..errors import ModelLoadError

log = logging.getLogger(__name__)

# Files an engine may need; skips TF/Flax/Rust weights that hub repos often carry too.
ALLOW_PATTERNS = [
    "*.json",
    "*.safetensors",
    "*.model",
    "*.spm",
    "*.txt",
    "pytorch_model*.bin",
]
_TRUE = {"1", "true", "yes", "on"}
# What a local model directory must hold besides config.json (any one pattern of each group).
WEIGHT_FILES = ("*.safetensors", "pytorch_model*.bin")
TOKENIZER_FILES = ("tokenizer.json", "*.spm", "*.model", "vocab.json", "vocab.txt")


def hub_offline() -> bool:
    """True when `HF_HUB_OFFLINE` (or `TRANSFORMERS_OFFLINE`) asks for no network."""
    return any(os.environ.get(v, "").strip().lower() in _TRUE for v in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))


def hub_cache_dir() -> Path:
    """The Hugging Face hub cache, read from the environment at call time."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"])
    home = os.environ.get("HF_HOME") or os.path.join(os.path.expanduser("~"), ".cache", "huggingface")
    return Path(home) / "hub"


def cache_root() -> Path:
    """summtrans's own cache folder (conversions in ``ct2/``, the translation memory):
    ``$SUMMTRANS_CACHE_DIR`` or ``~/.cache/summtrans``, read at call time."""
    root = os.environ.get("SUMMTRANS_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "summtrans")
    return Path(root)


def local_fingerprint(model_dir: Path) -> str:
    """``files:<sha256>`` of a local model's file names, sizes and modification times (no content read)."""
    h = hashlib.sha256()
    files = sorted(
        p for p in model_dir.rglob("*") if p.is_file() and not any(s.startswith(".") for s in p.relative_to(model_dir).parts)
    )
    for path in files:
        st = path.stat()
        h.update(f"{path.relative_to(model_dir).as_posix()}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return "files:" + h.hexdigest()


def model_identity(ref: str, revision: str | None = None) -> str | None:
    """What a model's outputs depend on, known without loading it: ``hub:<id>@<commit>`` of a
    cached hub model (at `revision`), ``files:<fingerprint>`` of a local directory; None when the
    model is not on disk (it would have to be downloaded)."""
    path = Path(ref).expanduser()
    if path.is_dir():
        return local_fingerprint(path) if (path / "config.json").is_file() else None
    snapshot = cached_snapshot(ref, revision)
    return None if snapshot is None else f"hub:{ref}@{snapshot.name}"  # a snapshot dir is named by its commit


def is_local(ref: str) -> bool:
    """A reference is a local model when it names an existing directory."""
    return Path(ref).expanduser().is_dir()


def cached_snapshot(repo_id: str, revision: str | None = None) -> Path | None:
    """The cached snapshot directory of a hub model (at `revision`), or None. Never touches the network."""
    from huggingface_hub import try_to_load_from_cache

    try:
        hit = try_to_load_from_cache(repo_id, "config.json", cache_dir=hub_cache_dir(), revision=revision)
    except Exception:  # an invalid repo id is simply not cached
        return None
    return Path(hit).parent if isinstance(hit, str) else None


def resolve_model(ref: str, *, local_files_only: bool = False, revision: str | None = None) -> Path:
    """Return a local directory holding model `ref` (a directory path or a hub id)."""
    path = Path(ref).expanduser()
    if path.is_dir():
        check_model_dir(path, ref)
        return path
    if path.exists():
        raise ModelLoadError(f"model {ref} is a file, not a model directory")
    if ref.startswith((".", "/", "~")) or os.sep + os.sep in ref or ref.count("/") > 1:
        raise ModelLoadError(f"model directory {ref} does not exist")
    cached = cached_snapshot(ref, revision)
    if cached is not None:
        return cached
    if local_files_only or hub_offline():
        raise ModelLoadError(not_cached(ref, "offline mode is on (HF_HUB_OFFLINE)"))
    from huggingface_hub import snapshot_download

    log.info("downloading %s", ref)
    try:
        return Path(
            snapshot_download(ref, revision=revision, cache_dir=hub_cache_dir(), allow_patterns=ALLOW_PATTERNS, etag_timeout=5)
        )
    except Exception as exc:  # network down, unknown repo, gated repo, …
        raise ModelLoadError(not_cached(ref, "the hub could not be reached", exc)) from exc


def check_model_dir(path: Path, ref: str) -> None:
    """Raise ModelLoadError naming what a local model directory lacks: config, weights, tokenizer."""
    if not (path / "config.json").is_file():
        raise ModelLoadError(f"model directory {ref} has no config.json")
    missing = [
        f"{what} ({', '.join(patterns[:-1])} or {patterns[-1]})"
        for what, patterns in (("weights", WEIGHT_FILES), ("tokenizer files", TOKENIZER_FILES))
        if not any(any(path.glob(pattern)) for pattern in patterns)
    ]
    if missing:
        raise ModelLoadError(f"model directory {ref} has a config.json but no {' and no '.join(missing)}")


def not_cached(ref: str, why: str, exc: BaseException | None = None) -> str:
    """The one message for a hub model that is not on disk and cannot be fetched (`why`, with the
    first line of the failed call's `exc`)."""
    if exc is not None:
        text = str(exc).strip()
        why += f" ({(text.splitlines()[0] if text else type(exc).__name__)[:160]})"
    return (
        f"model '{ref}' is not in the local cache ({hub_cache_dir()}) and {why}. "
        "Run `summtrans models pull` on a connected machine (or `summtrans models import` a bundle made there), "
        "set HF_HOME to a cache that has it, or point the profile in models.yaml at a local model directory."
    )
