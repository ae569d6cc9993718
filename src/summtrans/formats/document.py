"""Reading input documents: size, binary and encoding checks. (Atomic output writing is in `fsio`.)"""

from __future__ import annotations

import dataclasses
import errno
import os
import re
import stat
import sys
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from summtrans.errors import InputError, SummtransError

__all__ = [
    "DEFAULT_MAX_BYTES",
    "MARKDOWN_SUFFIXES",
    "Document",
    "decode_bytes",
    "backend_of",
    "extract",
    "format_of",
    "rebuild",
    "read_document",
]

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
MARKDOWN_SUFFIXES = (".md", ".markdown")  # inputs with these suffixes are markdown unless told otherwise

_SNIFF_BYTES = 8192
_UTF16_SNIFF_BYTES = 1024
_NOT_TEXT = "binary file (not text in utf-8, utf-16, cp1252 or latin-1)"
# Byte-order marks, UTF-32 first: the UTF-32 LE BOM starts with the UTF-16 LE BOM.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_C1_BYTES = re.compile(rb"[\x80-\x9f]")
_NON_ASCII_NOR_REPLACEMENT = re.compile("[^\x00-\x7f\ufffd]")
# Control characters that do not occur in text (tab, newlines, form feed excluded), C0 and C1.
_C0_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_C1_CHARS = re.compile(r"[\x80-\x9f]")
_MAX_CONTROL_SHARE = 0.1
_MAX_C0_SHARE = 0.05  # random bytes read as cp1252 have about 10 %
# UTF-16 read one byte out of step turns Latin text into characters U+xx00 (CJK-looking).
_NOT_LATIN = re.compile("[^\x00-\u024f\u2010-\u20cf]")  # beyond Latin, dashes, quotes, currency
_SHIFTED_UTF16 = re.compile("[" + "".join(chr(h << 8) for h in range(1, 256) if not 0xD8 <= h <= 0xDF) + "]")


@dataclass(frozen=True)
class Document:
    """One input document: decoded text, or a formatted file (docx, pdf, a web page…) with its bytes.

    A formatted document travels as its raw bytes and format name (it pickles, e.g. to Ray
    workers); the pipeline extracts its units where it runs. `extracted` keeps the extraction done
    while reading, for a pipeline in the same process; it is dropped when the document is pickled,
    unless it took OCR.
    """

    source: str
    """Display name: the path as given, the URL, or ``"-"`` for stdin."""
    text: str
    """Decoded text with ``\\r\\n``/``\\r`` normalized to ``\\n`` and any BOM removed; for a formatted
    document, its extracted text (units joined by blank lines; markdown for pdf and web pages)."""
    encoding: str | None
    """Codec used, lower-case Python name (``utf-8``, ``utf-8-sig``, ``utf-16``, ``cp1252``, ``latin-1``…),
    or a label naming a repair: ``mixed (utf-8, cp1252)``, ``utf-16-le (stray byte at 9 dropped)``;
    None for a formatted document (its backend reads its bytes)."""
    n_bytes: int
    sha256: str
    """Hex SHA-256 of the raw bytes."""
    format: str | None = None
    """The format backend's name (``docx``, ``pdf``, ``url``…, see `formats.registry`); None for text."""
    data: bytes | None = field(default=None, repr=False)
    """The raw bytes of a formatted document (the page's HTML for a URL); None for text."""
    extracted: Any = field(default=None, repr=False, compare=False)
    """The `formats.Extracted` read in this process; pickled only when it took OCR (`_worth_sending`)."""
    ocr: str | None = None
    """How scans and photos are read (``auto``, ``always``, ``never``; None: auto), see `summtrans.ocr`."""

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        if not _worth_sending(state["extracted"]):
            state["extracted"] = None  # parsed XML trees do not pickle; the receiver extracts again
        return state


def _worth_sending(extracted: Any) -> bool:
    """Whether a document's extraction travels with it (to a Ray worker): one that took OCR (seconds
    a page) does, when it pickles; any other is read again where it lands, in milliseconds."""
    if extracted is None or getattr(extracted, "ocr", None) is None:
        return False
    import pickle

    try:
        pickle.dumps(extracted)
    except Exception:  # a parsed tree, a native handle
        return False
    return True


# --------------------------------------------------------------------------- decoding


def decode_bytes(data: bytes, source: str) -> tuple[str, str]:
    """Decode raw document bytes; return ``(text, encoding)``.

    Order: BOM (UTF-32, UTF-16, UTF-8), UTF-16 without BOM (by its NUL pattern), strict UTF-8,
    UTF-8 mixed with cp1252 line by line, then cp1252 / latin-1 (charset-normalizer restricted to
    those two, verified and with strict fallbacks). The text has newlines normalized and no BOM.
    `encoding` is a codec name, or a label that says what was repaired: ``mixed (utf-8, cp1252)``,
    ``utf-16-le (stray byte at 1235 dropped)``. Raises :class:`InputError` with reason
    ``skipped-binary`` for data that is not text (NUL bytes outside UTF-16/32, or too many control
    characters in every 8-bit reading), or ``failed`` for a byte-order mark the data contradicts.
    """
    text, encoding = _decode(data, source)
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n"), encoding


