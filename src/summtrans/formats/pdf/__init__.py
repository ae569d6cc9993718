"""PDF (text layer, via pypdfium2) → paragraphs, lists, headings and tables; the translation is
written into a copy of the PDF (``NAME.en.pdf``): the English in the German's places, or beside
the original pages (`MODES`).

read.py opens the PDF and rebuilds line fragments from character boxes (and ruling lines from
path objects), remembering which page objects and fonts drew each word; layout.py orders them
and joins them into blocks; tables.py finds the tables. A page without a usable text layer (a
scan) is OCR'd (summtrans.ocr; ``--ocr never``: it gets a ``page-without-text`` warning instead);
the OCR'd words go through the same layout. write.py lays the English back: fit.py fits it into
each unit's place (pure), fonts.py picks the fonts, edit.py holds the editing calls (PDFium sets
the text, pikepdf takes the German out); a scanned page stays as it is, its English follows it
on a text page of its own.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from ...faithful.quality import QualityWarning
from ..base import Extracted, FormatBackend, Span, Unit

if TYPE_CHECKING:  # the stages load with the first PDF read (the CLI imports MODES at start)
    from .layout import Block
    from .model import Font, Line, Page, Style

__all__ = ["MODES", "NOT_EDITABLE", "PdfBackend", "extracted", "not_editable"]
log = logging.getLogger(__name__)

MODES = ("layout", "bilingual", "interleaved")  # --pdf: English in place; original | English side by side; alternating pages
NOT_EDITABLE = "pdf-not-editable"  # the warning of a PDF written as markdown: a file run fails, a folder run writes .md


def not_editable(warnings: Sequence[QualityWarning]) -> str | None:
    """Why a PDF's translated copy could not be made (its text was written instead), if so."""
    return next((w.detail for w in warnings if w.kind == NOT_EDITABLE), None)
_OCR_KINDS = ("ocr-low-confidence", "iban-checksum")


@dataclass
class Place:
    """Where a unit's German was: its lines in reading order, once per copy (a table's header
    row repeated on a later page has two), and a list item's bullet (not in the unit's text)."""

    copies: list[list[Line]]
    prefix: str = ""
    cell: tuple[int, int, float, float] | None = None  # a table cell: (table, row, left, right share of its width)


@dataclass
class _State:
    """Per block: its markdown prefix ("## ", "- ", "": one unit), or a table's rows with True
    where a cell has text (one unit each); and what the writer needs: the PDF's bytes, pages,
    fonts and each unit's place."""

    shape: list[str | list[list[bool]]]
    places: list[Place] = field(default_factory=list)
    note: str | None = None  # a line the output ends with (OCR read with low confidence)
    data: bytes = b""  # the PDF (empty: not a PDF, an image read by OCR: written as markdown)
    pages: list[Page] = field(default_factory=list)  # as PDFium reads them (a scanned page: its own, not its OCR)
    fonts: dict[str, Font] = field(default_factory=dict)
    scans: dict[int, Page] = field(default_factory=dict)  # OCR'd pages by index: their units' lines are OCR's
    warnings: tuple[QualityWarning, ...] = ()  # what reading found (writing adds its own)
    locked: str | None = None  # why the PDF may not be changed; None: it may


