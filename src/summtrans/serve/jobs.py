"""Document jobs on disk: an accepted upload and its state survive a crash or a Ctrl-C.

`JobStore` keeps one SQLite row per job (``jobs.sqlite3``, WAL like the translation memory) and
the job's files in ``files/<id>/``: the upload as ``input<suffix>``, then ``output<suffix>``
(the translated document), ``summary.txt`` and ``record.json`` (the record of ``-f json``). A job
id is a random token, the only thing of a request that ever names a path, and only after it
matched `ID_PATTERN`. `Jobs` runs them on the model thread, one at a time; a server started
again queues the jobs left unfinished, and deletes finished ones older than `keep_hours`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import secrets
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError, SummtransError
from ..progress import Progress

if TYPE_CHECKING:
    from .service import Service

__all__ = ["ID_PATTERN", "Job", "JobStore", "Jobs", "new_id"]

log = logging.getLogger(__name__)

ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{22,64}")
STATUSES = ("queued", "running", "done", "failed")
TASKS = ("translate", "summarize")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    task TEXT NOT NULL,
    name TEXT NOT NULL,          -- the upload's display name (never a path)
    suffix TEXT NOT NULL,        -- the input's suffix, one the server reads
    status TEXT NOT NULL,
    created REAL NOT NULL,
    finished REAL,
    error TEXT,
    error_status INTEGER,        -- 400: the document's fault; 500: the server's
    output_suffix TEXT,          -- the translated document's (None: none written)
    summary INTEGER NOT NULL DEFAULT 0
)
"""


def new_id() -> str:
    """A random, unguessable job id (also the download token)."""
    return secrets.token_urlsafe(18)


@dataclass(frozen=True)
class Job:
    id: str
    task: str  # translate | summarize
    name: str  # display name of the upload
    suffix: str  # input suffix (.docx…)
    status: str  # one of STATUSES
    created: float  # epoch seconds
    finished: float | None = None
    error: str | None = None
    error_status: int | None = None
    output_suffix: str | None = None
    summary: bool = False

    @property
    def stem(self) -> str:
        return self.name[: -len(self.suffix)] if self.suffix and self.name.lower().endswith(self.suffix) else self.name

    @property
    def output_name(self) -> str:
        """The translated document's download name: ``brief_en.docx`` (LibreTranslate's ``_en``)."""
        return f"{self.stem}_en{self.output_suffix or ''}"


