"""German-aware segmentation of documents into translatable units, with exact character offsets.

`segment` cuts a text into sentences, headings and list items (one segment = one model input).
Everything between segments ("gaps": whitespace, list markers, heading `#`s, and in markdown mode
code, link targets and HTML) is kept verbatim, so `reassemble` rebuilds the document around the
translated segments. `split_to_fit` cuts one segment that is too long for the model into parts at
clause, word and (as a last resort) character boundaries.

Design notes:

- Block structure is read line by line (paragraphs, headings, list items, rules, and in markdown
  mode fences, indented code, block quotes, tables, HTML comments, front matter); sentence
  boundaries are then found inside each block's text. Blank lines therefore always lie in gaps.
- A sentence boundary is a run of ``. ! ? …`` (plus closing quotes/brackets) followed by
  whitespace; whether it really ends a sentence is decided from the word before it (abbreviations,
  numbers, initials, Roman numerals) and the word after it (lowercase, digit, month name, a
  capitalized function word such as "Die" or "Er"). Every candidate is judged in constant time,
  so segmentation is linear in the length of the text.
- Every segment of a list item has kind ``"list_item"`` and every segment of a heading has kind
  ``"heading"`` (the kind names the block a segment belongs to, not just its first sentence).
- Plain-text headings: a paragraph of one short line (at most 12 words) without sentence
  punctuation at its end (``. ! ? … : ; ,``) and with more text after it; or a short title line
  directly above a much longer line of text. Markdown adds ATX (``#``) and setext headings.
- A list marker (``- * + • – 1. 1) a) (a)``) starts an item at the start of a block or inside a
  list; inside a wrapped paragraph only where it cannot be a wrapped word (`am` / `3. Oktober`,
  `gegen den` / `1. FC Köln`). Indented lines continue the item.
- A piece of text without any letter or digit (a lone ``.`` after a markdown link, ``---``, an
  emoji line) is never a segment: it stays in a gap, since there is nothing to translate.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Segment", "normalize_space", "reassemble", "segment", "split_to_fit"]

SENTENCE = "sentence"
HEADING = "heading"
LIST_ITEM = "list_item"


@dataclass(frozen=True)
class Segment:
    """One translatable unit: ``text == source[start:end]``."""

    start: int  # character offset of the first character in the source text
    end: int  # exclusive end offset
    text: str  # the source characters, never empty, never starting or ending with whitespace
    kind: str  # "sentence" | "heading" | "list_item"

    def as_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text, "kind": self.kind}


def normalize_space(text: str) -> str:
    """Collapse every whitespace run (newlines of hard-wrapped lines included) to one space; strip."""
    return " ".join(text.split())


def reassemble(source: str, segments: Sequence[Segment], outputs: Sequence[str]) -> str:
    """Replace each segment's span of `source` by its output; keep every gap verbatim."""
    if len(outputs) != len(segments):
        raise ValueError(f"got {len(outputs)} outputs for {len(segments)} segments")
    parts: list[str] = []
    pos = 0
    for seg, out in zip(segments, outputs):
        if seg.start < pos or seg.end < seg.start or seg.end > len(source):
            raise ValueError("segments must be sorted, non-overlapping and inside the source text")
        parts.append(source[pos : seg.start])
        parts.append(out)
        pos = seg.end
    parts.append(source[pos:])
    return "".join(parts)


# --------------------------------------------------------------------------------------------
# Word lists

