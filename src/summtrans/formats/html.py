"""HTML and XHTML: block elements are units, inline elements inside them are spans; the rest of the
file is written back byte for byte.

A unit is a maximal run of inline content (text, ``b``, ``a``, ``span``…) inside a block element
(``p``, ``li``, ``td``, ``h1``…), so the model sees whole sentences. ``alt``, ``title`` and
``placeholder`` attributes are units of their own; ``script``, ``style``, ``pre`` and ``code`` are
left untouched (inline ``code`` inside a sentence is part of its text for the model, and is written
back with its original content where its span was placed). ``<html lang>`` (and ``xml:lang``)
becomes ``en``.

The document is tokenized by the standard library's ``html.parser``, which reads XHTML syntax too
(``<?xml …?>``, ``<br />``, ``<a id="x"/>``, CDATA), into a small tree whose every node knows the
stretch of the source it came from. Writing splices: a translated run's stretch is replaced by new
markup (its inline start tags and untouched nodes copied from the source), a translated attribute's
value by the new value, and every other byte stays as it was, in the document's own encoding. So
an identity translation gives the input back (``lang`` aside), XHTML stays well-formed XML, and
nothing is re-serialized (attribute order, ``<hr />``, ``&#160;``, the XML declaration).

The tree also serves epub.py, which splices its XHTML chapters the same way (`build_tree`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import ClassVar

from summtrans.errors import InputError

from .base import Extracted, FormatBackend, Span, Unit
from .inline import cut_points

__all__ = [
    "Element", "HtmlBackend", "InlineTag", "Other", "Text", "attribute_edits", "build_tree", "same_words", "splice"
]

BLOCK_TAGS = frozenset(
    "address article aside blockquote body caption center dd details dialog dir div dl dt fieldset "
    "figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html legend li main menu nav "
    "ol optgroup option p section summary table tbody td tfoot th thead title tr ul button".split()
)
INLINE_TAGS = frozenset(
    "a abbr acronym b bdi bdo big cite data del dfn em font i ins kbd label mark nobr q s samp "
    "small span strike strong sub sup time tt u var code".split()
)
SKIP_TAGS = frozenset("script style pre template svg math textarea iframe object canvas head".split())
BOUNDARY_TAGS = frozenset({"br", "pre", "head", "template"})  # end a run, never part of one
PROTECTED_INLINE = frozenset({"code", "kbd", "samp"})  # written back with their original content
TRANSLATED_ATTRIBUTES = ("alt", "title", "placeholder")
VOID_TAGS = frozenset(
    "area base basefont bgsound br col command embed frame hr img input keygen link meta param source track wbr".split()
)
_ROLES = {**{f"h{n}": "heading" for n in range(1, 7)}, "td": "cell", "th": "cell", "title": "title"}
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
Edit = tuple[int, int, str]  # replace text[from:to] with this (an insertion where from == to)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff", b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True)
class InlineTag:
    """Span.style for HTML: which inline element of the unit (preorder index) the span came from."""

    index: int  # position in the run's list of inline elements
    name: str  # the tag name, for readers of the units (``b``, ``a``…)


# --------------------------------------------------------------------------------------------
# The tree: nodes that know where they came from
# --------------------------------------------------------------------------------------------


@dataclass(eq=False)
class Text:
    """Character data, entities resolved; [start, end) is its stretch of the source."""

    text: str
    start: int
    end: int = -1


@dataclass(eq=False)
class Other:
    """A comment, processing instruction, declaration or CDATA section: only ever copied."""

    start: int
    end: int = -1


@dataclass(eq=False)
class Element:
    """An element: its start tag is [start, tag_end), its content [tag_end, inner_end), and
    [inner_end, end) its end tag (empty when the end tag was left out or the tag closed itself)."""

    name: str  # lower case, as html.parser gives it (``xml:lang`` style prefixes kept)
    attrs: dict[str, str]  # the first value of each attribute, entities resolved
    start: int
    tag_end: int
    written: str = ""  # the tag name as the source spells it, for end tags
    # attribute → its value's stretch, quotes included; None: the start tag is rewritten whole
    values: dict[str, tuple[int, int]] | None = None
    children: list[Element | Text | Other] = field(default_factory=list)
    inner_end: int = -1
    end: int = -1

    def get(self, name: str) -> str | None:
        return self.attrs.get(name)

    def iter(self) -> Iterator[Element]:
        """This element and every element below it, in document order."""
        stack = [self]
        while stack:
            el = stack.pop()
            yield el
            stack.extend(c for c in reversed(el.children) if isinstance(c, Element))

    def find(self, names: frozenset[str] | str) -> Element | None:
        """The first element below this one named in `names` (a set, or one name)."""
        names = frozenset({names}) if isinstance(names, str) else names
        return next((el for el in self.iter() if el is not self and el.name in names), None)

    def text(self) -> str:
        """The text below this element (comments and CDATA left out)."""
        out, stack = [], list(reversed(self.children))
        while stack:
            node = stack.pop()
            if isinstance(node, Text):
                out.append(node.text)
            elif isinstance(node, Element):
                stack.extend(reversed(node.children))
        return "".join(out)


# html.parser's own scan of a start tag (Python 3.11), repeated here to find where each value is.
_TAG_NAME = re.compile(r"<([a-zA-Z][^\t\n\r\f />\x00]*)(?:\s|/(?!>))*")
_ATTRIBUTE = re.compile(
    r"((?<=['\"\s/])[^\s/>][^\s/=>]*)(\s*=+\s*('[^']*'|\"[^\"]*\"|(?!['\"])[^>\s]*))?(?:\s|/(?!>))*"
)


class _Builder(HTMLParser):
    """Builds the tree from html.parser's events; each node's stretch ends where the next event begins."""

    def __init__(self, text: str, xml: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.source, self.xml = text, xml
        self.lines = [0, *(m.end() for m in re.finditer("\n", text))]
        self.root = Element("[document]", {}, 0, 0)
        self.stack = [self.root]
        self.pending: Element | Text | Other | None = None  # its end is the next event's start

    def _at(self) -> int:
        line, column = self.getpos()
        pos = self.lines[line - 1] + column
        if self.pending is not None:
            self.pending.end = pos
            self.pending = None
        return pos

    def _add(self, node: Element | Text | Other) -> None:
        self.stack[-1].children.append(node)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open(tag, attrs, closed=not self.xml and tag in VOID_TAGS)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open(tag, attrs, closed=True)

    def _open(self, tag: str, attrs: list[tuple[str, str | None]], closed: bool) -> None:
        start = self._at()
        raw = self.get_starttag_text() or ""
        values: dict[str, str] = {}
        for name, value in attrs:
            values.setdefault(name, value or "")
        el = Element(tag, values, start, start + len(raw))
        el.written, el.values = _scan(raw, start, [name for name, _ in attrs])
        self._add(el)
        if closed:
            el.inner_end = el.end = el.tag_end
        else:
            self.stack.append(el)

    def handle_endtag(self, tag: str) -> None:
        pos = self._at()
        depth = next((d for d in range(len(self.stack) - 1, 0, -1) if self.stack[d].name == tag), None)
        if depth is None:
            return  # a stray end tag: ignored, as browsers do
        for el in self.stack[depth + 1 :]:  # elements left open end where their parent's end tag begins
            el.inner_end = el.end = pos
        self.stack[depth].inner_end = pos
        self.pending = self.stack[depth]
        del self.stack[depth:]

    def handle_data(self, data: str) -> None:
        was = self.pending
        pos = self._at()
        last = self.stack[-1].children[-1] if self.stack[-1].children else None
        if isinstance(last, Text) and last is was:  # html.parser may cut one text in pieces
            last.text += data
        else:
            last = Text(data, pos)
            self._add(last)
        self.pending = last

    def _other(self, *_: object) -> None:
        node = Other(self._at())
        self._add(node)
        self.pending = node

    handle_comment = handle_decl = handle_pi = unknown_decl = _other

    def parse_marked_section(self, i: int, report: int = 1) -> int:
        try:
            return super().parse_marked_section(i, report)
        except AssertionError:  # <![unknown[ … : a bogus comment, as in HTML5
            return self.parse_bogus_comment(i)

    def finish(self) -> Element:
        self.close()
        end = len(self.source)
        if self.pending is not None:
            self.pending.end = end
        for el in self.stack[1:]:
            el.inner_end = el.end = end
        self.root.inner_end = self.root.end = end
        return self.root


def _scan(raw: str, start: int, names: list[str]) -> tuple[str, dict[str, tuple[int, int]] | None]:
    """The tag name as written and where each attribute's value is (first occurrence), or None
    when this scan does not find the attributes html.parser found."""
    match = _TAG_NAME.match(raw)
    if match is None:
        return "", None
    values: dict[str, tuple[int, int]] = {}
    found, k = [], match.end()
    while k < len(raw):
        m = _ATTRIBUTE.match(raw, k)
        if not m:
            break
        name = m.group(1).lower()
        found.append(name)
        if m.group(2) and name not in values:
            values[name] = (start + m.start(3), start + m.end(3))
        k = m.end()
    return match.group(1), (values if found == names else None)


def build_tree(text: str, xml: bool = False) -> Element:
    """The document's tree; `xml`: no HTML void elements (only ``/>`` closes a tag at once)."""
    builder = _Builder(text, xml)
    builder.feed(text)
    return builder.finish()


