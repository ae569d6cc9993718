"""Line fragments → blocks in reading order: page furniture dropped, tables found (tables.py),
two-column pages read column by column, lines joined into paragraphs, list items and headings.

Ordering: two-column pages give the left column before the right, band by band between
full-width lines. Cleaning: page headers/footers that repeat on many pages and page numbers go.
Joining: end-of-line hyphenation is undone (``Verein-`` + ``barung`` → ``Vereinbarung``; PDFium
reports such hyphens as U+FFFE); lines in a clearly larger font become headings (levels by size).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from .model import Line, Page, Table
from .tables import TOL, find_tables

HEADING_RATIO = 1.2  # a line this much larger than the body font is a heading
MARGIN_SHARE = 0.1  # top and bottom share of a page where headers, footers and page numbers live
REPEAT_SHARE = 0.5  # a margin line on at least this share of pages (and >= 2) is a running header/footer
COLUMN_MIN_WIDTH = 0.25  # column lines are at least this share of the page width (median)
_HYPHENS = ("\ufffe", "\xad", "-")
_KEEP_HYPHEN_BEFORE = frozenset("und oder bis sowie als wie bzw. noch".split())  # "Vor- und Nachteile"
# "Seite 2 von 5", "- 3 -", "4/7"; OCR reads a small 1 as l or I ("Seite 1lvon1l").
PAGE_NUMBER = re.compile(r"^(?=.*\d)[\W_]*(?:seite|page|s\.)?\s*[\dlI|]{1,4}\s*(?:(?:/|von|of)\s*[\dlI|]{1,4})?[\W_]*$", re.I)
_BULLET = re.compile(r"^[•▪◦●·∙‣\-–*]\s+")
_LIST_START = re.compile(r"^(?:\d{1,3}[.)]|[a-z][.)])\s")
_LEADERS = re.compile(r"(?:\s*\.){4,}\s*$")  # a table of contents' dots before the page number
_SENTENCE_END = re.compile(r"[.!?:][\"'»«“”’)\]]*$")


@dataclass
class Block:
    """A paragraph, list item, heading or table."""

    lines: list[Line] = field(default_factory=list)
    kind: str = "paragraph"  # paragraph | heading | item | table
    level: int = 0  # heading level (1 = largest)
    text: str = ""
    cells: list[list[str]] = field(default_factory=list)  # a table's cell texts, row by row ("" empty)
    table: Table | None = None


def document_blocks(pages: list[Page]) -> list[Block]:
    """The document's paragraphs, list items, headings and tables in reading order."""
    body = _body_size([ln for page in pages for ln in page.lines])
    keep = _drop_running_lines(pages, body)
    ordered: list[Line] = []
    for page in pages:
        rest, stand_ins = find_tables([ln for ln in page.lines if ln in keep], page.rules, page.width, body)
        ordered += _flatten(_reading_order(rest + stand_ins, page.width))
    return _joined_tables(_blocks(ordered))


# --------------------------------------------------------------------------------------------
# Page furniture and reading order
# --------------------------------------------------------------------------------------------


def _median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def _body_size(lines: list[Line]) -> float:
    """The font size most of the text is set in."""
    weights: Counter[float] = Counter()
    for line in lines:
        weights[line.size] += len(line.text)
    return weights.most_common(1)[0][0] if weights else 0.0


def _drop_running_lines(pages: list[Page], body: float) -> set[Line]:
    """The lines to keep: running headers/footers and page numbers in the margins go (a
    heading-size line that repeats, "Abschnitt 1", "Abschnitt 2"…, is content)."""
    in_margin: dict[Line, bool] = {}
    keys: dict[Line, str] = {}
    seen: Counter[str] = Counter()
    for page in pages:
        page_keys = set()
        for line in page.lines:
            margin = line.bottom > page.height * (1 - MARGIN_SHARE) or line.top < page.height * MARGIN_SHARE
            in_margin[line] = margin
            if margin and line.size < HEADING_RATIO * body:
                keys[line] = re.sub(r"\d+", "#", line.text.lower()).strip()
                page_keys.add(keys[line])
        seen.update(page_keys)
    needed = max(2, math.ceil(REPEAT_SHARE * len(pages)))
    return {
        line
        for page in pages
        for line in page.lines
        if not (in_margin[line] and (PAGE_NUMBER.match(line.text) or seen[keys.get(line, "")] >= needed))
    }


