"""Plain text ⇄ translated plain text: units are the text's paragraphs, headings and list items
(`segment.runs`); everything between them (blank lines, list markers, indentation) stays as it is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..segment import HEADING, LIST_ITEM, Segment, reassemble, runs
from .base import Extracted, FormatBackend, Unit

_ROLES = {HEADING: "heading", LIST_ITEM: "list_item"}


@dataclass
class _State:
    source: str  # the decoded text
    runs: list[Segment]  # where each unit stands in it


class TextBackend(FormatBackend):
    """Plain text (any input no other backend reads) ⇄ translated text with the same layout."""

    name: ClassVar[str] = "text"
    suffixes: ClassVar[tuple[str, ...]] = ()  # text is read by `formats.document`, whatever its suffix
    output_suffix: ClassVar[str] = ".txt"

    def read(self, data: bytes, source: str) -> Extracted:
        from .document import decode_bytes

        return self.read_text(decode_bytes(data, source)[0], source)

    def read_text(self, text: str, source: str) -> Extracted:
        """The units of an already decoded text."""
        found = [Segment(a, b, text[a:b], kind) for a, b, kind in runs(text)]
        units = [Unit(s.text, role=_ROLES.get(s.kind, "paragraph")) for s in found]
        title = next((u.text for u in units if u.role == "heading"), None)
        return Extracted(units=units, state=_State(text, found), title=title)

    def write(self, extracted: Extracted, translated: list[Unit]) -> bytes:
        state: _State = extracted.state
        return reassemble(state.source, state.runs, [u.text for u in translated]).encode("utf-8")

    def to_text(self, extracted: Extracted) -> str:
        return extracted.state.source
