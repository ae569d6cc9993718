"""Carry models to a machine without network: one tar with hub snapshots, conversions and a manifest.

Layout of a bundle::

    manifest.json                                   format, summtrans version, models, sha256 of every file
    hub/models--ORG--NAME/snapshots/COMMIT/FILE     the hub snapshot's files (plain files, no links)
    ct2/KEY/FILE                                    finished CTranslate2 conversions of that snapshot

`import_bundle` refuses anything else: absolute paths, ``..``, links, device files, files the
manifest does not list, and files whose sha256 differs from it. It extracts into a temporary
folder inside the hub cache, checks every file, and only then moves them into place as a real
Hugging Face cache (``blobs/``, ``snapshots/COMMIT`` links, ``refs/``), so that
``from_pretrained(id, local_files_only=True)`` and ``summtrans --offline`` find them.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import shutil
import tarfile
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from ..errors import UsageError
from .config import HUB_ID, Config, is_revision
from .hub import cached_snapshot, hub_cache_dir
from .store import (
    conversions,
    ct2_cache_dir,
    ct2_finished,
    ct2_key,
    file_sha256,
    repo_folder,
    resolve_refs,
)

log = logging.getLogger(__name__)

__all__ = ["BUNDLE_FORMAT", "BundledModel", "BundleResult", "ImportResult", "bundle", "import_bundle"]

BUNDLE_FORMAT = 1
MANIFEST = "manifest.json"
_MANIFEST_MAX = 16 << 20
_COMMIT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")  # a snapshot folder name
_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,200}")
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class BundledModel:
    """One model in a bundle."""

    model: str  # hub id
    revision: str | None  # the revision asked for (None: the default branch)
    commit: str  # the snapshot's commit
    files: int  # snapshot files
    compute_types: tuple[str, ...]  # conversions carried


@dataclass(frozen=True)
class BundleResult:
    path: Path  # the archive written
    models: tuple[BundledModel, ...]  # what it holds
    size_bytes: int  # archive size


@dataclass(frozen=True)
class ImportResult:
    path: Path  # the archive read
    models: tuple[BundledModel, ...]  # what was installed
    hub_cache: Path  # where the snapshots went
    ct2_cache: Path  # where the conversions went
    files: int  # files checked and installed (or already present)


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def bundle(out: str | os.PathLike, refs: Sequence[str], config: Config, all_profiles: bool = False) -> BundleResult:
    """Write the downloaded models (default profiles unless named) and their conversions to `out`."""
    from .. import __version__

    out = Path(out)
    entries: list[dict[str, Any]] = []
    sources: list[tuple[str, Path]] = []  # (name in the archive, file on disk)
    models: list[BundledModel] = []
    for ref in resolve_refs(refs, config, all_profiles):
        if ref.local:
            raise UsageError(f"'{ref.name}' is a local directory ({ref.model}); bundles carry hub models only")
        snap = cached_snapshot(ref.model, ref.revision)
        if snap is None:
            at = f"@{ref.revision}" if ref.revision else ""
            raise UsageError(
                f"'{ref.name}' ({ref.model}{at}) is not downloaded: run `summtrans models pull {ref.name}` first"
            )
        base = f"hub/{repo_folder(ref.model).name}/snapshots/{snap.name}"
        files = _hash_tree(snap, base, sources)
        convs = [
            {"key": folder.name, "compute_type": ct, "files": _hash_tree(folder, f"ct2/{folder.name}", sources)}
            for ct, folder in conversions(ref.model, snap).items()
        ]
        entries.append(
            {"model": ref.model, "revision": ref.revision, "commit": snap.name, "files": files, "conversions": convs}
        )
        compute_types = tuple(c["compute_type"] for c in convs)
        models.append(BundledModel(ref.model, ref.revision, snap.name, len(files), compute_types))
    manifest = {
        "format": BUNDLE_FORMAT,
        "summtrans_version": __version__,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "models": entries,
    }
    _write_tar(out, manifest, sources)
    return BundleResult(out, tuple(models), out.stat().st_size)


def _hash_tree(root: Path, prefix: str, sources: list[tuple[str, Path]]) -> dict[str, str]:
    """sha256 of every file under `root` (snapshot links followed), recorded for the archive."""
    hashes: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            rel = path.relative_to(root).as_posix()
            hashes[rel] = file_sha256(path)
            sources.append((f"{prefix}/{rel}", path))
    return hashes


def _write_tar(out: Path, manifest: dict[str, Any], sources: list[tuple[str, Path]]) -> None:
    """Write atomically (`fsio.atomic_write_with`): a temp file beside `out`, renamed when complete."""
    from ..fsio import atomic_write_with

    def write(fh: BinaryIO) -> None:
        with tarfile.open(fileobj=fh, mode="w", format=tarfile.PAX_FORMAT) as tar:
            data = (json.dumps(manifest, indent=2) + "\n").encode()
            _add(tar, MANIFEST, io.BytesIO(data), len(data))
            for name, path in sources:
                with open(path, "rb") as f:  # a regular file even where the cache holds a link
                    _add(tar, name, f, os.fstat(f.fileno()).st_size)

    atomic_write_with(out, write)


def _add(tar: tarfile.TarFile, name: str, fileobj: Any, size: int) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, 0o644, int(time.time())
    tar.addfile(info, fileobj)


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def import_bundle(path: str | os.PathLike) -> ImportResult:
    """Check a bundle completely, then install its snapshots and conversions into this machine's caches."""
    path = Path(path)
    hub_root, ct2_root = hub_cache_dir(), ct2_cache_dir()
    try:
        tar = tarfile.open(path, "r:*")
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except (tarfile.TarError, OSError) as exc:
        raise UsageError(f"{path}: not a tar archive ({exc})") from None
    with tar:
        members = _checked_members(path, tar)
        manifest = _read_manifest(path, tar, members)
        expected = _expected_files(path, manifest)
        for name in members:
            if name != MANIFEST and name not in expected and members[name].isreg():
                raise UsageError(f"{path}: {name}: a file the manifest does not list")
        for name in expected:
            if name not in members or not members[name].isreg():
                raise UsageError(f"{path}: {name}: listed in the manifest but missing from the archive")
        _check_space(path, members, hub_root)
        hub_root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".summtrans-import-", dir=hub_root))
        try:
            tar.extractall(staging, members=[members[n] for n in expected], filter="data")
            for name, digest in expected.items():
                got = file_sha256(staging / name)
                if got != digest:
                    raise UsageError(f"{path}: {name}: checksum mismatch (manifest {digest[:16]}…, got {got[:16]}…)")
            models = tuple(_install(m, staging, hub_root, ct2_root) for m in manifest["models"])
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return ImportResult(path, models, hub_root, ct2_root, len(expected))


