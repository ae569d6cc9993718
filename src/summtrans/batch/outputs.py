"""Writing a group's outputs under OUTDIR: one file per document, or the combined jsonl file."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Container
from pathlib import Path

from .. import fsio
from ..records import DocumentResult
from ..writers import Writer
from .journal import COMBINED_NAME, AppendFile, rewrite_combined

__all__ = ["Outputs"]

log = logging.getLogger("summtrans.batch")


class Outputs:
    """Renders results and puts them in place; with a combined format, keeps the jsonl file tidy."""

    def __init__(self, outdir: Path, writer: Writer, summary_only: bool, keep: Callable[[str, str | None], bool]) -> None:
        self.outdir, self.writer, self.summary_only = outdir, writer, summary_only
        self.combined_path = outdir / COMBINED_NAME
        self.keep = keep  # combined: keep(source, sha256) says which records stay
        self.present: set[tuple[str, str]] = set()  # combined: (source, sha256) in the file
        self._combined: AppendFile | None = None
        self._appended = False

    def open(self, writable: bool) -> None:
        """Combined: drop records of documents redone or not done (a rewrite only when needed)."""
        if self.writer.combined:
            try:
                self.present = rewrite_combined(self.combined_path, self.keep)
            except OSError:
                if writable:
                    raise
                self.present = set()  # a read-only OUTDIR: the next writable run tidies up

    def state(self, source: str, sha256: str, name: str, journaled: str | None, ours: Container[str]) -> tuple[bool, bool]:
        """(present, foreign) of a document's output: whether the output the journal names for it
        (`journaled`) is there, and whether a file not written by summtrans (not in `ours`) stands
        at its name. The combined file holds a record for each (source, sha256) it has."""
        if self.writer.combined:
            return (source, sha256) in self.present, False
        target = self.outdir / name
        return journaled == name and target.is_file(), os.path.lexists(target) and name not in ours

    def write(self, results: list[DocumentResult], names: list[str]) -> list[str | None]:
        """Write each result to OUTDIR/name (ignored when combined); one error or None per result."""
        if self.writer.combined:
            return self._append(results)
        return [self._write_one(self.outdir / name, res) for res, name in zip(results, names)]

    def _write_one(self, target: Path, res: DocumentResult) -> str | None:
        try:
            data = self.writer.document_output(res, self.summary_only)
        except Exception as exc:  # a document's problem, never the run's
            return f"cannot render output: {type(exc).__name__}: {exc}"
        if isinstance(data, bytes) and target.suffix.lower() == ".pdf":
            from ..formats.pdf import not_editable

            why = not_editable(res.warnings)
            if why is not None:  # a PDF that may not be changed: its translation as markdown
                target = target.with_suffix(".md")
                log.warning("%s: %s: the translation is written as %s", res.source, why, target.name)
        try:
            if isinstance(data, str):
                fsio.atomic_write_text(target, data)
            else:
                fsio.atomic_write_bytes(target, data)
        except OSError as exc:
            return f"cannot write output: {exc.strerror or exc}"
        return None

    def _append(self, results: list[DocumentResult]) -> list[str | None]:
        try:
            data = self.writer.render(results, self.summary_only).encode("utf-8")
        except Exception as exc:
            return [f"cannot render output: {type(exc).__name__}: {exc}"] * len(results)
        try:
            if self._combined is None:
                self._combined = AppendFile(self.combined_path)
            self._combined.append(data)
        except OSError as exc:
            return [f"cannot write output: {exc.strerror or exc}"] * len(results)
        self.present.update((r.source, r.sha256 or "") for r in results)
        self._appended = True
        return [None] * len(results)

    def close(self) -> None:
        if self._combined is not None:
            self._combined.close()
            self._combined = None
        if self._appended:
            try:
                self.present = rewrite_combined(self.combined_path, self.keep)
            except OSError as exc:  # the next run rewrites it again
                log.warning("%s: cannot tidy up: %s", self.combined_path, exc.strerror or exc)
