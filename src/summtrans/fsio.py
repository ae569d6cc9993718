"""Writing outputs safely: atomic replacement, and the temporaries an interrupted run leaves."""

from __future__ import annotations

import errno
import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

__all__ = [
    "TEMP_SUFFIX",
    "atomic_write_bytes",
    "atomic_write_text",
    "atomic_write_with",
    "cleanup_temporaries",
    "same_file",
    "write_output",
]

TEMP_SUFFIX = ".summtrans-tmp"


def write_output(path: str | os.PathLike[str], text: str | bytes) -> None:
    """Write a command's output to `path` (text as UTF-8), the way the kind of file there asks for.

    ``-`` is standard output. A FIFO, character device or socket is written to in place (streamed:
    renaming a file over ``/dev/null`` would replace the device). A symlink is followed and its
    target replaced atomically (the link stays). Anything else is replaced atomically.
    """
    data = text.encode("utf-8") if isinstance(text, str) else text
    if os.fspath(path) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        mode = os.stat(path).st_mode  # follows symlinks: what the link points at
    except FileNotFoundError:
        mode = 0
    if stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or stat.S_ISSOCK(mode):
        with open(path, "wb") as fh:
            fh.write(data)
        return
    atomic_write_bytes(os.path.realpath(path), data)


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write `text` as UTF-8 (newlines as given, no translation) atomically; see :func:`atomic_write_bytes`."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write `data` to `path` atomically, creating parent directories.

    The bytes go to ``.<name>.<random>.summtrans-tmp`` in the same directory, are flushed and
    fsynced, then renamed over the target with :func:`os.replace`. On any error the temporary file
    is removed and the error re-raised; an existing target is left untouched. The new file gets the
    usual umask-derived permissions; nothing of an old target's metadata is kept.
    """
    atomic_write_with(path, lambda fh: fh.write(data))


def atomic_write_with(path: str | os.PathLike[str], write: Callable[[BinaryIO], object], *, keep_mode: bool = False) -> None:
    """:func:`atomic_write_bytes` with the content streamed by ``write(file)``; `keep_mode`: the new
    file gets the permission bits of the file it replaces."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _create_temp(target)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        if keep_mode:
            os.chmod(tmp, stat.S_IMODE(os.stat(target).st_mode))
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_dir(target.parent)


def _create_temp(target: Path) -> tuple[int, str]:
    """Create the temporary file exclusively, like ``tempfile.mkstemp`` but with mode 0o666 & ~umask.

    (mkstemp always uses 0o600, which would leave every output private to its owner.)
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        tmp = str(target.parent / f".{target.name}.{os.urandom(4).hex()}{TEMP_SUFFIX}")
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no unused temporary file name", str(target.parent))


def _fsync_dir(directory: Path) -> None:
    """Make the rename durable where the platform allows fsync on a directory (best effort)."""
    if os.name != "posix":
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """Whether `a` and `b` are the same file or folder (False when either cannot be looked at)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def cleanup_temporaries(root: str | os.PathLike[str]) -> int:
    """Delete leftover ``*.summtrans-tmp`` files under `root` (recursively); return how many were removed.

    A missing root gives 0; files that vanish or cannot be removed meanwhile are skipped.
    """
    removed = 0
    for dirpath, _dirnames, filenames in os.walk(root):
        for name in filenames:
            if name.endswith(TEMP_SUFFIX):
                try:
                    os.unlink(os.path.join(dirpath, name))
                except OSError:
                    continue
                removed += 1
    return removed
