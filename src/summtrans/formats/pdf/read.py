"""Reading a PDF with PDFium: each page's line fragments (rebuilt from character boxes) and ruling
lines (from its path objects), the metadata title, and the pages to OCR (rendered) or, with
``--ocr never``, a warning for each page without text.

For writing the English back, each word also keeps how it was drawn (`model.Ink`: its page
objects, font, size, colour), each page the boxes of its other objects, and each font which
characters it can set and how wide they are (`model.Font`)."""

from __future__ import annotations

import ctypes
import re
import threading
from dataclasses import dataclass, field
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from typing import Any

from summtrans.errors import InputError
from summtrans.faithful.quality import QualityWarning

from .model import Font, Ink, Line, Page, Rule, Style

COLUMN_GAP = 1.5  # a horizontal gap wider than this many font sizes splits a line (columns)
THIN = 2.5  # pt: a path at most this thick (and longer) is a ruling line
MIN_BOX = 6.0  # pt: a rectangle smaller than this either way is a mark, not a cell's border
MAX_PATHS = 3000  # a page with more path objects is a drawing: its rules are not looked at
PDFIUM = threading.Lock()  # PDFium is not thread-safe: every call holds it
_ERR_PASSWORD = 4
_FIXED_PITCH = 1  # font descriptor flags: a monospaced font (code), serifs, italic, bold
_SERIF = 2
_ITALIC = 64
_FORCE_BOLD = 1 << 18
_PERMIT_MODIFY = 8  # permission bit: the contents may be changed
_ROTATED = 0.02  # radians: a character set at a larger angle is rotated text
_MAX_SHAPES = 5000  # more objects than this on a page: it is crowded, the English does not grow there
# What a font that is not embedded (PDFium sets it with a standard font) can set: Western text.
_ALPHABET = "".join(map(chr, range(0x20, 0x7F))) + "".join(map(chr, range(0xA0, 0x100))) + "–—‘’‚“”„•…€‰′″−×ŒœŠšŽžŸ"
_FILE_NAME_TITLE = re.compile(r"^Microsoft (Word|PowerPoint) - |\.(docx?|odt|pptx?|rtf|txt|pdf|indd)$", re.I)
_WORD = re.compile(r"[^ \t\r\n\ufffe]+")


@dataclass
class Reading:
    """A PDF as read: its pages, title, warnings, fonts, why it cannot be edited (if so), and
    the images of the pages to OCR."""

    pages: list[Page]
    title: str | None
    warnings: tuple[QualityWarning, ...]
    fonts: dict[str, Font]
    locked: str | None = None  # why PDFium may not change it (its permissions); None: editable
    scans: dict[int, bytes] = field(default_factory=dict)  # page index → a greyscale PNG at OCR_DPI


def read_pages(data: bytes, source: str, ocr: str = "never") -> Reading:
    """The pages, the metadata title, a ``page-without-text`` warning for each page that has
    something on it but no text (a scan) and is not to be OCR'd, and the images of the pages to
    OCR: with `ocr` ``auto`` the pages without text, with ``always`` also those whose text layer
    is garbage. No text and nothing to OCR: InputError."""
    if b"%PDF-" not in data[:1024]:
        raise InputError(source, "not a PDF file (no %PDF header)")
    if b"%%EOF" not in data[-2048:]:
        raise InputError(source, "truncated PDF (no end-of-file marker)")
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    with PDFIUM:
        try:
            doc = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            if getattr(exc, "err_code", None) == _ERR_PASSWORD:
                raise InputError(source, "encrypted PDF: a password is needed") from exc
            raise InputError(source, f"corrupt PDF ({_pdfium_reason(exc)})") from exc
        try:
            pages, unread, scans = [], [], {}
            fonts: dict[str, Font] = {}
            for index in range(len(doc)):
                page = doc[index]
                try:
                    rules, shapes, owners, texts = _page_objects(page)
                    lines = _page_lines(page, index, [r for r in rules if r.vertical], owners, fonts)
                    text = " ".join(ln.text for ln in lines)
                    blank = not text.strip() and raw.FPDFPage_CountObjects(page.raw) > 0
                    if ocr != "never" and (blank or (ocr == "always" and garbage(text))):
                        scans[index] = _render(page)
                    elif blank:
                        unread.append(index)
                    pages.append(Page(index, page.get_width(), page.get_height(), lines, rules, shapes, texts))
                finally:
                    page.close()
            meta_title = _meta_title(doc.get_metadata_dict().get("Title") or "")
            locked = _locked(doc.raw)
        except pdfium.PdfiumError as exc:
            raise InputError(source, f"corrupt PDF ({_pdfium_reason(exc)})") from exc
        finally:
            doc.close()
    if not scans and not any(line.text.strip() for page in pages for line in page.lines):
        raise InputError(source, "no text layer (scanned PDF?) and --ocr never", "skipped-no-text")
    warnings = tuple(QualityWarning(None, "page-without-text", f"page {i + 1} of {len(pages)}") for i in unread)
    return Reading(pages, meta_title, warnings, fonts, locked, scans)


