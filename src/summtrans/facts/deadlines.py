"""Deadlines of a letter and what hangs on them: absolute dates (`bis zum 15.06.2026`), relative
rules (`innerhalb von 14 Tagen nach Zugang`), month-end rules, rows of due-date tables; the action
each governs and the consequences of missing it. `deadlines_and_more` puts them together, with the
days fixed or estimated from the letter's date.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from ..faithful.protect import find_spans
from . import lexicon as lx
from .amounts import _SPAN_KINDS, _parse_amount
from .dates import add, estimate, find_dates
from .model import Appointment, Deadline, Rule
from .schedule import _Range
from .text import _lines, _sentences

# ---------------------------------------------------------------------------------------------
# Deadlines

_WEEKDAY = r"(?:Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag|Sonntag|Mo\.|Di\.|Mi\.|Do\.|Fr\.|Sa\.|So\.)"
_ABSOLUTE_CUE = re.compile(
    rf"(?:\b[Bb]is\s+(?:spätestens\s+)?(?:zum\s+|einschließlich\s+|am\s+)?(?:zum\s+Ablauf\s+des\s+)?"
    rf"|\b[Ss]pätestens\s+(?:am\s+|bis\s+(?:zum\s+)?|zum\s+)?"
    rf"|\b(?:[Bb]is\s+)?zum\s+Ablauf\s+des\s+"
    rf"|(?P<label>\b\w*[Ff]rist|Zahlungsziel|Fälligkeit\w*|Einsendeschluss|Abgabetermin|Anmeldeschluss|[Ff]ällig|[Zz]ahlbar)"
    rf"(?:\s+(?:endet|läuft\s+ab|ist))?\s*(?:am|bis|zum|:)?\s*(?:zum\s+)?"
    rf"|\bnicht\s+später\s+als\s+(?:am\s+)?)"
    rf"(?:{_WEEKDAY},?\s+(?:den\s+)?)?$"
)
_DUE_AFTER = re.compile(r"^\s*(?:fällig|zu\s+(?:be)?zahlen|zu\s+entrichten|zu\s+überweisen)\b")
_NOT_A_DEADLINE = re.compile(r"\b(?:gültig|befristet|gilt|läuft|Laufzeit|bewilligt|längstens|frühestens|voraussichtlich)\s+(?:bis|am)\s*(?:zum\s+)?$")

_NUM = "|".join(sorted(lx.NUMBER_WORDS, key=len, reverse=True))
_N = rf"(?P<n>\d{{1,3}}|{_NUM})"
_U = r"(?P<unit>Kalendertag|Werktag|Arbeitstag|Tag|Woche|Monat|Jahr)(?:e|en|es|s|n)?\b"
_ANCHOR_WORDS = "|".join(p for p, _a in lx.ANCHORS)
_RELATIVE = (
    re.compile(rf"\b(?:innerhalb|binnen)\s+(?:von\s+|der\s+(?:nächsten\s+)?|den\s+nächsten\s+)?{_N}\s+{_U}", re.I),
    re.compile(rf"\bin\s+den\s+nächsten\s+{_N}\s+{_U}", re.I),
    re.compile(rf"\b(?:bis\s+)?spätestens\s+{_N}\s+{_U}(?=\s+(?:nach|ab|vor)\b)", re.I),
    re.compile(rf"(?<!\w){_N}\s+{_U}(?=\s+(?:nach|ab|vor|seit)\s+(?:dem\s+|der\s+|des\s+|Tag\s+der\s+)?(?:{_ANCHOR_WORDS}))", re.I),
    re.compile(rf"\b\w*[Ff]rist\b[^.]*?\bbeträgt\s+{_N}\s+{_U}"),
    # `eine Frist von 14 Tagen`, but not a notice period (`mit einer Frist von einem Monat zum Monatsende`)
    re.compile(rf"\b(?:innerhalb\s+|binnen\s+)?(?:einer|eine|die)\s+Frist\s+von\s+{_N}\s+{_U}(?!\s+zum\b)", re.I),
)
_ANCHOR_TAIL = re.compile(
    rf"^[\s,]*(?P<prep>nach|ab|seit|vor|von)\s+(?:dem\s+|der\s+|des\s+|Tag\s+der\s+|seiner\s+|ihrer\s+|deren\s+)*"
    rf"(?P<anchor>{_ANCHOR_WORDS})"
    r"(?:\s+(?:dieses|diesen|dieser|des|der|Ihres)\s+\w+)?",
)
_FRIST_BEGINS = re.compile(r"^(?:Sie|Die\s+\w*[Ff]rist|Diese\s+Frist|Die\s+Frist)\s+beginnt\b")
# An event the lexicon does not know (`spätestens sechs Wochen vor Ablauf Ihrer Aufenthaltserlaubnis`):
# kept as written, so that the rule does not read as counted from today.
_OTHER_ANCHOR = re.compile(
    r"^[\s,]*(?P<prep>nach|ab|seit|vor)\s+(?:(?:dem|der|des|den)\s+)?"
    r"(?P<anchor>(?:(?:Ihrem|Ihrer|Ihres|Ihren|einem|einer|eines|seinem|seiner|unserem|unserer)\s+)?[A-ZÄÖÜ][\w-]+"
    r"(?:\s+(?:des|der|dieses|dieser|Ihres|Ihrer|eines|einer|unseres|unserer)\s+[A-ZÄÖÜ][\w-]+)?)"
)
_NOT_AN_ANCHOR = re.compile(r"^(?:Ort|Absprache|Vereinbarung|Möglichkeit|Bedarf|Wunsch|Ansicht|Auffassung|Maßgabe|Angaben?|Sie|Ihnen)\b")

# Month-end deadlines: `bis zum Ablauf des zweiten Kalendermonats nach Zugang`, `bis Ende nächsten
# Monats`, `bis zum Ende des Folgemonats`, `zum Monatsende` (a named month, `bis Ende März`, is a date).
_MONTH_NAME_WORDS = "|".join(sorted(lx.MONTHS, key=len, reverse=True))
_MONTH_ORDINAL = "|".join(sorted(lx.MONTH_ORDINALS, key=len, reverse=True))
_MONTH_END_RULE = re.compile(
    rf"\b(?P<cue>(?:bis|spätestens)(?:\s+(?:spätestens|zum|einschließlich))*\s+|zum\s+)"
    rf"(?:(?:Ende|Ablauf)\s+(?:des\s+)?(?P<ord>{_MONTH_ORDINAL}|\d{{1,2}}\.)\s+(?:Kalender)?monats"
    rf"|(?:Ende|Ablauf)\s+des\s+(?P<month>Folgemonats|Monats|Kalendermonats)"
    rf"(?!\s+(?:{_MONTH_NAME_WORDS})\b)(?!\s*,\s*(?:in\s+dem|der|an\s+dem|für\s+den))"
    rf"|(?P<end>Monatsende|Monatsletzten))\b",
    re.I,
)
# `mit einer Frist von drei Monaten zum Monatsende`, `jeweils zum Monatsende`: a notice period or a
# recurring date, not a deadline.
_MONTH_END_NOT = re.compile(r"(?:\b(?:Tag|Woche|Monat|Jahr)(?:e|en|es|s|n)?|\bjeweils|\bmonatlich|\bimmer|\bstets)\s*$", re.I)

# Due-date tables: a short line with one date and an amount (`10.09.2025: 850,00 €`), in a block
# that speaks of paying or due dates; not when the amounts are debited (nothing to do).
_DUE_CONTEXT = re.compile(
    r"fällig|Fälligkeit|zahlbar|Zahlungstermin|Zahlungsplan|Ratenplan|\bRaten?\b|\bTermine[n]?\b|entrichten|\bzahlen|überweisen"
    r"|begleichen|Vorauszahlung|Abschlagszahlung",
    re.I,
)
_DEBITED = re.compile(r"Lastschrift|abgebucht|abbuchen|Abbuchung|eingezogen|einziehen|Bankeinzug", re.I)
_ROW_NOT_DUE = re.compile(r"\b(?:vom|seit|von|ab|bis)\s*$", re.I)
# The day a contract ends (`die Kündigung Ihres Mobilfunkvertrags zum 30.11.2025`), for rules counted from it.
_CONTRACT_END_CUE = re.compile(
    r"(?:Kündigung\w*|kündigen|gekündigt|Vertragsende|Vertragsablauf|Laufzeitende|Ende\s+der\s+(?:Vertrags)?[Ll]aufzeit"
    r"|(?:Vertrag|Vertragsverhältnis|Mitgliedschaft|Abonnement)\s+endet|beendet)\b[^.;]{0,60}?\b(?:zum|am|mit\s+Ablauf\s+des)\s+$"
    r"|(?:Vertragsende|Laufzeitende)\s*:\s*$"
)


@dataclass(frozen=True)
class _Found:
    """A deadline found in one segment, before actions and consequences are attached."""

    segment: int
    start: int
    end: int
    text: str
    date: date | None = None
    rule: Rule | None = None
    label: str | None = None
    strong: bool = True  # False: a bare `bis (zum)`, which also ends validity periods; kept only with an action


def _unit(word: str) -> tuple[str, bool]:
    low = word.lower()
    for stem, (designator, _s, _p, working) in lx.UNITS.items():
        if low.startswith(stem):
            return designator, working
    raise ValueError(word)


def _count(word: str) -> int:
    return int(word) if word.isdigit() else lx.NUMBER_WORDS[word.lower()]


def _anchor(seg: str, end: int, following: str | None) -> tuple[str | None, bool, int, str | None]:
    """What a duration ending at `end` counts from: (anchor, counted back, end of the phrase,
    the event as written where the lexicon does not know it)."""
    m = _ANCHOR_TAIL.match(seg[end:])
    if m:
        anchor = next(a for p, a in lx.ANCHORS if re.fullmatch(p, m.group("anchor")))
        return anchor, m.group("prep") == "vor", end + m.end(), None
    # `Die Frist … beträgt einen Monat. Sie beginnt mit Ablauf des Tages, an dem … bekannt gegeben …`
    rest = seg[end:]
    for text in ([rest] if re.search(r"\bbeginnt\b", rest) else []) + ([following] if following and _FRIST_BEGINS.match(following) else []):
        for p, a in lx.ANCHORS:
            if re.search(p, text):
                return a, False, end, None
    m = _OTHER_ANCHOR.match(rest)
    if m and not _NOT_AN_ANCHOR.match(m.group("anchor")):
        return None, m.group("prep") == "vor", end + m.end(), m.group("anchor")
    return None, False, end, None


def contract_end(segments: Sequence[str], reference: date | None) -> date | None:
    """The day the letter says a contract ends, if it says so."""
    for seg in segments:
        for m in find_dates(seg):
            if _CONTRACT_END_CUE.search(seg[max(0, m.start - 100) : m.start]):
                return m.resolve(reference)
    return None


def _find_deadlines(segments: Sequence[str], reference: date | None, range_ends: set[tuple[int, int]]) -> list[_Found]:
    out: list[_Found] = []
    for i, seg in enumerate(segments):
        taken: list[tuple[int, int]] = []
        for m in find_dates(seg):
            if (i, m.start) in range_ends:
                continue
            prefix = seg[max(0, m.start - 80) : m.start]
            cue = _ABSOLUTE_CUE.search(prefix)
            label = None
            if cue:
                start = m.start - (len(prefix) - cue.start())
                label = cue.group("label")
                if _NOT_A_DEADLINE.search(prefix):
                    continue
            elif re.search(r"\b(?:am|zum)\s+$", prefix) and _DUE_AFTER.match(seg[m.end :]):
                start, label = m.start - len(re.search(r"\b(?:am|zum)\s+$", prefix).group(0)), "fällig"
            else:
                continue
            day = m.resolve(reference)
            if day is not None and reference is not None and day < reference:
                continue  # a past date (`die Frist ist am … abgelaufen`)
            end = m.end
            if label == "fällig" and not cue:
                end += _DUE_AFTER.match(seg[m.end :]).end()
            text = re.sub(r"\s+", " ", seg[start:end]).strip()
            strong = bool(label or re.search(r"spätestens|Ablauf|später", text, re.I))
            out.append(_Found(i, start, end, text, day, None, label, strong))
            taken.append((start, end))
        out += _table_due_dates(segments, i, reference, taken)
        following = segments[i + 1] if i + 1 < len(segments) else None
        for m in _MONTH_END_RULE.finditer(seg):
            if any(m.start() < e and s < m.end() for s, e in taken) or _MONTH_END_NOT.search(seg[: m.start()]):
                continue
            if m.group("ord"):
                word = m.group("ord").lower()
                count = int(word.rstrip(".")) if word[0].isdigit() else lx.MONTH_ORDINALS[word]
            else:
                count = 1 if (m.group("month") or "").lower() == "folgemonats" else 0
            anchor, before, end, written = _anchor(seg, m.end(), following)
            if anchor is None and written is None:
                anchor = "letter date"
            rule = Rule(count, "M", anchor, before, month_end=True, anchor_text=written)
            text = re.sub(r"\s+", " ", seg[m.start() : end]).strip()
            strong = bool(re.search(r"spätestens|Ablauf", text, re.I))
            out.append(_Found(i, m.start(), end, text, None, rule, None, strong))
            taken.append((m.start(), end))
        for k, pattern in enumerate(_RELATIVE):
            for m in pattern.finditer(seg):
                if any(m.start() < e and s < m.end() for s, e in taken):
                    continue
                designator, working = _unit(m.group("unit"))
                anchor, before, end, written = _anchor(seg, m.end(), following)
                rule = Rule(_count(m.group("n")), designator, anchor, before, working, anchor_text=written)
                text = re.sub(r"\s+", " ", seg[m.start() : end]).strip()
                # a bare duration (`innerhalb von 14 Tagen`) counts only with something to do, like a bare `bis`
                strong = bool(anchor or written or k >= 4 or re.search(r"spätestens", text, re.I))
                out.append(_Found(i, m.start(), end, text, None, rule, None, strong))
                taken.append((m.start(), end))
    return out


def _table_due_dates(segments: Sequence[str], i: int, reference: date | None, taken: list[tuple[int, int]]) -> list[_Found]:
    """Rows of a table of due dates in segment `i` (`10.09.2025: 850,00 €`, or a `Fälligkeitstag`
    column): each row's date is a payment deadline when the block speaks of paying or due dates."""
    seg = segments[i]
    rows = []
    for off, line in _lines(seg):
        mentions = [m for m in find_dates(line) if not m.month_end]
        if len(mentions) != 1 or len(line.split()) > 10 or line.rstrip().endswith((".", ":")) and not line.rstrip().endswith("€."):
            continue
        m = mentions[0]
        amounts = [(a, b) for k, a, b in find_spans(line, _SPAN_KINDS) if k in ("amount", "quantity") and _parse_amount(line[a:b])]
        if not amounts or _ROW_NOT_DUE.search(line[: m.start]) or any(off + m.start < e and s < off + m.end for s, e in taken):
            continue
        if re.search(r"[a-zäöüß]{3,}", line[: m.start]) and not re.search(r"\b(?:am|zum|fällig|Rate|Termin)\b", line[: m.start], re.I):
            continue  # words before the date: a label such as `Hauptforderung Rechnung 7712093`, not a due date
        rows.append((off, line, m))
    if not rows:
        return []
    row_lines = {off for off, _l, _m in rows}
    context = "\n".join([segments[i - 1] if i else "", *(line for off, line in _lines(seg) if off not in row_lines),
                         segments[i + 1] if i + 1 < len(segments) else ""])
    if not _DUE_CONTEXT.search(context) or _DEBITED.search(context):
        return []
    out = []
    for off, line, m in rows:
        day = m.resolve(reference)
        if day is None or (reference is not None and day < reference):
            continue
        start, end = off + m.start, off + len(line.rstrip())
        out.append(_Found(i, start, end, re.sub(r"\s+", " ", line).strip(), day, None, "fällig", True))
        taken.append((start, end))
    return out


