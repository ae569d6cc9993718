"""Where and how CTranslate2 runs: device, compute type, CPU thread layout."""

from __future__ import annotations

import os

from ...errors import ModelLoadError
from ..base import DEVICES

_MAX_INTER_THREADS = 4  # parallel CPU workers; beyond this extra cores go to intra-op threads


class IncompatibleModelError(ModelLoadError):
    """The ctranslate2 engine cannot run this model (or this device) faithfully.

    `load_engine` with engine ``auto`` falls back to the transformers engine on this error; with
    engine ``ctranslate2`` it is reported to the user.
    """


def resolve_device(device: str) -> str:
    """`auto` → cuda when CTranslate2 sees a CUDA device, else cpu. mps is not supported."""
    import ctranslate2

    if device == "mps":
        raise IncompatibleModelError(
            "the ctranslate2 engine does not support --device mps (use --engine transformers, or --device cpu)"
        )
    cuda = ctranslate2.get_cuda_device_count() > 0
    if device == "auto":
        return "cuda" if cuda else "cpu"
    if device == "cuda" and not cuda:
        raise ModelLoadError("--device cuda was asked for, but CTranslate2 sees no CUDA device")
    if device not in ("cpu", "cuda"):
        raise ModelLoadError(f"unknown device '{device}' (choose from {', '.join(DEVICES)})")
    return device


def resolve_compute_type(compute_type: str | None, device: str) -> str:
    """None/`auto` → int8 on CPU, float16 on CUDA; an explicit type must be supported there."""
    import ctranslate2

    supported = set(ctranslate2.get_supported_compute_types(device))
    if compute_type in (None, "auto"):
        preferred = ("float16", "float32") if device == "cuda" else ("int8", "float32")
        return next(c for c in preferred if c in supported or c == "float32")
    if compute_type not in supported:
        raise ModelLoadError(
            f"compute type '{compute_type}' is not supported by ctranslate2 on {device} "
            f"(choose from {', '.join(sorted(supported))})"
        )
    return compute_type


def _cpu_count() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def thread_layout(device: str, threads: int | None = None) -> tuple[int, int]:
    """(inter_threads, intra_threads) for CTranslate2.

    On CPU, parallel workers with one or few threads each beat one worker with many threads for
    batch translation (measured 1.6x on 2 cores): up to 4 workers, as many as leave at most ~15%
    of the cores idle. On CUDA one worker; ``threads`` then only sizes the
    CPU-side thread pool.
    """
    if device != "cpu":
        return 1, max(0, threads or 0)
    total = max(1, threads or _cpu_count())
    candidates = range(min(total, _MAX_INTER_THREADS), 1, -1)  # more workers first
    for inter in candidates:  # the most workers that leave at most ~15% of the cores idle
        if total % inter <= 0.15 * total:
            return inter, total // inter
    inter = min(candidates, key=lambda n: total % n, default=1)  # else the fewest idle cores
    return inter, total // inter
