"""Rules that read the key facts of a German official letter from its source segments.

Each finder takes the segments (German sentences in document order) and returns facts that point
back to the segment they came from. Dates, amounts and times come from the protected-span
detectors (`faithful.protect.find_spans`) and `dates.find_dates`; the phrases around them from
`lexicon`. Nothing here reads the translation except where `lexicon` has no English wording.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from ..faithful.numbers import DE_NUMBER
from ..faithful.protect import find_spans
from . import lexicon as lx
from .dates import DateMention, add, estimate, find_dates
from .model import Amount, Appointment, Deadline, Document, Period, Reference, Remedy, Rule

# ---------------------------------------------------------------------------------------------
# Letter cues: is this a letter at all?

_SALUTATION = re.compile(r"^(?:Sehr\s+geehrte[rs]?\b|Guten\s+Tag\b|(?:Hallo|Liebe[r]?)\s+(?:Frau|Herr|Familie|Kundin|Kunde)\b)")
_CLOSING = re.compile(
    r"^(?:Mit\s+freundlichen\s+Grüßen|Mit\s+freundlichem\s+Gruß|Freundliche\s+Grüße|Hochachtungsvoll"
    r"|(?:Viele|Beste|Herzliche|Sportliche|Schöne)\s+Grüße)",
    re.M,
)
_REMEDY_NOTICE = re.compile(r"^(?:Rechtsbehelfsbelehrung|Rechtsmittelbelehrung)\b")
_POSTCODE_LINE = re.compile(r"(?:^|,[ \t]+)(?:D-)?\d{5}[ \t]+[A-ZÄÖÜ][\w.\- ]*$", re.M)
_DATE_LINE_PREFIX = re.compile(
    r"^(?:(?:Datum|Rechnungsdatum|Bescheiddatum|Ausstellungsdatum|Briefdatum|Erstellt\s+am)\s*:?\s*"
    r"|[A-ZÄÖÜ][\w.\-/() ]{0,40}?,\s*(?:den\s+)?)?(?:(?:Mo|Di|Mi|Do|Fr|Sa|So)\w*,?\s+(?:den\s+)?)?$"
)
# Cues counted once each; a text with at least LETTER_THRESHOLD of them is a letter
# (benchmarks/facts.py measures the counts on letters and news).
LETTER_THRESHOLD = 2


def letter_cues(segments: Sequence[str]) -> tuple[str, ...]:
    """The letter cues found in `segments` (salutation, closing, reference, …), each once."""
    cues: list[str] = []
    if any(_SALUTATION.match(s) for s in segments):
        cues.append("salutation")
    if any(_CLOSING.search(s) for s in segments):
        cues.append("closing")
    if any(_REMEDY_NOTICE.match(s) for s in segments):
        cues.append("rechtsbehelfsbelehrung")
    if find_references(segments):
        cues.append("reference")
    if letter_date(segments)[0] is not None:
        cues.append("date line")
    if any(_POSTCODE_LINE.search(s) for s in segments[:12]):
        cues.append("postcode")
    return tuple(cues)


def is_letter(cues: Sequence[str]) -> bool:
    return len(cues) >= LETTER_THRESHOLD


# ---------------------------------------------------------------------------------------------
# Header: the letter's date, its sender, its kind


def _lines(text: str) -> list[tuple[int, str]]:
    """(offset, line) of every line of `text`."""
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, line))
        pos += len(line) + 1
    return out


def letter_date(segments: Sequence[str]) -> tuple[date | None, int | None]:
    """The letter's own date: a line that is only a date, `Ort, den DATE` or `Datum: DATE`; failing
    those, a line `vom DATE` (under a heading such as `RECHNUNG 2026/114`)."""
    for prefix in (_DATE_LINE_PREFIX, _DATE_LINE_VOM):
        for i, seg in enumerate(segments):
            for _off, line in _lines(seg):
                line = line.strip()
                mentions = [m for m in find_dates(line) if m.year is not None and not m.month_end]
                if len(mentions) != 1 or line[mentions[0].end:].strip(" .") or len(line) > 80:
                    continue
                if prefix.match(line[: mentions[0].start]):
                    return mentions[0].resolve(None), i
    return None, None


_DATE_LINE_VOM = re.compile(r"^[Vv]om\s+$")


def _salutation_index(segments: Sequence[str]) -> int:
    return next((i for i, s in enumerate(segments) if _SALUTATION.match(s)), min(len(segments), 12))


_SENDER_RE = re.compile(lx.SENDER_WORDS, re.I)
_NOT_SENDER = re.compile(r"^(?:(?:Herrn?|Frau|An|Familie|Eheleute|Postfach|Im\s+Auftrag)\b|z\.\s?Hd\.|i\.\s?A\.|\d)|:|@|www\.|https?:")
_LEGAL_FORM = re.compile(r"(?<!\w)(?:GmbH|AG|KG|KGaA|SE|OHG|GbR|UG|eG|mbH|e\.\s?V\.|e\.\s?K\.)(?!\w)")
# Lines that name the reader or the matter, not the sender: `Familienversicherung Ihres Sohnes`.
_READER_WORD = re.compile(r"\b(?:Ihr|Ihre|Ihres|Ihrer|Ihren|Ihrem|Ihnen|Sie|Dein\w*|Euer|Eure)\b")
_ENVELOPE_NOTE = re.compile(
    r"^(?:Einschreiben|Persönlich|Vertraulich|Wichtig|Eilt|Bitte|Per\s+(?:Fax|E-Mail|Post)|Postzustellungsurkunde|Rückschein"
    r"|Entgelt\s+bezahlt|Absender|Betreff|Liebe[rs]?|Hallo|Hi|Sehr\s+geehrte[rs]?|Guten\s+(?:Tag|Morgen|Abend)|Moin|Servus)\b",
    re.I,
)
_RECIPIENT_START = re.compile(r"^(?:Herrn?|Frau|Familie|Eheleute|An(?:\s+(?:die|den|das))?)$|^(?:Herrn?|Frau|Familie|Eheleute)\s")
_POSTCODE_END = re.compile(r"(?:^|\s)(?:D-)?\d{4,5}\s+\S")
_TEAM = re.compile(r"^(?:Ihr|Ihre|Euer|Eure)\s+(?:(?P<a>\S.*?)[- ]Team|Team\s+(?:von|der|des|vom)\s+(?P<b>\S.*))$")
_TITLE_END = re.compile(r"(?:^|\s)(?:Dr|Prof|med|dent|vet|jur|rer|nat|phil|Dipl\.-\w+|Inh|Ing)\.$")
_ON_BEHALF = re.compile(r"^(?:Im\s+Auftrag|i\.\s?A\.|In\s+Vertretung|i\.\s?V\.|Im\s+Namen\b.*)$", re.I)


def _name_piece(line: str) -> str:
    """The first part of a letterhead line (`Grünstrom Nord GmbH · Kundenservice · Postfach …`)."""
    piece = re.split(r"\s+[·•|]\s+|\s+[–—]\s+", line.strip())[0]
    return re.split(r",\s+(?=[^,]*\d)", piece)[0].strip(" ,")  # `Stadtwerke Ulm GmbH, Karlstraße 1, 89073 Ulm`


def _name_like(piece: str) -> bool:
    """A short line that can name a sender: a person, a firm, an authority (not an address, a
    reference, a date, a heading about the reader's matter or a sentence)."""
    legal = bool(_LEGAL_FORM.search(piece))
    if not piece or len(piece.split()) > 8 or len(piece) > 80:
        return False
    if _NOT_SENDER.search(piece) or _READER_WORD.search(piece) or _ENVELOPE_NOTE.match(piece) or _CLOSING.match(piece):
        return False
    if not legal and (any(c.isdigit() for c in piece) or (piece[-1] in ".!?,;" and not _TITLE_END.search(piece))):
        return False
    if not (piece[0].isupper() or _SENDER_RE.search(piece)):
        return False
    heading = any(re.search(p, piece) for p, _g, _e in lx.LETTER_KINDS)
    return legal or not heading or bool(_SENDER_RE.search(piece))


def find_sender(segments: Sequence[str]) -> tuple[str | None, int | None]:
    """The sender: the first line of the letterhead that can name one (a firm, an authority, a
    person: `BARMER`, `Sanitär Yilmaz & Söhne`, `Gerd Albrecht`), skipping a recipient's address
    block; else a line before the salutation with an authority's or company's word; else the
    closing (`Ihr Vodafone-Team`, a company line, the signature)."""
    head = _salutation_index(segments)
    _day, day_segment = letter_date(segments)
    stop = min(head, day_segment if day_segment is not None else head)
    recipient = False
    for i, seg in enumerate(segments[:stop]):
        for _off, line in _lines(seg):
            line = line.strip()
            if _RECIPIENT_START.match(line):
                recipient = True
            if recipient:
                recipient = not _POSTCODE_END.search(line)  # the block ends with its postcode line
                continue
            piece = _name_piece(line)
            if _name_like(piece):
                if _TITLE_END.search(piece) and i + 1 < stop and _name_like(_name_piece(_lines(segments[i + 1])[0][1])):
                    piece += " " + _name_piece(_lines(segments[i + 1])[0][1])  # `Zahnarztpraxis Dr. med. dent.` + `Sabine Ott`
                return piece, i
    for i, seg in enumerate(segments[:head]):
        for _off, line in _lines(seg):
            piece = _name_piece(line)
            if piece and not _NOT_SENDER.search(piece) and not _READER_WORD.search(piece) and len(piece.split()) <= 8 \
                    and _SENDER_RE.search(piece):
                return piece, i
    for i, seg in enumerate(segments):
        if not _CLOSING.search(seg):
            continue
        candidates = [(i, line) for _o, line in _lines(seg)[1:]] + [(i + 1 + k, s) for k, s in enumerate(segments[i + 1 : i + 3])]
        candidates = [(j, line.strip()) for j, line in candidates if line.strip()]
        for j, line in candidates:
            team = _TEAM.match(line)
            if team:
                return (team.group("a") or team.group("b")).strip(" ,-"), j
            piece = re.sub(r"^(?:Ihre?|Ihr\s+freundliches)\s+", "", line).strip(" ,")
            if piece and not _NOT_SENDER.search(piece) and len(piece.split()) <= 8 and _SENDER_RE.search(piece):
                return piece, j
        # the signature, unless signed on behalf of an authority (`Im Auftrag` + a clerk's name)
        if candidates and not _ON_BEHALF.match(candidates[0][1]) and _name_like(candidates[0][1]):
            return candidates[0][1], candidates[0][0]
    return None, None


def find_kind(segments: Sequence[str]) -> tuple[str | None, str | None, int | None]:
    """The kind of letter, from a short heading line near the top (`Bewilligungsbescheid …`)."""
    for i, seg in enumerate(segments[:15]):
        for _off, line in _lines(seg):
            line = line.strip()
            if not line or len(line.split()) > 12 or line.endswith(".") or re.match(r"[^:]{1,40}:\s*\S", line):
                continue
            for pattern, german, english in lx.LETTER_KINDS:
                if re.search(pattern, line):
                    return german, english, i
    return None, None, None


_COMPANY = re.compile(r"GmbH|\bAG\b|\bKG\b|e\.\s?V\.|mbH|\bUG\b|OHG|GbR|Inkasso|[Pp]raxis\b|Hausverwaltung|Bank\b|Sparkasse|Kanzlei")


def notification_law(sender: str | None, segments: Sequence[str]) -> str | None:
    """The statute that presumes when this sender's posted letter was notified: by the sender's
    name, else (unless the sender is a company, for which no such statute exists) by the text."""
    for text, flags in ([(sender, re.I)] if sender else []) + [("\n".join(segments), 0)]:
        for pattern, law in lx.NOTIFICATION_LAWS:
            if re.search(pattern, text, flags):
                return law
        if sender and _COMPANY.search(sender):
            return None
    return None


# ---------------------------------------------------------------------------------------------
# References

_REF_LABEL = "|".join(f"(?:{p})" for p, _ in lx.REFERENCE_LABELS)
_REF_RE = re.compile(
    rf"(?<![\w-])(?P<label>{_REF_LABEL})(?:s|es)?(?![\w-])[ \t]*(?:[:#][ \t]*|Nr\.?[ \t]*:?[ \t]*)?"
    r"(?P<value>[A-Za-z0-9ÄÖÜ][A-Za-z0-9ÄÖÜäöüß/.\-_]*(?:[ \t][A-Za-z0-9ÄÖÜ][A-Za-z0-9ÄÖÜäöüß/.\-_]*)*)"
)
_REF_PIECE_OK = re.compile(r".*\d.*|[A-ZÄÖÜ][A-Za-zÄÖÜäöü]{0,3}(?:[-/.][A-ZÄÖÜ0-9][A-Za-zÄÖÜäöü0-9]{0,3})*")


def _ref_value(raw: str, label: str) -> str | None:
    kept: list[str] = []
    for piece in raw.split():
        if not _REF_PIECE_OK.fullmatch(piece.rstrip(".,;:")):
            break
        kept.append(piece)
        if piece[-1] in ",;:" or (piece[-1] == "." and not re.fullmatch(r"[A-ZÄÖÜ][a-zäöü]?\.", piece)):
            break
    while kept and not any(c.isdigit() for c in kept[-1]):
        kept.pop()  # `BA-NK-Bü 2026/0815` keeps its letters, `12345 Wir` does not
    value = " ".join(kept).rstrip(".,;:-")
    if label.upper() == "BIC" and re.fullmatch(r"[A-Z0-9]{8,11}", raw.split()[0] if raw.split() else ""):
        return raw.split()[0]
    return value if any(c.isdigit() for c in value) else None


def _line_reference(line: str) -> list[tuple[str, str, str | None, int]]:
    out = []
    for m in _REF_RE.finditer(line):
        value = _ref_value(m.group("value"), m.group("label"))
        if value:
            label = re.sub(r"\s+", " ", m.group("label"))
            english = next((en for p, en in lx.REFERENCE_LABELS if re.fullmatch(p, label)), None)
            out.append((label, value, english, m.start()))
    return out


def find_references(segments: Sequence[str]) -> list[Reference]:
    """Numbers to quote back: each label with its value exactly as written, first mention only."""
    out: list[Reference] = []
    seen: set[tuple[str, str]] = set()
    for i, seg in enumerate(segments):
        for _off, line in _lines(seg):
            for label, value, english, _pos in _line_reference(line):
                key = (label.lower().rstrip("."), value)
                if key not in seen:
                    seen.add(key)
                    out.append(Reference(i, label, value, english))
    return out


# ---------------------------------------------------------------------------------------------
# Amounts

_CURRENCIES = {"€": "EUR", "EUR": "EUR", "Euro": "EUR", "Cent": "EUR", "$": "USD", "USD": "USD", "Dollar": "USD",
               "CHF": "CHF", "Franken": "CHF", "£": "GBP", "Pfund": "GBP", "%": "%", "Prozent": "%"}
_SCALES = {"Mio.": Decimal(10**6), "Million": Decimal(10**6), "Millionen": Decimal(10**6),
           "Mrd.": Decimal(10**9), "Milliarde": Decimal(10**9), "Milliarden": Decimal(10**9)}
_AMOUNT_PARTS = re.compile(
    rf"(?P<pre>€|\$|£|EUR|USD|CHF)?\s?(?P<num>{DE_NUMBER})\s?(?P<scale>Mio\.|Mrd\.|Millionen|Milliarden|Million|Milliarde)?\s?"
    r"(?P<cur>€|EUR|Euro|Cent|Dollar|USD|CHF|Franken|Pfund|\$|£|%|Prozent)?"
)
_SPAN_KINDS = ("url", "email", "iban", "phone", "date", "time", "amount", "quantity")
_TABLE_WORDS = frozenset("und der die des gemäß für netto brutto inkl. zzgl. abzgl. pro je à laut lt. davon plus minus ./. "
                         "insgesamt gesamt monatlich jährlich einmalig".split())
_LABEL_STOP = frozenset(
    "Sie Ihr Ihre Ihrem Ihren Ihrer Ihnen Wir Uns Der Die Das Den Dem Des Ein Eine Einen Einem Einer Bitte Euro Höhe "
    "Konto Jahr Jahre Monat Monate Tag Tage Woche Wochen Zeit Zeitraum Datum Betreff Gegen Bei Für Nach Mit Von Vom Zum Zur "
    "Ab Auf In Im Am An Es Er Ich Dies Diese Dieser Dadurch Daraus Daher Somit Hinzu Zudem Außerdem Festgesetzt Offen".split()
) | frozenset(m.capitalize() for m in lx.MONTHS)


def _parse_amount(text: str) -> tuple[Decimal, str] | None:
    m = _AMOUNT_PARTS.fullmatch(text.strip())
    if not m:
        return None
    currency = m.group("pre") or m.group("cur")
    if not currency or currency not in _CURRENCIES:
        return None
    value = Decimal(m.group("num").replace(".", "").replace(",", "."))
    if m.group("scale"):
        value *= _SCALES[m.group("scale")]
    if currency == "Cent":
        value /= 100
    return value, _CURRENCIES[currency]


def _word(token: str) -> str:
    return token.strip(".,;:()„“\"'–-")


def _amount_label_en(label: str | None) -> str | None:
    if not label:
        return None
    key = re.sub(r"\s+", " ", label.strip(" .:")).lower()
    for candidate in (key, re.sub(r"(?:es|s)$", "", key)):
        if candidate in lx.AMOUNT_LABELS:
            return lx.AMOUNT_LABELS[candidate]
    # A compound noun takes the wording of its longest known tail (`Hundesteuer` → tax).
    tails = [k for k in lx.AMOUNT_LABELS if " " not in k and len(k) >= 4 and key.endswith(k)]
    return lx.AMOUNT_LABELS[max(tails, key=len)] if tails else None


def _is_amount_noun(word: str) -> bool:
    low = word.lower()
    return bool(word[:1].isupper() or low in lx.AMOUNT_LABELS) and (
        low in lx.AMOUNT_LABELS or re.sub(r"(?:es|s)$", "", low) in lx.AMOUNT_LABELS or low.endswith(lx.AMOUNT_NOUN_ENDINGS)
    )


def _sentence_label(window: str, after: str) -> str | None:
    """The label of an amount in running text: a known phrase or amount noun in the words before
    it (nearest first), else the nearest capitalized noun, else an amount noun right after it."""
    low = window.lower()
    phrases = [(low.rfind(p), p) for p in lx.AMOUNT_LABELS if " " in p and p in low]
    if phrases:
        pos, phrase = max(phrases)
        return window[pos : pos + len(phrase)]
    tokens = [t for t in re.split(r"\s+", window) if t]
    words = [_word(t) for t in tokens[-15:]]
    for w in reversed(words):
        if w and w[:1].isupper() and _is_amount_noun(w):
            return w
    for w in reversed(words):
        if w and _is_amount_noun(w):
            return w
    for w in reversed(words[-6:]):
        if w[:1].isupper() and w not in _LABEL_STOP and not any(c.isdigit() for c in w) and len(w) > 2:
            return w
    for t in after.split()[:2]:
        w = _word(t)
        if w and (_is_amount_noun(w) or w.lower().rstrip(".") in lx.AMOUNT_LABELS):
            return w
    return None


def _table_label(line: str, first_amount_start: int) -> str | None:
    """`Regelbedarf: 563,00 EUR`, `Umsatzsteuer 19 % 6,76 €`: the words before the line's first
    number, when they are a label rather than a sentence."""
    lead = line[:first_amount_start]
    lead = re.split(r"\s\d|\d", lead)[0].strip(" :=")
    words = lead.split()
    if not words or len(words) > 6 or not words[0][:1].isupper():
        return None
    if any(w[:1].islower() and w.lower() not in _TABLE_WORDS and not w.endswith("-") for w in words[1:]):
        return None
    while words and words[0].lower() in _TABLE_WORDS:
        words = words[1:]
    return " ".join(words).strip(" :") or None


def find_amounts(segments: Sequence[str], translations: Sequence[str] | None = None) -> list[Amount]:
    """Money and percentages, each with its label; the same value and label only once."""
    out: list[Amount] = []
    seen: set[tuple[Decimal, str, str | None]] = set()
    for i, seg in enumerate(segments):
        found: list[Amount] = []
        prev_end = 0
        prev_label: str | None = None
        for off, line in _lines(seg):
            spans = [(s, e) for k, s, e in find_spans(line, _SPAN_KINDS) if k in ("amount", "quantity")]
            parsed = [(s, e, _parse_amount(line[s:e])) for s, e in spans]
            parsed = [(s, e, p) for s, e, p in parsed if p and not line[s:e].endswith("Prozentpunkte")]
            table = _table_label(line, parsed[0][0]) if parsed else None
            if prev_end < off and found and found[-1].segment == i:
                prev_end = off  # the line before ended in an amount (a table): its words are not this line's
            for s, e, (value, currency) in parsed:
                window = seg[max(prev_end, off) if table else prev_end : off + s]
                if table:
                    label = (_sentence_label(window, "") if prev_end > off and window.strip() else None) or table
                else:
                    label = _sentence_label(window, line[e:])
                    if label is None and re.fullmatch(r"\s*(?:auf|bis|–|-|und)\s*", window):
                        label = prev_label  # `von 118,40 € auf 129,90 €`
                found.append(Amount(i, value, currency, line[s:e], label, _amount_label_en(label)))
                prev_end, prev_label = off + e, label
        if translations is not None and len(found) == 1 and found[0].label and found[0].label_en is None:
            english = _english_label(translations[i])
            if english:
                found[0] = replace(found[0], label_en=english)
        for a in found:
            key = (a.value, a.currency, a.label)
            if key not in seen:
                seen.add(key)
                out.append(a)
    return out


def _english_label(translation: str) -> str | None:
    """The label of a one-amount table line from its translation (`Heating costs: 72.00 EUR`)."""
    m = re.fullmatch(r"\s*([A-Za-z][A-Za-z ,'()/-]{1,60}?)\s*[:=]?\s*(?:€|EUR|USD|\$)?\s*[\d.,]+\s*(?:€|EUR|euros?|%)?\s*\.?\s*", translation)
    return m.group(1).strip(" :") if m else None


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


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ])|\n")