def decode(data: bytes) -> tuple[str, str, bytes, str]:
    """(text, codec, byte-order mark, error handler) such that ``bom + text.encode(codec,
    errors)`` gives `data` back; the codec is the one the document declares or that fits."""
    from bs4 import UnicodeDammit

    bom = next((b for b in _BOMS if data.startswith(b)), b"")
    dammit = UnicodeDammit(data, is_html=True)
    text, codec = dammit.unicode_markup, dammit.original_encoding
    if text is not None and codec and not dammit.contains_replacement_characters:
        try:
            if text.encode(codec) == data[len(bom) :]:
                return text, codec, bom, "xmlcharrefreplace"
        except (LookupError, UnicodeError):
            pass
    return data.decode("utf-8", "surrogateescape"), "utf-8", b"", "surrogateescape"


# --------------------------------------------------------------------------------------------
# Splicing: new markup into the original text
# --------------------------------------------------------------------------------------------


def escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quoted(value: str, quote: str = '"') -> str:
    """An attribute value, quoted (``'`` kept where the source used it)."""
    quote = "'" if quote == "'" else '"'
    return quote + escape_text(value).replace(quote, "&quot;" if quote == '"' else "&#39;") + quote


def splice(text: str, edits: list[Edit], start: int = 0, end: int | None = None) -> str:
    """text[start:end] with each edit (from, to, replacement) inside that stretch applied (an
    insertion has from == to). An edit inside another one is left out: the outer replacement
    already says what that stretch becomes."""
    end = len(text) if end is None else end
    out, pos = [], start
    for a, b, new in sorted((e for e in edits if start <= e[0] and e[1] <= end), key=lambda e: (e[0], -e[1])):
        if a < pos:
            continue
        out.append(text[pos:a])
        out.append(new)
        pos = b
    out.append(text[pos:end])
    return "".join(out)