def _consequence_start(seg: str) -> int | None:
    m = re.search(r"\b(?:sonst|andernfalls|anderenfalls|ansonsten)\b", seg, re.I)
    return m.start() if m else None


def _actions(text: str, center: tuple[int, int]) -> list[tuple[int, int, str, int, int]]:
    """(tier, distance, key, start, end) of every action phrase in `text`, best first: remedies,
    then specific actions, then generic ones (`mitteilen`, `melden`); nearest to the deadline first."""
    found = []
    tiers = {k: 0 for k in lx.REMEDY_ACTIONS} | {"inform": 2, "contact": 2, "confirm": 2, "call_off": 2}
    for key, (pattern, _en) in lx.ACTIONS.items():
        for m in re.finditer(pattern, text, re.I):
            distance = max(0, center[0] - m.end(), m.start() - center[1])
            found.append((tiers.get(key, 1), distance, key, m.start(), m.end()))
    return sorted(found)


def _mask_dates(text: str) -> str:
    """`text` with each date's dots hidden, so that `[^.]` in the action phrases reaches across it."""
    for m in find_dates(text):
        text = text[: m.start] + m.text.replace(".", "_") + text[m.start + len(m.text) :]
    return text


_CLAUSE_BREAK = re.compile(r",\s+|;\s*|\s+und\s+(?=\w+\s+Sie\b)|\s+(?:sowie|oder)\s+(?=\w+\s+Sie\b)")


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    """The bounds of the clause of `text` that holds [start, end)."""
    left, right = 0, len(text)
    for m in _CLAUSE_BREAK.finditer(text):
        if m.end() <= start:
            left = m.end()
        elif m.start() >= end:
            right = m.start()
            break
    return left, right


