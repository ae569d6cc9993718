"""Fitting English text into the place its German had: pure functions over boxes and strings.

A unit's place is one or more frames (a paragraph going on in the next column has two), each
the lines its German was set on: their left edges and baselines, the measure's right edge, and
how far the text may grow (`room`: down into free space, right for a single line, never over
anything else drawn on the page). `fit` wraps the words into the frames' lines at the
original size; where they do not fit it shrinks the size in small steps down to a floor
(MIN_SCALE of the size, never under the document-wide floor), then narrows the glyphs a little
(MIN_HSCALE), and only then lets the last frame run over its room (flagged: `Fit.overflow`).
Justified text stays justified, right-aligned and centred lines keep their alignment.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

ASCENT = 0.78  # share of the size above the baseline (capitals, ascenders)
DESCENT = 0.22  # share below it
MIN_SCALE = 0.7  # the smallest size, as a share of the German's
STEP = 0.05  # shrink in steps of this share
MIN_HSCALE = 0.85  # then narrow the glyphs down to this share
FLOOR_SHARE = 0.7  # the document-wide floor: this share of the body size (smaller German stays as small)
JUSTIFY_MAX = 1.2  # a line's spaces grow by at most this many font sizes each (else it is set ragged)
TOL = 0.5  # pt
SLACK = 0.12  # font sizes a line may run past the German's right edge (its last glyph's side bearing)

Box = tuple[float, float, float, float]  # left, bottom, right, top (PDF coordinates: y grows upwards)
Measure = Callable[[str, Any], float]  # (text, style) -> width at size 1


@dataclass(frozen=True)
class Frame:
    """Where text may go: the original lines (their left edges and baselines), the right edge of
    the measure, and the room to grow (`left`, `right` for a single line; `floor` below)."""

    starts: tuple[float, ...]  # left edge of each original line
    baselines: tuple[float, ...]  # baseline of each original line, top down
    end: float  # right edge of the original measure
    size: float  # the German's font size
    pitch: float  # baseline to baseline
    align: str = "left"  # left | right | center | justify
    left: float | None = None  # leftmost x a line may reach (right-aligned and centred lines grow leftwards)
    right: float | None = None  # rightmost x a line may reach; None: the measure's
    floor: float = float("-inf")  # lowest y a line's descenders may reach
    ceiling: float | None = None  # highest y a single line's text may be lifted to (None: not lifted)

    @property
    def top(self) -> float:
        return self.baselines[0] + ASCENT * self.size


@dataclass
class Placed:
    """One line of the result: its words (text, style, x), the baseline and the size."""

    frame: int
    baseline: float
    size: float
    hscale: float
    words: list[tuple[str, Any, float]] = field(default_factory=list)

    def box(self, measure: Measure) -> Box:
        last = self.words[-1]
        right = last[2] + measure(last[0], last[1]) * self.size * self.hscale
        return (self.words[0][2], self.baseline - DESCENT * self.size, right, self.baseline + ASCENT * self.size)


@dataclass
class Fit:
    lines: list[Placed]
    scale: float  # size as a share of the German's
    hscale: float  # glyph width as a share of the normal
    overflow: bool  # ran over its room: text may touch what is below


# --------------------------------------------------------------------------------------------
# The room a frame has
# --------------------------------------------------------------------------------------------


def holder(box: Box, drawn: Any, page: Box) -> Box | None:
    """The smallest drawn box around `box` (a table's cell, a coloured band), if one is smaller
    than half the page: the text stays inside it. `drawn`: boxes, or an (n, 4) array."""
    import numpy as np

    d = np.asarray(drawn, dtype=float).reshape(-1, 4)
    area = (d[:, 2] - d[:, 0]) * (d[:, 3] - d[:, 1])
    around = ((d[:, 0] - 1 <= box[0]) & (d[:, 1] - 1 <= box[1]) & (box[2] <= d[:, 2] + 1) & (box[3] <= d[:, 3] + 1)
              & (area < 0.5 * (page[2] - page[0]) * (page[3] - page[1])))
    if not around.any():
        return None
    k = int(np.argmin(np.where(around, area, np.inf)))
    return (float(d[k, 0]), float(d[k, 1]), float(d[k, 2]), float(d[k, 3]))


def room(
    box: Box, size: float, single: bool, align: str, texts: Any, drawn: Any, area: Box
) -> tuple[float, float, float, float]:
    """How far text set in `box` may reach: (left, right, floor, ceiling). `texts`: the page's
    other text; `drawn`: its images, paths and rules (one that overlaps the box, an underline,
    is ignored; so is one around it); both sequences of boxes or (n, 4) arrays. `area`: the
    bounds (the page's text area, or the cell the box is in). Only a single line grows sideways
    (rightwards, or leftwards when right-aligned or centred) and upwards (`ceiling`, where the
    German was centred in more room)."""
    import numpy as np

    t = np.asarray(texts, dtype=float).reshape(-1, 4)
    d = np.asarray(drawn, dtype=float).reshape(-1, 4)
    x0, y0, x1, y1 = box

    def overlapping(a: Any) -> Any:
        return (a[:, 0] < x1) & (x0 < a[:, 2]) & (a[:, 1] < y1) & (y0 < a[:, 3])

    around = (d[:, 0] - 1 <= x0) & (d[:, 1] - 1 <= y0) & (x1 <= d[:, 2] + 1) & (y1 <= d[:, 3] + 1)
    obstacles = np.vstack([t[~overlapping(t)], d[~overlapping(d) & ~around]])
    gaps = np.concatenate([np.full(int((~overlapping(t)).sum()), max(2.0, 0.6 * size)),
                           np.full(int((~overlapping(d) & ~around).sum()), 1.5)])
    o = obstacles
    left, right, ceiling = x0, x1, y1
    if single:
        band = (o[:, 1] < y1 - TOL) & (o[:, 3] > y0 + TOL)
        after = band & (o[:, 0] >= x1 - TOL)
        right = max(x1, min([area[2]] + list(o[after, 0] - gaps[after])))
        if align in ("right", "center"):
            before = band & (o[:, 2] <= x0 + TOL)
            left = min(x0, max([area[0]] + list(o[before, 2] + gaps[before])))
        if align == "center":  # grows both ways alike
            half = min((x0 + x1) / 2 - left, right - (x0 + x1) / 2)
            left, right = (x0 + x1) / 2 - half, (x0 + x1) / 2 + half
        above = (o[:, 1] >= y1 - TOL) & (o[:, 0] < right - TOL) & (o[:, 2] > left + TOL)
        ceiling = max(y1, min([area[3]] + list(o[above, 1] - gaps[above])))
    below = (o[:, 3] <= y0 + TOL) & (o[:, 0] < right - TOL) & (o[:, 2] > left + TOL)
    floor = min(y0, max([area[1]] + list(o[below, 3] + gaps[below])))
    return float(left), float(right), float(floor), float(ceiling)


def alignment(
    lines: Sequence[Box], area: Box, single_line_page_width: float, justified: bool = False, edges: Sequence[float] = ()
) -> str:
    """How lines (boxes, top down) were set: justify (all but the last end at the same x),
    right, center, or left. A single line is centred when it sits in the page's middle, and
    right-aligned when it starts in the right half and ends where other text or drawings end
    (`edges`: their right edges) or at the text area's edge. Two lines are justified when the
    first ends at the area's right edge in a `justified` document."""
    if len(lines) == 1:
        x0, _, x1, _ = lines[0]
        middle = single_line_page_width / 2
        if abs((x0 + x1) / 2 - middle) < 3.0 and x0 > area[0] + 20:
            return "center"
        flush = abs(x1 - area[2]) < 2.0 or any(abs(x1 - e) < 1.5 for e in edges)
        if flush and x0 > area[0] + 0.3 * (area[2] - area[0]):
            return "right"
        return "left"
    starts = [b[0] for b in lines]
    ends = [b[2] for b in lines]
    if max(ends) - min(ends) < 1.5 and max(starts) - min(starts) > 3.0:
        return "right"
    centres = [(b[0] + b[2]) / 2 for b in lines]
    if max(centres) - min(centres) < 1.5 and max(starts) - min(starts) > 3.0:
        return "center"
    if len(lines) >= 3 and max(ends[:-1]) - min(ends[:-1]) < 1.5:
        return "justify"
    if justified and len(lines) == 2 and abs(ends[0] - area[2]) < 1.5 and ends[1] < ends[0] - 5:
        return "justify"
    return "left"


# --------------------------------------------------------------------------------------------
# Fitting
# --------------------------------------------------------------------------------------------


def scales(size: float, floor_size: float) -> list[float]:
    """The sizes to try, as shares of `size`: 1, 0.95, … down to MIN_SCALE, or the document-wide
    floor where that is larger (a size under the floor is not shrunk at all)."""
    lowest = max(MIN_SCALE, min(1.0, floor_size / size)) if size > 0 else 1.0
    out = [1.0]
    while out[-1] - STEP >= lowest - 1e-9:
        out.append(round(out[-1] - STEP, 4))
    if out[-1] > lowest + 1e-9:
        out.append(round(lowest, 4))
    return out


def fit(
    words: Sequence[tuple[str, Any]], frames: Sequence[Frame], measure: Measure, floor_size: float = 0.0,
    breaks: Collection[int] = (),
) -> Fit:
    """`words` (text, style) set into `frames`, in order: the largest size that fits, then
    narrower glyphs; failing both, the smallest with the last frame running over (overflow).
    A line always ends before a word whose index is in `breaks` (an address's lines)."""
    size = max(f.size for f in frames)
    tries = scales(size, floor_size)
    widths = [measure(text, style) for text, style in words]
    spaces = [measure(" ", style) or 0.25 for _, style in words]
    metrics = (widths, spaces)
    for k in tries:
        lines = _flow(words, frames, metrics, k, 1.0, breaks)
        if lines is not None:
            return Fit(lines, k, 1.0, False)
    k = tries[-1]
    h = 1.0
    while h - STEP >= MIN_HSCALE - 1e-9:
        h = round(h - STEP, 4)
        lines = _flow(words, frames, metrics, k, h, breaks)
        if lines is not None:
            return Fit(lines, k, h, False)
    lines = _flow(words, frames, metrics, k, h, breaks, bounded=False)
    assert lines is not None
    return Fit(lines, k, h, True)


def kept_breaks(english: Sequence[str], lines: Sequence[Sequence[str]]) -> set[int]:
    """Where the English keeps the German's line breaks (`lines`: each line's words): before a
    word that began a German line, or after one that ended the line before, found in order."""
    breaks: set[int] = set()
    at = 0
    for prev, line in zip(lines, lines[1:]):
        if not line or not prev:
            continue
        k = next((j for j in range(at + 1, len(english)) if english[j] == line[0]), None)
        if k is None:
            k = next((j + 1 for j in range(at, len(english) - 1) if english[j] == prev[-1]), None)
        if k is not None:
            breaks.add(k)
            at = k
    return breaks


def _slot(frame: Frame, i: int, k: float, lift: float = 0.0) -> tuple[float, float, float]:
    """Line `i` of `frame` at scale `k`, lifted by `lift`: (baseline, left edge, right edge)."""
    n = len(frame.baselines)
    top = frame.top
    if i < n:
        baseline = top - (top - frame.baselines[i]) * k
    else:
        baseline = top - (top - frame.baselines[-1]) * k - (i - n + 1) * frame.pitch * k
    start = frame.starts[min(i, n - 1)]
    right = frame.end if frame.right is None else max(frame.right, frame.end)
    if frame.align in ("right", "center"):
        return baseline + lift, min(start if frame.left is None else frame.left, start), right
    return baseline + lift, start, right


def _flow(
    words: Sequence[tuple[str, Any]], frames: Sequence[Frame], metrics: tuple[list[float], list[float]], k: float,
    h: float, breaks: Collection[int] = (), bounded: bool = True,
) -> list[Placed] | None:
    widths, spaces = metrics
    out: list[Placed] = []
    w = 0
    for f_index, frame in enumerate(frames):
        last_frame = f_index == len(frames) - 1
        limited = bounded or not last_frame
        got = _fill(words, widths, spaces, breaks, frame, f_index, w, k, h, 0.0, limited, bounded)
        if got is None:
            return None
        lines, end = got
        if end < len(words) and frame.ceiling is not None and limited:
            # a single line with room above (centred in a cell): lifted as far as the rest needs
            free = frame.ceiling - frame.top
            whole = _fill(words, widths, spaces, breaks, frame, f_index, w, k, h, 0.0, False, False)
            assert whole is not None
            need = len(whole[0]) if last_frame else len(lines) + 1
            s = frame.size * k
            deficit = frame.floor - (lines[0].baseline - (need - 1) * frame.pitch * k - DESCENT * s) if lines else 0.0
            if lines and 0 < deficit <= free + 0.01:
                lifted = _fill(words, widths, spaces, breaks, frame, f_index, w, k, h, deficit, limited, bounded)
                if lifted is not None and lifted[1] > end:
                    lines, end = lifted
        out += lines
        w = end
        if w >= len(words):
            return out
        if last_frame:
            return None
    return out if w >= len(words) else None


def _fill(
    words: Sequence[tuple[str, Any]], widths: Sequence[float], spaces: Sequence[float], breaks: Collection[int],
    frame: Frame, f_index: int, w: int, k: float, h: float, lift: float, limited: bool, narrow: bool = True,
) -> tuple[list[Placed], int] | None:
    """Words from `w` on set into `frame`: its lines, and the first word that did not fit
    (None: a word wider than a line, while `narrow`). `limited`: no lines below its floor."""
    s = frame.size * k
    out: list[Placed] = []
    i = 0
    while w < len(words):
        baseline, lo, hi = _slot(frame, i, k, lift)
        if i >= len(frame.baselines) and baseline - DESCENT * s < frame.floor - 0.01 and limited:
            break  # no more room in this frame
        line = Placed(f_index, baseline, s, h)
        x = 0.0
        slack = SLACK * s  # the German's right edge is its last glyph's ink, not its advance
        while w < len(words):
            gap = spaces[w] * s * h if line.words else 0.0
            wide = widths[w] * s * h
            if line.words and (x + gap + wide > hi - lo + slack or w in breaks):
                break
            if not line.words and wide > hi - lo + slack and narrow:
                return None  # one word wider than the line: a smaller size
            line.words.append((words[w][0], words[w][1], x + gap))
            x += gap + wide
            w += 1
        _align(line, frame, lo, hi, x, done=w >= len(words), s=s)
        out.append(line)
        i += 1
    return out, w


def _align(line: Placed, frame: Frame, lo: float, hi: float, width: float, done: bool, s: float) -> None:
    """Word offsets → page x: shifted for right/centre alignment, spread for justified lines."""
    shift = lo
    if frame.align == "right":  # ends where the German ended, unless it needs more room
        end = frame.end if frame.end - width >= lo else min(hi, lo + width)
        shift = end - width
    elif frame.align == "center":
        middle = (frame.starts[0] + frame.end) / 2
        shift = max(lo, min(middle - width / 2, hi - width))
    spread = 0.0
    if frame.align == "justify" and not done and len(line.words) > 1:
        spread = (hi - lo - width) / (len(line.words) - 1)
        if spread > JUSTIFY_MAX * s:
            spread = 0.0
    line.words = [(text, style, shift + x + k * spread) for k, (text, style, x) in enumerate(line.words)]


def words_of(text: str, spans: Sequence[tuple[int, int, Any]], base: Any) -> list[tuple[str, Any]]:
    """`text`'s words with their style: `base`, or a span's style where a span (start, end,
    style) covers the word's first character."""
    out = []
    pos = 0
    for word in text.split():
        at = text.index(word, pos)
        pos = at + len(word)
        style = next((st for start, end, st in spans if start <= at < end), base)
        out.append((word, style))
    return out
