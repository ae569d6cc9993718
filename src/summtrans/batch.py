"""Folder runs: discovery, a journal, resume, failure isolation and clean interrupts.

``summtrans translate DIR -o OUTDIR`` (and ``summarize``) end up in :func:`run_batch`.

Discovery
    Folders are walked recursively (sorted, symlinked folders not followed). A file is taken when
    its name matches one of ``--glob`` (default ``*.txt``, ``*.md``) and nothing matches
    ``--exclude``; an exclude that matches a folder leaves the whole folder out. Patterns without
    ``/`` match the file or folder name, patterns with ``/`` the path relative to the input folder;
    matching ignores case. Files named on the command line are always taken. OUTDIR is never
    walked, even when it lies inside an input folder.

Output names (under OUTDIR, mirroring the input tree)
    One input folder mirrors its tree directly under OUTDIR; with several, each goes under
    ``OUTDIR/<folder name>/``; a file input goes to ``OUTDIR/<file name>``. For ``report.txt``:

    ============  ==========================  ====================================
    format        translate                   summarize
    ============  ==========================  ====================================
    text          ``report.en.txt``           ``report.summary.txt``
                  (``report.en.md`` for .md)
    markdown      ``report.en.md``            ``report.summary.md``
    json          ``report.json``             ``report.json``
    jsonl         one ``OUTDIR/summtrans-results.jsonl`` (one record a line, every format)
    ============  ==========================  ====================================

    When two inputs of one folder would get the same name (``report.txt`` and ``report.md`` with
    ``--format json``), the later one (in sorted order) keeps its whole name: ``report.md.json``.

The journal (``OUTDIR/summtrans-journal.jsonl``)
    One JSON line per finished document, appended (and fsynced) only after its output is in place:
    ``path`` (relative, the resume key), ``sha256`` (of the raw bytes), ``status`` (``ok``,
    ``failed``, ``skipped-empty``, ``skipped-binary``, ``skipped-too-large``), ``stage`` (where a
    failure happened: ``read``, ``model``, ``write``; else null), ``error``,
    ``encoding``, ``output`` (relative to OUTDIR), ``bytes``, ``chars`` (source / translation /
    summary), ``segments``, ``models``, ``settings`` (`Pipeline.settings()` plus format,
    summary_only and markdown), ``timings`` (seconds) and ``finished`` (UTC). Later lines for the
    same path supersede earlier ones; a truncated last line (``kill -9``) is ignored.

Resume
    A document is left alone when its last journal line has its sha256 and the current settings,
    and either its status is ``ok`` and its output is still there, or it failed in the model
    (``--retry-failed`` redoes those; failures to write an output are retried anyway, and inputs
    that cannot be read are re-read). Everything else is (re)done; ``--force`` redoes everything.
    Inputs are read and hashed, never translated, so a finished folder loads no model. Skips
    (empty, binary, too large) are re-checked each run at no model cost and journaled only when
    their outcome changes.

jsonl
    Records (with ``source`` = the relative path and ``sha256``) are appended to the combined file
    before their journal line. At the start and at the end of a run the file is rewritten
    (atomically) to hold exactly one record per document whose last journal line is ``ok`` with
    the same sha256, so records from redone documents or a killed run never show up twice.

Interrupts
    First Ctrl-C: the group in flight finishes, its outputs and journal lines are written, then
    the run stops (exit 130). Second Ctrl-C: stop at once; outputs are written atomically and a
    document's output + journal line are never split by the interrupt, so nothing is left half
    done. Temporary files left by a killed run are removed at the next start.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import hashlib
import json
import logging
import os
import signal
import stat
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .documents import DEFAULT_MAX_BYTES, Document, decode_bytes, read_document
from .fsio import TEMP_SUFFIX, atomic_write_text, cleanup_temporaries
from .errors import InputError, ModelLoadError, OutputDirError, SummtransError, UsageError
from .writers import Writer, get_writer
from .pipeline import MARKDOWN_SUFFIXES, Pipeline
from .progress import Progress

__all__ = [
    "COMBINED_NAME",
    "DEFAULT_GROUP_CHARS",
    "DEFAULT_GROUP_DOCS",
    "JOURNAL_NAME",
    "BatchOptions",
    "BatchReport",
    "OutputDirError",
    "discover",
    "load_journal",
    "run_batch",
]

log = logging.getLogger(__name__)

JOURNAL_NAME = "summtrans-journal.jsonl"
COMBINED_NAME = "summtrans-results.jsonl"
STATUSES = ("ok", "failed", "skipped-empty", "skipped-binary", "skipped-too-large")
# About 150-250 sentences: a few full model batches, so short files share batches, while one
# group (what a first Ctrl-C waits for, what a kill -9 can lose) stays small.
DEFAULT_GROUP_CHARS = 20_000
DEFAULT_GROUP_DOCS = 64
INTERRUPT_MESSAGE = "Interrupted: finishing the documents in flight (Ctrl-C again to stop now)"


@dataclass(frozen=True)
class BatchOptions:
    """How a folder run discovers, names, resumes and groups documents."""

    output_dir: Path  # OUTDIR: outputs mirror the input tree here; the journal lives here
    format: str = "text"  # text | markdown | json | jsonl (one combined file)
    summary_only: bool = False  # summaries without the translation (summarize)
    globs: tuple[str, ...] = ("*.txt", "*.md")  # folder inputs: names (or relative paths) to take
    excludes: tuple[str, ...] = ()  # folder inputs: files and folders to leave out
    force: bool = False  # redo every document, whatever the journal says
    retry_failed: bool = False  # redo documents whose last run failed
    max_bytes: int = DEFAULT_MAX_BYTES  # larger files are skipped (skipped-too-large)
    quiet: bool = False  # no progress bar or progress log lines
    group_chars: int = DEFAULT_GROUP_CHARS  # documents go to one pipeline.run up to about this many characters
    group_docs: int = DEFAULT_GROUP_DOCS  # … and at most this many documents

    def __post_init__(self) -> None:
        if self.group_chars < 1 or self.group_docs < 1:
            raise UsageError("group_chars and group_docs must be at least 1")
        if self.max_bytes < 1:
            raise UsageError("--max-bytes must be at least 1")


@dataclass
class BatchReport:
    """What a folder run did."""

    exit_code: int = 0  # 0 ok/skipped only, 1 some failed, 130 interrupted
    counts: dict[str, int] = field(default_factory=dict)  # status -> documents (ok includes unchanged)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (relative path, reason)
    wall_seconds: float = 0.0
    documents: int = 0  # discovered
    processed: int = 0  # sent to the models in this run
    resumed: int = 0  # ok in an earlier run and left as they were
    not_done: int = 0  # left for the next run (interrupted)
    segments: int = 0  # model inputs in this run
    interrupted: bool = False
    journal: Path | None = None


# --------------------------------------------------------------------------- discovery


@dataclass(frozen=True)
class Item:
    """One discovered input."""

    path: Path  # the file on disk
    key: str  # relative POSIX path: the journal key, the record's "source" and the display name
    output: str = ""  # output path relative to OUTDIR ("" with a combined format)
    error: str | None = None  # a reason it cannot be processed at all (name clash)


def _matches(name: str, rel: str, patterns: Sequence[str]) -> bool:
    for pattern in patterns:
        pat = pattern.casefold()
        target = (rel if "/" in pat else name).casefold()
        if fnmatch.fnmatchcase(target, pat):
            return True
        if pat.startswith("**/") and fnmatch.fnmatchcase(target, pat[3:]):  # ** also matches no folder
            return True
    return False


def _same(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def discover(
    inputs: Sequence[Path],
    globs: Sequence[str] = ("*.txt", "*.md"),
    excludes: Sequence[str] = (),
    output_dir: Path | None = None,
) -> tuple[list[Item], list[tuple[str, str]]]:
    """Find the documents of a folder run, in a stable order; return (items, listing errors).

    Only paths are collected (cheap for tens of thousands of files); contents are read later.
    """
    items: list[Item] = []
    errors: list[tuple[str, str]] = []
    folders = [p for p in inputs if p.is_dir()]
    prefixed = len(folders) > 1
    prefixes: set[str] = set()
    out_real = os.path.realpath(output_dir) if output_dir is not None else None
    own_files = {os.path.join(out_real, JOURNAL_NAME), os.path.join(out_real, COMBINED_NAME)} if out_real else set()

    for inp in inputs:
        if not inp.is_dir():
            if os.path.realpath(inp) in own_files:
                continue
            items.append(Item(inp, inp.name))
            continue
        prefix = ""
        if prefixed:
            base = inp.resolve().name or "root"
            name, n = base, 2
            while name.casefold() in prefixes:
                name, n = f"{base}-{n}", n + 1
            prefixes.add(name.casefold())
            prefix = name + "/"

        def onerror(exc: OSError) -> None:
            errors.append((str(exc.filename or inp), f"cannot list folder: {exc.strerror or exc}"))

        for dirpath, dirnames, filenames in os.walk(inp, onerror=onerror):
            rel_dir = os.path.relpath(dirpath, inp)
            rel_dir = "" if rel_dir == "." else Path(rel_dir).as_posix() + "/"
            keep = []
            for d in sorted(dirnames):
                full = os.path.join(dirpath, d)
                if out_real is not None and os.path.realpath(full) == out_real:
                    continue
                if excludes and _matches(d, rel_dir + d, excludes):
                    continue
                keep.append(d)
            dirnames[:] = keep
            for f in sorted(filenames):
                rel = rel_dir + f
                if not _matches(f, rel, globs) or (excludes and _matches(f, rel, excludes)):
                    continue
                full = os.path.join(dirpath, f)
                if own_files and os.path.realpath(full) in own_files:
                    continue
                items.append(Item(Path(full), prefix + rel))
    return items, errors


def output_name(name: str, writer: Writer, task: str, summary_only: bool, *, whole: bool = False) -> str:
    """The output file name for input `name` (see the module docstring); `whole` keeps its extension."""
    stem = name if whole or "." not in name.lstrip(".") else name.rsplit(".", 1)[0]
    if writer.name == "json":
        return stem + ".json"
    kind = "summary" if task == "summarize" or summary_only else "en"
    if writer.name == "markdown":
        ext = ".md"
    elif task == "translate" and name.lower().endswith(MARKDOWN_SUFFIXES):
        ext = ".md"  # a translated markdown file is markdown
    else:
        ext = ".txt"
    return f"{stem}.{kind}{ext}"


def _assign_outputs(items: list[Item], writer: Writer, task: str, summary_only: bool) -> list[Item]:
    keys: set[str] = set()
    taken: set[str] = set()
    out: list[Item] = []
    for item in items:
        if item.key in keys:
            out.append(dataclasses.replace(item, error=f"another input has the same name ({item.key}); rename one"))
            continue
        keys.add(item.key)
        if writer.combined:
            out.append(item)
            continue
        parent, _, name = item.key.rpartition("/")
        parent = parent + "/" if parent else ""
        target = parent + output_name(name, writer, task, summary_only)
        if target in taken:
            target = parent + output_name(name, writer, task, summary_only, whole=True)
        if target in taken or target in (JOURNAL_NAME, COMBINED_NAME):
            out.append(dataclasses.replace(item, error=f"its output name {target} is taken by another input"))
            continue
        taken.add(target)
        out.append(dataclasses.replace(item, output=target))
    return out


# --------------------------------------------------------------------------- journal


@dataclass(frozen=True)
class JournalEntry:
    """The part of a journal line that resume decisions need."""

    status: str
    sha256: str | None
    error: str | None
    output: str | None
    fingerprint: str
    stage: str | None = None  # where a failure happened: read | model | write


def _fingerprint(settings: Any) -> str:
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()


def load_journal(path: Path) -> dict[str, JournalEntry]:
    """The last entry per relative path; unreadable lines (a truncated last line) are ignored."""
    entries: dict[str, JournalEntry] = {}
    try:
        fh = open(path, "rb")
    except FileNotFoundError:
        return entries
    except OSError as exc:
        raise OutputDirError(f"{path}: cannot read the journal: {exc.strerror or exc}") from exc
    with fh:
        for lineno, raw in enumerate(fh, 1):
            try:
                obj = json.loads(raw)
                entries[obj["path"]] = JournalEntry(
                    status=obj["status"],
                    sha256=obj.get("sha256"),
                    error=obj.get("error"),
                    output=obj.get("output"),
                    fingerprint=_fingerprint(obj.get("settings")),
                    stage=obj.get("stage"),
                )
            except (ValueError, KeyError, TypeError):
                log.debug("%s:%d: ignoring an unreadable journal line", path, lineno)
    return entries


def _json_line(obj: Any) -> bytes:
    try:
        return (json.dumps(obj, ensure_ascii=False) + "\n").encode("utf-8")
    except UnicodeEncodeError:  # a file name with undecodable bytes (surrogate escapes)
        return (json.dumps(obj) + "\n").encode("ascii")


class _AppendFile:
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

    def append(self, line: bytes) -> None:
        self._write(line)
        os.fsync(self.fd)

    def close(self) -> None:
        os.close(self.fd)


def _rewrite_combined(path: Path, keep: Callable[[str, str | None], bool]) -> set[tuple[str, str]]:
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
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as out, open(path, "rb") as fh:
            for index, raw in enumerate(fh):
                if index in wanted:
                    out.write(raw if raw.endswith(b"\n") else raw + b"\n")
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, stat.S_IMODE(os.stat(path).st_mode))
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return {(s, sha) for s, (_, sha) in last.items()}


# --------------------------------------------------------------------------- the run


class _SegmentMeter(Progress):
    """Receives the pipeline's segment progress; shows segments/s beside the document counts."""

    def __init__(self, docs: Progress) -> None:
        super().__init__("segments", "off", "segments")
        self.docs = docs
        self.started: float | None = None

    def set_description(self, description: str) -> None:
        self.docs.set_description(description)

    def add_total(self, n: int) -> None:
        if self.started is None:
            self.started = time.perf_counter()
        super().add_total(n)

    def advance(self, n: int = 1, failed: int = 0) -> None:
        super().advance(n, failed)
        elapsed = time.perf_counter() - (self.started or time.perf_counter())
        self.docs.set_note(f"{self.done / max(elapsed, 1e-9):.1f} segments/s")


