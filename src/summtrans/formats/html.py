"""HTML: block elements are units, inline elements inside them are spans; tags and attributes kept.

A unit is a maximal run of inline content (text, ``b``, ``a``, ``span``…) inside a block element
(``p``, ``li``, ``td``, ``h1``…), so the model sees whole sentences. ``alt``, ``title`` and
``placeholder`` attributes are units of their own; ``script``, ``style``, ``pre`` and ``code`` are
left untouched (inline ``code`` inside a sentence is part of its text for the model, and is written
back with its original content where its span was placed). ``<html lang>`` becomes ``en``.

Writing parses the original again (state holds its bytes), so write() never mutates the Extracted
and can be called more than once; a unit whose translation equals its text keeps its nodes as
they were.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

from summtrans.errors import InputError

from .base import Extracted, FormatBackend, Span, Unit
from .inline import cut_points

__all__ = ["HtmlBackend", "InlineTag"]

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
_ROLES = {**{f"h{n}": "heading" for n in range(1, 7)}, "td": "cell", "th": "cell", "title": "title"}
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")


@dataclass(frozen=True)
class InlineTag:
    """Span.style for HTML: which inline element of the unit (preorder index) the span came from."""

    index: int  # position in the run's list of inline elements
    name: str  # the tag name, for readers of the units (``b``, ``a``…)


@dataclass
class _Run:
    """A maximal sequence of inline sibling nodes inside a block: one unit."""

    parent: Any  # bs4 Tag holding the nodes
    nodes: list[Any]  # the consecutive child nodes (strings and inline tags)
    role: str
    elements: list[Any] = field(default_factory=list)  # inline tags with text, in preorder
    anchors: list[tuple[Any, int | None, int]] = field(default_factory=list)  # (textless node, owner element, offset)


@dataclass
class _Attr:
    """One translated attribute value."""

    tag: Any
    name: str


@dataclass
class _State:
    data: bytes  # the original document; write() parses it again


class HtmlBackend(FormatBackend):
    """``.html``/``.htm`` ⇄ translated HTML with the same tags and attributes."""

    name: ClassVar[str] = "html"
    suffixes: ClassVar[tuple[str, ...]] = (".html", ".htm")
    output_suffix: ClassVar[str] = ".html"

    def read(self, data: bytes, source: str) -> Extracted:
        soup = _parse(data, source)
        try:
            units = [unit for unit, _ in _locate(soup)]
        except RecursionError:
            raise InputError(source, "HTML nested too deeply") from None
        if not units:
            raise InputError(source, "no text to translate in this HTML document", "skipped-no-text")
        title = next((u.text for u in units if u.role == "title"), None)
        if title is None:
            title = next((u.text for u in units if u.role == "heading"), None)
        return Extracted(units=units, state=_State(data), title=title)

    def write(self, extracted: Extracted, translated: list[Unit]) -> bytes:
        soup = _parse(extracted.state.data, "<html>")
        located = _locate(soup)
        if len(located) != len(translated):
            raise ValueError(f"expected {len(located)} translated units, got {len(translated)}")
        # Attributes first: rebuilt runs copy their inline tags' (translated) attributes.
        for (unit, where), new in zip(located, translated):
            if isinstance(where, _Attr) and new.text != unit.text:
                where.tag[where.name] = new.text
        for (unit, where), new in zip(located, translated):
            if isinstance(where, _Run) and (new.text, new.spans) != (unit.text, unit.spans):
                _rebuild(soup, where, unit, new)
        if soup.html is not None:
            soup.html["lang"] = "en"
            if soup.html.has_attr("xml:lang"):
                soup.html["xml:lang"] = "en"
        return soup.encode("utf-8", formatter="minimal")

    def to_text(self, extracted: Extracted) -> str:
        """The document's text blocks; attribute texts (alt, title…) are left out."""
        return "\n\n".join(u.text for u in extracted.units if u.role != "alt" and u.text.strip())


# --------------------------------------------------------------------------------------------
# Reading: where the units are
# --------------------------------------------------------------------------------------------


def _parse(data: bytes, source: str) -> Any:
    from bs4 import BeautifulSoup

    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(source, "not an HTML document (binary data)")
    try:
        return BeautifulSoup(data, "lxml")
    except RecursionError:
        raise InputError(source, "HTML nested too deeply") from None
    except Exception as exc:  # lxml raises a variety of errors on hostile input
        raise InputError(source, f"cannot parse HTML ({type(exc).__name__})") from exc


def _locate(soup: Any) -> list[tuple[Unit, _Run | _Attr]]:
    """Every unit of the document with where it lives, in reading order (deterministic)."""
    out: list[tuple[Unit, _Run | _Attr]] = []
    title = soup.head.find("title") if soup.head is not None else None  # not an <svg><title>
    if title is not None:
        _block(title, out)
    _block(soup.body if soup.body is not None else soup, out)
    return out


def _block(element: Any, out: list[tuple[Unit, _Run | _Attr]]) -> None:
    from bs4 import NavigableString, Tag

    _attributes(element, out)
    role = _ROLES.get(element.name, "paragraph")
    run: list[Any] = []
    for child in list(element.children):
        if isinstance(child, Tag):
            if child.name in BOUNDARY_TAGS:
                _flush(element, run, role, out)
                run = []
            elif child.name in SKIP_TAGS or _is_inline(child):
                run.append(child)
            else:
                _flush(element, run, role, out)
                run = []
                _block(child, out)
        elif isinstance(child, NavigableString):
            run.append(child)
    _flush(element, run, role, out)


