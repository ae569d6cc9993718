"""summtrans: translate German documents to English and summarize them.

    >>> from summtrans import translate_text, summarize_text
    >>> translate_text("Das ist ein Test.")            # doctest: +SKIP
    >>> summarize_text(open("bericht.txt").read())     # doctest: +SKIP

For more control, build a `Pipeline` (or a `Translator` / `Summarizer` over an engine).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "Config",
    "Document",
    "Engine",
    "EngineOptions",
    "GenerationOptions",
    "Pipeline",
    "PipelineOptions",
    "Summarizer",
    "SummtransError",
    "Translator",
    "load_config",
    "load_engine",
    "read_document",
    "summarize_text",
    "translate_text",
]

# Public names resolve lazily so that `import summtrans` (and the CLI's --help) stays fast.
_LAZY = {
    "Config": "models.config",
    "load_config": "models.config",
    "Document": "formats.document",
    "read_document": "formats.document",
    "Engine": "engines",
    "EngineOptions": "engines",
    "GenerationOptions": "engines",
    "load_engine": "engines",
    "Pipeline": "pipeline",
    "PipelineOptions": "pipeline",
    "Summarizer": "summarize",
    "SummtransError": "errors",
    "Translator": "translate",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'summtrans' has no attribute {name!r}")


if TYPE_CHECKING:
    from .engines import Engine, EngineOptions, GenerationOptions, load_engine
    from .errors import SummtransError
    from .formats.document import Document, read_document
    from .models.config import Config, load_config
    from .pipeline import Pipeline, PipelineOptions
    from .summarize import Summarizer
    from .translate import Translator


def translate_text(text: str, model: str | None = None, **options: Any) -> str:
    """Translate German `text` to English with the default (or the named) translation model."""
    from .pipeline import Pipeline, PipelineOptions

    return Pipeline(PipelineOptions(task="translate", model=model, **options)).translator.translate(text).text


def summarize_text(text: str, *, source_lang: str = "de", summary_model: str | None = None, **options: Any) -> str:
    """Summarize `text` in English; German input (the default) is translated first."""
    from .pipeline import Pipeline, PipelineOptions

    pipe = Pipeline(PipelineOptions(task="summarize", source_lang=source_lang, summary_model=summary_model, **options))
    english = pipe.translator.translate(text).text if source_lang == "de" else text
    return pipe.summarizer.summarize(english).text