def _locked(doc: Any) -> str | None:
    """Why the document may not be changed: encrypted with permissions that forbid it."""
    import pypdfium2.raw as raw

    if raw.FPDF_GetSecurityHandlerRevision(doc) < 0:
        return None
    if raw.FPDF_GetDocPermissions(doc) & _PERMIT_MODIFY:
        return None
    return "its permissions forbid changes (encrypted with an owner password)"


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


def _page_objects(page: Any) -> tuple[list[Rule], list[tuple[float, float, float, float]], dict[int, int], list[int]]:
    """The page's straight rules (thin path objects, and the edges of rectangles: cell borders),
    the boxes of its objects other than text (images, paths, forms), the index of each
    top-level object by its address, and the indices of its text objects. Only objects drawn on
    the page itself are looked at."""
    import pypdfium2.raw as raw

    count = raw.FPDFPage_CountObjects(page.raw)
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    rules: list[Rule] = []
    shapes: list[tuple[float, float, float, float]] = []
    owners: dict[int, int] = {}
    texts: list[int] = []
    paths = 0
    for i in range(count):
        obj = raw.FPDFPage_GetObject(page.raw, i)
        owners[_address(obj)] = i
        kind = raw.FPDFPageObj_GetType(obj)
        if kind == raw.FPDF_PAGEOBJ_TEXT:
            texts.append(i)
            continue
        if len(shapes) <= _MAX_SHAPES and raw.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
            shapes.append((left.value, bottom.value, right.value, top.value))
        if kind != raw.FPDF_PAGEOBJ_PATH:
            continue
        paths += 1
        if paths > MAX_PATHS:
            rules = []  # a drawing: no rules (and no more shapes than _MAX_SHAPES)
            continue
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
    if paths > MAX_PATHS:
        rules = []
    if len(shapes) > _MAX_SHAPES:  # crowded: one box over the whole page stands for them all
        shapes = [(-1.0, -1.0, page.get_width() + 1, page.get_height() + 1)]
    return rules, shapes, owners, texts


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


def _page_lines(page: Any, index: int, walls: list[Rule], owners: dict[int, int], fonts: dict[str, Font]) -> list[Line]:
    """The page's line fragments. Boxes are asked for the first and last character of each word
    only (rows and column gaps change between words), which keeps PDFium calls few; so are the
    page objects a word was drawn by (all its characters only where those two differ), and the
    baseline and angle of each line's first character."""
    import pypdfium2.raw as raw

    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        text = textpage.get_text_range() if count else ""
        if len(text) != count:  # characters outside the BMP: ask one by one
            text = "".join(chr(raw.FPDFText_GetUnicode(textpage.raw, i)) for i in range(count))
        handle = textpage.raw
        left, right, bottom, top = (ctypes.c_double() for _ in range(4))
        char_box, font_size, text_object = raw.FPDFText_GetCharBox, raw.FPDFText_GetFontSize, raw.FPDFText_GetTextObject
        is_generated = raw.FPDFText_IsGenerated
        styles = _Styles(fonts, owners)
        words: list[tuple[str, str, tuple[Any, ...]]] = []
        previous = 0
        for match in _WORD.finditer(text):
            first, last = match.start(), match.end() - 1
            char_box(handle, first, left, right, bottom, top)
            x0, x1, y0, y1 = left.value, right.value, bottom.value, top.value
            size = font_size(handle, first)
            obj = text_object(handle, first)
            if last != first:
                char_box(handle, last, left, right, bottom, top)
                x1, y0, y1 = right.value, min(y0, bottom.value), max(y1, top.value)
                end = text_object(handle, last)
                if _address(end) != _address(obj):
                    ink, mono = styles.many(obj, [text_object(handle, k) for k in range(first, last + 1)], size)
                else:
                    ink, mono = styles.of(obj, size)
            else:
                ink, mono = styles.of(obj, size)
            if len(ink.objects) == 1:  # the word's characters are in its font
                styles.saw(ink.style.font, match.group())
                sep = text[previous:first]
                font = styles.fonts.get(ink.style.font)
                at = sep.find(" ")
                if at >= 0 and font is not None and " " not in font.widths and not is_generated(handle, previous + at):
                    styles.saw(ink.style.font, " ")  # a space drawn, not one PDFium made up for a gap
            words.append((text[previous:first], match.group(), (x0, x1, y0, y1, size, mono, ink, first)))
            previous = match.end()
        lines = build_lines(words, index, walls)
        x, y = ctypes.c_double(), ctypes.c_double()
        for line in lines:
            if line.char >= 0 and raw.FPDFText_GetCharOrigin(handle, line.char, x, y):
                line.base, line.origin = y.value, x.value
                line.rotated = abs(raw.FPDFText_GetCharAngle(handle, line.char)) > _ROTATED
    finally:
        textpage.close()
    return lines


