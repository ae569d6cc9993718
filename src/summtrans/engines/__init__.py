"""Seq2seq engines behind one interface, and `load_engine()` to pick and load one."""

from __future__ import annotations

import dataclasses
import json
import logging
from pathlib import Path

from ..errors import ModelLoadError, UsageError
from ..models.hub import resolve_model
from .base import DEVICES, ENGINES, EchoEngine, Engine, EngineOptions, GenerationOptions, token_budget_batches

__all__ = [
    "DEVICES",
    "ENGINES",
    "EchoEngine",
    "Engine",
    "EngineOptions",
    "GenerationOptions",
    "load_engine",
    "model_type",
    "token_budget_batches",
]

# Architectures CTranslate2's Transformers converter handles and `auto` sends to it.
CT2_MODEL_TYPES = frozenset({"marian", "bart", "t5", "pegasus", "mt5", "mbart"})

log = logging.getLogger(__name__)


def model_type(model_dir: Path) -> str:
    """The `model_type` from a model directory's config.json ('' when unknown)."""
    try:
        return str(json.loads((model_dir / "config.json").read_text(encoding="utf-8")).get("model_type", ""))
    except (OSError, ValueError):
        return ""


def load_engine(model: str, options: EngineOptions | None = None) -> Engine:
    """Load `model` (hub id or local directory) on the engine that `options.engine` names.

    `auto` takes ctranslate2 for the architectures it converts and transformers otherwise, and
    falls back to transformers for a model (or device) that ctranslate2 cannot run faithfully.
    """
    options = options or EngineOptions()
    if options.engine not in ENGINES:
        raise UsageError(f"unknown engine '{options.engine}' (choose from {', '.join(ENGINES)})")
    if options.device not in DEVICES:
        raise UsageError(f"unknown device '{options.device}' (choose from {', '.join(DEVICES)})")
    if options.engine == "echo":
        return EchoEngine(model)
    kind = options.engine
    if kind in ("auto", "ctranslate2"):
        from . import ct2

        # A pinned revision is looked up through its snapshot below (still without torch).
        cached = ct2.cached_conversion(model, options) if options.revision is None else None
        if cached is not None:  # converted before: no need to even look at the source model
            return ct2.CTranslate2Engine.from_converted(cached, model, options)
    model_dir = resolve_model(model, local_files_only=options.local_files_only, revision=options.revision)
    if kind == "auto":
        kind = "ctranslate2" if model_type(model_dir) in CT2_MODEL_TYPES else "transformers"
    log.debug("loading %s from %s on %s", model, model_dir, kind)
    if kind == "ctranslate2":
        from . import ct2

        if model_type(model_dir) not in CT2_MODEL_TYPES:
            raise ModelLoadError(
                f"the ctranslate2 engine cannot convert model type '{model_type(model_dir)}' of '{model}' "
                "(use --engine transformers)"
            )
        try:
            return ct2.CTranslate2Engine.from_model_dir(model_dir, model, options)
        except ct2.IncompatibleModelError as exc:
            if options.engine != "auto":
                raise
            log.warning("%s; falling back to the transformers engine", exc)
            if options.compute_type not in (None, "auto", "float32", "float16", "bfloat16"):
                options = dataclasses.replace(options, compute_type=None)  # e.g. int8: ctranslate2 only
    from .hf import TransformersEngine

    return TransformersEngine(model_dir, model, options)
