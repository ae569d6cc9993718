"""Word (.docx) through python-docx: body, tables, headers, footers, footnotes, endnotes, text boxes.

python-docx opens and saves the package (styles, images, layout travel untouched); the text is
walked on the XML of each story part, so every w:p is met wherever it sits (table cells, text
boxes, content controls). write() edits the parsed document in `Extracted.state`: call it once.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, ClassVar

from ..errors import InputError
from .base import Extracted, FormatBackend, Unit
from .ooxml import w, word_paragraphs, write_word
from .pieces import Paragraph
from .safezip import open_archive, parse_xml

KIND = "Word document"
_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml."
# Story parts whose paragraphs are translated, by content type.
STORY_PARTS = {
    _CT + "document.main+xml": "body",
    _CT + "header+xml": "header",
    _CT + "footer+xml": "footer",
    _CT + "footnotes+xml": "note",
    _CT + "endnotes+xml": "note",
}
_HEADING_STYLES = ("heading", "berschrift", "title", "titel", "subtitle", "untertitel")


@dataclass
class _State:
    document: Any  # the python-docx Document
    paragraphs: list[Paragraph]  # one per unit
    blob_parts: list[tuple[Any, Any]]  # (part, parsed root) for parts python-docx keeps as bytes


class DocxBackend(FormatBackend):
    name: ClassVar[str] = "docx"
    suffixes: ClassVar[tuple[str, ...]] = (".docx", ".docm")
    output_suffix: ClassVar[str] = ".docx"

    def read(self, data: bytes, source: str) -> Extracted:
        refuse_macros(data, source, KIND, "word/vbaProject.bin", ".docm")
        import docx
        from docx.opc.exceptions import PackageNotFoundError

        try:
            document = docx.Document(io.BytesIO(data))
        except (PackageNotFoundError, KeyError, ValueError) as exc:
            raise InputError(source, f"not a valid {KIND} ({exc})") from None
        except Exception as exc:  # python-docx raises lxml and zip errors of many kinds
            raise InputError(source, f"not a valid {KIND} ({type(exc).__name__}: {exc})") from None
        units: list[Unit] = []
        paragraphs: list[Paragraph] = []
        blob_parts: list[tuple[Any, Any]] = []
        for part in document.part.package.iter_parts():
            story = STORY_PARTS.get(part.content_type)
            if story is None:
                continue
            root = getattr(part, "element", None)
            if root is None:  # footnotes/endnotes: python-docx has no class for them
                root = parse_xml(part.blob, source, KIND, str(part.partname))
                blob_parts.append((part, root))
            links = _links(part)
            for unit, paragraph in word_paragraphs(root, links, lambda p, s=story: _role(p, s)):
                units.append(unit)
                paragraphs.append(paragraph)
        if not units:
            raise InputError(source, "no text in the Word document", "skipped-no-text")
        title = document.core_properties.title or None
        return Extracted(units, _State(document, paragraphs, blob_parts), title=title)

    def write(self, extracted: Extracted, translated: list[Unit]) -> bytes:
        from lxml import etree

        state: _State = extracted.state
        for source, paragraph, unit in zip(extracted.units, state.paragraphs, translated, strict=True):
            write_word(source, paragraph, unit)
        for part, root in state.blob_parts:
            part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        out = io.BytesIO()
        state.document.save(out)
        return out.getvalue()


def refuse_macros(data: bytes, source: str, kind: str, vba_member: str, suffix: str) -> None:
    """Check the archive (zip bomb, names) and refuse a macro-enabled document."""
    archive = open_archive(data, source, kind)
    types = archive.members.get("[Content_Types].xml", b"")
    if vba_member in archive.members or b"macroEnabled" in types:
        raise InputError(source, f"macro-enabled document ({suffix}) refused")


def _links(part: Any) -> Any:
    def target(rid: str) -> str | None:
        rel = part.rels.get(rid)
        return rel.target_ref if rel is not None and rel.is_external else None

    return target


def _role(p: Any, story: str) -> str:
    if story == "note":
        return "note"
    style = p.find(f"{w('pPr')}/{w('pStyle')}")
    name = (style.get(w("val")) if style is not None else "") or ""
    if name.lower().startswith(_HEADING_STYLES):
        return "title" if name.lower().startswith(("title", "titel")) else "heading"
    if any(anc.tag == w("tc") for anc in p.iterancestors()):
        return "cell"
    return "paragraph"
