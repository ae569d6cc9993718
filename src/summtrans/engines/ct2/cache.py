"""The conversion cache: where a model's conversion lives and whether it is finished.

Lean: reads only JSON and file metadata (no torch, no transformers, no ctranslate2).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from ...errors import ModelLoadError
from ...models.hub import cache_root, cached_snapshot, local_fingerprint
from ..base import EngineOptions
from .device import resolve_compute_type, resolve_device

FORMAT_VERSION = 1  # bump when the layout of a conversion directory changes: old entries are ignored
METADATA_FILE = "summtrans.json"  # written last: a directory without it is not a finished conversion


def cache_dir() -> Path:
    """Where conversions live: ``$SUMMTRANS_CACHE_DIR/ct2`` or ``~/.cache/summtrans/ct2``."""
    return cache_root() / "ct2"


def sanitize(name: str) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", name.replace("/", "--")).strip("._-")
    return name[:80] or "model"


def source_identity(model_ref: str, model_dir: Path | None) -> tuple[str, str] | None:
    """(display name, identity) of a model: a hub id with its revision, or a local dir's fingerprint."""
    path = Path(model_ref).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            return None
        return path.resolve().name, local_fingerprint(path)
    snapshot = model_dir if model_dir is not None else cached_snapshot(model_ref)
    if snapshot is None:
        return None
    return model_ref, f"hub:{model_ref}@{Path(snapshot).name}"  # a hub snapshot dir is named by its commit


def cache_key(model_ref: str, compute_type: str, model_dir: Path | None = None) -> str | None:
    """``<sanitized-id>-<hash12>-<compute_type>``, or None when the model is not available locally."""
    ident = source_identity(model_ref, model_dir)
    if ident is None:
        return None
    name, identity = ident
    digest = hashlib.sha256(f"summtrans-ct2-v{FORMAT_VERSION}\0{identity}".encode()).hexdigest()[:12]
    return f"{sanitize(name)}-{digest}-{compute_type}"


def read_metadata(path: Path) -> dict[str, Any] | None:
    try:
        meta = json.loads((path / METADATA_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_VERSION or not (path / "model.bin").is_file():
        return None
    return meta


def cached_conversion(model_ref: str, options: EngineOptions) -> Path | None:
    """The finished conversion of `model_ref` for `options`, or None. Imports neither torch nor transformers."""
    try:
        device = resolve_device(options.device)
        compute_type = resolve_compute_type(options.compute_type, device)
    except ModelLoadError:
        return None  # the regular load path reports it
    key = cache_key(model_ref, compute_type)
    if key is None:
        return None
    path = cache_dir() / key
    return path if read_metadata(path) is not None else None
