"""Models on disk: pull ahead of time, list, remove.

A model lives in two places: its hub snapshot in the Hugging Face cache (``HF_HUB_CACHE`` or
``HF_HOME/hub``) and its CTranslate2 conversions (``$SUMMTRANS_CACHE_DIR/ct2``), one per compute
type. `pull` fills both, so the first real run starts at once; `list_models` says what is there;
`remove` frees both. Carrying models to another machine is `summtrans.models.bundles`.

Nothing here imports torch, transformers or ctranslate2 until a conversion runs.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import logging
import os
import shutil
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError, ModelLoadError, UsageError
from .config import HUB_ID, Config, Profile
from .hub import ALLOW_PATTERNS, cached_snapshot, hub_cache_dir, hub_offline, is_local

log = logging.getLogger(__name__)

__all__ = [
    "ModelRef",
    "ModelStatus",
    "PullResult",
    "Removal",
    "list_models",
    "plan_removal",
    "pull",
    "remove",
    "resolve_refs",
]

_CHUNK = 1 << 20


@dataclass(frozen=True)
class ModelRef:
    """A model named on the command line: a profile, or an ad-hoc hub id or directory."""

    name: str  # profile name, or the reference itself for ad-hoc models
    model: str  # hub id or local directory
    task: str | None = None  # translation | summarization; None for ad-hoc references
    revision: str | None = None  # pinned hub revision (None: the default branch)
    engine: str = "auto"  # the profile's engine: conversion only for auto and ctranslate2
    compute_type: str | None = None  # the profile's compute type (None: the machine's default)
    default: bool = False  # the default profile of its task

    @property
    def local(self) -> bool:
        return is_local(self.model)


@dataclass(frozen=True)
class ModelStatus:
    """What `models list` shows for one profile."""

    profile: str  # profile name
    task: str  # translation | summarization
    model: str  # hub id or local directory
    revision: str | None  # pinned revision from models.yaml, if any
    commit: str | None  # the cached snapshot's commit (None: not downloaded, or a local directory)
    local: bool  # the model is a local directory
    downloaded: bool  # the files are on disk (cached snapshot or local directory)
    size_bytes: int  # snapshot (hub models) plus conversions on disk
    converted: tuple[str, ...]  # compute types with a finished CTranslate2 conversion
    default: bool  # the default profile of its task

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["converted"] = list(self.converted)
        return d


@dataclass(frozen=True)
class PullResult:
    """One pulled model."""

    name: str  # profile name or reference
    model: str  # hub id or local directory
    commit: str | None  # snapshot commit (None for local directories)
    path: Path  # snapshot or local directory
    files: int  # files checked against the hub's checksums (0 when offline or local)
    size_bytes: int  # size of those files
    conversion: Path | None  # CTranslate2 conversion directory, when made or found
    compute_type: str | None  # its compute type
    note: str = ""  # why no conversion was made, or that the cached copy was used offline


@dataclass(frozen=True)
class Removal:
    """What `remove` deletes for one model."""

    name: str  # profile name or reference
    model: str  # hub id or local directory
    paths: tuple[Path, ...]  # hub repo folder and conversion folders
    size_bytes: int  # what deleting them frees


# --------------------------------------------------------------------------------------------
# References
# --------------------------------------------------------------------------------------------


def _from_profile(prof: Profile, config: Config) -> ModelRef:
    return ModelRef(
        name=prof.name,
        model=prof.model,
        task=prof.task,
        revision=prof.revision,
        engine=prof.engine,
        compute_type=prof.compute_type,
        default=config.defaults.get(prof.task) == prof.name,
    )


def resolve_refs(refs: Sequence[str], config: Config, all_profiles: bool = False) -> list[ModelRef]:
    """Profiles or hub ids/directories; none given: the default profiles (every profile with `all_profiles`)."""
    if all_profiles:
        return [_from_profile(p, config) for p in config.profiles.values()]
    if not refs:
        return [_from_profile(config.profiles[n], config) for n in dict.fromkeys(config.defaults.values())]
    out: list[ModelRef] = []
    for ref in dict.fromkeys(refs):
        if ref in config.profiles:
            out.append(_from_profile(config.profiles[ref], config))
        elif is_local(ref) or HUB_ID.fullmatch(ref):
            out.append(ModelRef(name=ref, model=ref))
        else:
            known = ", ".join(config.profiles)
            raise ConfigError(
                f"unknown model '{ref}': not a profile in {config.path} ({known}), a hub id (org/name) or a directory"
            )
    return out


def repo_folder(repo_id: str) -> Path:
    """The hub cache folder of a model repository: ``models--org--name``."""
    return hub_cache_dir() / ("models--" + repo_id.replace("/", "--"))


# --------------------------------------------------------------------------------------------
# Conversion seam: the only calls into engines/ct2 (cache layout, device defaults, conversion)
# --------------------------------------------------------------------------------------------


def ct2_cache_dir() -> Path:
    """Where CTranslate2 conversions live."""
    from ..engines import ct2

    return ct2.cache_dir()


def ct2_key(model: str, compute_type: str, snapshot: Path | None) -> str | None:
    """The conversion folder name of `model` (at `snapshot` for hub models) for `compute_type`."""
    from ..engines import ct2

    return ct2.cache_key(model, compute_type, None if is_local(model) else snapshot)


def ct2_finished(path: Path) -> dict[str, Any] | None:
    """The metadata of a finished conversion folder, or None. Reads JSON only (no ctranslate2)."""
    from ..engines.ct2.cache import read_metadata

    return read_metadata(path)


def ct2_compute_type(requested: str | None) -> str:
    """The compute type a conversion for this machine gets (int8 on CPU, float16 on CUDA)."""
    from ..engines import ct2

    return ct2.resolve_compute_type(requested, ct2.resolve_device("auto"))


def ct2_convert(model_dir: Path, model: str, compute_type: str) -> Path:
    """Convert a checkpoint (unless already converted); returns the conversion folder."""
    from ..engines.ct2.convert import convert  # imports torch and transformers

    key = ct2_key(model, compute_type, model_dir)
    if key is None:
        raise ModelLoadError(f"model directory {model_dir} has no config.json")
    target = ct2_cache_dir() / key
    if ct2_finished(target) is None:
        convert(model_dir, model, compute_type, target)
    return target


def conversions(model: str, snapshot: Path | None) -> dict[str, Path]:
    """Finished conversions of this very snapshot (or local directory), by compute type."""
    if snapshot is None and not is_local(model):
        return {}
    probe = ct2_key(model, "x", snapshot)
    root = ct2_cache_dir()
    if probe is None or not root.is_dir():
        return {}
    prefix = probe[: -len("x")]
    out: dict[str, Path] = {}
    for entry in sorted(root.iterdir()):
        if entry.name.startswith(prefix) and (meta := ct2_finished(entry)) is not None:
            out[str(meta.get("compute_type") or entry.name[len(prefix) :])] = entry
    return out


def _conversions_of_model(model: str) -> list[Path]:
    """Every conversion of `model` (whatever its revision, compute type or format) and its lock file."""
    root = ct2_cache_dir()
    if not root.is_dir():
        return []
    found = []
    for entry in sorted(root.iterdir()):
        try:
            meta = json.loads((entry / "summtrans.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(meta, dict) and meta.get("model_id") == model:
            found.append(entry)
            lock = entry.with_name(entry.name + ".lock")
            if lock.is_file():
                found.append(lock)
    return found


# --------------------------------------------------------------------------------------------
# Listing
# --------------------------------------------------------------------------------------------


def tree_size(path: Path, follow: bool = True) -> int:
    """Bytes of the files under `path` (following snapshot symlinks into blobs unless told not to)."""
    total = 0
    if not path.exists():
        return 0
    for p in [path] if path.is_file() else path.rglob("*"):
        try:
            st = p.stat() if follow else p.lstat()
        except OSError:
            continue
        if (st.st_mode & 0o170000) == 0o100000:  # regular file
            total += st.st_size
    return total


def model_status(ref: ModelRef) -> ModelStatus:
    """Where one model stands on disk."""
    local = ref.local
    snapshot = None if local else cached_snapshot(ref.model, ref.revision)
    found = conversions(ref.model, Path(ref.model).expanduser() if local else snapshot)
    size = sum(tree_size(p) for p in found.values())
    if snapshot is not None:
        size += tree_size(snapshot)
    return ModelStatus(
        profile=ref.name,
        task=ref.task or "",
        model=ref.model,
        revision=ref.revision,
        commit=snapshot.name if snapshot is not None else None,
        local=local,
        downloaded=local or snapshot is not None,
        size_bytes=size,
        converted=tuple(sorted(found)),
        default=ref.default,
    )


def list_models(config: Config) -> list[ModelStatus]:
    """Every profile of `config` with what of it is on disk. Never touches the network."""
    return [model_status(r) for r in resolve_refs((), config, all_profiles=True)]


def resolved_revision(profile: Profile) -> str | None:
    """The commit a profile's model resolves to offline (for journals), or None when not cached or local."""
    if is_local(profile.model):
        return None
    snap = cached_snapshot(profile.model, profile.revision)
    return snap.name if snap is not None else None


