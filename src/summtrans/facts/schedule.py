"""Dates of a letter that are not deadlines: the period it covers (`vom 01.04.2026 bis
30.09.2026`) and the appointments the reader is asked to attend, with their time and place.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from ..faithful.protect import find_spans
from .dates import DateMention, find_dates
from .model import Appointment, Period
from .text import _lines

# ---------------------------------------------------------------------------------------------
# Period, appointments


_RANGE_JOIN = re.compile(r"\s*(?:bis(?:\s+zum|\s+einschließlich)?|[-–—])\s*")
_PERIOD_CUE = re.compile(r"Zeitraum|Zeit\s+vom|Bewilligungszeitraum|Abrechnungszeitraum|Leistungszeitraum|Zeiten\s+vom|Laufzeit")


@dataclass(frozen=True)
class _Range:
    segment: int
    start: date
    end: date
    text: str
    end_offset: int  # where the end date starts in the segment
    cue: bool


def find_ranges(segments: Sequence[str], reference: date | None) -> list[_Range]:
    """Date ranges (`vom 01.04.2026 bis 30.09.2026`, `01.01.2025 – 31.12.2025`)."""
    out: list[_Range] = []
    for i, seg in enumerate(segments):
        for off, line in _lines(seg):
            mentions = find_dates(line)
            for a, b in zip(mentions, mentions[1:]):
                if not _RANGE_JOIN.fullmatch(line[a.end : b.start]):
                    continue
                end = b.resolve(reference)
                if end is None:
                    continue
                if a.year is None:
                    year = end.year if (a.month, a.day) <= (end.month, end.day) else end.year - 1
                    start = DateMention(a.start, a.end, a.text, a.day, a.month, year, a.month_end).resolve(None)
                else:
                    start = a.resolve(reference)
                if start and start <= end:
                    cue = bool(_PERIOD_CUE.search(line[: a.start]) or re.search(r"\bvom\s*$|\bvon\s*$", line[: a.start]))
                    out.append(_Range(i, start, end, line[a.start : b.end], off + b.start, cue))
    return out


def find_period(ranges: Sequence[_Range]) -> Period | None:
    """The period the letter covers: the first range named as one (`Zeitraum`, `vom … bis`), else the first range."""
    if not ranges:
        return None
    best = next((r for r in ranges if r.cue), ranges[0])
    return Period(best.segment, best.start, best.end, best.text)


_TIME_UHR = re.compile(r"(?<![\w.:])(\d{1,2})\s?Uhr\b")
_APPOINTMENT_CUE = re.compile(
    r"Termin|Einladung|einladen|\blade\w*\b[^.]*\bein\b|geladen|Ladung|kommen\s+Sie|erscheinen|Gespräch|Vorsprache|vorsprechen"
    r"|Untersuchung|Besprechung|Sprechstunde|Verhandlung|Beratung|Treffen|Sitzung|^Ort\s*:",
    re.M,
)
_PLACE_CUE = re.compile(r"Raum|Zimmer|Saal|Gebäude|Büro|Haus\b|[Ss]tra(?:ße|sse)|[Ss]tr\.|[Pp]latz|[Ww]eg\b|[Aa]llee|[Gg]asse|[Rr]ing\b"
                        r"|[Dd]amm\b|Agentur|[Aa]mt\b|Jobcenter|\b\d{5}\b|\bOG\b|Etage|Stock|Rathaus|Praxis|Schule")
_ORT_LINE = re.compile(r"^\s*(?:Ort|Treffpunkt|Wo)\s*:\s*(?P<place>.+?)\s*$", re.M)


def _times(seg: str) -> list[tuple[int, int, str]]:
    out = []
    for kind, s, e in find_spans(seg, ("date", "time")):
        if kind == "time":
            m = re.match(r"(\d{1,2})[:.](\d{2})", seg[s:e])
            if m:
                out.append((s, e, f"{int(m.group(1)):02d}:{m.group(2)}"))
    for m in _TIME_UHR.finditer(seg):
        if all(m.end() <= s or m.start() >= e for s, e, _t in out) and int(m.group(1)) < 24:
            out.append((m.start(), m.end(), f"{int(m.group(1)):02d}:00"))
    return sorted(out)


def find_appointments(segments: Sequence[str], reference: date | None) -> list[Appointment]:
    """Dates with a time that the reader is asked to attend (`am 20.05.2026 um 10:15 Uhr in …`)."""
    out: list[Appointment] = []
    for i, seg in enumerate(segments):
        times = _times(seg)
        if not times or not (_APPOINTMENT_CUE.search(seg) or (i and _APPOINTMENT_CUE.search(segments[i - 1]))):
            continue
        if re.search(r"\bbis\s+(?:spätestens\s+)?(?:\d{1,2}[:.]?\d{0,2})\s*Uhr", seg):
            continue  # a deadline with an hour, not an appointment
        mentions = [m for m in find_dates(seg) if not m.month_end]
        for ts, te, hhmm in times[:1]:
            before = [m for m in mentions if m.end <= ts]
            mention = before[-1] if before else next(iter(mentions), None)
            if mention is None:
                continue
            day = mention.resolve(reference)
            if day is None or (reference and day < reference):
                continue
            place = _place(segments, i, te)
            text = seg[min(mention.start, ts) : max(mention.end, te)]
            if all((a.date, a.time) != (day, hhmm) for a in out):
                out.append(Appointment(i, day, hhmm, place, re.sub(r"\s+", " ", text)))
    return out


def _place(segments: Sequence[str], i: int, time_end: int) -> str | None:
    for seg in segments[i : i + 3]:
        m = _ORT_LINE.search(seg)
        if m:
            return m.group("place").rstrip(" .")
    rest = segments[i][time_end:]
    rest = re.split(r"(?<=[^\d\s])\.(?:\s|$)|;|\n\n", rest)[0]
    rest = re.sub(r"^[\s,]*(?:(?:in|im|ins|bei|beim|zu|zum|zur)\s+)?(?:(?:die|der|das|den|dem|unser|unsere|unserem|unseren)\s+)?", "", rest)
    rest = re.sub(r"\s+", " ", rest).strip(" ,.")
    rest = re.sub(r"\s+statt(?:finden|finden\s+wird)?$", "", rest)  # `findet … im Raum 104 statt`
    return rest if rest and _PLACE_CUE.search(rest) and len(rest) <= 120 else None
