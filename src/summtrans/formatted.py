"""The pipeline's path for formatted documents (docx, odt, pptx, html, epub, srt, pdf, web pages).

A formatted `Document` carries its raw bytes and format name; its units are extracted where the
pipeline runs (a Ray worker too), unless reading already did it in this process. All units of all
documents of a group, with their formatted spans' texts, go to the `Translator` in one call, so
they share model batches (and the translation memory); `formats.translate_units` then places the
spans on the English words and the backend writes the translated copy, which travels back as bytes.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .faithful.quality import QualityReport
from .formats import InlineStats, Unit, backend_for, translate_units
from .formats.document import Document, extract
from .formats.inline import has_letters
from .language.routing import treated_as
from .progress import Progress
from .records import DocumentResult, MemoryUse, SegmentResult

if TYPE_CHECKING:
    from .pipeline import Pipeline
    from .translate import Translation, Translator

__all__ = ["FormattedTranslation", "run_documents", "translate_documents", "unit_rows"]


@dataclass(frozen=True)
class FormattedTranslation:
    """One formatted document, translated."""

    text: str  # the translation's text, as -f text shows it (markdown for pdf and web pages)
    output: bytes  # the translated document itself (NAME.en.docx, NAME.en.md for pdf…)
    segments: list[SegmentResult]  # model inputs of the document's units with their translations
    inline: InlineStats  # formatted spans placed, fallen back, dropped
    seconds: float  # this document's share of the translation time
    quality: QualityReport = QualityReport()  # the units' checks (warnings at their index in `segments`)


def translate_documents(
    translator: Translator, docs: Sequence[Document], progress: Progress | None = None
) -> list[FormattedTranslation]:
    """Translate formatted documents together; one result per document, in order."""
    start = time.perf_counter()
    extracted = [extract(d) for d in docs]
    # What translate_units asks for, per document (unit texts first, then span texts): recorded
    # with an identity pass, so that every document's inputs go to the model in one call.
    asked: list[list[str]] = []
    for ex in extracted:
        seen: list[str] = []
        translate_units(ex.units, lambda texts, seen=seen: seen.extend(texts) or list(texts))
        asked.append(seen)
    flat = [t for texts in asked for t in texts]
    translations: list[Translation] = translator.translate_many(flat, markdown=False, progress=progress) if flat else []
    elapsed = time.perf_counter() - start
    out: list[FormattedTranslation] = []
    pos = 0
    for doc, ex, texts in zip(docs, extracted, asked):
        mine = translations[pos : pos + len(texts)]
        pos += len(texts)
        answers = iter([[t.text for t in mine]])
        units, stats = translate_units(ex.units, lambda _texts: next(answers))
        n_units = sum(1 for u in ex.units if has_letters(u.text))
        segments = [SegmentResult(s.source, s.translation, s.origin) for t in mine[:n_units] for s in t.segments]
        # The units' checks, warnings moved to the index in `segments`; formatted spans' own
        # translations (a bold word, a link text) only help place the spans and are not reported.
        quality, offset = QualityReport(ex.warnings), 0  # what the backend could not read (a scanned page)
        for t in mine[:n_units]:
            q = t.quality
            quality = quality.merged(dataclasses.replace(q, warnings=tuple(w.shifted(offset) for w in q.warnings)))
            offset += len(t.segments)
        output, text = _rebuild(doc, ex, units)
        share = elapsed * len(texts) / max(len(flat), 1)
        out.append(FormattedTranslation(text, output, segments, stats, share, quality))
    return out


def _rebuild(doc: Document, extracted, units: list[Unit]) -> tuple[bytes, str]:
    """The translated document's bytes and text."""
    backend = backend_for(doc.format or "")
    assert backend is not None, doc.format
    output = backend.write(extracted, units)
    markdown = output.decode("utf-8").strip() if backend.output_suffix == ".md" else None
    return output, backend.to_text(dataclasses.replace(extracted, units=units, markdown=markdown))


def run_documents(pipeline: Pipeline, docs: Sequence[Document], progress: Progress | None = None) -> list[DocumentResult]:
    """`Pipeline.run` for a group with formatted documents: text ones go the usual way."""
    results: list[DocumentResult | None] = [None] * len(docs)
    plain = [i for i, d in enumerate(docs) if d.format is None]
    if plain:
        for i, res in zip(plain, pipeline.run([docs[i] for i in plain], progress=progress)):
            results[i] = res
    picked = [i for i, d in enumerate(docs) if d.format is not None]
    formatted = [docs[i] for i in picked]
    detections = [pipeline.check_language(d) for d in formatted]  # --source-lang auto
    langs = [treated_as(det, pipeline.options.source_lang) for det in detections]
    timings: list[dict[str, float]] = [{} for _ in formatted]
    translated: list[FormattedTranslation | None] = [None] * len(formatted)
    german = [k for k, lang in enumerate(langs) if lang == "de"]
    if pipeline.translation_profile is not None and german:
        if progress:
            progress.set_description("translating")
        done = translate_documents(pipeline.translator, [formatted[k] for k in german], progress)
        for k, tr in zip(german, done):
            translated[k] = tr
            timings[k]["translate"] = round(tr.seconds, 4)
    english = [tr.text if tr else d.text for d, tr in zip(formatted, translated)]
    if pipeline.options.task == "translate":  # English documents are copied through, rebuilt unchanged
        for k, d in enumerate(formatted):
            if translated[k] is None:
                ex = extract(d)
                output, text = _rebuild(d, ex, list(ex.units))
                translated[k] = FormattedTranslation(text, output, [], InlineStats(), 0.0, QualityReport(ex.warnings))
    summaries = pipeline.summaries(english, timings, progress)
    models = pipeline.models()
    for k, (i, doc, tr) in enumerate(zip(picked, formatted, translated)):
        memory = MemoryUse.count([s.origin for s in tr.segments]) if tr and pipeline.options.memory else None
        results[i] = pipeline.record(
            doc, langs[k], detections[k], timings[k], tr.text if tr else None, list(tr.segments) if tr else [],
            tr.quality if tr else QualityReport(extract(doc).warnings), memory, summaries[k], models=models,
            format=doc.format, output_bytes=tr.output if tr else None, inline=tr.inline if tr else None,
        )
    return [r for r in results if r is not None]


def unit_rows(units: Sequence[Unit]) -> list[dict[str, Any]]:
    """The translation units as `summtrans segment` shows them (JSON-ready)."""
    return [
        {"index": i, "role": u.role, "text": u.text,
         "spans": [{"start": sp.start, "end": sp.end, "text": u.text[sp.start : sp.end], "link": sp.link} for sp in u.spans]}
        for i, u in enumerate(units)
    ]
