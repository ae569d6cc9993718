"""The segment record, its kinds, and reassembly of a text around translated segments."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

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
