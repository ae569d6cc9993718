"""A paragraph as stretches of text pieces: the Unit it becomes, and the runs it is rebuilt from.

Backends flatten a paragraph into pieces (a run's text with its formatting handle and link),
grouped into stretches that fixed inline objects (footnote marks, fields, images) separate. The
formatting with the most characters is the paragraph's dominant one; every other piece becomes a
Span. On writing, the translation is cut back into the same stretches (inline.cut_points) and
each stretch into runs (inline.chunks): plain text in the dominant formatting, spans in their own.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from .base import Span, Unit
from .inline import Chunk, chunks, cut_points


@dataclass
class Piece:
    """One run's text."""

    text: str
    key: Hashable  # formatting identity, the link aside: pieces with equal keys look the same
    style: Any  # the backend's handle to recreate that formatting
    link: str | None = None  # hyperlink target


@dataclass
class Paragraph:
    """One unit's paragraph: its stretches and what the backend needs to rebuild it."""

    stretches: list[list[Piece]]  # text between fixed inline objects, in order
    dominant: Any = None  # style handle for text outside any span
    bounds: list[int] = field(default_factory=list)  # offsets in the unit text where stretches end
    anchor: Any = None  # the backend's handle on the paragraph (element, extra state)


def build(stretches: list[list[Piece]], role: str, anchor: Any) -> tuple[Unit, Paragraph]:
    """The Unit for a paragraph, and its Paragraph record."""
    weight: dict[Hashable, int] = {}
    handles: dict[Hashable, Any] = {}  # a handle without a link for each formatting
    for piece in (p for s in stretches for p in s):
        weight[piece.key] = weight.get(piece.key, 0) + len(piece.text.strip())
        if piece.link is None:
            handles.setdefault(piece.key, piece.style)
    dominant_key = max(weight, key=lambda k: weight[k]) if weight else None
    text, spans, bounds = "", [], []
    open_span: list[Any] | None = None  # [start, end, key, style, link]
    for stretch in stretches:
        open_span = None
        for piece in stretch:
            start, text = len(text), text + piece.text
            if not piece.text.strip():
                continue  # spaces between two runs formatted alike do not split their span
            if open_span and not text[open_span[1] : start].strip() and (open_span[2], open_span[4]) == (
                piece.key,
                piece.link,
            ):
                open_span[1] = len(text)
            elif piece.link is None and piece.key == dominant_key:
                open_span = None
            else:
                open_span = [start, len(text), piece.key, piece.style, piece.link]
                spans.append(open_span)
        bounds.append(len(text))
    made = tuple(_trimmed(text, s) for s in spans)
    unit = Unit(text, tuple(s for s in made if s is not None), role)
    return unit, Paragraph(stretches, handles.get(dominant_key), bounds[:-1], anchor)


def _trimmed(text: str, raw: list[Any]) -> Span | None:
    start, end = raw[0], raw[1]
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end, raw[3], raw[4]) if end > start else None


def layout(source: Unit, paragraph: Paragraph, translated: Unit) -> list[list[Chunk]]:
    """The translated text cut into the paragraph's stretches, each cut into formatted runs."""
    cuts = cut_points(source.text, translated.text, paragraph.bounds)
    edges = [0, *(c for c, _ in cuts), len(translated.text)]
    out = [chunks(translated.text, translated.spans, a, b) for a, b in zip(edges, edges[1:])]
    for i, (_, pad) in enumerate(cuts):
        if pad and out[i + 1] and not out[i + 1][0].text[:1].isspace():
            first = out[i + 1][0]
            out[i + 1][0] = Chunk(" " + first.text, first.span, first.link)
    return out


def unchanged(source: Unit, translated: Unit) -> bool:
    """Whether a unit came back as it went (identity translation): leave its paragraph alone."""
    return source.text == translated.text and [(s.start, s.end) for s in source.spans] == [
        (s.start, s.end) for s in translated.spans
    ]
