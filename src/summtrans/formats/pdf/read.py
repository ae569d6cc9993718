"""Reading a PDF with PDFium: each page's line fragments (rebuilt from character boxes) and ruling
lines (from its path objects), the metadata title, and a warning for each page without text."""

from __future__ import annotations

import ctypes
import re
import threading
from bisect import bisect_right
from collections.abc import Sequence
from typing import Any

from summtrans.errors import InputError
from summtrans.faithful.quality import QualityWarning

from .model import Line, Page, Rule

COLUMN_GAP = 1.5  # a horizontal gap wider than this many font sizes splits a line (columns)
THIN = 2.5  # pt: a path at most this thick (and longer) is a ruling line
MIN_BOX = 6.0  # pt: a rectangle smaller than this either way is a mark, not a cell's border
MAX_PATHS = 3000  # a page with more path objects is a drawing: its rules are not looked at
_PDFIUM = threading.Lock()  # PDFium is not thread-safe
_ERR_PASSWORD = 4
_FIXED_PITCH = 1  # font descriptor flag: a monospaced font (code)
_FILE_NAME_TITLE = re.compile(r"^Microsoft (Word|PowerPoint) - |\.(docx?|odt|pptx?|rtf|txt|pdf|indd)$", re.I)
_WORD = re.compile(r"[^ \t\r\n\ufffe]+")


def read_pages(data: bytes, source: str, ocr: str = "never") -> tuple[list[Page], str | None, tuple[QualityWarning, ...], dict[int, bytes]]:
    """The pages, the metadata title, a ``page-without-text`` warning for each page that has
    something on it but no text (a scan) and is not to be OCR'd, and the images of the pages to
    OCR (page index → a greyscale PNG at OCR_DPI): with `ocr` ``auto`` the pages without text,
    with ``always`` also those whose text layer is garbage. No text and nothing to OCR: InputError."""
    if b"%PDF-" not in data[:1024]:
        raise InputError(source, "not a PDF file (no %PDF header)")
    if b"%%EOF" not in data[-2048:]:
        raise InputError(source, "truncated PDF (no end-of-file marker)")
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    with _PDFIUM:
        try:
            doc = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            if getattr(exc, "err_code", None) == _ERR_PASSWORD:
                raise InputError(source, "encrypted PDF: a password is needed") from exc
            raise InputError(source, f"corrupt PDF ({_pdfium_reason(exc)})") from exc
        try:
            pages, unread, scans = [], [], {}
            for index in range(len(doc)):
                page = doc[index]
                try:
                    rules = _page_rules(page)
                    lines = _page_lines(page, index, [r for r in rules if r.vertical])
                    text = " ".join(ln.text for ln in lines)
                    blank = not text.strip() and raw.FPDFPage_CountObjects(page.raw) > 0
                    if ocr != "never" and (blank or (ocr == "always" and garbage(text))):
                        scans[index] = _render(page)
                    elif blank:
                        unread.append(index)
                    pages.append(Page(index, page.get_width(), page.get_height(), lines, rules))
                finally:
                    page.close()
            meta_title = _meta_title(doc.get_metadata_dict().get("Title") or "")
        except pdfium.PdfiumError as exc:
            raise InputError(source, f"corrupt PDF ({_pdfium_reason(exc)})") from exc
        finally:
            doc.close()
    if not scans and not any(line.text.strip() for page in pages for line in page.lines):
        raise InputError(source, "no text layer (scanned PDF?) and --ocr never", "skipped-no-text")
    warnings = tuple(QualityWarning(None, "page-without-text", f"page {i + 1} of {len(pages)}") for i in unread)
    return pages, meta_title, warnings, scans


OCR_DPI = 300  # pages to OCR are rendered at this resolution
MAX_OCR_PIXELS = 40_000_000  # … unless that makes more pixels than this (a poster): then smaller
_WORDLIKE = re.compile(r"[^\W\d_]{3,}")
_VOWELS = set("aeiouyäöüàáâéèêíìîóòôúùûAEIOUYÄÖÜ")


