"""Protected spans: text the model must not rewrite (URLs, e-mails, IBANs, identifiers, amounts, …).

`protect()` finds the spans of a German segment and masks each with a placeholder; the model
translates the masked text; `restore()` puts every span back, byte for byte, or, for numbers,
amounts and times, in English form (`numbers.localize_quantity`). A placeholder the model dropped
is reported in `Restored.missing`; `protected_translate()` then translates that segment again
split around its spans (which keeps every span by construction) and, as a last resort, appends
what is still missing.

Which placeholder the model copies depends on the model: ``benchmarks/placeholders.py`` measures
the forms in `PLACEHOLDER_FORMS`. On mini-marian-de-en only numbers survive (its vocabulary has no
bracket characters), and only numbers that are one token of its vocabulary. Numbers are the
default, which is safe because every number of the segment is itself a protected span, so any
number in the masked text is a placeholder.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from .numbers import DE_NUMBER, UNIT_SYMBOLS, UNIT_WORDS, localize_quantity

# Span kinds, in order of precedence when matches overlap.
SPAN_KINDS = (
    "term", "code", "url", "email", "iban", "path", "handle", "identifier",
    "phone", "date", "time", "amount", "quantity", "number",
)
# Kinds restored in English form (numbers, units, times); every other kind comes back byte for byte.
LOCALIZED_KINDS = frozenset({"time", "amount", "quantity", "number"})

# Placeholder forms: name → format with the span's number `i` (from 1) or, for "number", the
# `i`-th of ProtectOptions.numbers. Numbers work only when each is one token of the model's
# vocabulary (`single_token_numbers()` finds those); a split number ("71" → "7" "1") is lost.
PLACEHOLDER_FORMS: dict[str, str] = {
    "number": "{n}",
    "brackets": "⟦{i}⟧",
    "underscores": "__{i}__",
    "angle": "<{i}>",
    "token": "ZX{i}Q",
}
# Two-digit numbers: single tokens in most subword vocabularies, seldom spelled out as words.
DEFAULT_NUMBERS = tuple(range(10, 100))

_UNIT_ALTERNATION = "|".join(
    re.escape(u) for u in sorted([*UNIT_WORDS, *UNIT_SYMBOLS], key=len, reverse=True)
)
_CURRENCY_BEFORE = r"(?:€|\$|£|EUR|USD|CHF)"
_TRAIL = ".,;:!?)]}'\""

_PATTERNS: dict[str, re.Pattern[str]] = {
    "code": re.compile(r"`[^`\n]+`"),
    "url": re.compile(r"(?<![\w@])(?:https?://|ftp://|www\.)[^\s<>\"'`]+", re.I),
    "email": re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}"),
    "iban": re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b"),
    "path": re.compile(
        r"(?<![\w/.])(?:~|\.{1,2})?/(?:[\w.-]+/)*[\w.-]+/?"
        r"|\b[A-Za-z]:\\(?:[\w .-]+\\)*[\w.-]+"
        r"|\b[\w-]+(?:/[\w.-]+)*\.(?:txt|pdf|docx?|xlsx?|pptx?|csv|tsv|json|ya?ml|toml|ini|py|md|html?|xml|zip|gz|png|jpe?g|svg|odt)\b"
    ),
    "handle": re.compile(r"(?<![\w@.])@[A-Za-z0-9_](?:[\w.]*\w)?"),
    "phone": re.compile(r"(?<![\w+])(?:\+\d{1,3}|\(0\d{1,5}\)|0\d{1,5})(?:(?: ?[/-] ?| )?\(?\d+\)?){1,5}(?!\w|[.,]\d)"),
    "date": re.compile(r"(?<![\w.])(?:\d{1,2}\.\d{1,2}\.(?:\d{4}|\d{2})(?![\w.]\d)|\d{4}-\d{2}-\d{2})\b"),
    "time": re.compile(r"(?<![\w.:])\d{1,2}[:.]\d{2}\s*Uhr\b|(?<![\w.:])\d{1,2}:\d{2}(?::\d{2})?(?![\w:])"),
    "amount": re.compile(
        rf"(?<![\w.,]){_CURRENCY_BEFORE}\s?(?:{DE_NUMBER})(?![\w]|[.,]\d)"
        rf"|(?<![\w.,])(?:{DE_NUMBER})\s?(?:(?:Mio\.|Mrd\.|Millionen|Milliarden|Million|Milliarde)\s)?"
        r"(?:€|EUR|Euro|Cent|Dollar|USD|CHF|Franken|Pfund|\$|£)(?!\w)"
    ),
    "quantity": re.compile(rf"(?<![\w.,])(?:{DE_NUMBER})\s?(?:{_UNIT_ALTERNATION})(?![\w²³]|/\w)"),
    "number": re.compile(rf"(?<![\w.,])(?:{DE_NUMBER})(?![\w]|[.,]\d)"),
}


@dataclass(frozen=True)
class IdentifierShape:
    """One shape of identifier (file reference, customer number, …) that comes out exactly as written."""

    name: str  # what it is, for people (README, closing notes)
    example: str  # as a German letter writes it; the identifier is what the pattern's group "id" matches
    pattern: re.Pattern[str]  # group "id": the identifier; a label before it (Az., Kundennummer) stays translatable


# Identifiers have no lower-case letters (court register marks like "BvR" or "Js" after a file-reference
# label excepted), so `E-Mail`, `U-Bahn`, `A-Klasse`, `1980er`, `CO2-Ausstoß` or `3-Zimmer-Wohnung` stay
# words. Two digit groups (`2020-2024`, `24/7`, `345/25` unlabelled) stay numbers; a group of digits
# that starts with 0 stays a phone number (`0221/12345-67`); `2024-03-15` stays a date.
_UP = "A-ZÄÖÜ"
_ID_END = r"(?![\w/@-]|[.,:]\w)"  # the token ends: no letter, digit or joiner follows (a full stop may)
_ID_START = r"(?<![\w/.,:+@#-])"
_NOT_AFTER_DIGITS = r"(?<!\d )(?<!\) )"  # not the tail of a phone number: +49 30 123 456 789, (0221) 123-456-78
# A token of a labelled value: upper-case letters and digits, joined by . / - inside.
_VALUE_TOKEN = rf"[\d{_UP}](?:[\d{_UP}./-]*[\d{_UP}])?{_ID_END}"
_REGISTER_MARKS = r"(?:BvR|BvL|BvE|BvF|BvQ|UJs|Js|KLs|Ls|Ds|Cs|Ns|Ss|Qs|Gs|Ws|OWi|Ca|Sa|Ta|Ga)(?!\w)"
# A labelled value: up to six tokens with single spaces, the last one with a digit.
_VALUE = rf"(?:(?:{_REGISTER_MARKS}|{_VALUE_TOKEN}|[-–/])[ \u00a0]){{0,5}}(?=[\d{_UP}./-]*\d){_VALUE_TOKEN}"
_LABEL_GAP = r"\.?:?[ \t\u00a0]*"
# Labels of numbers that are not identifiers: phone numbers keep their kind, house numbers stay numbers.
_NOT_ID_LABEL = r"(?!(?:Telefon|Tel\.|Fax|Handy|Mobil|Ruf|Hotline|Durchwahl|Service|Haus))"

IDENTIFIER_SHAPES: tuple[IdentifierShape, ...] = (
    IdentifierShape(
        "file reference after Az./Aktenzeichen/Geschäftszeichen/Gz./Zeichen",
        "Az. S 12 AS 345/25",
        re.compile(rf"(?<![\w-])(?:Az\b|AZ\b|Gz\b|GZ\b|(?:[{_UP}][\w-]*)?[Zz]eichen\b){_LABEL_GAP}(?P<id>{_VALUE})"),
    ),
    IdentifierShape(
        "labelled number: …nummer, …-Nr. (Kunden-, Rechnungs-, Vertrags-, BG-, Steuer-, Versicherungs-…), "
        "Steuer-ID, IdNr., KV, KVNR (not telephone or fax numbers)",
        "Kundennummer 0012345",
        re.compile(
            rf"(?<![\w-])(?:{_NOT_ID_LABEL}[{_UP}][\w.-]*?(?:-?[Nn]ummer\b|-?Nr\.|nr\.)"
            rf"|Steuer-?ID\b|Steuer-IdNr\.|IdNr\.|KVNR\b|KV\b){_LABEL_GAP}(?P<id>{_VALUE})"
        ),
    ),
    IdentifierShape(
        "Steuer-ID (11 digits as 2-3-3-3)",
        "12 345 678 901",
        re.compile(rf"(?<![\w.,/+-]){_NOT_AFTER_DIGITS}(?P<id>\d{{2}} \d{{3}} \d{{3}} \d{{3}})(?![\w/-]|[.,]\d| \d)"),
    ),
    IdentifierShape(
        "Rentenversicherungsnummer (area, birth date, initial, serial)",
        "65 170839 J 003",
        re.compile(rf"(?<![\w.,/+-]){_NOT_AFTER_DIGITS}(?P<id>\d{{2}} ?\d{{6}} ?[A-Z] ?\d{{3}})(?![\w/-]|[.,]\d)"),
    ),
    IdentifierShape(
        "digit groups joined by //, or three and more by / or - (Steuernummer 21/815/08150, "
        "BG-Nummer 96301//0012345)",
        "21/815/08150",
        re.compile(
            rf"{_ID_START}{_NOT_AFTER_DIGITS}(?P<id>\d+(?:[/-]\d+)*//\d+(?:(?://?|-)\d+)*"
            rf"|(?!0|\d{{4}}-\d{{2}}-\d{{2}}(?!\d))\d+(?:[/-]\d+){{2,}}){_ID_END}"
        ),
    ),
    IdentifierShape(
        "German number plate",
        "B-AB 1234",
        re.compile(rf"(?<![\w-])(?P<id>[{_UP}]{{1,3}}-[A-Z]{{1,2}}[ -]?\d{{1,4}}[EH]?)(?![\w/-]|[.,]\d)"),
    ),
    IdentifierShape(
        "code of upper-case letters and digits, three characters or more (7A-2291-X, V-2026-000123, "
        "RE-2026/0457, 123D456789, KV number A123456789)",
        "7A-2291-X",
        re.compile(
            rf"{_ID_START}(?=[\d{_UP}/-]*\d)(?=[\d{_UP}/-]*[{_UP}])(?=[\d{_UP}/-]{{3}})"
            rf"(?P<id>[\d{_UP}]+(?:(?:-|//?)[\d{_UP}]+)*){_ID_END}"
        ),
    ),
)
def rules_version() -> str:
    """A digest of what protection finds (kinds, their order, every pattern): part of the translation
    memory's key and a folder's settings, so translations made under other rules are not reused."""
    import hashlib

    parts = [*SPAN_KINDS, *(p.pattern for p in _PATTERNS.values()), *(s.pattern.pattern for s in IDENTIFIER_SHAPES)]
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class ProtectedSpan:
    """One span of the source that reaches the output unchanged (or in English form)."""

    kind: str  # one of SPAN_KINDS
    start: int  # character offsets in the source segment
    end: int
    text: str  # the span as written in the source
    output: str  # what the translation gets in its place
    placeholder: str = ""  # what the model sees instead


@dataclass(frozen=True)
class Protected:
    """A segment with its spans masked."""

    source: str  # the segment as given
    masked: str  # the segment with each span replaced by its placeholder
    spans: tuple[ProtectedSpan, ...] = ()


@dataclass(frozen=True)
class Restored:
    """A translation with the spans put back."""

    text: str
    missing: tuple[ProtectedSpan, ...] = ()  # placeholders the model dropped (not in `text` unless appended)
    duplicated: tuple[ProtectedSpan, ...] = ()  # placeholders the model wrote more than once


@dataclass(frozen=True)
class ProtectOptions:
    """What to protect and how."""

    kinds: frozenset[str] = frozenset(SPAN_KINDS)  # span kinds to protect
    localize_numbers: bool = True  # numbers, amounts and times in English form (False: byte for byte)
    placeholder: str = "number"  # a key of PLACEHOLDER_FORMS
    fallback: str = "append"  # a placeholder still missing after the split retry: append | drop
    numbers: tuple[int, ...] = DEFAULT_NUMBERS  # placeholder numbers, in order of use (form "number")


def find_spans(text: str, kinds: Iterable[str] = SPAN_KINDS) -> list[tuple[str, int, int]]:
    """(kind, start, end) of the protected spans in `text`, non-overlapping, in text order."""
    wanted = [k for k in SPAN_KINDS if k in set(kinds) and (k in _PATTERNS or k == "identifier")]
    found: list[tuple[int, int, int, str]] = []  # start, -length, precedence, kind
    for rank, kind in enumerate(wanted):
        for start, end in _matches(kind, text):
            if kind in ("url", "path"):
                end = _strip_trailing(text, start, end)
            if kind == "phone" and sum(c.isdigit() for c in text[start:end]) < 7:
                continue
            if kind == "iban" and sum(c.isdigit() for c in text[start:end]) < 8:
                continue
            if end > start:
                found.append((start, -(end - start), rank, kind))
    chosen: list[tuple[str, int, int]] = []
    for start, neg_len, _rank, kind in sorted(found, key=lambda f: (f[2], f[0], f[1])):
        end = start - neg_len
        if all(end <= s or start >= e for _k, s, e in chosen):
            chosen.append((kind, start, end))
    return sorted(chosen, key=lambda c: c[1])


def _matches(kind: str, text: str) -> Iterable[tuple[int, int]]:
    """(start, end) of the matches of one span kind; an identifier is its shape's group "id"."""
    if kind != "identifier":
        return (m.span() for m in _PATTERNS[kind].finditer(text))
    return (m.span("id") for shape in IDENTIFIER_SHAPES for m in shape.pattern.finditer(text))


