"""The legal remedy a letter offers (Widerspruch, Einspruch, Klage): from a deadline whose
action is an objection, else from the Rechtsbehelfsbelehrung, with where to lodge it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from . import lexicon as lx
from .model import Deadline, Remedy
from .text import _CLOSING, _REMEDY_NOTICE

_REMEDY_WORD = re.compile(r"\b(Widerspruch|Einspruch|Klage)\w*")
_ADDRESSEE = re.compile(
    r"\bbei(?:m|\s+der|\s+dem|\s+den)?\s+(?P<a>[A-ZÄÖÜ][\w.\-]*(?:\s+(?:[A-ZÄÖÜ][\w.\-]*|für|der|des|am|an|in|im|und|&))*)"
)
_NOT_ADDRESSEE = re.compile(r"\s+(?:Widerspruch|Einspruch|Klage|Niederschrift|Gericht\s+schriftlich)\b.*$")


def find_remedy(segments: Sequence[str], deadlines: Sequence[Deadline]) -> Remedy | None:
    """The legal remedy: the first objection, Einspruch or court action with its deadline."""
    for d in sorted(deadlines, key=lambda d: d.segment):
        if d.action_id not in ("object", "appeal", "sue"):
            continue
        for j in (d.segment, d.segment - 1):
            m = _REMEDY_WORD.search(segments[j]) if j >= 0 else None
            if m:
                return Remedy(d.segment, m.group(1), lx.REMEDIES[m.group(1)], d, _addressee(segments, d.segment))
    for i, seg in enumerate(segments):
        if _REMEDY_NOTICE.match(seg):
            for j in range(i, min(len(segments), i + 3)):
                m = _REMEDY_WORD.search(segments[j])
                if m:
                    return Remedy(j, m.group(1), lx.REMEDIES[m.group(1)], None, _addressee(segments, j))
    return None


def _addressee(segments: Sequence[str], i: int) -> str | None:
    for seg in segments[i : i + 3]:
        if _CLOSING.search(seg):
            break
        for m in _ADDRESSEE.finditer(seg):
            name = _NOT_ADDRESSEE.sub("", m.group("a")).strip(" ,.")
            name = re.sub(r"\s+(?:schriftlich|elektronisch|zur|einzulegen)\b.*$", "", name)
            if name and name.split()[0] not in ("Zahlung", "Berechnung", "Bearbeitung", "Ihnen", "Ihrer", "Ihrem"):
                return name
    return None
