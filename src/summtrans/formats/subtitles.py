"""Subtitles (SRT via ``srt``, WebVTT via ``webvtt-py``): same cues, timings and numbering.

A sentence that runs over two or three cues is one unit (the model sees it whole) and is split
back over the same cues at word boundaries, in proportion to the cues' original lengths; a cue's
lines are split the same way. Styling tags (``<i>``, ``<b>``, ``<font …>``, ``<c.x>``, ``<v …>``)
become spans and are written back around the words they were placed on; ASS overrides
(``{\\an8}``) and VTT timestamps stay at their relative place. A dialogue cue (every line starts
with a dash) is one unit per line.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, ClassVar

from summtrans.errors import InputError

from .base import Extracted, FormatBackend, Span, Unit

__all__ = ["CueTag", "SrtBackend", "VttBackend"]

MAX_GROUP_CUES = 3  # a sentence is followed over at most this many cues
MAX_GROUP_GAP = timedelta(seconds=2)  # cues further apart than this never share a sentence
_SENTENCE_END = re.compile(r"[.!?:;♪][\"'»«“”’)\]]*$")
_TOKEN = re.compile(r"<(/?)([A-Za-z][\w.]*|\d[\d:.]*)([^>]*)>|\{\\[^}]*\}")
_DIALOGUE = re.compile(r"^\s*(?:<[^>]+>)*\s*[-–—]")


@dataclass(frozen=True)
class CueTag:
    """Span.style for subtitles: the tag as written."""

    open: str  # the opening tag, e.g. ``<i>`` or ``<font color="red">``
    close: str  # the closing tag


@dataclass
class _Line:
    """One line of a cue, parsed."""

    text: str  # the plain text (tags removed, entities decoded for VTT)
    spans: list[Span] = field(default_factory=list)  # offsets into text
    anchors: list[tuple[int, str]] = field(default_factory=list)  # (offset, token) kept as written


@dataclass
class _Piece:
    cue: int  # index into the cue list
    lines: list[int]  # which of its lines


@dataclass
class _State:
    cues: list[Any]  # srt.Subtitle or webvtt Caption objects, as parsed
    doc: Any  # the webvtt.WebVTT (None for SRT)
    groups: list[list[_Piece]]  # per unit, the cue lines it came from
    ending: str  # the newlines the original ended with


class _SubtitleBackend(FormatBackend):
    entities: ClassVar[bool] = False  # VTT escapes &, < and > in cue text

    def read(self, data: bytes, source: str) -> Extracted:
        from summtrans.formats.document import decode_bytes

        text, _ = decode_bytes(data, source)
        doc, cues = self._parse(text, source)
        parsed = [[_parse_line(line, self.entities) for line in self._content(c).split("\n")] for c in cues]
        groups = _group(cues, parsed, self._start, self._end)
        units = [_unit(group, parsed) for group in groups]
        keep = [i for i, u in enumerate(units) if u.text]
        if not keep:
            raise InputError(source, "no subtitle text to translate", "skipped-no-text")
        ending = text[len(text.rstrip("\n")) :]
        return Extracted(units=[units[i] for i in keep], state=_State(cues, doc, [groups[i] for i in keep], ending))

    def write(self, extracted: Extracted, translated: list[Unit]) -> bytes:
        state: _State = extracted.state
        contents = [self._content(c).split("\n") for c in state.cues]
        parsed = [[_parse_line(line, self.entities) for line in lines] for lines in contents]
        for group, old, new in zip(state.groups, extracted.units, translated, strict=True):
            if (old.text, old.spans) == (new.text, new.spans):
                continue
            for piece, lines in zip(group, _split(group, parsed, old, new)):
                for line_no, line in zip(piece.lines, lines):
                    contents[piece.cue][line_no] = _render(line, self.entities)
                # An empty line would end the cue early: a cue whose words all went elsewhere is empty.
                contents[piece.cue] = [ln for ln in contents[piece.cue] if ln.strip()] or [""]
        composed = self._compose(state, ["\n".join(lines) for lines in contents])
        return (composed.rstrip("\n") + (state.ending or "\n")).encode("utf-8")

    # Format specifics
    def _parse(self, text: str, source: str) -> tuple[Any, list[Any]]:
        raise NotImplementedError

    def _content(self, cue: Any) -> str:
        raise NotImplementedError

    def _start(self, cue: Any) -> timedelta:
        raise NotImplementedError

    def _end(self, cue: Any) -> timedelta:
        raise NotImplementedError

    def _compose(self, state: _State, contents: list[str]) -> str:
        raise NotImplementedError


class SrtBackend(_SubtitleBackend):
    """``.srt`` ⇄ translated SRT: same numbering and timings."""

    name: ClassVar[str] = "srt"
    suffixes: ClassVar[tuple[str, ...]] = (".srt",)
    output_suffix: ClassVar[str] = ".srt"

    def _parse(self, text: str, source: str) -> tuple[Any, list[Any]]:
        import srt

        try:
            return None, list(srt.parse(text))
        except (srt.SRTParseError, ValueError) as exc:
            raise InputError(source, f"not a valid SRT file ({_first_line(exc)})") from exc

    def _content(self, cue: Any) -> str:
        return cue.content

    def _start(self, cue: Any) -> timedelta:
        return cue.start

    def _end(self, cue: Any) -> timedelta:
        return cue.end

    def _compose(self, state: _State, contents: list[str]) -> str:
        import srt

        cues = [srt.Subtitle(c.index, c.start, c.end, text, c.proprietary) for c, text in zip(state.cues, contents)]
        return srt.compose(cues, reindex=False)


class VttBackend(_SubtitleBackend):
    """``.vtt`` ⇄ translated WebVTT: same cues, identifiers, settings, timings, STYLE and NOTE blocks."""

    name: ClassVar[str] = "vtt"
    suffixes: ClassVar[tuple[str, ...]] = (".vtt",)
    output_suffix: ClassVar[str] = ".vtt"
    entities: ClassVar[bool] = True

    def _parse(self, text: str, source: str) -> tuple[Any, list[Any]]:
        import webvtt

        try:
            doc = webvtt.from_string(text)
        except (webvtt.errors.MalformedFileError, webvtt.errors.MalformedCaptionError, ValueError) as exc:
            raise InputError(source, f"not a valid WebVTT file ({_first_line(exc)})") from exc
        return doc, list(doc.captions)

    def _content(self, cue: Any) -> str:
        return cue.raw_text

    def _start(self, cue: Any) -> timedelta:
        return timedelta(seconds=cue.start_in_seconds)

    def _end(self, cue: Any) -> timedelta:
        return timedelta(seconds=cue.end_in_seconds)

    def _compose(self, state: _State, contents: list[str]) -> str:
        saved = [c.lines for c in state.cues]
        try:
            for cue, text in zip(state.cues, contents):
                cue.lines = text.split("\n")
            return state.doc.content
        finally:  # write() leaves the Extracted as it found it
            for cue, lines in zip(state.cues, saved):
                cue.lines = lines


def _first_line(exc: Exception) -> str:
    """A parser error's first line (at most 120 characters), or its type's name."""
    text = str(exc).strip()
    return text.splitlines()[0][:120] if text else type(exc).__name__


# --------------------------------------------------------------------------------------------
# Cue text: tags ⇄ spans
# --------------------------------------------------------------------------------------------


def _parse_line(raw: str, entities: bool) -> _Line:
    line = _Line("")
    open_tags: list[tuple[str, str, int]] = []  # (name, tag as written, start)
    pos = 0

    def add(chunk: str) -> None:
        line.text += html.unescape(chunk) if entities else chunk

    for match in _TOKEN.finditer(raw):
        add(raw[pos : match.start()])
        pos = match.end()
        token, closing, name = match.group(), match.group(1), (match.group(2) or "").split(".")[0].lower()
        if not name or name[0].isdigit():  # ASS override or VTT timestamp
            line.anchors.append((len(line.text), token))
        elif not closing:
            open_tags.append((name, token, len(line.text)))
        else:
            at = next((i for i in range(len(open_tags) - 1, -1, -1) if open_tags[i][0] == name), None)
            if at is None:
                line.anchors.append((len(line.text), token))
                continue
            _, opening, start = open_tags.pop(at)
            line.spans.append(Span(start, len(line.text), CueTag(opening, token)))
    add(raw[pos:])
    for _, opening, start in open_tags:  # left open (``<v Name>``): a cue-level mark, kept in place
        line.anchors.append((start, opening))
    line.anchors.sort(key=lambda a: a[0])
    return line


def _render(line: _Line, entities: bool) -> str:
    events: list[tuple[int, int, str]] = []  # (offset, order, token)
    for span in line.spans:
        length = span.end - span.start
        events.append((span.start, 1_000_000 - length, span.style.open))
        events.append((span.end, -1_000_000 + length, span.style.close))
    for pos, token in line.anchors:
        events.append((pos, 0, token))
    out, pos = [], 0
    for at, _, token in sorted(events, key=lambda e: (e[0], e[1])):
        chunk = line.text[pos:at]
        out.append(_escape(chunk) if entities else chunk)
        out.append(token)
        pos = max(pos, at)
    rest = line.text[pos:]
    out.append(_escape(rest) if entities else rest)
    return "".join(out)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --------------------------------------------------------------------------------------------
# Cues ⇄ units
# --------------------------------------------------------------------------------------------


def _group(cues: list[Any], parsed: list[list[_Line]], start: Any, end: Any) -> list[list[_Piece]]:
    """Consecutive cues that continue one sentence form a group; dialogue cues go line by line."""
    groups: list[list[_Piece]] = []
    open_group = False
    for i, lines in enumerate(parsed):
        texts = [ln.text.strip() for ln in lines]
        if len(lines) > 1 and all(_DIALOGUE.match(t) for t in texts if t):
            groups.extend([_Piece(i, [n])] for n in range(len(lines)))
            open_group = False
            continue
        joins = (
            open_group
            and len(groups[-1]) < MAX_GROUP_CUES
            and start(cues[i]) - end(cues[groups[-1][-1].cue]) <= MAX_GROUP_GAP
            and not (texts and _DIALOGUE.match(texts[0]))
        )
        if joins:
            groups[-1].append(_Piece(i, list(range(len(lines)))))
        else:
            groups.append([_Piece(i, list(range(len(lines))))])
        whole = " ".join(t for t in texts if t)
        open_group = bool(whole) and not _SENTENCE_END.search(whole)
    return groups


def _unit(group: list[_Piece], parsed: list[list[_Line]]) -> Unit:
    text, spans = "", []
    for piece in group:
        for n in piece.lines:
            line = parsed[piece.cue][n]
            core = line.text.strip()
            if not core:
                continue
            if text:
                text += " "
            shift = len(text) - (len(line.text) - len(line.text.lstrip()))
            text += core
            for s in line.spans:
                a, b = max(s.start + shift, len(text) - len(core)), min(s.end + shift, len(text))
                if a < b:
                    spans.append(Span(a, b, s.style))
    return Unit(text, tuple(spans), "cue")


def _split(group: list[_Piece], parsed: list[list[_Line]], old: Unit, new: Unit) -> list[list[_Line]]:
    """The translated unit cut back into the group's lines (word boundaries, in proportion)."""
    slots = [(p.cue, n) for p in group for n in p.lines]
    cores = [parsed[cue][n].text.strip() for cue, n in slots]
    filled = [i for i, core in enumerate(cores) if core]
    offsets, offset = [], 0
    for i in filled:
        offsets.append(offset)
        offset += len(cores[i]) + 1
    cuts = _cuts(len(old.text), new.text, offsets[1:])
    ranges = {i: (a, b) for i, a, b in zip(filled, [0, *cuts], [*cuts, len(new.text)])}
    out: list[list[_Line]] = [[] for _ in group]
    slot = 0
    for g, piece in enumerate(group):
        for n in piece.lines:
            source = parsed[piece.cue][n]
            if slot not in ranges:  # a line without text keeps its tokens as they were
                out[g].append(_Line("", anchors=list(source.anchors)))
                slot += 1
                continue
            a, b = ranges[slot]
            raw = new.text[a:b]
            lead = len(raw) - len(raw.lstrip())
            core = raw.strip()
            line = _Line(core)
            for s in new.spans:
                x, y = max(s.start - a - lead, 0), min(s.end - a - lead, len(core))
                if x < y and isinstance(s.style, CueTag):
                    line.spans.append(Span(x, y, s.style))
            shift = len(source.text) - len(source.text.lstrip())
            for pos, token in source.anchors:
                rel = min(max(pos - shift, 0), len(cores[slot]))
                line.anchors.append((_cuts(len(cores[slot]), core, [rel])[0] if 0 < rel else 0, token))
            out[g].append(line)
            slot += 1
    return out


def _cuts(source_length: int, target: str, bounds: list[int]) -> list[int]:
    """Word starts in `target` at the same proportions as `bounds` in a source of that length,
    strictly increasing while there are enough words (no cue left empty when it can be filled)."""
    starts = [i for i in range(1, len(target)) if target[i - 1].isspace() and not target[i].isspace()]
    cuts: list[int] = []
    low = 0  # index into starts of the first word start still free
    for j, bound in enumerate(bounds):
        if bound >= source_length:
            cuts.append(len(target))
            continue
        want = bound / max(source_length, 1) * len(target)
        high = len(starts) - (len(bounds) - j)  # leave a word for each cut still to come
        if low > high:  # fewer words than cues: the last cues stay empty
            cuts.append(starts[low] if low < len(starts) else len(target))
            low += 1
            continue
        best = min(range(low, high + 1), key=lambda k: abs(starts[k] - want))
        cuts.append(starts[best])
        low = best + 1
    return cuts
