"""PDF (text layer, via pypdfium2) → paragraphs and markdown; the translation is written as markdown.

Lines are rebuilt from character boxes, then ordered (two-column pages: left column before right
column, band by band between full-width lines), cleaned (page headers/footers that repeat on many
pages and page numbers are dropped) and joined into paragraphs: end-of-line hyphenation is
undone (``Verein-`` + ``barung`` → ``Vereinbarung``; PDFium reports such hyphens as U+FFFE),
lines in a clearly larger font become headings (levels by size).
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, ClassVar

from summtrans.errors import InputError

from .base import Extracted, FormatBackend, Unit

__all__ = ["PdfBackend"]

HEADING_RATIO = 1.2  # a line this much larger than the body font is a heading
MARGIN_SHARE = 0.1  # top and bottom share of a page where headers, footers and page numbers live
REPEAT_SHARE = 0.5  # a margin line on at least this share of pages (and >= 2) is a running header/footer
COLUMN_GAP = 1.5  # a horizontal gap wider than this many font sizes splits a line (columns)
COLUMN_MIN_WIDTH = 0.25  # column lines are at least this share of the page width (median)
_PDFIUM = threading.Lock()  # PDFium is not thread-safe
_ERR_PASSWORD = 4
_HYPHENS = ("\ufffe", "\xad", "-")
_KEEP_HYPHEN_BEFORE = frozenset("und oder bis sowie als wie bzw. noch".split())  # "Vor- und Nachteile"
_PAGE_NUMBER = re.compile(r"^[\W_]*(?:seite|page|s\.)?\s*\d{1,4}\s*(?:(?:/|von|of)\s*\d{1,4})?[\W_]*$", re.I)
_BULLET = re.compile(r"^[•▪◦●·∙‣\-–*]\s+")
_LIST_START = re.compile(r"^(?:\d{1,3}[.)]|[a-z][.)])\s")
_SENTENCE_END = re.compile(r"[.!?:][\"'»«“”’)\]]*$")
_FILE_NAME_TITLE = re.compile(r"^Microsoft (Word|PowerPoint) - |\.(docx?|odt|pptx?|rtf|txt|pdf|indd)$", re.I)
_WORD = re.compile(r"[^ \t\r\n\ufffe]+")


@dataclass
class _Line:
    """A line fragment: text on one baseline, not crossing a column gap."""

    page: int
    text: str
    x0: float
    x1: float
    bottom: float  # PDF coordinates: y grows upwards
    top: float
    size: float  # font size (the most common among its characters)
    hyphenated: bool = False  # PDFium marked the line end as a hyphenation (U+FFFE)
    column: int = 0  # 0: full width or single column; 1 left, 2 right


@dataclass
class _Block:
    """A paragraph, list item or heading."""

    lines: list[_Line] = field(default_factory=list)
    kind: str = "paragraph"  # paragraph | heading | item
    level: int = 0  # heading level (1 = largest)
    text: str = ""


@dataclass
class _State:
    prefixes: list[str]  # per unit, its markdown prefix ("## ", "- " or "")


class PdfBackend(FormatBackend):
    """``.pdf`` with a text layer → markdown (``NAME.en.md``)."""

    name: ClassVar[str] = "pdf"
    suffixes: ClassVar[tuple[str, ...]] = (".pdf",)
    output_suffix: ClassVar[str] = ".md"

    def read(self, data: bytes, source: str) -> Extracted:
        blocks, meta_title = _pdf_blocks(data, source)
        units = [Unit(b.text, role="heading" if b.kind == "heading" else "paragraph") for b in blocks]
        prefixes = [_prefix(b) for b in blocks]
        title = next((b.text for b in blocks if b.kind == "heading" and b.level == 1), None) or meta_title
        return Extracted(units=units, state=_State(prefixes), title=title, markdown=_markdown(prefixes, units))

    def write(self, extracted: Extracted, translated: list[Unit]) -> bytes:
        if len(translated) != len(extracted.units):
            raise ValueError(f"expected {len(extracted.units)} translated units, got {len(translated)}")
        return (_markdown(extracted.state.prefixes, translated) + "\n").encode("utf-8")


def _prefix(block: _Block) -> str:
    if block.kind == "heading":
        return "#" * block.level + " "
    return "- " if block.kind == "item" else ""


def _markdown(prefixes: list[str], units: list[Unit]) -> str:
    out = []
    for prefix, unit in zip(prefixes, units):
        text = " ".join(unit.text.split())
        if not prefix and text[:1] in "#>":  # would read as markdown structure
            text = "\\" + text
        out.append(prefix + text)
    return "\n\n".join(out)


# --------------------------------------------------------------------------------------------
# Opening the document and reading character boxes
# --------------------------------------------------------------------------------------------


def _pdf_blocks(data: bytes, source: str) -> tuple[list[_Block], str | None]:
    """The document's paragraphs, list items and headings in reading order, and its metadata title."""
    if b"%PDF-" not in data[:1024]:
        raise InputError(source, "not a PDF file (no %PDF header)")
    if b"%%EOF" not in data[-2048:]:
        raise InputError(source, "truncated PDF (no end-of-file marker)")
    import pypdfium2 as pdfium

    with _PDFIUM:
        try:
            doc = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            if getattr(exc, "err_code", None) == _ERR_PASSWORD:
                raise InputError(source, "encrypted PDF: a password is needed") from exc
            raise InputError(source, f"corrupt PDF ({_pdfium_reason(exc)})") from exc
        try:
            pages = []
            for index in range(len(doc)):
                page = doc[index]
                try:
                    pages.append((page.get_width(), page.get_height(), _page_lines(page, index)))
                finally:
                    page.close()
            meta_title = _meta_title(doc.get_metadata_dict().get("Title") or "")
        except pdfium.PdfiumError as exc:
            raise InputError(source, f"corrupt PDF ({_pdfium_reason(exc)})") from exc
        finally:
            doc.close()
    if not any(line.text.strip() for _, _, lines in pages for line in lines):
        raise InputError(source, "no text layer (scanned PDF?) — OCR it first", "skipped-no-text")
    lines = _drop_running_lines(pages, _body_size([ln for _, _, page_lines in pages for ln in page_lines]))
    ordered = [line for width, _, page_lines in pages for line in _reading_order(page_lines, width, lines)]
    return _blocks(ordered), meta_title


