"""Word (.docx) through python-docx: body, tables, headers, footers, footnotes, endnotes, text boxes.

python-docx opens the package; the text is walked on the XML of each story part, so every w:p is
met wherever it sits (table cells, text boxes, content controls). write() puts only the story
parts whose text changed back into the original archive: styles, images, layout and every other
part stay byte for byte. It edits the parsed parts in `Extracted.state`: call it once.
"""

from __future__ import annotations

import io
from typing import Any, ClassVar

from .base import Extracted, FormatBackend, Unit
from .ooxml import w, word_paragraphs, write_word
from .package import PackageState, external_links, load_package, open_package, read_result, write_changed
from .pieces import Paragraph
from .safezip import parse_xml

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


class DocxBackend(FormatBackend):
    name: ClassVar[str] = "docx"
    suffixes: ClassVar[tuple[str, ...]] = (".docx", ".docm")
    output_suffix: ClassVar[str] = ".docx"

    def read(self, data: bytes, source: str) -> Extracted:
        archive = open_package(data, source, KIND, "word/vbaProject.bin", ".docm")
        import docx
        from docx.opc.exceptions import PackageNotFoundError

        document = load_package(lambda: docx.Document(io.BytesIO(data)), source, KIND, PackageNotFoundError)
        units: list[Unit] = []
        records: list[tuple[str, Any, Paragraph]] = []
        for part in document.part.package.iter_parts():
            story = STORY_PARTS.get(part.content_type)
            if story is None:
                continue
            root = getattr(part, "element", None)
            if root is None:  # footnotes/endnotes: python-docx has no class for them
                root = parse_xml(part.blob, source, KIND, str(part.partname))
            for unit, paragraph in word_paragraphs(root, external_links(part), lambda p, s=story: _role(p, s)):
                units.append(unit)
                records.append((str(part.partname), root, paragraph))
        return read_result(PackageState(archive, document, records), units, source, KIND)

    def write(self, extracted: Extracted, translated: list[Unit]) -> bytes:
        return write_changed(extracted, translated, write_word)


def _role(p: Any, story: str) -> str:
    if story != "body":  # note, header, footer
        return story
    style = p.find(f"{w('pPr')}/{w('pStyle')}")
    name = (style.get(w("val")) if style is not None else "") or ""
    if name.lower().startswith(_HEADING_STYLES):
        return "title" if name.lower().startswith(("title", "titel")) else "heading"
    if any(anc.tag == w("tc") for anc in p.iterancestors()):
        return "cell"
    return "paragraph"
