"""Reading input documents: size, binary and encoding checks. (Atomic output writing is in `fsio`.)"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
import sys
from dataclasses import dataclass
from typing import BinaryIO

from summtrans.errors import InputError

__all__ = [
    "DEFAULT_MAX_BYTES",
    "Document",
    "decode_bytes",
    "read_document",
]

DEFAULT_MAX_BYTES = 50 * 1024 * 1024

_SNIFF_BYTES = 8192
_UNDECODABLE = "cannot decode text (tried utf-8, cp1252, latin-1)"
# Byte-order marks, UTF-32 first: the UTF-32 LE BOM starts with the UTF-16 LE BOM.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_C1_BYTES = re.compile(rb"[\x80-\x9f]")
# Control characters that do not occur in text (tab, newlines, form feed excluded), C1 included.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_MAX_CONTROL_SHARE = 0.1


@dataclass(frozen=True)
class Document:
    """One decoded input document."""

    source: str
    """Display name: the path as given, or ``"-"`` for stdin."""
    text: str
    """Decoded text with ``\\r\\n``/``\\r`` normalized to ``\\n`` and any BOM removed."""
    encoding: str
    """Codec used, lower-case Python name: ``utf-8``, ``utf-8-sig``, ``utf-16``, ``cp1252``, ``latin-1``…"""
    n_bytes: int
    sha256: str
    """Hex SHA-256 of the raw bytes."""


# --------------------------------------------------------------------------- decoding


def decode_bytes(data: bytes, source: str) -> tuple[str, str]:
    """Decode raw document bytes; return ``(text, encoding)``.

    Order: BOM (UTF-32, UTF-16, UTF-8), strict UTF-8, then cp1252 / latin-1 (charset-normalizer
    restricted to those two, verified and with strict fallbacks). The text has newlines normalized
    and no BOM. Raises :class:`InputError` with reason ``skipped-binary`` for NUL-containing data
    that is not UTF-16/32, or ``failed`` when nothing decodes to plausible text.
    """
    decoded = _decode(data, source)
    if decoded is None:
        raise InputError(source, _UNDECODABLE, "failed")
    text, encoding = decoded
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n"), encoding


def _decode(data: bytes, source: str) -> tuple[str, str] | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                continue  # e.g. a UTF-16 LE BOM followed by U+0000 looks like UTF-32
    if any(data.startswith(bom) for bom, _ in _BOMS):
        raise InputError(source, "cannot decode text despite its UTF-16/UTF-32 byte-order mark", "failed")

    if b"\x00" in data[:_SNIFF_BYTES]:
        sniffed = _sniff_bomless_utf16(data)
        if sniffed is None:
            raise InputError(source, "binary file (contains NUL bytes)", "skipped-binary")
        return sniffed

    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError:
            pass  # not UTF-8 after all; let the 8-bit decoders have it
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    return _decode_8bit(data)


def _sniff_bomless_utf16(data: bytes) -> tuple[str, str] | None:
    """Recognize UTF-16 without a BOM by its alternating-NUL pattern (Latin-script text only)."""
    head = data[:_SNIFF_BYTES]
    half = len(head) // 2
    if half == 0 or len(data) % 2:
        return None
    even_nuls = head[0::2].count(0)
    odd_nuls = head[1::2].count(0)
    if odd_nuls >= half / 2 and even_nuls * 10 <= odd_nuls:
        encoding = "utf-16-le"
    elif even_nuls >= half / 2 and odd_nuls * 10 <= even_nuls:
        encoding = "utf-16-be"
    else:
        return None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    return (text, encoding) if _plausible(text) else None


def _decode_8bit(data: bytes) -> tuple[str, str] | None:
    """Decode as cp1252 or latin-1, whichever is honest; None when the result is not text.

    The two differ only in 0x80-0x9F: printable in cp1252 (€ „ “ –), C1 controls in latin-1.
    So cp1252 wins whenever such bytes are present and decode strictly; latin-1 is used only when
    cp1252 cannot decode them (0x81, 0x8D, 0x8F, 0x90, 0x9D). Without such bytes both give the same
    text and charset-normalizer just picks the label.
    """
    try:
        cp1252: str | None = data.decode("cp1252")
    except UnicodeDecodeError:
        cp1252 = None
    if cp1252 is not None and (_C1_BYTES.search(data) or _detect_8bit(data) != "latin-1"):
        text, encoding = cp1252, "cp1252"
    else:
        text, encoding = data.decode("latin-1"), "latin-1"
    return (text, encoding) if _plausible(text) else None


def _detect_8bit(data: bytes) -> str | None:
    """charset-normalizer's verdict restricted to cp1252/latin-1, normalized; None if it gives up."""
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=["cp1252", "latin_1"]).best()
    if best is None:
        return None
    name = best.encoding.lower().replace("-", "_")
    if name in ("cp1252", "windows_1252"):
        return "cp1252"
    if name in ("latin_1", "iso8859_1", "iso_8859_1"):
        return "latin-1"
    return None