def attribute_edits(text: str, element: Element, changes: dict[str, str]) -> list[Edit]:
    """Edits that set attributes of `element` (an attribute it lacks is added after its name)."""
    if element.values is None or not element.written:  # unscanned: the start tag is written anew
        attrs = {**element.attrs, **changes}
        closing = "/>" if text[element.start : element.tag_end].endswith("/>") else ">"
        body = "".join(f" {name}={quoted(value)}" for name, value in attrs.items())
        return [(element.start, element.tag_end, f"<{element.written or element.name}{body}{closing}")]
    edits, added = [], []
    for name, value in changes.items():
        where = element.values.get(name)
        if where is not None:
            edits.append((where[0], where[1], quoted(value, text[where[0]])))
        else:
            added.append(f" {name}={quoted(value)}")
    if added:
        at = element.start + 1 + len(element.written)
        edits.append((at, at, "".join(added)))
    return edits


def same_words(unit: Unit, new: Unit) -> bool:
    """Whether a translation gave the unit back (whitespace aside): its markup can stay as it was."""
    if " ".join(unit.text.split()) != " ".join(new.text.split()) or len(unit.spans) != len(new.spans):
        return False
    return all(
        (" ".join(unit.text[a.start : a.end].split()), a.style, a.link)
        == (" ".join(new.text[b.start : b.end].split()), b.style, b.link)
        for a, b in zip(unit.spans, new.spans)
    )


# --------------------------------------------------------------------------------------------
# The backend
# --------------------------------------------------------------------------------------------


@dataclass
class _Run:
    """A maximal sequence of inline sibling nodes inside a block: one unit."""

    nodes: list[Element | Text | Other]  # the consecutive child nodes (text and inline elements)
    role: str
    elements: list[Element] = field(default_factory=list)  # inline elements with text, in preorder
    # (textless node, the element it sits in, offset in the text)
    anchors: list[tuple[Element | Other, int | None, int]] = field(default_factory=list)
    spaced: set[Element | Other] = field(default_factory=set)  # anchors between two spaces in the source