_ABBREVIATIONS = frozenset(
    """
    Abb Abg Abk Abs Abschn Abt Adr allg Anh Anl Anm Apr Art Aufl Ausg Az Bd Bde Bearb bes betr
    Betr Bez Bgm Bhf Bl Bsp bsp bspw Bspw bzgl Bzgl bzw Bzw ca Ca Chr Co Corp dgl Dipl Dir Dkfm
    Doz Dr Dres dt ebd Ebd eig eigtl einschl entspr erg etc ev evtl Evtl exkl Exkl Fa Fam ff Fig
    fig Forts Fr Frl frz geb Gebr gegr gem Gem gesch gest ggf Ggf ggfs Ggfs Hbf hg Hg Hptm Hr Hrn
    Hrsg habil Inc Ing inkl Inkl insb Insb jährl Jg Jh Jhd Jhdt jr Jr jun jur Kap kath Kfm kgl
    Kl Kto lat lfd Lfg lit lt Lt Ltd Mag max med Mill min Mio Mitgl mind Mr Mrd Mrs Ms mtl
    näml Nachf nat Nr Nrn od oec österr Pfd phil Pkt pp Präs Prof Prov rd resp rer Rn röm schweiz
    sen Sen sog Sog Sr St Std Stv stv Str Tab Tel techn Tsd Univ usf usw Verf Verl vgl Vgl vlt
    Vol Vors vs wg Wwe zit zus zzgl Zzgl zz zzt Zt
    """.split()
)
# Month and weekday abbreviations, and `Art.` (Artikel), which are also ordinary words or names.
_WORDLIKE_ABBREVIATIONS = frozenset(
    "Jan Jän Feb Mär Mrz Jun Jul Aug Sep Sept Okt Nov Dez Mo Di Mi Do Sa Art".split()
)
_ABBREVIATIONS = _ABBREVIATIONS | _WORDLIKE_ABBREVIATIONS
# Abbreviations that often end a sentence: split after them when a capitalized function word follows.
_FINAL_ABBREVIATIONS = _WORDLIKE_ABBREVIATIONS | frozenset(
    "usw usf etc ff dgl Chr Jh Jhd Jhdt Mio Mrd Tsd Std min Co Corp Inc Ltd Jr Sr jr jun sen "
    "o.ä u.ä u.s.w u.v.m u.a.m e.V a.D i.R".split()
)
_MONTHS = frozenset(
    "Jan Jän Feb Mär Mrz Apr Jun Jul Aug Sep Sept Okt Nov Dez "
    "Januar Jänner Februar Feber März April Mai Juni Juli August September Oktober November "
    "Dezember".split()
)
# Capitalized function words: after a period they almost always start a new sentence.
_STARTERS = frozenset(
    """
    Der Die Das Den Dem Des Ein Eine Einer Eines Einem Einen Er Sie Es Wir Ich Ihr Man Dies Diese
    Dieser Dieses Diesem Diesen Dort Dabei Damit Danach Dann Daher Darum Dazu Deshalb Dafür
    Dagegen Demnach Denn Doch Aber Auch Und Oder So Nun Jetzt Heute Hier Da Als Wie Was Wer Wo
    Wenn Im In Am An Auf Aus Bei Mit Nach Vor Seit Für Von Vom Zum Zur Zu Laut Trotz Nicht Kein
    Keine Nur Noch Schon Bereits Zudem Außerdem Allerdings Jedoch Trotzdem Somit Also Alle Viele
    Einige Mehrere Sein Seine Ihre Unser Unsere Mein Meine Weil Ob Obwohl Während Zwar Gleichzeitig
    Inzwischen Mittlerweile Später Zuvor Damals Derzeit The This It He She They We
    """.split()
)
# Words before "N." that make N an ordinal (`der 2. Weltkrieg`, `am 3. Spieltag`).
_DETERMINERS = frozenset(
    """
    der die das den dem des am im vom zum zur beim ins ans ein eine einer eines einem einen jeder
    jede jedes jedem jeden sein seine seinem seinen seiner seines ihr ihre ihrem ihren ihrer ihres
    unser unsere unserem unseren unserer dieser diese dieses diesem diesen
    """.split()
)
# Lowercase words a title does not end with, but a hard-wrapped line may (`Er kam am` / `3. Mai`).
_LINKING_WORDS = _DETERMINERS | frozenset(
    """
    an auf aus bei bis durch für gegen in mit nach ohne seit über um unter von vor zu zwischen
    und oder aber sondern denn dass weil wenn als wie ob sowie noch auch nur nicht sich
    """.split()
)
# Nouns that typically follow an ordinal number.
_ORDINAL_NOUNS = frozenset(
    """
    Platz Rang Stock Stockwerk Etage Klasse Jahrhundert Jh Jahrhunderts Jahrtausend Weltkrieg Mal
    Runde Spieltag Liga Bundesliga Auflage Geburtstag Jahrestag Todestag Stelle Minute Halbzeit
    Kapitel Absatz Artikel Sinfonie Symphonie Stufe Grades Ordnung Quartal Semester Lebensjahr
    Bezirk Gemeindebezirk Akt Staffel Sitzung Legislaturperiode Amtszeit Durchgang Etappe Hälfte
    Generation Kreuzzug Division Hauptrunde Instanz Lesung Fall Versuch Anlauf
    """.split()
)

# --------------------------------------------------------------------------------------------
# Block structure (line based)

