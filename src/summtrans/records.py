"""Typed results: what `Pipeline.run` returns, writers render and folder runs journal.

File names that are not valid UTF-8 (a latin-1 ``Müller.txt`` on a UTF-8 system) reach Python as
``str`` with lone surrogates (``os.fsdecode``: byte 0xFC becomes ``\\udcfc``). The rule:

* on disk, such a name is kept byte for byte (``os.fsencode`` gives the original bytes back);
* in JSON (records, the journal), `to_json` writes every other character as itself (UTF-8) and a
  lone surrogate as its escape ``\\udcfc``, so ``json.loads`` returns the very same ``str`` and
  ``os.fsencode`` the original bytes. Such records carry ``source_bytes`` as well (the name's
  bytes, base64), for JSON readers that refuse lone surrogates;
* in text and markdown (titles, messages), `display_name` shows the raw bytes as ``\\xfc``.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .faithful.quality import QualityReport, QualityWarning
from .formats.inline import InlineStats

if TYPE_CHECKING:
    from .facts import Facts
    from .formats.document import Document
    from .language.detect import Detection

__all__ = [
    "COPIED",
    "KEPT_ENGLISH",
    "MEMORY",
    "MEMORY_IMPORT",
    "MODEL",
    "ORIGINS",
    "DocumentResult",
    "MemoryUse",
    "SegmentResult",
    "Summary",
    "display_name",
    "document_record",
    "name_bytes_b64",
    "to_json",
]

# Where a segment's translation came from (the one list; JSON records' "origin").
MODEL = "model"  # the segment went to the model in this run
MEMORY = "memory"  # remembered model output (translation memory)
MEMORY_IMPORT = "memory-import"  # an imported human translation (TMX): wins over any model
KEPT_ENGLISH = "kept-english"  # a confidently English paragraph inside a German document, kept as is
COPIED = "copied"  # a unit without words (an amount and a date in a table row, a number): nothing to translate
ORIGINS = (MODEL, MEMORY, MEMORY_IMPORT, KEPT_ENGLISH, COPIED)

_SURROGATE = re.compile("[\ud800-\udfff]")


def to_json(obj: Any, indent: int | None = None) -> str:
    """JSON with non-ASCII text as is, and lone surrogates (undecodable file-name bytes) escaped."""
    text = json.dumps(obj, ensure_ascii=False, indent=indent)
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def display_name(name: str) -> str:
    """`name` fit for text output: undecodable bytes (surrogate escapes) shown as ``\\xNN``."""
    if not _SURROGATE.search(name):
        return name
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def name_bytes_b64(name: str) -> str | None:
    """Base64 of the bytes of a file name that is not valid UTF-8; None for every other name."""
    if not _SURROGATE.search(name):
        return None
    return base64.b64encode(os.fsencode(name)).decode("ascii")


@dataclass(frozen=True)
class SegmentResult:
    """One translated model input."""

    source: str  # the German segment
    translation: str  # its English translation
    origin: str = MODEL  # one of ORIGINS


@dataclass(frozen=True)
class Summary:
    """A summarized document."""

    text: str
    chunks: int  # model inputs in the first (map) round
    rounds: int  # 1 when the text fit one input
    seconds: float = 0.0
    from_memory: bool = False  # remembered by the translation memory (chunks and rounds are 0)
    warnings: tuple[QualityWarning, ...] = ()  # document-level: a loop, a length out of bounds, invented figures


@dataclass(frozen=True)
class MemoryUse:
    """How a document's segments were answered: by the translation memory or by the model."""

    hits: int = 0  # remembered model output
    imported: int = 0  # imported human translations
    model: int = 0  # segments that went to the model

    @classmethod
    def count(cls, origins: list[str]) -> MemoryUse:
        return cls(origins.count(MEMORY), origins.count(MEMORY_IMPORT), origins.count(MODEL))

    @property
    def from_memory(self) -> int:
        return self.hits + self.imported

    def to_dict(self) -> dict[str, int]:
        return {"hits": self.hits, "imported": self.imported, "model": self.model}


