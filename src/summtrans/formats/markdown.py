"""Markdown ⇄ translated markdown, read with markdown-it-py (CommonMark, tables, strikethrough,
footnotes, front matter).

Each block with inline content (paragraph, heading, table cell, footnote) is one unit: its text
without markup, so that a sentence reaches the model whole whatever formatting it holds, and spans
for emphasis, strong, strikethrough, links (the target is never sent to the model), autolinks and
inline code (kept in the text with its backticks, so the faithful layer masks it). Images, inline
HTML, footnote marks and hard breaks are anchors, written back as they were between the same words.
An HTML block's texts are read and written back by the HTML backend. Code blocks, front matter and
link reference definitions are not units and stay as they are. Writing splices each translated unit
into the original source in place of its inline content; a unit that comes back unchanged keeps its
source bytes, so an echo round trip is byte-identical.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..errors import InputError
from ..segment import normalize_space
from .base import Extracted, FormatBackend, Span, Unit
from .inline import cut_points, has_letters

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Markup:
    """Span.style for markdown: the span's kind and its delimiters as the source wrote them."""

    kind: str  # em | strong | s | link | autolink | code
    open: str  # "*", "**", "[", "<", "`"…
    close: str  # "*", "](https://… \"title\")", "][ref]", ">", "`"…


@dataclass
class _Located:
    """Where a unit's inline content is in the source, and what is not text in it."""

    start: int  # offset of the content in the source text
    end: int
    anchors: list[tuple[int, str]] = field(default_factory=list)  # (offset in unit text, raw markup)
    cell: bool = False  # a table cell: `|` must be escaped


@dataclass
class _HtmlBlock:
    """An HTML block with text: its units are the HTML backend's, written back by it."""

    start: int  # the block's offsets in the source text
    end: int
    extracted: Extracted  # the HTML backend's reading of the block


@dataclass
class _State:
    source: str  # the decoded markdown document
    located: list[_Located | _HtmlBlock]  # in document order: one unit each, or an HTML block's units


class MarkdownBackend(FormatBackend):
    """``.md``/``.markdown`` ⇄ translated markdown with the same structure and markup."""

    name: ClassVar[str] = "markdown"
    suffixes: ClassVar[tuple[str, ...]] = ()  # text is read by `formats.document`; see MARKDOWN_SUFFIXES
    output_suffix: ClassVar[str] = ".md"

    def read(self, data: bytes, source: str) -> Extracted:
        from .document import decode_bytes

        return self.read_text(decode_bytes(data, source)[0], source)

    def read_text(self, text: str, source: str) -> Extracted:
        """The units of an already decoded markdown document."""
        try:
            tokens = _parser().parse(text)
        except RecursionError:
            raise InputError(source, "markdown nested too deeply") from None
        lines = _line_starts(text)
        units: list[Unit] = []
        located: list[_Located | _HtmlBlock] = []
        roles = ["paragraph"]  # the role of the innermost list, quote or footnote around a block
        for k, tok in enumerate(tokens):
            if tok.type in _ROLES:
                roles.append(_ROLES[tok.type])
            elif tok.type.replace("_close", "_open") in _ROLES:
                roles.pop()
            if tok.type == "html_block" and tok.map:
                start, end = lines[tok.map[0]], _line_end(text, lines, tok.map[1] - 1)
                block = _html_block(text[start:end], start, source)
                if block is not None:
                    units += block.extracted.units
                    located.append(block)
                continue
            if tok.type == "tr_open" and tok.map:
                cells = _cells(text, lines[tok.map[0]], _line_end(text, lines, tok.map[0]))
                inlines = [t for t in _row_tokens(tokens, k) if t.type == "inline"]
                for (a, b), inline in zip(cells, inlines):
                    _add(units, located, inline.children or [], text[a:b], a, "cell", True)
                continue
            if tok.type != "inline" or not tok.map or tokens[k - 1].type not in ("paragraph_open", "heading_open"):
                continue
            span = _content_span(text, lines, tok.map, tok.content, tokens[k - 1])
            if span is None:  # never translate what cannot be put back
                log.warning("%s: line %d: cannot place this block's text; left untranslated", source, tok.map[0] + 1)
                continue
            kind = "heading" if tokens[k - 1].type == "heading_open" else roles[-1]
            _add(units, located, tok.children or [], text[span[0] : span[1]], span[0], kind, False)
        title = next((u.text for u in units if u.role == "heading"), None)
        return Extracted(units=units, state=_State(text, located), title=title, markdown=text)

    def write(self, extracted: Extracted, translated: list[Unit]) -> bytes:
        state: _State = extracted.state
        if len(translated) != len(extracted.units):
            raise ValueError(f"expected {len(extracted.units)} translated units, got {len(translated)}")
        out, pos, i = [], 0, 0
        for where in state.located:
            n = len(where.extracted.units) if isinstance(where, _HtmlBlock) else 1
            olds, news, i = extracted.units[i : i + n], translated[i : i + n], i + n
            if all(_unchanged(old, new) for old, new in zip(olds, news)):
                continue
            out.append(state.source[pos : where.start])
            if isinstance(where, _HtmlBlock):
                out.append(_html().write(where.extracted, news).decode("utf-8"))
            else:
                out.append(_render(olds[0], news[0], where))
            pos = where.end
        out.append(state.source[pos:])
        return "".join(out).encode("utf-8")

    def to_text(self, extracted: Extracted) -> str:
        return extracted.markdown if extracted.markdown is not None else extracted.state.source


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------

