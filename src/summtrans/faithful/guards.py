"""Guards against runaway output: a length cap, degenerate-output detection, one safer retry.

Small or out-of-domain models loop (``go go go go …``) or ramble until the token limit, which
also costs most of a run's time. Three defences:

1. `length_cap()`: at most ``ceil(factor * input_tokens + slack)`` new tokens per input, like
   Marian's ``--max-length-factor``. Engines sort batches by length, so a cap computed from the
   longest input of a batch is close to per-input (`cap_groups()` groups inputs by their cap).
2. `problems()`: repetition (that the source does not have), a length ratio outside the norm,
   output identical to the input, output still German.
3. `guarded_translate()`: translate, detect, retry the bad ones once with `RetryPolicy`'s safer
   settings, keep the better output and flag what is still bad. It judges what the reader gets:
   the faithful layer hands it whole segments with their spans restored (`layer.py`).

Summaries get `summary_problems()`: repetition, length bounds, figures not in the translation.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from ..engines.base import GenerationOptions
from .numbers import english_numbers, german_numbers, missing_numbers
from .quality import QualityWarning

# Frequent German words that are not English words too ("die", "war", "also" and "man" are out).
GERMAN_WORDS = frozenset(
    """der das und ist nicht mit von zu den dem des ein eine einen einem einer eines sich auf für
    im ins wird werden wurde wurden auch sie wir ich aber oder wenn dass noch nach bei aus über
    sind hat haben hatte nur vom zum zur kein keine mehr schon wie als bis durch gegen ohne um
    unter zwischen sein seine ihre ihr diese dieser dieses jetzt hier dort immer sehr viele""".split()
)
_WORD = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")
_CHAR_LOOP = re.compile(r"(\w{2,8}?)\1{3,}")
_EDGE_PUNCT = re.compile(r"^[^\w]+|[^\w]+$")
T = TypeVar("T")


@dataclass(frozen=True)
class GuardOptions:
    """Thresholds of the guards (defaults measured on mini-marian-de-en: benchmarks/guards.py)."""

    length_factor: float | None = 2.0  # new tokens ≤ factor × input tokens + slack; None: no cap
    length_slack: int = 10  # tokens added to the cap (short inputs need room)
    repeat_times: int = 4  # an n-gram (n ≤ 4) this many times in a row is a loop (the last may trail on: "given")
    min_distinct: float = 0.3  # outputs of 20+ words with fewer distinct words than this share loop
    ratio_low: float = 0.25  # output/input character ratio below this is suspicious …
    ratio_high: float = 3.0  # … and above this (inputs of 20+ characters only)
    german_share: float = 0.3  # outputs of 4+ words with this share of German words are German
    min_identical_words: int = 3  # an unchanged input of this many words is "untranslated"


@dataclass(frozen=True)
class RetryPolicy:
    """The safer settings of the one retry of a degenerate output."""

    num_beams: int | None = 1  # greedy
    no_repeat_ngram_size: int | None = 3  # forbid repeating 3-grams
    repetition_penalty: float | None = 1.2  # discourage repeated tokens

    def apply(self, generation: GenerationOptions) -> GenerationOptions:
        """`generation` with the safer settings on top."""
        return generation.merged(
            num_beams=self.num_beams,
            no_repeat_ngram_size=self.no_repeat_ngram_size,
            repetition_penalty=self.repetition_penalty,
        )


def length_cap(input_tokens: int, options: GuardOptions | None = None, ceiling: int | None = None) -> int | None:
    """max_new_tokens for an input of `input_tokens` tokens (None: no cap), at most `ceiling`."""
    options = options or GuardOptions()
    if options.length_factor is None:
        return ceiling
    cap = math.ceil(options.length_factor * input_tokens + options.length_slack)
    return cap if ceiling is None else min(cap, ceiling)


def cap_groups(
    token_counts: Sequence[int], options: GuardOptions | None = None, ceiling: int | None = None, step: int = 8
) -> list[tuple[int | None, list[int]]]:
    """Indices grouped so that each group can run with one max_new_tokens: the cap of its longest
    input, inputs rounded up to a multiple of `step` tokens (so there are few groups)."""
    groups: dict[int | None, list[int]] = {}
    for i, n in enumerate(token_counts):
        groups.setdefault(length_cap(math.ceil(max(n, 1) / step) * step, options, ceiling), []).append(i)
    return sorted(groups.items(), key=lambda g: (g[0] is None, g[0] or 0))


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def _loop_tokens(text: str) -> list[str]:
    """Whitespace tokens, case-folded, without the punctuation around them ("Wide," → "wide")."""
    return [t for t in (_EDGE_PUNCT.sub("", w).casefold() for w in text.split()) if t]


def repetition(text: str, options: GuardOptions | None = None) -> str | None:
    """What loops in `text` (quoted), or None.

    An n-gram (n ≤ 4) `repeat_times` times in a row, case and punctuation aside; the last time
    may trail on into a longer word, as subword loops end ("give give give given", "do do do dozards").
    """
    options = options or GuardOptions()
    tokens = _loop_tokens(text)
    times = options.repeat_times
    for n in range(1, 5):
        for start in range(0, len(tokens) - n * times + 1):
            gram = tokens[start : start + n]
            if not all(tokens[start + k * n : start + (k + 1) * n] == gram for k in range(1, times - 1)):
                continue
            last = tokens[start + (times - 1) * n : start + times * n]
            if last[:-1] == gram[:-1] and last[-1].startswith(gram[-1]):
                return f"'{' '.join(gram)}' {times}+ times in a row"
    loop = _CHAR_LOOP.search(text)
    if loop:
        return f"'{loop.group(0)[:40]}'"
    words = _words(text)
    if len(words) >= 20 and len(set(words)) / len(words) < options.min_distinct:
        return f"{len(set(words))} distinct words in {len(words)}"
    return None


def german_share(text: str) -> float:
    """Share of the words of `text` that are frequent German words or have umlauts or ß."""
    words = _words(text)
    if not words:
        return 0.0
    return sum(w in GERMAN_WORDS or any(c in "äöüß" for c in w) for w in words) / len(words)


def problems(source: str, output: str, options: GuardOptions | None = None) -> list[tuple[str, str]]:
    """(kind, detail) for each way `output` is a degenerate translation of `source`."""
    options = options or GuardOptions()
    found: list[tuple[str, str]] = []
    loop = repetition(output, options)
    if loop and not repetition(source, options):  # "Ha ha ha ha!" may come out as it went in
        found.append(("repetition", loop))
    if len(source) >= 20:
        ratio = len(output) / len(source)
        if not options.ratio_low <= ratio <= options.ratio_high:
            found.append(("length-ratio", f"output/input length {ratio:.2f}"))
    source_words = _words(source)
    if len(source_words) >= options.min_identical_words and _words(output) == source_words:
        found.append(("untranslated", "output identical to the input"))
    elif len(_words(output)) >= 4 and german_share(output) >= options.german_share:
        found.append(("german-output", f"{german_share(output):.0%} German words"))
    return found


def guarded_translate(
    sources: Sequence[str],
    translate: Callable[[list[str]], list[T]],
    translate_safe: Callable[[list[str]], list[T]] | None,
    options: GuardOptions | None = None,
    check: Callable[[str, T], list[tuple[str, str]]] | None = None,
) -> tuple[list[T], list[QualityWarning]]:
    """Translate `sources`, retry degenerate outputs once with `translate_safe`, flag the rest.

    Warnings carry the index in `sources`: ``retried`` where the retry fixed the output, the
    remaining problem kinds where it did not (the output with fewer problems is kept; on a tie,
    the retry's). `translate_safe` None: no retry, the problems are flagged as found.
    `check(source, output)` finds the problems (default: `problems`; outputs that are not strings
    need their own).
    """
    options = options or GuardOptions()
    check = check or (lambda s, o: problems(s, o, options))
    outputs = list(translate(list(sources)))
    found = {i: check(s, o) for i, (s, o) in enumerate(zip(sources, outputs))}
    bad = [i for i, p in found.items() if p]
    warnings: list[QualityWarning] = []
    if not bad:
        return outputs, warnings
    if translate_safe is None:
        warnings = [QualityWarning(i, kind, detail) for i in bad for kind, detail in found[i]]
        return outputs, warnings
    retried = translate_safe([sources[i] for i in bad])
    for i, again in zip(bad, retried):
        after = check(sources[i], again)
        if len(after) <= len(found[i]):
            outputs[i], kept = again, after
        else:
            kept = found[i]
        if kept:
            warnings += [QualityWarning(i, kind, f"{detail} (after a retry)") for kind, detail in kept]
        else:
            warnings.append(QualityWarning(i, "retried", ", ".join(k for k, _ in found[i]) + " fixed by a retry"))
    return outputs, sorted(warnings, key=lambda w: (w.segment or 0))


def number_warnings(segment: int | None, source: str, translation: str) -> tuple[int, list[QualityWarning]]:
    """(numbers checked, a `number-missing` warning per number of `source` not in `translation`)."""
    values = german_numbers(source)
    lost = missing_numbers(values, english_numbers(translation))
    return len(values), [QualityWarning(segment, "number-missing", v) for v in lost]


@dataclass(frozen=True)
class SummaryBounds:
    """Length bounds of a summary, in words, relative to the text summarized."""

    min_words: int = 3  # fewer words is no summary
    max_share: float = 1.0  # more words than this share of the text's is no summary


def summary_problems(
    summary: str, translation: str, bounds: SummaryBounds | None = None, options: GuardOptions | None = None
) -> list[QualityWarning]:
    """Document-level warnings for a summary of `translation`: a loop, a length out of bounds,
    a figure the translation does not have (``invented-number``)."""
    bounds = bounds or SummaryBounds()
    warnings: list[QualityWarning] = []
    loop = repetition(summary, options)
    if loop:
        warnings.append(QualityWarning(None, "repetition", f"summary: {loop}"))
    n, total = len(summary.split()), len(translation.split())
    if n < bounds.min_words or (total and n > bounds.max_share * total):
        warnings.append(QualityWarning(None, "summary-length", f"{n} words for a text of {total}"))
    for value in missing_numbers(english_numbers(summary), english_numbers(translation)):
        warnings.append(QualityWarning(None, "invented-number", value))
    return warnings
