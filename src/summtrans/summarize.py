"""Summarizer: chunk → summarize each chunk (map) → summarize the summaries (reduce).

The English text is cut at sentence boundaries into chunks that fit the model's input limit;
a sentence longer than a whole chunk is split at clauses, then word windows. Partial summaries
are joined and summarized again until one input holds them all. Nothing is truncated.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from .engines.base import Engine, EngineUser, GenerationOptions
from .faithful.quality import QualityWarning
from .progress import Progress
from .records import Summary
from .segment import normalize_space, segment, split_to_fit

if TYPE_CHECKING:
    from .faithful.guards import GuardOptions, RetryPolicy
    from .memory.store import Memory, MemoryContext

MAX_ROUNDS = 8


class Summarizer(EngineUser):
    """Summarize English text of any length with a seq2seq engine.

    With a translation memory, a text summarized before under the same model and settings is
    answered from it; `engine` may then be a zero-argument loader, called only on a miss. With
    `guards`, a summary that loops, is out of its length bounds or has figures the text lacks
    (`guards.summary_check`) is made once more under `retry`'s safer settings; what is still
    wrong is flagged in `Summary.warnings` (remembered summaries are checked too).
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
        guards: GuardOptions | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        super().__init__(engine, generation, prefix, max_input_tokens, memory, memory_context)
        self.guards = guards
        self.retry = retry

    def chunks(self, text: str) -> list[str]:
        """Pack sentences into chunks that fit one model input, in order; nothing dropped."""
        limit = self.limit
        pieces: list[str] = []
        sentences = [normalize_space(s.text) for s in segment(text)]
        for sent, n in zip(sentences, self.engine.count_tokens(sentences) if sentences else []):
            pieces.extend([sent] if n <= limit else split_to_fit(sent, self.engine.count_tokens, limit))
        chunks: list[str] = []
        current: list[str] = []
        for piece in pieces:
            candidate = " ".join([*current, piece])
            if current and self.engine.count_tokens([candidate])[0] > limit:
                chunks.append(" ".join(current))
                current = [piece]
            else:
                current.append(piece)
        if current:
            chunks.append(" ".join(current))
        return chunks

    def summarize(self, text: str, *, length: GenerationOptions | None = None, progress: Progress | None = None) -> Summary:
        return self.summarize_many([text], length=length, progress=progress)[0]

    def summarize_many(
        self,
        texts: Sequence[str],
        *,
        length: GenerationOptions | None = None,
        progress: Progress | None = None,
    ) -> list[Summary]:
        """Summarize several documents; each round's chunks from all documents share batches."""
        start = time.perf_counter()
        final = self.generation.merged(**dataclasses.asdict(length)) if length else self.generation
        ctx = None
        if self.memory is not None and self.memory_context is not None:
            ctx = dataclasses.replace(self.memory_context, generation=final.as_dict())
        remembered = {i: self.memory.lookup_summary(ctx, t) for i, t in enumerate(texts)} if ctx and self.memory else {}
        todo = [i for i in range(len(texts)) if remembered.get(i) is None]
        results: dict[int, Summary] = self._map_reduce({i: texts[i] for i in todo}, final, progress) if todo else {}
        self._check(texts, results, final, progress)
        if todo and ctx is not None and self.memory is not None:
            ctx = dataclasses.replace(ctx, engine=self.memory_context.engine, compute_type=self.memory_context.compute_type)
            for i in todo:
                if results[i].text:
                    self.memory.store_summary(ctx, texts[i], results[i].text)
        remembered = {i: Summary(remembered[i] or "", 0, 0, 0.0, True) for i in range(len(texts)) if i not in results}
        self._check(texts, remembered, final, None, retry=False)
        elapsed = time.perf_counter() - start
        results.update(remembered)
        return [dataclasses.replace(results[i], seconds=elapsed / max(len(texts), 1) if todo else 0.0)
                for i in range(len(texts))]

    def _check(self, texts: Sequence[str], results: dict[int, Summary], final: GenerationOptions,
               progress: Progress | None, retry: bool = True) -> None:
        """Each summary's problems (guards) become its warnings. A summary with problems is made once
        more under the retry's safer settings; the one with fewer problems is kept (on a tie, the
        retry's), one fixed that way noted as ``retried``."""
        if self.guards is None:
            return
        from .faithful.guards import summary_problems

        found = {i: summary_problems(r.text, texts[i], options=self.guards) for i, r in results.items()}
        bad = {i: texts[i] for i, problems in found.items() if problems}
        if bad and retry and self.retry is not None:
            for i, summary in self._map_reduce(bad, self.retry.apply(final), progress).items():
                after = summary_problems(summary.text, texts[i], options=self.guards)
                if len(after) <= len(found[i]):
                    fixed = ", ".join(w.kind for w in found[i])
                    note = [] if after else [QualityWarning(None, "retried", f"summary: {fixed} fixed by a retry")]
                    results[i], found[i] = summary, note + after
        for i, problems in found.items():
            results[i] = dataclasses.replace(results[i], warnings=results[i].warnings + tuple(problems))

    def _map_reduce(self, texts: dict[int, str], final: GenerationOptions, progress: Progress | None) -> dict[int, Summary]:
        """Summaries of `texts` (by index): chunks summarized, their summaries joined and summarized
        again until one input holds them all."""
        # Intermediate summaries must be short enough that at least two fit one input,
        # so that every reduce round halves the number of chunks.
        cap = max(8, self.limit // 3)
        partial = final.merged(max_new_tokens=min(final.max_new_tokens or cap, cap))
        if partial.min_length is not None and partial.min_length >= cap:
            partial = dataclasses.replace(partial, min_length=cap // 2)

        pending = {i: self.chunks(t) for i, t in texts.items()}
        first = {i: len(c) for i, c in pending.items()}
        results: dict[int, Summary] = {}
        rounds = 0
        while pending:
            rounds += 1
            # Past MAX_ROUNDS (a model whose summaries do not shrink), the chunk summaries are joined.
            last_round = {i for i, c in pending.items() if len(c) <= 1 or rounds >= MAX_ROUNDS}
            outputs = {}
            for opts, ids in ((final, sorted(last_round)), (partial, sorted(set(pending) - last_round))):
                inputs = [c for i in ids for c in pending[i]]
                if not inputs:
                    continue
                if progress:
                    progress.add_total(len(inputs))
                advance = progress.advance if progress else None
                outs = self.engine.generate([self.prefix + x for x in inputs], opts, progress=advance)
                pos = 0
                for i in ids:
                    n = len(pending[i])
                    outputs[i] = outs[pos : pos + n]
                    pos += n
            for i in list(pending):
                if i in last_round:
                    done = outputs.get(i, [])  # none for an empty text
                    results[i] = Summary(" ".join(s.strip() for s in done if s.strip()), first[i], rounds)
                    del pending[i]
                else:
                    pending[i] = self.chunks(" ".join(outputs[i]))
        return results