@dataclass
class _Attr:
    """One translated attribute value."""

    element: Element
    name: str


@dataclass
class _State:
    text: str  # the decoded source
    codec: str  # its encoding, and how to write back what does not fit (see `decode`)
    bom: bytes
    errors: str
    located: list[tuple[Unit, _Run | _Attr]]  # every unit and where it lives
    html: Element | None  # the <html> element (its lang becomes en)


class HtmlBackend(FormatBackend):
    """``.html``/``.htm``/``.xhtml`` ⇄ the same page with its texts translated."""

    name: ClassVar[str] = "html"
    suffixes: ClassVar[tuple[str, ...]] = (".html", ".htm", ".xhtml")
    output_suffix: ClassVar[str] = ".html"

    def output_suffix_for(self, name: str) -> str:
        """An XHTML page stays XHTML (``page.xhtml`` → ``page.en.xhtml``)."""
        return ".xhtml" if name.lower().endswith(".xhtml") else self.output_suffix

    def read(self, data: bytes, source: str) -> Extracted:
        if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise InputError(source, "not an HTML document (binary data)")
        text, codec, bom, errors = decode(data)
        try:
            root = build_tree(text)
            located = _locate(root)
        except RecursionError:
            raise InputError(source, "HTML nested too deeply") from None
        except Exception as exc:  # html.parser's assertions on hostile declarations
            raise InputError(source, f"cannot parse HTML ({type(exc).__name__})") from exc
        units = [unit for unit, _ in located]
        if not units:
            raise InputError(source, "no text to translate in this HTML document", "skipped-no-text")
        title = next((u.text for u in units if u.role == "title"), None)
        if title is None:
            title = next((u.text for u in units if u.role == "heading"), None)
        html = next((el for el in root.children if isinstance(el, Element) and el.name == "html"), None)
        return Extracted(units=units, state=_State(text, codec, bom, errors, located, html), title=title)

    def write(self, extracted: Extracted, translated: list[Unit]) -> bytes:
        state: _State = extracted.state
        if len(state.located) != len(translated):
            raise ValueError(f"expected {len(state.located)} translated units, got {len(translated)}")
        text = state.text
        changes: dict[Element, dict[str, str]] = {}
        for (unit, where), new in zip(state.located, translated):
            if isinstance(where, _Attr) and new.text != unit.text:
                changes.setdefault(where.element, {})[where.name] = new.text
        if state.html is not None:
            html = state.html
            lang = {name: "en" for name in ("lang", "xml:lang") if name in html.attrs}
            changes.setdefault(html, {}).update(lang or {"lang": "en"})
        attribute = [e for el, names in changes.items() for e in attribute_edits(text, el, names)]
        runs = []
        for (unit, where), new in zip(state.located, translated):
            if isinstance(where, _Run) and not same_words(unit, new):
                runs.append(_rebuild(text, where, unit, new, attribute))
        out = splice(text, runs + attribute)  # an attribute inside a rebuilt run went with it
        return state.bom + out.encode(state.codec, state.errors)

    def to_text(self, extracted: Extracted) -> str:
        """The document's text blocks; attribute texts (alt, title…) are left out."""
        return "\n\n".join(u.text for u in extracted.units if u.role != "alt" and u.text.strip())


# --------------------------------------------------------------------------------------------
# Reading: where the units are
# --------------------------------------------------------------------------------------------


def _locate(root: Element) -> list[tuple[Unit, _Run | _Attr]]:
    """Every unit of the document with where it lives, in reading order (deterministic)."""
    out: list[tuple[Unit, _Run | _Attr]] = []
    head = root.find("head")
    title = head.find("title") if head is not None else None  # not an <svg><title>
    if title is not None:
        _block(title, out)
    _block(root, out)  # head is skipped there
    return out


def _block(element: Element, out: list[tuple[Unit, _Run | _Attr]]) -> None:
    _attributes(element, out)
    role = _ROLES.get(element.name, "paragraph")
    run: list[Element | Text | Other] = []
    for child in element.children:
        if isinstance(child, Element):
            if child.name in BOUNDARY_TAGS:
                _flush(run, role, out)
                run = []
            elif child.name in SKIP_TAGS or _is_inline(child):
                run.append(child)
            else:
                _flush(run, role, out)
                run = []
                _block(child, out)
        else:
            run.append(child)
    _flush(run, role, out)