def _strip_trailing(text: str, start: int, end: int) -> int:
    """Drop sentence punctuation after a URL or path; keep a closing bracket that has its opener."""
    while end > start and text[end - 1] in _TRAIL:
        if text[end - 1] == ")" and text[start:end].count("(") >= text[start:end].count(")"):
            break
        end -= 1
    return end


def placeholder(form: str, index: int, numbers: Sequence[int] = DEFAULT_NUMBERS) -> str:
    """The placeholder of the `index`-th span (from 0) in a form of PLACEHOLDER_FORMS."""
    n = numbers[index] if index < len(numbers) else 1000 + index
    return PLACEHOLDER_FORMS[form].format(i=index + 1, n=n)


def single_token_numbers(count_tokens: Callable[[list[str]], list[int]], candidates: Iterable[int] = range(10, 1000)) -> tuple[int, ...]:
    """The `candidates` that the model's tokenizer keeps whole (one token): placeholders it can copy.

    `count_tokens` is `Engine.count_tokens`. Call once per engine; pass the result as
    ``ProtectOptions(numbers=…)``.
    """
    candidates = list(candidates)
    empty, *counts = count_tokens(["", *(str(c) for c in candidates)])
    return tuple(c for c, n in zip(candidates, counts) if n == empty + 1)


