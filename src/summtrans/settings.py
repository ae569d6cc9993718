"""A pipeline's options, and what its results depend on, known without loading a model.

Per profile: the engine and generation options, the faithful layer around the translation model,
the settings a folder's journal compares (`settings`) and the translation memory's key
(`memory_context`). `Pipeline` calls these with its options; they read no model file except to
name a local model's revision.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .engines import EngineOptions
from .errors import UsageError
from .formats.pdf import MODES as PDF_MODES
from .models.config import LENGTHS, SOURCE_LANGS, Profile

if TYPE_CHECKING:
    from .engines import GenerationOptions
    from .faithful.glossary import Glossary
    from .faithful.layer import FaithfulOptions
    from .memory.store import MemoryContext


TASKS = ("translate", "summarize")  # the one list of task names (CLI commands, PipelineOptions.task)


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
    facts: bool | None = None  # key facts of official letters (deadlines, amounts…); None: with the summarize task
    pdf: str = "layout"  # a PDF's translated copy: layout (English in place) | bilingual (side by side) | interleaved

    @property
    def wants_facts(self) -> bool:
        """Whether records get key facts: as `facts` says, else with the summarize task (decided
        here, not at construction, so that a copy made for another task decides anew)."""
        return self.facts if self.facts is not None else self.task == "summarize"

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise UsageError(f"unknown task '{self.task}' (choose from {', '.join(TASKS)})")
        if self.source_lang not in SOURCE_LANGS:
            raise UsageError(f"source language '{self.source_lang}' is not supported (choose from {', '.join(SOURCE_LANGS)})")
        if self.length is not None and self.length not in LENGTHS:
            raise UsageError(f"unknown summary length '{self.length}' (choose from {', '.join(LENGTHS)})")
        if self.max_batch_tokens < 16:
            raise UsageError("--batch-tokens must be at least 16")
        if self.pdf not in PDF_MODES:
            raise UsageError(f"unknown --pdf mode '{self.pdf}' (choose from {', '.join(PDF_MODES)})")
        if self.max_length_factor is not None and not self.max_length_factor >= 0:
            raise UsageError("--max-length-factor must be a number >= 0 (0: no length cap)")
        if isinstance(self.glossary, Mapping):  # kept as pairs: frozen, hashable, the same on Ray workers
            object.__setattr__(self, "glossary", tuple((str(k), v or "") for k, v in self.glossary.items()))


def load_glossary(options: PipelineOptions, profile: Profile | None) -> Glossary | None:
    """The glossary of --glossary / PipelineOptions.glossary, else of the translation profile."""
    from .faithful.glossary import Glossary, load_glossary

    given = options.glossary
    if given is None and profile is not None:
        given = profile.glossary
    if given is None:
        return None
    return load_glossary(given) if isinstance(given, str) else Glossary.from_mapping(dict(given))


def length_factor(options: PipelineOptions, profile: Profile) -> float | None:
    """The length cap's factor (None: no cap): the option, else the profile's, else the default."""
    from .faithful.guards import GuardOptions

    factor = options.max_length_factor
    factor = profile.max_length_factor if factor is None else factor
    factor = GuardOptions().length_factor if factor is None else factor
    return factor or None


def faithful_options(options: PipelineOptions, profile: Profile, glossary: Glossary | None) -> FaithfulOptions | None:
    """The faithful layer around the translation model (None: protection, glossary and guards off)."""
    from .faithful.layer import faithful_options

    return faithful_options(protect=options.protect, guards=options.guards,
                            length_factor=length_factor(options, profile), glossary=glossary)


def faithful_settings(options: PipelineOptions, profile: Profile, glossary: Glossary | None,
                      summary: bool = False) -> dict[str, Any]:
    """What the faithful layer's output depends on (summaries: the guards alone)."""
    if summary:
        return {"guards": options.guards}
    from .faithful.layer import faithful_settings

    return faithful_settings(faithful_options(options, profile, glossary))


def generation(options: PipelineOptions, profile: Profile, summary: bool = False) -> GenerationOptions:
    """The profile's generation options with the run's overrides (beams; a summary's length)."""
    gen = profile.generation.merged(num_beams=options.num_beams)
    if summary and options.length:
        gen = gen.merged(**dataclasses.asdict(LENGTHS[options.length]))
    return gen


def engine_options(options: PipelineOptions, profile: Profile) -> EngineOptions:
    return EngineOptions(
        engine=options.engine or profile.engine,
        device=options.device,
        compute_type=options.compute_type or profile.compute_type,
        max_batch_tokens=options.max_batch_tokens,
        threads=options.threads,
        local_files_only=options.offline,
        revision=profile.revision,
    )


def settings(options: PipelineOptions, translation: Profile | None, summary: Profile | None,
             glossary: Glossary | None) -> dict[str, Any]:
    """Models and generation settings: what a result depends on (journals compare these)."""
    out: dict[str, Any] = {"task": options.task, "source_lang": options.source_lang}
    if options.pdf != "layout":  # what a PDF's copy looks like (absent: the default, as journals before it)
        out["pdf"] = options.pdf
    for key, prof, is_summary in (("translation", translation, False), ("summary", summary, True)):
        if prof is not None:
            out[key] = {
                "model": prof.model,
                "engine": options.engine or prof.engine,
                "compute_type": options.compute_type or prof.compute_type,
                "prefix": prof.prefix,
                "max_input_tokens": prof.max_input_tokens,
                "generation": generation(options, prof, is_summary).as_dict(),
                "faithful": faithful_settings(options, prof, glossary, is_summary),
            }
            if prof.revision:  # only when pinned, so journals of unpinned runs keep their fingerprint
                out[key]["revision"] = prof.revision
    return out


def model_names(translation: Profile | None, summary: Profile | None) -> dict[str, str | None]:
    """Each task's model for records and journals: ``org/name@COMMIT`` for a hub model on disk
    (the commit it resolves to, so a run can be redone with the same model), else as configured.
    Not part of `settings()`: a new commit of an unpinned model does not redo a folder."""
    from .models.store import resolved_revision

    def name(prof: Profile | None) -> str | None:
        commit = resolved_revision(prof) if prof is not None else None
        return f"{prof.model}@{commit}" if commit else (prof.model if prof else None)

    return {"translation": name(translation), "summary": name(summary)}


def memory_context(options: PipelineOptions, profile: Profile, glossary: Glossary | None,
                   summary: bool = False) -> MemoryContext | None:
    """The memory key context of `profile`, known without loading its model (None when the
    model is not on disk yet: it must be loaded, and downloaded, first)."""
    from .memory.store import MemoryContext

    extra = {"prefix": profile.prefix, "max_input_tokens": profile.max_input_tokens,
             # A changed glossary or guard setting never returns a stale translation (or summary).
             "faithful": faithful_settings(options, profile, glossary, summary)}
    return MemoryContext.for_model(profile.model, engine_options(options, profile),
                                   generation(options, profile, summary), extra)
