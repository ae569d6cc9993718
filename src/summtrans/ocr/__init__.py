"""Scanned pages and photos → words with confidences and boxes → text, for the image and pdf backends.

engines.py: one small adapter per OCR engine (tesserocr; the ``tesseract`` program where no wheel
exists), chosen by `get_engine()`. preprocess.py: what is done to a page image first (measured in
benchmarks/ocr.py). page.py: one page read (`read_page`). layout.py: pages → blocks by the PDF text
path's rules. checks.py: which protected spans were read unsure, IBAN checksums, the record's block.

The reading mode (``--ocr auto|always|never``) is a context value: `reading(mode)` sets it around
reading a document, the backends ask `mode()`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from .engines import LANG, OcrUnavailableError, OcrWord, get_engine, install_hint

__all__ = ["LANG", "OCR_MODES", "OcrUnavailableError", "OcrWord", "get_engine", "install_hint", "mode", "reading"]

# auto: pages without a text layer (and images); always: also pages whose text layer is garbage;
# never: no OCR (a scan is refused as skipped-no-text, an image too).
OCR_MODES = ("auto", "always", "never")
_MODE: ContextVar[str] = ContextVar("summtrans_ocr_mode", default="auto")


def mode() -> str:
    """The OCR mode documents are read with now."""
    return _MODE.get()


@contextmanager
def reading(ocr: str | None) -> Iterator[None]:
    """Read documents with OCR mode `ocr` inside the block (None: leave it as it is)."""
    if ocr is None:
        yield
        return
    if ocr not in OCR_MODES:
        raise ValueError(f"unknown OCR mode '{ocr}' (choose from {', '.join(OCR_MODES)})")
    token = _MODE.set(ocr)
    try:
        yield
    finally:
        _MODE.reset(token)