def _decode(data: bytes, source: str) -> tuple[str, str]:
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
            pass  # not UTF-8 throughout; the mixed and 8-bit decoders below have it
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    decoded = _decode_mixed_lines(data) or _decode_8bit(data)
    if decoded is None:
        raise InputError(source, _NOT_TEXT, "skipped-binary")
    return decoded


def _sniff_bomless_utf16(data: bytes) -> tuple[str, str] | None:
    """Recognize UTF-16 without a BOM by its alternating-NUL pattern (Latin-script text only)."""
    # The start decides: after a stray byte the rest reads as the other byte order.
    encoding = _utf16_by_nuls(data[:32]) or _utf16_by_nuls(data[:_UTF16_SNIFF_BYTES])
    if encoding is None:
        return None
    if len(data) % 2 == 0:
        text = _utf16_text(data, encoding)
        return (text, encoding) if text is not None else None
    return _utf16_with_stray_byte(data, encoding)


def _utf16_by_nuls(head: bytes) -> str | None:
    """utf-16-le/-be when most high bytes in `head` are NUL on one side and few on the other."""
    half = len(head) // 2
    even_nuls = head[0::2].count(0)
    odd_nuls = head[1::2].count(0)
    if half and odd_nuls >= half / 2 and even_nuls * 10 <= odd_nuls:
        return "utf-16-le"
    if half and even_nuls >= half / 2 and odd_nuls * 10 <= even_nuls:
        return "utf-16-be"
    return None


def _utf16_text(data: bytes, encoding: str) -> str | None:
    """Strict decode; None unless the result reads as text (not controls, not shifted by a byte)."""
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    shifted = len(_SHIFTED_UTF16.findall(text))
    return text if _plausible(text) and shifted * 20 <= len(text) else None


