"""Images of letters (scans, phone photos, faxes) → OCR → paragraphs and tables as markdown
(``NAME.en.md``), through the PDF reader's layout.

``.png .jpg .jpeg .tif .tiff`` (every frame of a TIFF is a page) ``.webp .bmp`` with Pillow,
``.heic .heif`` (iPhone photos) with pi-heif (decoding only). EXIF orientation is
honoured. The pixel count is checked from the header, before anything is decoded (a
decompression bomb is refused); a truncated or corrupt file is one error naming it.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from typing import Any, ClassVar

from summtrans.errors import InputError

from .base import Extracted
from .pdf import PdfBackend, extracted

__all__ = ["MAX_PAGES", "MAX_PIXELS", "ImageBackend"]

MAX_PIXELS = 80_000_000  # per page: a 48 MP phone photo or an A3 page at 600 dpi fit; a bomb does not
MAX_PAGES = 500  # frames of one TIFF
HEIF_SUFFIXES = (".heic", ".heif")


class ImageBackend(PdfBackend):
    """An image of one or more pages → OCR → markdown (``NAME.en.md``); written as the PDF backend does."""

    name: ClassVar[str] = "image"
    suffixes: ClassVar[tuple[str, ...]] = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp", ".heic", ".heif", ".bmp")
    output_suffix: ClassVar[str] = ".md"

    def read(self, data: bytes, source: str) -> Extracted:
        from summtrans import ocr

        if ocr.mode() == "never":
            raise InputError(source, "an image: its text needs OCR (--ocr never)", "skipped-no-text")
        from summtrans.ocr.read import read_images

        pages, warnings, block = read_images(_pages(data, source), source)
        return extracted(pages, None, warnings, block)


def _pages(data: bytes, source: str) -> Iterator[tuple[int, Any]]:
    """Each page (frame) as a decoded, upright PIL image, dpi in its info."""
    from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

    if source.lower().endswith(HEIF_SUFFIXES) or data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftypmsf1"):
        _heif_opener(source)
    try:
        with warnings.catch_warnings():  # Pillow warns from 89 MP on; MAX_PIXELS decides, below
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))  # reads the header only
    except Image.DecompressionBombError as exc:
        raise InputError(source, f"image too large to read safely ({exc})") from exc
    except UnidentifiedImageError as exc:
        raise InputError(source, "not an image Pillow can read (corrupt, or another format)") from exc
    try:
        for index, frame in enumerate(ImageSequence.Iterator(image)):
            if index >= MAX_PAGES:
                raise InputError(source, f"more than {MAX_PAGES} pages in one image file")
            width, height = frame.size
            if width * height > MAX_PIXELS:
                raise InputError(source, f"image of {width}×{height} pixels is over the {MAX_PIXELS:,}-pixel limit "
                                         "(a decompression bomb?)")
            dpi = frame.info.get("dpi")
            try:
                page = ImageOps.exif_transpose(frame.copy()) if index == 0 else frame.copy()
                page.load()
            except (OSError, SyntaxError, ValueError) as exc:  # truncated data, a broken stream
                raise InputError(source, f"truncated or corrupt image ({exc})") from exc
            if dpi:
                page.info["dpi"] = dpi
            yield index, page
    except Image.DecompressionBombError as exc:
        raise InputError(source, f"image too large to read safely ({exc})") from exc
    except EOFError as exc:
        raise InputError(source, f"truncated image ({exc})") from exc
    finally:
        image.close()


def _heif_opener(source: str) -> None:
    """Teach Pillow HEIC/HEIF (pi-heif: decoding only, without pillow-heif's GPL encoder)."""
    try:
        from pi_heif import register_heif_opener
    except ImportError:
        raise InputError(source, "reading HEIC/HEIF photos needs pi-heif: pip install pi-heif") from None
    register_heif_opener()
