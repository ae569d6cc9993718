"""EPUB (.epub) with lxml: every XHTML document of the manifest, the table of contents and the title.

Chapters are XHTML (XML), walked here with the mixed-content paragraphs of mixed.py: blocks
(p, h1-h6, li, td, …) are units, inline elements (em, strong, a, span, …) become spans, code,
pre, script, style, svg and math are left alone; alt and title attributes are units too. The EPUB3
nav document, the EPUB2 NCX (navLabel, docTitle) and the OPF dc:title are translated; `lang` is
set to `en`. Only changed members are rewritten (an identity translation gives the book back byte
for byte); the mimetype comes first and stored, as EPUB needs.
(html.py walks HTML parsed as HTML with its own code; this walker, shared with odf.py through
mixed.py, keeps XHTML as XML, as EPUB requires. The tag lists are html.py's.)

A changed member is spliced, not re-serialized: html.py's source tree of the member (aligned with
lxml's element by element) says where each changed block's content and each changed attribute
value is, and only those stretches are replaced; the XML declaration, the doctype, `<hr />`,
`&#160;` and every untouched block stay as they were written. A member the two parsers read
differently (an internal DTD subset with markup in it) is serialized whole by lxml instead.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Any, ClassVar

from ..errors import InputError
from .base import Extracted, FormatBackend, Unit
from .html import (
    BLOCK_TAGS,
    INLINE_TAGS,
    PROTECTED_INLINE,
    SKIP_TAGS,
    TRANSLATED_ATTRIBUTES,
    attribute_edits,
    build_tree,
    same_words,
    splice,
)
from .mixed import Dialect, append_plain, paragraph, write
from .pieces import Paragraph
from .safezip import Archive, check_member_name, open_archive, parse_xml, write_archive

KIND = "EPUB e-book"
XHTML = "http://www.w3.org/1999/xhtml"
OPF = "http://www.idpf.org/2007/opf"
NCX = "http://www.daisy.org/z3986/2005/ncx/"
DC = "http://purl.org/dc/elements/1.1/"
CONTAINER = "urn:oasis:names:tc:opendocument:xmlns:container"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# The tag lists are html.py's (one definition): inline code, kbd and samp stay untouched here,
# since this walker moves no protected content around.
BLOCKS = BLOCK_TAGS
INLINE = INLINE_TAGS - PROTECTED_INLINE - {"a"}
UNTOUCHED = (SKIP_TAGS - {"head"}) | PROTECTED_INLINE
ATTRIBUTES = TRANSLATED_ATTRIBUTES
_ROLES = {**{f"h{n}": "heading" for n in range(1, 7)}, "td": "cell", "th": "cell", "title": "title"}


def _local(el: Any) -> str:
    tag = el.tag if isinstance(el.tag, str) else ""
    return tag.rpartition("}")[2] if tag.startswith(f"{{{XHTML}}}") else ""


def _kind(el: Any) -> str:
    name = _local(el)
    if name == "a":
        return "link"
    if name == "br":
        return "text"
    return "inline" if name in INLINE else "fixed"


def _append_text(parent: Any, text: str) -> None:
    for i, line in enumerate(text.split("\n")):
        if i:
            parent.append(parent.makeelement(f"{{{XHTML}}}br", {}))
        if line:
            append_plain(parent, line)


XHTML_DIALECT = Dialect(_kind, lambda el: "\n", lambda el: el.get("href"), _append_text)


@dataclass
class _Record:
    member: str  # the archive member the unit lives in
    paragraph: Paragraph | None = None  # a block
    element: Any = None  # an attribute's element, or an element whose whole text is the unit
    attribute: str | None = None  # the attribute name (alt, title), or None for element text


@dataclass
class _State:
    archive: Archive
    roots: dict[str, Any]  # member → parsed XML
    records: list[_Record]  # one per unit
    order: dict[str, dict[Any, int]]  # member → its elements' preorder index, as read


class EpubBackend(FormatBackend):
    name: ClassVar[str] = "epub"
    suffixes: ClassVar[tuple[str, ...]] = (".epub",)
    output_suffix: ClassVar[str] = ".epub"

    def read(self, data: bytes, source: str) -> Extracted:
        archive = open_archive(data, source, KIND)
        if archive.members.get("mimetype", b"").strip() != b"application/epub+zip":
            raise InputError(source, f"not a valid {KIND} (no application/epub+zip mimetype)")
        opf_path = _rootfile(archive, source)
        opf = _parse(archive, opf_path, source)
        roots = {opf_path: opf}
        units: list[Unit] = []
        records: list[_Record] = []
        title_el = opf.find(f".//{{{DC}}}title")
        if title_el is not None and (title_el.text or "").strip():
            units.append(Unit(title_el.text or "", role="title"))
            records.append(_Record(opf_path, element=title_el))
        for member, media in _documents(opf, opf_path, source):
            if member not in archive.members:
                raise InputError(source, f"not a valid {KIND} (missing {member})")
            roots[member] = root = _parse(archive, member, source)
            found = _xhtml_units(root, member) if media == "xhtml" else _ncx_units(root, member)
            for unit, record in found:
                units.append(unit)
                records.append(record)
        if not units:
            raise InputError(source, f"no text in the {KIND}", "skipped-no-text")
        title = units[0].text.strip() if records and records[0].member == opf_path else None
        order = {member: {el: i for i, el in enumerate(_elements(root))} for member, root in roots.items()}
        return Extracted(units, _State(archive, roots, records, order), title=title)

    def write(self, extracted: Extracted, translated: list[Unit]) -> bytes:
        from lxml import etree

        state: _State = extracted.state
        # member → elements whose content changed, and (element, attribute) → new value
        contents: dict[str, list[Any]] = {}
        values: dict[str, dict[Any, dict[str, str]]] = {}
        for source, record, unit in zip(extracted.units, state.records, translated, strict=True):
            if same_words(source, unit):
                continue
            if record.paragraph is not None:
                if not write(source, record.paragraph, unit):
                    continue
                contents.setdefault(record.member, []).append(record.paragraph.anchor[0])
            elif record.attribute is not None:
                record.element.set(record.attribute, unit.text)
                values.setdefault(record.member, {}).setdefault(record.element, {})[record.attribute] = unit.text
            else:
                record.element.text = unit.text
                contents.setdefault(record.member, []).append(record.element)
        replaced = {}
        for member in sorted({*contents, *values}):
            root = state.roots[member]
            changed, english = contents.get(member, []), values.get(member, {})
            for el, names in _set_english(root).items():
                if names:
                    english.setdefault(el, {}).update(dict.fromkeys(names, "en"))
                else:
                    changed.append(el)
            spliced = _spliced(state.archive.members[member], root, state.order[member], changed, english)
            if spliced is None:
                spliced = etree.tostring(root.getroottree(), xml_declaration=True, encoding="utf-8")
            replaced[member] = spliced
        return write_archive(state.archive, replaced, first_stored="mimetype")


def _parse(archive: Archive, member: str, source: str) -> Any:
    return parse_xml(archive.members[member], source, KIND, member)


def _rootfile(archive: Archive, source: str) -> str:
    if "META-INF/container.xml" not in archive.members:
        raise InputError(source, f"not a valid {KIND} (no META-INF/container.xml)")
    container = _parse(archive, "META-INF/container.xml", source)
    rootfile = container.find(f".//{{{CONTAINER}}}rootfile")
    path = rootfile.get("full-path") if rootfile is not None else None
    if not path or path not in archive.members:
        raise InputError(source, f"not a valid {KIND} (no package document)")
    return path


def _documents(opf: Any, opf_path: str, source: str) -> list[tuple[str, str]]:
    """(member, "xhtml" | "ncx") for the spine's documents, then other XHTML, then the NCX."""
    base = posixpath.dirname(opf_path)
    items: dict[str, tuple[str, str]] = {}
    for item in opf.iter(f"{{{OPF}}}item"):
        media = {"application/xhtml+xml": "xhtml", "application/x-dtbncx+xml": "ncx"}.get(item.get("media-type", ""))
        href = item.get("href")
        if media and href:
            from urllib.parse import unquote

            member = posixpath.normpath(posixpath.join(base, unquote(href.split("#")[0])))
            check_member_name(member, source)
            items[item.get("id", member)] = (member, media)
    spine = [items[ref.get("idref")] for ref in opf.iter(f"{{{OPF}}}itemref") if ref.get("idref") in items]
    rest = sorted((v for v in items.values() if v not in spine), key=lambda v: v[1] == "ncx")
    return list(dict.fromkeys(spine + rest))