def protect(
    text: str,
    options: ProtectOptions | None = None,
    terms: Sequence[tuple[str, int, int, str]] = (),
) -> Protected:
    """Mask the protected spans of `text` (and the glossary `terms`: (kind, start, end, output)).

    Terms win over the patterns where they overlap.
    """
    options = options or ProtectOptions()
    if options.placeholder not in PLACEHOLDER_FORMS:
        raise ValueError(f"unknown placeholder form '{options.placeholder}' (choose from {', '.join(PLACEHOLDER_FORMS)})")
    located: list[tuple[str, int, int, str | None]] = [(k, s, e, out) for k, s, e, out in terms]
    for kind, start, end in find_spans(text, options.kinds):
        if all(end <= s or start >= e for _k, s, e, _o in located):
            located.append((kind, start, end, None))
    located.sort(key=lambda t: t[1])
    # A placeholder must not be text that stays in the masked segment (numbers left unprotected).
    numbers = tuple(n for n in options.numbers if str(n) not in text)
    spans, pieces, pos = [], [], 0
    for index, (kind, start, end, out) in enumerate(located):
        raw = text[start:end]
        if out is None:
            out = localize_quantity(raw) if options.localize_numbers and kind in LOCALIZED_KINDS else raw
        ph = placeholder(options.placeholder, index, numbers)
        spans.append(ProtectedSpan(kind, start, end, raw, out, ph))
        pieces += [text[pos:start], ph]
        pos = end
    pieces.append(text[pos:])
    return Protected(text, "".join(pieces), tuple(spans))