def _plausible(text: str) -> bool:
    """True unless more than 10 % of the characters are control characters that text never has."""
    if not text:
        return True
    return len(_CONTROL_CHARS.findall(text)) <= _MAX_CONTROL_SHARE * len(text)


# --------------------------------------------------------------------------- reading


def read_document(
    path: str | os.PathLike[str],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    stdin: BinaryIO | None = None,
) -> Document:
    """Read and decode one document; ``"-"`` reads from `stdin` (default ``sys.stdin.buffer``).

    Raises :class:`InputError` with reason ``failed`` (missing, directory, unreadable, undecodable),
    ``skipped-too-large``, ``skipped-binary`` or ``skipped-empty``.
    """
    source = os.fspath(path)
    if source == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        data = _read_limited(stream, max_bytes + 1)
        if len(data) > max_bytes:
            raise InputError(
                source, f"input is over the {_format_size(max_bytes)} limit (--max-bytes)", "skipped-too-large"
            )
    else:
        data = _read_file(source, max_bytes)

    text, encoding = decode_bytes(data, source)
    if not text.strip():
        raise InputError(source, "empty document", "skipped-empty")
    return Document(
        source=source,
        text=text,
        encoding=encoding,
        n_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _read_file(source: str, max_bytes: int) -> bytes:
    try:
        st = os.stat(source)
    except OSError as exc:
        raise _os_error(source, exc) from exc
    if stat.S_ISDIR(st.st_mode):
        raise InputError(source, "is a directory", "failed")
    if st.st_size > max_bytes:
        raise _too_large(source, st.st_size, max_bytes)
    try:
        with open(source, "rb") as fh:
            # Read one byte past the limit: catches files that grew, and pipes whose size stat can't tell.
            data = _read_limited(fh, max_bytes + 1)
    except OSError as exc:
        raise _os_error(source, exc) from exc
    if len(data) > max_bytes:
        raise InputError(
            source, f"file is over the {_format_size(max_bytes)} limit (--max-bytes)", "skipped-too-large"
        )
    return data


def _read_limited(stream: BinaryIO, limit: int) -> bytes:
    """Read up to `limit` bytes, looping over short reads (pipes, raw streams)."""
    chunks: list[bytes] = []
    remaining = limit
    while remaining > 0:
        chunk = stream.read(min(remaining, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _os_error(source: str, exc: OSError) -> InputError:
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return InputError(source, "no such file", "failed")
    if exc.errno == errno.EISDIR:
        return InputError(source, "is a directory", "failed")
    return InputError(source, f"cannot read: {exc.strerror or exc}", "failed")


def _too_large(source: str, size: int, max_bytes: int) -> InputError:
    message = f"file is {_format_size(size)}, over the {_format_size(max_bytes)} limit (--max-bytes)"
    return InputError(source, message, "skipped-too-large")


def _format_size(n: int) -> str:
    """``52428800`` → ``"50.0 MB"`` (binary units); small sizes in KB or bytes."""
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n} bytes"