def _action(segments: Sequence[str], f: _Found) -> str | None:
    """The action a deadline governs (a key of lexicon.ACTIONS): a phrase in its own clause, else
    in its sentence, else in its segment (which may hold more than one), else in the one before."""
    if f.label:
        low = f.label.lower()
        for prefix, key in lx.LABEL_ACTIONS.items():
            if low.startswith(prefix):
                return key
    seg = _mask_dates(segments[f.segment])
    cut = _consequence_start(seg)
    zone = seg[:cut] if cut is not None and cut >= f.end else seg
    a, b = next(((a, b) for a, b in _sentences(zone) if a <= f.start < b), (0, len(zone)))
    clause = _clause(zone[a:b], f.start - a, f.end - a)
    clause = (a + clause[0], a + clause[1])
    found = (_actions(zone[clause[0] : clause[1]], (f.start - clause[0], f.end - clause[0]))
             or _actions(zone[a:b], (f.start - a, f.end - a)) or _actions(zone, (f.start, f.end)))
    if found:
        return found[0][2]
    if f.segment:
        prev = segments[f.segment - 1]
        found = _actions(prev, (len(prev), len(prev)))
        if found:
            return found[0][2]
    return None


# ---------------------------------------------------------------------------------------------
# Consequences

_OPENER = re.compile(lx.CONSEQUENCE_OPENERS)
_CONDITION = re.compile(lx.CONSEQUENCE_CONDITIONS)
_CONDITION_NOT = re.compile(r"\b(?:nicht|kein\w*|ohne)\b")
_ATTENDANCE = re.compile(r"erschein|Termin|Ausbleiben|teilnehm|Nichterscheinen|wahrnehm")


