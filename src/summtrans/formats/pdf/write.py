"""Laying the English back into a copy of the PDF: which text objects go, what is set instead.

A unit whose English differs from its German is re-typeset: the text objects its words were
drawn by are removed (never covered up) and its English is set in their place (`fit`), in the
PDF's own font where that has every character, else in a fallback (`fonts`). Text that stays as
it was (numbers, URLs, English kept, an identical translation) is left untouched. Units whose
words share a text object are re-typeset together (so are lines the reader set aside, a running
header, when they share one with a unit); text inside a form XObject or set at an angle is left
as it was, with a ``pdf-text-kept`` warning. The fitting is done for the whole document first
(pure, `fit`), then the pages are edited in small batches (`edit`). A scanned page (its units
read by OCR) has nothing to take out: it stays, and its English is set on a text page of its
size (`scans`) that follows it, or stands beside it in ``bilingual`` and ``interleaved``.
"""

from __future__ import annotations

import logging
import re
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...faithful.quality import QualityWarning
from ..base import Unit
from . import edit, fit, fonts, scans
from .model import Line, Page, Style

if TYPE_CHECKING:
    from . import _State

log = logging.getLogger(__name__)

PROGRESS_SECONDS = 2.0  # a log line at most this often while pages are written
_LEADERS = re.compile(r"(?:\.\s?){4,}\s*\S+$")


@dataclass
class _Job:
    """One text to set: a unit's English (or a set-aside line's own text), where its German was."""

    unit: int | None  # the unit's index; None: a line the reader set aside (a running header)
    text: str
    spans: tuple[tuple[int, int, Any], ...]
    copies: list[list[Line]]
    prefix: str = ""
    base: Style | None = None

    def lines(self) -> list[Line]:
        return [ln for copy in self.copies for ln in copy]


@dataclass
class _Face:
    """What a style is set in: where the font comes from, and its widths."""

    source: edit.FontSource
    widths: dict[str, float]
    space: bool  # the font has a space glyph (else words are placed apart without one)


@dataclass
class _Plan:
    jobs: list[_Job] = field(default_factory=list)
    kept: Counter[tuple[int, str]] = field(default_factory=Counter)  # (page, why) → units left as they were
    scanned: dict[int, list[_Job]] = field(default_factory=dict)  # a scanned page's units, each set anew


