"""Tests for summtrans.formats.document: decoding and input checks (atomic writes: test_fsio.py)."""

from __future__ import annotations

import builtins
import hashlib
import io
import os
import re
from pathlib import Path

import pytest

from summtrans.errors import InputError
from summtrans.formats import document as documents
from summtrans.formats.document import (
    DEFAULT_MAX_BYTES,
    Document,
    decode_bytes,
    read_document,
)

GERMAN = "„Größe“ – Äpfel, Öl, Übermut, Straße, 5 €"
LATIN = "Die Größe der Äpfel, das Öl und der Übermut auf der Straße: süß!"


def write(tmp_path: Path, data: bytes, name: str = "doc.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --------------------------------------------------------------------------- encodings


@pytest.mark.parametrize(
    ("data", "text", "encoding"),
    [
        pytest.param(GERMAN.encode("utf-8"), GERMAN, "utf-8", id="utf-8"),
        pytest.param(GERMAN.encode("utf-8-sig"), GERMAN, "utf-8-sig", id="utf-8-sig"),
        pytest.param(b"\xff\xfe" + GERMAN.encode("utf-16-le"), GERMAN, "utf-16", id="utf-16-le-bom"),
        pytest.param(b"\xfe\xff" + GERMAN.encode("utf-16-be"), GERMAN, "utf-16", id="utf-16-be-bom"),
        pytest.param(GERMAN.encode("utf-32"), GERMAN, "utf-32", id="utf-32-bom"),
        pytest.param(b"\x00\x00\xfe\xff" + GERMAN.encode("utf-32-be"), GERMAN, "utf-32", id="utf-32-be-bom"),
        pytest.param(GERMAN.encode("cp1252"), GERMAN, "cp1252", id="cp1252"),
        pytest.param("Grüße".encode("cp1252"), "Grüße", "cp1252", id="cp1252-one-word"),
        pytest.param("ß".encode("cp1252"), "ß", "cp1252", id="cp1252-one-char"),
        # charset-normalizer returns nothing for these: the strict cp1252 fallback must catch them.
        pytest.param("5 €".encode("cp1252"), "5 €", "cp1252", id="cp1252-euro-short"),
        pytest.param("€".encode("cp1252"), "€", "cp1252", id="cp1252-euro-only"),
        pytest.param("„Hallo“ – Welt".encode("cp1252"), "„Hallo“ – Welt", "cp1252", id="cp1252-quotes"),
        # Pure latin-1 bytes (no 0x80-0x9F) decode identically in cp1252; either label is honest.
        pytest.param(LATIN.encode("latin-1"), LATIN, None, id="latin-1-umlauts"),
        # 0x81 and 0x8D are undefined in cp1252: only latin-1 decodes them.
        pytest.param(
            ("Straße \x81 und Größe " * 3).encode("latin-1"),
            "Straße \x81 und Größe " * 3,
            "latin-1",
            id="latin-1-c1",
        ),
        pytest.param(b"Stra\xdfe \x8d ok, gr\xfc\xdfe", "Straße \x8d ok, grüße", "latin-1", id="latin-1-8d"),
        pytest.param("Größe".encode("utf-16-le"), "Größe", "utf-16-le", id="utf-16-le-no-bom"),
        pytest.param("Größe".encode("utf-16-be"), "Größe", "utf-16-be", id="utf-16-be-no-bom"),
    ],
)
def test_decode_bytes_round_trips(data: bytes, text: str, encoding: str | None) -> None:
    decoded, used = decode_bytes(data, "x.txt")
    assert decoded == text
    if encoding is None:
        assert used in ("cp1252", "latin-1")
    else:
        assert used == encoding
    assert data.decode(used).lstrip("\ufeff") == text  # the reported codec really decodes the bytes


def test_decode_prefers_cp1252_over_latin1_for_c1_bytes() -> None:
    data = "„Größe“ ist 5 € wert".encode("cp1252")
    assert data.decode("latin-1") != data.decode("cp1252")  # latin-1 would give C1 controls
    assert decode_bytes(data, "x") == ("„Größe“ ist 5 € wert", "cp1252")


def test_decode_ignores_detection_outside_isolation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(documents, "_detect_8bit", lambda data: None)
    assert decode_bytes("Grüße".encode("cp1252"), "x") == ("Grüße", "cp1252")
    monkeypatch.setattr(documents, "_detect_8bit", lambda data: "latin-1")
    assert decode_bytes("Grüße".encode("latin-1"), "x") == ("Grüße", "latin-1")
    # Detection saying latin-1 is overruled when 0x80-0x9F bytes decode as cp1252.
    assert decode_bytes("5 € „gut“".encode("cp1252"), "x") == ("5 € „gut“", "cp1252")


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (b"a\r\nb\rc\n", "a\nb\nc\n"),
        ("ä\r\nö\r".encode("utf-8-sig"), "ä\nö\n"),
        ("Zeile 1\r\nZeile 2".encode("utf-16"), "Zeile 1\nZeile 2"),
        ("Größe\r\n€".encode("cp1252"), "Größe\n€"),
    ],
)
def test_decode_normalizes_newlines_and_strips_bom(data: bytes, text: str) -> None:
    assert decode_bytes(data, "x")[0] == text