@dataclass(frozen=True)
class _Consequence:
    segment: int
    offset: int  # where it starts in the segment
    german: str
    english: str | None
    own: bool  # stated in a deadline's own sentence (`…, sonst …`)
    attendance: bool  # about not attending an appointment


def _consequence_english(text: str) -> str | None:
    hits = [en for p, en in lx.CONSEQUENCES if re.search(p, text)]
    return "; ".join(dict.fromkeys(hits)) or None


def find_consequences(segments: Sequence[str], spans: Sequence[tuple[int, int, int]], translations: Sequence[str] | None) -> list[_Consequence]:
    """What the letter says happens if the reader does not act: a `sonst …` clause, or a sentence
    such as `Sollten Sie nicht …, …` or `Bei verspäteter Zahlung …` (`spans`: the deadlines, as
    (segment, start, end); a condition with a deadline of its own is a request, not a consequence)."""
    out = []
    for i, seg in enumerate(segments):
        for a, b in _sentences(seg):
            sentence = seg[a:b]
            has_deadline = any(j == i and a <= s < b for j, s, _e in spans)
            start = _consequence_start(sentence)
            if start is not None and has_deadline:
                german, own, offset = sentence[start:].strip().rstrip(":"), True, a + start
            elif not has_deadline and (_OPENER.search(sentence) or (
                    _CONDITION.search(sentence) and _CONDITION_NOT.search(sentence.split(", ")[0]))):
                german, own, offset = sentence.strip(), False, a
            elif start is not None:
                german, own, offset = sentence[start:].strip().rstrip(":"), False, a + start
            else:
                continue
            english = _consequence_english(german)
            if english is None and translations is not None:
                english = translations[i].strip() or None
            out.append(_Consequence(i, offset, german, english, own, bool(_ATTENDANCE.search(german))))
    return out