def _placeholder_re(ph: str) -> re.Pattern[str]:
    if ph.isdigit():  # a number on its own, not part of a bigger one
        return re.compile(rf"(?<!\w)(?<!\d[.,]){re.escape(ph)}(?!\w|[.,]\d)")
    return re.compile(re.escape(ph))


def restore(translation: str, protected: Protected, fallback: str = "append") -> Restored:
    """Put the spans of `protected` back into the model's `translation` of its masked text.

    A placeholder written more than once is restored everywhere (and reported); one the model
    dropped is reported in `missing` and, with ``fallback="append"``, appended at the end
    (``"drop"``: left out).
    """
    if not protected.spans:
        return Restored(translation)
    missing, duplicated = [], []
    # One pass over all placeholders, so that a restored span is never searched again.
    table = {s.placeholder: s for s in protected.spans}
    pattern = re.compile("|".join(f"(?:{_placeholder_re(p).pattern})" for p in sorted(table, key=len, reverse=True)))
    seen: dict[str, int] = {}

    def put_back(m: re.Match[str]) -> str:
        span = table[m.group(0)]
        seen[span.placeholder] = seen.get(span.placeholder, 0) + 1
        return span.output

    text = pattern.sub(put_back, translation)
    for span in protected.spans:
        count = seen.get(span.placeholder, 0)
        if count == 0:
            missing.append(span)
        elif count > 1:
            duplicated.append(span)
    if fallback not in ("append", "drop"):
        raise ValueError(f"unknown fallback '{fallback}' (choose from append, drop)")
    if missing and fallback == "append":
        text = (text.rstrip() + " " + " ".join(s.output for s in missing)).strip()
    return Restored(text, tuple(missing), tuple(duplicated))


