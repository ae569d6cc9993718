"""Language detection for documents and their units (py3langid, restricted to common languages).

py3langid was chosen over lingua-language-detector after measuring both on de-news paragraphs,
1-2 sentence snippets and Multi30k captions (benchmarks/langdetect_choice.py): equally accurate
here, 4.4 MB installed instead of 95 MB, a faster import and faster per document. Its normalized
probabilities are confident, so short texts are never trusted: a unit (paragraph, cell…) inside a
German document is marked English only when it is long enough *and* confidently English.

The detector is imported and built on first use (about 0.7 s, mostly decompressing its model), so
``--help`` pays nothing, and neither does a text under DOC_MIN_LETTERS letters (taken as German).
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import logging
import re
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError

log = logging.getLogger(__name__)

# The languages the detector chooses from, with the names messages use (one table).
LANGUAGE_NAMES: dict[str, str] = {
    "de": "German",
    "en": "English",
    "fr": "French",
    "nl": "Dutch",
    "it": "Italian",
    "es": "Spanish",
    "pl": "Polish",
    "tr": "Turkish",
    "ru": "Russian",
    "ar": "Arabic",
}
SOURCE_LANG = "de"  # what summtrans translates
TARGET_LANG = "en"  # what it translates into (copied through, summarized directly)

DOC_MIN_CONFIDENCE = 0.90  # below this a document's detection is not trusted: it is taken as German
DOC_MIN_LETTERS = 20  # shorter documents are taken as German whatever the detector says
PARA_MIN_CONFIDENCE = 0.98  # a paragraph is marked English only at or above this …
PARA_MIN_WORDS = 6  # … and with at least this many words
SAMPLE_CHARS = 6000  # long documents are judged on three windows of this size (start, middle, end)

_LETTER = re.compile(r"[^\W\d_]")


# Function words that only German writes among LANGUAGE_NAMES' languages (no English, Dutch, French
# twin: not "die", "den", "war", "also", "hat", "des", "als", "es", "am"), and frequent English ones.
# A text where German ones abound and English ones are rare is plainly German: the detector (built
# in about 0.2-1 s per process) is not needed for it. Measured in tests/test_langdetect.py: 91% of
# Multi30k's German captions and 29 of 30 de-news articles decided so; none of 1,000 English
# captions, 5,000 English README paragraphs, or the French and Dutch samples.
GERMAN_WORDS = frozenset(
    "und der das ist nicht mit ein eine einem einen einer dem auf für sich auch wird sind werden wurde zu von im"
    " bei über nach wir ich aus oder wie noch nur vom zum zur um haben kann dass durch gegen unter".split()
)
ENGLISH_WORDS = frozenset("the and of is to that with for are was this you on be have it not from at by".split())
FUNCTION_WORDS = "function words"  # Detection.method of a plainly German text
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Detection:
    """The language of a text."""

    lang: str  # ISO 639-1 code from LANGUAGE_NAMES
    confidence: float  # py3langid's normalized probability; for function words the German share of them; 0..1
    reliable: bool = True  # long enough and confident enough to act on
    method: str = "py3langid"  # py3langid | function words (plainly German) | too short

    @property
    def name(self) -> str:
        return language_name(self.lang)

    def describe(self) -> str:
        """``French (fr, 0.98)``."""
        return f"{self.name} ({self.lang}, {self.confidence:.2f})"


@functools.cache
def _detector_name() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"py3langid {version('py3langid')}"
    except PackageNotFoundError:
        return "py3langid"


def detector_settings() -> dict[str, object]:
    """What a detection depends on (the translation memory keys remembered detections on it)."""
    return {
        "detector": _detector_name(),  # looked up once: importlib.metadata is slow per call
        "languages": list(LANGUAGE_NAMES),
        "document": [DOC_MIN_CONFIDENCE, DOC_MIN_LETTERS, SAMPLE_CHARS],
        "unit": [PARA_MIN_CONFIDENCE, PARA_MIN_WORDS],  # English units of a German document, by index
        "function words": sorted(GERMAN_WORDS),
    }


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


@functools.lru_cache(maxsize=1)
def _identifier():
    """py3langid's identifier restricted to LANGUAGE_NAMES. Its model ships LZMA-compressed (68 MB
    unpacked: about 1–1.5 s per process); the restricted arrays are kept uncompressed in the cache
    folder after the first build, so later processes load them in a fraction of that."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    cached = _cached_model()
    try:
        import numpy as np

        with np.load(cached, allow_pickle=False) as d:
            return LanguageIdentifier(d["ptc"], d["pc"], d["classes"].tolist(), _words(d["nextmove"]),
                                      d["output"].tolist(), norm_probs=True, tk_row=_words(d["row"]))
    except (OSError, KeyError, ValueError):  # not built yet, or unreadable: build it from the package
        pass
    full = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    full.set_languages(list(LANGUAGE_NAMES))
    # Rebuilt on the restricted tables alone: set_languages() keeps the full feature table (140
    # languages, 27 MiB) alive for a later reset we never make.
    ident = LanguageIdentifier(full.nb_ptc, full.nb_pc, full.nb_classes, full.tk_nextmove, full.tk_output,
                               norm_probs=True, tk_row=full.tk_row)
    try:
        _save_model(cached, ident)
    except OSError as exc:  # a read-only cache: detection still works, just slower next time
        log.debug("cannot keep the language model in %s: %s", cached, exc)
    return ident