def _meta_title(title: str) -> str | None:
    """The metadata title, unless it is only the name of the file it was made from."""
    title = title.strip()
    if not title or _FILE_NAME_TITLE.search(title):
        return None
    return title


def _pdfium_reason(exc: Exception) -> str:
    match = re.search(r"PDFium: ([^)]*)", str(exc))
    return match.group(1) if match else str(exc).splitlines()[0]


def _page_lines(page: Any, index: int) -> list[_Line]:
    """The page's line fragments. Boxes are asked for the first and last character of each word
    only (rows and column gaps change between words), which keeps PDFium calls few."""
    import ctypes

    import pypdfium2.raw as raw

    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        text = textpage.get_text_range() if count else ""
        if len(text) != count:  # characters outside the BMP: ask one by one
            text = "".join(chr(raw.FPDFText_GetUnicode(textpage.raw, i)) for i in range(count))
        handle = textpage.raw
        left, right, bottom, top = (ctypes.c_double() for _ in range(4))
        words: list[tuple[str, str, tuple[float, float, float, float, float]]] = []
        previous = 0
        for match in _WORD.finditer(text):
            first, last = match.start(), match.end() - 1
            raw.FPDFText_GetCharBox(handle, first, left, right, bottom, top)
            x0, x1, y0, y1 = left.value, right.value, bottom.value, top.value
            if last != first:
                raw.FPDFText_GetCharBox(handle, last, left, right, bottom, top)
                x1, y0, y1 = right.value, min(y0, bottom.value), max(y1, top.value)
            size = raw.FPDFText_GetFontSize(handle, first)
            words.append((text[previous:first], match.group(), (x0, x1, y0, y1, size)))
            previous = match.end()
    finally:
        textpage.close()
    return _build_lines(words, index)


