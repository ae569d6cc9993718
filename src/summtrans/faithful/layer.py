"""Protected spans, glossary, length cap and guards around one engine: the hook for Translator.

`FaithfulTranslator.translate(sources)` is what `Translator.translate_segments` calls instead of
``engine.generate``: spans and glossary terms masked (`protect`), the length cap applied (by the
engine per batch when it can, `Engine.caps_length`; else one call per group of similar input
lengths), spans restored, degenerate outputs (judged with their spans restored) retried once
under safer settings (`guards`), numbers checked. It returns the outputs and, per source, a
`QualityReport` whose warnings carry the index in `sources` (shift them to segment indices).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..engines.base import Engine, GenerationOptions, ProgressCallback
from .glossary import Glossary
from .guards import GuardOptions, RetryPolicy, cap_groups, guarded_translate, number_warnings, problems
from .protect import ProtectOptions, ProtectReport, protected_translate, rules_version, single_token_numbers
from .quality import Checked, QualityReport, QualityWarning


@dataclass(frozen=True)
class FaithfulOptions:
    """What the faithful layer does; None switches a part off."""

    protect: ProtectOptions | None = ProtectOptions()  # protected spans (and the glossary's placeholders)
    guards: GuardOptions | None = GuardOptions()  # length cap and degenerate-output detection
    retry: RetryPolicy | None = RetryPolicy()  # safer settings of the one retry; None: flag only
    glossary: Glossary | None = None  # terms to enforce
    max_new_tokens: int | None = None  # ceiling of the cap when the generation options set none


def faithful_options(
    *, protect: bool = True, guards: bool = True, length_factor: float | None = 2.0, glossary: Glossary | None = None
) -> FaithfulOptions | None:
    """The layer as the pipeline's switches ask for it (None: nothing to do)."""
    if not (protect or guards or glossary is not None):
        return None
    return FaithfulOptions(
        protect=ProtectOptions() if protect else None,
        guards=GuardOptions(length_factor=length_factor) if guards else None,
        retry=RetryPolicy() if guards else None,
        glossary=glossary,
    )


def faithful_settings(options: FaithfulOptions | None) -> dict[str, Any]:
    """What the layer's output depends on: for a folder's settings and the translation memory's key."""
    options = options or FaithfulOptions(protect=None, guards=None, retry=None)
    terms = None
    if options.glossary is not None:
        entries = sorted((e.german, e.english) for e in options.glossary.entries)
        terms = hashlib.sha256(repr(entries).encode("utf-8")).hexdigest()[:16]
    return {
        "protect": rules_version() if options.protect is not None else False,  # the rules, not just on/off
        "guards": options.guards is not None,
        "max_length_factor": options.guards.length_factor if options.guards is not None else None,
        "glossary": terms,
    }


class FaithfulTranslator:
    """An engine wrapped by the faithful layer (one per engine: calibrates placeholders once)."""

    def __init__(self, engine: Engine, generation: GenerationOptions, options: FaithfulOptions | None = None, prefix: str = "") -> None:
        self.engine = engine
        self.generation = generation
        self.options = options or FaithfulOptions()
        self.prefix = prefix
        protect = self.options.protect
        if protect is None and self.options.glossary is not None:
            protect = ProtectOptions(kinds=frozenset())  # terms only
        if protect is not None and protect.placeholder == "number":
            protect = dataclasses.replace(protect, numbers=single_token_numbers(engine.count_tokens) or protect.numbers)
        self.protect = protect

    def _generate(
        self, texts: list[str], generation: GenerationOptions, progress: ProgressCallback | None = None
    ) -> list[str]:
        """Generate with the length cap: one engine call per group of similar input lengths."""
        if not texts:
            return []
        inputs = [self.prefix + t for t in texts]
        guard = self.options.guards
        if guard is None or guard.length_factor is None:
            return self.engine.generate(inputs, generation, progress=progress)
        ceiling = generation.max_new_tokens or self.options.max_new_tokens
        if self.engine.caps_length:  # the engine caps each batch itself: batches stay whole
            capped = generation.merged(max_length_factor=guard.length_factor, max_length_slack=guard.length_slack,
                                       max_new_tokens=ceiling)
            return self.engine.generate(inputs, capped, progress=progress)
        out = [""] * len(texts)
        for cap, idx in cap_groups(self.engine.count_tokens(inputs), guard, ceiling):
            capped = generation.merged(max_new_tokens=cap)
            for i, o in zip(idx, self.engine.generate([inputs[i] for i in idx], capped, progress=progress)):
                out[i] = o
        return out

    def translate(
        self, sources: Sequence[str], progress: ProgressCallback | None = None
    ) -> tuple[list[str], list[QualityReport]]:
        """Outputs for `sources` and one quality report per source; `progress` counts the first pass.

        The guards judge each segment as the reader gets it, spans restored and split pieces joined
        (a loop the restore or the split makes is a loop too), and a retry redoes the whole segment
        (mask, generate, restore, split) under the safer settings.
        """
        sources = list(sources)
        guard, retry = self.options.guards, self.options.retry
        first_pass = [progress]
        terms = self.options.glossary.terms if self.options.glossary is not None else None

        def run(texts: list[str], generation: GenerationOptions) -> list[tuple[str, ProtectReport | None]]:
            def generate(batch: list[str]) -> list[str]:  # the first call of the first pass reports progress
                return self._generate(batch, generation, first_pass.pop() if first_pass else None)

            if self.protect is None:
                return [(o, None) for o in generate(texts)]
            return list(zip(*protected_translate(texts, generate, self.protect, terms)))

        results: list[tuple[str, ProtectReport | None]]
        guard_warnings: list[QualityWarning] = []
        if guard is None:
            results = run(sources, self.generation)
        else:
            safe = retry.apply(self.generation) if retry is not None else None
            results, guard_warnings = guarded_translate(
                sources,
                lambda texts: run(texts, self.generation),
                (lambda texts: run(texts, safe)) if safe is not None else None,
                guard,
                check=lambda source, result: problems(source, result[0], guard),
            )
        by_segment: dict[int, list[QualityWarning]] = {}
        for w in guard_warnings:
            by_segment.setdefault(w.segment or 0, []).append(w)
        outputs, reports = [], []
        for i, (source, (output, rp)) in enumerate(zip(sources, results)):
            warnings = by_segment.get(i, [])
            spans = terms_checked = Checked()
            if rp is not None:
                if rp.split:
                    warnings = [QualityWarning(i, "split", f"{len(rp.spans)} spans"), *warnings]
                plain = [s for s in rp.spans if s.kind != "term"]
                term_spans = [s for s in rp.spans if s.kind == "term"]
                lost = [s for s in rp.missing if s.kind != "term"]
                lost_terms = [s for s in rp.missing if s.kind == "term"]
                spans, terms_checked = Checked(len(plain), len(lost)), Checked(len(term_spans), len(lost_terms))
                warnings += [QualityWarning(i, "span-missing", f"{s.kind}: {s.text}") for s in lost]
                warnings += [QualityWarning(i, "term-missing", s.output) for s in lost_terms]
                warnings += [QualityWarning(i, "span-duplicated", f"{s.kind}: {s.text}") for s in rp.duplicated]
            checked, missing = number_warnings(i, source, output)
            warnings += missing
            outputs.append(output)
            reports.append(QualityReport(tuple(warnings), Checked(checked, len(missing)), spans, terms_checked))
        return outputs, reports