# --------------------------------------------------------------------------------------------
# Pull
# --------------------------------------------------------------------------------------------


def pull(
    refs: Sequence[str],
    config: Config,
    *,
    all_profiles: bool = False,
    convert: bool = True,
    compute_type: str | None = None,
    progress: bool = True,
) -> list[PullResult]:
    """Download (and verify) the named models, then convert each to CTranslate2 for this machine.

    `compute_type` overrides the profiles' (None: each profile's, else the machine's default).
    Raises ModelLoadError when a model is not cached and the hub is offline or unreachable.
    """
    return [
        _pull_one(ref, convert=convert, compute_type=compute_type, progress=progress)
        for ref in resolve_refs(refs, config, all_profiles)
    ]


def _pull_one(ref: ModelRef, *, convert: bool, compute_type: str | None, progress: bool) -> PullResult:
    from .hub import not_cached

    note = ""
    files = size = 0
    if ref.local:
        path = Path(ref.model).expanduser()
        if not (path / "config.json").is_file():
            raise ModelLoadError(f"model directory {ref.model} has no config.json")
        commit = None
    else:
        cached = cached_snapshot(ref.model, ref.revision)
        if hub_offline():
            if cached is None:
                raise ModelLoadError(not_cached(ref.model, "offline mode is on (HF_HUB_OFFLINE)"))
            path, note = cached, "offline: kept the cached copy"
        else:
            try:
                path, files, size = _download(ref, progress)
            except ModelLoadError as exc:
                if cached is None:
                    raise
                log.warning("%s; keeping the cached copy", exc)
                path, note = cached, "hub unreachable: kept the cached copy"
        commit = path.name
    conversion, ct, why = _convert(ref, path, compute_type) if convert else (None, None, "")
    notes = "; ".join(n for n in (note, why) if n)
    return PullResult(ref.name, ref.model, commit, path, files, size, conversion, ct, notes)


