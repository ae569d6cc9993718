"""Inline formatting carried onto a translation without ever splitting a sentence for the model.

The model translates each unit's whole text. To find where a formatted span (a bold word, an
italic name, a link) went, each span's text is also translated, in the same batch, and looked up
in the unit's translation: its source text verbatim (names, numbers), then its translation
exactly, case-insensitively and fuzzily at word boundaries, the occurrence nearest the span's
relative position winning. A span's own translation is only ever a search key, never output.
A span that cannot be found falls back to the whole unit when it covered most of it (>= 80%) or
carries a link (a link target is never lost), and is dropped otherwise.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from .base import Span, Unit

WHOLE_UNIT_SHARE = 0.8  # a span over at least this share of a unit's letters falls back to the whole unit
FUZZY_MIN_RATIO = 0.75  # similarity a word window needs to count as the span's translation
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")
_EDGE_PUNCT = " \t\n.,;:!?\"'«»„“”‚‘’()[]"

Translate = Callable[[list[str]], list[str]]


@dataclass
class InlineStats:
    """How the formatted spans of translated units fared."""

    placed: int = 0  # found on the English words
    fallback: int = 0  # applied to the whole unit (span covered most of it, or carried a link)
    dropped: int = 0  # formatting lost, text kept
    exact: int = 0  # of `placed`: found verbatim (source or translation, any case)
    fuzzy: int = 0  # of `placed`: found by word-window similarity

    def add(self, other: InlineStats) -> None:
        for f in dataclasses.fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


def has_letters(text: str) -> bool:
    return any(c.isalpha() for c in text)


def translate_units(units: Sequence[Unit], translate: Translate) -> tuple[list[Unit], InlineStats]:
    """Translate `units` whole (one batch with their spans' texts) and place the spans on the result.

    Units without letters are kept as they are. Leading and trailing whitespace is kept.
    """
    todo = [i for i, u in enumerate(units) if has_letters(u.text)]
    inputs = [units[i].text.strip() for i in todo]
    inputs += [_span_text(units[i], s) for i in todo for s in units[i].spans]
    outputs = translate(inputs) if inputs else []
    hints = iter(outputs[len(todo) :])
    result = list(units)
    stats = InlineStats()
    for i, translation in zip(todo, outputs):
        unit = units[i]
        lead = unit.text[: len(unit.text) - len(unit.text.lstrip())]
        text = lead + translation + unit.text[len(unit.text.rstrip()) :]
        unit_hints = [next(hints) for _ in unit.spans]
        if translation == unit.text.strip():  # identity: the spans stay where they were
            spans, found = list(unit.spans), InlineStats(placed=len(unit.spans), exact=len(unit.spans))
        else:
            spans, found = place_spans(unit.text, text, unit.spans, unit_hints)
        stats.add(found)
        result[i] = Unit(text, tuple(spans), unit.role)
    return result, stats


def place_spans(
    source: str, target: str, spans: Sequence[Span], hints: Sequence[str]
) -> tuple[list[Span], InlineStats]:
    """Spans of `source` moved onto `target`; `hints[i]` is span i's text translated alone."""
    stats = InlineStats()
    placed: list[Span] = []
    taken: list[tuple[int, int]] = []
    letters = sum(c.isalnum() for c in source) or 1
    for span, hint in zip(spans, hints):
        src = source[span.start : span.end]
        expected = span.start / max(len(source), 1) * len(target)
        hit, how = _find(target, _needles(src, hint), expected, taken)
        if hit is not None:
            hit = _trim(target, src, *hit)
            placed.append(dataclasses.replace(span, start=hit[0], end=hit[1]))
            taken.append(hit)
            stats.placed += 1
            setattr(stats, how, getattr(stats, how) + 1)
        elif span.link is not None or sum(c.isalnum() for c in src) >= WHOLE_UNIT_SHARE * letters:
            start = len(target) - len(target.lstrip())
            placed.append(dataclasses.replace(span, start=start, end=len(target.rstrip())))
            stats.fallback += 1
        else:
            stats.dropped += 1
    return sorted(placed, key=lambda s: (s.start, s.end)), stats


# Words a model wraps a fragment's translation in ("A man is walking." for "Ein Mann"): never a
# search key on their own.
_FILLER = frozenset(
    "a an the is are was were be been being of in on at to and or with some there his her its their this"
    " that it he she they for by from as while".split()
)


def _needles(src: str, hint: str) -> list[str]:
    """What to look for, best first: the source text itself where it may stay as it is (names,
    numbers), its translation, then runs of the translation's content words (longest first), since
    a fragment translated alone often comes back dressed as a caption or sentence."""
    src = src.strip(_EDGE_PUNCT)
    size = len(_WORD.findall(src))
    out = [src] if src[:1].isupper() or any(c.isdigit() for c in src) else []
    if len(_WORD.findall(hint)) <= size + 1:  # an article more, not a rambling caption
        out += [hint, hint.strip(_EDGE_PUNCT)]
    words: list[str] = []
    for word in _WORD.findall(hint):
        if word.lower() not in _FILLER and (not words or words[-1].lower() != word.lower()):
            words.append(word)
    for n in range(min(len(words), size + 1), 0, -1):
        out += [" ".join(words[i : i + n]) for i in range(len(words) - n + 1)]
    return list(dict.fromkeys(n for n in out if n))


def _trim(target: str, src: str, start: int, end: int) -> tuple[int, int]:
    """Drop edge punctuation the source span did not have ("sunset." for "Sonnenuntergang")."""
    while end - start > 1 and target[end - 1] in _EDGE_PUNCT and not src.rstrip().endswith(target[end - 1]):
        end -= 1
    while end - start > 1 and target[start] in _EDGE_PUNCT and not src.lstrip().startswith(target[start]):
        start += 1
    return start, end


def _span_text(unit: Unit, span: Span) -> str:
    return unit.text[span.start : span.end].strip()


def _find(
    target: str, needles: list[str], expected: float, taken: list[tuple[int, int]]
) -> tuple[tuple[int, int] | None, str]:
    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    def nearest(hits: list[tuple[int, int]]) -> tuple[int, int] | None:
        hits = [h for h in hits if free(*h)]
        return min(hits, key=lambda h: abs(h[0] - expected)) if hits else None

    low = target.lower()
    for exact in (True, False):
        for needle in needles:
            needle = needle.strip()
            if not any(c.isalnum() for c in needle):
                continue
            hay, key = (target, needle) if exact else (low, needle.lower())
            hits = [(m.start(), m.start() + len(key)) for m in re.finditer(re.escape(key), hay)]
            best = nearest([h for h in hits if _at_word_edges(target, *h)])
            if best is not None:
                return best, "exact"
    words = [(m.start(), m.end()) for m in _WORD.finditer(target)]
    best_hit, best_score = None, FUZZY_MIN_RATIO
    for needle in needles:
        needle = needle.strip(_EDGE_PUNCT).lower()
        count = len(_WORD.findall(needle))
        if not count or len(needle) < 4:
            continue
        for size in {max(1, count - 1), count, count + 1}:
            for i in range(len(words) - size + 1):
                a, b = words[i][0], words[i + size - 1][1]
                if not free(a, b):
                    continue
                score = SequenceMatcher(None, low[a:b], needle).ratio()
                closer = best_hit is not None and abs(a - expected) < abs(best_hit[0] - expected)
                if score > best_score or (score == best_score and closer):
                    best_hit, best_score = (a, b), score
    return (best_hit, "fuzzy") if best_hit else (None, "")


def _at_word_edges(text: str, start: int, end: int) -> bool:
    before = start == 0 or not text[start - 1].isalnum() or not text[start].isalnum()
    after = end == len(text) or not text[end].isalnum() or not text[end - 1].isalnum()
    return before and after


# --------------------------------------------------------------------------------------------
# Helpers for backends: cut a translated unit back into the original's stretches and runs
# --------------------------------------------------------------------------------------------


def cut_points(source: str, target: str, bounds: Sequence[int]) -> list[tuple[int, bool]]:
    """Map stretch boundaries in `source` (offsets) to word boundaries of `target`, in proportion.

    Used where fixed inline objects (a footnote mark, a field, an image) sit between stretches of
    text: each stays between the same words, proportionally, as a subtitle split would. A mark
    glued to the word before it (`gefunden¹,`) stays glued to a word end in the translation. Each
    cut comes with `pad`: the object had spaces on both sides but the translation has one space
    there, so the stretch after the cut needs a leading space.
    """
    cuts: list[tuple[int, bool]] = []
    low = 0
    for b in bounds:
        pad = False
        if b <= 0:
            cut = 0
        elif b >= len(source):
            cut = len(target)
        else:
            glued = not source[b - 1].isspace()
            cut = _snap(target, round(b / len(source) * len(target)), glued)
            if not glued and source[b].isspace():  # spaces on both sides of the object
                gap = len(target[:cut]) - len(target[:cut].rstrip())
                cut -= gap // 2
                pad = gap < 2
        cut = max(cut, low)
        cuts.append((cut, pad))
        low = cut
    return cuts


def _snap(text: str, pos: int, word_end: bool) -> int:
    """The word end (or word start after whitespace) nearest `pos`; the end if there is none."""
    if word_end:
        edges = [i for i in range(1, len(text) + 1) if text[i - 1].isalnum() and (i == len(text) or not text[i].isalnum())]
    else:
        edges = [i for i in range(1, len(text)) if text[i - 1].isspace() and not text[i].isspace()]
    if not edges:
        return len(text)
    return min(edges, key=lambda i: abs(i - pos))


@dataclass(frozen=True)
class Chunk:
    """A run of translated text to write: its formatting and the link it carries."""

    text: str
    span: Span | None  # the innermost span over the text (its formatting), None for plain text
    link: Span | None  # the innermost span with a link over the text (may be `span`), or None


def chunks(text: str, spans: Sequence[Span], start: int = 0, end: int | None = None) -> list[Chunk]:
    """`text[start:end]` cut into runs. Where spans nest (a bold word inside a link that fell back
    to the whole unit), the innermost gives the formatting and the link still covers the word."""
    end = len(text) if end is None else end
    owner: list[Span | None] = [None] * (end - start)
    linked: list[Span | None] = [None] * (end - start)
    for span in sorted(spans, key=lambda s: s.end - s.start, reverse=True):
        for i in range(max(span.start, start), min(span.end, end)):
            owner[i - start] = span
            if span.link is not None:
                linked[i - start] = span
    out: list[Chunk] = []
    for i, (who, link) in enumerate(zip(owner, linked)):
        if out and out[-1].span is who and out[-1].link is link:
            out[-1] = Chunk(out[-1].text + text[start + i], who, link)
        else:
            out.append(Chunk(text[start + i], who, link))
    return out
