"""Tables on a PDF page, found two ways: ruled grids (rules from the page's path objects) and
aligned text (rows whose fragments keep to the same columns, blank gaps running down the whole
table between them). Bulleted lists, an address beside a letter's info block and two-column
prose look aligned too, and are told apart here.

Pure functions over line fragments and rules: no PDFium here.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from .model import Line, Rule, Table

TOL = 2.0  # pt: rules (and rule ends) this close are one
MAX_RULES = 3000  # more rules on a page (a drawing): no grid is looked for
MAX_ROW_GAP = 2.0  # font sizes: a wider blank between two rows of aligned text ends the table
PROSE_WIDTH = 0.25  # share of the page width: columns all this wide (median) are prose columns
MAX_CELL_LINES = 15  # a ruled "cell" with more lines is a framed block of text (a sidebar), not a cell
MARKER_GAP = 4.0  # font sizes: a list marker at most this far before its text is merged with it
_MARKER = re.compile(r"^(?:[•▪◦●∙‣*]|\d{1,3}[.)]|[a-zA-Z][.)]|\(\d{1,3}\))$")
_POSTCODE = re.compile(r"^(?:D-\s?)?\d{5}\s+[A-ZÄÖÜ]")  # "10115 Berlin": the last lines of an address


def find_tables(lines: list[Line], rules: Sequence[Rule], width: float, body: float) -> tuple[list[Line], list[Line]]:
    """The page's lines that are in no table, and stand-ins for the reading order: a Line with
    `table` set for each table, or with `group` set for an address read before its neighbour."""
    lines = merge_markers(lines)
    found: list[Line] = []
    taken: set[Line] = set()
    used: set[Rule] = set()
    if len(rules) <= MAX_RULES:
        for grid in _grids(rules):
            got = _ruled_table(grid, [ln for ln in lines if ln not in taken], body)
            if got is not None:
                table, inside = got
                taken.update(inside)
                used.update(grid.rules)
                found.append(_stand_in(inside, table=table))
    rest = [ln for ln in lines if ln not in taken]
    across = _joined([r for r in rules if not r.vertical and r not in used])
    rest, more = _aligned_tables(rest, across, width, body)
    return rest, found + more


def merge_markers(lines: list[Line]) -> list[Line]:
    """A list marker set apart from its text ("•", "1.", "a)") joins the text on its row: a
    list is not a table with a column of bullets."""
    out: list[Line] = []
    for row in _text_rows(lines):
        k = 0
        while k < len(row):
            line = row[k]
            after = row[k + 1] if k + 1 < len(row) else None
            if after is not None and _MARKER.match(line.text.strip()) and after.x0 - line.x1 <= MARKER_GAP * after.size:
                marker = line.text.strip()
                ink = line.ink + tuple((len(marker) + 1 + at, word) for at, word in after.ink)
                out.append(Line(line.page, f"{marker} {after.text}", line.x0, after.x1,
                                min(line.bottom, after.bottom), max(line.top, after.top), after.size, after.hyphenated,
                                ink=ink, char=line.char, base=after.base, origin=line.origin,
                                rotated=line.rotated or after.rotated, parts=(line, after)))
                k += 2
            else:
                out.append(line)
                k += 1
    return out


def _stand_in(lines: list[Line], **what) -> Line:
    return Line(lines[0].page, "", min(ln.x0 for ln in lines), max(ln.x1 for ln in lines),
                min(ln.bottom for ln in lines), max(ln.top for ln in lines), 0.0, **what)


def _top_down(lines: list[Line]) -> list[Line]:
    return sorted(lines, key=lambda ln: (-round(ln.top, 1), ln.x0))


def _middle(line: Line) -> float:
    return (line.bottom + line.top) / 2


def _text_rows(lines: list[Line]) -> list[list[Line]]:
    """Fragments on one baseline together, top to bottom, each row left to right."""
    rows: list[list[Line]] = []
    for line in sorted(lines, key=lambda ln: -_middle(ln)):
        if rows:
            first = rows[-1][0]
            if abs(_middle(first) - _middle(line)) < 0.35 * max(first.size, line.size, 1.0):
                rows[-1].append(line)
                continue
        rows.append([line])
    return [sorted(row, key=lambda ln: ln.x0) for row in rows]


# --------------------------------------------------------------------------------------------
# Ruled grids
# --------------------------------------------------------------------------------------------


@dataclass
class _Grid:
    xs: list[float]  # column boundaries, left to right
    ys: list[float]  # row boundaries, top to bottom
    rules: list[Rule]


def _touch(a: Rule, b: Rule) -> bool:
    if a.vertical == b.vertical:
        return abs(a.at - b.at) <= TOL and a.start <= b.end + TOL and b.start <= a.end + TOL
    v, h = (a, b) if a.vertical else (b, a)
    return v.start - TOL <= h.at <= v.end + TOL and h.start - TOL <= v.at <= h.end + TOL


def _cluster(values: list[float]) -> list[float]:
    """Values closer than TOL as one (their mean), ascending."""
    groups: list[list[float]] = []
    for value in sorted(values):
        if groups and value - groups[-1][-1] <= TOL:
            groups[-1].append(value)
        else:
            groups.append([value])
    return [sum(g) / len(g) for g in groups]


def _grids(rules: Sequence[Rule]) -> Iterator[_Grid]:
    """Rules that touch, taken together; those with at least 2 rows and 2 columns are grids."""
    parent = list(range(len(rules)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in _touching(rules):
        parent[root(i)] = root(j)
    parts: dict[int, list[Rule]] = defaultdict(list)
    for i, rule in enumerate(rules):
        parts[root(i)].append(rule)
    for part in parts.values():
        vs = [r for r in part if r.vertical]
        hs = [r for r in part if not r.vertical]
        if not vs or not hs:
            continue
        xs = _cluster([r.at for r in vs] + [min(h.start for h in hs), max(h.end for h in hs)])
        ys = _cluster([r.at for r in hs] + [min(v.start for v in vs), max(v.end for v in vs)])[::-1]
        if len(xs) >= 3 and len(ys) >= 3:
            yield _Grid(xs, ys, part)


def _touching(rules: Sequence[Rule]) -> Iterator[tuple[int, int]]:
    """Pairs of rules that touch or cross (sorted by position, not all pairs tried)."""
    order = sorted(range(len(rules)), key=lambda i: rules[i].at)
    for direction in (True, False):  # collinear rules: neighbours by position
        same = [i for i in order if rules[i].vertical == direction]
        for k, i in enumerate(same):
            for j in same[k + 1 :]:
                if rules[j].at - rules[i].at > TOL:
                    break
                if _touch(rules[i], rules[j]):
                    yield i, j
    across = [i for i in order if not rules[i].vertical]
    heights = [rules[i].at for i in across]
    for i, v in enumerate(rules):
        if v.vertical:
            for j in across[bisect_left(heights, v.start - TOL) : bisect_right(heights, v.end + TOL)]:
                if _touch(v, rules[j]):
                    yield i, j


def _joined(rules: list[Rule]) -> list[Rule]:
    """Horizontal rules on one line that touch, as one (a row's border drawn cell by cell)."""
    out: list[Rule] = []
    for rule in sorted(rules, key=lambda r: (round(r.at / TOL), r.start)):
        last = out[-1] if out else None
        if last is not None and abs(last.at - rule.at) <= TOL and rule.start <= last.end + TOL:
            out[-1] = Rule(False, last.at, last.start, max(last.end, rule.end))
        else:
            out.append(rule)
    return out


def _ruled_table(grid: _Grid, lines: list[Line], body: float) -> tuple[Table, list[Line]] | None:
    """The grid's cells (slots not parted by a rule are one cell) with the lines whose middle
    lies in them; None for a frame around blocks of text (fewer than 2 rows with text in 2
    cells, or a cell of more than MAX_CELL_LINES lines)."""
    xs, ys = grid.xs, grid.ys
    n_rows, n_cols = len(ys) - 1, len(xs) - 1

    walls = [[v for v in grid.rules if v.vertical and abs(v.at - x) <= TOL] for x in xs]
    floors = [[h for h in grid.rules if not h.vertical and abs(h.at - y) <= TOL] for y in ys]

    def wall(r: int, c: int) -> bool:  # a rule between columns c - 1 and c, in row r
        mid = (ys[r] + ys[r + 1]) / 2
        return any(v.start - TOL <= mid <= v.end + TOL for v in walls[c])

    def floor(r: int, c: int) -> bool:  # a rule between rows r - 1 and r, in column c
        mid = (xs[c] + xs[c + 1]) / 2
        return any(h.start - TOL <= mid <= h.end + TOL for h in floors[r])

    parent = {(r, c): (r, c) for r in range(n_rows) for c in range(n_cols)}

    def root(slot: tuple[int, int]) -> tuple[int, int]:
        while parent[slot] != slot:
            slot = parent[slot]
        return slot

    for r in range(n_rows):
        for c in range(n_cols):
            for other, parted in (((r, c - 1), c > 0 and wall(r, c)), ((r - 1, c), r > 0 and floor(r, c))):
                if other in parent and not parted:
                    a, b = sorted((root((r, c)), root(other)))
                    parent[b] = a  # the top-left slot of a merged cell is its root
    cells: dict[tuple[int, int], list[Line]] = defaultdict(list)
    inside = []
    for line in lines:
        x, y = (line.x0 + line.x1) / 2, _middle(line)
        if not (xs[0] <= x <= xs[-1] and ys[-1] <= y <= ys[0]):
            continue
        c = next(k for k in range(n_cols) if x <= xs[k + 1])
        r = next(k for k in range(n_rows) if y >= ys[k + 1])
        cells[root((r, c))].append(line)
        inside.append(line)
    grid_rows = [[_top_down(cells[(r, c)]) if root((r, c)) == (r, c) else [] for c in range(n_cols)]
                 for r in range(n_rows)]
    caption: list[Line] = []
    spanning = [n_cols > 1 and len({root((r, c)) for c in range(n_cols)}) == 1 for r in range(n_rows)]
    while grid_rows and spanning[n_rows - len(grid_rows)]:
        caption += grid_rows.pop(0)[0]  # a first row across the whole table: its title
    if sum(1 for row in grid_rows if any(row)) <= 2:  # rules under the header only: rows from the text
        grid_rows = [part for row in grid_rows for part in _parted(row, xs, body)]
    if any(len(cell) > MAX_CELL_LINES for row in grid_rows for cell in row):
        return None
    table = _trimmed(grid_rows, xs[:-1], caption)
    return (table, inside) if table is not None else None


def _parted(row: list[list[Line]], xs: list[float], body: float) -> list[list[list[Line]]]:
    """A grid row holding several table rows (3 or more lines with text in 2 cells) parted as
    aligned text's rows are."""
    text_rows = _text_rows([ln for cell in row for ln in cell])
    if sum(1 for tr in text_rows if len(tr) >= 2) < 3:
        return [row]

    def column(line: Line) -> int:
        x = (line.x0 + line.x1) / 2
        return next((k for k in range(len(xs) - 2) if x <= xs[k + 1]), len(xs) - 2)

    return _table_rows(text_rows, column, len(xs) - 1, [], body)


def _trimmed(rows: list[list[list[Line]]], edges: list[float], caption: Sequence[Line] = ()) -> Table | None:
    """Without empty rows and columns; None unless 2 rows, and at least half of them, have text
    in 2 cells (text beside a few short lines is not a table)."""
    rows = [row for row in rows if any(row)]
    keep = [c for c in range(len(edges)) if any(row[c] for row in rows)]
    rows = [[row[c] for c in keep] for row in rows]
    full = sum(1 for row in rows if sum(1 for cell in row if cell) >= 2)
    if len(keep) < 2 or full < 2 or 2 * full < len(rows):
        return None
    return Table(rows, [edges[c] for c in keep], list(caption))


# --------------------------------------------------------------------------------------------
# Aligned text
# --------------------------------------------------------------------------------------------


def _gap(upper: list[Line], lower: list[Line]) -> float:
    """The blank between two text rows (negative: they overlap, as a cell set beside a wrapped one)."""
    return min(ln.bottom for ln in upper) - max(ln.top for ln in lower)


def _spans(rows: list[list[Line]], spans: list[list[float]] | None = None) -> list[list[float]]:
    """The columns (x ranges) the rows' fragments fill, added to `spans`; [] when a fragment
    would cross the blank between two columns (a line of running text, not a row of cells)."""
    spans = [list(s) for s in spans or []]
    for row in rows:
        for line in row:
            hit = [s for s in spans if line.x0 < s[1] + TOL and line.x1 > s[0] - TOL]
            if len(hit) > 1:
                return []
            if hit:
                hit[0][0], hit[0][1] = min(hit[0][0], line.x0), max(hit[0][1], line.x1)
            else:
                spans.append([line.x0, line.x1])
        spans.sort()
        if any(a[1] + TOL > b[0] for a, b in zip(spans, spans[1:])):
            return []
    return spans


def _aligned_tables(lines: list[Line], across: list[Rule], width: float, body: float) -> tuple[list[Line], list[Line]]:
    rows = _text_rows(lines)
    found: list[Line] = []
    taken: set[Line] = set()
    i = 0
    while i < len(rows):
        if len(rows[i]) < 2:
            i += 1
            continue
        spans, end = _spans(rows[i : i + 1]), i + 1
        while end < len(rows) and _gap(rows[end - 1], rows[end]) <= MAX_ROW_GAP * max(body, 1.0):
            grown = _spans(rows[end : end + 1], spans)
            if not grown:
                break
            spans, end = grown, end + 1
        got = _accept(_continued(rows[i:end], body), across, width, body)
        if got is None:  # perhaps from a later row on
            i += 1
            continue
        stand_ins, used, count = got  # no stand-ins: these rows are something else (prose columns, code)
        found.extend(stand_ins)
        taken.update(used)
        i += count
    return [ln for ln in lines if ln not in taken], found


def _continued(rows: list[list[Line]], body: float) -> list[list[Line]]:
    """The rows up to the last with 2 fragments, and after it only lines that go on its cells
    (closer than any gap between rows of the table: not a paragraph after it)."""
    last = max(k for k, row in enumerate(rows) if len(row) >= 2)
    gaps = [_gap(a, b) for a, b in zip(rows, rows[1 : last + 1])]
    line_gap = min((g for g in gaps if g >= 0), default=0.3 * body)
    end = last + 1
    while end < len(rows) and _gap(rows[end - 1], rows[end]) <= line_gap + 0.3 * body:
        end += 1
    return rows[:end]


def _median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def _accept(
    rows: list[list[Line]], across: list[Rule], width: float, body: float
) -> tuple[list[Line], list[Line], int] | None:
    """Stand-ins for the rows, the lines they take and how many rows they cover. None when the
    rows do not make a table (fewer than 2 columns or 2 rows of cells, a column only one row
    fills); no stand-ins when they are something else: columns all as wide as prose (a two-column
    page) or code (monospaced, aligned by tabs). An address beside an info block is read first,
    then the rest, as a table if it is one."""
    spans = _spans(rows)
    if len(spans) < 2:
        return None

    def column(line: Line) -> int:
        return next(k for k, s in enumerate(spans) if line.x0 < s[1] + TOL and line.x1 > s[0] - TOL)

    filled = [{column(ln) for ln in row} for row in rows]
    if min(sum(1 for cols in filled if k in cols) for k in range(len(spans))) < 2:
        return None
    if sum(1 for cols in filled if len(cols) >= 2) < 2:
        return None
    by_column = [[ln for row in rows for ln in row if column(ln) == k] for k in range(len(spans))]
    everything = [ln for row in rows for ln in row]
    if all(_median([ln.x1 - ln.x0 for ln in col]) >= PROSE_WIDTH * width for col in by_column) or (
        5 * sum(ln.mono for ln in everything) >= 4 * len(everything)
    ):
        return [], [], len(rows)
    if any(_POSTCODE.match(ln.text.strip()) for ln in by_column[0][-3:]) and len(by_column[0]) <= 9:
        address = by_column[0]
        beside = [r for r in ([ln for ln in row if column(ln) != 0] for row in rows) if r]
        sub = _accept(beside, across, width, body) if any(len(r) >= 2 for r in beside) else None
        stand_ins, used = [_stand_in(address, group=_top_down(address))], list(address)
        if sub is not None:
            stand_ins += sub[0]
            used += sub[1]
        return stand_ins, used, len(rows)
    table = _trimmed(_table_rows(rows, column, len(spans), across, body), [s[0] for s in spans])
    return ([_stand_in(everything, table=table)], everything, len(rows)) if table is not None else None


def _table_rows(
    rows: list[list[Line]], column: Callable[[Line], int], n_cols: int, across: list[Rule], body: float
) -> list[list[list[Line]]]:
    """Text rows → table rows. Where rules across the table part at least 2 pairs of rows, they
    alone part the rows. Otherwise a rule across starts a row, and a text row overlapping the
    one above (a cell centred beside a wrapped one) goes on it; where the table sets its rows
    apart by wider blanks (at least 2 of them, and no fewer than the lines that wrap in the
    first column), a narrower blank goes on the row; else a text row that fills the first
    column starts a new table row and one that leaves it empty goes on."""
    x0 = min(ln.x0 for row in rows for ln in row)
    x1 = max(ln.x1 for row in rows for ln in row)
    pairs = list(zip(rows, rows[1:]))
    gaps = [_gap(a, b) for a, b in pairs]
    ruled = [
        any(max(ln.top for ln in b) - TOL <= r.at <= min(ln.bottom for ln in a) + TOL
            and min(r.end, x1) - max(r.start, x0) >= (x1 - x0) / 2 for r in across)
        for a, b in pairs
    ]
    wide = [g > _blank_cut(gaps, body) for g in gaps]
    first_column_wraps = sum(1 for g, w, row in zip(gaps, wide, rows[1:]) if g > 0 and not w and column(row[0]) == 0)
    spaced = sum(wide) >= 2 and sum(wide) >= first_column_wraps
    out: list[list[list[Line]]] = []
    for k, row in enumerate(rows):
        if k == 0 or ruled[k - 1]:
            new = True
        elif sum(ruled) >= 2 or gaps[k - 1] <= 0:
            new = False
        else:
            new = wide[k - 1] if spaced else any(column(ln) == 0 for ln in row)
        if new:
            out.append([[] for _ in range(n_cols)])
        for line in row:
            out[-1][column(line)].append(line)
    return [[_top_down(cell) for cell in row] for row in out]


def _blank_cut(gaps: list[float], body: float) -> float:
    """The widest blank inside a table row: the blanks sorted by width are cut at the first step
    of 0.3 font sizes or more (lines of a cell, a cell centred beside them | rows, sections);
    no cut when they are all about as wide."""
    widths = sorted(g for g in gaps if g > 0)
    return next((narrow for narrow, wide in zip(widths, widths[1:]) if wide - narrow >= 0.3 * body), float("inf"))