def split_around(protected: Protected) -> list[str | ProtectedSpan]:
    """The source as alternating text pieces and spans, for translating the pieces on their own."""
    out: list[str | ProtectedSpan] = []
    pos = 0
    for span in protected.spans:
        if span.start > pos:
            out.append(protected.source[pos : span.start])
        out.append(span)
        pos = span.end
    if pos < len(protected.source):
        out.append(protected.source[pos:])
    return out


def _translatable(piece: str) -> bool:
    return any(c.isalpha() for c in piece)


def join_split(pieces: Sequence[str | ProtectedSpan], translations: Mapping[str, str]) -> str:
    """Reassemble `split_around` pieces: text pieces by their translation, spans by their output.

    A fragment's translation loses the sentence-final stop the model adds to it (unless the
    fragment had one) and its capital when the German fragment began in lower case.
    """
    out = []
    for index, piece in enumerate(pieces):
        if isinstance(piece, ProtectedSpan):
            out.append(" " + piece.output + " ")
        elif _translatable(piece):
            core = piece.strip()
            text = translations[core]
            if not core.endswith((".", "!", "?")):
                text = text.rstrip(".!? ")
            if index and core[:1].islower() and re.match(r"(?!I\b)[A-Z][a-z]*\b", text):
                text = text[0].lower() + text[1:]
            out.append(" " + text + " ")
        else:
            out.append(piece)
    text = re.sub(r"\s+", " ", "".join(out)).strip()
    return re.sub(r" ([.,;:!?)\]])", r"\1", text)


def check_spans(source: str, translation: str, kinds: Iterable[str] = SPAN_KINDS) -> tuple[int, list[tuple[str, str]]]:
    """(spans checked, (kind, text) of each span of `source` that `translation` lacks), for
    translations made without protection too: a span counts as kept as written or in English form."""
    missing = []
    spans = find_spans(source, kinds)
    for kind, start, end in spans:
        raw = source[start:end]
        if raw not in translation and localize_quantity(raw) not in translation:
            missing.append((kind, raw))
    return len(spans), missing


@dataclass(frozen=True)
class ProtectReport:
    """What happened to the spans of one segment."""

    spans: tuple[ProtectedSpan, ...] = ()  # every span protected
    split: bool = False  # the segment was translated in pieces around its spans
    missing: tuple[ProtectedSpan, ...] = ()  # spans still missing after the split (appended or dropped)
    duplicated: tuple[ProtectedSpan, ...] = ()


def protected_translate(
    sources: Sequence[str],
    translate: Callable[[list[str]], list[str]],
    options: ProtectOptions | None = None,
    terms: Callable[[str], Sequence[tuple[str, int, int, str]]] | None = None,
) -> tuple[list[str], list[ProtectReport]]:
    """Translate `sources` with their spans protected: mask → translate → restore, and a segment
    whose placeholders the model lost again, split around its spans.

    `translate` takes and returns lists of strings (the engine, with batching); `terms` gives a
    segment's glossary matches (see `glossary.Glossary.terms`). Returns the outputs and, per
    source, a report for the quality block.
    """
    options = options or ProtectOptions()
    protected = [protect(s, options, terms(s) if terms else ()) for s in sources]
    outputs = translate([p.masked for p in protected])
    results: list[str] = []
    reports: list[ProtectReport] = []
    retry: list[int] = []
    for i, (p, out) in enumerate(zip(protected, outputs)):
        restored = restore(out, p, fallback="drop")
        if restored.missing:
            retry.append(i)
        results.append(restored.text)
        reports.append(ProtectReport(p.spans, duplicated=restored.duplicated))
    if retry:
        split = {i: split_around(protected[i]) for i in retry}
        texts = list(dict.fromkeys(x.strip() for i in retry for x in split[i] if isinstance(x, str) and _translatable(x)))
        table = dict(zip(texts, translate(texts))) if texts else {}
        for i in retry:
            results[i] = join_split(split[i], table)
            # A span cannot be lost in a split translation; a glossary term might be empty.
            lost = tuple(s for s in protected[i].spans if s.output and s.output not in results[i])
            if lost and options.fallback == "append":
                results[i] = (results[i] + " " + " ".join(s.output for s in lost)).strip()
            reports[i] = ProtectReport(protected[i].spans, split=True, missing=lost)
    return results, reports