def _download(ref: ModelRef, progress: bool) -> tuple[Path, int, int]:
    """Fetch a snapshot (resumable) and check every file against the hub's metadata."""
    from huggingface_hub import HfApi, snapshot_download

    from .hub import not_cached

    try:
        info = HfApi().model_info(ref.model, revision=ref.revision, files_metadata=True, timeout=10)
    except Exception as exc:  # network down, unknown repo or revision, gated repo, …
        raise ModelLoadError(not_cached(ref.model, "the hub could not be reached", exc)) from exc
    commit = info.sha or ref.revision
    wanted = [s for s in info.siblings or [] if any(fnmatch.fnmatch(s.rfilename, p) for p in ALLOW_PATTERNS)]
    total = sum(s.size or 0 for s in wanted)
    at = f"@{ref.revision}" if ref.revision else ""
    log.info("%s%s (%s): %d files, %s", ref.model, at, (commit or "?")[:12], len(wanted), human_size(total))
    try:
        path = Path(
            snapshot_download(
                ref.model,
                revision=commit,
                cache_dir=hub_cache_dir(),
                allow_patterns=ALLOW_PATTERNS,
                etag_timeout=10,
                tqdm_class=None if progress else _silent_tqdm(),
            )
        )
    except Exception as exc:
        raise ModelLoadError(not_cached(ref.model, "the download failed", exc)) from exc
    for sib in wanted:
        _verify_file(ref.model, path, sib)
    return path, len(wanted), total