def _xhtml_units(root: Any, member: str) -> list[tuple[Unit, _Record]]:
    out: list[tuple[Unit, _Record]] = []
    for el in root.iter():
        name = _local(el)
        if not name or any(_local(a) in UNTOUCHED for a in el.iterancestors()) or name in UNTOUCHED:
            continue
        if name in BLOCKS:
            made = paragraph(el, XHTML_DIALECT, _ROLES.get(name, "paragraph"))
            if made is not None:
                out.append((made[0], _Record(member, paragraph=made[1])))
        for attribute in ATTRIBUTES:
            value = el.get(attribute)
            if value and value.strip():
                out.append((Unit(value, role="alt"), _Record(member, element=el, attribute=attribute)))
    return out


def _ncx_units(root: Any, member: str) -> list[tuple[Unit, _Record]]:
    out: list[tuple[Unit, _Record]] = []
    for text in root.iter(f"{{{NCX}}}text"):
        if (text.text or "").strip():
            out.append((Unit(text.text or "", role="toc"), _Record(member, element=text)))
    return out


def _set_english(root: Any) -> dict[Any, list[str]]:
    """Set the language to English; what changed: element → attributes set (none: its text)."""
    changed: dict[Any, list[str]] = {}
    if root.tag == f"{{{XHTML}}}html":
        for name in (XML_LANG, "lang"):
            if root.get(name) is not None:
                root.set(name, "en")
                changed.setdefault(root, []).append(name)
    for language in root.iter(f"{{{DC}}}language"):
        language.text = "en"
        changed[language] = []
    return changed


