"""Translator: segments → token-budget batches → engine → reassembled text; a document's units
(`formats.Unit`) translated whole, their formatted spans placed on the English words.

Whole segments are looked up in the translation memory first (`memory`); only misses reach the
model. Nothing is dropped: a segment longer than the model's input limit is split at clause boundaries,
then at word windows, and every part is translated. Gaps between segments (paragraph breaks,
list markers, markdown code) are kept verbatim, so the document's structure survives.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from .engines.base import Engine, EngineUser, GenerationOptions
from .faithful.quality import Checked, QualityReport, QualityWarning
from .formats.base import Unit
from .formats.inline import InlineStats, translate_units, translated_units
from .progress import Progress
from .records import COPIED, KEPT_ENGLISH, MODEL
from .segment import normalize_space, reassemble, segment, split_to_fit

if TYPE_CHECKING:
    from .faithful.layer import FaithfulOptions, FaithfulTranslator
    from .memory.store import Memory, MemoryContext

# Warnings that leave a translation fit to remember: the retry fixed it, or it was translated in pieces.
_BENIGN = frozenset({"retried", "split"})


@dataclass(frozen=True)
class SegmentTranslation:
    source: str  # the segment as it stands in the input
    translation: str
    kind: str = "sentence"
    parts: int = 1  # how many model inputs the segment was split into (0: not sent to the model)
    origin: str = MODEL  # records.ORIGINS: model, memory, memory-import, kept-english, copied
    quality: QualityReport | None = None  # checks of a fresh model translation (warnings at segment 0)


@dataclass(frozen=True)
class Translation:
    """A translated document."""

    source_text: str
    text: str  # the translation, with the source's layout
    segments: list[SegmentTranslation] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def quality(self) -> QualityReport:
        """The document's quality block: its segments' checks, warnings at their index in `segments`."""
        total = QualityReport()
        for k, s in enumerate(self.segments):
            if s.quality is not None:
                total = total.merged(_shifted(s.quality, k))
        return total


@dataclass(frozen=True)
class UnitsTranslation:
    """A document's units, translated."""

    units: list[Unit]  # the translated units, in order, spans placed on the English words
    segments: list[SegmentTranslation]  # the units' model inputs in order (kept-English ones too)
    inline: InlineStats  # formatted spans placed, fallen back, dropped
    quality: QualityReport  # the units' checks (warnings at their index in `segments`)
    seconds: float = 0.0  # this document's share of the translation time