class PdfBackend(FormatBackend):
    """``.pdf`` → a copy with the English in place (``NAME.en.pdf``).

    `write` adds what it had to leave or squeeze (``pdf-text-kept``, ``pdf-overflow``) to
    ``extracted.warnings``, which the record is made from after writing. A PDF whose
    permissions forbid changes, or that the libraries fail to edit, is written as markdown
    (warning ``pdf-not-editable``: a file run stops with one line, a folder run writes ``.md``).
    """

    name: ClassVar[str] = "pdf"
    suffixes: ClassVar[tuple[str, ...]] = (".pdf",)
    output_suffix: ClassVar[str] = ".pdf"

    def read(self, data: bytes, source: str) -> Extracted:
        from summtrans import ocr

        from .read import read_pages

        reading = read_pages(data, source, ocr.mode())
        pages, warnings, block = reading.pages, reading.warnings, None
        if reading.scans:  # pages without a usable text layer: OCR'd in their place
            from summtrans.ocr.read import read_scans

            pages, warnings, block = read_scans(reading.pages, reading.scans, warnings, source)
        if reading.locked:
            warnings += (QualityWarning(None, NOT_EDITABLE, reading.locked),)
        out = extracted(pages, reading.title, warnings, block)
        scans = {i: pages[i] for i in reading.scans if pages[i] is not reading.pages[i]}  # OCR found text there
        out.state = dataclasses.replace(out.state, data=data, pages=reading.pages, fonts=reading.fonts, scans=scans,
                                        warnings=warnings, locked=reading.locked)
        return out

    def write(self, extracted: Extracted, translated: list[Unit], mode: str = "layout") -> bytes:
        """The PDF with the English in place (`mode` "layout"), or beside the original pages
        ("bilingual": side by side on pages of double width; "interleaved": page after page).
        Markdown where there is no PDF to edit (an image) or it may not be edited."""
        if len(translated) != len(extracted.units):
            raise ValueError(f"expected {len(extracted.units)} translated units, got {len(translated)}")
        if mode not in MODES:
            raise ValueError(f"unknown PDF mode '{mode}' (choose from {', '.join(MODES)})")
        state: _State = extracted.state
        if state.locked or not state.data:
            return (_text(state, translated) + "\n").encode("utf-8")
        from .write import write_pdf

        try:
            output, warnings = write_pdf(state, extracted.units, translated, mode)
        except Exception as exc:  # a PDF the libraries cannot edit: its text still reaches the user
            log.debug("writing the PDF failed", exc_info=True)
            why = f"writing the PDF failed ({type(exc).__name__}: {exc})"
            extracted.warnings = state.warnings + (QualityWarning(None, NOT_EDITABLE, why),)
            return (_text(state, translated) + "\n").encode("utf-8")
        extracted.warnings = state.warnings + tuple(warnings)
        return output

    def to_text(self, extracted: Extracted) -> str:
        """Markdown: as read, or (after writing, `markdown` None) of the units given, ending
        with the low-confidence line of an unsure OCR."""
        if extracted.markdown is not None:
            return extracted.markdown
        return _text(extracted.state, extracted.units)


def extracted(pages: list[Page], title: str | None, warnings: tuple[QualityWarning, ...] = (),
              ocr: dict[str, Any] | None = None) -> Extracted:
    """The units, their places, markdown and title of read pages (a PDF's, or OCR'd images', see
    formats/image.py); `ocr`: the record's ocr block where pages were OCR'd (its low-confidence
    line ends the output)."""
    from .layout import document_blocks

    blocks = document_blocks(pages)
    units: list[Unit] = []
    places: list[Place] = []
    shape: list[str | list[list[bool]]] = []
    for b, block in enumerate(blocks):
        if block.kind == "table":
            assert block.table is not None
            shape.append([[bool(text.strip()) for text in row] for row in block.cells])
            repeats = block.table.repeats
            columns = _columns(block.table.rows)
            for r, row in enumerate(block.cells):
                for c, text in enumerate(row):
                    if text.strip():
                        lines = block.table.rows[r][c]
                        copies = [lines] + ([rep[c] for rep in repeats if c < len(rep) and rep[c]] if r == 0 else [])
                        units.append(Unit(text, _spans(text, lines), role="cell"))
                        places.append(Place(copies, cell=(b, r, *columns[c])))
        else:
            shape.append(_prefix(block))
            units.append(Unit(block.text, _spans(block.text, block.lines),
                              role="heading" if block.kind == "heading" else "paragraph"))
            places.append(Place([block.lines], _bullet(block)))
    title = next((b.text for b in blocks if b.kind == "heading" and b.level == 1), None) or title
    note = None
    if ocr is not None:
        from summtrans.ocr.checks import low_confidence_note

        note = low_confidence_note(ocr, [w for w in warnings if w.kind in _OCR_KINDS])
    return Extracted(units=units, state=_State(shape, places, note), title=title, markdown=_markdown(shape, units),
                     warnings=warnings, ocr=ocr)