def _address(obj: Any) -> int:
    return ctypes.addressof(obj.contents) if obj else 0


class _Styles:
    """The ink of words drawn by a text object (one instance per object and size), and its
    font's `model.Font` in `fonts`."""

    def __init__(self, fonts: dict[str, Font], owners: dict[int, int]) -> None:
        self.fonts = fonts
        self.owners = owners
        self.by_object: dict[tuple[int, float], tuple[Ink, bool]] = {}
        self.by_font: dict[int, tuple[Font, bool]] = {}  # by address: the font, and its fixed-pitch flag
        self.styles: dict[Style, Style] = {}  # one instance of each
        self.inks: dict[tuple[tuple[int, ...], Style, bool], Ink] = {}
        self.rgba = [ctypes.c_uint() for _ in range(4)]
        self.handles: dict[str, Any] = {}  # font name → its handle on this page

    def of(self, obj: Any, size: float) -> tuple[Ink, bool]:
        address = _address(obj)
        key = (address, size)
        got = self.by_object.get(key)
        if got is None:
            style, mono = self._style(obj, size)
            index = self.owners.get(address, -1)
            got = self.by_object[key] = (self._ink((index,) if index >= 0 else (), style, index < 0), mono)
        return got

    def many(self, first: Any, objects: list[Any], size: float) -> tuple[Ink, bool]:
        """A word drawn by several objects: the first one's style, all their indices."""
        ink, mono = self.of(first, size)
        indices = {self.owners.get(_address(o), -1) for o in objects}
        return self._ink(tuple(sorted(i for i in indices if i >= 0)), ink.style, -1 in indices), mono

    def _ink(self, objects: tuple[int, ...], style: Style, in_form: bool) -> Ink:
        key = (objects, style, in_form)
        ink = self.inks.get(key)
        if ink is None:
            ink = self.inks[key] = Ink(objects, style, in_form)
        return ink

    def _style(self, obj: Any, size: float) -> tuple[Style, bool]:
        import pypdfium2.raw as raw

        font, fixed = self._font(raw.FPDFTextObj_GetFont(obj)) if obj else (Font("", {}), False)
        color = (0, 0, 0, 255)
        if obj and raw.FPDFPageObj_GetFillColor(obj, *self.rgba):
            color = tuple(c.value for c in self.rgba)  # type: ignore[assignment]
        mode = max(0, raw.FPDFTextObj_GetTextRenderMode(obj)) if obj else 0
        style = Style(font.name, round(size, 2), font.bold, font.italic, color, mode)
        return self.styles.setdefault(style, style), fixed

    def _font(self, handle: Any) -> tuple[Font, bool]:
        import pypdfium2.raw as raw

        key = _address(handle)
        got = self.by_font.get(key)
        if got is not None:
            return got
        flags = raw.FPDFFont_GetFlags(handle)
        buffer = ctypes.create_string_buffer(256)
        raw.FPDFFont_GetBaseFontName(handle, buffer, len(buffer))
        name = buffer.value.decode("latin-1", "replace")
        font = self.fonts.get(name)
        if font is None:
            plain = name.split("+", 1)[-1].lower()
            widths: dict[str, float] = {}
            if not raw.FPDFFont_GetIsEmbedded(handle):
                _measure(handle, _ALPHABET, widths)
            font = self.fonts[name] = Font(
                name,
                widths,
                serif=bool(flags & _SERIF) or any(w in plain for w in ("times", "serif", "roman", "georgia", "garamond")),
                mono=bool(flags & _FIXED_PITCH) or any(w in plain for w in ("mono", "courier", "typewriter")),
                bold=raw.FPDFFont_GetWeight(handle) >= 600 or bool(flags & _FORCE_BOLD)
                or any(w in plain for w in ("bold", "black", "heavy", "semibold", "demi")),
                italic=bool(flags & _ITALIC) or any(w in plain for w in ("italic", "oblique")),
            )
        got = self.by_font[key] = (font, bool(flags & _FIXED_PITCH))
        self.handles[name] = handle
        return got

    def saw(self, name: str, text: str) -> None:
        """Characters drawn in the font `name` on this page: it can set them (an embedded font
        is mostly a subset: only what was drawn in it is known to be in it)."""
        font = self.fonts.get(name)
        if font is not None and name in self.handles:
            new = [c for c in text if c not in font.widths]
            if new:
                _measure(self.handles[name], new, font.widths)


