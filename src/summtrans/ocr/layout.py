"""OCR'd pages → the PDF text path's pages (one layout implementation): each page's words become
the word boxes the PDF reader gets from PDFium, so columns, tables, running headers and page
numbers, hyphenation and paragraphs go the PDF way (formats/pdf/layout.py)."""

from __future__ import annotations

from typing import Any

from .page import OcrPage

__all__ = ["pdf_page", "pdf_words"]


def pdf_words(page: OcrPage) -> list[tuple[str, str, tuple[float, float, float, float, float]]]:
    """The page's words as the PDF reader's word tuples: (separator before, text, (x0, x1, bottom,
    top, font size)) in PDF coordinates (points, y up); a new engine line starts after a newline."""
    out = []
    previous: int | None = None
    for word in page.words:
        sep = "" if previous is None else "\n" if word.line != previous else " "
        left, top, right, bottom = word.box
        size = round(word.height * 2) / 2  # half points: the lines of one font size get one size
        out.append((sep, word.text, (left, right, page.height - bottom, page.height - top, size)))
        previous = word.line
    return out


def pdf_page(page: OcrPage, index: int | None = None) -> Any:
    """The PDF reader's `Page` for an OCR'd page (no ruling lines: they were taken out of the image)."""
    from summtrans.formats.pdf.model import Page
    from summtrans.formats.pdf.read import build_lines

    at = page.index if index is None else index
    return Page(at, page.width, page.height, build_lines(pdf_words(page), at), [])