_ROLES = {"bullet_list_open": "list_item", "ordered_list_open": "list_item", "footnote_open": "note",
          "blockquote_open": "quote"}
_parsers: list[Any] = []


def _parser() -> Any:
    if not _parsers:
        from markdown_it import MarkdownIt
        from mdit_py_plugins.footnote import footnote_plugin
        from mdit_py_plugins.front_matter import front_matter_plugin

        md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
        _parsers.append(md.use(footnote_plugin).use(front_matter_plugin))
    return _parsers[0]


def _html() -> Any:
    from .registry import backend_for

    return backend_for("html")


def _html_block(raw: str, start: int, source: str) -> _HtmlBlock | None:
    """An HTML block's units (its paragraphs, cells, alt texts), None when it has no text (a
    comment, a script, an empty tag)."""
    try:
        extracted = _html().read(raw.encode("utf-8"), source)
    except InputError:
        return None
    return _HtmlBlock(start, start + len(raw), extracted) if extracted.units else None


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for m in re.finditer("\n", text):
        starts.append(m.end())
    return starts


def _line_end(text: str, lines: list[int], i: int) -> int:
    return lines[i + 1] - 1 if i + 1 < len(lines) else len(text)


_ATX_CLOSE = re.compile(r"[ \t]+#+[ \t]*$|^#+[ \t]*$")


def _content_span(text: str, lines: list[int], where: list[int], content: str, block: Any) -> tuple[int, int] | None:
    """The source offsets of a paragraph's or heading's inline content: each content line is the
    end of its source line (after indentation, `>`, list markers, a footnote label…)."""
    parts = content.split("\n")
    first, last = where[0], where[0] + len(parts) - 1
    if last >= len(lines):
        return None
    bounds = []
    for i, part in zip(range(first, last + 1), parts):
        line = text[lines[i] : _line_end(text, lines, i)].rstrip()
        if block.type == "heading_open" and block.markup.startswith("#"):
            line = _ATX_CLOSE.sub("", line) if not line.endswith(part.rstrip()) else line
        part = part.strip()  # leading whitespace of a content line may be a tab the parser expanded
        if not line.endswith(part):
            return None
        bounds.append((lines[i] + len(line) - len(part), lines[i] + len(line)))
    return bounds[0][0], bounds[-1][1]