def _columns(rows: list[list[list[Line]]]) -> list[tuple[float, float]]:
    """Each column's left and right edge as shares of the table's width (from its cells' lines)."""
    n = max(len(row) for row in rows)
    lefts = [min((ln.x0 for row in rows if c < len(row) for ln in row[c]), default=None) for c in range(n)]
    found = [x for x in lefts if x is not None]
    right = max((ln.x1 for row in rows for cell in row for ln in cell), default=0.0)
    if not found or right <= min(found):
        return [(c / n, (c + 1) / n) for c in range(n)]
    left, width = min(found), right - min(found)
    starts = [(x - left) / width if x is not None else c / n for c, x in enumerate(lefts)]
    return [(starts[c], starts[c + 1] if c + 1 < n else 1.0) for c in range(n)]


def _text(state: _State, units: list[Unit]) -> str:
    """The units as markdown, and the low-confidence line if OCR was unsure."""
    return _markdown(state.shape, units) + (f"\n\n{state.note}" if state.note else "")


def _prefix(block: Block) -> str:
    if block.kind == "heading":
        return "#" * block.level + " "
    return "- " if block.kind == "item" else ""


def _bullet(block: Block) -> str:
    """A list item's bullet as its first line has it ("•"), which the unit's text lacks."""
    if block.kind != "item" or not block.lines:
        return ""
    first = block.lines[0].text.strip()
    return first.split(" ", 1)[0] if first and not block.text.startswith(first.split(" ", 1)[0]) else ""


def _key(style: Style) -> tuple:
    return (style.font, style.bold, style.italic, style.color)


def _spans(text: str, lines: list[Line]) -> tuple[Span, ...]:
    """Runs of words set unlike most of the unit (bold, italic, another font or colour) as
    spans whose style is the run's `model.Style` (sizes aside): the writer sets them alike."""
    first = lines[0].ink[0][1].style if lines and lines[0].ink else None
    if all(ink.style is first for line in lines for _, ink in line.ink):  # styles are shared instances
        return ()
    words: list[tuple[str, Style]] = []
    for line in lines:
        for k, (at, ink) in enumerate(line.ink):
            end = line.ink[k + 1][0] if k + 1 < len(line.ink) else len(line.text)
            word = line.text[at:end].strip()
            if word:
                words.append((word, ink.style))
    if not words:
        return ()
    weight: Counter[tuple] = Counter()
    for word, style in words:
        weight[_key(style)] += len(word)
    base = weight.most_common(1)[0][0]
    if len(weight) == 1:
        return ()
    spans: list[Span] = []
    pos = 0
    for word, style in words:
        probe = word.rstrip("-\ufffe\xad") or word
        at = text.find(probe, pos)
        if at < 0:
            continue
        end = at + len(probe)
        pos = end
        if _key(style) == base:
            continue
        last = spans[-1] if spans else None
        if last is not None and _key(last.style) == _key(style) and not text[last.end:at].strip():
            spans[-1] = Span(last.start, end, style)
        else:
            spans.append(Span(at, end, style))
    return tuple(spans)


def _markdown(shape: list[str | list[list[bool]]], units: list[Unit]) -> str:
    texts = iter(" ".join(unit.text.split()) for unit in units)
    out = []
    for item in shape:
        if isinstance(item, str):
            text = next(texts)
            if not item and text[:1] in "#>|":  # would read as markdown structure
                text = "\\" + text
            out.append(item + text)
            continue
        rows = ["| " + " | ".join(next(texts).replace("|", "\\|") if has else "" for has in row) + " |" for row in item]
        rows.insert(1, "|" + " --- |" * len(item[0]))
        out.append("\n".join(rows))
    return "\n\n".join(out)
