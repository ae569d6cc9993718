"""German-aware segmentation of documents into translatable units, with exact character offsets.

`segment` cuts a text into sentences, headings and list items (one segment = one model input).
Everything between segments ("gaps": whitespace, list markers, heading `#`s, and in markdown mode
code, link targets and HTML) is kept verbatim, so `reassemble` rebuilds the document around the
translated segments. `split_to_fit` cuts one segment that is too long for the model into parts at
clause, word and (as a last resort) character boundaries.

Block structure is read line by line first (`blocks`); sentence boundaries are then found inside
each block's text (`sentences`, with the word lists in `lexicon`), outside the inline markdown that
is never translated (`inline`). Blank lines therefore always lie in gaps. A piece of text without
any letter or digit (a lone ``.`` after a markdown link, ``---``, an emoji line) is never a
segment: there is nothing to translate.
"""

from __future__ import annotations

from .base import HEADING, LIST_ITEM, SENTENCE, Segment, normalize_space, reassemble
from .blocks import line_per_sentence, parse_blocks, trim_span
from .fit import split_to_fit
from .inline import inline_gaps
from .sentences import ALNUM, sentence_spans

__all__ = [
    "HEADING", "LIST_ITEM", "SENTENCE", "Segment", "normalize_space", "reassemble", "runs", "segment", "split_to_fit",
]


def runs(text: str, *, markdown: bool = False) -> list[tuple[int, int, str]]:
    """The text runs of `text` that sentences are found in, as ``(start, end, kind)``: a paragraph,
    heading or list item whole, or each line of a one-sentence-per-line block (captions)."""
    out: list[tuple[int, int, str]] = []
    for block in parse_blocks(text, markdown):
        if not block.lines:
            continue
        if block.whole and not line_per_sentence(text, block):
            spans = [(block.lines[0][0], block.lines[-1][1])]
        else:
            spans = block.lines
        out += [(a, b, block.kind) for a, b in spans if a < b]
    return out


def segment(text: str, *, markdown: bool = False) -> list[Segment]:
    """Split `text` into sentence, heading and list-item segments with exact offsets.

    Segments are sorted and non-overlapping; everything between them is whitespace or structural
    markup (list markers, heading `#`s, rules, and with ``markdown=True`` code blocks, inline
    code, link targets, images and HTML), so ``reassemble(text, segs, [s.text for s in segs])``
    returns `text` unchanged. Paragraph breaks never fall inside a segment.
    """
    segments: list[Segment] = []
    for run_start, run_end, kind in runs(text, markdown=markdown):
        pieces: list[tuple[int, int]] = []
        if markdown:  # inline code, link targets, images, HTML: gaps inside the run
            pos = run_start
            for a, b in inline_gaps(text, run_start, run_end):
                if a > pos:
                    pieces.append((pos, a))
                pos = max(pos, b)
            if pos < run_end:
                pieces.append((pos, run_end))
        else:
            pieces.append((run_start, run_end))
        for ps, pe in pieces:
            for a, b in sentence_spans(text, ps, pe, markdown):
                a, b = trim_span(text, a, b)
                if a < b and ALNUM.search(text, a, b):  # else: nothing to translate
                    segments.append(Segment(a, b, text[a:b], kind))
    return segments
