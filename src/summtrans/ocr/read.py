"""Reading whole documents by OCR: the pages of an image file, the scanned pages of a PDF."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable
from typing import Any

from summtrans.errors import InputError
from summtrans.faithful.quality import QualityWarning

from .checks import ocr_block, warnings as checked
from .engines import LANG, get_engine
from .layout import pdf_page
from .page import OcrPage, read_page

__all__ = ["read_images", "read_scans"]

log = logging.getLogger(__name__)


def _read(images: Iterable[tuple[int, Any]]) -> list[OcrPage]:
    pages = []
    for index, image in images:
        page = read_page(image, index, image.info.get("dpi"))
        log.debug("OCR page %d: %d words, mean confidence %s, %.2f s, %s", index + 1, len(page.words),
                  page.mean_confidence, page.seconds, page.prepared)
        pages.append(page)
    return pages


def read_images(images: Iterable[tuple[int, Any]], source: str) -> tuple[list[Any], tuple[QualityWarning, ...], dict[str, Any]]:
    """OCR the pages of an image file: (the PDF reader's pages, warnings, the record's ocr block).
    No page with text (a photo of a cat, a blank page): InputError skipped-no-text."""
    pages = _read(images)
    texts = [p for p in pages if p.has_text]
    if not texts:
        raise InputError(source, "no text found by OCR (not a document?)", "skipped-no-text")
    blanks = tuple(QualityWarning(None, "page-without-text", f"page {p.index + 1} of {len(pages)}")
                   for p in pages if not p.has_text)
    return [pdf_page(p) for p in texts], blanks + checked(texts), ocr_block(get_engine().describe(), LANG, pages)


def read_scans(pages: list[Any], scans: dict[int, bytes], warnings: tuple[QualityWarning, ...], source: str,
               ) -> tuple[list[Any], tuple[QualityWarning, ...], dict[str, Any]]:
    """A PDF's pages with the scanned ones (`scans`: page index → PNG) replaced by their OCR;
    a scan where OCR finds no text gets a ``page-without-text`` warning. No text anywhere: InputError."""
    from PIL import Image

    read = _read((index, Image.open(io.BytesIO(png))) for index, png in sorted(scans.items()))
    by_index = {p.index: p for p in read if p.has_text}
    out = [pdf_page(by_index[p.index]) if p.index in by_index else p for p in pages]
    if not any(line.text.strip() for page in out for line in page.lines):
        raise InputError(source, "no text layer, and no text found by OCR (not a document?)", "skipped-no-text")
    blanks = tuple(QualityWarning(None, "page-without-text", f"page {p.index + 1} of {len(pages)}")
                   for p in read if not p.has_text)
    texts = [p for p in read if p.has_text]
    return out, warnings + blanks + checked(texts), ocr_block(get_engine().describe(), LANG, read)