# ---------------------------------------------------------------------------------------------
# All together


def deadlines_and_more(
    segments: Sequence[str],
    reference: date | None,
    law: str | None,
    appointments: Sequence[Appointment],
    ranges: Sequence[_Range],
    translations: Sequence[str] | None,
) -> tuple[list[Deadline], list[Appointment], list[_Found]]:
    """Deadlines (with actions, estimates and consequences) and appointments with consequences."""
    range_ends = {(r.segment, r.end_offset) for r in ranges}
    found = _find_deadlines(segments, reference, range_ends)
    ended = contract_end(segments, reference) if any(f.rule and f.rule.anchor == "contract end" for f in found) else None
    deadlines: list[Deadline] = []
    found = [f for f in found if f.strong or _action(segments, f)]
    for f in found:
        key = _action(segments, f)
        action = lx.ACTIONS[key][1] if key else (translations[f.segment].strip() if translations is not None else None)
        day, guess, basis = f.date, None, None
        rule = f.rule
        if rule and rule.month_end and reference and rule.anchor in ("notification", "receipt", "service"):
            day, guess, basis = _month_end_after_arrival(rule, reference)
        elif rule and reference and rule.anchor == "letter date":
            day = add(reference, rule)
        elif rule and rule.anchor == "contract end" and ended is not None:
            day = add(ended, rule)
        elif rule and rule.anchor == "appointment" and rule.before and appointments:
            earlier = [a for a in appointments if a.segment <= f.segment] or list(appointments)
            day = add(earlier[-1].date, rule)
        elif rule and reference and law and rule.anchor in ("notification", "receipt"):
            guess, basis = estimate(rule, reference, law)
        deadlines.append(Deadline(f.segment, f.text, day, rule, guess, basis, key, action))
    pairs = _merge(list(zip(deadlines, found)))
    deadlines = [d for d, _f in pairs]
    where = [(f.segment, f.start) for _d, f in pairs]
    consequences = find_consequences(segments, [(f.segment, f.start, f.end) for f in found], translations)
    appointments = list(appointments)
    for c in consequences:
        if c.own:
            sentence = next((a, b) for a, b in _sentences(segments[c.segment]) if a <= c.offset < b)
            targets = [k for k, (j, s) in enumerate(where) if j == c.segment and sentence[0] <= s < sentence[1]]
            for k in targets:
                deadlines[k] = _with_consequence(deadlines[k], c)
            if targets:
                continue
        if c.attendance:
            earlier = [k for k, a in enumerate(appointments) if a.segment <= c.segment]
            if earlier:
                k = earlier[-1]
                a = appointments[k]
                appointments[k] = replace(a, consequence=a.consequence or c.english, consequence_de=a.consequence_de or c.german)
                continue
        earlier = [k for k, (j, s) in enumerate(where) if c.segment - 6 <= j and (j, s) < (c.segment, c.offset)]
        if earlier:
            nearest = max(where[k] for k in earlier)
            for k in earlier:
                if where[k][0] == nearest[0]:
                    deadlines[k] = _with_consequence(deadlines[k], c)
    return deadlines, appointments, found


