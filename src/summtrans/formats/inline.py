"""Inline formatting carried onto a translation without ever splitting a sentence for the model.

The model translates each unit's whole text. To find where a formatted span (a bold word, an
italic name, a link) went, each span's text is also translated, in the same batch, and looked up
in the unit's translation at word boundaries, the occurrence nearest the span's relative position
winning: its source text verbatim (names, numbers), then its translation (any case), then phrases
and single content words of that translation, exactly and then fuzzily, since a fragment
translated alone often comes back dressed as a sentence ("Ein Mann" → "A man is walking.").
A found word grows into a neighbour the fragment's translation also has ("life" → "life jacket").
A span's own translation is only ever a search key, never output.
A span that cannot be found falls back to the whole unit when it covered most of it (>= 80%) or
carries a link (a link target is never lost), and is dropped otherwise.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from .base import Span, Unit

WHOLE_UNIT_SHARE = 0.8  # a span over at least this share of a unit's letters falls back to the whole unit
FUZZY_MIN_RATIO = 0.75  # similarity a word window needs to count as the span's translation
FUZZY_PHRASE_RATIO = 0.85  # the same for a phrase tried before single words ("winter jacket")
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


def translated_units(units: Sequence[Unit], keep: Collection[int] = ()) -> list[int]:
    """The indices of the units that go to the model: those with letters, not kept as they are."""
    return [i for i, u in enumerate(units) if i not in keep and has_letters(u.text)]


def translate_units(
    units: Sequence[Unit], translate: Translate, keep: Collection[int] = ()
) -> tuple[list[Unit], InlineStats]:
    """Translate `units` whole (one batch with their spans' texts) and place the spans on the result.

    Units without letters, and those whose index is in `keep` (English already), are kept as
    they are. Leading and trailing whitespace is kept.
    """
    todo = translated_units(units, keep)
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
            hit = _grow(target, _trim(target, src, *hit), hint, taken)
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


_CODE_LIKE = re.compile(r"\S*[/@`_:.]\S*")  # one token with a URL's or code's characters: stays as written
_VERBATIM = "\0"  # marks the source text as a needle: matched with its own case only ("Kind" is no "kind")
_GERMAN_ARTICLES = frozenset("der die das den dem des ein eine einen einem einer eines".split())


def _needles(src: str, hint: str) -> list[str]:
    """What to look for, best first: the source text itself where it may stay as it is (names,
    numbers), its translation, then runs of the translation's content words (longest first), since
    a fragment translated alone often comes back dressed as a caption or sentence."""
    src = src.strip(_EDGE_PUNCT)
    size = len(_WORD.findall(src))
    out = [_VERBATIM + src] if src[:1].isupper() or any(c.isdigit() for c in src) or _CODE_LIKE.fullmatch(src) else []
    if len(_WORD.findall(hint)) <= size + 1:  # an article more, not a rambling caption
        with_article = src.split(" ", 1)[0].lower() in _GERMAN_ARTICLES  # "einem Zug" → "a train"
        out += [hint, _unwrapped(hint)] if with_article else [_unwrapped(hint), hint]
    elif not hint.rstrip().endswith((".", "!", "?")):  # a longer phrase, not a sentence: "by the end of the month"
        out += [hint, _unwrapped(hint)]
    words: list[str] = []
    for word in _WORD.findall(hint):
        if word.lower() not in _FILLER and (not words or words[-1].lower() != word.lower()):
            words.append(word)
    for n in range(min(len(words), size + 1), 0, -1):
        out += [" ".join(words[i : i + n]) for i in range(len(words) - n + 1)]
    return list(dict.fromkeys(n for n in out if n))


def _grow(target: str, hit: tuple[int, int], hint: str, taken: list[tuple[int, int]]) -> tuple[int, int]:
    """Take in neighbouring words the span's own translation also has: a German compound often
    becomes an English phrase ("Rettungsweste": "life" → "life jacket")."""
    keys = {w.lower() for w in _WORD.findall(hint) if w.lower() not in _FILLER}
    words = [(m.start(), m.end()) for m in _WORD.finditer(target)]
    start, end = hit

    def known(word: tuple[int, int]) -> bool:
        text = target[word[0] : word[1]].lower()
        near = any(text == k or (min(len(text), len(k)) >= 4 and abs(len(text) - len(k)) <= 4
                                 and (text.startswith(k) or k.startswith(text))) for k in keys)
        return near and _free(word, taken) and text not in target[start:end].lower()

    before = [w for w in words if w[1] <= start]
    after = [w for w in words if w[0] >= end]
    if after and known(after[0]) and not target[end : after[0][0]].strip():
        end = after[0][1]
    if before and known(before[-1]) and not target[before[-1][1] : start].strip():
        start = before[-1][0]
    return start, end


def _trim(target: str, src: str, start: int, end: int) -> tuple[int, int]:
    """Drop edge punctuation the source span did not have ("sunset." for "Sonnenuntergang"), and
    take in what it had when the translation has it right there ("Hallo!" → "Hello!", not "Hello")."""
    while end - start > 1 and target[end - 1] in _EDGE_PUNCT and not src.rstrip().endswith(target[end - 1]):
        end -= 1
    while end - start > 1 and target[start] in _EDGE_PUNCT and not src.lstrip().startswith(target[start]):
        start += 1
    src = src.strip()
    if end < len(target) and src and src[-1] in _EDGE_PUNCT and target[end] == src[-1] != target[end - 1]:
        end += 1
    if start > 0 and src and src[0] in _EDGE_PUNCT and target[start - 1] == src[0] != target[start]:
        start -= 1
    return start, end


def _unwrapped(hint: str) -> str:
    """A translation without edge punctuation and filler words ("A building." → "building")."""
    words = hint.strip(_EDGE_PUNCT).split()
    while words and words[0].lower() in _FILLER:
        words.pop(0)
    while words and words[-1].lower().strip(_EDGE_PUNCT) in _FILLER:
        words.pop()
    return " ".join(words).strip(_EDGE_PUNCT)


def _span_text(unit: Unit, span: Span) -> str:
    return unit.text[span.start : span.end].strip()


def _find(
    target: str, needles: list[str], expected: float, taken: list[tuple[int, int]]
) -> tuple[tuple[int, int] | None, str]:
    """The free place in `target` of the first needle found: verbatim (any case), or for a needle
    of several words also fuzzily; single words are tried fuzzily only when nothing else matched."""
    low = target.lower()
    words = [(m.start(), m.end()) for m in _WORD.finditer(target)]
    for needle in needles:
        verbatim = needle.startswith(_VERBATIM)
        needle = needle.lstrip(_VERBATIM).strip()
        if not any(c.isalnum() for c in needle):
            continue
        for hay, key in ((target, needle),) if verbatim else ((target, needle), (low, needle.lower())):
            hits = [(m.start(), m.start() + len(key)) for m in re.finditer(re.escape(key), hay)]
            best = _nearest([h for h in hits if _at_word_edges(target, *h)], expected, taken)
            if best is not None:
                return best, "exact"
        tokens = _WORD.findall(needle.lower())
        if len(tokens) > 1 and not _FILLER.intersection(tokens):  # "winter jacket" ~ "winter jackets"
            hit = _fuzzy(low, words, [needle], expected, taken, FUZZY_PHRASE_RATIO, exact_size=True)
            if hit is not None:
                return hit, "fuzzy"
    hit = _fuzzy(low, words, needles, expected, taken)
    return (hit, "fuzzy") if hit is not None else (None, "")


def _free(hit: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return all(hit[1] <= s or hit[0] >= e for s, e in taken)


def _nearest(hits: list[tuple[int, int]], expected: float, taken: list[tuple[int, int]]) -> tuple[int, int] | None:
    hits = [h for h in hits if _free(h, taken)]
    return min(hits, key=lambda h: abs(h[0] - expected)) if hits else None


def _fuzzy(
    low: str,
    words: list[tuple[int, int]],
    needles: list[str],
    expected: float,
    taken: list[tuple[int, int]],
    min_ratio: float = FUZZY_MIN_RATIO,
    exact_size: bool = False,
) -> tuple[int, int] | None:
    """The word window most like one of `needles` (ratio >= min_ratio), nearest on ties; windows
    have the needle's word count, or one word more or less unless `exact_size`."""
    best_hit, best_score = None, min_ratio
    for needle in needles:
        needle = needle.lstrip(_VERBATIM).strip(_EDGE_PUNCT).lower()
        count = len(_WORD.findall(needle))
        if not count or len(needle) < 4:
            continue
        for size in {count} if exact_size else {max(1, count - 1), count, count + 1}:
            for i in range(len(words) - size + 1):
                hit = (words[i][0], words[i + size - 1][1])
                edges = (low[words[i][0] : words[i][1]], low[words[i + size - 1][0] : hit[1]])
                if not _free(hit, taken) or _FILLER.intersection(edges):
                    continue
                score = SequenceMatcher(None, low[hit[0] : hit[1]], needle).ratio()
                closer = best_hit is not None and abs(hit[0] - expected) < abs(best_hit[0] - expected)
                if score > best_score or (score == best_score and closer):
                    best_hit, best_score = hit, score
    return best_hit


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
