"""Translator: segments → token-budget batches → engine → reassembled text.

Nothing is dropped: a segment longer than the model's input limit is split at clause boundaries,
then at word windows, and every part is translated. Gaps between segments (paragraph breaks,
list markers, markdown code) are kept verbatim, so the document's structure survives.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from .engines.base import Engine, GenerationOptions, input_budget
from .progress import Progress
from .segment import Segment, normalize_space, reassemble, segment, split_to_fit


@dataclass(frozen=True)
class SegmentTranslation:
    source: str  # the segment as it stands in the input
    translation: str
    kind: str = "sentence"
    parts: int = 1  # how many model inputs the segment was split into


@dataclass(frozen=True)
class Translation:
    """A translated document."""

    source_text: str
    text: str  # the translation, with the source's layout
    segments: list[SegmentTranslation] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class _Planned:
    text: str
    segments: list[Segment]
    parts: list[list[str]]  # per segment, the model inputs it was split into


class Translator:
    """Translate German text with a seq2seq engine."""

    def __init__(
        self,
        engine: Engine,
        generation: GenerationOptions | None = None,
        *,
        prefix: str = "",
        max_input_tokens: int | None = None,
    ) -> None:
        self.engine = engine
        self.generation = generation or GenerationOptions()
        self.prefix = prefix
        self.limit = input_budget(engine, max_input_tokens, prefix)

    def translate(self, text: str, *, markdown: bool = False, progress: Progress | None = None) -> Translation:
        """Translate one document."""
        return self.translate_many([text], markdown=markdown, progress=progress)[0]

    def translate_many(
        self,
        texts: Sequence[str],
        *,
        markdown: bool | Sequence[bool] = False,
        progress: Progress | None = None,
    ) -> list[Translation]:
        """Translate several documents; their segments share model batches."""
        start = time.perf_counter()
        flags = [markdown] * len(texts) if isinstance(markdown, bool) else list(markdown)
        plans = [self._plan(t, md) for t, md in zip(texts, flags)]
        inputs = [p for plan in plans for parts in plan.parts for p in parts]
        outputs = self.translate_segments(inputs, progress=progress)
        results, pos = [], 0
        elapsed = time.perf_counter() - start
        for plan in plans:
            seg_results = []
            for seg, parts in zip(plan.segments, plan.parts):
                done = " ".join(o for o in outputs[pos : pos + len(parts)] if o)
                pos += len(parts)
                seg_results.append(SegmentTranslation(seg.text, done, seg.kind, len(parts)))
            text = reassemble(plan.text, plan.segments, [s.translation for s in seg_results])
            share = elapsed * (sum(len(p) for p in plan.parts) / max(len(inputs), 1))
            results.append(Translation(plan.text, text, seg_results, share))
        return results

    def translate_segments(self, inputs: Sequence[str], *, progress: Progress | None = None) -> list[str]:
        """Translate ready model inputs (each within the limit); identical inputs run once."""
        unique = list(dict.fromkeys(inputs))
        if progress:
            progress.add_total(len(unique))
        advance = progress.advance if progress else None
        outs = self.engine.generate([self.prefix + u for u in unique], self.generation, progress=advance)
        table = dict(zip(unique, outs))
        return [table[i] for i in inputs]

    def _plan(self, text: str, markdown: bool) -> _Planned:
        segs = segment(text, markdown=markdown)
        normalized = [normalize_space(s.text) for s in segs]
        counts = self.engine.count_tokens(normalized) if normalized else []
        parts = [
            [n] if c <= self.limit else split_to_fit(n, self.engine.count_tokens, self.limit)
            for n, c in zip(normalized, counts)
        ]
        return _Planned(text, segs, parts)
