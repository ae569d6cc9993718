"""Key facts of an official letter: frozen records with a JSON form (`to_dict`).

Dates are `datetime.date` (ISO 8601 in JSON), amounts `Decimal` (a JSON number), and every fact
keeps `segment`, the index of the source segment it was read from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from .lexicon import ANCHOR_ENGLISH, ENGLISH_NUMBERS, ENGLISH_ORDINALS, UNITS

_UNIT_NAMES = {"D": ("day", "days"), "W": ("week", "weeks"), "M": ("month", "months"), "Y": ("year", "years")}


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


@dataclass(frozen=True)
class Rule:
    """A relative deadline: a duration counted from (or back from) an event.

    An event the lexicon does not know keeps its German words in `anchor_text` (`anchor` None), so
    that a rule never reads as counted from today when the letter counts it from something else.
    A month-end rule (`bis zum Ablauf des zweiten Kalendermonats nach Zugang`) ends on the last day
    of the `count`-th calendar month after the anchor's month (0: that month itself)."""

    count: int  # how many units
    unit: str  # ISO 8601 designator: D, W, M or Y
    anchor: str | None = None  # notification | receipt | service | letter date | finality | contract | contract end | due date | appointment
    before: bool = False  # counted back from the anchor (`zwei Wochen vor dem Termin`)
    working_days: bool = False  # Werktage: days without weekends and holidays
    month_end: bool = False  # to the end of a calendar month (unit M)
    anchor_text: str | None = None  # the event as written, where it is not a known anchor

    @property
    def duration(self) -> str:
        """ISO 8601 duration, e.g. ``P1M``."""
        return f"P{self.count}{self.unit}"

    def __str__(self) -> str:
        text = self.duration
        if self.anchor or self.anchor_text:
            text += f" {'before' if self.before else 'after'} {self.anchor or '„' + str(self.anchor_text) + '“'}"
        if self.month_end:
            text += ", to the end of that month"
        return text + (", working days" if self.working_days else "")

    def english(self) -> str:
        """``within one month after notification``."""
        anchor = ANCHOR_ENGLISH.get(self.anchor, self.anchor) if self.anchor else None
        if anchor is None and self.anchor_text:
            anchor = f"„{self.anchor_text}“ (as written)"
        if self.month_end:
            nth = ENGLISH_ORDINALS[self.count] if self.count < len(ENGLISH_ORDINALS) else f"{self.count}th"
            if self.anchor == "letter date" or anchor is None:
                return ("by the end of the letter's month" if self.count == 0 else
                        f"by the end of the {'' if self.count == 1 else nth + ' '}month after the letter's month")
            if self.count == 0:
                return f"by the end of the month of {anchor}"
            return f"by the end of the {'' if self.count == 1 else nth + ' '}calendar month after {anchor}"
        count = ENGLISH_NUMBERS[self.count] if self.count < len(ENGLISH_NUMBERS) else str(self.count)
        if self.working_days:
            singular, plural = next((s, p) for d, s, p, w in UNITS.values() if w)
        else:
            singular, plural = _UNIT_NAMES[self.unit]
        span = f"{count} {singular if self.count == 1 else plural}"
        if not anchor:
            return f"within {span}"
        if self.before:
            return f"{span} before {anchor}"
        return f"within {span} after {anchor}"


@dataclass(frozen=True)
class Deadline:
    """By when the reader must do what, and what happens otherwise."""

    segment: int
    text: str  # the deadline as written in the letter
    date: date | None = None  # the last day, where the letter fixes it
    rule: Rule | None = None  # a relative deadline's rule
    estimate: date | None = None  # the rule's last day, estimated (never certain)
    estimate_basis: str | None = None  # the law and assumptions behind `estimate` (or behind `date`, where it rests on one)
    action_id: str | None = None  # a key of lexicon.ACTIONS (None: not in the lexicon)
    action: str | None = None  # English: the lexicon's wording, else the segment's translation
    consequence: str | None = None  # English: the lexicon's wording, else the segment's translation
    consequence_de: str | None = None  # the consequence as written
    consequence_segment: int | None = None

    @property
    def sort_key(self) -> tuple[int, date, int]:
        day = self.date or self.estimate
        return (0, day, self.segment) if day else (1, date.max, self.segment)

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": _iso(self.date),
            "rule": str(self.rule) if self.rule else None,
            "duration": self.rule.duration if self.rule else None,
            "anchor": self.rule.anchor if self.rule else None,
            "anchor_text": self.rule.anchor_text if self.rule else None,
            "estimate": _iso(self.estimate),
            "estimate_basis": self.estimate_basis,
            "action_id": self.action_id,
            "action": self.action,
            "consequence": self.consequence,
            "consequence_de": self.consequence_de,
            "consequence_segment": self.consequence_segment,
            "text": self.text,
            "segment": self.segment,
        }


