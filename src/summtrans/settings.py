"""What a pipeline's results depend on, known without loading a model.

Per profile: the engine and generation options, the faithful layer around the translation model,
the settings a folder's journal compares (`settings`) and the translation memory's key
(`memory_context`). `Pipeline` calls these with its options; they read no model file except to
name a local model's revision.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from .engines import EngineOptions
from .models.config import LENGTHS, Profile

if TYPE_CHECKING:
    from .engines import GenerationOptions
    from .faithful.glossary import Glossary
    from .faithful.layer import FaithfulOptions
    from .memory.store import MemoryContext
    from .pipeline import PipelineOptions


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
