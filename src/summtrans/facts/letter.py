"""The letter itself: the cues that tell a letter from other text (and the gate on their count),
the letter's date, its sender, its kind, and the statute that presumes when it was notified.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from . import lexicon as lx
from .amounts import find_references
from .dates import find_dates
from .text import _CLOSING, _REMEDY_NOTICE, _SALUTATION, _lines

# ---------------------------------------------------------------------------------------------
# Letter cues: is this a letter at all?

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