def _build_lines(words: list[tuple[str, str, Any]], page: int) -> list[_Line]:
    """Words (separator before, text, box) → line fragments: a new one at a line break, a change
    of row, or a gap wider than a column gutter; U+FFFE at a row change is a hyphenated line end."""
    lines: list[_Line] = []
    text, boxes = "", []
    hyphen_at_end = False

    def close() -> None:
        nonlocal text, boxes, hyphen_at_end
        if boxes:
            sizes = Counter(round(b[4], 1) for b in boxes)
            lines.append(
                _Line(
                    page,
                    text,
                    min(b[0] for b in boxes),
                    max(b[1] for b in boxes),
                    min(b[2] for b in boxes),
                    max(b[3] for b in boxes),
                    sizes.most_common(1)[0][0],
                    hyphen_at_end,
                )
            )
        text, boxes, hyphen_at_end = "", [], False

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
            elif not _same_row(last, box) or box[0] - last[1] > COLUMN_GAP * max(box[4], 1.0):
                close()
        text += (" " if boxes else "") + word
        boxes.append(box)
    close()
    return lines


def _same_row(a: Any, b: Any) -> bool:
    size = max(a[4], b[4], 1.0)
    return abs((a[2] + a[3]) / 2 - (b[2] + b[3]) / 2) < 0.6 * size


# --------------------------------------------------------------------------------------------
# Page furniture and reading order
# --------------------------------------------------------------------------------------------


def _median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def _body_size(lines: list[_Line]) -> float:
    """The font size most of the text is set in."""
    weights: Counter[float] = Counter()
    for line in lines:
        weights[line.size] += len(line.text)
    return weights.most_common(1)[0][0] if weights else 0.0


def _drop_running_lines(pages: list[tuple[float, float, list[_Line]]], body: float) -> set[int]:
    """Ids of the lines to keep: running headers/footers and page numbers in the margins go
    (a heading-size line that repeats, "Abschnitt 1", "Abschnitt 2"…, is content)."""
    in_margin: dict[int, bool] = {}
    keys: dict[int, str] = {}
    seen: Counter[str] = Counter()
    for _, height, lines in pages:
        page_keys = set()
        for line in lines:
            margin = line.bottom > height * (1 - MARGIN_SHARE) or line.top < height * MARGIN_SHARE
            in_margin[id(line)] = margin
            if margin and line.size < HEADING_RATIO * body:
                keys[id(line)] = re.sub(r"\d+", "#", line.text.lower()).strip()
                page_keys.add(keys[id(line)])
        seen.update(page_keys)
    needed = max(2, math.ceil(REPEAT_SHARE * len(pages)))
    keep = set()
    for _, _, lines in pages:
        for line in lines:
            if in_margin[id(line)] and (_PAGE_NUMBER.match(line.text) or seen[keys.get(id(line), "")] >= needed):
                continue
            keep.add(id(line))
    return keep


def _reading_order(lines: list[_Line], width: float, keep: set[int]) -> list[_Line]:
    """Top to bottom; where a page has two columns, each band's left column before its right."""
    lines = sorted((ln for ln in lines if id(ln) in keep), key=lambda ln: (-round(ln.top), ln.x0))
    gutter = _gutter(lines, width)
    if gutter is None:
        return lines
    out: list[_Line] = []
    band: list[_Line] = []
    for line in lines + [None]:  # type: ignore[list-item]
        if line is None or (line.x0 < gutter < line.x1):
            for side in (1, 2):
                out.extend(ln for ln in band if ln.column == side)
            band = []
            if line is not None:
                out.append(line)
            continue
        line.column = 1 if line.x1 <= gutter else 2
        band.append(line)
    return out


def _gutter(lines: list[_Line], width: float) -> float | None:
    """The x of a column gutter: crossed by few lines, with at least 3 lines of running text
    (median width >= COLUMN_MIN_WIDTH of the page) on each side; short cells of a table or a
    form ("Name:" … "Datum:") are not columns."""
    best: tuple[int, float, float] | None = None
    for step in range(31):
        x = width * (0.3 + 0.4 * step / 30)
        crossing = sum(ln.x0 < x < ln.x1 for ln in lines)
        left = [ln.x1 - ln.x0 for ln in lines if ln.x1 <= x]
        right = [ln.x1 - ln.x0 for ln in lines if ln.x0 >= x]
        if (
            len(left) >= 3
            and len(right) >= 3
            and crossing < min(len(left), len(right))
            and min(_median(left), _median(right)) >= COLUMN_MIN_WIDTH * width
        ):
            candidate = (crossing, abs(x - width / 2), x)
            best = candidate if best is None or candidate < best else best
    return best[2] if best else None