def _cached_model() -> Path:
    import py3langid

    from ..models.hub import cache_root

    tag = hashlib.sha256(f"{py3langid.__version__}|{','.join(LANGUAGE_NAMES)}".encode()).hexdigest()[:16]
    return cache_root() / "langid" / f"py3langid-{tag}.npz"


def _words(values) -> array:
    """A NumPy array of unsigned ints as the stdlib array py3langid walks."""
    out = array({2: "H", 4: "I", 8: "L"}[values.dtype.itemsize])
    out.frombytes(memoryview(values).cast("B"))
    return out


def _save_model(path: Path, ident) -> None:
    import numpy as np

    from ..fsio import atomic_write_with

    arrays = {
        "ptc": np.ascontiguousarray(ident.nb_ptc), "pc": np.asarray(ident.nb_pc), "classes": np.array(ident.nb_classes),
        "nextmove": np.frombuffer(ident.tk_nextmove, dtype=f"u{ident.tk_nextmove.itemsize}"),
        "row": np.frombuffer(ident.tk_row, dtype=f"u{ident.tk_row.itemsize}"),
        "output": np.asarray(ident.tk_output, dtype=np.int32),
    }
    atomic_write_with(path, lambda fh: np.savez(fh, **arrays))


def _sample(text: str) -> str:
    if len(text) <= 3 * SAMPLE_CHARS:
        return text
    mid = len(text) // 2 - SAMPLE_CHARS // 2
    return "\n".join((text[:SAMPLE_CHARS], text[mid : mid + SAMPLE_CHARS], text[-SAMPLE_CHARS:]))


def _long_enough(text: str) -> bool:
    """At least DOC_MIN_LETTERS letters (stops counting there)."""
    return sum(1 for _ in itertools.islice(_LETTER.finditer(text), DOC_MIN_LETTERS)) >= DOC_MIN_LETTERS


def _classify(text: str) -> tuple[str, float]:
    lang, prob = _identifier().classify(text)
    return str(lang), float(prob)


def german_share(text: str, distinct: int) -> float | None:
    """The German share of `text`'s function words when it is plainly German (at least `distinct`
    different German ones, 8% of its words, four times the English ones), else None."""
    words = _WORD.findall(text.lower())
    german = [w for w in words if w in GERMAN_WORDS]
    english = sum(w in ENGLISH_WORDS for w in words)
    if len(set(german)) < distinct or len(german) < 0.08 * len(words) or 4 * english > len(german):
        return None
    return len(german) / (len(german) + english)


def detect(text: str) -> Detection:
    """The language of `text` (a long document is sampled). `reliable` is False for short or
    uncertain texts, which callers treat as German."""
    if not _long_enough(text[: 3 * SAMPLE_CHARS]):  # taken as German whatever the detector says: not built for it
        return Detection(SOURCE_LANG, 0.0, reliable=False, method="too short")
    sample = _sample(text)
    share = german_share(sample, distinct=3)
    if share is not None:
        return Detection(SOURCE_LANG, share, reliable=True, method=FUNCTION_WORDS)
    lang, prob = _classify(sample)
    return Detection(lang, prob, reliable=prob >= DOC_MIN_CONFIDENCE)


def english_units(texts: Sequence[str]) -> list[int]:
    """The indices of the units (paragraphs, cells, headings…) of a German document that are
    English, to be kept as they are: at least PARA_MIN_WORDS words (and DOC_MIN_LETTERS letters), and the detector at least
    PARA_MIN_CONFIDENCE sure. Short or uncertain units, and units in a third language, follow
    the document."""
    out = []
    for i, text in enumerate(texts):
        if len(text.split()) >= PARA_MIN_WORDS and _long_enough(text) and german_share(text, distinct=2) is None:
            lang, prob = _classify(text)
            if lang == TARGET_LANG and prob >= PARA_MIN_CONFIDENCE:
                out.append(i)
    return out


def require_source_language(detection: Detection, path: str) -> None:
    """Raise InputError (reason ``skipped-language``) for a reliable detection that is neither
    German nor English: ``brief.txt: the text is French (fr, 0.98); summtrans translates German``."""
    if detection.reliable and detection.lang not in (SOURCE_LANG, TARGET_LANG):
        raise InputError(
            path,
            f"the text is {detection.describe()}; summtrans translates {language_name(SOURCE_LANG)}",
            "skipped-language",
        )
