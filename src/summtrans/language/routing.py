"""Which language each document is treated as, with ``source_lang="auto"``.

German is translated (its confidently English units kept as they are, in every format), English is
copied through or summarized directly, any other confident language is refused (`Languages.check`).
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
    from ..formats.base import Unit
    from ..formats.document import Document
    from ..memory.store import Memory, MemoryContext
    from .detect import Detection

log = logging.getLogger("summtrans.pipeline")


@dataclass(frozen=True)
class Route:
    """How one document goes through the pipeline."""

    lang: str  # the language it is treated as: de (translated) or en (copied through, summarized)
    detection: Detection | None  # its detection with source_lang auto, else None
    keep: frozenset[int] = frozenset()  # the indices of its English units, kept as they are


def treated_as(detection: Detection | None, source_lang: str) -> str:
    """The language a document is treated as: the forced one, the detected one, or (unreliable) German."""
    if detection is None:
        return source_lang
    return detection.lang if detection.reliable else SOURCE_LANG


class Languages:
    """Each document's language for one pipeline; `memory` gives the translation memory (or None)."""

    def __init__(self, source_lang: str, task: str, memory: Callable[[], Memory | None]) -> None:
        self.source_lang, self.task, self._memory = source_lang, task, memory
        self._detections: dict[str, tuple[Detection, list[int] | None]] = {}  # document text -> language

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

    def route(self, docs: Sequence[Document], units: Sequence[Sequence[Unit]]) -> list[Route]:
        """Per document: the language it is treated as, its detection, and its English units to keep."""
        routes = []
        for d, us in zip(docs, units):
            det = self.check(d)
            lang = treated_as(det, self.source_lang)
            keep = frozenset(self._english_units(d, us)) if det is not None and lang == SOURCE_LANG else frozenset()
            routes.append(Route(lang, det, keep))
            if lang == TARGET_LANG and self.task == "translate":
                log.warning("%s: the text is %s; copied through without translation", d.source,
                            det.describe() if det is not None else "English")
        for d in docs:
            self._detections.pop(d.text, None)
        return routes

    def _detect(self, doc: Document) -> tuple[Detection, list[int] | None]:
        """`doc`'s detection, and the indices of its English units when the memory remembered them."""
        from .detect import Detection, detect

        if doc.text in self._detections:
            return self._detections[doc.text]
        note = self._note(doc)
        if note is not None:
            found = Detection(note["lang"], note["confidence"], note["reliable"], note["method"]), note["english"]
        else:
            det = detect(doc.text)
            found = det, None  # a German document's English units are found when it is routed
            if treated_as(det, SOURCE_LANG) != SOURCE_LANG:
                found = det, self._remember(doc, det, [])
        if len(self._detections) >= 256:  # documents skipped after the check are never popped
            self._detections.clear()
        self._detections[doc.text] = found
        return found

    def _english_units(self, doc: Document, units: Sequence[Unit]) -> list[int]:
        """The indices of `doc`'s English units (a German document's), found once and remembered."""
        from .detect import english_units

        det, english = self._detect(doc)
        if english is None:
            english = self._remember(doc, det, english_units([u.text for u in units]))
        return english

    def _remember(self, doc: Document, det: Detection, english: list[int]) -> list[int]:
        """Note `doc`'s language and English units in the memory (when it is on)."""
        memory = self._memory()
        if memory is not None:
            value = {"lang": det.lang, "confidence": det.confidence, "reliable": det.reliable, "method": det.method,
                     "english": english}
            memory.store_notes(_context(), [(doc.text, json.dumps(value))])
        return english

    def _note(self, doc: Document) -> dict | None:
        """The memory's note on `doc`'s language, if it has one."""
        memory = self._memory()
        note = memory.lookup_note(_context(), doc.text) if memory is not None else None
        return json.loads(note) if note is not None else None


def _context() -> MemoryContext:
    from .detect import detector_settings
    from ..memory.store import MemoryContext

    return MemoryContext("detector", "langdetect", settings=detector_settings())