def garbage(text: str) -> bool:
    """A text layer that is not text: mostly replacement or private-use characters, or words a
    bad OCR made (no vowel, case jumping inside the word: "Bcsch31d", "tHe", "Wdrsprch")."""
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return False
    odd = sum(c == "\ufffd" or "\ue000" <= c <= "\uf8ff" or ord(c) < 32 for c in chars)
    if odd > 0.1 * len(chars):
        return True
    words = _WORDLIKE.findall(text)
    if len(words) < 5:
        return False
    bad = sum(not (set(w) & _VOWELS) or any(a.islower() and b.isupper() for a, b in zip(w, w[1:])) for w in words)
    return bad > 0.3 * len(words)


def _render(page: Any) -> bytes:
    """The page as a greyscale PNG for OCR, dpi recorded (PNG: a long scanned PDF is not held in
    memory as raw pixels, 9 MB an A4 page)."""
    import io

    width, height = page.get_width(), page.get_height()
    scale = min(OCR_DPI / 72, (MAX_OCR_PIXELS / max(width * height, 1.0)) ** 0.5)
    image = page.render(scale=scale, grayscale=True).to_pil()
    buf = io.BytesIO()
    image.save(buf, "PNG", compress_level=1, dpi=(scale * 72, scale * 72))
    return buf.getvalue()


def _meta_title(title: str) -> str | None:
    """The metadata title, unless it is only the name of the file it was made from."""
    title = title.strip()
    if not title or _FILE_NAME_TITLE.search(title):
        return None
    return title


def _pdfium_reason(exc: Exception) -> str:
    match = re.search(r"PDFium: ([^)]*)", str(exc))
    return match.group(1) if match else str(exc).splitlines()[0]


# --------------------------------------------------------------------------------------------
# Ruling lines
# --------------------------------------------------------------------------------------------


def _page_rules(page: Any) -> list[Rule]:
    """The page's straight rules: thin path objects, and the edges of rectangles (cell borders).
    Only objects drawn on the page itself are looked at (not inside form XObjects)."""
    import pypdfium2.raw as raw

    count = raw.FPDFPage_CountObjects(page.raw)
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    rules: list[Rule] = []
    paths = 0
    for i in range(count):
        obj = raw.FPDFPage_GetObject(page.raw, i)
        if raw.FPDFPageObj_GetType(obj) != raw.FPDF_PAGEOBJ_PATH:
            continue
        paths += 1
        if paths > MAX_PATHS:
            return []
        if not raw.FPDFPath_GetDrawMode(obj, fill, stroke) or (fill.value == 0 and not stroke.value):
            continue  # drawn invisibly
        segments = raw.FPDFPath_CountSegments(obj)
        if segments > 6 or not raw.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
            continue
        curved = any(
            raw.FPDFPathSegment_GetType(raw.FPDFPath_GetPathSegment(obj, k)) == raw.FPDF_SEGMENT_BEZIERTO
            for k in range(segments)
        )
        if not curved:
            rules.extend(rules_of_box(left.value, bottom.value, right.value, top.value))
    return rules


def rules_of_box(left: float, bottom: float, right: float, top: float) -> list[Rule]:
    """A straight path's bounds → its rules: one for a thin line, four for a rectangle."""
    width, height = right - left, top - bottom
    if height <= THIN and width > THIN:
        return [Rule(False, (bottom + top) / 2, left, right)]
    if width <= THIN and height > THIN:
        return [Rule(True, (left + right) / 2, bottom, top)]
    if width >= MIN_BOX and height >= MIN_BOX:
        return [
            Rule(False, bottom, left, right), Rule(False, top, left, right),
            Rule(True, left, bottom, top), Rule(True, right, bottom, top),
        ]
    return []


# --------------------------------------------------------------------------------------------
# Character boxes → line fragments
# --------------------------------------------------------------------------------------------


