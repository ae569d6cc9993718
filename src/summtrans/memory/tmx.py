"""TMX 1.4 (Translation Memory eXchange) export and import for the translation memory.

Export writes every pair as a ``<tu>`` with German and English ``<tuv>`` variants; a TMX reader
(translate-toolkit, CAT tools) parses it. Import reads ``<tu>`` elements one at a time (large
files stay small in memory), maps ``de-DE``/``en-GB``-style languages to ``de``/``en``, takes a
``<seg>``'s text without its inline native codes (``<bpt>``, ``<ept>``, ``<ph>``, ``<it>``,
``<ut>``, ``<sub>``) and refuses files that declare XML entities: nothing is expanded or fetched.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

from .. import __version__
from ..errors import InputError
from ..language.detect import SOURCE_LANG, TARGET_LANG

if TYPE_CHECKING:
    from .store import Entry, Memory

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# Inline elements whose content is native markup or a sub-flow, not the segment's own text.
_CODE_TAGS = frozenset({"bpt", "ept", "ph", "it", "ut", "sub"})
_PROLOG_BYTES = 65536
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class TmxPair:
    """One German → English translation unit."""

    source: str
    target: str
    origin: str = ""  # x-summtrans-origin prop: memory | memory-import ('' from other tools)
    context: str = ""  # x-summtrans-context prop: a model entry's context, or an import's file


def _text(value: str) -> str:
    return escape(_XML_ILLEGAL.sub("", value))


def _tu(pair: Entry | TmxPair, stamp: str) -> str:
    props = ""
    if pair.origin:
        props += f'    <prop type="x-summtrans-origin">{_text(pair.origin)}</prop>\n'
    if pair.context:
        props += f'    <prop type="x-summtrans-context">{_text(pair.context)}</prop>\n'
    return (
        f'  <tu creationdate="{stamp}">\n{props}'
        f'    <tuv xml:lang="{SOURCE_LANG}"><seg>{_text(pair.source)}</seg></tuv>\n'
        f'    <tuv xml:lang="{TARGET_LANG}"><seg>{_text(pair.target)}</seg></tuv>\n'
        "  </tu>\n"
    )


def tmx_lines(pairs: Iterable[Entry | TmxPair]) -> Iterator[str]:
    """The TMX document, piece by piece."""
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield '<tmx version="1.4">\n'
    yield (
        f"<header creationtool=\"summtrans\" creationtoolversion={quoteattr(__version__)} "
        f'segtype="sentence" o-tmf="summtrans-sqlite" adminlang="en" srclang="{SOURCE_LANG}" '
        f'datatype="plaintext" creationdate="{stamp}"/>\n'
    )
    yield "<body>\n"
    for pair in pairs:
        yield _tu(pair, stamp)
    yield "</body>\n</tmx>\n"


def write_tmx(pairs: Iterable[Entry | TmxPair], path: Path) -> int:
    """Write `pairs` as a TMX 1.4 file, atomically and streamed (`fsio.atomic_write_with`); returns how many."""
    from ..fsio import atomic_write_with

    count = 0

    def counted() -> Iterator[Entry | TmxPair]:
        nonlocal count
        for pair in pairs:
            count += 1
            yield pair

    try:
        atomic_write_with(path, lambda f: f.writelines(line.encode("utf-8") for line in tmx_lines(counted())))
    except OSError as exc:
        raise InputError(str(path), f"cannot write the TMX file ({exc.strerror or exc})", "failed") from exc
    return count


def export_tmx(memory: Memory, path: Path, *, model_entries: bool = True) -> int:
    """Export the memory's imports (and, unless `model_entries=False`, its model output) as TMX."""
    return write_tmx(memory.entries(model=model_entries), path)


# -- import ------------------------------------------------------------------------------


def _base_lang(value: str | None) -> str:
    """``de-DE`` / ``de_AT`` / ``DE`` → ``de``."""
    return re.split(r"[-_]", (value or "").strip(), maxsplit=1)[0].lower()