@dataclass(frozen=True)
class DocumentResult:
    """Everything summtrans produced for one document.

    `to_dict` gives the JSON record of ``-f json``/``jsonl``. Later fields (warnings, quality,
    detected language, origin) go at the end, defaulted, and into `to_dict` only when set.
    """

    source: str  # display path as given ("-" for stdin); a folder run puts the relative path here
    source_lang: str  # de | en
    encoding: str | None  # codec the input was decoded with; None for a formatted document (docx, pdf…)
    translation: str | None  # English text; None when the input was English already
    segments: list[SegmentResult] = field(default_factory=list)  # model inputs with their translations
    models: dict[str, str | None] = field(default_factory=dict)  # task -> model id or directory
    timings: dict[str, float] = field(default_factory=dict)  # stage -> seconds (translate, summarize, total)
    summary: str | None = None  # English summary; None unless summarizing
    summary_chunks: int | None = None  # model inputs in the first summary round
    sha256: str | None = None  # of the raw input bytes (set by folder runs)
    detected_lang: str | None = None  # language found by detection (--source-lang auto), else None
    lang_confidence: float | None = None  # the detector's confidence in detected_lang, 0..1
    lang_method: str | None = None  # how it was found: py3langid, function words (plainly German), too short
    memory: MemoryUse | None = None  # segments answered by the translation memory; None: memory off
    format: str | None = None  # the input's format backend (docx, pdf, url…); None for text and markdown
    output_bytes: bytes | None = field(default=None, repr=False)  # the translated document (NAME.en.docx…)
    inline: InlineStats | None = None  # formatted spans placed, fallen back, dropped (formatted inputs)
    quality: QualityReport | None = None  # warnings (segment = index in `segments`) and checks; None: not checked
    facts: Facts | None = None  # key facts of an official letter (each names its index in `segments`); None: none
    ocr: dict[str, Any] | None = None  # how scanned pages or an image were read (engine, per page confidence); None: no OCR

    @property
    def warnings(self) -> tuple:
        """The quality warnings (`quality.QualityWarning`), in segment order."""
        return self.quality.warnings if self.quality is not None else ()

    @property
    def language(self) -> dict[str, Any] | None:
        """The record's (and journal's) ``language`` block; None without detection."""
        if self.detected_lang is None:
            return None
        return {"lang": self.detected_lang, "confidence": round(self.lang_confidence or 0.0, 4), "method": self.lang_method}

    @property
    def summarized(self) -> bool:
        return self.summary is not None

    def to_dict(self, summary_only: bool = False) -> dict[str, Any]:
        """The JSON record; with `summary_only` (and a summary) without translation and segments."""
        out: dict[str, Any] = {"source": self.source}
        raw = name_bytes_b64(self.source)
        if raw is not None:
            out["source_bytes"] = raw
        out["source_lang"] = self.source_lang
        out["encoding"] = self.encoding
        if not (summary_only and self.summarized):
            out["translation"] = self.translation
            out["segments"] = [
                {"source": s.source, "translation": s.translation, "origin": s.origin} for s in self.segments
            ]
        out["models"] = dict(self.models)
        out["timings"] = dict(self.timings)
        if self.summarized:
            out["summary"] = self.summary
            out["summary_chunks"] = self.summary_chunks
        if self.sha256 is not None:
            out["sha256"] = self.sha256
        if self.language is not None:
            out["language"] = self.language
        if self.memory is not None:
            out["memory"] = self.memory.to_dict()
        if self.format is not None:
            out["format"] = self.format
        if self.inline is not None:
            out["inline"] = dataclasses.asdict(self.inline)
        if self.quality is not None:
            out["warnings"] = self.quality.warnings_list()
            out["quality"] = self.quality.to_dict()
        if self.facts is not None:
            out["facts"] = self.facts.to_dict()
        if self.ocr is not None:
            out["ocr"] = self.ocr
        return out


def document_record(
    doc: Document, lang: str, detection: Detection | None, timings: dict[str, float], translation: str | None,
    segments: list[SegmentResult], quality: QualityReport | None, memory: MemoryUse | None, summary: Summary | None,
    *, models: Mapping[str, str | None], encoding: str | None = None, **extra: Any,
) -> DocumentResult:
    """One document's record, for text and formatted documents alike: the quality block has the
    segments' checks and the summary's document-level warnings; `extra`: further fields."""
    quality = quality or QualityReport()
    if summary is not None and summary.warnings:
        quality = quality.merged(QualityReport(summary.warnings))
    return DocumentResult(
        source=doc.source,
        source_lang=lang,
        encoding=encoding,
        translation=translation,
        segments=segments,
        models=dict(models),
        timings={**timings, "total": round(sum(timings.values()), 4)},
        summary=summary.text if summary is not None else None,
        summary_chunks=summary.chunks if summary is not None else None,
        detected_lang=detection.lang if detection is not None else None,
        lang_confidence=detection.confidence if detection is not None else None,
        lang_method=detection.method if detection is not None else None,
        memory=memory,
        quality=quality,
        **extra,
    )