_LINE_BREAK = re.compile(r"\r\n|[\r\n\u2028\u2029]")
_MARKER = re.compile(
    r"[ \t]*(?P<m>[-*+•–—·▪‣◦►]|\d{1,3}(?:\.\d{1,3})*[.)]|\(?[A-Za-z]\)|\(\d{1,3}\)|[ivx]{2,4}\))"
    r"(?:[ \t]+|$)"
)
_RULE = re.compile(r"[ \t]*([-*_=~#])(?:[ \t]*\1){2,}[ \t]*$")
_FENCE = re.compile(r"[ \t]*(`{3,}|~{3,})")
_ATX = re.compile(r"[ \t]{0,3}#{1,6}(?=[ \t]|$)")
_ATX_CLOSE = re.compile(r"(?:^|[ \t]+)#+[ \t]*$")
_QUOTE = re.compile(r"[ \t]{0,3}>(?:[ \t]*>)*[ \t]?")
_REFDEF = re.compile(r"[ \t]{0,3}\[(?!\^)[^\]]+\]:[ \t]*\S")
_TABLE_SEPARATOR = re.compile(r"[ \t]*:?-+:?[ \t]*")
_TERMINAL = ".!?…:;,"


@dataclass
class _Block:
    kind: str  # SENTENCE | HEADING | LIST_ITEM, or "para" (decided after parsing)
    lines: list[tuple[int, int]]  # content span of each line, without surrounding whitespace
    whole: bool = True  # True: lines form one text run; False: each line is a run of its own


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


def _span(text: str, s: int, e: int) -> tuple[int, int]:
    """Shrink [s, e) to exclude leading and trailing whitespace."""
    chunk = text[s:e]
    body = chunk.lstrip()
    s += len(chunk) - len(body)
    return s, s + len(body.rstrip())


def _first_word(text: str, pos: int, end: int) -> str:
    m = _NONSPACE.match(text, pos, min(end, pos + 64))
    return m.group() if m else ""


def _starts_item(text: str, m: re.Match[str], cur: _Block | None, end: int) -> bool:
    """Whether a line that begins with a list marker starts a list item rather than continuing."""
    if cur is None:
        return True
    marker = m.group("m")
    word = _first_word(text, m.end(), end).lstrip(_OPENERS).rstrip(_TERMINAL)
    ordered_dot = marker[0].isdigit() and marker.endswith(".")
    if ordered_dot and word in _MONTHS:
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


def _heading_like(text: str, span: tuple[int, int], markdown: bool, max_words: int = 12) -> bool:
    """A short line of one sentence, without sentence punctuation at its end."""
    line = text[span[0] : span[1]]
    if not 1 <= len(line.split()) <= max_words:
        return False
    core = line.rstrip(_CLOSERS + "*_")
    return (
        bool(core)
        and core[-1] not in _TERMINAL
        and any(ch.isalpha() for ch in line)
        and len(_sentences(text, span[0], span[1], markdown)) == 1
    )


