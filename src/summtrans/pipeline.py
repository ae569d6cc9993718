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
from collections.abc import Mapping, Sequence
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
from .summarize import Summarizer, Summary
from .translate import Translator

if TYPE_CHECKING:
    from .faithful import FaithfulOptions
    from .glossary import Glossary
    from .langdetect import Detection
    from .memory import Memory, MemoryContext
    from .quality import QualityReport

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
    glossary: str | Mapping[str, str] | tuple[tuple[str, str], ...] | None = None  # TSV/CSV file or {German: English ('' keeps it)}; None: the profile's
    protect: bool = True  # protected spans (URLs, IBANs, amounts…) reach the output unchanged (--no-protect: False)
    guards: bool = True  # length cap, degenerate output retried once and flagged (--no-guards: False)
    max_length_factor: float | None = None  # new tokens ≤ factor × input tokens + slack; 0: no cap; None: the profile's

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise UsageError(f"unknown task '{self.task}' (choose from {', '.join(TASKS)})")
        if self.source_lang not in SOURCE_LANGS:
            raise UsageError(f"source language '{self.source_lang}' is not supported (choose from {', '.join(SOURCE_LANGS)})")
        if self.length is not None and self.length not in LENGTHS:
            raise UsageError(f"unknown summary length '{self.length}' (choose from {', '.join(LENGTHS)})")
        if self.max_batch_tokens < 16:
            raise UsageError("--batch-tokens must be at least 16")
        if self.max_length_factor is not None and not self.max_length_factor >= 0:
            raise UsageError("--max-length-factor must be a number >= 0 (0: no length cap)")
        if isinstance(self.glossary, Mapping):  # kept as pairs: frozen, hashable, the same on Ray workers
            object.__setattr__(self, "glossary", tuple((str(k), v or "") for k, v in self.glossary.items()))


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
        self.glossary = self._load_glossary()  # a bad glossary fails here, before any model loads
        if self.glossary is not None and not isinstance(o.glossary, tuple):  # Ray workers get the terms, not a path
            self.options = dataclasses.replace(o, glossary=tuple((e.german, e.english) for e in self.glossary.entries))

    # -- the faithful layer: protected spans, glossary, guards ---------------------------------

    def _load_glossary(self) -> Glossary | None:
        """The glossary of --glossary / PipelineOptions.glossary, else of the translation profile."""
        from .glossary import Glossary, load_glossary

        given = self.options.glossary
        if given is None and self.translation_profile is not None:
            given = self.translation_profile.glossary
        if given is None:
            return None
        return load_glossary(given) if isinstance(given, str) else Glossary.from_mapping(dict(given))

    def _length_factor(self, profile: Profile) -> float | None:
        """The length cap's factor (None: no cap): the option, else the profile's, else the default."""
        from .guards import GuardOptions

        factor = self.options.max_length_factor
        factor = profile.max_length_factor if factor is None else factor
        factor = GuardOptions().length_factor if factor is None else factor
        return factor or None

    def faithful_options(self, profile: Profile) -> FaithfulOptions | None:
        """The faithful layer around the translation model (None: protection, glossary and guards off)."""
        from .faithful import faithful_options

        o = self.options
        return faithful_options(protect=o.protect, guards=o.guards, length_factor=self._length_factor(profile),
                                glossary=self.glossary)

    def faithful_settings(self, profile: Profile) -> dict[str, Any]:
        """What the faithful layer's output depends on (in `settings()` and the memory key)."""
        from .faithful import faithful_settings

        return faithful_settings(self.faithful_options(profile))

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
                    "faithful": self.faithful_settings(prof) if not summary else {"guards": self.options.guards},
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
        # A changed glossary or guard setting never returns a stale translation (or summary).
        settings["faithful"] = self.faithful_settings(profile) if not summary else {"guards": self.options.guards}
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
                          memory=memory, memory_context=ctx, faithful=self.faithful_options(prof))

    @cached_property
    def summarizer(self) -> Summarizer:
        prof = self.summary_profile
        if prof is None:
            raise UsageError("no summarization model: the task is translate")
        engine, memory, ctx = self._engine_or_loader(prof, True)
        from .guards import GuardOptions, RetryPolicy

        guards = self.options.guards
        return Summarizer(engine, self._generation(prof, True), prefix=prof.prefix, max_input_tokens=prof.max_input_tokens,
                          memory=memory, memory_context=ctx, guards=GuardOptions() if guards else None,
                          retry=RetryPolicy() if guards else None)

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
        quality: list[QualityReport | None] = [None] * n
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
                quality[i] = res.quality
                if self.options.memory:
                    memory_use[i] = MemoryUse.count([s.origin for s in res.segments])
                timings[i]["translate"] = round(res.seconds, 4)
                english[i] = res.text
        if self.options.task == "translate":
            for i in range(n):
                if langs[i] == "en":
                    translations[i] = docs[i].text  # copied through
        summaries = self.summaries(english, timings, progress)
        models = self.models()
        return [
            self.record(d, langs[i], detections[i], timings[i], translations[i], segments[i], quality[i], memory_use[i],
                        summaries[i], models=models, encoding=d.encoding)
            for i, d in enumerate(docs)
        ]

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

    def record(
        self, doc: Document, lang: str, detection: Detection | None, timings: dict[str, float], translation: str | None,
        segments: list[SegmentResult], quality: QualityReport | None, memory: MemoryUse | None, summary: Summary | None,
        **extra: Any,
    ) -> DocumentResult:
        """One document's record (text documents here; formatted ones in `formatted.run_documents`):
        the quality block has the segments' checks and the summary's document-level warnings."""
        from .quality import QualityReport

        quality = quality or QualityReport()
        if summary is not None and summary.warnings:
            quality = quality.merged(QualityReport(summary.warnings))
        return DocumentResult(
            source=doc.source,
            source_lang=lang,
            encoding=extra.pop("encoding", None),
            translation=translation,
            segments=segments,
            models=dict(extra.pop("models", None) or self.models()),
            timings={**timings, "total": round(sum(timings.values()), 4)},
            summary=summary.text if summary is not None else None,
            summary_chunks=summary.chunks if summary is not None else None,
            detected_lang=detection.lang if detection is not None else None,
            lang_confidence=detection.confidence if detection is not None else None,
            memory=memory,
            quality=quality,
            **extra,
        )
