"""References and amounts of a letter: numbers to quote back with their labels, and money and
percentages with their labels (German as written, English from `lexicon` where it knows the word).
Amounts come from the protected-span detectors (`faithful.protect.find_spans`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from ..faithful.numbers import DE_NUMBER
from ..faithful.protect import find_spans
from . import lexicon as lx
from .model import Amount, Reference
from .text import _lines

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