def _is_inline(tag: Any) -> bool:
    if tag.name in BLOCK_TAGS or tag.name in SKIP_TAGS:
        return False
    return tag.find(BLOCK_TAGS) is None


def _attributes(tag: Any, out: list[tuple[Unit, _Run | _Attr]]) -> None:
    for name in TRANSLATED_ATTRIBUTES:
        value = tag.get(name)
        if isinstance(value, str) and any(c.isalpha() for c in value):
            out.append((Unit(value, role="alt"), _Attr(tag, name)))


def _flush(parent: Any, nodes: list[Any], role: str, out: list[tuple[Unit, _Run | _Attr]]) -> None:
    if not nodes:
        return
    run = _Run(parent, list(nodes), role)
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
                spans.append(Span(start, end, InlineTag(index, element.name), link if isinstance(link, str) else None))
        self.run.anchors = [(node, owner, min(pos, len(self.text))) for node, owner, pos in self.run.anchors]
        return self.text, spans

    def _node(self, node: Any, owner: int | None) -> None:
        from bs4 import NavigableString, Tag

        if isinstance(node, Tag):
            protected = node.name in PROTECTED_INLINE
            if not node.get_text().strip() or node.name in SKIP_TAGS:
                self.run.anchors.append((node, owner, len(self.text)))
                if not protected and node.name not in SKIP_TAGS:
                    _attributes_below(node, self.attrs)
                return
            index = len(self.run.elements)
            self.run.elements.append(node)
            self.ranges.append([len(self.text), 0])
            if protected:
                self._add(node.get_text())
            else:
                _attributes(node, self.attrs)
                for child in node.children:
                    self._node(child, index)
            self.ranges[index][1] = len(self.text)
        elif type(node) is NavigableString:
            self._add(str(node))
        elif isinstance(node, NavigableString):  # comment, CDATA, processing instruction
            self.run.anchors.append((node, owner, len(self.text)))

    def _add(self, raw: str) -> None:
        piece = _HTML_SPACE.sub(" ", raw)
        if piece.startswith(" ") and (not self.text or self.text.endswith(" ")):
            piece = piece[1:]
        self.text += piece


def _attributes_below(tag: Any, out: list[tuple[Unit, _Run | _Attr]]) -> None:
    _attributes(tag, out)
    for child in tag.find_all(True):
        _attributes(child, out)


# --------------------------------------------------------------------------------------------
# Writing: a run rebuilt from the translated text and its placed spans
# --------------------------------------------------------------------------------------------


@dataclass
class _Node:
    start: int
    end: int
    element: Any = None  # the original inline tag (None: the run itself)
    anchor: Any = None  # a textless node kept as it was
    children: list[_Node] = field(default_factory=list)


def _rebuild(soup: Any, run: _Run, unit: Unit, new: Unit) -> None:
    from bs4 import NavigableString

    text = new.text
    root = _Node(0, len(text))
    by_element: dict[int, _Node] = {}
    order = sorted(new.spans, key=lambda s: (s.start, -(s.end - s.start), getattr(s.style, "index", 0)))
    for span in order:
        element = _span_element(soup, run, span)
        if element is not None and 0 <= span.start < span.end <= len(text):
            for node in _insert(root, span.start, span.end, element):
                if isinstance(span.style, InlineTag):
                    by_element.setdefault(span.style.index, node)
    for anchor, owner, pos in run.anchors:
        where = cut_points(unit.text, text, [pos])[0][0] if unit.text else 0
        owner_node = by_element.get(owner) if owner is not None else None
        if owner_node is not None:
            where = min(max(where, owner_node.start), owner_node.end)
        _insert(owner_node or root, where, where, None, anchor)
    first_text = run.nodes[0] if type(run.nodes[0]) is NavigableString else None
    last_text = run.nodes[-1] if type(run.nodes[-1]) is NavigableString else None
    lead = re.match(r"[ \t\n\r\f]*", str(first_text)).group() if first_text is not None else ""
    trail = re.search(r"[ \t\n\r\f]*$", str(last_text)).group() if last_text is not None else ""
    built = _render(soup, text, root)
    if lead:
        built.insert(0, NavigableString(lead))
    if trail:
        built.append(NavigableString(trail))
    marker = NavigableString("")
    run.nodes[0].insert_before(marker)
    for node in run.nodes:
        node.extract()
    for node in built:
        marker.insert_before(node)
    marker.extract()


def _span_element(soup: Any, run: _Run, span: Span) -> Any:
    if isinstance(span.style, InlineTag) and span.style.index < len(run.elements):
        return run.elements[span.style.index]
    if span.link is not None:
        return soup.new_tag("a", attrs={"href": span.link})
    return None


def _insert(node: _Node, start: int, end: int, element: Any, anchor: Any = None) -> list[_Node]:
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


def _render(soup: Any, text: str, node: _Node) -> list[Any]:
    from bs4 import NavigableString

    out: list[Any] = []
    pos = node.start
    for child in node.children:
        if child.start > pos:
            out.append(NavigableString(text[pos : child.start]))
        if child.anchor is not None:
            out.append(child.anchor)
        elif child.element.name in PROTECTED_INLINE:
            out.append(copy.copy(child.element))
        else:
            tag = soup.new_tag(child.element.name, attrs=dict(child.element.attrs))
            for part in _render(soup, text, child):
                tag.append(part)
            out.append(tag)
        pos = max(pos, child.end)
    if node.end > pos:
        out.append(NavigableString(text[pos : node.end]))
    return out