def _parse_blocks(text: str, markdown: bool) -> list[_Block]:
    lines = _lines(text)
    n = len(lines)
    blocks: list[_Block] = []
    cur: _Block | None = None  # the open paragraph or list item
    in_list = False  # inside a list: indented paragraphs after blank lines belong to its items
    prev_blank = True
    i = 0

    def line_text(k: int) -> str:
        return text[lines[k][0] : lines[k][1]]

    if markdown and n and line_text(0).strip() == "---":  # YAML front matter
        for j in range(1, n):
            if line_text(j).strip() in ("---", "..."):
                i = j + 1
                break

    while i < n:
        s, e = lines[i]
        line = text[s:e]
        lead, tail = _span(text, s, e)
        if lead == tail:
            if cur is not None:
                blocks.append(cur)
                cur = None
            prev_blank = True
            i += 1
            continue
        ind = _indent(line)
        was_blank, prev_blank = prev_blank, False

        if markdown:
            m = _FENCE.match(line)
            if m:
                if cur is not None:
                    blocks.append(cur)
                    cur = None
                fence = m.group(1)
                i += 1
                while i < n:
                    close = line_text(i).strip()
                    i += 1
                    if close.startswith(fence[:3]) and close == close[0] * len(close) and len(close) >= len(fence):
                        break
                in_list = in_list and ind > 0
                continue
            if text.startswith("<!--", lead):
                if cur is not None:
                    blocks.append(cur)
                    cur = None
                stop = text.find("-->", lead + 4)
                stop = len(text) if stop < 0 else stop + 3
                while i < n and lines[i][0] < stop:
                    i += 1
                continue
            if ind >= 4 and was_blank and cur is None and not in_list:  # indented code block
                while i < n and (_indent(line_text(i)) >= 4 or not line_text(i).strip()):
                    i += 1
                prev_blank = True
                continue
            if text.startswith("|", lead):  # table row: one run per cell
                if cur is not None:
                    blocks.append(cur)
                    cur = None
                cells = _table_cells(text, lead, tail)
                if cells and not all(_TABLE_SEPARATOR.fullmatch(text, a, b) for a, b in cells):
                    blocks.append(_Block(SENTENCE, [_span(text, a, b) for a, b in cells], whole=False))
                in_list = False
                i += 1
                continue
            m = _QUOTE.match(line)
            if m:  # block quote: each line on its own, since `>` markers may not enter a segment
                if cur is not None:
                    blocks.append(cur)
                    cur = None
                cs = s + m.end()
                if cs < tail:
                    mm = _MARKER.match(text, cs, tail)
                    hm = _ATX.match(text, cs, tail)
                    if mm:
                        blocks.append(_Block(LIST_ITEM, [_span(text, mm.end(), tail)]))
                    elif hm:
                        blocks.append(_Block(HEADING, [_atx_span(text, hm.end(), tail)]))
                    else:
                        blocks.append(_Block(SENTENCE, [_span(text, cs, tail)]))
                in_list = False
                i += 1
                continue
            m = _ATX.match(line)
            if m:
                if cur is not None:
                    blocks.append(cur)
                    cur = None
                blocks.append(_Block(HEADING, [_atx_span(text, s + m.end(), tail)]))
                in_list = False
                i += 1
                continue
            if _REFDEF.match(line):
                if cur is not None:
                    blocks.append(cur)
                    cur = None
                i += 1
                continue

        if _RULE.match(line):  # thematic break or setext underline
            if cur is not None:
                underline = set(line.strip()) - {" ", "\t"}
                if cur.kind == "para" and underline <= {"=", "-"} and (markdown or len(cur.lines) == 1):
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
            cur = _Block(LIST_ITEM, [(cs, tail)] if cs < tail else [])
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
                cur = _Block("para", [(lead, tail)])
                in_list = False
        elif cur is not None:
            cur.lines.append((lead, tail))
        elif in_list and was_blank and ind > 0:
            cur = _Block(LIST_ITEM, [(lead, tail)])  # a further paragraph of the last list item
        else:
            cur = _Block("para", [(lead, tail)])
            in_list = False
        i += 1
    if cur is not None:
        blocks.append(cur)
    return _decide_headings(text, blocks, markdown)


def _atx_span(text: str, s: int, e: int) -> tuple[int, int]:
    """The title of an ATX heading line, without the optional closing `#`s."""
    m = _ATX_CLOSE.search(text, s, e)
    if m:
        e = m.start()
    return _span(text, s, e)


def _table_cells(text: str, s: int, e: int) -> list[tuple[int, int]]:
    cells: list[tuple[int, int]] = []
    start = s + 1  # after the leading pipe
    k = start
    while k < e:
        ch = text[k]
        if ch == "\\":
            k += 2
            continue
        if ch == "|":
            cells.append((start, k))
            start = k + 1
        k += 1
    if start < e and text[start:e].strip():
        cells.append((start, e))
    return cells


def _decide_headings(text: str, blocks: list[_Block], markdown: bool) -> list[_Block]:
    """Turn undecided paragraphs into sentences or headings (plain-text heading rules)."""
    last = len(text.rstrip())
    out: list[_Block] = []
    for b in blocks:
        if b.kind != "para":
            out.append(b)
            continue
        first = text[b.lines[0][0] : b.lines[0][1]]
        if len(b.lines) == 1:
            # A short line standing alone, without sentence punctuation, with text after it.
            b.kind = HEADING if b.lines[0][1] < last and _heading_like(text, b.lines[0], markdown) else SENTENCE
            out.append(b)
            continue
        second = text[b.lines[1][0] : b.lines[1][1]]
        first_char = second.lstrip(_OPENERS)[:1]
        if (
            _heading_like(text, b.lines[0], markdown, max_words=8)
            and not first.endswith("-")
            and first.split()[-1] not in _LINKING_WORDS
            and 2 * len(first) <= len(second)
            and (first_char.isupper() or first_char.isdigit())
        ):
            # A title line directly above its text: short, no punctuation, much shorter than the
            # next line (a hard-wrapped sentence never leaves its first line that short).
            out.append(_Block(HEADING, b.lines[:1]))
            out.append(_Block(SENTENCE, b.lines[1:]))
        else:
            b.kind = SENTENCE
            out.append(b)
    return out