# --------------------------------------------------------------------------------------------
# Lines → paragraphs
# --------------------------------------------------------------------------------------------


def _blocks(lines: list[_Line]) -> list[_Block]:
    if not lines:
        return []
    body = _body_size(lines)
    big = sorted({ln.size for ln in lines if ln.size >= HEADING_RATIO * body}, reverse=True)
    leads = [
        a.bottom - b.bottom
        for a, b in zip(lines, lines[1:])
        if a.page == b.page and a.column == b.column and a.size == b.size == body and 0 < a.bottom - b.bottom < 3 * body
    ]
    lead = sorted(leads)[len(leads) // 2] if leads else 1.2 * body
    right_edge = _right_edges(lines)
    blocks: list[_Block] = []
    for prev, line in zip([None, *lines], lines):
        heading = line.size in big
        kind = "heading" if heading else "paragraph"
        if prev is not None and blocks and not _starts_block(prev, line, blocks[-1], heading, lead, right_edge):
            blocks[-1].lines.append(line)
            continue
        block = _Block([line], kind, big.index(line.size) + 1 if heading else 0)
        if not heading and _BULLET.match(line.text):
            block.kind = "item"
        blocks.append(block)
    for block in blocks:
        block.text = _join(block.lines)
        if block.kind == "item":
            block.text = _BULLET.sub("", block.text, count=1)
    return [b for b in blocks if b.text.strip()]


def _right_edges(lines: list[_Line]) -> dict[tuple[int, int], float]:
    edges: dict[tuple[int, int], float] = {}
    for line in lines:
        key = (line.page, line.column)
        edges[key] = max(edges.get(key, 0.0), line.x1)
    return edges


def _starts_block(
    prev: _Line, line: _Line, block: _Block, heading: bool, lead: float, right_edge: dict[tuple[int, int], float]
) -> bool:
    if heading or block.kind == "heading":
        same = heading and block.kind == "heading" and line.size == prev.size
        return not (same and line.page == prev.page and 0 < prev.bottom - line.bottom < 2 * line.size)
    if abs(line.size - prev.size) > 0.15 * prev.size:
        return True
    if _BULLET.match(line.text) or _LIST_START.match(line.text):
        return True
    step = prev.bottom - line.bottom
    if line.page != prev.page or line.column != prev.column or step <= 0:
        # A column or page break: the paragraph goes on unless the previous line ended a sentence.
        return bool(_SENTENCE_END.search(prev.text)) and not prev.hyphenated
    if step > 1.4 * lead:
        return True
    edge = right_edge.get((prev.page, prev.column), prev.x1)
    width = max(edge - min(ln.x0 for ln in block.lines), 1.0)
    return bool(_SENTENCE_END.search(prev.text)) and prev.x1 < edge - 0.2 * width


def _capitalised(word: str) -> bool:
    """Starts with a capital and is not all capitals (an all-caps line breaks words in capitals)."""
    return word[:1].isupper() and not word.isupper()


def _join(lines: list[_Line]) -> str:
    """One paragraph's lines as one line of text, end-of-line hyphenation undone."""
    text = lines[0].text.strip()
    for prev, line in zip(lines, lines[1:]):
        part = line.text.strip()
        first_word = part.split(" ", 1)[0]
        keep = first_word in _KEEP_HYPHEN_BEFORE  # "Vor- und Nachteile"
        hyphen = text.endswith(_HYPHENS) and len(text) > 1 and text[-2].isalpha()
        if prev.hyphenated:  # PDFium took the hyphen away: a capital after it was a real one ("Max-Planck")
            text += ("- " if keep else "-" if _capitalised(first_word) else "") + part
        elif hyphen and part[:1].islower() and not keep:
            text = text[:-1] + part
        elif hyphen and text.endswith("-"):  # "Max-" + "Planck-Institut"
            text += (" " if keep else "") + part
        else:
            text += " " + part
    return text.replace("\ufffe", "").replace("\xad", "")
