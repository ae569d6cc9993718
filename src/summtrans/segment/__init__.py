"""German-aware segmentation of documents into translatable units, with exact character offsets.

`segment` cuts a text into sentences, headings and list items (one segment = one model input).
Everything between segments ("gaps": whitespace, list markers) is kept verbatim, so `reassemble`
rebuilds the document around the translated segments. `split_to_fit` cuts one segment that is too
long for the model into parts at clause, word and (as a last resort) character boundaries.

Block structure is read line by line first (`blocks`, `runs`); sentence boundaries are then found
inside each run (`sentences`, with the word lists in `lexicon`). Blank lines therefore always lie
in gaps. A piece of text without any letter or digit (``---``, an emoji line) is never a segment:
there is nothing to translate.
"""

from __future__ import annotations

from .base import HEADING, LIST_ITEM, SENTENCE, Segment, normalize_space, reassemble
from .blocks import line_per_sentence, parse_blocks, trim_span
from .fit import split_to_fit
from .sentences import ALNUM, sentence_spans

__all__ = [
    "HEADING", "LIST_ITEM", "SENTENCE", "Segment", "normalize_space", "reassemble", "runs", "segment", "split_to_fit",
]


def runs(text: str) -> list[tuple[int, int, str]]:
    """The text runs of `text` that sentences are found in, as ``(start, end, kind)``: a paragraph,
    heading or list item whole, or each line of a one-sentence-per-line block (captions)."""
    out: list[tuple[int, int, str]] = []
    for block in parse_blocks(text):
        if not block.lines:
            continue
        if line_per_sentence(text, block):
            spans = block.lines
        else:
            spans = [(block.lines[0][0], block.lines[-1][1])]
        out += [(a, b, block.kind) for a, b in spans if a < b]
    return out


def segment(text: str) -> list[Segment]:
    """Split `text` into sentence, heading and list-item segments with exact offsets.

    Segments are sorted and non-overlapping; everything between them is whitespace or structural
    markup (list markers, rules), so ``reassemble(text, segs, [s.text for s in segs])`` returns
    `text` unchanged. Paragraph breaks never fall inside a segment.
    """
    segments: list[Segment] = []
    for start, end, kind in runs(text):
        for a, b in sentence_spans(text, start, end):
            a, b = trim_span(text, a, b)
            if a < b and ALNUM.search(text, a, b):  # else: nothing to translate
                segments.append(Segment(a, b, text[a:b], kind))
    return segments