# --------------------------------------------------------------------------------------------
# Inline markdown: code spans, links, images, autolinks, HTML tags

_AUTOLINK = re.compile(r"<(?:[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*|[^\s<>@]+@[^\s<>@]+)>")
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]{0,1000})?/?>")
_LINK_DEST = re.compile(
    r"""\([ \t]*(?:<[^<>\n]*>|(?:[^\s()\\]|\\.|\([^\s()]*\))*)"""
    r"""(?:\s+(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\)))?[ \t]*\)"""
)
_LINK_REF = re.compile(r"\[[^\[\]\n]{0,999}\]")


def _inline_gaps(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """Spans inside [s, e) that markdown reserves for markup (sorted, non-overlapping)."""
    gaps: list[tuple[int, int]] = []
    if not any(c in text[s:e] for c in "`[<"):
        return gaps
    # 1. code spans (left to right; a backtick run closes at the next run of equal length)
    runs: dict[int, list[int]] = {}
    order: list[tuple[int, int]] = []
    for m in re.finditer(r"`+", text[s:e]):
        runs.setdefault(len(m.group()), []).append(s + m.start())
        order.append((s + m.start(), len(m.group())))
    code: list[tuple[int, int]] = []
    used: dict[int, int] = {}  # run length -> index of the next unused run of that length
    pos = s
    for start, length in order:
        if start < pos:
            continue
        positions = runs[length]
        k = used.get(length, 0)
        while k < len(positions) and positions[k] <= start:
            k += 1
        if k < len(positions):
            code.append((start, positions[k] + length))
            pos = positions[k] + length
            used[length] = k + 1
        else:
            used[length] = k
    in_code = bytearray(e - s)
    for a, b in code:
        in_code[a - s : b - s] = b"\x01" * (b - a)
    # 2. bracket pairs, outside code spans
    match: dict[int, int] = {}
    stack: list[int] = []
    k = s
    while k < e:
        ch = text[k]
        if in_code[k - s]:
            k += 1
            continue
        if ch == "\\":
            k += 2
            continue
        if ch == "[":
            stack.append(k)
        elif ch == "]" and stack:
            match[stack.pop()] = k
        k += 1
    # 3. links, images, autolinks, tags
    ci = 0
    k = s
    comment_closed = True
    while k < e:
        if in_code[k - s]:
            a, b = code[ci]
            while b <= k:
                ci += 1
                a, b = code[ci]
            gaps.append((a, b))
            k = b
            continue
        ch = text[k]
        if ch == "\\":
            k += 2
            continue
        if ch == "!" and k + 1 < e and text[k + 1] == "[" and (k + 1) in match:
            close = match[k + 1]
            dest = _link_tail(text, close, e)
            if dest is not None:
                gaps.append((k, dest))
                k = dest
                continue
        elif ch == "[" and k in match:
            close = match[k]
            if text.startswith("^", k + 1):  # footnote reference [^1]
                gaps.append((k, close + 1))
                k = close + 1
                continue
            dest = _link_tail(text, close, e)
            if dest is not None:
                gaps.append((k, k + 1))
                gaps.append((close, dest))
        elif ch == "<":
            m = _AUTOLINK.match(text, k, e) or _HTML_TAG.match(text, k, e)
            if m:
                gaps.append((k, m.end()))
                k = m.end()
                continue
            if comment_closed and text.startswith("<!--", k):
                stop = text.find("-->", k + 4, e)
                if stop >= 0:
                    gaps.append((k, stop + 3))
                    k = stop + 3
                    continue
                comment_closed = False
        k += 1
    gaps.sort()
    merged: list[tuple[int, int]] = []
    for a, b in gaps:
        if merged and a <= merged[-1][1]:
            if b > merged[-1][1]:
                merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged


def _link_tail(text: str, close: int, e: int) -> int | None:
    """End of `](destination "title")` or `][ref]` starting at the `]` at `close`, or None."""
    m = _LINK_DEST.match(text, close + 1, e) or _LINK_REF.match(text, close + 1, e)
    return m.end() if m else None


# --------------------------------------------------------------------------------------------
# Sentences

_OPENERS = "\"'„“”‚‘’»«([{¿¡*_"
_CLOSERS = ")]}\"'“”’‘»«"
_CANDIDATE = re.compile(r"[.!?…]+[)\]}\"'“”’‘»«]*")
_CANDIDATE_MD = re.compile(r"[.!?…]+[)\]}\"'“”’‘»«*_~]*")
_NONSPACE = re.compile(r"\S+")
_SPACE = re.compile(r"\s+")
_NUMBER = re.compile(r"\d+(?:[.,:/]\d+)*")
_ROMAN = re.compile(r"(?=[MDCLXVI])M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")
_DOTTED = re.compile(r"(?:[^\W\d_]{1,2}\.)+[^\W\d_]{1,2}")  # z.B, u.a, i.d.R, e.V, Ph.D
_LETTER = re.compile(r"[^\W\d_]")
_ALNUM = re.compile(r"[^\W_]")


def _word_before(text: str, lo: int, pos: int) -> str:
    """The non-space run that ends at `pos` (at most 64 characters, not before `lo`)."""
    k = pos
    stop = max(lo, pos - 64)
    while k > stop and not text[k - 1].isspace():
        k -= 1
    return text[k:pos]


def _kind_of(word: str) -> str:
    """Classify the word after a candidate boundary: upper, lower, digit or other."""
    core = word.lstrip(_OPENERS)
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
    return word.lstrip(_OPENERS).rstrip(_CLOSERS + ".,;:!?…*_")


def _token_before(text: str, lo: int, pos: int) -> str:
    """The word that ends before the whitespace run ending at `pos`."""
    k = pos
    stop = max(lo, pos - 64)
    while k > stop and text[k - 1].isspace():
        k -= 1
    return _word_before(text, lo, k) if k < pos else ""


def _is_boundary(text: str, lo: int, m: re.Match[str], nxt: str) -> bool:
    """Whether the punctuation run `m` (followed by whitespace, then word `nxt`) ends a sentence."""
    punct = m.group().rstrip(_CLOSERS + "*_~")
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
    core = word.lstrip(_OPENERS)
    if not core or core[-1] in _CLOSERS or len(word) >= 64:
        return True
    following = _bare(nxt)
    starter = following in _STARTERS
    if _NUMBER.fullmatch(core):
        if kind == "digit" or following in _MONTHS:
            return False  # 12. 3. 2021, am 3. Oktober
        if starter or (len(core) == 4 and core.isdigit() and 1000 <= int(core) <= 2199):
            return True  # … stammen von 2011. Die …
        if following in _ORDINAL_NOUNS:
            return False  # im 19. Jahrhundert
        before = _token_before(text, lo, m.start() - len(word))
        return before.lstrip(_OPENERS).lower() not in _DETERMINERS  # der 2. Weltkrieg
    if len(core) == 1 and _LETTER.match(core):
        # Initials, `S. 12`, `z. B.`; a lone capital before a function word may end a sentence.
        if not (core.isupper() and starter):
            return False
        before = _token_before(text, lo, m.start() - len(word))
        return not (len(before) == 2 and before[1] == "." and before[0].isalpha())
    if _DOTTED.fullmatch(core):  # z.B. u.a. i.d.R.
        return starter and core in _FINAL_ABBREVIATIONS
    key = core.rsplit("-", 1)[-1].rsplit("/", 1)[-1]  # Dipl.-Ing. Univ.-Prof.
    if core in _ABBREVIATIONS or key in _ABBREVIATIONS or (core.endswith("str") and core[0].isupper()):
        return starter and (core in _FINAL_ABBREVIATIONS or key in _FINAL_ABBREVIATIONS)
    if _ROMAN.fullmatch(core):
        before = _token_before(text, lo, m.start() - len(word)).lstrip(_OPENERS)
        if before[:1].isupper() and before.isalpha() and before not in _STARTERS:
            return starter  # Ludwig XIV. war …
    return True


def _sentences(text: str, s: int, e: int, markdown: bool) -> list[tuple[int, int]]:
    """Sentence spans inside [s, e), in order, each starting at a non-space character."""
    start = s
    while start < e and text[start].isspace():
        start += 1
    out: list[tuple[int, int]] = []
    pattern = _CANDIDATE_MD if markdown else _CANDIDATE
    for m in pattern.finditer(text, start, e):
        end = m.end()
        if end >= e or not text[end].isspace() or m.start() <= start:
            continue  # no whitespace after it, or nothing before it in this sentence
        ws = _SPACE.match(text, end, e)
        nxt_start = ws.end() if ws else end
        if nxt_start >= e:
            continue
        if _is_boundary(text, start, m, _first_word(text, nxt_start, e)):
            out.append((start, end))
            start = nxt_start
    out.append((start, e))
    return out




def _line_per_sentence(text: str, block: _Block) -> bool:
    """A paragraph of one sentence per line (captions, subtitles, MT test sets), not wrapped prose.

    Most of its lines end a sentence; then every line break is a boundary, so a line without a
    full stop is not glued to the next one and the output keeps the input's lines.
    """
    if len(block.lines) < 3:
        return False
    ends = sum(text[e - 1] in _LINE_ENDS for s, e in block.lines if e > s)
    return ends >= 0.6 * len(block.lines)


_LINE_ENDS = frozenset(".!?…\"“”»«)")


def segment(text: str, *, markdown: bool = False) -> list[Segment]:
    """Split `text` into sentence, heading and list-item segments with exact offsets.

    Segments are sorted and non-overlapping; everything between them is whitespace or structural
    markup (list markers, heading `#`s, rules, and with ``markdown=True`` code blocks, inline
    code, link targets, images and HTML), so ``reassemble(text, segs, [s.text for s in segs])``
    returns `text` unchanged. Paragraph breaks never fall inside a segment.
    """
    segments: list[Segment] = []
    for block in _parse_blocks(text, markdown):
        if not block.lines:
            continue
        if block.whole and not _line_per_sentence(text, block):
            runs = [(block.lines[0][0], block.lines[-1][1])]
        else:
            runs = block.lines
        for run_start, run_end in runs:
            if run_start >= run_end:
                continue
            pieces: list[tuple[int, int]] = []
            if markdown:  # inline code, link targets, images, HTML: gaps inside the run
                pos = run_start
                for a, b in _inline_gaps(text, run_start, run_end):
                    if a > pos:
                        pieces.append((pos, a))
                    pos = max(pos, b)
                if pos < run_end:
                    pieces.append((pos, run_end))
            else:
                pieces.append((run_start, run_end))
            for ps, pe in pieces:
                for a, b in _sentences(text, ps, pe, markdown):
                    a, b = _span(text, a, b)
                    if a < b and _ALNUM.search(text, a, b):  # else: nothing to translate
                        segments.append(Segment(a, b, text[a:b], block.kind))
    return segments


# --------------------------------------------------------------------------------------------
# Splitting a segment that is too long for the model

_CONJUNCTIONS = frozenset(
    """
    und oder aber sondern weil dass daß denn während obwohl wenn sowie sodass nachdem bevor indem
    falls wobei weshalb weswegen obgleich wohingegen
    """.split()
)
_CLAUSE_END = re.compile(r"[;:,)\].!?…]+[\"'“”’‘»«]*$")
_DASHES = frozenset("- – —".split())


@dataclass
class _Unit:
    text: str
    sep: str  # joins this unit to the one before it: " " between words, "" between character chunks
    level: int  # 0 clause, 1 word, 2 characters
    count: int | None = None


@dataclass
class _Piece:
    units: list[_Unit]
    count: int | None = None
    final: bool = False  # one character that alone exceeds the limit: emitted as it is

    def render(self) -> str:
        return self.units[0].text + "".join(u.sep + u.text for u in self.units[1:])


def _clauses(words: list[str]) -> list[str]:
    """Group words into clauses: after `;` `:` `,` `)` dashes and sentence ends, before conjunctions."""
    out: list[str] = []
    cur: list[str] = []
    for w in words:
        if cur and w in _CONJUNCTIONS:
            out.append(" ".join(cur))
            cur = []
        cur.append(w)
        if w in _DASHES or _CLAUSE_END.search(w):
            out.append(" ".join(cur))
            cur = []
    if cur:
        out.append(" ".join(cur))
    return out


def _pack(units: list[_Unit], overhead: int, limit: int) -> list[_Piece]:
    """Greedily pack consecutive units into pieces whose estimated count fits `limit`.

    A piece's count is estimated as `overhead` (the count of an empty string: special tokens)
    plus, for each unit, its own count minus `overhead`; the estimate is verified afterwards.
    """
    pieces: list[_Piece] = []
    cur: list[_Unit] = []
    est = overhead

    def flush() -> None:
        if cur:
            pieces.append(_Piece(list(cur), cur[0].count if len(cur) == 1 else None))
            cur.clear()

    for u in units:
        assert u.count is not None
        if u.count > limit:
            flush()
            pieces.append(_Piece([u], u.count))
            est = overhead
            continue
        add = max(u.count - overhead, 0)
        if cur and est + add > limit:
            flush()
            est = overhead
        cur.append(u)
        est += add
    flush()
    return pieces


def _halves(piece: _Piece, overhead: int) -> list[_Piece]:
    weights = [max((u.count or len(u.text)) - overhead, 1) for u in piece.units]
    half = sum(weights) / 2
    acc = 0
    cut = 1
    for k, w in enumerate(weights[:-1], start=1):
        acc += w
        cut = k
        if acc >= half:
            break
    return [_Piece(piece.units[:cut]), _Piece(piece.units[cut:])]


def _chunks(unit: _Unit, overhead: int, limit: int) -> list[_Piece]:
    """Cut one word (or chunk) into character chunks sized from its measured token density."""
    text = unit.text
    assert unit.count is not None
    per_char = max(unit.count - overhead, 1) / len(text)
    size = int((limit - overhead) / per_char * 0.9)
    size = max(1, min(size, (len(text) + 1) // 2))
    return [
        _Piece([_Unit(text[k : k + size], unit.sep if k == 0 else "", 2)])
        for k in range(0, len(text), size)
    ]


def split_to_fit(text: str, count_tokens: Callable[[list[str]], list[int]], limit: int) -> list[str]:
    """Split `text` into whitespace-normalized parts that each count at most `limit` tokens.

    `count_tokens` maps a batch of strings to their token counts as the model sees them; it is
    called with batches, a handful of times. Parts break preferably at clause boundaries (after
    ``; : , )`` and dashes, before conjunctions such as "und", "weil", "dass"), packing as many
    clauses per part as fit; a clause too long on its own is cut into word windows, a word too
    long on its own into character chunks. No non-whitespace character is ever dropped: the
    parts hold the non-whitespace characters of `text` in order. Whitespace-only text gives [].
    A single character that alone exceeds `limit` is returned as a part of its own.
    """
    if limit < 2:
        raise ValueError(f"limit must be at least 2 tokens, got {limit}")

    def counts(batch: list[str]) -> list[int]:
        result = [int(c) for c in count_tokens(batch)]
        if len(result) != len(batch):
            raise ValueError(f"count_tokens returned {len(result)} counts for {len(batch)} texts")
        return result

    norm = normalize_space(text)
    if not norm:
        return []
    if counts([norm])[0] <= limit:
        return [norm]
    clauses = _clauses(norm.split(" "))
    overhead, *clause_counts = counts(["", *clauses])
    pieces = _pack([_Unit(c, " ", 0, n) for c, n in zip(clauses, clause_counts)], overhead, limit)

    for _ in range(200):
        unknown = [p for p in pieces if p.count is None]
        if unknown:
            for p, n in zip(unknown, counts([p.render() for p in unknown])):
                p.count = n
                if len(p.units) == 1:
                    p.units[0].count = n
        over = [p for p in pieces if p.count is not None and p.count > limit and not p.final]
        if not over:
            break
        # Clauses that must become word windows: count all their words in one batch.
        exploding = [p for p in over if len(p.units) == 1 and p.units[0].level == 0 and " " in p.units[0].text]
        word_lists = [p.units[0].text.split(" ") for p in exploding]
        flat = [w for ws in word_lists for w in ws]
        flat_counts = iter(counts(flat)) if flat else iter(())
        windows = {
            id(p): _pack([_Unit(w, " ", 1, next(flat_counts)) for w in ws], overhead, limit)
            for p, ws in zip(exploding, word_lists)
        }
        new: list[_Piece] = []
        for p in pieces:
            assert p.count is not None
            if p.count <= limit or p.final:
                new.append(p)
            elif id(p) in windows:
                new.extend(windows[id(p)])
            elif len(p.units) > 1:
                new.extend(_halves(p, overhead))
            elif len(p.units[0].text) > 1:
                new.extend(_chunks(p.units[0], overhead, limit))
            else:
                p.final = True
                new.append(p)
        pieces = new
    return [p.render() for p in pieces]
