"""OpenDocument text (.odt) and presentations (.odp) with lxml on content.xml and styles.xml.

Every text:p and text:h is a unit, wherever it sits (tables, lists, frames and text boxes,
footnotes, slides, speaker notes; headers and footers of .odt in styles.xml). Only the XML members
that changed are rewritten; every other member is copied byte for byte, mimetype first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from ..errors import InputError
from .base import Extracted, FormatBackend, Unit
from .mixed import Dialect, append_plain, paragraph, write
from .pieces import Paragraph
from .safezip import Archive, open_archive, parse_xml, write_archive

TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
XLINK = "http://www.w3.org/1999/xlink"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
DC = "http://purl.org/dc/elements/1.1/"
_MIME = "application/vnd.oasis.opendocument."
_CONTROLS = re.compile(r"(\t|\n| {2,})")


def t(tag: str) -> str:
    return f"{{{TEXT}}}{tag}"


def _kind(el: Any) -> str:
    if el.tag == t("span"):
        return "inline"
    if el.tag == t("a"):
        return "link"
    if el.tag in (t("s"), t("tab"), t("line-break")):
        return "text"
    return "fixed"


def _text_of(el: Any) -> str:
    if el.tag == t("s"):
        return " " * int(el.get(t("c")) or 1)
    return "\t" if el.tag == t("tab") else "\n"


def _append_text(parent: Any, text: str) -> None:
    """Text as ODF keeps it: runs of spaces as text:s, tabs as text:tab, breaks as text:line-break."""
    for token in _CONTROLS.split(text):
        if token == "\t":
            parent.append(parent.makeelement(t("tab"), {}))
        elif token == "\n":
            parent.append(parent.makeelement(t("line-break"), {}))
        elif token.startswith("  "):
            append_plain(parent, " ")
            parent.append(parent.makeelement(t("s"), {t("c"): str(len(token) - 1)}))
        elif token:
            append_plain(parent, token)


ODF = Dialect(_kind, _text_of, lambda el: el.get(f"{{{XLINK}}}href"), _append_text)


@dataclass
class _State:
    archive: Archive  # the original package
    roots: dict[str, Any]  # member name → parsed XML
    records: list[tuple[str, Paragraph]]  # (member, paragraph) per unit


class _OdfBackend(FormatBackend):
    kind: ClassVar[str]  # "OpenDocument text", for errors
    mimetype: ClassVar[str]  # the package's mimetype member
    members: ClassVar[tuple[str, ...]]  # XML members whose paragraphs are translated

    def read(self, data: bytes, source: str) -> Extracted:
        archive = open_archive(data, source, self.kind)
        found = archive.members.get("mimetype", b"").decode("ascii", "replace").strip()
        if found != self.mimetype:
            raise InputError(source, f"not a valid {self.kind} (mimetype {found or 'missing'!r})")
        roots: dict[str, Any] = {}
        units: list[Unit] = []
        records: list[tuple[str, Paragraph]] = []
        for member in self.members:
            if member not in archive.members:
                if member == "content.xml":
                    raise InputError(source, f"not a valid {self.kind} (no content.xml)")
                continue
            roots[member] = root = parse_xml(archive.members[member], source, self.kind, member)
            for block in root.iter(t("p"), t("h")):
                made = paragraph(block, ODF, _role(block))
                if made is not None:
                    units.append(made[0])
                    records.append((member, made[1]))
        if not units:
            raise InputError(source, f"no text in the {self.kind}", "skipped-no-text")
        return Extracted(units, _State(archive, roots, records), title=_title(archive, source, self.kind))

    def write(self, extracted: Extracted, translated: list[Unit]) -> bytes:
        from lxml import etree

        state: _State = extracted.state
        dirty: set[str] = set()
        for source, (member, record), unit in zip(extracted.units, state.records, translated, strict=True):
            if write(source, record, unit):
                dirty.add(member)
        replaced = {
            m: etree.tostring(state.roots[m], xml_declaration=True, encoding="UTF-8") for m in sorted(dirty)
        }
        return write_archive(state.archive, replaced, first_stored="mimetype")


class OdtBackend(_OdfBackend):
    name: ClassVar[str] = "odt"
    suffixes: ClassVar[tuple[str, ...]] = (".odt",)
    output_suffix: ClassVar[str] = ".odt"
    kind: ClassVar[str] = "OpenDocument text"
    mimetype: ClassVar[str] = _MIME + "text"
    members: ClassVar[tuple[str, ...]] = ("content.xml", "styles.xml")


class OdpBackend(_OdfBackend):
    name: ClassVar[str] = "odp"
    suffixes: ClassVar[tuple[str, ...]] = (".odp",)
    output_suffix: ClassVar[str] = ".odp"
    kind: ClassVar[str] = "OpenDocument presentation"
    mimetype: ClassVar[str] = _MIME + "presentation"
    members: ClassVar[tuple[str, ...]] = ("content.xml",)


def _role(block: Any) -> str:
    if block.tag == t("h"):
        return "heading"
    for anc in block.iterancestors():
        if anc.tag == t("note"):
            return "note"
        if anc.tag in (f"{{{STYLE}}}header", f"{{{STYLE}}}footer"):
            return anc.tag.rpartition("}")[2]
        if anc.tag == f"{{{TABLE}}}table-cell":
            return "cell"
    return "paragraph"


def _title(archive: Archive, source: str, kind: str) -> str | None:
    if "meta.xml" not in archive.members:
        return None
    meta = parse_xml(archive.members["meta.xml"], source, kind, "meta.xml")
    title = meta.findtext(f".//{{{DC}}}title")
    return title.strip() if title and title.strip() else None
