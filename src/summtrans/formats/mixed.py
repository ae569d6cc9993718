"""Mixed-content paragraphs (OpenDocument text:p, XHTML blocks): text nodes among inline elements.

A block is flattened into stretches of pieces (text with the chain of inline elements around it
and the link it sits in), separated by fixed elements (notes, frames, fields, images, nested
blocks). Writing empties the block and rebuilds it: each stretch's runs (inline elements recreated
from shallow copies of the originals), then the fixed element that followed it, moved unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html.entities import name2codepoint
from typing import Any

from .base import Unit
from .pieces import Paragraph, Piece, build, layout, unchanged

_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class MixedStyle:
    """Formatting of a piece: the inline elements around it (outermost first) and its link element."""

    chain: tuple[Any, ...]  # inline elements, reused as shallow copies
    link: Any = None  # the link element (text:a, a) or None


@dataclass(frozen=True)
class Dialect:
    """What the elements of one vocabulary mean inside a block."""

    kind: Callable[[Any], str]  # element → "inline" | "link" | "text" | "fixed"
    text_of: Callable[[Any], str]  # for "text" elements: what they stand for (" ", "\t", "\n")
    href: Callable[[Any], str | None]  # for "link" elements: the target
    append_text: Callable[[Any, str], None]  # write text (spaces, tabs, breaks) into an element


def paragraph(block: Any, dialect: Dialect, role: str) -> tuple[Unit, Paragraph] | None:
    """The unit and paragraph record of a block, or None when it has no text of its own."""
    from lxml.etree import Entity

    stretches: list[list[Piece]] = [[]]
    fixed: list[Any] = []

    def add(text: str | None, chain: tuple[Any, ...], link_el: Any) -> None:
        if not text:
            return
        piece(_SPACES.sub(" ", text), chain, link_el)

    def piece(text: str, chain: tuple[Any, ...], link_el: Any) -> None:
        href = dialect.href(link_el) if link_el is not None else None
        stretches[-1].append(Piece(text, _key_of(chain), MixedStyle(chain, link_el), href))

    def walk(node: Any, chain: tuple[Any, ...], link_el: Any) -> None:
        add(node.text, chain, link_el)
        for child in node:
            kind = dialect.kind(child) if isinstance(child.tag, str) else "fixed"  # comments stay
            named = name2codepoint.get(child.name) if child.tag is Entity else None
            if named is not None:  # &nbsp; from an XHTML 1.1 doctype: its character; others stay as they are
                piece(chr(named), chain, link_el)
            elif kind == "inline":
                walk(child, (*chain, child), link_el)
            elif kind == "link":
                walk(child, chain, child)
            elif kind == "text":
                piece(dialect.text_of(child), chain, link_el)
            else:
                fixed.append(child)
                stretches.append([])
            add(child.tail, chain, link_el)

    walk(block, (), None)
    if not any(piece.text.strip() for s in stretches for piece in s):
        return None
    return build(stretches, role, (block, fixed, dialect))


def _key_of(chain: tuple[Any, ...]) -> Any:
    return tuple((el.tag, tuple(sorted(el.attrib.items()))) for el in chain)


def write(source: Unit, record: Paragraph, translated: Unit) -> bool:
    """Rebuild a block's content from the translation; False (and a no-op) if nothing changed."""
    if unchanged(source, translated):
        return False
    block, fixed, dialect = record.anchor
    tail = block.tail
    for child in list(block):
        block.remove(child)
    block.text = None
    stretches = layout(source, record, translated)
    for i, chunks in enumerate(stretches):
        for chunk in chunks:
            style: MixedStyle | None = chunk.span.style if chunk.span is not None else record.dominant
            link = chunk.link.style.link if chunk.link is not None else None
            target = block
            for el in (*(style.chain if style is not None else ()), *((link,) if link is not None else ())):
                copy = block.makeelement(el.tag, dict(el.attrib))
                target.append(copy)
                target = copy
            dialect.append_text(target, chunk.text)
        if i < len(fixed):
            fixed[i].tail = None
            block.append(fixed[i])
    block.tail = tail
    return True


def append_plain(parent: Any, text: str) -> None:
    """Append text to an element's content (after its last child)."""
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text
