"""The English of a scanned page (read by OCR): the scan has no German text objects to take out,
so it stays as it is and its English is set on a text page of the same size, which follows it
(``layout``) or stands beside it (``bilingual``, ``interleaved``).

The text page is plain and readable rather than a copy of the scan's layout: the page's units in
reading order, each wrapped into the scan's text area (as wide as the OCR'd words' extent,
centred on the page) by `fit`; a table row's cells side by side in columns as wide as the
table's. Everything on the page is set at one scale, the largest (down to MIN_SCALE) at which
the English fits the area; below that it runs over (``pdf-overflow``). Pure: boxes and strings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from . import fit
from .model import Page, Style

MARGIN = 36.0  # pt: the least margin of the text area
MIN_SIZE, MAX_SIZE = 8.0, 13.0  # the body size of a text page, whatever OCR measured
HEADING = 1.25  # a heading's size, as a share of the body's
NOTE = 0.85  # the low-confidence line's size, as a share of the body's
GAP = 0.5  # space between paragraphs, in body sizes
COLUMN_GAP = 6.0  # pt between a table's columns
LEAD = 1.25  # baseline to baseline, in font sizes
MIN_SCALE = 0.6


@dataclass
class Item:
    """One text of the page: its words (text, style), and a table cell's row and columns."""

    words: list[tuple[str, Style]]
    cell: tuple[int, int, float, float] | None = None  # (table, row, left, right share of its width)
    unit: int | None = None  # the unit's index (None: the low-confidence line)


def body_size(scan: Page) -> float:
    """The text page's body size: the scan's most common OCR'd size (by characters), bounded."""
    weights: dict[float, int] = {}
    for line in scan.lines:
        weights[line.size] = weights.get(line.size, 0) + len(line.text)
    size = max(weights, key=weights.__getitem__) if weights else 10.0
    return min(MAX_SIZE, max(MIN_SIZE, size))


def style(body: float, heading: bool = False, note: bool = False) -> Style:
    """A text page's style: the fallback font (a scan has none of its own), by role."""
    if note:
        return Style("", round(NOTE * body, 2), italic=True)
    return Style("", round(HEADING * body, 2) if heading else body, bold=heading)


def area(width: float, height: float, scan: Page) -> fit.Box:
    """The text area on a page of `width` × `height`: the OCR'd words' extent (`scan`'s size),
    centred, at least MARGIN from the edges."""
    w = min(scan.width, width - 2 * MARGIN)
    h = min(scan.height, height - 2 * MARGIN)
    left, bottom = (width - w) / 2, (height - h) / 2
    return (left, bottom, left + w, bottom + h)


def lay_out(items: Sequence[Item], box: fit.Box, measure: fit.Measure) -> tuple[list[fit.Placed], bool]:
    """The items' lines in `box`, top down, at the largest scale that fits; and whether even
    the smallest ran over the box's bottom."""
    k = 1.0
    while True:
        lines, bottom = _at(items, box, measure, k)
        if bottom >= box[1] - fit.TOL or k <= MIN_SCALE + 1e-9:
            return lines, bottom < box[1] - fit.TOL
        k = max(MIN_SCALE, round(k - fit.STEP, 4))


def _at(items: Sequence[Item], box: fit.Box, measure: fit.Measure, k: float) -> tuple[list[fit.Placed], float]:
    left, _, right, top = box
    out: list[fit.Placed] = []
    y = top  # the last line's lowest point so far
    i = 0
    while i < len(items):
        row = [items[i]]
        while row[0].cell is not None and i + len(row) < len(items) and _same_row(row[0], items[i + len(row)]):
            row.append(items[i + len(row)])
        i += len(row)
        size = max(st.size for item in row for _, st in item.words) * k
        start = y - (GAP * size if out else 0.0)
        lowest = start
        for item in row:
            x0, x1 = left, right
            if item.cell is not None:  # a column of the table's width
                x0 = left + item.cell[2] * (right - left)
                x1 = left + item.cell[3] * (right - left) - COLUMN_GAP
            s = max(st.size for _, st in item.words) * k
            frame = fit.Frame((x0,), (start - fit.ASCENT * s,), max(x1, x0 + s), s, LEAD * s)
            result = fit.fit(item.words, [frame], measure)  # no floor: the page's scale decides
            out += result.lines
            lowest = min(lowest, min(ln.baseline - fit.DESCENT * ln.size for ln in result.lines))
        y = lowest
    return out, y


def _same_row(a: Item, b: Item) -> bool:
    return b.cell is not None and a.cell is not None and a.cell[:2] == b.cell[:2]
