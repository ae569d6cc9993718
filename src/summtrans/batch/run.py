"""The run loop: discover, decide per document, hand groups to the executor, write, journal."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import InputError, OutputDirError
from ..formats.document import Document, decode_bytes, format_of, read_document
from ..ocr.checks import journal_fields
from ..pipeline import Pipeline
from ..progress import Progress
from ..records import DocumentResult, display_name
from ..writers import get_writer
from .discover import Item, assign_outputs, discover
from .executor import Executor, LocalExecutor, failure_message
from .interrupts import InterruptGuard
from .journal import COMBINED_NAME, FAILED, JOURNAL_NAME, OK, SKIPPED_SPECIAL, Journal
from .options import BatchOptions
from .outdir import OutputDir
from .outputs import Outputs
from .report import BatchReport, log_summary
from .resume import Decision, decide

__all__ = ["run_batch"]

log = logging.getLogger("summtrans.batch")


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


def _journal_refused(journal: Journal, item: Item, exc: InputError, o: BatchOptions, seconds: float) -> str:
    """Journal an input refused at reading (or for its language), unless its last entry says so
    already for the same bytes; returns the problem as the journal words it."""
    prev = journal.entries.get(item.key)
    message = str(exc).removeprefix(f"{exc.path}: ")
    sha, encoding, n_bytes = _inspect(item.path, o.max_bytes) if item.url is None else (None, None, None)
    fmt = format_of(item.url or str(item.path))
    unchanged = prev is not None and (prev.status, prev.sha256, prev.error) == (exc.reason, sha, message)
    if not unchanged or o.force or (exc.reason == FAILED and o.retry_failed):
        journal.record(item.key, exc.reason, sha256=sha, encoding=None if fmt else encoding, format=fmt,
                       bytes=n_bytes, error=message, stage="read", timings={"read": seconds})
    return message


def _doc_fields(doc: Document, res: DocumentResult | None = None) -> dict[str, Any]:
    """The journal fields of a document (and of its result)."""
    chars = {"source": len(doc.text), "translation": None, "summary": None}
    if res is not None:
        chars.update(translation=len(res.translation) if res.translation is not None else None,
                     summary=len(res.summary) if res.summary is not None else None)
    return {"sha256": doc.sha256, "encoding": doc.encoding, "format": doc.format, "bytes": doc.n_bytes, "chars": chars,
            "segments": len(res.segments) if res is not None else None,
            "timings": dict(res.timings) if res is not None else {},
            "language": res.language if res is not None else None,
            "memory": res.memory.to_dict() if res is not None and res.memory is not None else None,
            "quality": res.quality.to_dict() if res is not None and res.quality is not None else None,
            "ocr": journal_fields(getattr(doc.extracted, "ocr", None))}


def _run_settings(pipeline: Pipeline, options: BatchOptions) -> dict[str, Any]:
    """What a folder's outputs depend on (the journal's fingerprint), as JSON would give it back."""
    return json.loads(json.dumps({
        "pipeline": pipeline.settings(), "format": options.format,
        "summary_only": options.summary_only, "markdown": pipeline.options.markdown,
        **({"ocr": options.ocr} if options.ocr != "auto" else {}),  # journals of earlier runs stay valid
    }))


def _read(item: Item, max_bytes: int, ocr: str = "auto") -> Document:
    """One input read, named by its key; any failure to read it is an InputError (the document's
    problem, never the run's)."""
    try:
        doc = read_document(item.url or item.path, max_bytes=max_bytes, ocr=ocr)
    except (OSError, ValueError) as exc:
        raise InputError(str(item.path), f"cannot read: {type(exc).__name__}: {exc}") from exc
    return dataclasses.replace(doc, source=item.key)


class _Run:
    def __init__(self, inputs: list[Path | str], pipeline: Pipeline, options: BatchOptions, executor: Executor | None) -> None:
        self.inputs, self.pipeline, self.options = inputs, pipeline, options
        self.writer = get_writer(options.format)
        self.outdir = options.output_dir
        self.settings = _run_settings(pipeline, options)
        self.report = BatchReport(journal=self.outdir / JOURNAL_NAME)
        self.progress = Progress("documents", "off", "documents")
        self.meter = _SegmentMeter(self.progress)
        self.executor = executor or LocalExecutor(pipeline, self.meter)
        if getattr(self.executor, "progress", False) is None:  # e.g. RayExecutor: its segment counts come here
            setattr(self.executor, "progress", self.meter)
        self.guard = InterruptGuard()
        self.writable = True  # OUTDIR can be written (known once it is locked)
        self.items: dict[str, Item] = {}
        self.outputs = Outputs(self.outdir, self.writer, options.summary_only, self._keep_record)

    # -- per document ------------------------------------------------------------------------

    def _count(self, item: Item, status: str, error: str | None = None, *, announce: bool = True) -> None:
        """Count a finished document; a failure is also shown beside the progress (`announce`: a new one)."""
        self.report.count(status, item.key, error)
        self.progress.advance(1, failed=1 if status == FAILED else 0)
        if status == FAILED and error and announce:
            self.progress.message(f"Failed: {display_name(item.key)}: {error}")

    def _take(self, item: Item) -> Document | None:
        """Read one input and decide: return it for processing, or record why not (None)."""
        o, prev = self.options, self.journal.entries.get(item.key)
        if item.error:
            self._count(item, FAILED, item.error)
            return None
        if item.special:
            if prev is None or prev.status != SKIPPED_SPECIAL or o.force:
                self.journal.record(item.key, SKIPPED_SPECIAL, stage="read", error="not a regular file (FIFO, socket or device)")
            self._count(item, SKIPPED_SPECIAL)
            return None
        t0 = time.perf_counter()
        try:
            doc = _read(item, o.max_bytes, o.ocr)
        except InputError as exc:
            self._refuse(item, exc, t0)
            return None
        present, foreign = self.outputs.state(item.key, doc.sha256, item.output, prev.output if prev else None,
                                              self.journal.outputs)
        decision = decide(prev, doc.sha256, self.journal.fingerprint, output_present=present, output_foreign=foreign,
                          force=o.force, retry_failed=o.retry_failed)
        if decision is Decision.UNCHANGED:
            self.report.resumed += 1
            self._count(item, OK)
            return None
        if decision is Decision.FAILED_BEFORE:
            assert prev is not None
            self._count(item, FAILED, f"{prev.error} (in an earlier run; --retry-failed redoes it)", announce=False)
            return None
        try:  # only now: a document left alone is never detected again (its journal line has its language)
            self.pipeline.check_language(doc)  # skipped-language
        except InputError as exc:
            self._refuse(item, exc, t0)
            return None
        if decision is Decision.FOREIGN_OUTPUT:
            self._count(item, FAILED, f"{item.output} exists and was not written by summtrans (--force overwrites it)")
            return None
        return doc

    def _refuse(self, item: Item, exc: InputError, t0: float) -> None:
        """Journal and count an input refused at reading or for its language."""
        message = _journal_refused(self.journal, item, exc, self.options, round(time.perf_counter() - t0, 4))
        log.debug("%s: %s", display_name(item.key), message)
        self._count(item, exc.reason, message)

    def _groups(self, items: list[Item]) -> Iterator[list[Document]]:
        """Read inputs lazily into groups of about group_chars characters; stop after a first signal."""
        group: list[Document] = []
        chars = 0
        for item in items:
            if self.guard.stop:
                return
            doc = self._take(item)
            if len(self.journal.pending) >= 256:  # skips are otherwise flushed with the next group
                with self.guard.critical_section():
                    self.journal.flush()
            if doc is None:
                continue
            if not self.writable:  # before any model loads
                raise OutputDirError(f"{self.outdir}: the output folder is not writable")
            group.append(doc)
            chars += self.pipeline.pending_chars(doc)  # with the memory: only what it cannot answer
            if chars >= self.options.group_chars or len(group) >= self.options.group_docs:
                yield group
                group, chars = [], 0
        if group and not self.guard.stop:
            yield group

    def _settle(self, group: list[Document], outcome: list[DocumentResult] | Exception) -> None:
        if not isinstance(outcome, Exception):
            self._finish(group, outcome)
        elif len(group) > 1:
            log.debug("a group of %d documents failed (%s): retrying them one by one", len(group), outcome)
            for one, result in self.executor.run([doc] for doc in group if not self.guard.stop):
                self._settle(one, result)
        else:
            doc, exc = group[0], outcome
            log.debug("%s failed", display_name(doc.source), exc_info=exc)
            message = failure_message(exc)
            with self.guard.critical_section():
                self.journal.record(doc.source, FAILED, stage="model", error=message, **_doc_fields(doc))
                self.journal.flush()
            self.report.processed += 1
            self._count(self.items[doc.source], FAILED, message)

    def _finish(self, group: list[Document], results: list[DocumentResult]) -> None:
        """Write a group's outputs, then its journal lines; a second signal waits for both."""
        t0 = time.perf_counter()
        results = [dataclasses.replace(r, source=d.source, sha256=d.sha256) for d, r in zip(group, results)]
        names = [self.items[d.source].output for d in group]
        with self.guard.critical_section():
            if not self.writer.combined:
                self.journal.intend(names)
            errors = self.outputs.write(results, names)
            write_s = round((time.perf_counter() - t0) / max(len(group), 1), 4)
            for doc, res, error in zip(group, results, errors):
                fields = _doc_fields(doc, res)
                if error:
                    self.journal.record(doc.source, FAILED, stage="write", error=error, **fields)
                else:
                    fields["timings"]["write"] = write_s
                    output = COMBINED_NAME if self.writer.combined else self.items[doc.source].output
                    self.journal.record(doc.source, OK, output=output, **fields)
            self.journal.flush()
        for doc, error in zip(group, errors):
            self.report.processed += 1
            self._count(self.items[doc.source], FAILED if error else OK, error)
        self.report.from_memory += sum(r.memory.from_memory for r in results if r.memory is not None)
        for r in results:
            self.report.add_warnings(r.warnings)

    # -- the whole run -----------------------------------------------------------------------

    def _keep_record(self, source: str, sha: str | None) -> bool:
        entry = self.journal.entries.get(source)
        return entry is not None and entry.status == OK and entry.sha256 == sha and entry.output == COMBINED_NAME

    def run(self) -> BatchReport:
        start = time.perf_counter()
        o = self.options
        with OutputDir(self.outdir, [p for p in self.inputs if isinstance(p, Path)]) as outdir:
            found, listing_errors = discover(self.inputs, o.globs, o.excludes, self.outdir, o.include_hidden)
            items = assign_outputs(found, self.writer, self.pipeline.options.task, o.summary_only)
            self.items = {item.key: item for item in reversed(items)}  # a duplicate key: the first one
            self.report.documents = len(items)
            for path, message in listing_errors:
                self.report.failures.append((path, message))
                log.warning("%s: %s", path, message)
            if not items:
                log.warning("No documents found (patterns: %s)", ", ".join(o.globs))
            self.journal = Journal(self.outdir / JOURNAL_NAME, self.settings, self.pipeline.models)
            self.writable = outdir.writable
            try:
                self.outputs.open(outdir.writable)
            except OSError as exc:
                raise OutputDirError(f"{self.outdir}: cannot rewrite the results: {exc.strerror or exc}") from exc
            description = "summarizing" if self.pipeline.options.task == "summarize" else "translating"
            self.progress = Progress.auto(description, quiet=o.quiet, unit="documents")
            self.meter.docs = self.progress
            with self.guard:
                try:
                    with self.progress:
                        self.progress.add_total(len(items))
                        for group, outcome in self.executor.run(self._groups(items)):
                            self._settle(group, outcome)
                except KeyboardInterrupt:
                    self.guard.interrupted()
                finally:
                    self.guard.critical = True  # a further signal does not cut the tidying up short
                    try:
                        self._close()
                    finally:
                        self.guard.critical = self.guard.pending = False
        return self._report(start)

    def _close(self) -> None:
        try:
            self.journal.close()
        finally:
            self.executor.close()
            self.outputs.close()

    def _report(self, start: float) -> BatchReport:
        r = self.report
        r.wall_seconds = time.perf_counter() - start
        r.segments = self.meter.done
        r.interrupted = self.guard.stop
        r.not_done = r.documents - sum(r.counts.values())
        r.exit_code = self.guard.exit_code if r.interrupted else 1 if r.failures else 0
        log_summary(r)
        return r


def run_batch(
    inputs: list[Path | str], pipeline: Pipeline, options: BatchOptions, executor: Executor | None = None
) -> BatchReport:
    """Process folders, files and http(s) URLs (given as str) into OUTDIR with a journal; resume
    what an earlier run finished.

    Returns a report whose exit_code is 0 (everything ok or skipped), 1 (some documents failed),
    130 or 143 (stopped by SIGINT or SIGTERM). Raises `SummtransError`s with exit code 2 for fatal
    problems: OUTDIR is not writable or is in use by another run (`OutputDirError`, `UsageError`),
    a model cannot load (`ModelLoadError`). `executor` runs the models (default: `LocalExecutor`
    over `pipeline`, in this process).
    """
    return _Run(list(inputs), pipeline, options, executor).run()