def _seg_text(seg) -> str:
    parts = [seg.text or ""]
    for child in seg:
        if isinstance(child.tag, str):  # not a comment or processing instruction
            name = child.tag.rsplit("}", 1)[-1]
            if name not in _CODE_TAGS:
                parts.append(_seg_text(child))  # <hi>: highlighted text is text
        parts.append(child.tail or "")
    return "".join(parts)


def _check_prolog(path: Path, where: str) -> None:
    """Refuse a DOCTYPE with an internal subset (entity declarations: billion laughs, XXE)."""
    try:
        with open(path, "rb") as f:
            head = f.read(_PROLOG_BYTES)
    except OSError as exc:
        raise InputError(where, f"cannot read the TMX file ({exc.strerror})", "failed") from exc
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="replace")
    else:
        text = head.decode("latin-1")
    prolog = text.split("<tmx", 1)[0]
    if "<!ENTITY" in prolog or re.search(r"<!DOCTYPE[^>\[]*\[", prolog):
        raise InputError(where, "the TMX file declares XML entities (refused for safety)", "failed")


def read_tmx(path: Path) -> Iterator[TmxPair]:
    """The German → English pairs of a TMX file. A unit without both languages is skipped.

    Raises InputError (one line naming the file and the problem) for a file that is not TMX,
    not well-formed, or declares entities.
    """
    from lxml import etree

    path = Path(path)
    where = str(path)
    _check_prolog(path, where)
    events = etree.iterparse(
        str(path),
        events=("start", "end"),
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
    )
    depth = 0
    try:
        for event, elem in events:
            name = elem.tag.rsplit("}", 1)[-1] if isinstance(elem.tag, str) else ""
            if event == "start":
                if depth == 0 and name != "tmx":
                    raise InputError(where, f"not a TMX file (the root element is <{name}>, not <tmx>)", "failed")
                depth += 1
                continue
            depth -= 1
            if name != "tu":
                continue
            variants: dict[str, str] = {}
            props: dict[str, str] = {}
            for child in elem:
                kind = child.tag.rsplit("}", 1)[-1] if isinstance(child.tag, str) else ""
                if kind == "prop":
                    props.setdefault(child.get("type", ""), child.text or "")
                if kind != "tuv":
                    continue
                lang = _base_lang(child.get(XML_LANG) or child.get("lang"))
                seg = next((c for c in child if isinstance(c.tag, str) and c.tag.rsplit("}", 1)[-1] == "seg"), None)
                if seg is not None and lang and lang not in variants:
                    variants[lang] = _seg_text(seg)
            elem.clear()
            if variants.get(SOURCE_LANG, "").strip() and variants.get(TARGET_LANG, "").strip():
                yield TmxPair(
                    variants[SOURCE_LANG],
                    variants[TARGET_LANG],
                    props.get("x-summtrans-origin", ""),
                    props.get("x-summtrans-context", ""),
                )
    except etree.XMLSyntaxError as exc:
        raise InputError(where, f"not well-formed XML ({exc.msg})", "failed") from exc
    except OSError as exc:
        raise InputError(where, f"cannot read the TMX file ({exc})", "failed") from exc


def import_tmx(memory: Memory, path: Path, *, batch: int = 5000) -> int:
    """Import the German → English units of a TMX file; returns how many.

    Units are human translations (they win for any model), except units this program exported
    from model output (``x-summtrans-origin`` = memory with a readable context), which go back to
    their model context: an export → import round trip restores the memory as it was.
    """
    from .store import MEMORY, MemoryContext

    name = Path(path).name
    total = 0
    human: list[tuple[str, str]] = []
    machine: dict[str, list[tuple[str, str]]] = {}
    for pair in read_tmx(path):
        ctx = MemoryContext.from_description(pair.context) if pair.origin == MEMORY else None
        if ctx is not None:
            machine.setdefault(pair.context, []).append((pair.source, pair.target))
        else:
            human.append((pair.source, pair.target))
        if len(human) >= batch:
            total += memory.import_pairs(human, name)
            human = []
    if human:
        total += memory.import_pairs(human, name)
    for description, pairs in machine.items():
        total += memory.store(MemoryContext.from_description(description), pairs)  # type: ignore[arg-type]
    return total
