"""The one document path: every input, whatever its format, goes the same way.

`Pipeline.run` reads each document's units through its format backend (`formats`), finds its
language and its English units (`language`: German is translated with its English units kept,
English is copied through or summarized directly, any other language is refused), translates the
German documents' units together (`Translator`: translation memory, faithful layer, engine; the
formatted spans placed on the English words), writes each document anew, summarizes, reads the
key facts of letters (`facts`) and records it (`records`). Models load once, on first use; with
the translation memory on, a model loads only when something misses. What a result depends on
(settings, memory keys) is computed in `settings`, without a model.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import settings as _settings
from .engines import load_engine
from .errors import ModelLoadError, SummtransError, UsageError
from .faithful.quality import QualityReport
from .formats.document import Document, extract, rebuild
from .language.detect import SOURCE_LANG
from .language.routing import Languages, Route
from .models.config import Config, Profile, load_config
from .progress import Progress
from .records import DocumentResult, MemoryUse, SegmentResult, Summary, document_record
from .settings import TASKS, PipelineOptions  # re-exported: the public names live here
from .summarize import Summarizer
from .translate import Translator, UnitsTranslation

if TYPE_CHECKING:
    from .faithful.layer import FaithfulOptions
    from .formats.base import Extracted
    from .language.detect import Detection
    from .memory.store import Memory, MemoryContext

__all__ = ["TASKS", "Pipeline", "PipelineOptions"]
log = logging.getLogger(__name__)


class Pipeline:
    def __init__(self, options: PipelineOptions | None = None, config: Config | None = None) -> None:
        self.options = options or PipelineOptions()
        self.config = config or load_config()
        o = self.options
        self.languages = Languages(o.source_lang, o.task, lambda: self.memory)
        self.translation_profile: Profile | None = (
            self.config.profile(o.model, "translation") if o.source_lang != "en" else None
        )
        self.summary_profile: Profile | None = (
            self.config.profile(o.summary_model, "summarization") if o.task == "summarize" else None
        )
        # A bad glossary fails here, before any model loads.
        self.glossary = _settings.load_glossary(o, self.translation_profile)
        if self.glossary is not None and not isinstance(o.glossary, tuple):  # Ray workers get the terms, not a path
            self.options = dataclasses.replace(o, glossary=tuple((e.german, e.english) for e in self.glossary.entries))

    # -- settings, known without loading a model (see `settings`) ------------------------------

    def faithful_options(self, profile: Profile) -> FaithfulOptions | None:
        """The faithful layer around the translation model (None: protection, glossary and guards off)."""
        return _settings.faithful_options(self.options, profile, self.glossary)

    def settings(self) -> dict[str, Any]:
        """Models and generation settings: what a result depends on (journals compare these)."""
        return _settings.settings(self.options, self.translation_profile, self.summary_profile, self.glossary)

    def models(self) -> dict[str, str | None]:
        """Each task's model for records and journals (`settings.model_names`)."""
        return _settings.model_names(self.translation_profile, self.summary_profile)

    def memory_context(self, profile: Profile, summary: bool = False) -> MemoryContext | None:
        """The memory key context of `profile` (None when its model is not on disk yet)."""
        return _settings.memory_context(self.options, profile, self.glossary, summary)

    # -- the translation memory ----------------------------------------------------------------

    @cached_property
    def memory(self) -> Memory | None:
        """The translation memory (opened on first use), or None with ``memory=False``."""
        if not self.options.memory:
            return None
        from .memory.store import Memory, MemoryOptions

        path = self.options.memory_path
        return Memory(MemoryOptions(path=Path(path).expanduser() if path else None))

    @cached_property
    def _translation_context(self) -> MemoryContext | None:
        prof = self.translation_profile
        return self.memory_context(prof) if prof is not None and self.memory is not None else None

    def pending_chars(self, doc: Document) -> int:
        """About how many characters of `doc` the models must still process (folder runs size their
        groups on it, so that a re-run's few misses share model batches): with the memory on, the
        translate task counts only the sentences of its units the memory cannot answer. Loads no model."""
        ctx = self._translation_context if self.options.task == "translate" else None
        if ctx is None or self.memory is None:
            return len(doc.text)
        from .segment import normalize_space, segment

        if self.languages.copied_through(doc):
            return 0
        units = extract(doc, self.options.markdown).units
        sources = [normalize_space(s.text) for u in units for s in segment(u.text)]
        hits = self.memory.lookup(ctx, sources, count=False)
        return sum(len(s) + 1 for s in sources if s not in hits)

    def close(self) -> None:
        """Close the translation memory (recording this run's hit counts for `memory stats`)."""
        if "memory" in self.__dict__ and self.memory is not None:
            self.memory.close()

    # -- models, loaded on first use -----------------------------------------------------------

    def _load(self, profile: Profile):
        log.info("loading %s model %s", profile.task, profile.model)
        try:
            engine = load_engine(profile.model, _settings.engine_options(self.options, profile))
        except SummtransError:
            raise
        except Exception as exc:  # a broken model: fatal for the run, also when loaded on a first miss
            raise ModelLoadError(f"cannot load the model: {type(exc).__name__}: {exc}") from exc
        log.debug("loaded %s", engine.describe())
        return engine

    def _engine_or_loader(self, profile: Profile, summary: bool):
        """(engine or loader, memory, context): a loader only when the memory may answer everything."""
        memory = self.memory
        ctx = self.memory_context(profile, summary) if memory is not None else None
        if memory is not None and ctx is None:  # not on disk: load (and download) now, then key it
            engine = self._load(profile)
            return engine, memory, self.memory_context(profile, summary)
        return (lambda: self._load(profile)) if ctx is not None else self._load(profile), memory, ctx

    @cached_property
    def translator(self) -> Translator:
        prof = self.translation_profile
        if prof is None:
            raise UsageError("no translation model: the source language is English")
        engine, memory, ctx = self._engine_or_loader(prof, False)
        return Translator(engine, _settings.generation(self.options, prof), prefix=prof.prefix,
                          max_input_tokens=prof.max_input_tokens, memory=memory, memory_context=ctx,
                          faithful=self.faithful_options(prof))

    @cached_property
    def summarizer(self) -> Summarizer:
        prof = self.summary_profile
        if prof is None:
            raise UsageError("no summarization model: the task is translate")
        engine, memory, ctx = self._engine_or_loader(prof, True)
        from .faithful.guards import GuardOptions, RetryPolicy

        guards = self.options.guards
        return Summarizer(engine, _settings.generation(self.options, prof, True), prefix=prof.prefix,
                          max_input_tokens=prof.max_input_tokens, memory=memory, memory_context=ctx,
                          guards=GuardOptions() if guards else None, retry=RetryPolicy() if guards else None)

    def load(self) -> None:
        """Load the models now (so that a load failure surfaces before any work). With the memory
        on, a model already on disk loads later, on the first segment the memory cannot answer."""
        if self.translation_profile is not None:
            _ = self.translator
        if self.summary_profile is not None:
            _ = self.summarizer

    # -- the work --------------------------------------------------------------------------------

    def check_language(self, doc: Document) -> Detection | None:
        """`doc`'s detected language with ``source_lang="auto"`` (None otherwise). Raises
        InputError (reason ``skipped-language``) for a confident language other than German or English."""
        return self.languages.check(doc)

    def run(self, docs: Sequence[Document], progress: Progress | None = None) -> list[DocumentResult]:
        """Process documents together (their units share model batches); one result per document.

        Every document goes one way, whatever its format: its units (`formats`), its language and
        English units (`language`), the German documents' units translated together (`Translator`),
        the document written anew, summarized, recorded.
        """
        o = self.options
        extracted = [extract(d, o.markdown) for d in docs]
        routes = self.languages.route(docs, [ex.units for ex in extracted])
        german = [i for i, r in enumerate(routes) if r.lang == SOURCE_LANG]
        done: dict[int, UnitsTranslation] = {}
        if self.translation_profile is not None and german:
            if progress:
                progress.set_description("translating")
            units = self.translator.translate_units(
                [extracted[i].units for i in german], [routes[i].keep for i in german], progress=progress
            )
            done = dict(zip(german, units))
        written = [
            rebuild(d, ex, done[i].units if i in done else list(ex.units), o.markdown, o.pdf)
            if i in done or o.task == "translate" else None  # English documents are copied through
            for i, (d, ex) in enumerate(zip(docs, extracted))
        ]
        timings = [{"translate": round(done[i].seconds, 4)} if i in done else {} for i in range(len(docs))]
        summaries = self.summaries([w[1] if i in done else d.text for i, (d, w) in enumerate(zip(docs, written))],
                                   timings, progress)
        models = self.models()
        return [
            self._record(d, extracted[i], routes[i], done.get(i), written[i], summaries[i], timings[i], models)
            for i, d in enumerate(docs)
        ]

    def _record(self, doc: Document, extracted: Extracted, route: Route, done: UnitsTranslation | None,
                written: tuple[bytes, str] | None, summary: Summary | None, timings: dict[str, float],
                models: dict[str, str | None]) -> DocumentResult:
        segments = [SegmentResult(s.source, s.translation, s.origin) for s in done.segments] if done else []
        memory = MemoryUse.count([s.origin for s in segments]) if done and self.options.memory else None
        extra: dict[str, Any] = {"encoding": doc.encoding}
        if done and self.options.wants_facts:  # read from the German sentences; each fact names its segment
            from .facts import extract_facts

            extra["facts"] = extract_facts([s.source for s in segments], translations=[s.translation for s in segments])
        if doc.format is not None:  # a formatted document: its translated copy, how its spans fared, its OCR
            extra.update(format=doc.format, output_bytes=written[0] if written else None,
                         inline=done.inline if done else None, ocr=extracted.ocr)
        quality = QualityReport(extracted.warnings)  # what reading found (a page without text…), then the units'
        quality = quality.merged(done.quality) if done else quality
        return document_record(doc, route.lang, route.detection, timings, written[1] if written else None, segments,
                               quality, memory, summary, models=models, **extra)

    def summaries(self, english: list[str], timings: list[dict[str, float]], progress: Progress | None = None) -> list[Summary | None]:
        """Summaries of the English texts (None each without the summarize task); timings noted."""
        if self.summary_profile is None:
            return [None] * len(english)
        if progress:
            progress.set_description("summarizing")
        done = self.summarizer.summarize_many(english, progress=progress)
        for t, s in zip(timings, done):
            t["summarize"] = round(s.seconds, 4)
        return list(done)
