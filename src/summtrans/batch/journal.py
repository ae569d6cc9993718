"""The journal of a folder run (``OUTDIR/summtrans-journal.jsonl``) and the combined jsonl file.

Both files only grow by whole lines, each write flushed and fsynced. Later journal lines for a
path supersede earlier ones; an unreadable line (the torn last line of a killed run) is ignored.
The journal file is opened only when a line must be written, so a run with nothing to do writes
nothing (and works on a read-only OUTDIR).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, BinaryIO

from ..errors import OutputDirError
from ..fsio import atomic_write_with
from ..records import name_bytes_b64, to_json

__all__ = [
    "COMBINED_NAME",
    "FAILED",
    "JOURNAL_NAME",
    "OK",
    "SKIPPED_SPECIAL",
    "STAGES",
    "STATUSES",
    "AppendFile",
    "Journal",
    "JournalEntry",
    "fingerprint",
    "load_journal",
    "rewrite_combined",
]

log = logging.getLogger(__name__)

JOURNAL_NAME = "summtrans-journal.jsonl"
COMBINED_NAME = "summtrans-results.jsonl"
OK = "ok"
FAILED = "failed"
SKIPPED_SPECIAL = "skipped-special"  # a FIFO, socket or device inside an input folder: never opened
# The one list of document statuses (journal, report, summary line). The skipped-* reasons of
# read_document's InputError are among them (skipped-no-text: a scanned PDF, a document without text).
STATUSES = (OK, FAILED, "skipped-empty", "skipped-binary", "skipped-too-large", "skipped-no-text", SKIPPED_SPECIAL,
            "skipped-language")
STAGES = ("read", "model", "write")  # where a failure happened


@dataclass(frozen=True)
class JournalEntry:
    """The part of a journal line that resume decisions need."""

    status: str
    sha256: str | None
    error: str | None
    output: str | None
    fingerprint: str
    stage: str | None = None  # where a failure happened: read | model | write


def fingerprint(settings: Any) -> str:
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass
class Loaded:
    """What a journal file says: the last entry per path, and every output it ever recorded."""

    entries: dict[str, JournalEntry] = field(default_factory=dict)
    outputs: set[str] = field(default_factory=set)


def load_journal(path: Path) -> dict[str, JournalEntry]:
    """The last entry per relative path; unreadable lines (a truncated last line) are ignored."""
    return _load(path).entries


def _load(path: Path) -> Loaded:
    loaded = Loaded()
    try:
        fh = open(path, "rb")
    except FileNotFoundError:
        return loaded
    except OSError as exc:
        raise OutputDirError(f"{path}: cannot read the journal: {exc.strerror or exc}") from exc
    with fh:
        for lineno, raw in enumerate(fh, 1):
            try:
                obj = json.loads(raw)
                if "writing" in obj:  # outputs about to be written (their lines follow)
                    loaded.outputs.update(obj["writing"])
                    continue
                loaded.entries[obj["path"]] = JournalEntry(
                    status=obj["status"],
                    sha256=obj.get("sha256"),
                    error=obj.get("error"),
                    output=obj.get("output"),
                    fingerprint=fingerprint(obj.get("settings")),
                    stage=obj.get("stage"),
                )
                if obj.get("output"):
                    loaded.outputs.add(obj["output"])
            except (ValueError, KeyError, TypeError):
                log.debug("%s:%d: ignoring an unreadable journal line", path, lineno)
    return loaded


def json_line(obj: Any) -> bytes:
    return (to_json(obj) + "\n").encode("utf-8")


class AppendFile:
    """A file that only grows by whole lines, each flushed and fsynced before append() returns."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
        size = os.fstat(self.fd).st_size
        if size:  # a run killed mid-line: start on a fresh line
            with open(path, "rb") as fh:
                fh.seek(size - 1)
                if fh.read(1) != b"\n":
                    self._write(b"\n")

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view) :]

    def append(self, lines: bytes) -> None:
        self._write(lines)
        os.fsync(self.fd)

    def close(self) -> None:
        os.close(self.fd)


