"""PDF (text layer, via pypdfium2) → paragraphs, lists, headings and tables; the translation is
written as markdown (``NAME.en.md``).

read.py opens the PDF and rebuilds line fragments from character boxes (and ruling lines from
path objects); layout.py orders them and joins them into blocks; tables.py finds the tables.
A page without a usable text layer (a scan) is OCR'd (summtrans.ocr; ``--ocr never``: it gets a
``page-without-text`` warning instead); the OCR'd words go through the same layout.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from summtrans.faithful.quality import QualityWarning

from ..base import Extracted, FormatBackend, Unit
from .layout import Block, document_blocks
from .model import Page
from .read import read_pages

__all__ = ["PdfBackend", "extracted"]


@dataclass
class _State:
    """Per block: its markdown prefix ("## ", "- ", "": one unit), or a table's rows with True
    where a cell has text (one unit each)."""

    shape: list[str | list[list[bool]]]
    note: str | None = None  # a line the output ends with (OCR read with low confidence)


class PdfBackend(FormatBackend):
    """``.pdf`` with a text layer → markdown (``NAME.en.md``)."""

    name: ClassVar[str] = "pdf"
    suffixes: ClassVar[tuple[str, ...]] = (".pdf",)
    output_suffix: ClassVar[str] = ".md"

    def read(self, data: bytes, source: str) -> Extracted:
        from summtrans import ocr

        pages, meta_title, warnings, scans = read_pages(data, source, ocr.mode())
        block: dict | None = None
        if scans:  # pages without a usable text layer: OCR'd in their place
            from summtrans.ocr.read import read_scans

            pages, warnings, block = read_scans(pages, scans, warnings, source)
        return extracted(pages, meta_title, warnings, block)

    def write(self, extracted: Extracted, translated: list[Unit]) -> bytes:
        if len(translated) != len(extracted.units):
            raise ValueError(f"expected {len(extracted.units)} translated units, got {len(translated)}")
        note = f"\n\n{extracted.state.note}" if extracted.state.note else ""
        return (_markdown(extracted.state.shape, translated) + note + "\n").encode("utf-8")


def extracted(pages: list[Page], title: str | None, warnings: tuple[QualityWarning, ...] = (),
              ocr: dict[str, Any] | None = None) -> Extracted:
    """The units, markdown and title of read pages (a PDF's, or OCR'd images', see formats/image.py);
    `ocr`: the record's ocr block where pages were OCR'd (its low-confidence line ends the output)."""
    blocks = document_blocks(pages)
    units: list[Unit] = []
    shape: list[str | list[list[bool]]] = []
    for block in blocks:
        if block.kind == "table":
            shape.append([[bool(text.strip()) for text in row] for row in block.cells])
            units += [Unit(text, role="cell") for row in block.cells for text in row if text.strip()]
        else:
            shape.append(_prefix(block))
            units.append(Unit(block.text, role="heading" if block.kind == "heading" else "paragraph"))
    title = next((b.text for b in blocks if b.kind == "heading" and b.level == 1), None) or title
    note = None
    if ocr is not None:
        from summtrans.ocr.checks import low_confidence_note

        note = low_confidence_note(ocr, [w for w in warnings if w.kind in ("ocr-low-confidence", "iban-checksum")])
    return Extracted(units=units, state=_State(shape, note), title=title, markdown=_markdown(shape, units),
                     warnings=warnings, ocr=ocr)


def _prefix(block: Block) -> str:
    if block.kind == "heading":
        return "#" * block.level + " "
    return "- " if block.kind == "item" else ""


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
