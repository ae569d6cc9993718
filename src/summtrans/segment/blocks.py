"""Block structure of plain text, read line by line: paragraphs, headings, list items, rules.
(Markdown is read by its own parser, `formats.markdown`.)

- Every segment of a list item has kind ``"list_item"`` and every segment of a heading has kind
  ``"heading"`` (the kind names the block a segment belongs to, not just its first sentence).
- Plain-text headings: a paragraph of one short line (at most 12 words) without sentence
  punctuation at its end (``. ! ? … : ; ,``) and with more text after it; or a short title line
  directly above a much longer line of text, or a line underlined with ``===``/``---``.
- A list marker (``- * + • – 1. 1) a) (a)``) starts an item at the start of a block or inside a
  list; inside a wrapped paragraph only where it cannot be a wrapped word (`am` / `3. Oktober`,
  `gegen den` / `1. FC Köln`). Indented lines continue the item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .base import HEADING, LIST_ITEM, SENTENCE
from .lexicon import LINKING_WORDS, MONTHS
from .sentences import CLOSERS, OPENERS, first_word, sentence_spans

_LINE_BREAK = re.compile(r"\r\n|[\r\n\u2028\u2029]")
_MARKER = re.compile(
    r"[ \t]*(?P<m>[-*+•–—·▪‣◦►]|\d{1,3}(?:\.\d{1,3})*[.)]|\(?[A-Za-z]\)|\(\d{1,3}\)|[ivx]{2,4}\))"
    r"(?:[ \t]+|$)"
)
_RULE = re.compile(r"[ \t]*([-*_=~#])(?:[ \t]*\1){2,}[ \t]*$")
_TERMINAL = ".!?…:;,"


@dataclass
class Block:
    kind: str  # SENTENCE | HEADING | LIST_ITEM, or "para" (decided after parsing)
    lines: list[tuple[int, int]]  # content span of each line, without surrounding whitespace


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line's content, line breaks excluded."""
    out: list[tuple[int, int]] = []
    pos = 0
    for m in _LINE_BREAK.finditer(text):
        out.append((pos, m.start()))
        pos = m.end()
    if pos < len(text):
        out.append((pos, len(text)))
    return out


def _indent(line: str) -> int:
    width = 0
    for ch in line:
        if ch == " ":
            width += 1
        elif ch == "\t":
            width += 4 - width % 4
        else:
            break
    return width


def trim_span(text: str, s: int, e: int) -> tuple[int, int]:
    """Shrink [s, e) to exclude leading and trailing whitespace."""
    chunk = text[s:e]
    body = chunk.lstrip()
    s += len(chunk) - len(body)
    return s, s + len(body.rstrip())


def _starts_item(text: str, m: re.Match[str], cur: Block | None, end: int) -> bool:
    """Whether a line that begins with a list marker starts a list item rather than continuing."""
    if cur is None:
        return True
    marker = m.group("m")
    word = first_word(text, m.end(), end).lstrip(OPENERS).rstrip(_TERMINAL)
    ordered_dot = marker[0].isdigit() and marker.endswith(".")
    if ordered_dot and word in MONTHS:
        return False  # `3. Oktober` at the start of a wrapped line
    if cur.kind == LIST_ITEM:
        return True
    prev = text[cur.lines[-1][0] : cur.lines[-1][1]]
    prev_end = prev[-1:] if prev else ""
    if prev_end == ":" or (prev_end in tuple(".!?…") and not marker[0].isdigit()):
        return True  # a bullet after a finished sentence starts a list
    if word[:1].islower():
        return False
    if marker[0].isdigit() or marker[0] == "(" or marker.endswith(")"):
        return prev_end in tuple(".!?…")  # `1. FC Köln` after a wrapped line is no list
    return True


def _heading_like(text: str, span: tuple[int, int], max_words: int = 12) -> bool:
    """A short line of one sentence, without sentence punctuation at its end."""
    line = text[span[0] : span[1]]
    if not 1 <= len(line.split()) <= max_words:
        return False
    core = line.rstrip(CLOSERS + "*_")
    return (
        bool(core)
        and core[-1] not in _TERMINAL
        and any(ch.isalpha() for ch in line)
        and len(sentence_spans(text, span[0], span[1])) == 1
    )