def _cells(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The source offsets of a table row's cells, trimmed (pipes escaped with `\\` stay in cells)."""
    row = text[start:end]
    bars = [m.start() for m in re.finditer(r"(?<!\\)\|", row)]
    edges = [-1, *bars, len(row)]
    cells = []
    for a, b in zip(edges, edges[1:]):
        piece = row[a + 1 : b]
        if (a == -1 and not piece.strip()) or (b == len(row) and not piece.strip()):
            continue  # outside the leading or trailing pipe
        lead = len(piece) - len(piece.lstrip())
        cells.append((start + a + 1 + lead, start + a + 1 + len(piece.rstrip())))
    return cells


def _row_tokens(tokens: list[Any], k: int) -> list[Any]:
    out = []
    for tok in tokens[k + 1 :]:
        if tok.type == "tr_close":
            break
        out.append(tok)
    return out


def _add(units: list[Unit], located: list[_Located], children: list[Any], raw: str, offset: int, role: str,
         cell: bool) -> None:
    flat = _flatten(children, raw)
    if flat is None:
        log.warning("markdown: cannot read the inline markup of %r; left untranslated", raw[:60])
        return
    if not has_letters(_prose(*flat[:2])):
        return  # all code: left as written
    text, spans, anchors = flat
    units.append(Unit(text, tuple(spans), role))
    located.append(_Located(offset, offset + len(raw), anchors, cell))


def _prose(text: str, spans: list[Span]) -> str:
    """The unit text without its code spans (text that is all code is not translated)."""
    chars = list(text)
    for s in spans:
        if s.style.kind in ("code", "autolink"):
            chars[s.start : s.end] = " " * (s.end - s.start)
    return "".join(chars)


_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_SPACE_NEWLINE = re.compile(r"[ \t]*\n[ \t]*")
_HARD_BREAK = re.compile(r"(?: {2,}|\\)\n[ \t]*")


class _Misaligned(Exception):
    """The tokens do not line up with the source (then the unit is not translated)."""


def _flatten(children: list[Any], raw: str) -> tuple[str, list[Span], list[tuple[int, str]]] | None:
    """A unit's text, spans and anchors from the inline tokens, with each delimiter as written in
    `raw` (the block's inline source), or in CommonMark's plain form where the tokens cannot be
    lined up with the source. None for a construct this module does not know."""
    for source in (raw, None):
        try:
            return _Flattener(source).run(children)
        except _Misaligned:
            continue
    return None


class _Flattener:
    """Walks the inline tokens; `raw` None: delimiters in plain form instead of as written."""

    def __init__(self, raw: str | None) -> None:
        self.raw, self.p = raw, 0
        self.text = ""
        self.spans: list[Span] = []
        self.anchors: list[tuple[int, str]] = []
        self.open: list[tuple[int, str, str, Any]] = []  # (start, kind, open markup, link_open token)

    def run(self, children: list[Any]) -> tuple[str, list[Span], list[tuple[int, str]]]:
        skip = 0
        for tok in children:
            if skip:
                skip -= 1
                continue
            skip = self._token(tok)
        if self.open or (self.raw is not None and self.raw[self.p :].strip()):
            raise _Misaligned
        return self.text, sorted(self.spans, key=lambda s: (s.start, -s.end)), self.anchors

    def _token(self, tok: Any) -> int:
        t = tok.type
        if t == "text":
            self._text(tok.content)
        elif t == "softbreak":
            self._expect(_SPACE_NEWLINE, " ")
            self.text += " "
        elif t == "hardbreak":  # between the same words: after the space, so not glued to the word before
            self.text += " "
            self.anchors.append((len(self.text), self._expect(_HARD_BREAK, "\\\n")))
        elif t == "code_inline":
            start = len(self.text)
            self.text += self._code(tok)
            self.spans.append(Span(start, len(self.text), Markup("code", self.text[start:], "")))
        elif t in ("em_open", "strong_open", "s_open"):
            self.open.append((len(self.text), t[:-5], self._literal(tok.markup), None))
        elif t in ("em_close", "strong_close", "s_close"):
            self._close(t[:-6], self._literal(tok.markup))
        elif t == "link_open" and tok.markup == "autolink":
            url, start = self._autolink(tok), len(self.text)
            self.text += url
            self.spans.append(Span(start, len(self.text), Markup("autolink", "<", ">"), tok.attrGet("href")))
            return 2  # its text and link_close
        elif t == "link_open":
            self.open.append((len(self.text), "link", self._literal("["), tok))
        elif t == "link_close":
            self._close("link", self._link_tail(self.open[-1][3] if self.open else None))
        elif t == "image":
            self.anchors.append((len(self.text), self._image(tok)))
        elif t == "html_inline":
            self.anchors.append((len(self.text), self._literal(tok.content)))
        elif t == "footnote_ref":
            self.anchors.append((len(self.text), self._footnote(tok)))
        else:
            raise _Misaligned
        return 0

    # Each step consumes its part of `raw` and returns it; without `raw`, the plain form.

    def _text(self, content: str) -> None:
        self.text += content
        if self.raw is None:
            return
        raw = self.raw
        for ch in content:
            m = _ENTITY.match(raw, self.p) if raw.startswith("&", self.p) else None
            if m is not None and html.unescape(m.group()) == ch:
                self.p = m.end()
            elif raw.startswith(ch, self.p):
                self.p += 1
            elif raw.startswith("\\" + ch, self.p):
                self.p += 2
            else:
                raise _Misaligned

    def _literal(self, markup: str) -> str:
        if self.raw is None:
            return markup
        if not self.raw.startswith(markup, self.p):
            raise _Misaligned
        self.p += len(markup)
        return markup

    def _expect(self, pattern: re.Pattern[str], plain: str) -> str:
        if self.raw is None:
            return plain
        m = pattern.match(self.raw, self.p)
        if m is None:
            raise _Misaligned
        self.p = m.end()
        return m.group()

    def _code(self, tok: Any) -> str:
        ticks = tok.markup
        if self.raw is None:
            pad = " " if tok.content.startswith("`") or tok.content.endswith("`") else ""
            return f"{ticks}{pad}{tok.content}{pad}{ticks}"
        start = self.p
        self._literal(ticks)
        for m in re.finditer("`+", self.raw[self.p :]):
            if len(m.group()) == len(ticks):
                self.p += m.end()
                return self.raw[start : self.p]
        raise _Misaligned

    def _autolink(self, tok: Any) -> str:
        if self.raw is None:
            return tok.attrGet("href")
        end = self.raw.find(">", self.p)
        if not self.raw.startswith("<", self.p) or end < 0:
            raise _Misaligned
        url, self.p = self.raw[self.p + 1 : end], end + 1
        return url

    def _close(self, kind: str, markup: str) -> None:
        if not self.open or self.open[-1][1] != kind:
            raise _Misaligned
        start, _, opened, link = self.open.pop()
        self.spans.append(Span(start, len(self.text), Markup(kind, opened, markup),
                               link.attrGet("href") if link is not None else None))

    def _image(self, tok: Any) -> str:
        if self.raw is None:
            title = tok.attrGet("title")
            return f"![{tok.content}]({tok.attrGet('src')}{_title(title)})"
        start = self.p
        self._literal("![")
        self._bracketed()
        return self.raw[start : self.p] + self._link_tail(None, after_bracket=True)

    def _footnote(self, tok: Any) -> str:
        if self.raw is None:
            return f"[^{tok.meta['label']}]"
        start = self.p
        self._literal("[^")
        self._bracketed()
        return self.raw[start : self.p]

    def _bracketed(self) -> None:
        """Up to and including the `]` that closes the `[` just passed."""
        depth = 0
        while self.p < len(self.raw):
            ch = self.raw[self.p]
            self.p += 2 if ch == "\\" else 1
            if ch == "[":
                depth += 1
            elif ch == "]":
                if depth == 0:
                    return
                depth -= 1
        raise _Misaligned

    def _link_tail(self, link: Any, after_bracket: bool = False) -> str:
        """`](destination "title")`, `][label]`, `][]` or `]` at the cursor, as written."""
        if self.raw is None:
            return f"]({link.attrGet('href')}{_title(link.attrGet('title'))})" if link is not None else "]"
        from markdown_it.helpers import parseLinkDestination, parseLinkTitle

        start = self.p
        if not after_bracket:
            self._literal("]")
        raw, end = self.raw, len(self.raw)
        if raw.startswith("(", self.p):
            p = _skip_space(raw, self.p + 1)
            dest = parseLinkDestination(raw, p, end)
            if dest.ok:
                p = _skip_space(raw, dest.pos)
                title = parseLinkTitle(raw, p, end)
                if title.ok and title.pos > p:
                    p = _skip_space(raw, title.pos)
            if raw.startswith(")", p):
                self.p = p + 1
                return raw[start : self.p]
        if raw.startswith("[", self.p):
            close = raw.find("]", self.p)
            if close >= 0:
                self.p = close + 1
        return raw[start : self.p]


def _title(title: str | None) -> str:
    return f' "{title}"' if title else ""


def _skip_space(raw: str, p: int) -> int:
    while p < len(raw) and raw[p] in " \t\n":
        p += 1
    return p


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def _unchanged(old: Unit, new: Unit) -> bool:
    """The same words and formatting (whitespace aside): the source is kept byte for byte."""
    if normalize_space(old.text) != normalize_space(new.text) or len(old.spans) != len(new.spans):
        return False
    return all(
        a.style == b.style and normalize_space(old.text[a.start : a.end]) == normalize_space(new.text[b.start : b.end])
        for a, b in zip(old.spans, new.spans)
    )


def _render(old: Unit, new: Unit, where: _Located) -> str:
    """The translated unit as markdown: escaped text, the spans' delimiters as the source wrote
    them (crossing spans are closed and reopened), anchors between the same words."""
    text = new.text.strip()
    lead = len(new.text) - len(new.text.lstrip())
    spans = [Span(max(s.start - lead, 0), min(s.end - lead, len(text)), s.style, s.link) for s in new.spans]
    # an autolink that fell back onto other words than its address is no autolink any more
    spans = [s for s in spans if s.start < s.end and (s.style.kind != "autolink" or text[s.start : s.end] == s.link)]
    cuts = cut_points(old.text, text, [pos for pos, _ in where.anchors]) if where.anchors else []
    anchors = sorted(((cut, raw) for (cut, _), (_, raw) in zip(cuts, where.anchors)), key=lambda a: a[0])
    events = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans), *(a for a, _ in anchors)})
    out: list[str] = []
    stack: list[Span] = []
    for a, b in zip(events, [*events[1:], None]):
        # close what ends here (reopening spans that end later, which crossing forces closed)
        ending = [s for s in stack if s.end <= a]
        if ending:
            depth = min(stack.index(s) for s in ending)
            reopen = [s for s in stack[depth:] if s.end > a]
            for s in reversed(stack[depth:]):
                out.append(s.style.close)
            stack = stack[:depth]
            for s in reopen:
                out.append(s.style.open)
                stack.append(s)
        out.extend(raw for pos, raw in anchors if pos == a)
        if b is None:
            break
        for s in sorted((s for s in spans if s.start == a), key=lambda s: -s.end):
            if s.style.kind == "code":
                continue
            out.append(s.style.open)
            stack.append(s)
        code = next((s for s in spans if s.style.kind == "code" and s.start <= a and b <= s.end), None)
        piece = text[a:b]
        if code is not None and text[code.start : code.end] == code.style.open:
            out.append(piece)  # inline code found verbatim: as written
        elif any(s.style.kind == "autolink" for s in stack):
            out.append(piece)
        else:
            out.append(_escape(piece, at_start=a == 0, cell=where.cell))
    return "".join(out)


_SPECIAL = re.compile(r"([\\`*\[\]])|(?<![\w])_|_(?![\w])|<(?=[A-Za-z/!?])|&(?=#?\w+;)")
_LINE_START = re.compile(r"(#{1,6}(?=[ \t]|$)|[-+*>=](?=[ \t]|$)|\d{1,9}(?=[.)](?:[ \t]|$)))")


def _escape(text: str, *, at_start: bool, cell: bool) -> str:
    """Plain translated text made safe to stand in markdown (no markup created by accident)."""
    text = _SPECIAL.sub(lambda m: "&amp;" if m.group() == "&" else "\\" + m.group(), text)
    if cell:
        text = text.replace("|", "\\|")
    if at_start:
        m = _LINE_START.match(text)
        if m:
            text = text[: m.end()] + "\\" + text[m.end() :] if m.group()[0].isdigit() else "\\" + text
    return text