def test_decode_binary_raises() -> None:
    with pytest.raises(InputError) as info:
        decode_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "img.png")
    assert info.value.reason == "skipped-binary"


def test_decode_control_characters_are_binary() -> None:
    with pytest.raises(InputError) as info:
        decode_bytes(bytes(range(1, 9)) + b"\x0e\x0f\x10\x11\x12\x13\xe4\xf6", "junk.txt")
    assert info.value.reason == "skipped-binary"
    assert str(info.value) == "junk.txt: binary file (not text in utf-8, utf-16, cp1252 or latin-1)"


@pytest.mark.parametrize("seed", range(5))
def test_random_binary_without_nul_bytes_is_skipped(seed: int) -> None:
    import random

    rng = random.Random(seed)
    data = bytes(rng.randrange(1, 256) for _ in range(4096))
    assert b"\x00" not in data
    with pytest.raises(InputError) as info:
        decode_bytes(data, "blob.txt")
    assert info.value.reason == "skipped-binary"


TEXT16 = "Größe und Grüße aus Köln, 5 € „gut“.\n" * 20


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("where", ["end", "middle", "early"])
def test_decode_utf16_without_bom_with_a_stray_byte(encoding: str, where: str) -> None:
    data = TEXT16.encode(encoding)
    at = {"end": len(data), "middle": len(data) // 2, "early": 40}[where]  # all at character boundaries
    damaged = data[:at] + b"\n" + data[at:]
    text, used = decode_bytes(damaged, "x.txt")
    assert text == TEXT16
    k = int(re.fullmatch(rf"{encoding} \(stray byte at (\d+) dropped\)", used).group(1))
    assert damaged[:k] + damaged[k + 1 :] == data  # the byte named is one that was too many


@pytest.mark.parametrize("fallback", ["cp1252", "latin-1"])
def test_decode_mixed_utf8_and_8bit_lines(fallback: str) -> None:
    utf8 = "Grüße aus Köln – „schön“\n"
    eight = "Straße, Größe, 5 €\n" if fallback == "cp1252" else "Straße \x81 Größe\n"
    data = utf8.encode("utf-8") + eight.encode(fallback) + utf8.encode("utf-8")
    text, used = decode_bytes(data, "x.txt")
    assert text == utf8 + eight + utf8  # never GrÃ¼ÃŸe
    assert used == f"mixed (utf-8, {fallback})"


def test_decode_8bit_only_is_not_called_mixed() -> None:
    data = "Grüße\nStraße\n".encode("cp1252") + b"plain ascii\n"
    assert decode_bytes(data, "x") == ("Grüße\nStraße\nplain ascii\n", "cp1252")


def test_decode_broken_bom_raises() -> None:
    with pytest.raises(InputError) as info:
        decode_bytes(b"\xff\xfe\x00\xd8a", "odd.txt")  # odd length, lone surrogate
    assert info.value.reason == "failed"


# --------------------------------------------------------------------------- read_document


def test_read_document_fields(tmp_path: Path) -> None:
    data = GERMAN.encode("cp1252") + b"\r\n"
    path = write(tmp_path, data)
    doc = read_document(path)
    assert doc == Document(
        source=str(path),
        text=GERMAN + "\n",
        encoding="cp1252",
        n_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def test_read_document_source_is_path_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, b"Hallo Welt")
    monkeypatch.chdir(tmp_path)
    assert read_document("doc.txt").source == "doc.txt"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_read_document_encodings(tmp_path: Path, encoding: str) -> None:
    doc = read_document(write(tmp_path, GERMAN.encode(encoding)))
    assert (doc.text, doc.encoding) == (GERMAN, encoding)


def test_read_document_latin1(tmp_path: Path) -> None:
    doc = read_document(write(tmp_path, LATIN.encode("latin-1")))
    assert doc.text == LATIN
    assert doc.encoding in ("cp1252", "latin-1")


def test_read_document_stdin() -> None:
    data = "Grüße aus „Köln“".encode("cp1252")
    doc = read_document("-", stdin=io.BytesIO(data))
    assert (doc.source, doc.text, doc.encoding, doc.n_bytes) == ("-", "Grüße aus „Köln“", "cp1252", len(data))


def test_read_document_stdin_too_large() -> None:
    with pytest.raises(InputError) as info:
        read_document("-", max_bytes=10, stdin=io.BytesIO(b"x" * 11))
    assert info.value.reason == "skipped-too-large"
    assert str(info.value).startswith("-: ")


def test_read_document_missing(tmp_path: Path) -> None:
    path = tmp_path / "nope.txt"
    with pytest.raises(InputError) as info:
        read_document(path)
    assert info.value.reason == "failed"
    assert info.value.path == str(path)
    assert str(info.value) == f"{path}: no such file"


def test_read_document_under_a_file(tmp_path: Path) -> None:
    path = write(tmp_path, b"x") / "child.txt"
    with pytest.raises(InputError, match="no such file"):
        read_document(path)


def test_read_document_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        read_document(tmp_path)
    assert info.value.reason == "failed"
    assert str(info.value) == f"{tmp_path}: is a directory"


def test_read_document_unreadable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, b"Hallo")

    def deny(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(builtins, "open", deny)
    with pytest.raises(InputError) as info:
        read_document(path)
    assert info.value.reason == "failed"
    assert str(info.value) == f"{path}: cannot read: Permission denied"


def test_read_document_too_large_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, b"x" * 2048)

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("a too-large file must not be opened")

    monkeypatch.setattr(builtins, "open", fail)
    monkeypatch.setattr(os, "open", fail)
    with pytest.raises(InputError) as info:
        read_document(path, max_bytes=1024)
    assert info.value.reason == "skipped-too-large"
    assert str(info.value) == f"{path}: file is 2.0 KB, over the 1.0 KB limit (--max-bytes)"


