"""The whole job for a set of documents: translate, then (optionally) summarize.

`Pipeline` loads each model once, on first use, and turns `Document`s into `DocumentResult`s
(`records`). The CLI and folder runs both go through it.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from .config import LENGTHS, SOURCE_LANGS, Config, Profile, load_config
from .documents import MARKDOWN_SUFFIXES, Document
from .engines import EngineOptions, load_engine
from .errors import UsageError
from .progress import Progress
from .records import DocumentResult, SegmentResult
from .summarize import Summarizer
from .translate import Translator

TASKS = ("translate", "summarize")  # the one list of task names (CLI commands, PipelineOptions.task)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PipelineOptions:
    """What to run and how. `None` means: as the profile in models.yaml says."""

    task: str = "translate"  # translate | summarize
    model: str | None = None  # translation profile, hub id or directory
    summary_model: str | None = None  # summarization profile, hub id or directory
    source_lang: str = "de"  # de, or en to summarize English text without translating it
    length: str | None = None  # short | medium | long summary; None: the profile's limits
    engine: str | None = None  # auto | transformers | ctranslate2 | echo (overrides the profiles)
    compute_type: str | None = None  # overrides the profiles
    device: str = "auto"  # auto | cpu | cuda | mps
    num_beams: int | None = None  # overrides the profiles
    max_batch_tokens: int = 4096  # token budget per model batch
    threads: int | None = None  # CPU threads; None: one per core
    markdown: bool | None = None  # treat input as markdown; None: by file extension
    offline: bool = False  # never reach for the network

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise UsageError(f"unknown task '{self.task}' (choose from {', '.join(TASKS)})")
        if self.source_lang not in SOURCE_LANGS:
            raise UsageError(f"source language '{self.source_lang}' is not supported ({' or '.join(SOURCE_LANGS)})")
        if self.source_lang == "en" and self.task == "translate":
            raise UsageError("--source-lang en only makes sense with summarize: there is nothing to translate")
        if self.length is not None and self.length not in LENGTHS:
            raise UsageError(f"unknown summary length '{self.length}' (choose from {', '.join(LENGTHS)})")
        if self.max_batch_tokens < 16:
            raise UsageError("--batch-tokens must be at least 16")


class Pipeline:
    def __init__(self, options: PipelineOptions | None = None, config: Config | None = None) -> None:
        self.options = options or PipelineOptions()
        self.config = config or load_config()
        o = self.options
        self.translation_profile: Profile | None = (
            self.config.profile(o.model, "translation") if o.source_lang == "de" else None
        )
        self.summary_profile: Profile | None = (
            self.config.profile(o.summary_model, "summarization") if o.task == "summarize" else None
        )

    # -- settings, known without loading a model ---------------------------------------------

    def _generation(self, profile: Profile, summary: bool = False):
        gen = profile.generation.merged(num_beams=self.options.num_beams)
        if summary and self.options.length:
            gen = gen.merged(**dataclasses.asdict(LENGTHS[self.options.length]))
        return gen

    def settings(self) -> dict[str, Any]:
        """Models and generation settings: what a result depends on (journals compare these)."""
        out: dict[str, Any] = {"task": self.options.task, "source_lang": self.options.source_lang}
        for key, prof, summary in (
            ("translation", self.translation_profile, False),
            ("summary", self.summary_profile, True),
        ):
            if prof is not None:
                out[key] = {
                    "model": prof.model,
                    "engine": self.options.engine or prof.engine,
                    "compute_type": self.options.compute_type or prof.compute_type,
                    "prefix": prof.prefix,
                    "max_input_tokens": prof.max_input_tokens,
                    "generation": self._generation(prof, summary).as_dict(),
                }
                if prof.revision:  # only when pinned, so journals of unpinned runs keep their fingerprint
                    out[key]["revision"] = prof.revision
        return out

    def models(self) -> dict[str, str | None]:
        return {
            "translation": self.translation_profile.model if self.translation_profile else None,
            "summary": self.summary_profile.model if self.summary_profile else None,
        }

    # -- models, loaded on first use -----------------------------------------------------------

    def _load(self, profile: Profile):
        options = self._engine_options(profile)
        log.info("loading %s model %s", profile.task, profile.model)
        engine = load_engine(profile.model, options)
        log.debug("loaded %s", engine.describe())
        return engine

    def _engine_options(self, profile: Profile) -> EngineOptions:
        o = self.options
        return EngineOptions(
            engine=o.engine or profile.engine,
            device=o.device,
            compute_type=o.compute_type or profile.compute_type,
            max_batch_tokens=o.max_batch_tokens,
            threads=o.threads,
            local_files_only=o.offline,
            revision=profile.revision,
        )

    @cached_property
    def translator(self) -> Translator:
        prof = self.translation_profile
        if prof is None:
            raise UsageError("no translation model: the source language is English")
        engine = self._load(prof)
        return Translator(engine, self._generation(prof), prefix=prof.prefix, max_input_tokens=prof.max_input_tokens)

    @cached_property
    def summarizer(self) -> Summarizer:
        prof = self.summary_profile
        if prof is None:
            raise UsageError("no summarization model: the task is translate")
        engine = self._load(prof)
        return Summarizer(engine, self._generation(prof, True), prefix=prof.prefix, max_input_tokens=prof.max_input_tokens)

    def load(self) -> None:
        """Load the models now (so that a load failure surfaces before any work)."""
        if self.translation_profile is not None:
            _ = self.translator
        if self.summary_profile is not None:
            _ = self.summarizer

    def is_markdown(self, doc: Document) -> bool:
        if self.options.markdown is not None:
            return self.options.markdown
        return doc.source.lower().endswith(MARKDOWN_SUFFIXES)

    # -- the work --------------------------------------------------------------------------------

    def run(self, docs: Sequence[Document], progress: Progress | None = None) -> list[DocumentResult]:
        """Process documents together (their segments share batches); one result per document."""
        n = len(docs)
        translations: list[str | None] = [None] * n
        segments: list[list[SegmentResult]] = [[] for _ in range(n)]
        timings: list[dict[str, float]] = [{} for _ in range(n)]
        english = [d.text for d in docs]
        if self.translation_profile is not None:
            if progress:
                progress.set_description("translating")
            results = self.translator.translate_many(
                english, markdown=[self.is_markdown(d) for d in docs], progress=progress
            )
            for i, res in enumerate(results):
                translations[i] = res.text
                segments[i] = [SegmentResult(s.source, s.translation) for s in res.segments]
                timings[i]["translate"] = round(res.seconds, 4)
            english = [r.text for r in results]
        summaries: list[tuple[str | None, int | None]] = [(None, None)] * n
        if self.summary_profile is not None:
            if progress:
                progress.set_description("summarizing")
            for i, s in enumerate(self.summarizer.summarize_many(english, progress=progress)):
                summaries[i] = (s.text, s.chunks)
                timings[i]["summarize"] = round(s.seconds, 4)
        models = self.models()
        return [
            DocumentResult(
                source=d.source,
                source_lang=self.options.source_lang,
                encoding=d.encoding,
                translation=translations[i],
                segments=segments[i],
                models=dict(models),
                timings={**timings[i], "total": round(sum(timings[i].values()), 4)},
                summary=summaries[i][0],
                summary_chunks=summaries[i][1],
            )
            for i, d in enumerate(docs)
        ]
