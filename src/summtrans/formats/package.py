"""Office Open XML packages (docx, pptx): checked before a library opens them, and written back
by replacing only the parts whose text changed in the original archive (everything else, the
zip layout included, stays byte for byte)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from ..errors import InputError
from .base import Extracted, Unit
from .pieces import Paragraph
from .safezip import Archive, open_archive, write_archive

T = TypeVar("T")


@dataclass
class PackageState:
    """`Extracted.state` of a docx or pptx: what write() needs."""

    archive: Archive  # the original package
    owner: Any  # the python-docx Document or python-pptx Presentation (owns the parsed parts)
    records: list[tuple[str, Any, Paragraph]]  # (part name, part's XML root, paragraph) per unit


def open_package(data: bytes, source: str, kind: str, vba_member: str, suffix: str) -> Archive:
    """Check the archive (zip bomb, member names) and refuse a macro-enabled document."""
    archive = open_archive(data, source, kind)
    types = archive.members.get("[Content_Types].xml", b"")
    if vba_member in archive.members or b"macroEnabled" in types:
        raise InputError(source, f"macro-enabled document ({suffix}) refused")
    return archive


def load_package(load: Callable[[], T], source: str, kind: str, not_found: type[Exception]) -> T:
    """`load()` (python-docx or python-pptx opening the package), its errors as InputError."""
    try:
        return load()
    except (not_found, KeyError, ValueError) as exc:
        raise InputError(source, f"not a valid {kind} ({exc})") from None
    except Exception as exc:  # the libraries raise lxml and zip errors of many kinds
        raise InputError(source, f"not a valid {kind} ({type(exc).__name__}: {exc})") from None


def read_result(state: PackageState, units: list[Unit], source: str, kind: str) -> Extracted:
    """The read package's units, titled by its core properties; a package without text is skipped."""
    if not units:
        raise InputError(source, f"no text in the {kind}", "skipped-no-text")
    return Extracted(units, state, title=state.owner.core_properties.title or None)


def write_changed(extracted: Extracted, translated: list[Unit], write: Callable[[Unit, Paragraph, Unit], bool]) -> bytes:
    """The package with each unit written by ``write(source, paragraph, translated)`` (True: it
    changed the paragraph); only the parts holding a changed paragraph are serialized again."""
    state: PackageState = extracted.state
    changed: dict[str, Any] = {}
    for source, (name, root, paragraph), unit in zip(extracted.units, state.records, translated, strict=True):
        if write(source, paragraph, unit):
            changed[name] = root
    return write_parts(state.archive, changed)


def write_parts(archive: Archive, changed: dict[str, Any]) -> bytes:
    """The original archive with the changed parts (part name → XML root) serialized in."""
    from lxml import etree

    replaced = {
        name.lstrip("/"): etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        for name, root in changed.items()
    }
    return write_archive(archive, replaced)


def external_links(part: Any) -> Any:
    """relationship id → external target (a hyperlink's URL) for a python-docx/-pptx part."""

    def target(rid: str) -> str | None:
        rel = part.rels.get(rid)
        return rel.target_ref if rel is not None and rel.is_external else None

    return target
