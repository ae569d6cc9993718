"""ZIP containers (Office, OpenDocument, EPUB) opened and XML parsed without letting hostile input hurt.

Zip bombs are refused by the sizes the archive declares (Python's zipfile never inflates a member
past its declared size and checks its CRC), member names may not escape a folder, and XML is parsed
without entity resolution, DTD loading or network access.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Any

from ..errors import InputError

MAX_TOTAL_BYTES = 1 << 30  # uncompressed size of all members together (1 GiB)
MAX_MEMBERS = 20_000  # members in one archive
MAX_RATIO = 200  # uncompressed/compressed size of one member, checked above RATIO_FLOOR
RATIO_FLOOR = 1 << 20  # members smaller than this (1 MiB) may compress as well as they like


@dataclass(frozen=True)
class Archive:
    """An opened, checked archive: its members' bytes by name, in the original order."""

    infos: list[zipfile.ZipInfo]  # the original entries (order, compression, dates)
    members: dict[str, bytes]  # name → uncompressed bytes


def open_archive(data: bytes, source: str, kind: str) -> Archive:
    """Check and read a ZIP container; `kind` names the format in errors ("Word document")."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise InputError(source, f"not a valid {kind} ({_reason(exc)})") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise InputError(source, f"{kind} refused: {len(infos)} archive members (at most {MAX_MEMBERS})")
        total = 0
        for info in infos:
            check_member_name(info.filename, source)
            total += info.file_size
            if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise InputError(
                    source,
                    f"{kind} refused: member {info.filename} expands {info.file_size // max(info.compress_size, 1)}x"
                    " (zip bomb?)",
                )
        if total > MAX_TOTAL_BYTES:
            raise InputError(source, f"{kind} refused: {total >> 20} MiB uncompressed (zip bomb?)")
        members: dict[str, bytes] = {}
        try:
            for info in infos:
                members[info.filename] = zf.read(info)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError, RuntimeError) as exc:
            raise InputError(source, f"not a valid {kind} ({_reason(exc)})") from None
    return Archive(infos, members)


def check_member_name(name: str, source: str) -> None:
    """Refuse a member name that could escape a folder it is extracted to (zip-slip)."""
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or ".." in parts or (len(name) > 1 and name[1] == ":") or "\x00" in name:
        raise InputError(source, f"unsafe archive member name refused: {name!r}")


def write_archive(archive: Archive, replaced: dict[str, bytes], first_stored: str | None = None) -> bytes:
    """A copy of `archive` with some members' bytes replaced; order, compression and dates kept.

    `first_stored` names a member that must come first and uncompressed (ODF and EPUB mimetype).
    """
    infos = list(archive.infos)
    first = [i for i in infos if i.filename == first_stored]
    if first:
        infos = first + [i for i in infos if i.filename != first_stored]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for info in infos:
            data = replaced.get(info.filename, archive.members[info.filename])
            copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            copy.compress_type = zipfile.ZIP_STORED if info.filename == first_stored else info.compress_type
            copy.external_attr = info.external_attr
            copy.create_system = info.create_system
            copy.comment = info.comment
            zf.writestr(copy, data)
    return out.getvalue()


def xml_parser() -> Any:
    """An lxml parser that resolves no entities, loads no DTD and touches no network."""
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def parse_xml(data: bytes, source: str, kind: str, member: str) -> Any:
    """Parse one XML member safely; a malformed member is a one-line InputError."""
    from lxml import etree

    try:
        return etree.fromstring(data, xml_parser())
    except etree.XMLSyntaxError as exc:
        raise InputError(source, f"not a valid {kind} ({member}: {exc})") from None


def _reason(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__
