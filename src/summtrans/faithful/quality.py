"""Warnings and the document-level quality block of a JSON record.

A record gets ``"warnings": [{"segment": INDEX|null, "kind": …, "detail": …}, …]`` (`segment`
is the index in ``segments``; null for the document or its summary) and
``"quality": {"segments": N, "warnings": {KIND: COUNT}, "numbers": {"checked": N, "missing": M},
"spans": {"checked": N, "missing": M}, "terms": {"checked": N, "missing": M}, "kept_english": K}``
(``segments``: how many segments the model translated in this run and were checked; segments
answered by the translation memory carry no fresh checks, see the record's ``memory`` block;
``kept_english``: segments of English paragraphs inside the German document, kept as they are).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

# Every warning kind, with what it means (one definition; `summtrans eval` and the docs use it).
WARNING_KINDS: dict[str, str] = {
    "repetition": "the output repeats words or word groups (a decoding loop)",
    "length-ratio": "the output is far longer or shorter than the input",
    "untranslated": "the output is the German input unchanged",
    "german-output": "the output is still mostly German",
    "retried": "degenerate output, fixed by a retry under safer settings",
    "number-missing": "a number of the source is missing from the translation",
    "span-missing": "a protected span (URL, IBAN, …) the model dropped; appended at the end",
    "span-duplicated": "the model wrote a protected span more than once",
    "split": "the segment was translated in pieces around its protected spans",
    "term-missing": "a glossary term's English side is missing from the translation",
    "invented-number": "the summary has a number that the translation does not",
    "summary-length": "the summary is out of its length bounds",
    "page-without-text": "a page without a text layer (a scan?) was not read",
    "pdf-text-kept": "German the PDF writer left as it was (text inside a form object, or set at an angle)",
    "pdf-overflow": "English that did not fit its place in the PDF even at the smallest size: it runs over",
    "pdf-not-editable": "a PDF that may not be changed: the translation is written as markdown",
    "ocr-low-confidence": "an amount, date, IBAN or other number read by OCR from words it was unsure of",
    "iban-checksum": "an IBAN (read by OCR) that fails its check digits: compare it with the paper",
}


@dataclass(frozen=True)
class QualityWarning:
    """One finding about one segment (or the whole document when `segment` is None)."""

    segment: int | None  # index in the record's segments; None: the document or its summary
    kind: str  # a key of WARNING_KINDS
    detail: str  # for people: what was found, quoted briefly

    def __post_init__(self) -> None:
        if self.kind not in WARNING_KINDS:
            raise ValueError(f"unknown warning kind '{self.kind}'")

    def to_dict(self) -> dict[str, Any]:
        return {"segment": self.segment, "kind": self.kind, "detail": self.detail}

    def shifted(self, offset: int) -> QualityWarning:
        """The same warning with its segment index moved (batch position → document position)."""
        return self if self.segment is None else QualityWarning(self.segment + offset, self.kind, self.detail)


@dataclass(frozen=True)
class Checked:
    """How many items were checked and which were missing."""

    checked: int = 0
    missing: int = 0

    def __add__(self, other: Checked) -> Checked:
        return Checked(self.checked + other.checked, self.missing + other.missing)

    def to_dict(self) -> dict[str, int]:
        return {"checked": self.checked, "missing": self.missing}


@dataclass(frozen=True)
class QualityReport:
    """The document-level quality block."""

    warnings: tuple[QualityWarning, ...] = ()
    numbers: Checked = field(default_factory=Checked)  # source numbers looked for in the translation
    spans: Checked = field(default_factory=Checked)  # protected spans looked for in the translation
    terms: Checked = field(default_factory=Checked)  # glossary terms looked for in the translation
    segments: int = 0  # segments checked (translated by the model in this run; memory answers are not)
    kept_english: int = 0  # segments of English paragraphs (cells, pages…) inside a German document, kept as they are

    @property
    def counts(self) -> dict[str, int]:
        """Warnings by kind, in the order of WARNING_KINDS."""
        tally = Counter(w.kind for w in self.warnings)
        return {k: tally[k] for k in WARNING_KINDS if tally[k]}

    def merged(self, other: QualityReport) -> QualityReport:
        """Both reports together (for folder totals; segment indices are kept as they are)."""
        return QualityReport(
            self.warnings + other.warnings, self.numbers + other.numbers, self.spans + other.spans,
            self.terms + other.terms, self.segments + other.segments, self.kept_english + other.kept_english,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "segments": self.segments,
            "warnings": self.counts,
            "numbers": self.numbers.to_dict(),
            "spans": self.spans.to_dict(),
            "terms": self.terms.to_dict(),
            "kept_english": self.kept_english,
        }

    def warnings_list(self) -> list[dict[str, Any]]:
        """The record's ``warnings`` list."""
        return [w.to_dict() for w in self.warnings]


def format_warnings(warnings: Iterable[QualityWarning], source: str = "") -> list[str]:
    """One line per warning for stderr: ``FILE: segment 3: repetition: …``."""
    where = f"{source}: " if source else ""
    return [
        f"{where}{'document' if w.segment is None else f'segment {w.segment}'}: {w.kind}: {w.detail}" for w in warnings
    ]
