"""Office Open XML packages (docx, pptx): checked before a library opens them, and written back
by replacing only the parts whose text changed in the original archive (everything else, the
zip layout included, stays byte for byte)."""

from __future__ import annotations

from typing import Any

from ..errors import InputError
from .safezip import Archive, open_archive, write_archive


def open_package(data: bytes, source: str, kind: str, vba_member: str, suffix: str) -> Archive:
    """Check the archive (zip bomb, member names) and refuse a macro-enabled document."""
    archive = open_archive(data, source, kind)
    types = archive.members.get("[Content_Types].xml", b"")
    if vba_member in archive.members or b"macroEnabled" in types:
        raise InputError(source, f"macro-enabled document ({suffix}) refused")
    return archive


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
