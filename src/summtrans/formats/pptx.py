"""PowerPoint (.pptx) through python-pptx: every text frame, group, table and notes page.

python-pptx opens the package; text is walked on each slide's and notes page's XML, so every
a:p is met wherever it sits. write() puts only the slides and notes pages whose text changed
back into the original archive; everything else stays byte for byte. It edits the parsed parts
in `Extracted.state`: call it once.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, ClassVar

from ..errors import InputError
from .base import Extracted, FormatBackend, Unit
from .ooxml import drawing_paragraphs, write_drawing
from .package import external_links, open_package, write_parts
from .pieces import Paragraph
from .safezip import Archive

KIND = "PowerPoint presentation"


@dataclass
class _State:
    archive: Archive  # the original package
    presentation: Any  # the python-pptx Presentation (owns the parsed parts)
    records: list[tuple[str, Any, Paragraph]]  # (part name, part's XML root, paragraph) per unit


class PptxBackend(FormatBackend):
    name: ClassVar[str] = "pptx"
    suffixes: ClassVar[tuple[str, ...]] = (".pptx", ".pptm")
    output_suffix: ClassVar[str] = ".pptx"

    def read(self, data: bytes, source: str) -> Extracted:
        archive = open_package(data, source, KIND, "ppt/vbaProject.bin", ".pptm")
        import pptx
        from pptx.exc import PackageNotFoundError

        try:
            presentation = pptx.Presentation(io.BytesIO(data))
        except (PackageNotFoundError, KeyError, ValueError) as exc:
            raise InputError(source, f"not a valid {KIND} ({exc})") from None
        except Exception as exc:  # python-pptx raises lxml and zip errors of many kinds
            raise InputError(source, f"not a valid {KIND} ({type(exc).__name__}: {exc})") from None
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
        if not units:
            raise InputError(source, "no text in the PowerPoint presentation", "skipped-no-text")
        title = presentation.core_properties.title or None
        return Extracted(units, _State(archive, presentation, records), title=title)

    def write(self, extracted: Extracted, translated: list[Unit]) -> bytes:
        state: _State = extracted.state
        changed: dict[str, Any] = {}
        for source, (name, root, paragraph), unit in zip(extracted.units, state.records, translated, strict=True):
            if write_drawing(source, paragraph, unit):
                changed[name] = root
        return write_parts(state.archive, changed)


def _is_title(paragraph: Paragraph) -> bool:
    """Whether the paragraph sits in a title placeholder."""
    p = paragraph.anchor[0]
    for sp in p.iterancestors("{http://schemas.openxmlformats.org/presentationml/2006/main}sp"):
        ph = sp.find(".//{http://schemas.openxmlformats.org/presentationml/2006/main}ph")
        return ph is not None and ph.get("type") in ("title", "ctrTitle")
    return False