def _sentences(seg: str) -> list[tuple[int, int]]:
    """Sentence bounds inside one segment (the segmenter may keep two in one)."""
    out, pos = [], 0
    for m in _SENTENCE_END.finditer(seg):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, len(seg)))
    return [(a, b) for a, b in out if seg[a:b].strip()]


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
# Documents, remedy

_DOC_CUE = re.compile(
    r"(?:folgende|nachstehende|nachfolgende|diese|weitere)n?\s+(?:Unterlagen|Nachweise|Dokumente|Belege|Papiere)"
    r"|bringen\s+Sie\b[^.]*\bmit\s*:|(?:Unterlagen|Nachweise|Dokumente)\s*:\s*$"
)
_DOC_VERBS = re.compile(
    r"\b(?P<verb>legen|reichen|senden|schicken|bringen|fügen)\s+Sie\s+(?P<obj>.+?)\s+(?P<particle>vor|ein|zu|mit|bei|zurück)\s*[.!]?\s*$"
    r"|\b(?:übersenden|übermitteln|schicken|senden)\s+Sie\s+(?P<obj2>.+?)\s*[.!]?\s*$"
)
_GENERIC_DOCS = re.compile(r"^(?:(?:die|diese|alle|sämtliche|Ihre|fehlenden|angeforderten|genannten|erforderlichen)\s+)*"
                           r"(?:Unterlagen|Nachweise|Dokumente|Belege|Papiere|ihn|sie|es|ihm|Betrag|Formular|Antwort)$", re.I)