class JobStore:
    """The jobs of one state folder. Thread-safe: a short connection per operation, under a lock."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.files = self.root / "files"
        self.files.mkdir(parents=True, exist_ok=True)
        self.uploads = self.root / "uploads"  # uploads being checked, each under a random name
        self.uploads.mkdir(exist_ok=True)
        self.root.chmod(0o700)  # uploads are private to the server's user
        self._lock = threading.Lock()
        with self._db() as db:
            db.execute("PRAGMA journal_mode = WAL")
            db.execute(_SCHEMA)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            db = sqlite3.connect(self.root / "jobs.sqlite3", timeout=30, isolation_level=None)
            try:
                yield db
            finally:
                db.close()

    def folder(self, job_id: str) -> Path:
        if not ID_PATTERN.fullmatch(job_id):
            raise ValueError(f"not a job id: {job_id!r}")
        return self.files / job_id

    def input_path(self, job: Job) -> Path:
        return self.folder(job.id) / f"input{job.suffix}"

    def output_path(self, job: Job, kind: str) -> Path:
        """``document``, ``summary`` or ``record``."""
        name = {"document": f"output{job.output_suffix or ''}", "summary": "summary.txt", "record": "record.json"}[kind]
        return self.folder(job.id) / name

    def create(self, task: str, name: str, suffix: str, upload: Path) -> Job:
        """A queued job for the upload at `upload` (moved into the job's folder)."""
        if task not in TASKS:
            raise ValueError(task)
        job = Job(new_id(), task, name, suffix, "queued", time.time())
        folder = self.folder(job.id)
        folder.mkdir(mode=0o700)
        shutil.move(str(upload), self.input_path(job))
        with self._db() as db:  # the row last: a job in the table always has its input
            db.execute("INSERT INTO jobs (id, task, name, suffix, status, created) VALUES (?, ?, ?, ?, ?, ?)",
                       (job.id, job.task, job.name, job.suffix, job.status, job.created))
        return job

    def get(self, job_id: str) -> Job | None:
        if not ID_PATTERN.fullmatch(job_id):
            return None
        with self._db() as db:
            row = db.execute(f"SELECT {_COLUMNS} FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return _job(row) if row else None

    def update(self, job_id: str, **values: Any) -> None:
        names = ", ".join(f"{k} = ?" for k in values)
        with self._db() as db:
            db.execute(f"UPDATE jobs SET {names} WHERE id = ?", (*values.values(), job_id))

    def unfinished(self) -> list[Job]:
        with self._db() as db:
            rows = db.execute(f"SELECT {_COLUMNS} FROM jobs WHERE status IN ('queued', 'running') ORDER BY created").fetchall()
        return [_job(r) for r in rows]

    def delete_finished(self, before: float) -> int:
        """Delete the jobs finished before `before` (epoch seconds) and their files; how many."""
        with self._db() as db:
            ids = [r[0] for r in db.execute("SELECT id FROM jobs WHERE finished IS NOT NULL AND finished < ?", (before,))]
            db.executemany("DELETE FROM jobs WHERE id = ?", [(i,) for i in ids])
        for job_id in ids:
            shutil.rmtree(self.folder(job_id), ignore_errors=True)
        for left in self.uploads.iterdir():  # a server killed while it checked an upload
            with contextlib.suppress(OSError):
                if left.stat().st_mtime < time.time() - 3600:
                    left.unlink()
        return len(ids)


_COLUMNS = ", ".join(f.name for f in fields(Job))


def _job(row: tuple) -> Job:
    values = dict(zip((f.name for f in fields(Job)), row))
    values["summary"] = bool(values["summary"])
    return Job(**values)


class _JobProgress(Progress):
    """Counts a running job's segments for its status (no output of its own)."""

    def __init__(self) -> None:
        super().__init__("reading", mode="off")


class Jobs:
    """Runs the store's jobs on the model thread; keeps finished ones `keep_hours`."""

    def __init__(self, store: JobStore, service: Service, keep_hours: float = 24.0) -> None:
        self.store = store
        self.service = service
        self.keep_s = keep_hours * 3600
        self._futures: dict[str, Future] = {}
        self._live: dict[str, Progress] = {}

    def resume(self) -> int:
        """Queue the jobs a previous server left unfinished (and drop expired ones); how many."""
        self.sweep()
        left = self.store.unfinished()
        for job in left:
            log.info("resuming document job %s (%s)", job.id, job.name)
            self.store.update(job.id, status="queued")
            self._queue(job.id)
        return len(left)

    def add(self, task: str, name: str, suffix: str, upload: Path) -> Job:
        job = self.store.create(task, name, suffix, upload)
        self._queue(job.id)
        return job

    def _queue(self, job_id: str) -> None:
        future = self.service.thread.call(lambda: self._run(job_id))
        self._futures[job_id] = future
        future.add_done_callback(lambda _f: self._futures.pop(job_id, None))

    def future(self, job_id: str) -> Future | None:
        """The future of a job queued or running in this process (None once it finished)."""
        return self._futures.get(job_id)

    def progress(self, job_id: str) -> dict[str, Any] | None:
        p = self._live.get(job_id)
        return {"stage": p.description, "done": p.done, "total": p.total} if p is not None else None

    def sweep(self) -> int:
        """Delete the jobs finished more than keep_hours ago."""
        return self.store.delete_finished(time.time() - self.keep_s)

    def _run(self, job_id: str) -> Job | None:
        """Run one job (on the model thread): its outputs written, its status recorded."""
        job = self.store.get(job_id)
        if job is None or job.status not in ("queued", "running"):
            return job
        self.store.update(job_id, status="running")
        progress = self._live[job_id] = _JobProgress()
        try:
            result = self.service.process(self.store.input_path(job), job.name, job.task, progress)
            self._write(job, result)
        except InputError as exc:
            self._fail(job, str(exc), 400)
        except SummtransError as exc:
            self._fail(job, str(exc), 500)
        except Exception as exc:  # the server keeps going; the job says what went wrong
            log.exception("document job %s failed", job_id)
            self._fail(job, f"{type(exc).__name__}: {exc}", 500)
        finally:
            self._live.pop(job_id, None)
        return self.store.get(job_id)

    def _write(self, job: Job, result: Any) -> None:
        from ..formats.registry import backend_for
        from ..fsio import atomic_write_bytes, atomic_write_text
        from ..records import to_json

        output: bytes | None = result.output_bytes
        suffix = job.suffix
        if output is not None:
            backend = backend_for(result.format) if result.format else None
            suffix = backend.output_suffix_for(job.name) if backend is not None else job.suffix
        elif result.translation is not None:
            output = result.translation.encode("utf-8")
        done = Job(**{**job.__dict__, "output_suffix": suffix if output is not None else None})
        if output is not None:
            atomic_write_bytes(self.store.output_path(done, "document"), output)
        if result.summary is not None:
            atomic_write_text(self.store.output_path(done, "summary"), result.summary + "\n")
        atomic_write_text(self.store.output_path(done, "record"), to_json(result.to_dict(), indent=2) + "\n")
        self.store.update(job.id, status="done", finished=time.time(), output_suffix=done.output_suffix,
                          summary=int(result.summary is not None))

    def _fail(self, job: Job, message: str, status: int) -> None:
        self.store.update(job.id, status="failed", finished=time.time(), error=message, error_status=status)


def job_json(job: Job, progress: dict[str, Any] | None, base: str) -> dict[str, Any]:
    """A job's status for /v1/documents/{id}: links to its downloads once done."""
    out: dict[str, Any] = {"id": job.id, "name": job.name, "task": job.task, "status": job.status}
    if progress is not None:
        out["progress"] = progress
    if job.status == "failed":
        out["error"] = job.error
    if job.status == "done":
        links = {"record": f"{base}/v1/documents/{job.id}/record"}
        if job.output_suffix is not None:
            links["document"] = f"{base}/v1/documents/{job.id}/document"
        if job.summary:
            links["summary"] = f"{base}/v1/documents/{job.id}/summary"
        out["downloads"] = links
        out["output_name"] = job.output_name if job.output_suffix is not None else None
    return out


def read_record(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))
