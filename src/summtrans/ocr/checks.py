"""What a reader must check against the paper: protected spans (amounts, dates, IBANs, reference
numbers…) read from words the engine was unsure of, and IBANs that fail their checksum (flagged,
never "corrected"); and the record's ``ocr`` block."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from summtrans.faithful.quality import QualityWarning

from . import page as _page
from .page import OcrPage

__all__ = ["iban_valid", "low_confidence_note", "ocr_block", "warnings"]

# Span kinds whose every character matters (the faithful layer's detectors; terms and code aside).
_KINDS = ("url", "email", "iban", "path", "phone", "date", "time", "amount", "quantity", "number")
_DIGIT = re.compile(r"\d")


def iban_valid(iban: str) -> bool:
    """ISO 13616 mod-97 check of an IBAN (spaces ignored)."""
    compact = iban.replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", compact):
        return False
    digits = "".join(str(int(c, 36)) for c in compact[4:] + compact[:4])
    return int(digits) % 97 == 1


def warnings(pages: Sequence[OcrPage], threshold: float | None = None) -> tuple[QualityWarning, ...]:
    """``ocr-low-confidence`` for each protected span or number with a word under `threshold`, and
    ``iban-checksum`` for each IBAN that fails its check digits; with the words and the page.
    `threshold`: default page.LOW_CONFIDENCE."""
    from summtrans.faithful.protect import find_spans

    threshold = _page.LOW_CONFIDENCE if threshold is None else threshold
    out: list[QualityWarning] = []
    for page in pages:
        for line in _lines(page):
            text = " ".join(w.text for w in line)
            if _page_number(line, text, page):
                continue  # dropped from the text: nothing to check
            starts, at = [], 0
            for word in line:
                starts.append(at)
                at += len(word.text) + 1
            for kind, start, end in find_spans(text, _KINDS):
                span = text[start:end]
                words = [w for w, s in zip(line, starts) if s < end and s + len(w.text) > start]
                unsure = [w for w in words if w.conf < threshold]
                where = f"page {page.index + 1}"
                if unsure:
                    low = ", ".join(f"'{w.text}' {w.conf:.0f} %" for w in unsure)
                    out.append(QualityWarning(None, "ocr-low-confidence", f"'{span}' ({where}): read unsure ({low})"))
                if kind == "iban" and not iban_valid(span):
                    out.append(QualityWarning(None, "iban-checksum", f"'{span}' ({where}) fails the IBAN checksum"))
            # A number the span detectors do not take whole (an Aktenzeichen "327-BG-4471/25").
            covered = {id(w) for k, s, e in find_spans(text, _KINDS) for w, st in zip(line, starts) if st < e and st + len(w.text) > s}
            for word in line:
                if id(word) not in covered and _DIGIT.search(word.text) and word.conf < threshold:
                    out.append(QualityWarning(None, "ocr-low-confidence",
                                              f"'{word.text}' (page {page.index + 1}): read unsure ({word.conf:.0f} %)"))
    return tuple(out)


def _page_number(line: list[Any], text: str, page: OcrPage) -> bool:
    """A page number in the top or bottom margin of the words' extent, as the layout drops it
    (formats/pdf/layout.py, ocr/layout.py)."""
    from summtrans.formats.pdf.layout import MARGIN_SHARE, PAGE_NUMBER

    first, last = min(w.box[1] for w in page.words), max(w.box[3] for w in page.words)
    top, bottom = min(w.box[1] for w in line), max(w.box[3] for w in line)
    margin = MARGIN_SHARE * (last - first)
    return (bottom < first + margin or top > last - margin) and bool(PAGE_NUMBER.match(text))


def _lines(page: OcrPage) -> list[list[Any]]:
    lines: list[list[Any]] = []
    for word in page.words:
        if not lines or lines[-1][-1].line != word.line:
            lines.append([])
        lines[-1].append(word)
    return lines


def ocr_block(engine: str, lang: str, pages: Sequence[OcrPage], threshold: float | None = None) -> dict[str, Any]:
    """The record's ``ocr`` block: engine, language, and per OCR'd page its mean word confidence
    and how many words were read under `threshold` (default page.LOW_CONFIDENCE)."""
    threshold = _page.LOW_CONFIDENCE if threshold is None else threshold
    return {
        "engine": engine,
        "language": lang,
        "threshold": threshold,
        "pages": [
            {"page": p.index + 1,
             "mean_confidence": round(p.mean_confidence, 1) if p.mean_confidence is not None else None,
             "low_confidence_words": len(p.low_words(threshold)),
             "seconds": p.seconds}
            for p in pages
        ],
    }


def journal_fields(block: dict[str, Any] | None) -> dict[str, Any] | None:
    """The journal's ``ocr`` entry: pages read and their mean confidence (word-weighted)."""
    if not block or not block.get("pages"):
        return None
    confs = [p["mean_confidence"] for p in block["pages"] if p["mean_confidence"] is not None]
    return {"pages": len(block["pages"]), "mean_confidence": round(sum(confs) / len(confs), 1) if confs else None}


def low_confidence_note(block: dict[str, Any], flagged: Sequence[QualityWarning]) -> str | None:
    """The line the text output ends with when the OCR was unsure; None when it was sure."""
    threshold = block["threshold"]
    low_pages = [p for p in block["pages"] if p["mean_confidence"] is not None and p["mean_confidence"] < threshold]
    if not low_pages and not flagged:
        return None
    parts = [f"page {p['page']}: {p['mean_confidence']:.0f} %" for p in low_pages]
    detail = f"mean confidence {', '.join(parts)}; " if parts else ""
    return (f"*Read by OCR with low confidence ({detail}{len(flagged)} numbers or codes to check): "
            "compare amounts, dates and IBANs with the paper.*")