def parse_blocks(text: str) -> list[Block]:
    lines = _lines(text)
    n = len(lines)
    blocks: list[Block] = []
    cur: Block | None = None  # the open paragraph or list item
    in_list = False  # inside a list: indented paragraphs after blank lines belong to its items
    prev_blank = True
    i = 0

    def line_text(k: int) -> str:
        return text[lines[k][0] : lines[k][1]]

    while i < n:
        s, e = lines[i]
        line = text[s:e]
        lead, tail = trim_span(text, s, e)
        if lead == tail:
            if cur is not None:
                blocks.append(cur)
                cur = None
            prev_blank = True
            i += 1
            continue
        ind = _indent(line)
        was_blank, prev_blank = prev_blank, False

        if _RULE.match(line):  # thematic break or setext underline
            if cur is not None:
                underline = set(line.strip()) - {" ", "\t"}
                if cur.kind == "para" and underline <= {"=", "-"} and len(cur.lines) == 1:
                    cur.kind = HEADING
                blocks.append(cur)
                cur = None
            in_list = False
            i += 1
            continue

        m = _MARKER.match(text, s, e)
        if m and _starts_item(text, m, cur, tail):
            if cur is not None:
                blocks.append(cur)
            cs = m.end()
            cur = Block(LIST_ITEM, [(cs, tail)] if cs < tail else [])
            in_list = True
            i += 1
            continue

        if cur is not None and cur.kind == LIST_ITEM:
            last = text[cur.lines[-1][0] : cur.lines[-1][1]] if cur.lines else ""
            lazy = not last.endswith(tuple(".!?…:")) and text[lead].islower()
            if ind > 0 or lazy or not cur.lines:
                cur.lines.append((lead, tail))
            else:
                blocks.append(cur)
                cur = Block("para", [(lead, tail)])
                in_list = False
        elif cur is not None:
            cur.lines.append((lead, tail))
        elif in_list and was_blank and ind > 0:
            cur = Block(LIST_ITEM, [(lead, tail)])  # a further paragraph of the last list item
        else:
            cur = Block("para", [(lead, tail)])
            in_list = False
        i += 1
    if cur is not None:
        blocks.append(cur)
    return _decide_headings(text, blocks)


def _decide_headings(text: str, blocks: list[Block]) -> list[Block]:
    """Turn undecided paragraphs into sentences or headings (plain-text heading rules)."""
    last = len(text.rstrip())
    out: list[Block] = []
    for b in blocks:
        if b.kind != "para":
            out.append(b)
            continue
        first = text[b.lines[0][0] : b.lines[0][1]]
        if len(b.lines) == 1:
            # A short line standing alone, without sentence punctuation, with text after it.
            b.kind = HEADING if b.lines[0][1] < last and _heading_like(text, b.lines[0]) else SENTENCE
            out.append(b)
            continue
        second = text[b.lines[1][0] : b.lines[1][1]]
        first_char = second.lstrip(OPENERS)[:1]
        if (
            _heading_like(text, b.lines[0], max_words=8)
            and not first.endswith("-")
            and first.split()[-1] not in LINKING_WORDS
            and 2 * len(first) <= len(second)
            and (first_char.isupper() or first_char.isdigit())
        ):
            # A title line directly above its text: short, no punctuation, much shorter than the
            # next line (a hard-wrapped sentence never leaves its first line that short).
            out.append(Block(HEADING, b.lines[:1]))
            out.append(Block(SENTENCE, b.lines[1:]))
        else:
            b.kind = SENTENCE
            out.append(b)
    return out


def line_per_sentence(text: str, block: Block) -> bool:
    """A paragraph whose lines each stand alone, not wrapped prose: one sentence per line (captions,
    subtitles, MT test sets) or a block of short lines (a letterhead, an address, a signature).

    Then every line break is a boundary, so a line without a full stop is not glued to the next
    one and the output keeps the input's lines.
    """
    if len(block.lines) >= 3:
        ends = sum(text[e - 1] in _LINE_ENDS for s, e in block.lines if e > s)
        if ends >= 0.6 * len(block.lines):
            return True
    lines = [text[s:e] for s, e in block.lines]
    return len(lines) >= 2 and all(map(_lone_line, lines)) and not any(line[:1].islower() for line in lines[1:])


def _lone_line(line: str) -> bool:
    """A short line that does not run on: no end punctuation, hyphen or linking word at its end
    (an address line, `Frau`, `Müllerstraße 16, 13353 Berlin`; not `Wir bitten Sie, die`); the
    next line must not start in lower case either."""
    words = line.split()
    return (
        0 < len(words) <= 6 and len(line) <= 45 and line[-1] not in _TERMINAL + "-–"
        and words[-1].lower() not in LINKING_WORDS
    )


_LINE_ENDS = frozenset(".!?…\"“”»«)")