def _elements(root: Any) -> list[Any]:
    return [el for el in root.iter() if isinstance(el.tag, str)]


def _spliced(
    data: bytes, root: Any, order: dict[Any, int], contents: list[Any], values: dict[Any, dict[str, str]]
) -> bytes | None:
    """The member's original bytes with the changed elements' contents and attribute values
    replaced (see the module docstring); None where that cannot be done safely."""
    from lxml import etree

    codec = root.getroottree().docinfo.encoding or "utf-8"
    try:
        text = data.decode(codec)
        if text.encode(codec) != data:
            return None
        tree = build_tree(text, xml=True)
    except Exception:  # an unknown codec, html.parser's assertions: lxml writes the member whole
        return None
    mine = [el for el in tree.iter() if el is not tree]
    theirs = [etree.QName(el).localname.lower() for el in order]  # order is preorder (dicts keep it)
    if [el.name.rpartition(":")[2] for el in mine] != theirs:
        return None
    edits = []
    for el in contents:
        at = mine[order[el]]
        serialized = etree.tostring(el, encoding=str, with_tail=False)
        if at.inner_end == at.end and text[at.start : at.tag_end].endswith("/>"):
            return None  # <p/> given content: rare, lxml writes it
        inner = "" if serialized.endswith("/>") else serialized[serialized.index(">") + 1 : serialized.rindex("</")]
        edits.append((at.tag_end, at.inner_end, inner))
    for el, changes in values.items():
        names = {("xml:lang" if name == XML_LANG else name): value for name, value in changes.items()}
        edits += attribute_edits(text, mine[order[el]], names)
    return splice(text, edits).encode(codec, "xmlcharrefreplace")