class Journal:
    """The journal of one run: entries read at the start, lines written (lazily) as documents end."""

    def __init__(
        self,
        path: Path,
        settings: dict[str, Any],
        models: dict[str, str | None] | Callable[[], dict[str, str | None]],
    ) -> None:
        """`models`: each task's model for the lines, or a callable giving it (`Pipeline.models`),
        asked at each line until every hub model names its commit (``org/name@COMMIT``): a run that
        downloads its model records the commit it got, not the bare name it started with."""
        self.path = path
        self.settings = settings
        self.fingerprint = fingerprint(settings)
        self._models = models
        loaded = _load(path)
        self.entries = loaded.entries  # relative path -> last entry
        self.outputs = loaded.outputs  # every output (relative to OUTDIR) a line ever named
        self.pending: list[bytes] = []  # lines not yet appended
        self._file: AppendFile | None = None

    @property
    def models(self) -> dict[str, str | None]:
        if callable(self._models):
            models = self._models()
            if all(m is None or "@" in m for m in models.values()):
                self._models = models  # resolved for good
            return models
        return self._models

    def record(self, key: str, status: str, **fields: Any) -> None:
        """Queue a line for document `key` (fields: sha256, stage, error, encoding, format, output,
        bytes, chars, segments, timings); `flush` writes it."""
        entry: dict[str, Any] = {"path": key}
        raw = name_bytes_b64(key)
        if raw is not None:
            entry["path_bytes"] = raw
        entry.update(
            sha256=fields.get("sha256"),
            status=status,
            stage=fields.get("stage"),
            error=fields.get("error"),
            encoding=fields.get("encoding"),
            format=fields.get("format"),
            output=fields.get("output"),
            bytes=fields.get("bytes"),
            chars=fields.get("chars") or {"source": None, "translation": None, "summary": None},
            segments=fields.get("segments"),
            models=self.models,
            settings=self.settings,
            timings=fields.get("timings") or {},
            finished=utc_now(),
        )
        for extra in ("language", "memory", "quality", "ocr"):  # detection, translation-memory counts, quality, OCR
            if fields.get(extra) is not None:
                entry[extra] = fields[extra]
        self.pending.append(json_line(entry))
        self.entries[key] = JournalEntry(status, entry["sha256"], entry["error"], entry["output"], self.fingerprint, entry["stage"])
        if entry["output"]:
            self.outputs.add(entry["output"])

    def intend(self, outputs: list[str]) -> None:
        """Record that these outputs are about to be written, before writing them: an output a
        kill -9 leaves without its line is still known as summtrans's own (not foreign)."""
        new = [o for o in outputs if o not in self.outputs]
        if new:
            self.pending.append(json_line({"writing": new, "finished": utc_now()}))
            self.outputs.update(new)
            self.flush()

    def flush(self) -> None:
        """Append the pending lines: one write, one fsync (their outputs are in place by now)."""
        if not self.pending:
            return
        data, self.pending = b"".join(self.pending), []
        try:
            if self._file is None:
                self._file = AppendFile(self.path)
            self._file.append(data)
        except OSError as exc:
            raise OutputDirError(f"{self.path}: cannot write the journal: {exc.strerror or exc}") from exc

    def close(self) -> None:
        try:
            self.flush()
        finally:
            if self._file is not None:
                self._file.close()
                self._file = None


def rewrite_combined(path: Path, keep: Callable[[str, str | None], bool]) -> set[tuple[str, str]]:
    """Keep the last record per source for which keep(source, sha256) holds; return what is kept.

    Two streaming passes (memory: one small entry per document); rewritten atomically, and only
    when something has to go.
    """
    last: dict[str, tuple[int, str]] = {}
    lines = dirty = 0
    try:
        fh = open(path, "rb")
    except FileNotFoundError:
        return set()
    with fh:
        for index, raw in enumerate(fh):
            lines += 1
            try:
                rec = json.loads(raw)
                source, sha = rec["source"], rec.get("sha256")
            except (ValueError, KeyError, TypeError):
                dirty = 1
                continue
            if not raw.endswith(b"\n"):
                dirty = 1
            if keep(source, sha):
                last[source] = (index, sha)
    if not dirty and len(last) == lines:
        return {(s, sha) for s, (_, sha) in last.items()}
    wanted = {index for index, _ in last.values()}

    def copy_wanted(out: BinaryIO) -> None:
        with open(path, "rb") as fh:
            for index, raw in enumerate(fh):
                if index in wanted:
                    out.write(raw if raw.endswith(b"\n") else raw + b"\n")

    atomic_write_with(path, copy_wanted, keep_mode=True)
    return {(s, sha) for s, (_, sha) in last.items()}