def _utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _inspect(path: Path, max_bytes: int) -> tuple[str | None, str | None, int | None]:
    """(sha256, encoding, size) of a file read_document refused, as far as they can be known."""
    try:
        size = os.stat(path).st_size
        if size > max_bytes:
            return None, None, size
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError:
        return None, None, None
    try:
        encoding: str | None = decode_bytes(data, str(path))[1]
    except InputError:
        encoding = None
    return hashlib.sha256(data).hexdigest(), encoding, len(data)


class _Run:
    def __init__(self, inputs: list[Path], pipeline: Pipeline, options: BatchOptions) -> None:
        self.inputs = inputs
        self.pipeline = pipeline
        self.options = options
        self.writer = get_writer(options.format)
        self.outdir = options.output_dir
        self.journal_path = self.outdir / JOURNAL_NAME
        self.combined_path = self.outdir / COMBINED_NAME
        self.settings: dict[str, Any] = json.loads(
            json.dumps(
                {
                    "pipeline": pipeline.settings(),
                    "format": options.format,
                    "summary_only": options.summary_only,
                    "markdown": pipeline.options.markdown,
                }
            )
        )
        self.fingerprint = _fingerprint(self.settings)
        self.entries: dict[str, JournalEntry] = {}
        self.present: set[tuple[str, str]] = set()  # jsonl: (source, sha256) in the combined file
        self.report = BatchReport(journal=self.journal_path)
        self.statuses: Counter[str] = Counter()
        self.journal: _AppendFile | None = None
        self.combined: _AppendFile | None = None
        self.appended = False
        self.loaded = False
        self.pending: list[bytes] = []  # journal lines not yet appended
        self.progress = Progress("documents", "off", "documents")
        self.meter = _SegmentMeter(self.progress)
        # SIGINT state
        self.stop = False
        self.interrupts = 0
        self.critical = False
        self.pending_interrupt = False

    # -- interrupts ------------------------------------------------------------------------------

    def _on_sigint(self, signum: int, frame: Any) -> None:
        self.interrupts += 1
        if self.interrupts == 1:
            self.stop = True
            try:
                sys.stderr.write(INTERRUPT_MESSAGE + "\n")
                sys.stderr.flush()
            except (OSError, ValueError):
                pass
        elif self.critical:
            self.pending_interrupt = True
        else:
            raise KeyboardInterrupt

    @contextmanager
    def _sigint_handler(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = signal.getsignal(signal.SIGINT)
        signal.signal(signal.SIGINT, self._on_sigint)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous if previous is not None else signal.default_int_handler)

    @contextmanager
    def _critical(self) -> Iterator[None]:
        """A second Ctrl-C waits until the block is done (an output and its journal line)."""
        outer = self.critical
        self.critical = True
        try:
            yield
        finally:
            self.critical = outer
            if not outer and self.pending_interrupt:
                self.pending_interrupt = False
                raise KeyboardInterrupt

    # -- setup -----------------------------------------------------------------------------------

    def _prepare_outdir(self) -> None:
        out = self.outdir
        for inp in self.inputs:
            if inp.is_dir() and out.exists() and _same(inp, out):
                raise UsageError(f"the output folder {out} is the input folder: choose another -o OUTDIR")
        if out.exists() and not out.is_dir():
            raise OutputDirError(f"{out}: the output folder is a file")
        try:
            out.mkdir(parents=True, exist_ok=True)
            fd, probe = tempfile.mkstemp(dir=out, prefix=".summtrans-probe.", suffix=TEMP_SUFFIX)
            os.close(fd)
            os.unlink(probe)
        except OSError as exc:
            raise OutputDirError(f"{out}: output folder is not writable: {exc.strerror or exc}") from exc
        removed = cleanup_temporaries(out)
        if removed:
            log.info("removed %d temporary file(s) left by an interrupted run", removed)

    # -- bookkeeping -----------------------------------------------------------------------------

    def _journal(self, item: Item, status: str, **fields: Any) -> None:
        doc: Document | None = fields.get("doc")
        rec: dict[str, Any] | None = fields.get("record")
        entry = {
            "path": item.key,
            "sha256": doc.sha256 if doc else fields.get("sha256"),
            "status": status,
            "stage": fields.get("stage"),
            "error": fields.get("error"),
            "encoding": doc.encoding if doc else fields.get("encoding"),
            "output": fields.get("output"),
            "bytes": doc.n_bytes if doc else fields.get("n_bytes"),
            "chars": {
                "source": len(doc.text) if doc else None,
                "translation": len(rec["translation"]) if rec and rec.get("translation") is not None else None,
                "summary": len(rec["summary"]) if rec and rec.get("summary") is not None else None,
            },
            "segments": len(rec["segments"]) if rec else None,
            "models": self.pipeline.models(),
            "settings": self.settings,
            "timings": {**(rec["timings"] if rec else {}), **fields.get("timings", {})},
            "finished": _utc_now(),
        }
        self.pending.append(_json_line(entry))
        self.entries[item.key] = JournalEntry(
            status, entry["sha256"], entry["error"], entry["output"], self.fingerprint, entry["stage"]
        )

    def _flush(self) -> None:
        """Append the pending journal lines: one write, one fsync (outputs are in place by now)."""
        if not self.pending or self.journal is None:
            return
        data, self.pending = b"".join(self.pending), []
        try:
            self.journal.append(data)
        except OSError as exc:
            raise OutputDirError(f"{self.journal_path}: cannot write the journal: {exc.strerror or exc}") from exc

    def _count(self, item: Item, status: str, error: str | None = None, *, earlier: bool = False) -> None:
        self.statuses[status] += 1
        failed = status == "failed"
        if failed:
            reason = error or "failed"
            if earlier:
                reason += " (in an earlier run; --retry-failed redoes it)"
            self.report.failures.append((item.key, reason))
        self.progress.advance(1, failed=1 if failed else 0)

    # -- per document ----------------------------------------------------------------------------

    def _take(self, item: Item) -> Document | None:
        """Read one input and decide: return it for processing, or record why not (None)."""
        if item.error:
            self.progress.message(f"Failed: {item.key}: {item.error}")
            self._count(item, "failed", item.error)
            return None
        o = self.options
        prev = self.entries.get(item.key)
        same_settings = prev is not None and prev.fingerprint == self.fingerprint
        t0 = time.perf_counter()
        try:
            doc = read_document(item.path, max_bytes=o.max_bytes)
        except InputError as exc:
            message = str(exc)
            lead = f"{exc.path}: "
            message = message[len(lead) :] if message.startswith(lead) else message
            sha, encoding, n_bytes = _inspect(item.path, o.max_bytes)
            unchanged = prev is not None and (prev.status, prev.sha256, prev.error) == (exc.reason, sha, message)
            if not unchanged or o.force or (exc.reason == "failed" and o.retry_failed):
                self._journal(
                    item, exc.reason, sha256=sha, encoding=encoding, n_bytes=n_bytes, error=message, stage="read",
                    timings={"read": round(time.perf_counter() - t0, 4)},
                )
                if len(self.pending) >= 256:  # otherwise they go with the next group's lines
                    with self._critical():
                        self._flush()
            if exc.reason == "failed":
                self.progress.message(f"Failed: {item.key}: {message}")
            else:
                log.debug("%s: %s", item.key, message)
            self._count(item, exc.reason, message)
            return None
        doc = dataclasses.replace(doc, source=item.key)
        if prev is not None and same_settings and prev.sha256 == doc.sha256 and not o.force:
            if prev.status == "ok" and self._output_present(item, doc, prev):
                self.report.resumed += 1
                self._count(item, "ok")
                return None
            if prev.status == "failed" and prev.stage == "model" and not o.retry_failed:
                self._count(item, "failed", prev.error, earlier=True)
                return None
        return doc

    def _output_present(self, item: Item, doc: Document, prev: JournalEntry) -> bool:
        if self.writer.combined:
            return (item.key, doc.sha256) in self.present
        return prev.output == item.output and (self.outdir / item.output).is_file()

    def _run_group(self, group: list[tuple[Item, Document]]) -> None:
        self._load_models()
        docs = [doc for _, doc in group]
        try:
            records = self.pipeline.run(docs, progress=self.meter)
        except (ModelLoadError, UsageError):
            raise  # no model, or an impossible setting: every document would fail the same way
        except Exception as exc:
            if len(group) == 1:
                item, doc = group[0]
                log.debug("%s failed", item.key, exc_info=True)
                message = f"{type(exc).__name__}: {exc}" if not isinstance(exc, SummtransError) else str(exc)
                with self._critical():
                    self._journal(item, "failed", doc=doc, error=message, stage="model")
                    self._flush()
                self.report.processed += 1
                self._count(item, "failed", message)
                self.progress.message(f"Failed: {item.key}: {message}")
                return
            log.debug("a group of %d documents failed (%s): retrying them one by one", len(group), exc)
            for one in group:
                if self.stop:
                    return
                self._run_group([one])
            return
        self._finish(group, records)

    def _finish(self, group: list[tuple[Item, Document]], records: list[dict[str, Any]]) -> None:
        """Write a group's outputs, then its journal lines; a second Ctrl-C waits for both."""
        t0 = time.perf_counter()
        done: list[tuple[Item, str | None]] = []  # (item, error)
        with self._critical():
            lines: list[bytes] = []
            for (item, doc), rec in zip(group, records):
                rec["source"] = item.key
                rec["sha256"] = doc.sha256
                text = self.writer.render([rec], self.options.summary_only)
                if self.writer.combined:
                    lines.append(_json_line(json.loads(text)))
                    continue
                try:
                    atomic_write_text(self.outdir / item.output, text)
                except OSError as exc:
                    done.append((item, f"cannot write output: {exc.strerror or exc}"))
                else:
                    done.append((item, None))
            if lines:
                assert self.combined is not None
                try:
                    self.combined.append(b"".join(lines))
                except OSError as exc:
                    done = [(item, f"cannot write output: {exc.strerror or exc}") for item, _ in group]
                else:
                    done = [(item, None) for item, _ in group]
                    self.present.update((item.key, doc.sha256) for item, doc in group)
                    self.appended = True
            write_s = round((time.perf_counter() - t0) / max(len(group), 1), 4)
            for ((item, doc), rec), (_, error) in zip(zip(group, records), done):
                if error:
                    self._journal(item, "failed", doc=doc, record=rec, error=error, stage="write")
                else:
                    output = COMBINED_NAME if self.writer.combined else item.output
                    self._journal(item, "ok", doc=doc, record=rec, output=output, timings={"write": write_s})
            self._flush()
        for item, error in done:
            self.report.processed += 1
            self._count(item, "failed" if error else "ok", error)
            if error:
                self.progress.message(f"Failed: {item.key}: {error}")
            else:
                log.debug("ok %s", item.key)

    # -- the whole run ---------------------------------------------------------------------------

    def _loop(self, items: list[Item]) -> None:
        group: list[tuple[Item, Document]] = []
        chars = 0
        for item in items:
            if self.stop:
                return
            doc = self._take(item)
            if doc is None:
                continue
            group.append((item, doc))
            chars += len(doc.text)
            if chars >= self.options.group_chars or len(group) >= self.options.group_docs:
                self._run_group(group)
                group, chars = [], 0
        if group and not self.stop:
            self._run_group(group)

    def _keep_record(self, source: str, sha: str | None) -> bool:
        entry = self.entries.get(source)
        return entry is not None and entry.status == "ok" and entry.sha256 == sha and entry.output == COMBINED_NAME

    def run(self) -> BatchReport:
        start = time.perf_counter()
        o = self.options
        self._prepare_outdir()
        found, listing_errors = discover(self.inputs, o.globs, o.excludes, self.outdir)
        items = _assign_outputs(found, self.writer, self.pipeline.options.task, o.summary_only)
        self.report.documents = len(items)
        for path, message in listing_errors:
            self.report.failures.append((path, message))
            log.warning("%s: %s", path, message)
        if not items:
            log.warning("No documents found (patterns: %s)", ", ".join(o.globs))
        self.entries = load_journal(self.journal_path)

        description = "summarizing" if self.pipeline.options.task == "summarize" else "translating"
        self.progress = Progress.auto(description, quiet=o.quiet, unit="documents")
        self.meter = _SegmentMeter(self.progress)
        with self._sigint_handler():
            try:
                self._open()
                with self.progress:
                    self.progress.add_total(len(items))
                    self._loop(items)
            except KeyboardInterrupt:
                self.stop = True
            finally:
                self.critical = True  # a further Ctrl-C does not cut the tidying up short
                try:
                    self._close()
                finally:
                    self.critical = self.pending_interrupt = False
        return self._finish_report(start)

    def _open(self) -> None:
        try:
            if self.writer.combined:
                self.present = _rewrite_combined(self.combined_path, self._keep_record)
                self.combined = _AppendFile(self.combined_path)
            self.journal = _AppendFile(self.journal_path)
        except OSError as exc:
            raise OutputDirError(f"{self.outdir}: cannot write the journal or results: {exc.strerror or exc}") from exc

    def _load_models(self) -> None:
        """Load the models before the first group that needs them: a failure here ends the run."""
        if self.loaded:
            return
        try:
            self.pipeline.load()
        except SummtransError:
            raise
        except Exception as exc:
            raise ModelLoadError(f"cannot load the model: {type(exc).__name__}: {exc}") from exc
        self.loaded = True

    def _close(self) -> None:
        try:
            self._flush()
        finally:
            if self.journal is not None:
                self.journal.close()
                self.journal = None
            self._close_combined()

    def _close_combined(self) -> None:
        if self.combined is not None:
            self.combined.close()
            self.combined = None
            if self.appended:
                try:
                    self.present = _rewrite_combined(self.combined_path, self._keep_record)
                except OSError as exc:  # the next run rewrites it again
                    log.warning("%s: cannot tidy up: %s", self.combined_path, exc.strerror or exc)

    def _finish_report(self, start: float) -> BatchReport:
        r = self.report
        r.wall_seconds = time.perf_counter() - start
        r.counts = {s: self.statuses.get(s, 0) for s in STATUSES}
        r.segments = self.meter.done
        r.interrupted = self.stop
        r.not_done = r.documents - sum(self.statuses.values())
        r.exit_code = 130 if r.interrupted else 1 if r.failures else 0
        self._summarize(r)
        return r

    def _summarize(self, r: BatchReport) -> None:
        c = r.counts
        skipped = c["skipped-empty"] + c["skipped-binary"] + c["skipped-too-large"]
        parts = [f"{c['ok']} ok"]
        if r.resumed:
            parts[0] += f" ({c['ok'] - r.resumed} done now, {r.resumed} unchanged)"
        kinds = [(c["skipped-empty"], "empty"), (c["skipped-binary"], "binary"), (c["skipped-too-large"], "too large")]
        detail = ", ".join(f"{n} {what}" for n, what in kinds if n)
        parts.append(f"{skipped} skipped" + (f" ({detail})" if detail else ""))
        parts.append(f"{c['failed']} failed")
        wall = max(r.wall_seconds, 1e-9)
        rate = f"{r.processed / wall:.2f} documents/s, {r.segments / wall:.1f} segments/s"
        log.info("Done in %.1f s: %s; %s. Journal: %s", r.wall_seconds, ", ".join(parts), rate, r.journal)
        if r.failures:
            lines = [f"  {path}: {reason}" for path, reason in r.failures]
            log.error("Failed (%d):\n%s", len(r.failures), "\n".join(lines))
        if r.interrupted:
            log.warning(
                "Interrupted: %d of %d documents not done; run the same command again to finish them.",
                r.not_done, r.documents,
            )


def run_batch(inputs: list[Path], pipeline: Pipeline, options: BatchOptions) -> BatchReport:
    """Process folders and files into OUTDIR with a journal; resume what an earlier run finished.

    Returns a report whose exit_code is 0 (everything ok or skipped), 1 (some documents failed)
    or 130 (interrupted). Raises `SummtransError`s with exit code 2 for fatal problems: OUTDIR is
    not writable (`OutputDirError`), a model cannot load (`ModelLoadError`), a usage error.
    """
    return _Run(list(inputs), pipeline, options).run()