def _verify_file(repo_id: str, snapshot: Path, sib: Any) -> None:
    """Compare a downloaded file with the hub's sha256 (LFS files) or git blob id (small files)."""
    file = snapshot / sib.rfilename
    if not file.is_file():
        raise ModelLoadError(f"{repo_id}: {sib.rfilename} is missing after the download")
    lfs = getattr(sib, "lfs", None)
    if lfs is not None and getattr(lfs, "sha256", None):
        expected, got = lfs.sha256, file_sha256(file)
    elif getattr(sib, "blob_id", None):
        expected, got = sib.blob_id, _git_blob_id(file)
    else:
        return
    if expected != got:
        raise ModelLoadError(
            f"{repo_id}: {sib.rfilename} does not match the hub's checksum (expected {expected[:16]}…, "
            f"got {got[:16]}…); remove it with `summtrans models rm {repo_id}` and pull again"
        )


def _silent_tqdm() -> type:
    from huggingface_hub.utils import tqdm

    class _Silent(tqdm):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["disable"] = True
            super().__init__(*args, **kwargs)

    return _Silent


def _convert(ref: ModelRef, model_dir: Path, compute_type: str | None) -> tuple[Path | None, str | None, str]:
    """(conversion folder, compute type, why none) for a model the ctranslate2 engine would run."""
    from ..engines import CT2_MODEL_TYPES, model_type

    if ref.engine not in ("auto", "ctranslate2"):
        return None, None, f"engine {ref.engine}: no conversion needed"
    kind = model_type(model_dir)
    if kind not in CT2_MODEL_TYPES:
        return None, None, f"model type '{kind}' runs on the transformers engine"
    ct = ct2_compute_type(compute_type or ref.compute_type)
    from ..engines.ct2 import IncompatibleModelError

    try:
        return ct2_convert(model_dir, ref.model, ct), ct, ""
    except IncompatibleModelError as exc:
        if ref.engine == "ctranslate2":
            raise
        return None, ct, f"runs on the transformers engine ({exc})"


# --------------------------------------------------------------------------------------------
# Remove
# --------------------------------------------------------------------------------------------


def plan_removal(ref: str, config: Config) -> Removal:
    """What removing a profile's (or hub id's) model frees: every cached revision and conversion.

    A local model directory is never deleted, only its conversions.
    """
    (target,) = resolve_refs([ref], config)
    paths: list[Path] = []
    if not target.local:
        folder = repo_folder(target.model)
        if folder.is_dir():
            paths.append(folder)
    paths.extend(_conversions_of_model(target.model))
    if not paths:
        raise UsageError(f"nothing on disk for '{ref}' ({target.model})")
    size = sum(tree_size(p, follow=False) for p in paths)
    return Removal(target.name, target.model, tuple(paths), size)


def remove(removal: Removal) -> int:
    """Delete what `plan_removal` found; returns the bytes freed."""
    for path in removal.paths:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        log.info("removed %s", path)
    return removal.size_bytes


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _git_blob_id(path: Path) -> str:
    h = hashlib.sha1(usedforsecurity=False)
    h.update(f"blob {os.path.getsize(path)}\0".encode())
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def human_size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{n} B"
