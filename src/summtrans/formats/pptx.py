"""PowerPoint (.pptx) through python-pptx: every text frame, group, table and notes page.

python-pptx opens and saves the package; text is walked on each slide's and notes page's XML,
so every a:p is met wherever it sits. write() edits the parsed presentation in
`Extracted.state`: call it once.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, ClassVar

from ..errors import InputError
from .base import Extracted, FormatBackend, Unit
from .docx import refuse_macros
from .ooxml import drawing_paragraphs, write_drawing
from .pieces import Paragraph

KIND = "PowerPoint presentation"


@dataclass
class _State:
    presentation: Any  # the python-pptx Presentation
    paragraphs: list[Paragraph]  # one per unit


class PptxBackend(FormatBackend):
    name: ClassVar[str] = "pptx"
    suffixes: ClassVar[tuple[str, ...]] = (".pptx", ".pptm")
    output_suffix: ClassVar[str] = ".pptx"

    def read(self, data: bytes, source: str) -> Extracted:
        refuse_macros(data, source, KIND, "ppt/vbaProject.bin", ".pptm")
        import pptx
        from pptx.exc import PackageNotFoundError

        try:
            presentation = pptx.Presentation(io.BytesIO(data))
        except (PackageNotFoundError, KeyError, ValueError) as exc:
            raise InputError(source, f"not a valid {KIND} ({exc})") from None
        except Exception as exc:  # python-pptx raises lxml and zip errors of many kinds
            raise InputError(source, f"not a valid {KIND} ({type(exc).__name__}: {exc})") from None
        units: list[Unit] = []
        paragraphs: list[Paragraph] = []
        for slide in presentation.slides:
            stories = [(slide.part, "paragraph")]
            if slide.has_notes_slide:
                stories.append((slide.notes_slide.part, "note"))
            for part, role in stories:
                for unit, paragraph in drawing_paragraphs(part._element, _links(part), role):
                    if _is_title(paragraph):
                        unit = Unit(unit.text, unit.spans, "title")
                    units.append(unit)
                    paragraphs.append(paragraph)
        if not units:
            raise InputError(source, "no text in the PowerPoint presentation", "skipped-no-text")
        title = presentation.core_properties.title or None
        return Extracted(units, _State(presentation, paragraphs), title=title)

    def write(self, extracted: Extracted, translated: list[Unit]) -> bytes:
        state: _State = extracted.state
        for source, paragraph, unit in zip(extracted.units, state.paragraphs, translated, strict=True):
            write_drawing(source, paragraph, unit)
        out = io.BytesIO()
        state.presentation.save(out)
        return out.getvalue()


def _links(part: Any) -> Any:
    def target(rid: str) -> str | None:
        rel = part.rels.get(rid)
        return rel.target_ref if rel is not None and rel.is_external else None

    return target


def _is_title(paragraph: Paragraph) -> bool:
    """Whether the paragraph sits in a title placeholder."""
    p = paragraph.anchor[0]
    for sp in p.iterancestors("{http://schemas.openxmlformats.org/presentationml/2006/main}sp"):
        ph = sp.find(".//{http://schemas.openxmlformats.org/presentationml/2006/main}ph")
        return ph is not None and ph.get("type") in ("title", "ctrTitle")
    return False
