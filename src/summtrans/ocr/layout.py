"""OCR'd pages → blocks in reading order, by the PDF text path's own rules (one implementation):
each page's words become the word boxes the PDF reader gets from PDFium, and from there columns,
tables, running headers and page numbers, hyphenation and paragraphs go the PDF way."""

from __future__ import annotations

from typing import Any

from .page import OcrPage

__all__ = ["blocks", "pdf_words"]


def pdf_words(page: OcrPage) -> list[tuple[str, str, tuple[float, float, float, float, float]]]:
    """The page's words as the PDF reader's word tuples: (separator before, text, (x0, x1, bottom,
    top, font size)) in PDF coordinates (points, y up); a new engine line starts after a newline."""
    out = []
    previous: int | None = None
    for word in page.words:
        sep = "" if previous is None else "\n" if word.line != previous else " "
        left, top, right, bottom = word.box
        size = round(word.height * 2) / 2  # half points: lines of one font size get one size
        out.append((sep, word.text, (left, right, page.height - bottom, page.height - top, size)))
        previous = word.line
    return out


def blocks(pages: list[OcrPage]) -> list[Any]:
    """The pages' paragraphs, list items and headings in reading order (the PDF reader's blocks)."""
    from summtrans.formats import pdf

    read = [(p.width, p.height, pdf._build_lines(pdf_words(p), p.index)) for p in pages]
    everything = [line for _, _, lines in read for line in lines]
    keep = pdf._drop_running_lines(read, pdf._body_size(everything))
    ordered = [line for width, _, lines in read for line in pdf._reading_order(lines, width, keep)]
    return pdf._blocks(ordered)