def _checked_members(path: Path, tar: tarfile.TarFile) -> dict[str, tarfile.TarInfo]:
    """Every member by name, after refusing path tricks, links, devices and duplicates."""
    members: dict[str, tarfile.TarInfo] = {}
    for m in tar:
        name = m.name
        parts = PurePosixPath(name).parts
        if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
            raise UsageError(f"{path}: {name}: absolute path in the archive")
        if ".." in parts or "\\" in name or "\0" in name:
            raise UsageError(f"{path}: {name}: path leaves the archive ('..')")
        if m.issym() or m.islnk():
            target = PurePosixPath(name).parent / m.linkname if m.issym() else PurePosixPath(m.linkname)
            if m.linkname.startswith("/") or ".." in target.parts:
                raise UsageError(f"{path}: {name}: link pointing outside the archive ({m.linkname})")
            raise UsageError(f"{path}: {name}: links are not allowed in a bundle")
        if not (m.isreg() or m.isdir()):
            raise UsageError(f"{path}: {name}: device or special file in the archive")
        if name in members:
            raise UsageError(f"{path}: {name}: appears twice in the archive")
        members[name] = m
    if MANIFEST not in members:
        raise UsageError(f"{path}: not a summtrans bundle (no {MANIFEST})")
    return members


def _read_manifest(path: Path, tar: tarfile.TarFile, members: dict[str, tarfile.TarInfo]) -> dict[str, Any]:
    info = members[MANIFEST]
    if not info.isreg() or info.size > _MANIFEST_MAX:
        raise UsageError(f"{path}: {MANIFEST} is not a small regular file")
    try:
        manifest = json.loads(tar.extractfile(info).read())  # type: ignore[union-attr]
    except (ValueError, AttributeError):
        raise UsageError(f"{path}: {MANIFEST} is not valid JSON") from None
    version = manifest.get("format") if isinstance(manifest, dict) else None
    if version != BUNDLE_FORMAT:
        raise UsageError(f"{path}: {MANIFEST}: unsupported bundle format {version!r} (this summtrans reads {BUNDLE_FORMAT})")
    if not isinstance(manifest.get("models"), list):
        raise UsageError(f"{path}: {MANIFEST}: 'models' must be a list")
    return manifest


