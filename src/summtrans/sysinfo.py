"""What a bug report needs: versions, CPU features, accelerators, caches, the config in use."""

from __future__ import annotations

import os
import platform
import sys
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = ["PACKAGES", "SystemInfo", "collect_info"]

# Distributions whose versions matter for a report, in the order shown.
PACKAGES = ("summtrans", "torch", "transformers", "ctranslate2", "huggingface_hub", "tokenizers", "sentencepiece")
# CPU flags that decide CTranslate2's kernels (x86 and Arm).
_CPU_FLAGS = (
    "sse4_1", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512_vnni", "avx512_bf16", "amx_tile",
    "neon", "asimd", "sve",
)  # fmt: skip


@dataclass(frozen=True)
class SystemInfo:
    """A snapshot of this installation."""

    python: str  # interpreter version
    platform: str  # OS and architecture
    packages: dict[str, str | None]  # distribution → version (None: not installed)
    cpu_cores: int  # cores this process may use
    cpu_flags: tuple[str, ...]  # instruction sets relevant to CTranslate2 that the CPU has
    ct2_cpu_compute_types: tuple[str, ...]  # compute types CTranslate2 supports on this CPU
    cuda_devices: int  # CUDA devices CTranslate2 sees
    mps: bool | None  # Apple MPS through torch (None: not checked, torch was not loaded)
    hub_cache: str  # Hugging Face hub cache folder
    hub_cache_bytes: int  # its size
    ct2_cache: str  # CTranslate2 conversion folder
    ct2_cache_bytes: int  # its size
    config: str  # models.yaml in use
    ocr: str = ""  # the OCR engine, its version and languages, or what is missing (summtrans.ocr)

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["cpu_flags"], d["ct2_cpu_compute_types"] = list(self.cpu_flags), list(self.ct2_cpu_compute_types)
        return d


def collect_info(config: str | os.PathLike | None = None) -> SystemInfo:
    """Gather the report; imports ctranslate2 (for its CPU/CUDA view) but not torch."""
    from .models.config import config_path
    from .models.hub import hub_cache_dir
    from .models.store import ct2_cache_dir, tree_size

    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    compute_types: tuple[str, ...] = ()
    cuda = 0
    try:
        import ctranslate2

        compute_types = tuple(sorted(ctranslate2.get_supported_compute_types("cpu")))
        cuda = ctranslate2.get_cuda_device_count()
    except Exception:  # not installed or broken: the report says so through the empty fields
        pass
    torch = sys.modules.get("torch")  # only if already loaded: importing it costs seconds
    mps = None
    if torch is not None:
        mps = bool(getattr(getattr(torch.backends, "mps", None), "is_available", lambda: False)())
    hub, ct2 = hub_cache_dir(), ct2_cache_dir()
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return SystemInfo(
        python=platform.python_version(),
        platform=f"{platform.system()} {platform.release()} {platform.machine()}",
        packages=versions,
        cpu_cores=cores,
        cpu_flags=_cpu_flags(),
        ct2_cpu_compute_types=compute_types,
        cuda_devices=cuda,
        mps=mps,
        hub_cache=str(hub),
        hub_cache_bytes=tree_size(hub, follow=False),
        ct2_cache=str(ct2),
        ct2_cache_bytes=tree_size(ct2, follow=False),
        config=str(config_path(config)),
        ocr=_ocr(),
    )


def _ocr() -> str:
    """``tesseract 5.5.0 (tesserocr), languages deu eng``, or what is missing and how to install it."""
    from .ocr import OcrUnavailableError, get_engine

    try:
        engine = get_engine()
        return f"{engine.describe()}, languages {' '.join(engine.languages())}"
    except OcrUnavailableError as exc:
        return f"not available: {exc}"


def _cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> tuple[str, ...]:
    """The relevant flags of the first CPU in /proc/cpuinfo (empty elsewhere)."""
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("flags", "Features"):
            have = set(value.split())
            return tuple(f for f in _CPU_FLAGS if f in have)
    return ()
