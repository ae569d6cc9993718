"""The whole job for a set of documents: translate, then (optionally) summarize.

`Pipeline` loads each model once, on first use, and turns `Document`s into `DocumentResult`s
(`records`). The CLI and folder runs both go through it. With ``source_lang="auto"`` each
document's language is detected (`langdetect`): German is translated (its confidently English
paragraphs kept as they are), English is copied through or summarized directly, any other
language is refused (`check_language`). With the translation memory on (the default), segments
and summaries found there are not recomputed, and a model loads only when something misses.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import LENGTHS, SOURCE_LANGS, Config, Profile, load_config
from .documents import MARKDOWN_SUFFIXES, Document
from .engines import EngineOptions, load_engine
from .errors import ModelLoadError, SummtransError, UsageError
from .progress import Progress
from .records import DocumentResult, MemoryUse, SegmentResult
from .summarize import Summarizer
from .translate import Translator

if TYPE_CHECKING:
    from .langdetect import Detection
    from .memory import Memory, MemoryContext

TASKS = ("translate", "summarize")  # the one list of task names (CLI commands, PipelineOptions.task)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PipelineOptions:
    """What to run and how. `None` means: as the profile in models.yaml says."""

    task: str = "translate"  # translate | summarize
    model: str | None = None  # translation profile, hub id or directory
    summary_model: str | None = None  # summarization profile, hub id or directory
    source_lang: str = "auto"  # auto: detect each document's; de or en: force it (en: no translation)
    length: str | None = None  # short | medium | long summary; None: the profile's limits
    engine: str | None = None  # auto | transformers | ctranslate2 | echo (overrides the profiles)
    compute_type: str | None = None  # overrides the profiles
    device: str = "auto"  # auto | cpu | cuda | mps
    num_beams: int | None = None  # overrides the profiles
    max_batch_tokens: int = 4096  # token budget per model batch
    threads: int | None = None  # CPU threads; None: one per core
    markdown: bool | None = None  # treat input as markdown; None: by file extension
    offline: bool = False  # never reach for the network
    memory: bool = True  # use the translation memory (--no-memory: False)
    memory_path: str | None = None  # its SQLite file; None: $SUMMTRANS_CACHE_DIR/memory.sqlite3

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise UsageError(f"unknown task '{self.task}' (choose from {', '.join(TASKS)})")
        if self.source_lang not in SOURCE_LANGS:
            raise UsageError(f"source language '{self.source_lang}' is not supported (choose from {', '.join(SOURCE_LANGS)})")
        if self.length is not None and self.length not in LENGTHS:
            raise UsageError(f"unknown summary length '{self.length}' (choose from {', '.join(LENGTHS)})")
        if self.max_batch_tokens < 16:
            raise UsageError("--batch-tokens must be at least 16")


class Pipeline:
    def __init__(self, options: PipelineOptions | None = None, config: Config | None = None) -> None:
        self.options = options or PipelineOptions()
        self.config = config or load_config()
        o = self.options
        self._detections: dict[str, tuple[Detection, list[tuple[int, int]]]] = {}  # document text -> language
        self.translation_profile: Profile | None = (
            self.config.profile(o.model, "translation") if o.source_lang != "en" else None
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
        """Each task's model for records and journals: ``org/name@COMMIT`` for a hub model on disk
        (the commit it resolves to, so a run can be redone with the same model), else as configured.
        Not part of `settings()`: a new commit of an unpinned model does not redo a folder."""
        from .store import resolved_revision

        def name(prof: Profile | None) -> str | None:
            commit = resolved_revision(prof) if prof is not None else None
            return f"{prof.model}@{commit}" if commit else (prof.model if prof else None)

        return {"translation": name(self.translation_profile), "summary": name(self.summary_profile)}

    # -- models, loaded on first use -----------------------------------------------------------

    def _load(self, profile: Profile):
        options = self._engine_options(profile)
        log.info("loading %s model %s", profile.task, profile.model)
        try:
            engine = load_engine(profile.model, options)
        except SummtransError:
            raise
        except Exception as exc:  # a broken model: fatal for the run, also when loaded on a first miss
            raise ModelLoadError(f"cannot load the model: {type(exc).__name__}: {exc}") from exc
        log.debug("loaded %s", engine.describe())
        return engine

    @cached_property
    def memory(self) -> Memory | None:
        """The translation memory (opened on first use), or None with ``memory=False``."""
        if not self.options.memory:
            return None
        from .memory import Memory, MemoryOptions

        path = self.options.memory_path
        return Memory(MemoryOptions(path=Path(path).expanduser() if path else None))

    def memory_context(self, profile: Profile, summary: bool = False) -> MemoryContext | None:
        """The memory key context of `profile`, known without loading its model (None when the
        model is not on disk yet: it must be loaded, and downloaded, first)."""
        from .memory import MemoryContext

        settings = {"prefix": profile.prefix, "max_input_tokens": profile.max_input_tokens}
        return MemoryContext.for_model(
            profile.model, self._engine_options(profile), self._generation(profile, summary), settings
        )

    @cached_property
    def _translation_context(self) -> MemoryContext | None:
        prof = self.translation_profile
        return self.memory_context(prof) if prof is not None and self.memory is not None else None

    def pending_chars(self, doc: Document) -> int:
        """About how many characters of `doc` the models must still process (folder runs size their
        groups on it, so that a re-run's few misses share model batches): with the memory on, the
        translate task counts only the segments the memory cannot answer. Loads no model."""
        ctx = self._translation_context if self.options.task == "translate" and doc.format is None else None
        if ctx is None or self.memory is None:
            return len(doc.text)
        from .langdetect import TARGET_LANG
        from .segment import normalize_space, segment

        known = self._detections.get(doc.text)
        if known is not None and known[0].reliable and known[0].lang == TARGET_LANG:
            return 0  # copied through

        sources = [normalize_space(s.text) for s in segment(doc.text, markdown=self.is_markdown(doc))]
        hits = self.memory.lookup(ctx, sources, count=False)
        return sum(len(s) + 1 for s in sources if s not in hits)

    def _engine_or_loader(self, profile: Profile, summary: bool):
        """(engine or loader, memory, context): a loader only when the memory may answer everything."""
        memory = self.memory
        ctx = self.memory_context(profile, summary) if memory is not None else None
        if memory is not None and ctx is None:  # not on disk: load (and download) now, then key it
            engine = self._load(profile)
            return engine, memory, self.memory_context(profile, summary)
        return (lambda: self._load(profile)) if ctx is not None else self._load(profile), memory, ctx

    def close(self) -> None:
        """Close the translation memory (recording this run's hit counts for `memory stats`)."""
        if "memory" in self.__dict__ and self.memory is not None:
            self.memory.close()

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
        engine, memory, ctx = self._engine_or_loader(prof, False)
        return Translator(engine, self._generation(prof), prefix=prof.prefix, max_input_tokens=prof.max_input_tokens,
                          memory=memory, memory_context=ctx)

    @cached_property
    def summarizer(self) -> Summarizer:
        prof = self.summary_profile
        if prof is None:
            raise UsageError("no summarization model: the task is translate")
        engine, memory, ctx = self._engine_or_loader(prof, True)
        return Summarizer(engine, self._generation(prof, True), prefix=prof.prefix, max_input_tokens=prof.max_input_tokens,
                          memory=memory, memory_context=ctx)

    def load(self) -> None:
        """Load the models now (so that a load failure surfaces before any work). With the memory
        on, a model already on disk loads later, on the first segment the memory cannot answer."""
        if self.translation_profile is not None:
            _ = self.translator
        if self.summary_profile is not None:
            _ = self.summarizer

    def is_markdown(self, doc: Document) -> bool:
        if self.options.markdown is not None:
            return self.options.markdown
        return doc.source.lower().endswith(MARKDOWN_SUFFIXES)

    # -- the work --------------------------------------------------------------------------------

    def check_language(self, doc: Document) -> Detection | None:
        """`doc`'s detected language with ``source_lang="auto"`` (None otherwise). Raises
        InputError (reason ``skipped-language``) for a confident language other than German or English."""
        if self.options.source_lang != "auto":
            return None
        from .langdetect import require_source_language

        detection = self._detect(doc)[0]
        require_source_language(detection, doc.source)
        return detection

    def _detect(self, doc: Document) -> tuple[Detection, list[tuple[int, int]]]:
        """`doc`'s detection and the spans of its English paragraphs (German documents), remembered
        in this process and, with the memory on, in the memory: an unchanged re-run builds no detector."""
        import json

        from .langdetect import SOURCE_LANG, TARGET_LANG, Detection, detect, detect_paragraphs, detector_settings

        if doc.text in self._detections:
            return self._detections[doc.text]
        memory = self.memory
        ctx = None
        if memory is not None:
            from .memory import MemoryContext

            ctx = MemoryContext("detector", "langdetect", settings=detector_settings())
        note = memory.lookup_note(ctx, doc.text) if memory is not None and ctx is not None else None
        if note is not None:
            data = json.loads(note)
            found = Detection(data["lang"], data["confidence"], data["reliable"]), [(s, e) for s, e in data["english"]]
        else:
            det = detect(doc.text)
            spans = []
            if (det.lang if det.reliable else SOURCE_LANG) == SOURCE_LANG:
                spans = [(p.start, p.end) for p in detect_paragraphs(doc.text) if p.lang == TARGET_LANG]
            found = det, spans
            if memory is not None and ctx is not None:
                value = {"lang": det.lang, "confidence": det.confidence, "reliable": det.reliable, "english": spans}
                memory.store_notes(ctx, [(doc.text, json.dumps(value))])
        if len(self._detections) >= 256:  # documents skipped after the check are never popped
            self._detections.clear()
        self._detections[doc.text] = found
        return found

    def _languages(self, docs: Sequence[Document]) -> tuple[list[str], list[Detection | None], list[list[tuple[int, int]]]]:
        """Per document: the language it is treated as, its detection, and its English paragraphs to keep."""
        from .langdetect import SOURCE_LANG, TARGET_LANG

        langs, detections, keep = [], [], []
        for d in docs:
            det = self.check_language(d)
            lang = self.options.source_lang if det is None else det.lang if det.reliable else SOURCE_LANG
            langs.append(lang)
            detections.append(det)
            keep.append(self._detections.get(d.text, (None, []))[1] if det is not None else [])
            if lang == TARGET_LANG and self.options.task == "translate":
                log.warning("%s: the text is %s; copied through without translation", d.source,
                            det.describe() if det is not None else "English")
        for d in docs:
            self._detections.pop(d.text, None)
        return langs, detections, keep

    # -- the work --------------------------------------------------------------------------------

    def run(self, docs: Sequence[Document], progress: Progress | None = None) -> list[DocumentResult]:
        """Process documents together (their segments share batches); one result per document."""
        if any(d.format is not None for d in docs):  # docx, pdf, a web page…: see formatted.py
            from .formatted import run_documents

            return run_documents(self, docs, progress)
        n = len(docs)
        langs, detections, keep = self._languages(docs)
        translations: list[str | None] = [None] * n
        segments: list[list[SegmentResult]] = [[] for _ in range(n)]
        memory_use: list[MemoryUse | None] = [None] * n
        timings: list[dict[str, float]] = [{} for _ in range(n)]
        english = [d.text for d in docs]
        german = [i for i in range(n) if langs[i] == "de"]
        if self.translation_profile is not None and german:
            if progress:
                progress.set_description("translating")
            results = self.translator.translate_many(
                [docs[i].text for i in german], markdown=[self.is_markdown(docs[i]) for i in german],
                keep=[keep[i] for i in german], progress=progress,
            )
            for i, res in zip(german, results):
                translations[i] = res.text
                segments[i] = [SegmentResult(s.source, s.translation, s.origin) for s in res.segments]
                if self.options.memory:
                    memory_use[i] = MemoryUse.count([s.origin for s in res.segments])
                timings[i]["translate"] = round(res.seconds, 4)
                english[i] = res.text
        if self.options.task == "translate":
            for i in range(n):
                if langs[i] == "en":
                    translations[i] = docs[i].text  # copied through
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
                source_lang=langs[i],
                encoding=d.encoding,
                translation=translations[i],
                segments=segments[i],
                models=dict(models),
                timings={**timings[i], "total": round(sum(timings[i].values()), 4)},
                summary=summaries[i][0],
                summary_chunks=summaries[i][1],
                detected_lang=detections[i].lang if detections[i] is not None else None,
                lang_confidence=detections[i].confidence if detections[i] is not None else None,
                memory=memory_use[i],
            )
            for i, d in enumerate(docs)
        ]
