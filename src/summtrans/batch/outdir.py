"""The output folder of a run: checks, the lock that keeps a second run out, start-up cleanup.

The lock is ``OUTDIR/.summtrans.lock``, an flock taken with `filelock`: the kernel releases it
when its process ends, however it ends (kill -9 included), so a stale lock is simply taken over.
The holder writes its pid to ``OUTDIR/.summtrans.pid`` for the message a second run prints (not
into the lock file: filelock 3 truncates that when it opens it).
Temporaries left by a killed run are removed only while the lock is held. An OUTDIR that cannot be
written at all (read-only) is used without a lock: a run with nothing to do still succeeds, and
one that must write fails when it first tries.
"""

from __future__ import annotations

import errno
import logging
import os
from pathlib import Path
from types import TracebackType

from ..errors import OutputDirError, UsageError
from ..fsio import cleanup_temporaries, same_file

__all__ = ["LOCK_NAME", "PID_NAME", "OutputDir"]

log = logging.getLogger("summtrans.batch")

LOCK_NAME = ".summtrans.lock"
PID_NAME = ".summtrans.pid"  # the pid of the run holding the lock
_READ_ONLY = (errno.EACCES, errno.EPERM, errno.EROFS)


class InUseError(UsageError):
    """Another summtrans run holds the output folder."""


class OutputDir:
    """`with OutputDir(path, inputs) as out:` checks, creates and locks OUTDIR for one run."""

    def __init__(self, path: Path, inputs: list[Path]) -> None:
        self.path = path
        self.inputs = inputs
        self.lock = None
        self.writable = True

    def __enter__(self) -> OutputDir:
        out = self.path
        for inp in self.inputs:
            if inp.is_dir() and out.exists() and same_file(inp, out):
                raise UsageError(f"the output folder {out} is the input folder: choose another -o OUTDIR")
        if out.exists() and not out.is_dir():
            raise OutputDirError(f"{out}: the output folder is a file")
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputDirError(f"{out}: cannot create the output folder: {exc.strerror or exc}") from exc
        self._lock()
        if self.writable:
            removed = cleanup_temporaries(out)
            if removed:
                log.info("removed %d temporary file(s) left by an interrupted run", removed)
        return self

    def _lock(self) -> None:
        from filelock import FileLock, Timeout

        lock = FileLock(self.path / LOCK_NAME, timeout=0)
        try:
            lock.acquire()
        except Timeout:
            raise InUseError(f"{self.path} is in use by another summtrans run (pid {self._holder()})") from None
        except OSError as exc:
            if exc.errno not in _READ_ONLY:
                raise OutputDirError(f"{self.path}: cannot lock the output folder: {exc.strerror or exc}") from exc
            log.debug("%s is read-only: working without a lock", self.path)
            self.writable = False
            return
        self.lock = lock
        try:
            (self.path / PID_NAME).write_text(f"{os.getpid()}\n", encoding="ascii")
        except OSError:
            pass  # only the message of a second run needs it

    def _holder(self) -> str:
        try:
            return (self.path / PID_NAME).read_text(encoding="ascii").strip() or "unknown"
        except (OSError, ValueError):
            return "unknown"

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self.lock is not None:
            self.lock.release()
            self.lock = None

