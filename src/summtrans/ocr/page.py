"""One page image → its words (engine output, boxes in points) and its confidence figures."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from .engines import LANG, OcrWord, get_engine
from .preprocess import Prepared, prepare

__all__ = ["LOW_CONFIDENCE", "OcrPage", "read_page"]

LOW_CONFIDENCE = 80.0  # a word read with less confidence (0-100) is "low" (see benchmarks/ocr.py)
# A page is text only with this many words read with at least MIN_WORD_CONF that hold a letter or
# digit run of 2+: a photo of a cat or a blank page gives none (Tesseract's guesses there are
# short and unsure); a page with a few words of a stamp or a signature still gives its words.
MIN_WORDS = 3
MIN_WORD_CONF = 60.0
_REAL_WORD = re.compile(r"[^\W_]{2,}")


@dataclass
class OcrPage:
    """One page as read: words with boxes in points (y down from the top), and how it was read."""

    index: int  # 0-based page (frame) number
    width: float  # points
    height: float
    words: list[OcrWord] = field(default_factory=list)  # boxes in points, not pixels
    prepared: dict[str, Any] = field(default_factory=dict)  # what preprocessing did (skew, scale…)
    seconds: float = 0.0

    @property
    def has_text(self) -> bool:
        sure = [w for w in self.words if w.conf >= MIN_WORD_CONF and _REAL_WORD.search(w.text)]
        return len(sure) >= MIN_WORDS

    @property
    def mean_confidence(self) -> float | None:
        """Mean word confidence (0-100), None without words."""
        return sum(w.conf for w in self.words) / len(self.words) if self.words else None

    def low_words(self, threshold: float = LOW_CONFIDENCE) -> list[OcrWord]:
        return [w for w in self.words if w.conf < threshold]


def read_page(image: Any, index: int = 0, dpi: tuple[float, float] | None = None, lang: str = LANG) -> OcrPage:
    """OCR one page image (any PIL mode); `dpi`: what the file says, if anything."""
    engine = get_engine()
    t0 = time.perf_counter()
    prepared = prepare(image, dpi)
    words = engine.words(prepared.image, prepared.dpi, lang)
    return _in_points(index, prepared, words, time.perf_counter() - t0)


def _in_points(index: int, prepared: Prepared, words: list[OcrWord], seconds: float) -> OcrPage:
    k = 72.0 / prepared.dpi
    scaled = [
        OcrWord(w.text, w.conf, tuple(round(v * k, 2) for v in w.box), w.line, round(w.height * k, 2))  # type: ignore[arg-type]
        for w in words
    ]
    info = {"skew": round(prepared.skew, 2), "scale": round(prepared.scale, 2), "denoised": prepared.denoised,
            "flattened": prepared.flattened, "dpi": round(prepared.dpi)}
    width, height = prepared.image.size
    return OcrPage(index, width * k, height * k, scaled, info, round(seconds, 3))
