"""The common document model every format backend reads into and writes back from."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

from ..faithful.quality import QualityWarning


@dataclass(frozen=True)
class Span:
    """Inline formatting over part of a unit's text."""

    start: int  # character offset into Unit.text where the span begins
    end: int  # character offset where it ends (exclusive)
    style: Any = None  # the backend's own handle for the formatting (run properties, tag…): opaque
    link: str | None = None  # a hyperlink target; never lost


@dataclass(frozen=True)
class Unit:
    """One translatable block; the translator sees its text whole, never run by run."""

    text: str  # one block's whole text (paragraph, cell, cue group, title…)
    spans: tuple[Span, ...] = ()  # inline formatting inside text
    role: str = "paragraph"  # paragraph | heading | cell | cue | title | alt | note | …

    def as_dict(self) -> dict[str, Any]:
        """Role, text and spans (offsets into the text), as `summtrans segment` shows them."""
        spans = [{"start": s.start, "end": s.end, "text": self.text[s.start : s.end], "link": s.link} for s in self.spans]
        return {"role": self.role, "text": self.text, "spans": spans}


@dataclass
class Extracted:
    """What a backend read: the units plus whatever it needs to rebuild the document."""

    units: list[Unit]  # in reading order
    state: Any  # whatever write() needs to rebuild the document (parsed tree…)
    title: str | None = None  # the document's title, if it has one
    markdown: str | None = None  # for text-only formats (pdf, url): the document as markdown
    warnings: tuple[QualityWarning, ...] = ()  # what could not be read (a scanned page); segment=None
    ocr: dict[str, Any] | None = None  # pages read by OCR: the record's ocr block (summtrans.ocr.checks.ocr_block)


class FormatBackend(ABC):
    """One document format: read into units, write a translated copy, give plain text."""

    name: ClassVar[str]  # "docx", "html", … (one registry entry each)
    suffixes: ClassVar[tuple[str, ...]]  # (".docx",)
    output_suffix: ClassVar[str]  # ".docx" → NAME.en.docx ; ".md" for url and images

    @abstractmethod
    def read(self, data: bytes, source: str) -> Extracted:
        """Parse `data`; raise InputError(source, problem, reason) on bad input.

        Reasons: "failed", "skipped-no-text" (scanned PDF, empty document).
        """

    @abstractmethod
    def write(self, extracted: Extracted, translated: list[Unit]) -> bytes:
        """A copy of the original with each unit's text replaced by its translation.

        `translated` has the same count and order as `extracted.units`; its spans are already
        placed on the English words (see inline.py) and the backend applies them.
        """

    def output_suffix_for(self, name: str) -> str:
        """The translated copy's suffix for input `name` (`output_suffix`, unless the backend keeps
        a suffix of its own: an ``.xhtml`` page stays ``.xhtml``)."""
        return self.output_suffix

    def to_text(self, extracted: Extracted) -> str:
        """Plain text for -f text/json and summaries: markdown if the format has it, else units."""
        if extracted.markdown is not None:
            return extracted.markdown
        return "\n\n".join(u.text for u in extracted.units if u.text.strip())
