"""OCR'd pages → the PDF text path's pages (one layout implementation): each page's words become
the word boxes the PDF reader gets from PDFium, so columns, tables, running headers and page
numbers, hyphenation and paragraphs go the PDF way (formats/pdf/layout.py)."""

from __future__ import annotations

from typing import Any

from .page import OcrPage

__all__ = ["pdf_page", "pdf_words"]

PAD = 0.02  # border around the words' extent, as a share of its height


def pdf_words(page: OcrPage) -> tuple[list[tuple[str, str, tuple[float, float, float, float, float]]], float, float]:
    """The page's words as the PDF reader's word tuples: (separator before, text, (x0, x1, bottom,
    top, font size)) in PDF coordinates (points, y up; a new engine line starts after a newline),
    and the page's width and height. The page is the words' extent plus a small border, not the
    image: a photo's desk or a rotation's corners would put the page number outside the margin."""
    if not page.words:
        return [], page.width, page.height
    left = min(w.box[0] for w in page.words)
    top = min(w.box[1] for w in page.words)
    right = max(w.box[2] for w in page.words)
    bottom = max(w.box[3] for w in page.words)
    pad = PAD * (bottom - top)
    height = bottom - top + 2 * pad
    out = []
    previous: int | None = None
    for word in page.words:
        sep = "" if previous is None else "\n" if word.line != previous else " "
        x0, y0, x1, y1 = word.box
        size = round(word.height * 2) / 2  # half points: the lines of one font size get one size
        out.append((sep, word.text, (x0 - left + pad, x1 - left + pad, height - (y1 - top + pad), height - (y0 - top + pad), size)))
        previous = word.line
    return out, right - left + 2 * pad, height


def pdf_page(page: OcrPage, index: int | None = None) -> Any:
    """The PDF reader's `Page` for an OCR'd page (no ruling lines: they were taken out of the image)."""
    from summtrans.formats.pdf.model import Page
    from summtrans.formats.pdf.read import build_lines

    at = page.index if index is None else index
    words, width, height = pdf_words(page)
    return Page(at, width, height, build_lines(words, at), [])