def _measure(handle: Any, chars: Iterable[str], widths: dict[str, float]) -> None:
    """The advance widths (per 1000 units of the size) of `chars` a font has, into `widths`."""
    import pypdfium2.raw as raw

    width = ctypes.c_float()
    for char in chars:
        if raw.FPDFFont_GetGlyphWidth(handle, ord(char), 1000.0, width) and (width.value > 0 or char == " "):
            widths[char] = width.value


def build_lines(words: list[tuple[str, str, Any]], page: int, walls: Sequence[Rule] = ()) -> list[Line]:
    """Words (separator before, text, box: x0, x1, y0, y1, size[, monospaced[, ink, first character's
    index]]) → line fragments: a new one at a line break, a change
    of row, a gap wider than a column gutter, or a vertical rule between two words (table cells
    set close together); U+FFFE at a row change is a hyphenated line end."""
    lines: list[Line] = []
    text, boxes, inks = "", [], []
    hyphen_at_end = False

    def close() -> None:
        nonlocal text, boxes, inks, hyphen_at_end
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
                    ink=tuple(inks),
                    char=boxes[0][7] if len(boxes[0]) > 7 else -1,
                )
            )
        text, boxes, inks, hyphen_at_end = "", [], [], False

    walls = sorted(walls, key=lambda w: w.at)
    wall_xs = [w.at for w in walls]
    spread = _justified(words)
    for k, (sep, word, box) in enumerate(words):
        if boxes:
            last = boxes[-1]
            if "\r" in sep or "\n" in sep:
                close()
            elif "\ufffe" in sep and not sep.strip("\ufffe"):
                if _same_row(last, box):  # a soft hyphen inside a line: the word goes on
                    if len(box) > 6:
                        inks.append((len(text), box[6]))
                    text += word
                    boxes.append(box)
                    continue
                hyphen_at_end = True
                close()
            elif (
                not _same_row(last, box)
                or (box[0] - last[1] > COLUMN_GAP * max(box[4], 1.0) and k not in spread)
                or _walled(last, box, walls, wall_xs)
            ):
                close()
        text += " " if boxes else ""
        if len(box) > 6:
            inks.append((len(text), box[6]))
        text += word
        boxes.append(box)
    close()
    return lines


def _justified(words: list[tuple[str, str, Any]]) -> set[int]:
    """The words after a gap of a justified line: one text object drawing three words or more
    on a row with gaps all alike (a narrow column's wide spaces, not a gutter between columns)."""
    out: set[int] = set()
    start = 0
    for end in range(1, len(words) + 1):
        if end < len(words):
            a, b = words[end - 1][2], words[end][2]
            same = (len(a) > 6 and len(b) > 6 and a[6].objects and a[6].objects == b[6].objects
                    and len(a[6].objects) == 1 and "\n" not in words[end][0] and _same_row(a, b))
            if same:
                continue
        if end - start >= 3:
            gaps = [words[k][2][0] - words[k - 1][2][1] for k in range(start + 1, end)]
            size = max(words[start][2][4], 1.0)
            if max(gaps) > COLUMN_GAP * size and max(gaps) - min(gaps) < 0.25 * size:  # side bearings aside
                out.update(range(start + 1, end))
        start = end
    return out


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
