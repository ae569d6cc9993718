"""Which language each document is treated as, with ``source_lang="auto"``.

German is translated (its confidently English paragraphs kept as they are), English is copied
through or summarized directly, any other confident language is refused (`Languages.check`).
A detection is remembered in this process and, with the translation memory on, in the memory: an
unchanged re-run builds no detector.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .detect import SOURCE_LANG, TARGET_LANG

if TYPE_CHECKING:
    from ..formats.document import Document
    from ..memory.store import Memory
    from .detect import Detection

log = logging.getLogger("summtrans.pipeline")
Spans = list[tuple[int, int]]


@dataclass(frozen=True)
class Route:
    """How one document goes through the pipeline."""

    lang: str  # the language it is treated as: de (translated) or en (copied through, summarized)
    detection: Detection | None  # its detection with source_lang auto, else None
    keep: Spans  # its English paragraphs, kept as they are in the translation


def treated_as(detection: Detection | None, source_lang: str) -> str:
    """The language a document is treated as: the forced one, the detected one, or (unreliable) German."""
    if detection is None:
        return source_lang
    return detection.lang if detection.reliable else SOURCE_LANG


class Languages:
    """Each document's language for one pipeline; `memory` gives the translation memory (or None)."""

    def __init__(self, source_lang: str, task: str, memory: Callable[[], Memory | None]) -> None:
        self.source_lang, self.task, self._memory = source_lang, task, memory
        self._detections: dict[str, tuple[Detection, Spans]] = {}  # document text -> language

    def check(self, doc: Document) -> Detection | None:
        """`doc`'s detected language with ``source_lang="auto"`` (None otherwise). Raises
        InputError (reason ``skipped-language``) for a confident language other than German or English."""
        if self.source_lang != "auto":
            return None
        from .detect import require_source_language

        detection = self._detect(doc)[0]
        require_source_language(detection, doc.source)
        return detection

    def copied_through(self, doc: Document) -> bool:
        """Whether `doc` was already found reliably English (nothing to translate)."""
        known = self._detections.get(doc.text)
        return known is not None and known[0].reliable and known[0].lang == TARGET_LANG

    def route(self, docs: Sequence[Document]) -> list[Route]:
        """Per document: the language it is treated as, its detection, and its English paragraphs to keep."""
        routes = []
        for d in docs:
            det = self.check(d)
            lang = treated_as(det, self.source_lang)
            routes.append(Route(lang, det, self._detections.get(d.text, (None, []))[1] if det is not None else []))
            if lang == TARGET_LANG and self.task == "translate":
                log.warning("%s: the text is %s; copied through without translation", d.source,
                            det.describe() if det is not None else "English")
        for d in docs:
            self._detections.pop(d.text, None)
        return routes

    def _detect(self, doc: Document) -> tuple[Detection, Spans]:
        """`doc`'s detection and the spans of its English paragraphs (German documents)."""
        from .detect import Detection, detect, detect_paragraphs, detector_settings

        if doc.text in self._detections:
            return self._detections[doc.text]
        memory = self._memory()
        ctx = note = None
        if memory is not None:
            from ..memory.store import MemoryContext

            ctx = MemoryContext("detector", "langdetect", settings=detector_settings())
            note = memory.lookup_note(ctx, doc.text)
        if note is not None:
            data = json.loads(note)
            found = Detection(data["lang"], data["confidence"], data["reliable"]), [(s, e) for s, e in data["english"]]
        else:
            det = detect(doc.text)
            spans = []
            if treated_as(det, SOURCE_LANG) == SOURCE_LANG:
                spans = [(p.start, p.end) for p in detect_paragraphs(doc.text) if p.lang == TARGET_LANG]
            found = det, spans
            if memory is not None:
                value = {"lang": det.lang, "confidence": det.confidence, "reliable": det.reliable, "english": spans}
                memory.store_notes(ctx, [(doc.text, json.dumps(value))])
        if len(self._detections) >= 256:  # documents skipped after the check are never popped
            self._detections.clear()
        self._detections[doc.text] = found
        return found