def _month_end_after_arrival(rule: Rule, reference: date) -> tuple[date | None, date | None, str]:
    """(day, estimate, basis) of a month-end rule counted from the letter's arrival: the month of
    arrival is the letter's month when even a letter four days in the post arrives in it (then
    the day is fixed, on that assumption), else the estimate counts from the fourth day."""
    arrival = reference + timedelta(days=4)
    if arrival.month == reference.month:
        month = reference.strftime("%B %Y")
        return add(reference, rule), None, f"assumes the letter reached you in {month}, the month of its date {reference.isoformat()}"
    basis = (f"assumes the letter reached you on {arrival.isoformat()}, four days after its date {reference.isoformat()}, "
             f"in {arrival.strftime('%B %Y')}")
    return None, add(arrival, rule), basis


def _with_consequence(d: Deadline, c: _Consequence) -> Deadline:
    if d.consequence_de:
        return d
    return replace(d, consequence=c.english, consequence_de=c.german, consequence_segment=c.segment)


def _merge(pairs: list[tuple[Deadline, _Found]]) -> list[tuple[Deadline, _Found]]:
    """One deadline per action and day: a repeated deadline, or a rule and a date in one
    sentence for the same action (`innerhalb von 14 Tagen, spätestens am …`), become one."""
    out: list[tuple[Deadline, _Found]] = []
    for d, f in pairs:
        twin = next((k for k, (o, _g) in enumerate(out) if o.action_id == d.action_id and (
            (o.segment == d.segment and (o.rule is None) != (d.rule is None))
            or (o.date == d.date and o.rule == d.rule))), None)
        if twin is None:
            out.append((d, f))
            continue
        o, g = out[twin]
        if o.segment == d.segment and (o.rule is None) != (d.rule is None):
            absolute, relative = (o, d) if o.rule is None else (d, o)
            out[twin] = (replace(absolute, rule=relative.rule, text=f"{o.text}; {d.text}"), g)
    return out