@dataclass(frozen=True)
class Appointment:
    """When and where the reader must appear."""

    segment: int
    date: date
    time: str | None = None  # 24-hour ``HH:MM``
    place: str | None = None  # as written
    text: str = ""  # the date and time as written
    consequence: str | None = None
    consequence_de: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"date": _iso(self.date), "time": self.time, "place": self.place, "consequence": self.consequence,
                "consequence_de": self.consequence_de, "text": self.text, "segment": self.segment}


@dataclass(frozen=True)
class Amount:
    """A sum of money or a percentage, with what it is."""

    segment: int
    value: Decimal
    currency: str  # ISO 4217 code (EUR, USD, …) or "%"
    text: str  # as written
    label: str | None = None  # what it is, as written (`Regelbedarf`)
    label_en: str | None = None  # English: the lexicon's wording, else from the translation

    def to_dict(self) -> dict[str, Any]:
        return {"value": _number(self.value), "currency": self.currency, "label": self.label, "label_en": self.label_en,
                "text": self.text, "segment": self.segment}


@dataclass(frozen=True)
class Reference:
    """A number the reader must quote back: label and value exactly as written."""

    segment: int
    label: str
    value: str
    label_en: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "value": self.value, "label_en": self.label_en, "segment": self.segment}


@dataclass(frozen=True)
class Period:
    """The period a letter covers (`für die Zeit vom 01.04.2026 bis 30.09.2026`)."""

    segment: int
    start: date
    end: date
    text: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"start": _iso(self.start), "end": _iso(self.end), "text": self.text, "segment": self.segment}


@dataclass(frozen=True)
class Document:
    """A document the letter asks for."""

    segment: int
    name: str  # as written
    name_en: str | None = None  # from the translation, where given

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "name_en": self.name_en, "segment": self.segment}


@dataclass(frozen=True)
class Remedy:
    """The legal remedy a Rechtsbehelfsbelehrung names (Widerspruch, Einspruch, Klage)."""

    segment: int
    kind: str  # German, as named
    name: str  # English
    deadline: Deadline | None = None
    addressee: str | None = None  # where to lodge it, as written

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "deadline": self.deadline.to_dict() if self.deadline else None,
                "addressee": self.addressee, "segment": self.segment}


@dataclass(frozen=True)
class Facts:
    """The key facts of one letter. Lists keep document order, except deadlines (soonest first)."""

    kind: str | None = None  # Bescheid | Mahnung | Rechnung | Einladung | Anhörung | Vertrag
    kind_en: str | None = None
    kind_segment: int | None = None
    sender: str | None = None
    sender_segment: int | None = None
    date: date | None = None  # the letter's own date
    date_segment: int | None = None
    references: tuple[Reference, ...] = ()
    deadlines: tuple[Deadline, ...] = ()
    appointments: tuple[Appointment, ...] = ()
    amounts: tuple[Amount, ...] = ()
    period: Period | None = None
    documents: tuple[Document, ...] = ()
    remedy: Remedy | None = None
    cues: tuple[str, ...] = field(default=(), compare=False)  # the letter cues found (why this is a letter)

    @property
    def empty(self) -> bool:
        return not (self.references or self.deadlines or self.appointments or self.amounts or self.period
                    or self.documents or self.remedy or self.sender or self.date)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "kind_en": self.kind_en,
            "kind_segment": self.kind_segment,
            "sender": self.sender,
            "sender_segment": self.sender_segment,
            "date": _iso(self.date),
            "date_segment": self.date_segment,
            "references": [r.to_dict() for r in self.references],
            "deadlines": [d.to_dict() for d in self.deadlines],
            "appointments": [a.to_dict() for a in self.appointments],
            "amounts": [a.to_dict() for a in self.amounts],
            "period": self.period.to_dict() if self.period else None,
            "documents": [d.to_dict() for d in self.documents],
            "remedy": self.remedy.to_dict() if self.remedy else None,
            "cues": list(self.cues),
        }