def _is_inline(element: Element) -> bool:
    if element.name in BLOCK_TAGS or element.name in SKIP_TAGS:
        return False
    return element.find(BLOCK_TAGS) is None


def _attributes(element: Element, out: list[tuple[Unit, _Run | _Attr]]) -> None:
    for name in TRANSLATED_ATTRIBUTES:
        value = element.get(name)
        if value is not None and any(c.isalpha() for c in value):
            out.append((Unit(value, role="alt"), _Attr(element, name)))


def _flush(nodes: list[Element | Text | Other], role: str, out: list[tuple[Unit, _Run | _Attr]]) -> None:
    if not nodes:
        return
    run = _Run(list(nodes), role)
    attrs: list[tuple[Unit, _Run | _Attr]] = []
    text, spans = _Collector(run, attrs).collect()
    free = list(text)
    for span in spans:
        if span.style.name in PROTECTED_INLINE:
            free[span.start : span.end] = " " * (span.end - span.start)
    if any(c.isalpha() for c in free):  # text that is all code stays untouched
        out.append((Unit(text, tuple(spans), role), run))
    out.extend(attrs)


class _Collector:
    """Flattens a run's nodes into whitespace-collapsed text, spans and textless anchors."""

    def __init__(self, run: _Run, attrs: list[tuple[Unit, _Run | _Attr]]) -> None:
        self.run, self.attrs = run, attrs
        self.text = ""
        self.ranges: list[list[int]] = []  # [start, end] per element of run.elements

    def collect(self) -> tuple[str, list[Span]]:
        for node in self.run.nodes:
            self._node(node, None)
        self.text = self.text.rstrip(" ")
        spans = []
        for index, (element, (start, end)) in enumerate(zip(self.run.elements, self.ranges)):
            end = min(end, len(self.text))
            start += len(self.text[start:end]) - len(self.text[start:end].lstrip())
            end -= len(self.text[start:end]) - len(self.text[start:end].rstrip())
            if start < end:
                link = element.get("href") if element.name == "a" else None
                spans.append(Span(start, end, InlineTag(index, element.name), link))
        self.run.anchors = [(node, owner, min(pos, len(self.text))) for node, owner, pos in self.run.anchors]
        return self.text, spans

    def _node(self, node: Element | Text | Other, owner: int | None) -> None:
        if isinstance(node, Element):
            protected = node.name in PROTECTED_INLINE
            if not node.text().strip() or node.name in SKIP_TAGS:
                self.run.anchors.append((node, owner, len(self.text)))
                if not protected and node.name not in SKIP_TAGS:
                    for element in node.iter():
                        _attributes(element, self.attrs)
                return
            index = len(self.run.elements)
            self.run.elements.append(node)
            self.ranges.append([len(self.text), 0])
            if protected:
                self._add(node.text())
            else:
                _attributes(node, self.attrs)
                for child in node.children:
                    self._node(child, index)
            self.ranges[index][1] = len(self.text)
        elif isinstance(node, Text):
            self._add(node.text)
        else:  # comment, CDATA, processing instruction
            self.run.anchors.append((node, owner, len(self.text)))

    def _add(self, raw: str) -> None:
        piece = _HTML_SPACE.sub(" ", raw)
        if piece.startswith(" ") and (not self.text or self.text.endswith(" ")):
            piece = piece[1:]
            anchors = self.run.anchors
            if self.text and anchors and anchors[-1][2] == len(self.text):  # "a <img> b": one space kept
                self.run.spaced.add(anchors[-1][0])
        self.text += piece


# --------------------------------------------------------------------------------------------
# Writing: a run's stretch of the source rebuilt from the translated text and its placed spans
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _NewLink:
    """A link the translation carries but no element of the run had (a span without a handle)."""

    href: str
    name: str = "a"


@dataclass
class _Node:
    start: int
    end: int
    element: Element | _NewLink | None = None  # the inline element (None: the run itself)
    anchor: Element | Other | None = None  # a textless node kept as it was
    children: list[_Node] = field(default_factory=list)