def write_pdf(state: _State, units: Sequence[Unit], translated: Sequence[Unit], mode: str) -> tuple[bytes, list[QualityWarning]]:
    """The PDF in `mode` (layout, bilingual, interleaved), and the warnings of writing it."""
    plan = _plan(state, units, translated)
    texts = _scan_texts(state, plan, units)
    faces = _faces(state, plan.jobs + [job for items in texts.values() for job, _ in items])
    changes, overflow, count = _typeset(state, plan.jobs, faces)
    started = last = time.monotonic()

    def progress(done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= PROGRESS_SECONDS:
            log.info("writing the PDF: %d of %d pages (%.0f s)", done, total, now - started)
            last = now

    english, left = (edit.write(state.data, changes, {p.index: p.texts for p in state.pages}, progress)
                     if changes else (state.data, []))
    for page in left:
        plan.kept[(page, "left as they were (PDFium would drop a shading or an inline image of the page)")] += count[page]
    warnings = [QualityWarning(None, "pdf-text-kept", f"page {page + 1}: {n} unit{'s' * (n > 1)} {why}")
                for (page, why), n in sorted(plan.kept.items())]
    warnings += [QualityWarning(None, "pdf-overflow", f"page {page + 1}: {text}") for page, text in overflow
                 if page not in left]
    if texts:
        pages, runs, over = _scan_pages(state, texts, faces)
        sizes = [(state.pages[p].width, state.pages[p].height) for p in pages]
        english = edit.with_pages(english, edit.text_pages(sizes, runs), pages, replace=mode != "layout")
        warnings += [QualityWarning(None, "pdf-overflow", f"the English of scanned page {page + 1} runs over its page")
                     for page in over]
    if mode == "bilingual":
        return edit.bilingual(state.data, english), warnings
    if mode == "interleaved":
        return edit.interleaved(state.data, english), warnings
    return english, warnings


# --------------------------------------------------------------------------------------------
# What to re-typeset
# --------------------------------------------------------------------------------------------


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def _plan(state: _State, units: Sequence[Unit], translated: Sequence[Unit]) -> _Plan:
    """The jobs: changed units, with everything that shares a text object with them."""
    owners: dict[tuple[int, int], list[int]] = defaultdict(list)  # (page, object) → job candidates
    candidates: list[_Job] = []
    in_units: set[int] = set()
    plan = _Plan()
    for i, (place, new) in enumerate(zip(state.places, translated)):
        spans = tuple((s.start, s.end, s.style) for s in new.spans if isinstance(s.style, Style))
        scan = _scan_of(place.copies, state.scans)
        if scan is not None:  # read by OCR: no text objects of its own
            plan.scanned.setdefault(scan, []).append(_Job(i, new.text, spans, place.copies, place.prefix))
            continue
        copies = [[ln for ln in copy if ln.page not in state.scans] for copy in place.copies] if state.scans else place.copies
        job = _Job(i, new.text, spans, [copy for copy in copies if copy], place.prefix)
        candidates.append(job)
        for line in job.lines():
            in_units.update(id(part) for part in (line, *line.parts))
    for page in state.pages:
        for line in page.lines:
            if id(line) not in in_units and line.ink:
                candidates.append(_Job(None, line.text, (), [[line]]))
    for k, job in enumerate(candidates):
        for line in job.lines():
            for _, ink in line.ink:
                for obj in ink.objects:
                    owners[(line.page, obj)].append(k)
    parent = list(range(len(candidates)))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for ks in owners.values():
        for k in ks[1:]:
            parent[root(k)] = root(ks[0])
    groups: dict[int, list[int]] = defaultdict(list)
    for k in range(len(candidates)):
        groups[root(k)].append(k)
    for members in groups.values():
        jobs = [candidates[k] for k in members]
        changed = [j for j in jobs if j.unit is not None and not _same(j.text, units[j.unit].text)]
        if not changed:
            continue
        why = next((w for j in jobs if (w := _blocked(j)) is not None), None)
        if why is not None:
            for j in changed:
                plan.kept[(j.lines()[0].page, why)] += 1
            continue
        plan.jobs += jobs
    plan.jobs.sort(key=lambda j: (j.lines()[0].page, j.unit if j.unit is not None else -1))
    for job in plan.jobs:
        job.base = _base_style(job.lines())
    return plan


def _scan_of(copies: Sequence[Sequence[Line]], scanned: dict[int, Page]) -> int | None:
    """The scanned page a unit starts on, if it does (its lines on a text page, if a paragraph
    goes on there, stay German: they are not where its English is set)."""
    first = next((ln for copy in copies for ln in copy), None)
    return first.page if first is not None and first.page in scanned else None


def _blocked(job: _Job) -> str | None:
    for line in job.lines():
        if not line.ink:
            return "without their text objects, left as they were"
        if line.rotated:
            return "set at an angle, left as they were"
        if any(ink.in_form for _, ink in line.ink):
            return "inside a form object, left as they were"
    return None


def _base_style(lines: Sequence[Line]) -> Style:
    weight: Counter[Style] = Counter()
    for line in lines:
        for k, (at, ink) in enumerate(line.ink):
            end = line.ink[k + 1][0] if k + 1 < len(line.ink) else len(line.text)
            weight[ink.style] += max(1, end - at)
    return weight.most_common(1)[0][0]


# --------------------------------------------------------------------------------------------
# Fonts
# --------------------------------------------------------------------------------------------


def _styled_words(job: _Job) -> list[tuple[str, Style]]:
    assert job.base is not None
    words = fit.words_of(job.text, job.spans, job.base)
    if job.prefix:
        words.insert(0, (job.prefix, job.base))
    return words


def _faces(state: _State, jobs: Sequence[_Job]) -> dict[Style, _Face]:
    """The face of each style the jobs use: the PDF's own font where it has every character
    the document needs in it (and is on each page it is needed on), else the fallback like it
    (a subset of the characters needed, embedded once)."""
    needed: dict[str, set[str]] = defaultdict(set)
    pages: dict[str, set[int]] = defaultdict(set)
    styles: set[Style] = set()
    for job in jobs:
        words = _styled_words(job)
        for word, style in words:
            needed[style.font].update(word)
            styles.add(style)
        for line in job.lines():  # the English may land on any page of the unit
            for _, style in words:
                pages[style.font].add(line.page)
    present = _fonts_on_pages(state)
    own: dict[str, _Face] = {}
    for font, chars in needed.items():
        info = state.fonts.get(font)
        if fonts.covers(info, chars) and info is not None and all(font in present[p] for p in pages[font]):
            own[font] = _Face(edit.FontSource(name=font), info.widths, " " in info.widths)
    fallback_chars: dict[fonts.Face, set[str]] = defaultdict(set)
    for style in styles:
        if style.font not in own:
            fallback_chars[fonts.face_of(state.fonts.get(style.font), style.bold, style.italic)] |= needed[style.font]
    loaded = {face: _fallback(face, chars) for face, chars in fallback_chars.items()}
    return {style: own.get(style.font) or loaded[fonts.face_of(state.fonts.get(style.font), style.bold, style.italic)]
            for style in styles}


def _fonts_on_pages(state: _State) -> dict[int, dict[str, int]]:
    """Per page: the fonts its page-level text is set in, each with an object set in it."""
    out: dict[int, dict[str, int]] = defaultdict(dict)
    for page in state.pages:
        for line in page.lines:
            for _, ink in line.ink:
                if ink.objects:
                    out[page.index].setdefault(ink.style.font, ink.objects[0])
    return out


def _fallback(face: fonts.Face, chars: set[str]) -> _Face:
    text = "".join(sorted(chars | {" "}))
    path = fonts.fallback_file(face, text)
    if path is not None:
        widths = fonts.widths(path, text)
        return _Face(edit.FontSource(data=fonts.subset(path, text)), widths, " " in widths)
    log.warning("no TrueType font for %s text found: using PDFium's %s (Western characters only)", face.kind, face.standard)
    widths = edit.standard_widths(face.standard, text)
    return _Face(edit.FontSource(standard=face.standard), widths, " " in widths)


# --------------------------------------------------------------------------------------------
# Setting the English
# --------------------------------------------------------------------------------------------


def _typeset(
    state: _State, jobs: Sequence[_Job], faces: dict[Style, _Face]
) -> tuple[dict[int, edit.Change], list[tuple[int, str]], Counter[int]]:
    """Per page: the objects to take out and the runs to set; the overflows (page, text); and
    how many units each page's change touches."""

    by_id: dict[int, dict[str, float]] = {}  # a style's widths by its id (hashing a style costs)

    def measure(text: str, style: Any) -> float:
        widths = by_id.get(id(style))
        if widths is None:
            widths = by_id[id(style)] = faces[style].widths
        return sum(widths.get(c, 500.0 if c != " " else 250.0) for c in text) / 1000.0

    body = _body_size(state.pages)
    lead = _lead_ratio(jobs)
    right_edge = max([ln.x1 for page in state.pages for ln in page.lines]
                     + [b[2] for page in state.pages for b in page.shapes if b[2] - b[0] < 0.9 * page.width],
                     default=0.0)  # 0: no text layer at all (scans only)
    areas = {page.index: _area(page, right_edge) for page in state.pages}
    justified = _mostly_justified(state)
    present = _fonts_on_pages(state)
    placed: dict[int, list[fit.Box]] = defaultdict(list)
    page_boxes: dict[int, _PageBoxes] = {}
    changes: dict[int, edit.Change] = {}
    overflow: list[tuple[int, str]] = []
    count: Counter[int] = Counter()
    for job in jobs:
        words = _styled_words(job)
        touched: set[int] = set()
        for line in job.lines():
            change = changes.setdefault(line.page, edit.Change())
            for _, ink in line.ink:
                change.removed.extend(ink.objects)
            touched.add(line.page)
        for copy_lines in job.copies:
            groups = _frame_lines(copy_lines)
            frames = []
            for g in groups:
                page = state.pages[g[0].page]
                if page.index not in page_boxes:
                    page_boxes.clear()  # pages come in order: one page's arrays at a time
                    page_boxes[page.index] = _PageBoxes(page)
                frames.append(_frame(g, page, page_boxes[page.index], areas[page.index], placed[page.index], lead,
                                     justified))
            if not words:
                continue
            breaks = _breaks(words, copy_lines, state) if len(copy_lines) > 1 else set()
            result = fit.fit(words, frames, measure, fit.FLOOR_SHARE * body, breaks)
            if result.overflow:
                overflow.append((groups[-1][0].page, _snippet(job.text)))
            for line in result.lines:
                page = groups[line.frame][0].page
                placed[page].append(line.box(measure))
                change = changes.setdefault(page, edit.Change())
                for run in _runs(line, faces):
                    change.runs.append(run)
                    if run.font.name:
                        change.own[run.font.name] = present[page][run.font.name]
                touched.add(page)
        for page in touched:
            count[page] += 1
    for change in changes.values():
        change.removed = sorted(set(change.removed))
    return changes, overflow, count


def _breaks(words: Sequence[tuple[str, Style]], lines: Sequence[Line], state: _State) -> set[int]:
    """The German's line breaks, kept where they were made by hand (an address, lines of a
    list): where some line's next word would have fitted at its end, or every line begins with
    a label ("Datum:")."""
    end = max(ln.x1 for ln in lines)
    by_hand = False
    for line, after in zip(lines, lines[1:]):
        if after.page != line.page or not after.ink or not line.ink or not after.text.split():
            return set()
        first = after.text.split()[0]
        style = after.ink[0][1].style
        widths = state.fonts[style.font].widths if style.font in state.fonts else {}
        by_hand = (by_hand or line.x1 + sum(widths.get(c, 500.0) for c in " " + first) * style.size / 1000.0 < end
                   or bool(_LEADERS.search(line.text)))  # a table of contents' line: dots, then its page
    labels = all(ln.text.split() and ln.text.split()[0].endswith(":") for ln in lines)  # "Kundennummer: 4711"
    if not (by_hand or labels):
        return set()
    return fit.kept_breaks([w for w, _ in words], [ln.text.split() for ln in lines])


def _snippet(text: str) -> str:
    words = text.split()
    return " ".join(words[:8]) + (" …" if len(words) > 8 else "")


def _frame_lines(lines: Sequence[Line]) -> list[list[Line]]:
    """A unit's lines cut where they go on elsewhere: on another page, or back up (a column)."""
    groups: list[list[Line]] = []
    for line in lines:
        prev = groups[-1][-1] if groups else None
        if prev is None or line.page != prev.page or line.top > prev.bottom + 0.5 * max(prev.size, 1.0) \
                or line.x0 >= prev.x1 or line.x1 <= prev.x0:
            groups.append([line])
        else:
            groups[-1].append(line)
    return groups


class _PageBoxes:
    """A page's text lines and drawings as arrays (for `fit.room`), and where each line is."""

    def __init__(self, page: Page) -> None:
        import numpy as np

        self.rows = {id(ln): k for k, ln in enumerate(page.lines)}
        self.texts = np.array([(ln.x0, ln.bottom, ln.x1, ln.top) for ln in page.lines], dtype=float).reshape(-1, 4)
        rules = [(r.at - 0.5, r.start, r.at + 0.5, r.end) if r.vertical else (r.start, r.at - 0.5, r.end, r.at + 0.5)
                 for r in page.rules]
        self.shapes = np.array(page.shapes, dtype=float).reshape(-1, 4)
        self.drawn = np.vstack([self.shapes, np.array(rules, dtype=float).reshape(-1, 4)])

    def others(self, lines: Sequence[Line], placed: Sequence[fit.Box]) -> Any:
        """The page's text but `lines`, and what was set on it before."""
        import numpy as np

        keep = np.ones(len(self.texts), dtype=bool)
        keep[[self.rows[id(ln)] for ln in lines if id(ln) in self.rows]] = False
        return np.vstack([self.texts[keep], np.array(placed, dtype=float).reshape(-1, 4)])


def _frame(
    lines: Sequence[Line], page: Page, boxes: _PageBoxes, area: fit.Box, placed: Sequence[fit.Box], lead: float,
    justified: bool,
) -> fit.Frame:
    sizes: Counter[float] = Counter()
    for ln in lines:
        sizes[ln.size] += len(ln.text)
    size = sizes.most_common(1)[0][0] or 10.0
    baselines = tuple(ln.baseline for ln in lines)
    steps = sorted(a - b for a, b in zip(baselines, baselines[1:]) if a > b)
    pitch = steps[len(steps) // 2] if steps else lead * size
    line_boxes = [(ln.x0, ln.bottom, ln.x1, ln.top) for ln in lines]
    box = (min(b[0] for b in line_boxes), min(b[1] for b in line_boxes), max(b[2] for b in line_boxes),
           max(b[3] for b in line_boxes))
    texts = boxes.others(lines, placed)
    cell = fit.holder(box, boxes.shapes, (0.0, 0.0, page.width, page.height))
    bounds = (cell[0] + 1.0, cell[1] + 1.0, cell[2] - 1.0, cell[3] - 1.0) if cell is not None else area
    left_of = box[0] - 20
    edges = list(texts[texts[:, 0] < left_of, 2]) + list(boxes.drawn[boxes.drawn[:, 0] < left_of, 2])
    align = fit.alignment(line_boxes, bounds, (bounds[0] + bounds[2]) if cell is not None else page.width, justified,
                          edges)
    single = len(lines) == 1
    left, right, floor, ceiling = fit.room(box, size, single, align, texts, boxes.drawn, bounds)
    return fit.Frame(tuple(ln.start for ln in lines), baselines, box[2], size, pitch, align, left, right, floor,
                     ceiling if single and ceiling > box[3] + 0.5 else None)


def _runs(line: fit.Placed, faces: dict[Style, _Face]) -> list[edit.Run]:
    """A placed line → one text object per run of words in one style, each glyph positioned."""
    out: list[edit.Run] = []
    k = 0
    words = line.words
    while k < len(words):
        style = words[k][1]
        face = faces[style]
        end = k
        while end + 1 < len(words) and faces[words[end + 1][1]] is face and words[end + 1][1].color == style.color:
            end += 1
        origin = words[k][2]
        text, positions = "", []
        for word, _, x in words[k : end + 1]:
            if text and face.space:
                text += " "
                positions.append((x - origin) / line.hscale - face.widths.get(" ", 250.0) * line.size / 1000.0)
            at = (x - origin) / line.hscale
            for c in word:
                if text:
                    positions.append(at)
                text += c
                at += face.widths.get(c, 500.0) * line.size / 1000.0
        natural, at = [], 0.0
        for a, b in zip(text, text[1:]):  # where the font's own advances put each glyph
            at += face.widths.get(a, 500.0 if a != " " else 250.0) * line.size / 1000.0
            natural.append(at)
        if all(abs(p - q) < 0.01 for p, q in zip(positions, natural)):
            positions = []  # set as the font would: no kerning numbers in the content
        out.append(edit.Run(face.source, line.size, text, origin, line.baseline, line.hscale, positions, style.color,
                            style.mode))
        k = end + 1
    return out


def _mostly_justified(state: _State) -> bool:
    """Whether most paragraphs of three lines or more are justified."""
    votes: Counter[bool] = Counter()
    for place in state.places:
        if _scan_of(place.copies, state.scans) is not None:
            continue
        for group in _frame_lines(place.copies[0]):
            if len(group) >= 3:
                ends = [ln.x1 for ln in group[:-1]]
                votes[max(ends) - min(ends) < 1.5] += 1
    return votes[True] > votes[False]


def _body_size(pages: Sequence[Page]) -> float:
    weights: Counter[float] = Counter()
    for page in pages:
        for line in page.lines:
            weights[line.size] += len(line.text)
    return weights.most_common(1)[0][0] if weights else 10.0


def _lead_ratio(jobs: Sequence[_Job]) -> float:
    """Baseline to baseline as a share of the size, the document's usual (for one-line units)."""
    ratios = []
    for job in jobs:
        for copy_lines in job.copies:
            for a, b in zip(copy_lines, copy_lines[1:]):
                if a.page == b.page and a.size > 0 and 0 < a.baseline - b.baseline < 2.5 * a.size:
                    ratios.append((a.baseline - b.baseline) / a.size)
    return sorted(ratios)[len(ratios) // 2] if ratios else 1.2


def _area(page: Page, right_edge: float) -> fit.Box:
    """The page's text area: from its text's left and bottom edges to the right margin (as wide
    as the left one, or the document's right edge of text and drawings where that is further)."""
    if not page.lines:
        return (0.0, 0.0, page.width, page.height)
    left = min(ln.x0 for ln in page.lines)
    right = max(right_edge, max(ln.x1 for ln in page.lines), page.width - max(left, 18.0))
    return (left, min(ln.bottom for ln in page.lines), min(right, page.width), max(ln.top for ln in page.lines))


# --------------------------------------------------------------------------------------------
# Scanned pages: their English on a text page
# --------------------------------------------------------------------------------------------


def _scan_texts(state: _State, plan: _Plan, units: Sequence[Unit]) -> dict[int, list[tuple[_Job, tuple | None]]]:
    """Per scanned page with units: its jobs in order (every unit, changed or not: the text page
    is the page's whole text) with their styles set, and each one's table cell; the OCR's
    low-confidence line (a job of its own) ends the last of them."""
    out: dict[int, list[tuple[_Job, tuple | None]]] = {}
    for page, jobs in sorted(plan.scanned.items()):
        body = scans.body_size(state.scans[page])
        items: list[tuple[_Job, tuple | None]] = []
        for job in jobs:
            if job.unit is not None and job.text.strip():
                job.base = scans.style(body, heading=units[job.unit].role == "heading")
                items.append((job, state.places[job.unit].cell))
        if items:
            out[page] = items
    if out and state.note:
        last = max(out)
        note = _Job(None, state.note.strip("*"), (), [], base=scans.style(scans.body_size(state.scans[last]), note=True))
        out[last].append((note, None))
    return out


def _scan_pages(state: _State, texts: dict[int, list[tuple[_Job, tuple | None]]], faces: dict[Style, _Face],
                ) -> tuple[list[int], list[list[edit.Run]], list[int]]:
    """The scanned pages with English, the runs of each one's text page, and those it runs over."""

    def measure(text: str, style: Any) -> float:
        widths = faces[style].widths
        return sum(widths.get(c, 500.0 if c != " " else 250.0) for c in text) / 1000.0

    pages, runs, over = [], [], []
    for page, jobs in texts.items():
        items = [scans.Item(_styled_words(job), cell, job.unit) for job, cell in jobs]
        original = state.pages[page]
        lines, overflow = scans.lay_out(items, scans.area(original.width, original.height, state.scans[page]), measure)
        pages.append(page)
        runs.append([run for line in lines for run in _runs(line, faces)])
        if overflow:
            over.append(page)
    return pages, runs, over