_STOP_ITEM = re.compile(r"^(?:Bitte|Wir|Sie|Ich|Sollten|Wenn|Falls|Mit\s+freundlichen|Freundliche|Rechtsbehelfsbelehrung|Hinweis)\b|\bSie\b")


def find_documents(segments: Sequence[str], deadlines: Sequence[_Found], translations: Sequence[str] | None) -> list[Document]:
    """Documents the letter asks for: a list after `folgende Unterlagen:`, or the object of
    `bringen Sie … mit`, `legen Sie … vor`, `reichen Sie … ein` (deadline words removed)."""
    out: list[Document] = []
    for i, seg in enumerate(segments):
        if _DOC_CUE.search(seg):
            head, _colon, inline = seg.partition(":")
            if inline.strip():
                for name in re.split(r",\s*|\s+und\s+|;\s*", inline.strip().rstrip(".")):
                    if name.strip():
                        out.append(Document(i, name.strip()))
                continue
            if seg.rstrip().endswith(":"):
                for j in range(i + 1, min(len(segments), i + 16)):
                    item = segments[j].strip().rstrip(",;")
                    if not item or len(item.split()) > 12 or _STOP_ITEM.search(item) or _SALUTATION.match(item):
                        break
                    out.append(Document(j, item.rstrip("."), translations[j].strip().rstrip(".") if translations is not None else None))
                continue
        m = _DOC_VERBS.search(seg.split(";")[0])  # `… zurück; das zweite ist für Ihre Unterlagen`
        if not m:
            continue
        obj = m.group("obj") if m.group("obj") is not None else m.group("obj2")
        base = m.start("obj") if m.group("obj") is not None else m.start("obj2")
        for f in deadlines:
            if f.segment == i and base <= f.start < base + len(obj):
                obj = obj[: f.start - base] + " " * (f.end - f.start) + obj[f.end - base :]
        obj = re.sub(r"\b(?:uns|bitte|noch|gegebenenfalls|ggf\.|umgehend|unverzüglich|zeitnah|schriftlich|ebenfalls|auch|dazu|hierzu)\b", " ", obj)
        obj = re.sub(r"\s+", " ", obj).strip(" ,")
        if obj and not _GENERIC_DOCS.match(obj) and len(obj.split()) <= 12 and not _DOC_CUE.search(obj):
            for name in re.split(r",\s*|\s+und\s+|\s+sowie\s+", obj):
                if name.strip():
                    out.append(Document(i, name.strip()))
    unique: dict[str, Document] = {}
    for d in out:
        unique.setdefault(d.name.lower(), d)
    return list(unique.values())


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
