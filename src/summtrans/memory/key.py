"""The key of a translation-memory entry: the normalized source and its context (model identity,
engine, compute type, generation and other output-changing settings). Light: no SQLite, no model."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..models.hub import model_identity as _hub_identity

if TYPE_CHECKING:
    from ..engines.base import Engine, EngineOptions, GenerationOptions

__all__ = ["MemoryContext", "key_digest", "model_identity", "normalize_source"]


def normalize_source(text: str) -> str:
    """The form a source is keyed on: Unicode NFC, every whitespace run one space, stripped.

    Case, punctuation and quotes are kept: they change the translation.
    """
    return " ".join(unicodedata.normalize("NFC", text).split())


def key_digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def model_identity(model_ref: str, revision: str | None = None) -> str:
    """A stable identity for a model: ``hub:<id>@<commit>`` or ``files:<fingerprint>`` of a local dir.

    Falls back to the plain reference (``ref:<model_ref>[@<revision>]``) when the model is neither
    a local directory nor in the hub cache (e.g. the echo engine).
    """
    ident = _hub_identity(model_ref, revision)
    return ident if ident is not None else f"ref:{model_ref}" + (f"@{revision}" if revision else "")


@dataclass(frozen=True)
class MemoryContext:
    """Everything besides the source that changes a model's output: part of every key."""

    model: str  # model_identity(): hub id + revision or local fingerprint
    engine: str  # engine adapter name: ctranslate2 | transformers | echo
    compute_type: str = ""  # int8, float32, … ('' when the engine has none)
    generation: Mapping[str, Any] = field(default_factory=dict)  # GenerationOptions.as_dict()
    settings: Mapping[str, Any] = field(default_factory=dict)  # opaque: prefix, glossary, protection, …

    @classmethod
    def for_engine(cls, engine: Engine, generation: GenerationOptions, settings: Mapping[str, Any] | None = None) -> MemoryContext:
        """The context of a loaded engine (the Translator's and Summarizer's hook)."""
        return cls(
            model=model_identity(engine.model_id),
            engine=engine.name,
            compute_type=str(getattr(engine, "compute_type", "") or ""),
            generation=generation.as_dict(),
            settings=dict(settings or {}),
        )

    @classmethod
    def for_model(
        cls, model_ref: str, options: EngineOptions, generation: GenerationOptions, settings: Mapping[str, Any] | None = None
    ) -> MemoryContext | None:
        """The context of `model_ref` as `load_engine` would run it, known without loading it: the
        engine `auto` picks, the compute type resolved for the device. None when the model is not
        on disk (its identity is unknown until it is downloaded)."""
        engine, compute = options.engine, options.compute_type or "auto"
        if engine == "echo":
            return cls(f"ref:{model_ref}", engine, "", generation.as_dict(), dict(settings or {}))
        identity = _hub_identity(model_ref, options.revision)
        if identity is None:
            return None
        if engine == "auto":
            from ..engines import CT2_MODEL_TYPES, model_type
            from ..models.hub import cached_snapshot

            local = Path(model_ref).expanduser()
            model_dir = local if local.is_dir() else cached_snapshot(model_ref, options.revision)
            engine = "ctranslate2" if model_dir is not None and model_type(model_dir) in CT2_MODEL_TYPES else "transformers"
        if engine == "ctranslate2":
            from ..engines.ct2.device import resolve_compute_type, resolve_device

            compute = resolve_compute_type(options.compute_type, resolve_device(options.device))
        elif compute == "auto":
            compute = f"auto@{options.device}"  # float16 on CUDA, float32 elsewhere
        return cls(identity, engine, compute, generation.as_dict(), dict(settings or {}))

    def description(self) -> str:
        """Canonical JSON of the context (stored once per context, shown by stats and export)."""
        return json.dumps(
            {
                "model": self.model,
                "engine": self.engine,
                "compute_type": self.compute_type,
                "generation": dict(self.generation),
                "settings": dict(self.settings),
            },
            sort_keys=True,
            ensure_ascii=False,
            default=str,
        )

    def digest(self) -> str:
        return key_digest("ctx-v1", self.description())

    @classmethod
    def from_description(cls, description: str) -> MemoryContext | None:
        """The context a `description()` came from (None when it is not one): for TMX round trips."""
        try:
            data = json.loads(description)
            ctx = cls(**data)
        except (ValueError, TypeError):
            return None
        return ctx if isinstance(ctx.model, str) and isinstance(ctx.generation, dict) else None
