"""Dates in German letters, and the calendar arithmetic of deadlines.

Full numeric dates come from the protected-span detector (`faithful.protect.find_spans`, kind
``date``); dates it does not cover are found here: without a year (`bis zum 12.03.`) and with the
month spelled out (`30. April 2025`, `7. April`). A date without a year takes the letter's year, or
the next year where that day would lie before the letter's date.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from ..faithful.protect import find_spans
from .lexicon import MONTHS
from .model import Rule

_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
_LONG_DATE = re.compile(rf"(?<![\w.])(\d{{1,2}})\.\s?({_MONTH_NAMES})\b\.?(?:\s+(\d{{4}}))?(?![\w.]\d)", re.I)
_PARTIAL_DATE = re.compile(r"(?<![\w.,])(\d{1,2})\.(\d{1,2})\.(?!\d)")
_MONTH_END = re.compile(rf"\bEnde\s+(?:des\s+Monats\s+)?({_MONTH_NAMES})\b\.?(?:\s+(\d{{4}}))?", re.I)
# Spans the date detector must not read as dates (amounts and quantities such as `1.250,00`).
_SPAN_KINDS = ("url", "email", "iban", "phone", "date", "time", "amount", "quantity")


@dataclass(frozen=True)
class DateMention:
    """A date written in a text: where, and which day (year still open where the text gives none)."""

    start: int
    end: int
    text: str
    day: int
    month: int
    year: int | None  # None: written without a year
    month_end: bool = False  # `Ende April`: the last day of the month

    def resolve(self, reference: date | None) -> date | None:
        """The day, a missing year filled from `reference` (the letter's date): that year, or the
        next one where the day would fall before `reference`. None when no year can be had."""
        year = self.year
        if year is None:
            if reference is None:
                return None
            year = reference.year
            if _safe(year, self.month, self.last_day(year)) is None:
                return None
            if _safe(year, self.month, self.last_day(year)) < reference:
                year += 1
        return _safe(year, self.month, self.last_day(year))

    def last_day(self, year: int) -> int:
        return calendar.monthrange(year, self.month)[1] if self.month_end else self.day


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def find_dates(text: str) -> list[DateMention]:
    """Every date written in `text`, in text order (full, without a year, month spelled out)."""
    spans = find_spans(text, _SPAN_KINDS)
    out: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for kind, start, end in spans:
        if kind != "date":
            if kind != "time":
                taken.append((start, end))
            continue
        raw = text[start:end]
        if "-" in raw:
            y, m, d = (int(p) for p in raw.split("-"))
        else:
            d, m, y = (int(p) for p in raw.split("."))
            y = _year(str(y)) if y < 100 else y
        if _safe(y, m, d):
            out.append(DateMention(start, end, raw, d, m, y))
        taken.append((start, end))
    for m in _LONG_DATE.finditer(text):
        if _free(m.start(), m.end(), taken):
            year = int(m.group(3)) if m.group(3) else None
            mention = DateMention(m.start(), m.end(), m.group(0).rstrip(), int(m.group(1)), MONTHS[m.group(2).lower()], year)
            if 1 <= mention.day <= 31 and (year is None or _safe(year, mention.month, mention.day)):
                out.append(mention)
                taken.append((m.start(), m.end()))
    for m in _PARTIAL_DATE.finditer(text):
        if _free(m.start(), m.end(), taken) and 1 <= int(m.group(2)) <= 12 and 1 <= int(m.group(1)) <= 31:
            out.append(DateMention(m.start(), m.end(), m.group(0), int(m.group(1)), int(m.group(2)), None))
            taken.append((m.start(), m.end()))
    for m in _MONTH_END.finditer(text):
        if _free(m.start(), m.end(), taken):
            year = int(m.group(2)) if m.group(2) else None
            out.append(DateMention(m.start(), m.end(), m.group(0), 0, MONTHS[m.group(1).lower()], year, month_end=True))
    return sorted(out, key=lambda d: d.start)


def _free(start: int, end: int, taken: list[tuple[int, int]]) -> bool:
    return all(end <= s or start >= e for s, e in taken)


def add(day: date, rule: Rule) -> date:
    """`day` moved by the rule's duration (back for ``before``); a month with no such day ends on
    its last day (§ 188 Abs. 3 BGB). Working days skip weekends only. A month-end rule ends on the
    last day of the `count`-th month after `day`'s month."""
    sign = -1 if rule.before else 1
    if rule.month_end:
        year, month = divmod(day.year * 12 + day.month - 1 + sign * rule.count, 12)
        return date(year, month + 1, calendar.monthrange(year, month + 1)[1])
    if rule.working_days:
        out, left = day, rule.count
        while left:
            out += timedelta(days=sign)
            if out.weekday() < 5:
                left -= 1
        return out
    if rule.unit == "D":
        return day + timedelta(days=sign * rule.count)
    if rule.unit == "W":
        return day + timedelta(weeks=sign * rule.count)
    months = sign * rule.count * (12 if rule.unit == "Y" else 1)
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# Posted letters count as notified on the fourth day after posting from 2025 on (Postrechts-
# modernisierungsgesetz), on the third day before.
FOUR_DAY_RULE_FROM = date(2025, 1, 1)


def estimate(rule: Rule, letter_date: date, law: str) -> tuple[date, str]:
    """The last day of `rule` (counted from notification or receipt), estimated from the letter's
    date under the statutory presumption of notification `law`, and the basis of the estimate."""
    days = 4 if letter_date >= FOUR_DAY_RULE_FROM else 3
    notified = letter_date + timedelta(days=days)
    end = add(notified, rule)
    note = ""
    if end.weekday() >= 5:
        end += timedelta(days=7 - end.weekday())
        note = "; a last day on a weekend moves to the Monday"
    basis = (
        f"{law}: a posted letter counts as notified on the {'fourth' if days == 4 else 'third'} day after posting, "
        f"for letters posted {'from 2025-01-01 on' if days == 4 else 'before 2025-01-01'}; "
        f"assumes posting on the letter's date {letter_date.isoformat()}{note}; public holidays not considered"
    )
    return end, basis
