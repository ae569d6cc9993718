"""PowerPoint (.pptx) through python-pptx: every text frame, group, table and notes page.

python-pptx opens the package; text is walked on each slide's and notes page's XML, so every
a:p is met wherever it sits. write() puts only the slides and notes pages whose text changed
back into the original archive; everything else stays byte for byte. It edits the parsed parts
in `Extracted.state`: call it once.
"""

from __future__ import annotations

import io
from typing import Any, ClassVar

from .base import Extracted, FormatBackend, Unit
from .ooxml import drawing_paragraphs, write_drawing
from .package import PackageState, external_links, load_package, open_package, read_result, write_changed
from .pieces import Paragraph

KIND = "PowerPoint presentation"


class PptxBackend(FormatBackend):
    name: ClassVar[str] = "pptx"
    suffixes: ClassVar[tuple[str, ...]] = (".pptx", ".pptm")
    output_suffix: ClassVar[str] = ".pptx"

    def read(self, data: bytes, source: str) -> Extracted:
        archive = open_package(data, source, KIND, "ppt/vbaProject.bin", ".pptm")
        import pptx
        from pptx.exc import PackageNotFoundError

        presentation = load_package(lambda: pptx.Presentation(io.BytesIO(data)), source, KIND, PackageNotFoundError)
        units: list[Unit] = []
        records: list[tuple[str, Any, Paragraph]] = []
        for slide in presentation.slides:
            pages = [(slide, "paragraph")]
            if slide.has_notes_slide:
                pages.append((slide.notes_slide, "note"))
            for page, role in pages:
                for unit, paragraph in drawing_paragraphs(page.element, external_links(page.part), role):
                    if _is_title(paragraph):
                        unit = Unit(unit.text, unit.spans, "title")
                    units.append(unit)
                    records.append((str(page.part.partname), page.element, paragraph))
        return read_result(PackageState(archive, presentation, records), units, source, KIND)

    def write(self, extracted: Extracted, translated: list[Unit]) -> bytes:
        return write_changed(extracted, translated, write_drawing)


def _is_title(paragraph: Paragraph) -> bool:
    """Whether the paragraph sits in a title placeholder."""
    p = paragraph.anchor[0]
    for sp in p.iterancestors("{http://schemas.openxmlformats.org/presentationml/2006/main}sp"):
        ph = sp.find(".//{http://schemas.openxmlformats.org/presentationml/2006/main}ph")
        return ph is not None and ph.get("type") in ("title", "ctrTitle")
    return False
