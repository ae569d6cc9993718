"""PDF (text layer, via pypdfium2) → paragraphs, lists, headings and tables; the translation is
written as markdown (``NAME.en.md``).

read.py opens the PDF and rebuilds line fragments from character boxes (and ruling lines from
path objects); layout.py orders them and joins them into blocks; tables.py finds the tables.
A page without text (a scan) is not read: it gets a ``page-without-text`` warning.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..base import Extracted, FormatBackend, Unit
from .layout import Block, document_blocks
from .read import read_pages

__all__ = ["PdfBackend"]


@dataclass
class _State:
    """Per block: its markdown prefix ("## ", "- ", "": one unit), or a table's rows with True
    where a cell has text (one unit each)."""

    shape: list[str | list[list[bool]]]


class PdfBackend(FormatBackend):
    """``.pdf`` with a text layer → markdown (``NAME.en.md``)."""

    name: ClassVar[str] = "pdf"
    suffixes: ClassVar[tuple[str, ...]] = (".pdf",)
    output_suffix: ClassVar[str] = ".md"

    def read(self, data: bytes, source: str) -> Extracted:
        pages, meta_title, warnings = read_pages(data, source)
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
        title = next((b.text for b in blocks if b.kind == "heading" and b.level == 1), None) or meta_title
        return Extracted(units=units, state=_State(shape), title=title, markdown=_markdown(shape, units),
                         warnings=warnings)

    def write(self, extracted: Extracted, translated: list[Unit]) -> bytes:
        if len(translated) != len(extracted.units):
            raise ValueError(f"expected {len(extracted.units)} translated units, got {len(translated)}")
        return (_markdown(extracted.state.shape, translated) + "\n").encode("utf-8")


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