def _page_lines(page: Any, index: int, walls: list[Rule]) -> list[Line]:
    """The page's line fragments. Boxes are asked for the first and last character of each word
    only (rows and column gaps change between words), which keeps PDFium calls few."""
    import pypdfium2.raw as raw

    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        text = textpage.get_text_range() if count else ""
        if len(text) != count:  # characters outside the BMP: ask one by one
            text = "".join(chr(raw.FPDFText_GetUnicode(textpage.raw, i)) for i in range(count))
        handle = textpage.raw
        left, right, bottom, top = (ctypes.c_double() for _ in range(4))
        flags = ctypes.c_int()
        words: list[tuple[str, str, tuple[float, float, float, float, float, bool]]] = []
        previous = 0
        for match in _WORD.finditer(text):
            first, last = match.start(), match.end() - 1
            raw.FPDFText_GetCharBox(handle, first, left, right, bottom, top)
            x0, x1, y0, y1 = left.value, right.value, bottom.value, top.value
            if last != first:
                raw.FPDFText_GetCharBox(handle, last, left, right, bottom, top)
                x1, y0, y1 = right.value, min(y0, bottom.value), max(y1, top.value)
            size = raw.FPDFText_GetFontSize(handle, first)
            raw.FPDFText_GetFontInfo(handle, first, None, 0, ctypes.byref(flags))
            mono = bool(flags.value & _FIXED_PITCH)
            words.append((text[previous:first], match.group(), (x0, x1, y0, y1, size, mono)))
            previous = match.end()
    finally:
        textpage.close()
    return build_lines(words, index, walls)


def build_lines(words: list[tuple[str, str, Any]], page: int, walls: Sequence[Rule] = ()) -> list[Line]:
    """Words (separator before, text, box: x0, x1, y0, y1, size[, monospaced]) → line fragments: a new one at a line break, a change
    of row, a gap wider than a column gutter, or a vertical rule between two words (table cells
    set close together); U+FFFE at a row change is a hyphenated line end."""
    lines: list[Line] = []
    text, boxes = "", []
    hyphen_at_end = False

    def close() -> None:
        nonlocal text, boxes, hyphen_at_end
        if boxes:
            sizes = [round(b[4], 1) for b in boxes]
            lines.append(
                Line(
                    page,
                    text,
                    min(b[0] for b in boxes),
                    max(b[1] for b in boxes),
                    min(b[2] for b in boxes),
                    max(b[3] for b in boxes),
                    max(sizes, key=sizes.count) if len(set(sizes)) > 1 else sizes[0],
                    hyphen_at_end,
                    mono=2 * sum(len(b) > 5 and b[5] for b in boxes) > len(boxes),
                )
            )
        text, boxes, hyphen_at_end = "", [], False

    walls = sorted(walls, key=lambda w: w.at)
    wall_xs = [w.at for w in walls]
    for sep, word, box in words:
        if boxes:
            last = boxes[-1]
            if "\r" in sep or "\n" in sep:
                close()
            elif "\ufffe" in sep and not sep.strip("\ufffe"):
                if _same_row(last, box):  # a soft hyphen inside a line: the word goes on
                    text += word
                    boxes.append(box)
                    continue
                hyphen_at_end = True
                close()
            elif (
                not _same_row(last, box)
                or box[0] - last[1] > COLUMN_GAP * max(box[4], 1.0)
                or _walled(last, box, walls, wall_xs)
            ):
                close()
        text += (" " if boxes else "") + word
        boxes.append(box)
    close()
    return lines


def _same_row(a: Any, b: Any) -> bool:
    size = max(a[4], b[4], 1.0)
    return abs((a[2] + a[3]) / 2 - (b[2] + b[3]) / 2) < 0.6 * size


def _walled(a: Any, b: Any, walls: Sequence[Rule], wall_xs: list[float]) -> bool:
    """A vertical rule stands between the start of word box `a` and the next word `b` (a word
    that runs over its cell's rule still ends the cell); `walls` sorted by x, `wall_xs` their x."""
    middle = (b[2] + b[3]) / 2
    return any(
        w.start <= middle <= w.end for w in walls[bisect_right(wall_xs, a[0]) : bisect_right(wall_xs, b[0] + 1.0)]
    )