def _utf16_with_stray_byte(data: bytes, encoding: str) -> tuple[str, str] | None:
    """UTF-16 with one byte too many (a truncated copy, a newline appended by a tool): drop it.

    The stray byte sits where the NUL bytes of Latin characters change sides; at the end when they
    never do. The label says which byte was dropped, so the journal shows the repair.
    """
    high = 1 if encoding == "utf-16-le" else 0  # index parity of the NUL byte of a Latin character
    candidates = [len(data) - 1]
    step = 64
    for start in range(0, len(data), step):
        chunk = data[start : start + step]
        if chunk[1 - high :: 2].count(0) > chunk[high :: 2].count(0):  # out of step from here on
            lo = max(0, start - step)
            candidates = list(range(lo, min(start + step, len(data))))
            break
    scores: list[tuple[int, bool, int]] = []
    for k in candidates:  # scored on a window around k: a whole decode per candidate is slow on big files
        a = max(0, k - 256) // 2 * 2
        window = data[a:k] + data[k + 1 : k + 257]
        try:
            text = window[: len(window) // 2 * 2].decode(encoding)
        except UnicodeDecodeError:
            continue
        odd = len(_SHIFTED_UTF16.findall(text)) + len(_NOT_LATIN.findall(text)) + len(_C0_CHARS.findall(text))
        scores.append((odd, data[k] not in b"\r\n", k))  # ties: a newline is the usual stray byte
    if not scores:
        return None
    k = min(scores)[2]
    text = _utf16_text(data[:k] + data[k + 1 :], encoding)
    return (text, f"{encoding} (stray byte at {k} dropped)") if text is not None else None


def _decode_mixed_lines(data: bytes) -> tuple[str, str] | None:
    """UTF-8 lines mixed with cp1252 ones (files pasted together, edited in two editors).

    Each line is decoded as UTF-8 when it is valid UTF-8, else as cp1252 (latin-1 for the five
    bytes cp1252 leaves undefined). None when no line holds non-ASCII UTF-8: that is plain 8-bit text.
    """
    if not _NON_ASCII_NOR_REPLACEMENT.search(data.decode("utf-8", "replace")):
        return None  # no valid non-ASCII UTF-8 anywhere: plain 8-bit text
    parts: list[str] = []
    fallbacks: set[str] = set()
    utf8_seen = False
    for line in data.splitlines(keepends=True):
        try:
            parts.append(line.decode("utf-8"))
            utf8_seen = utf8_seen or not line.isascii()
            continue
        except UnicodeDecodeError:
            pass
        try:
            parts.append(line.decode("cp1252"))
            fallbacks.add("cp1252")
        except UnicodeDecodeError:
            parts.append(line.decode("latin-1"))
            fallbacks.add("latin-1")
    text = "".join(parts)
    if not utf8_seen or not _plausible(text):
        return None
    return text, f"mixed (utf-8, {', '.join(sorted(fallbacks))})"


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
    """False when more than 5 % C0 or 10 % C0 and C1 characters are control characters text never has."""
    if not text:
        return True
    c0 = len(_C0_CHARS.findall(text))
    return c0 <= _MAX_C0_SHARE * len(text) and c0 + len(_C1_CHARS.findall(text)) <= _MAX_CONTROL_SHARE * len(text)


# --------------------------------------------------------------------------- reading


def read_document(
    path: str | os.PathLike[str],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    stdin: BinaryIO | None = None,
    ocr: str | None = None,
) -> Document:
    """Read and decode one document; ``"-"`` reads from `stdin` (default ``sys.stdin.buffer``).

    A file whose suffix a format backend reads (``.docx``, ``.pdf``…, see `formats.SUFFIXES`) and an
    http(s) URL are read into a formatted `Document` (its text extracted, its bytes kept). Raises
    :class:`InputError` with reason ``failed`` (missing, directory, unreadable, broken BOM, a corrupt or
    encrypted document, a failed fetch), ``skipped-too-large``, ``skipped-binary``, ``skipped-empty``
    or ``skipped-no-text`` (a scanned PDF, a document without text). `ocr`: how scans and photos
    are read (auto | always | never; None: auto), kept on the document for a later extraction.
    """
    source = os.fspath(path)
    fmt = format_of(source) if source != "-" else None
    if fmt is not None:
        return _read_formatted(source, fmt, max_bytes, ocr)
    if source == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        data = _read_limited(stream, max_bytes + 1)
        if len(data) > max_bytes:
            raise InputError(
                source, f"input is over the {_format_size(max_bytes)} limit (--max-bytes)", "skipped-too-large"
            )
    else:
        data = _read_file(source, max_bytes)

    import hashlib  # here, not at import: the CLI imports this module for --help

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


def format_of(source: str) -> str | None:
    """The format backend that reads `source` (``url`` for an http(s) URL, else by suffix); None: text."""
    from .registry import format_of as backend_format

    return backend_format(source)


def _read_formatted(source: str, fmt: str, max_bytes: int, ocr: str | None = None) -> Document:
    import hashlib

    if fmt == "url":
        from .url import MAX_PAGE_BYTES, fetch

        data = fetch(source, max_bytes=min(max_bytes, MAX_PAGE_BYTES))
    else:
        data = _read_file(source, max_bytes)
    doc = Document(source=source, text="", encoding=None, n_bytes=len(data),
                   sha256=hashlib.sha256(data).hexdigest(), format=fmt, data=data, ocr=ocr)
    extracted = extract(doc)
    text = _backend(fmt).to_text(extracted)
    if not text.strip():
        raise InputError(source, "no text to translate", "skipped-no-text")
    return dataclasses.replace(doc, text=text, extracted=extracted)


def backend_of(doc: Document, markdown: bool | None = None) -> Any:
    """The `FormatBackend` of `doc`: its format's, or for decoded text the markdown backend
    (`markdown`, else a MARKDOWN_SUFFIXES name) or the plain-text one."""
    if doc.format is not None:
        return _backend(doc.format)
    md = markdown if markdown is not None else doc.source.lower().endswith(MARKDOWN_SUFFIXES)
    return _backend("markdown" if md else "text")


def extract(doc: Document, markdown: bool | None = None) -> Any:
    """The `formats.Extracted` of `doc`: kept from reading, else read from its text or bytes."""
    if doc.extracted is not None:
        return doc.extracted
    backend = backend_of(doc, markdown)
    if doc.format is None:
        return backend.read_text(doc.text, doc.source)
    if doc.data is None:
        raise ValueError(f"{doc.source}: a formatted document without its bytes")
    from ..ocr import reading

    try:
        with reading(doc.ocr):
            return backend.read(doc.data, doc.source)
    except SummtransError:  # the document's (InputError) or the installation's (no OCR engine: exit 2)
        raise
    except Exception as exc:  # a library's own error on a broken file: still this document's problem
        raise InputError(doc.source, f"cannot read the {doc.format} document: {type(exc).__name__}: {exc}") from exc


def rebuild(
    doc: Document, extracted: Any, units: list[Any], markdown: bool | None = None, pdf: str = "layout"
) -> tuple[bytes, str]:
    """`doc` written anew with `units` (translated, or as they were): its bytes, and its text as
    ``-f text`` shows it (the document itself for text and markdown, markdown for pdf and URLs).
    `pdf`: how a PDF's copy is laid out (`formats.pdf.MODES`)."""
    backend = backend_of(doc, markdown)
    output = backend.write(extracted, units, mode=pdf) if doc.format == "pdf" else backend.write(extracted, units)
    if doc.format is None:
        return output, output.decode("utf-8")
    written = output.decode("utf-8").strip() if backend.output_suffix == ".md" else None
    return output, backend.to_text(dataclasses.replace(extracted, units=units, markdown=written))


def _backend(fmt: str) -> Any:
    from .registry import backend_for

    backend = backend_for(fmt)
    assert backend is not None, fmt
    return backend


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