class Translator(EngineUser):
    """Translate German text with a seq2seq engine, through the translation memory when given one.

    `engine` may be a zero-argument loader: it is then called only when a segment misses the
    memory, so a run answered wholly from the memory loads no model. `faithful`: protected spans,
    glossary, length cap and guards around the model (`faithful.FaithfulTranslator`); None: off.
    """

    def __init__(
        self,
        engine: Engine | Callable[[], Engine],
        generation: GenerationOptions | None = None,
        *,
        prefix: str = "",
        max_input_tokens: int | None = None,
        memory: Memory | None = None,
        memory_context: MemoryContext | None = None,
        faithful: FaithfulOptions | None = None,
    ) -> None:
        super().__init__(engine, generation, prefix, max_input_tokens, memory, memory_context)
        self.faithful_options = faithful

    @cached_property
    def faithful(self) -> FaithfulTranslator | None:
        """The faithful layer over the engine (built on first use; calibrates placeholders once).
        The echo engine stays an identity (dry runs, format round trips): no guards (they would flag
        its output as untranslated) and numbers kept as written rather than in English form."""
        if self.faithful_options is None:
            return None
        from .faithful.layer import FaithfulTranslator

        options = self.faithful_options
        if self.engine.name == "echo":
            protect = options.protect and dataclasses.replace(options.protect, localize_numbers=False)
            options = dataclasses.replace(options, guards=None, retry=None, protect=protect or None)
        return FaithfulTranslator(self.engine, self.generation, options, self.prefix)

    def translate(self, text: str, *, markdown: bool = False, progress: Progress | None = None) -> Translation:
        """Translate one document (`markdown`: read as markdown, its units translated whole)."""
        if not markdown:
            return self.translate_many([text], progress=progress)[0]
        from .formats.markdown import MarkdownBackend

        backend = MarkdownBackend()
        extracted = backend.read_text(text, "<text>")
        [done] = self.translate_units([extracted.units], progress=progress)
        return Translation(text, backend.write(extracted, done.units).decode("utf-8"), done.segments, done.seconds)

    def translate_many(
        self,
        texts: Sequence[str],
        *,
        progress: Progress | None = None,
    ) -> list[Translation]:
        """Translate several documents; their segments share model batches.

        Whole segments are looked up in the memory first; only the misses are split to fit the
        model and sent to it (each distinct segment once), and their translations are stored.
        """
        start = time.perf_counter()
        docs = [segment(t) for t in texts]
        wanted = list(dict.fromkeys(normalize_space(s.text) for segs in docs for s in segs))
        hits = self.memory.lookup(self.memory_context, wanted) if self.memory is not None and wanted else {}
        misses = [n for n in wanted if n not in hits]
        fresh = self._translate_misses(misses, progress)
        elapsed = time.perf_counter() - start
        total = max(sum(len(segs) for segs in docs), 1)
        results = []
        for text, segs in zip(texts, docs):
            seg_results = []
            for seg in segs:
                n = normalize_space(seg.text)
                if n in hits:
                    seg_results.append(SegmentTranslation(seg.text, hits[n].text, seg.kind, 0, hits[n].origin))
                else:
                    done, parts, report = fresh[n]
                    seg_results.append(SegmentTranslation(seg.text, done, seg.kind, parts, MODEL, report))
            out = reassemble(text, segs, [s.translation for s in seg_results])
            results.append(Translation(text, out, seg_results, elapsed * len(segs) / total))
        return results

    def translate_units(
        self,
        documents: Sequence[Sequence[Unit]],
        keep: Sequence[Collection[int]] | None = None,
        *,
        progress: Progress | None = None,
    ) -> list[UnitsTranslation]:
        """Translate the units of several documents in one call (they share model batches and the
        memory); `keep[k]`: indices of document k's units kept as they are (English already).

        Each unit is translated whole, and each of its formatted spans' texts alone, which only
        helps to find that span's English words (`formats.inline`); the spans' own translations
        are not reported in `segments`.
        """
        keep = list(keep) if keep is not None else [()] * len(documents)
        asked: list[list[str]] = []  # what translate_units asks for, per document (units, then spans)
        for units, kept in zip(documents, keep):
            seen: list[str] = []
            translate_units(units, lambda texts, seen=seen: seen.extend(texts) or list(texts), kept)
            asked.append(seen)
        flat = [text for texts in asked for text in texts]
        start = time.perf_counter()
        done = self.translate_many(flat, progress=progress) if flat else []
        elapsed = time.perf_counter() - start
        out, pos = [], 0
        for units, kept, texts in zip(documents, keep, asked):
            mine, pos = done[pos : pos + len(texts)], pos + len(texts)
            answers = iter([[t.text for t in mine]])
            translated, stats = translate_units(units, lambda _texts: next(answers), kept)
            by_unit = dict(zip(translated_units(units, kept), mine))  # the first answers are the units'
            segments: list[SegmentTranslation] = []
            quality = QualityReport()
            for i, unit in enumerate(units):
                if i in by_unit:
                    quality = quality.merged(_shifted(by_unit[i].quality, len(segments)))
                    segments += by_unit[i].segments
                elif i in kept:
                    english = [SegmentTranslation(s.text, s.text, s.kind, 0, KEPT_ENGLISH) for s in segment(unit.text)]
                    quality = quality.merged(QualityReport(kept_english=len(english)))
                    segments += english
                else:  # no words: copied as it is, and still a segment (key facts read amounts and dates in it)
                    segments += [SegmentTranslation(s.text, s.text, s.kind, 0, COPIED) for s in segment(unit.text)]
            share = elapsed * len(texts) / max(len(flat), 1)
            out.append(UnitsTranslation(translated, segments, stats, quality, share))
        return out

    def _translate_misses(
        self, misses: list[str], progress: Progress | None
    ) -> dict[str, tuple[str, int, QualityReport | None]]:
        """Normalized segment -> (joined translation, model inputs, its checks); stores them in the
        memory, except translations still flagged after the retry (a re-run tries and flags them again)."""
        if not misses:
            return {}
        parts = self._parts(misses)
        outputs, reports = self.translate_checked([p for ps in parts for p in ps], progress=progress)
        fresh, pos = {}, 0
        for miss, ps in zip(misses, parts):
            mine = reports[pos : pos + len(ps)]
            report = _combined(mine) if self.faithful is not None else None
            fresh[miss] = (" ".join(o for o in outputs[pos : pos + len(ps)] if o), len(ps), report)
            pos += len(ps)
        if self.memory is not None:
            keep = [
                (m, t) for m, (t, _, r) in fresh.items()
                if t.strip() and (r is None or all(w.kind in _BENIGN for w in r.warnings))
            ]
            self.memory.store(self.memory_context, keep)
        return fresh

    def translate_segments(self, inputs: Sequence[str], *, progress: Progress | None = None) -> list[str]:
        """Translate ready model inputs (each within the limit); identical inputs run once."""
        return self.translate_checked(inputs, progress=progress)[0]

    def translate_checked(
        self, inputs: Sequence[str], *, progress: Progress | None = None
    ) -> tuple[list[str], list[QualityReport]]:
        """`translate_segments` with a quality report per input (empty without the faithful layer;
        warnings at index 0). Through the faithful layer when there is one: spans masked, length
        capped, degenerate outputs retried once, spans restored, numbers checked."""
        unique = list(dict.fromkeys(inputs))
        if progress:
            progress.add_total(len(unique))
        advance = progress.advance if progress else None
        faithful = self.faithful
        if faithful is None:
            outs = self.engine.generate([self.prefix + u for u in unique], self.generation, progress=advance)
            reports = [QualityReport()] * len(unique)
        else:
            outs, reports = faithful.translate(unique, progress=advance)
        table = {u: (o, _shifted(r, -i)) for i, (u, o, r) in enumerate(zip(unique, outs, reports))}
        return [table[i][0] for i in inputs], [table[i][1] for i in inputs]

    def _parts(self, sources: Sequence[str]) -> list[list[str]]:
        """Per normalized segment, the model inputs it is split into to fit the input limit."""
        counts = self.engine.count_tokens(sources)
        return [
            [n] if c <= self.limit else split_to_fit(n, self.engine.count_tokens, self.limit)
            for n, c in zip(sources, counts)
        ]


def _shifted(report: QualityReport, offset: int) -> QualityReport:
    """`report` with its warnings' segment indices moved by `offset`."""
    if not report.warnings:
        return report
    return dataclasses.replace(report, warnings=tuple(w.shifted(offset) for w in report.warnings))


def _combined(parts: Sequence[QualityReport]) -> QualityReport:
    """The reports of one segment's model inputs as one (warnings at segment 0, counts summed)."""
    warnings: list[QualityWarning] = []
    numbers = spans = terms = Checked()
    for r in parts:
        warnings += [QualityWarning(0, w.kind, w.detail) for w in r.warnings]
        numbers, spans, terms = numbers + r.numbers, spans + r.spans, terms + r.terms
    return QualityReport(tuple(warnings), numbers, spans, terms, segments=1)