def _rebuild(text: str, run: _Run, unit: Unit, new: Unit, attribute: list[Edit]) -> Edit:
    """The edit that replaces the run's stretch of `text` (its outer whitespace kept)."""
    english = new.text
    root = _Node(0, len(english))
    by_element: dict[int, _Node] = {}
    order = sorted(new.spans, key=lambda s: (s.start, -(s.end - s.start), getattr(s.style, "index", 0)))
    for span in order:
        element = _span_element(run, span)
        if element is not None and 0 <= span.start < span.end <= len(english):
            for node in _insert(root, span.start, span.end, element):
                if isinstance(span.style, InlineTag):
                    by_element.setdefault(span.style.index, node)
    for anchor, owner, pos in run.anchors:
        where = cut_points(unit.text, english, [pos])[0][0] if unit.text else 0
        owner_node = by_element.get(owner) if owner is not None else None
        if owner_node is not None:
            where = min(max(where, owner_node.start), owner_node.end)
        _insert(owner_node or root, where, where, None, anchor)
    start, end = run.nodes[0].start, run.nodes[-1].end
    if isinstance(run.nodes[0], Text):
        start += len(re.match(r"[ \t\n\r\f]*", text[start:end]).group())
    if isinstance(run.nodes[-1], Text):
        end -= len(re.search(r"[ \t\n\r\f]*$", text[start:end]).group())
    return start, end, _render(text, english, root, attribute, run.spaced)


def _span_element(run: _Run, span: Span) -> Element | _NewLink | None:
    if isinstance(span.style, InlineTag) and span.style.index < len(run.elements):
        return run.elements[span.style.index]
    if span.link is not None:
        return _NewLink(span.link)
    return None


def _insert(
    node: _Node, start: int, end: int, element: Element | _NewLink | None, anchor: Element | Other | None = None
) -> list[_Node]:
    """Insert [start, end) under `node`, as deep as it nests; where it crosses an existing
    element it is cut in pieces (an element split in two keeps its formatting)."""
    pieces: list[_Node] = []
    while True:
        host = next((c for c in node.children if c.anchor is None and _holds(c, start, end)), None)
        if host is not None:
            if not _protected(host):
                pieces += _insert(host, start, min(end, host.end), element, anchor)
            if end <= host.end:
                if anchor is not None and _protected(host):  # never lost: after the code element
                    return _insert(node, host.end, host.end, element, anchor)
                return pieces
            start = host.end
            continue
        stop = min([end] + [c.start for c in node.children if c.anchor is None and start < c.start < end < c.end])
        piece = _Node(start, stop, element, anchor)
        if stop > start:
            piece.children = [c for c in node.children if _within(c, start, stop)]
        node.children = [c for c in node.children if c not in piece.children] + [piece]
        node.children.sort(key=lambda c: (c.start, c.end > c.start))
        pieces.append(piece)
        if stop >= end:
            return pieces
        start = stop


def _holds(node: _Node, start: int, end: int) -> bool:
    if end > start:
        return node.start <= start < node.end
    return node.start < start < node.end


def _within(node: _Node, start: int, stop: int) -> bool:
    if node.end > node.start:
        return start <= node.start and node.end <= stop
    return start < node.start < stop


def _protected(node: _Node) -> bool:
    return node.element is not None and node.element.name in PROTECTED_INLINE


def _render(source: str, english: str, node: _Node, attribute: list[Edit], spaced: set[Element | Other]) -> str:
    """Markup for `node`: text escaped, elements and anchors copied from `source` (with the
    attribute edits that fall inside them)."""
    out: list[str] = []
    pos = node.start
    for child in node.children:
        if child.start > pos:
            out.append(escape_text(english[pos : child.start]))
        element = child.element
        if child.anchor is not None:
            out.append(splice(source, attribute, child.anchor.start, child.anchor.end))
            at = child.start
            if child.anchor in spaced and 0 < at < len(english) and english[at - 1] == " " and english[at] != " ":
                out.append(" ")  # spaces on both sides, as in the source
        elif isinstance(element, _NewLink):
            out.append(f"<a href={quoted(element.href)}>{_render(source, english, child, attribute, spaced)}</a>")
        elif element is not None and element.name in PROTECTED_INLINE:
            out.append(splice(source, attribute, element.start, element.end))
        elif element is not None:
            inner = _render(source, english, child, attribute, spaced)
            start_tag = splice(source, attribute, element.start, element.tag_end)
            out.append(f"{start_tag}{inner}</{element.written or element.name}>")
        pos = max(pos, child.end)
    if node.end > pos:
        out.append(escape_text(english[pos : node.end]))
    return "".join(out)
