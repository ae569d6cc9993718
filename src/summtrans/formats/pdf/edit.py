"""PDFium's editing calls, and nothing else: a copy of the PDF opened from its bytes, text objects
taken out and new ones set in their place, the page's content regenerated, the copy saved; and
the bilingual and interleaved documents put together from the original and its English copy.

Only top-level page objects are ever removed: removing an object inside a form XObject makes
PDFium rewrite the form's resources but not its content stream, which garbles all its text
(the reader marks such text, and the writer leaves it alone).
"""

from __future__ import annotations

import ctypes
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .read import PDFIUM

_STROKES = {1, 2, 5, 6}  # text render modes that stroke the glyphs


@dataclass
class Run:
    """One new text object: `text` in `font` at `size`, its first glyph's origin at (x, y),
    the glyphs after it at `positions` (x offsets from the first, in unscaled units)."""

    font: Any  # an FPDF_FONT of this copy
    size: float
    text: str
    x: float
    y: float
    hscale: float = 1.0
    positions: Sequence[float] | None = None
    color: tuple[int, int, int, int] = (0, 0, 0, 255)
    like: int | None = None  # a removed object whose render mode (and stroke) the new one takes


class Copy:
    """A PDF opened from `data` for editing; `save()` gives the edited copy's bytes."""

    def __init__(self, data: bytes) -> None:
        import pypdfium2 as pdfium

        self.doc = pdfium.PdfDocument(data)
        self._keep: list[Any] = []  # what keeps fonts and their data alive until the copy is closed

    def __len__(self) -> int:
        return len(self.doc)

    def close(self) -> None:
        import pypdfium2.raw as raw

        for obj in self._keep:
            if not isinstance(obj, ctypes.Array):
                raw.FPDFPageObj_Destroy(obj)
        self._keep = []
        self.doc.close()

    # -- fonts -------------------------------------------------------------------------------

    def original_font(self, page_index: int, obj_index: int) -> Any:
        """The font of text object `obj_index` on page `page_index`, usable on any page."""
        import pypdfium2.raw as raw

        page = self.doc[page_index]
        try:
            obj = raw.FPDFPage_GetObject(page.raw, obj_index)
            font = raw.FPDFTextObj_GetFont(obj) if obj else None
            if font:  # an object that is never put on a page holds the font for the copy's lifetime
                self._keep.append(raw.FPDFPageObj_CreateTextObj(self.doc.raw, font, 1.0))
            return font or None
        finally:
            page.close()

    def truetype(self, data: bytes) -> Any:
        """A TrueType font (a subset) embedded in the copy as a CID font."""
        import pypdfium2.raw as raw

        buffer = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
        self._keep.append(buffer)
        font = raw.FPDFText_LoadFont(self.doc.raw, buffer, len(data), raw.FPDF_FONT_TRUETYPE, True)
        return font or None

    def standard(self, name: str) -> Any:
        import pypdfium2.raw as raw

        font = raw.FPDFText_LoadStandardFont(self.doc.raw, name.encode("ascii"))
        if font:
            self._keep.append(raw.FPDFPageObj_CreateTextObj(self.doc.raw, font, 1.0))
        return font or None

    @staticmethod
    def widths(font: Any, chars: Iterable[str]) -> dict[str, float]:
        """Advance widths per 1000 units of the size, for the characters of `chars` the font has."""
        import pypdfium2.raw as raw

        width = ctypes.c_float()
        out = {}
        for c in set(chars):
            if raw.FPDFFont_GetGlyphWidth(font, ord(c), 1000.0, width) and (width.value > 0 or c == " "):
                out[c] = width.value
        return out

    # -- pages -------------------------------------------------------------------------------

    def replace(self, page_index: int, changes: Sequence[tuple[Sequence[int], Sequence[Run]]]) -> None:
        """On one page, each change's objects (top-level indices) taken out and its runs set
        where the first of them was in the content stream (so text keeps its reading order)."""
        import pypdfium2.raw as raw

        page = self.doc[page_index]
        try:
            count = raw.FPDFPage_CountObjects(page.raw)
            objects = [raw.FPDFPage_GetObject(page.raw, i) for i in range(count)]
            gone = {i for removed, _ in changes for i in removed if 0 <= i < count}
            for removed, runs in sorted(changes, key=lambda c: -min(c[0], default=count)):
                at = min((i for i in removed if 0 <= i < count), default=count)
                for run in reversed(runs):
                    obj = self._text_object(run, objects[run.like] if run.like is not None and run.like < count else None)
                    if obj is not None:
                        raw.FPDFPage_InsertObjectAtIndex(page.raw, obj, at)
            for i in sorted(gone):
                if raw.FPDFPage_RemoveObject(page.raw, objects[i]):
                    raw.FPDFPageObj_Destroy(objects[i])
            if not raw.FPDFPage_GenerateContent(page.raw):
                raise RuntimeError(f"PDFium could not write page {page_index + 1}")
        finally:
            page.close()

    def _text_object(self, run: Run, like: Any) -> Any:
        import pypdfium2.raw as raw

        obj = raw.FPDFPageObj_CreateTextObj(self.doc.raw, run.font, run.size)
        if not obj:
            return None
        encoded = run.text.encode("utf-16-le") + b"\0\0"
        text = (ctypes.c_ushort * (len(encoded) // 2)).from_buffer_copy(encoded)
        raw.FPDFText_SetText(obj, text)
        if run.positions and len(run.positions) == len(run.text) - 1 and len(encoded) == 2 * len(run.text) + 2:
            raw.FPDFText_SetPositions(obj, (ctypes.c_float * len(run.positions))(*run.positions), len(run.positions))
        raw.FPDFPageObj_SetMatrix(obj, raw.FS_MATRIX(run.hscale, 0, 0, 1, run.x, run.y))
        raw.FPDFPageObj_SetFillColor(obj, *run.color)
        if like is not None and raw.FPDFPageObj_GetType(like) == raw.FPDF_PAGEOBJ_TEXT:
            mode = raw.FPDFTextObj_GetTextRenderMode(like)
            if mode >= 0:
                raw.FPDFTextObj_SetTextRenderMode(obj, mode)
            if mode in _STROKES:
                rgba = [ctypes.c_uint() for _ in range(4)]
                if raw.FPDFPageObj_GetStrokeColor(like, *rgba):
                    raw.FPDFPageObj_SetStrokeColor(obj, *(c.value for c in rgba))
        return obj

    def save(self) -> bytes:
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()


def open_copy(data: bytes) -> Copy:
    return Copy(data)


# --------------------------------------------------------------------------------------------
# Original and English together
# --------------------------------------------------------------------------------------------


def interleaved(original: bytes, english: bytes) -> bytes:
    """Each original page followed by its English (links and outline of the original kept)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    with PDFIUM:
        dest = pdfium.PdfDocument(original)
        src = pdfium.PdfDocument(english)
        try:
            n = len(dest)
            indices = (ctypes.c_int * n)(*range(n))
            if not raw.FPDF_ImportPagesByIndex(dest.raw, src.raw, indices, n, n):
                raise RuntimeError("PDFium could not import the English pages")
            for i in range(n):
                raw.FPDF_MovePages(dest.raw, (ctypes.c_int * 1)(n + i), 1, 2 * i + 1)
            out = io.BytesIO()
            dest.save(out)
            return out.getvalue()
        finally:
            src.close()
            dest.close()


def bilingual(original: bytes, english: bytes) -> bytes:
    """Each original page on the left, its English on the right, on one page of double width:
    the pages are placed as form objects (their text and vectors as they are, not images)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    both = interleaved(original, english)
    with PDFIUM:
        src = pdfium.PdfDocument(both)
        try:
            sizes = [src.get_page_size(i) for i in range(len(src))]
            w, h = sizes[0]
            if all(abs(sw - w) < 0.5 and abs(sh - h) < 0.5 for sw, sh in sizes):
                # one import for all pages: fonts and images shared by the pages are written once
                dest = pdfium.PdfDocument(raw.FPDF_ImportNPagesToOne(src.raw, 2 * w, h, 2, 1))
            else:
                dest = _side_by_side(src, sizes)
            try:
                out = io.BytesIO()
                dest.save(out)
                return out.getvalue()
            finally:
                dest.close()
        finally:
            src.close()


def _side_by_side(src: Any, sizes: list[tuple[float, float]]) -> Any:
    """Pages of different sizes: each pair on a page of its own size, one form object each."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    dest = pdfium.PdfDocument.new()
    for k in range(len(sizes) // 2):
        (lw, lh), (rw, rh) = sizes[2 * k], sizes[2 * k + 1]
        page = raw.FPDFPage_New(dest.raw, k, lw + rw, max(lh, rh))
        try:
            for index, dx in ((2 * k, 0.0), (2 * k + 1, lw)):
                xobject = raw.FPDF_NewXObjectFromPage(dest.raw, src.raw, index)
                form = raw.FPDF_NewFormObjectFromXObject(xobject)
                raw.FPDFPageObj_Transform(form, 1, 0, 0, 1, dx, max(lh, rh) - sizes[index][1])
                raw.FPDFPage_InsertObject(page, form)
                raw.FPDF_CloseXObject(xobject)
            raw.FPDFPage_GenerateContent(page)
        finally:
            raw.FPDF_ClosePage(page)
    return dest