def _reading_order(lines: list[Line], width: float) -> list[Line]:
    """Top to bottom; where a page has two columns, each band's left column before its right."""
    lines = sorted(lines, key=lambda ln: (-round(ln.top), ln.x0))
    gutter = _gutter(lines, width)
    if gutter is None:
        return lines
    out: list[Line] = []
    band: list[Line] = []
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


def _gutter(lines: list[Line], width: float) -> float | None:
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


def _flatten(lines: list[Line]) -> list[Line]:
    """A group's lines in its place, as a block of their own."""
    out: list[Line] = []
    after = False
    for line in lines:
        if line.group is None:
            line.fresh = line.fresh or after
            out.append(line)
            after = False
            continue
        for k, member in enumerate(line.group):
            member.column, member.fresh = line.column, k == 0
            out.append(member)
        after = True
    return out


# --------------------------------------------------------------------------------------------
# Lines → paragraphs and tables
# --------------------------------------------------------------------------------------------


def _blocks(lines: list[Line]) -> list[Block]:
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
    blocks: list[Block] = []
    for prev, line in zip([None, *lines], lines):
        if line.table is not None:
            if line.table.caption:
                blocks.append(Block(line.table.caption))
            blocks.append(Block([line], "table", table=line.table))
            continue
        heading = line.size in big
        kind = "heading" if heading else "paragraph"
        if (
            prev is not None
            and blocks
            and prev.table is None
            and not line.fresh
            and not _starts_block(prev, line, blocks[-1], heading, lead, right_edge)
        ):
            blocks[-1].lines.append(line)
            continue
        block = Block([line], kind, big.index(line.size) + 1 if heading else 0)
        if not heading and _BULLET.match(line.text):
            block.kind = "item"
        blocks.append(block)
    for block in blocks:
        if block.table is not None:
            block.cells = [[_join(cell) if cell else "" for cell in row] for row in block.table.rows]
            continue
        block.text = _join(block.lines)
        if block.kind == "item":
            block.text = _BULLET.sub("", block.text, count=1)
    return [b for b in blocks if b.text.strip() or b.table is not None]


def _joined_tables(blocks: list[Block]) -> list[Block]:
    """A table that goes on at the top of the next page (same columns) is one table; a header
    row repeated there is dropped."""
    out: list[Block] = []
    for block in blocks:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.table is not None
            and block.table is not None
            and not block.table.caption
            and block.lines[0].page == prev.lines[0].page + 1
            and len(block.table.edges) == len(prev.table.edges)
            and all(abs(a - b) <= 2 * TOL for a, b in zip(block.table.edges, prev.table.edges))
        ):
            repeated = block.cells[0] == prev.cells[0]
            prev.cells += block.cells[1:] if repeated else block.cells
            assert prev.table is not None and block.table is not None
            prev.table.rows = prev.table.rows + (block.table.rows[1:] if repeated else block.table.rows)
            if repeated:  # its German stays on the page unless the writer knows it
                prev.table.repeats.append(block.table.rows[0])
            prev.lines = block.lines  # the page it now ends on
            continue
        out.append(block)
    return out


def _right_edges(lines: list[Line]) -> dict[tuple[int, int], float]:
    edges: dict[tuple[int, int], float] = {}
    for line in lines:
        key = (line.page, line.column)
        edges[key] = max(edges.get(key, 0.0), line.x1)
    return edges


def _starts_block(
    prev: Line, line: Line, block: Block, heading: bool, lead: float, right_edge: dict[tuple[int, int], float]
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


def _join(lines: list[Line]) -> str:
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
    return _LEADERS.sub("", text.replace("\ufffe", "").replace("\xad", ""))
