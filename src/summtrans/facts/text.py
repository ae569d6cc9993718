"""Helpers the fact finders share: the lines and sentences of a segment, and the fixed parts of a
letter (salutation, closing, the heading of a Rechtsbehelfsbelehrung) that more than one finder
looks for.
"""

from __future__ import annotations

import re

_SALUTATION = re.compile(r"^(?:Sehr\s+geehrte[rs]?\b|Guten\s+Tag\b|(?:Hallo|Liebe[r]?)\s+(?:Frau|Herr|Familie|Kundin|Kunde)\b)")
_CLOSING = re.compile(
    r"^(?:Mit\s+freundlichen\s+Grüßen|Mit\s+freundlichem\s+Gruß|Freundliche\s+Grüße|Hochachtungsvoll"
    r"|(?:Viele|Beste|Herzliche|Sportliche|Schöne)\s+Grüße)",
    re.M,
)
_REMEDY_NOTICE = re.compile(r"^(?:Rechtsbehelfsbelehrung|Rechtsmittelbelehrung)\b")


def _lines(text: str) -> list[tuple[int, str]]:
    """(offset, line) of every line of `text`."""
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, line))
        pos += len(line) + 1
    return out


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ])|\n")


def _sentences(seg: str) -> list[tuple[int, int]]:
    """Sentence bounds inside one segment (the segmenter may keep two in one)."""
    out, pos = [], 0
    for m in _SENTENCE_END.finditer(seg):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, len(seg)))
    return [(a, b) for a, b in out if seg[a:b].strip()]
