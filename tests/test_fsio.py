"""Tests for summtrans.fsio: atomic writes and the cleanup of temporaries."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from summtrans.fsio import TEMP_SUFFIX, atomic_write_bytes, atomic_write_text, atomic_write_with, cleanup_temporaries

# --------------------------------------------------------------------------- atomic writes


def leftovers(directory: Path) -> list[Path]:
    return [p for p in directory.rglob("*") if p.name.endswith(TEMP_SUFFIX)]


def test_atomic_write_text(tmp_path: Path) -> None:
    target = tmp_path / "out" / "deep" / "summary.txt"
    atomic_write_text(target, "Größe\nzweite Zeile\n")
    assert target.read_bytes() == "Größe\nzweite Zeile\n".encode("utf-8")
    atomic_write_text(target, "neu")
    assert target.read_text(encoding="utf-8") == "neu"
    assert leftovers(tmp_path) == []


def test_atomic_write_bytes_and_mode(tmp_path: Path) -> None:
    target = tmp_path / "a.bin"
    atomic_write_bytes(str(target), b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    if os.name == "posix":
        umask = os.umask(0)
        os.umask(umask)
        assert target.stat().st_mode & 0o777 == 0o666 & ~umask


def test_atomic_write_with_streams_keeps_the_mode_and_leaves_the_target_on_error(tmp_path: Path) -> None:
    target = tmp_path / "journal.jsonl"
    target.write_bytes(b"old\n")
    target.chmod(0o640)

    def lines(fh) -> None:
        for i in range(3):
            fh.write(f"{i}\n".encode())

    atomic_write_with(target, lines, keep_mode=True)
    assert target.read_bytes() == b"0\n1\n2\n" and target.stat().st_mode & 0o777 == 0o640

    def broken(fh) -> None:
        fh.write(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write_with(target, broken)
    assert target.read_bytes() == b"0\n1\n2\n" and leftovers(tmp_path) == []


def test_atomic_write_temp_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    real_replace = os.replace

    def spy(src: str, dst: object) -> None:
        seen.append(src)
        assert Path(src).read_bytes() == b"data"
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    atomic_write_bytes(tmp_path / "x.txt", b"data")
    (src,) = seen
    assert Path(src).parent == tmp_path
    assert Path(src).name.startswith(".x.txt.") and src.endswith(TEMP_SUFFIX)


def test_atomic_write_failure_keeps_old_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "keep.txt"
    target.write_text("alt", encoding="utf-8")

    def boom(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="No space left"):
        atomic_write_text(target, "neu")
    assert target.read_text(encoding="utf-8") == "alt"
    assert leftovers(tmp_path) == []


def test_atomic_write_failure_during_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_text(tmp_path / "new.txt", "x")
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- cleanup


def test_cleanup_temporaries(tmp_path: Path) -> None:
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    stale = [
        tmp_path / f".a.txt.1234{TEMP_SUFFIX}",
        tmp_path / "sub" / f".b.txt.abcd{TEMP_SUFFIX}",
        tmp_path / "sub" / "deeper" / f"c{TEMP_SUFFIX}",
    ]
    keep = [tmp_path / "a.txt", tmp_path / "sub" / f"b{TEMP_SUFFIX}.txt"]
    for p in stale + keep:
        p.write_text("x")
    assert cleanup_temporaries(tmp_path) == 3
    assert not any(p.exists() for p in stale)
    assert all(p.exists() for p in keep)
    assert cleanup_temporaries(str(tmp_path)) == 0


def test_cleanup_missing_root(tmp_path: Path) -> None:
    assert cleanup_temporaries(tmp_path / "missing") == 0
