"""Sentence boundaries inside one block of text.

A candidate is a run of ``. ! ? …`` (plus closing quotes/brackets) followed by whitespace; whether
it ends a sentence is decided from the word before it (abbreviations, numbers, initials, Roman
numerals) and the word after it (lowercase, digit, month name, a capitalized function word such as
"Die" or "Er"). Every candidate is judged in constant time, so this is linear in the text length.
"""

from __future__ import annotations

import re

from .lexicon import ABBREVIATIONS, DETERMINERS, FINAL_ABBREVIATIONS, MONTHS, ORDINAL_NOUNS, STARTERS

OPENERS = "\"'„“”‚‘’»«([{¿¡*_"
CLOSERS = ")]}\"'“”’‘»«"
_CANDIDATE = re.compile(r"[.!?…]+[)\]}\"'“”’‘»«]*")
_NONSPACE = re.compile(r"\S+")
_SPACE = re.compile(r"\s+")
_NUMBER = re.compile(r"\d+(?:[.,:/]\d+)*")
_DAY_MONTH = re.compile(r"(?:0?[1-9]|[12]\d|3[01])\.(?:0?[1-9]|1[0-2])")  # a date without its year: 20.02
_ROMAN = re.compile(r"(?=[MDCLXVI])M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")
_DOTTED = re.compile(r"(?:[^\W\d_]{1,2}\.)+[^\W\d_]{1,2}")  # z.B, u.a, i.d.R, e.V, Ph.D
_LETTER = re.compile(r"[^\W\d_]")
ALNUM = re.compile(r"[^\W_]")


def _word_before(text: str, lo: int, pos: int) -> str:
    """The non-space run that ends at `pos` (at most 64 characters, not before `lo`)."""
    k = pos
    stop = max(lo, pos - 64)
    while k > stop and not text[k - 1].isspace():
        k -= 1
    return text[k:pos]


def _kind_of(word: str) -> str:
    """Classify the word after a candidate boundary: upper, lower, digit or other."""
    core = word.lstrip(OPENERS)
    c = core[:1]
    if not c:
        return "other"
    if c.isdigit():
        return "digit"
    if c.islower():
        if core.startswith(("www.", "http://", "https://")) or "@" in core:
            return "upper"
        if any(ch.isupper() for ch in core[1:3]):  # iPhone, eBay
            return "upper"
        return "lower"
    if c.isupper() or c.istitle():
        return "upper"
    return "other"


def _bare(word: str) -> str:
    return word.lstrip(OPENERS).rstrip(CLOSERS + ".,;:!?…*_")


def _token_before(text: str, lo: int, pos: int) -> str:
    """The word that ends before the whitespace run ending at `pos`."""
    k = pos
    stop = max(lo, pos - 64)
    while k > stop and text[k - 1].isspace():
        k -= 1
    return _word_before(text, lo, k) if k < pos else ""


def _is_boundary(text: str, lo: int, m: re.Match[str], nxt: str) -> bool:
    """Whether the punctuation run `m` (followed by whitespace, then word `nxt`) ends a sentence."""
    punct = m.group().rstrip(CLOSERS + "*_~")
    kind = _kind_of(nxt)
    word = _word_before(text, lo, m.start())
    if "?" in punct or "!" in punct:
        return kind != "lower"
    if "…" in punct or ".." in punct:
        if word.endswith(("(", "[")):
            return False  # an elision mark: (…) or […]
        return kind == "upper"
    if kind == "lower":
        return False
    core = word.lstrip(OPENERS)
    if not core or core[-1] in CLOSERS or len(word) >= 64:
        return True
    following = _bare(nxt)
    starter = following in STARTERS
    if _NUMBER.fullmatch(core):
        if kind == "digit" or following in MONTHS:
            return False  # 12. 3. 2021, am 3. Oktober
        if starter or (len(core) == 4 and core.isdigit() and 1000 <= int(core) <= 2199):
            return True  # … stammen von 2011. Die …
        if following in ORDINAL_NOUNS:
            return False  # im 19. Jahrhundert
        if _DAY_MONTH.fullmatch(core):
            return starter  # bis 20.02. Ihren Mietvertrag … (a date ends a sentence before "Die", "Wir" …)
        before = _token_before(text, lo, m.start() - len(word))
        return before.lstrip(OPENERS).lower() not in DETERMINERS  # der 2. Weltkrieg
    if len(core) == 1 and _LETTER.match(core):
        # Initials, `S. 12`, `z. B.`; a lone capital before a function word may end a sentence.
        if not (core.isupper() and starter):
            return False
        before = _token_before(text, lo, m.start() - len(word))
        return not (len(before) == 2 and before[1] == "." and before[0].isalpha())
    if _DOTTED.fullmatch(core):  # z.B. u.a. i.d.R.
        return starter and core in FINAL_ABBREVIATIONS
    key = core.rsplit("-", 1)[-1].rsplit("/", 1)[-1]  # Dipl.-Ing. Univ.-Prof.
    if core in ABBREVIATIONS or key in ABBREVIATIONS or (core.endswith("str") and core[0].isupper()):
        return starter and (core in FINAL_ABBREVIATIONS or key in FINAL_ABBREVIATIONS)
    if _ROMAN.fullmatch(core):
        if following in ORDINAL_NOUNS:
            return False  # im IV. Quartal
        before = _token_before(text, lo, m.start() - len(word)).lstrip(OPENERS)
        if before[:1].isupper() and before.isalpha() and before not in STARTERS:
            return starter  # Ludwig XIV. war …
    return True


def sentence_spans(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """Sentence spans inside [s, e), in order, each starting at a non-space character."""
    start = s
    while start < e and text[start].isspace():
        start += 1
    out: list[tuple[int, int]] = []
    pattern = _CANDIDATE
    for m in pattern.finditer(text, start, e):
        end = m.end()
        if end >= e or not text[end].isspace() or m.start() <= start:
            continue  # no whitespace after it, or nothing before it in this sentence
        ws = _SPACE.match(text, end, e)
        nxt_start = ws.end() if ws else end
        if nxt_start >= e:
            continue
        if _is_boundary(text, start, m, first_word(text, nxt_start, e)):
            out.append((start, end))
            start = nxt_start
    out.append((start, e))
    return out


def first_word(text: str, pos: int, end: int) -> str:
    m = _NONSPACE.match(text, pos, min(end, pos + 64))
    return m.group() if m else ""