def test_too_large_message_in_megabytes() -> None:
    err = documents._too_large("big.txt", 60 * 1024 * 1024, DEFAULT_MAX_BYTES)
    assert str(err) == "big.txt: file is 60.0 MB, over the 50.0 MB limit (--max-bytes)"


def test_read_document_at_limit_is_fine(tmp_path: Path) -> None:
    assert read_document(write(tmp_path, b"x" * 100), max_bytes=100).n_bytes == 100


def test_read_document_binary(tmp_path: Path) -> None:
    path = write(tmp_path, b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff", "pic.gif")
    with pytest.raises(InputError) as info:
        read_document(path)
    assert info.value.reason == "skipped-binary"
    assert str(info.value) == f"{path}: binary file (contains NUL bytes)"


def test_read_document_nul_after_sniff_window_is_text(tmp_path: Path) -> None:
    doc = read_document(write(tmp_path, b"a" * 9000 + b"\x00"))
    assert doc.encoding == "utf-8"


def test_read_document_binary_shorts_not_taken_for_utf16(tmp_path: Path) -> None:
    data = b"".join(i.to_bytes(2, "little") for i in range(1, 200))  # small 16-bit integers
    with pytest.raises(InputError) as info:
        read_document(write(tmp_path, data, "ints.bin"))
    assert info.value.reason == "skipped-binary"


def test_read_document_control_bytes_are_binary(tmp_path: Path) -> None:
    path = write(tmp_path, bytes(range(1, 9)) * 4 + b"\xe4")
    with pytest.raises(InputError) as info:
        read_document(path)
    assert info.value.reason == "skipped-binary"


def test_read_document_mixed_encoding_is_labelled(tmp_path: Path) -> None:
    data = "Grüße\n".encode("utf-8") + "Größe\r\n".encode("cp1252")
    doc = read_document(write(tmp_path, data))
    assert (doc.text, doc.encoding) == ("Grüße\nGröße\n", "mixed (utf-8, cp1252)")


@pytest.mark.parametrize(
    "data", [b"", b"   \n\t\r\n  ", "\n \n".encode("utf-16"), b"\xef\xbb\xbf", b"\xa0\xa0"], ids=repr
)
def test_read_document_empty(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path, data)
    with pytest.raises(InputError) as info:
        read_document(path)
    assert info.value.reason == "skipped-empty"
    assert str(info.value) == f"{path}: empty document"


def test_import_does_not_load_charset_normalizer() -> None:
    import subprocess
    import sys

    code = (
        "import sys, summtrans.errors; before = set(sys.modules); import summtrans.formats.document; "
        "print(sorted(m for m in set(sys.modules) - before if m.startswith('charset_normalizer')))"
    )
    src = str(Path(documents.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [src, os.environ.get("PYTHONPATH")]))}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    assert out.strip() == "[]"