def _expected_files(path: Path, manifest: dict[str, Any]) -> dict[str, str]:
    """Archive name → sha256 for every file the manifest lists, after validating its entries."""
    expected: dict[str, str] = {}

    def bad(what: str) -> UsageError:
        return UsageError(f"{path}: {MANIFEST}: {what}")

    def add(prefix: str, files: Any) -> None:
        if not isinstance(files, dict) or not files:
            raise bad(f"{prefix}: expected a non-empty mapping of files to sha256")
        for rel, digest in files.items():
            parts = PurePosixPath(rel).parts if isinstance(rel, str) else ()
            if not parts or rel.startswith("/") or ".." in parts or "\\" in rel:
                raise bad(f"{prefix}: bad file name {rel!r}")
            if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
                raise bad(f"{prefix}/{rel}: bad sha256 {digest!r}")
            expected[f"{prefix}/{rel}"] = digest

    for i, m in enumerate(manifest["models"]):
        if not isinstance(m, dict):
            raise bad(f"models[{i}] is not a mapping")
        model, commit, rev = m.get("model"), m.get("commit"), m.get("revision")
        if not isinstance(model, str) or not HUB_ID.fullmatch(model):
            raise bad(f"models[{i}].model: bad hub id {model!r}")
        if not isinstance(commit, str) or not _COMMIT.fullmatch(commit):
            raise bad(f"models[{i}].commit: bad commit {commit!r}")
        if rev is not None and not is_revision(rev):
            raise bad(f"models[{i}].revision: bad revision {rev!r}")
        add(f"hub/{repo_folder(model).name}/snapshots/{commit}", m.get("files"))
        for j, c in enumerate(m.get("conversions") or []):
            key = c.get("key") if isinstance(c, dict) else None
            if not isinstance(key, str) or not _KEY.fullmatch(key) or not isinstance(c.get("compute_type"), str):
                raise bad(f"models[{i}].conversions[{j}]: bad key or compute type")
            add(f"ct2/{key}", c.get("files"))
    return expected


def _check_space(path: Path, members: dict[str, tarfile.TarInfo], root: Path) -> None:
    need = sum(m.size for m in members.values() if m.isreg())
    probe = root
    while not probe.exists():
        probe = probe.parent
    free = shutil.disk_usage(probe).free
    if need * 2 > free:  # staged copy plus blobs on a different filesystem, at worst
        raise UsageError(f"{path}: needs {need} bytes of disk, {free} free in {probe}")


def _install(m: dict[str, Any], staging: Path, hub_root: Path, ct2_root: Path) -> BundledModel:
    """Move a checked model from the staging folder into a Hugging Face cache layout and the ct2 cache."""
    model, commit, revision = m["model"], m["commit"], m.get("revision")
    repo = hub_root / repo_folder(model).name
    src = staging / "hub" / repo.name / "snapshots" / commit
    snap = repo / "snapshots" / commit
    blobs = repo / "blobs"
    blobs.mkdir(parents=True, exist_ok=True)
    for rel, digest in m["files"].items():
        blob = blobs / digest
        if not blob.is_file() or file_sha256(blob) != digest:
            os.replace(src / rel, blob)
        link = snap / rel
        link.parent.mkdir(parents=True, exist_ok=True)
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(os.path.relpath(blob, link.parent))
    if revision != commit:  # a branch or tag (or the default branch) points at the commit
        ref = repo / "refs" / (revision or "main")
        ref.parent.mkdir(parents=True, exist_ok=True)
        ref.write_text(commit)
    compute_types = []
    for c in m.get("conversions") or []:
        key = c["key"]
        if ct2_key(model, c["compute_type"], snap) != key:
            log.warning("skipping the %s conversion of %s: another conversion format", c["compute_type"], model)
            continue
        target = ct2_root / key
        if ct2_finished(target) is None:
            ct2_root.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=f".tmp-import-{key}-", dir=ct2_root))
            try:
                shutil.move(str(staging / "ct2" / key), str(tmp / "conv"))
                shutil.rmtree(target, ignore_errors=True)  # an unfinished leftover
                os.rename(tmp / "conv", target)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
        compute_types.append(c["compute_type"])
    return BundledModel(model, revision, commit, len(m["files"]), tuple(compute_types))
