"""The journal of folder runs (summtrans.batch.journal): loading, lazy writing, lossless names."""

from __future__ import annotations

import json
import os
from pathlib import Path

from summtrans.batch.journal import (
    COMBINED_NAME,
    STATUSES,
    Journal,
    fingerprint,
    load_journal,
    rewrite_combined,
)

SETTINGS = {"pipeline": {"task": "translate"}, "format": "text"}


def test_statuses_are_one_list() -> None:
    assert STATUSES == ("ok", "failed", "skipped-empty", "skipped-binary", "skipped-too-large", "skipped-no-text", "skipped-special",
                        "skipped-language")


def test_journal_opens_its_file_only_to_write(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    j = Journal(path, SETTINGS, {"translation": "m"})
    assert j.entries == {} and not path.exists()
    j.close()
    assert not path.exists()  # nothing recorded: nothing written, not even an empty file

    j = Journal(path, SETTINGS, {"translation": "m"})
    j.record("a.txt", "ok", sha256="1" * 64, output="a.en.txt", encoding="utf-8")
    assert j.entries["a.txt"].status == "ok" and not path.exists()  # queued
    j.close()
    [line] = path.read_text(encoding="utf-8").splitlines()
    obj = json.loads(line)
    assert obj["path"] == "a.txt" and obj["settings"] == SETTINGS and obj["models"] == {"translation": "m"}
    assert "path_bytes" not in obj
    entry = load_journal(path)["a.txt"]
    assert (entry.status, entry.output, entry.fingerprint) == ("ok", "a.en.txt", fingerprint(SETTINGS))


def test_non_utf8_names_round_trip(tmp_path: Path) -> None:
    name = os.fsdecode(b"sub/M\xfcller.txt")
    path = tmp_path / "journal.jsonl"
    j = Journal(path, SETTINGS, {})
    j.record(name, "ok", output=os.fsdecode(b"sub/M\xfcller.en.txt"))
    j.close()
    raw = path.read_bytes()
    raw.decode("utf-8")  # valid UTF-8 on disk
    assert b"\\udcfc" in raw and json.loads(raw)["path_bytes"] == "c3ViL038bGxlci50eHQ="
    assert os.fsencode(next(iter(load_journal(path)))) == b"sub/M\xfcller.txt"


def test_torn_lines_are_ignored_and_writing_lines_name_outputs(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    j = Journal(path, SETTINGS, {})
    j.intend(["a.en.txt", "b.en.txt"])  # written at once, before the outputs
    assert json.loads(path.read_text(encoding="utf-8"))["writing"] == ["a.en.txt", "b.en.txt"]
    j.record("a.txt", "ok", output="a.en.txt")
    j.close()
    with open(path, "ab") as fh:
        fh.write(b'{"path": "b.txt", "sta')  # kill -9 mid-line
    again = Journal(path, SETTINGS, {})
    assert set(again.entries) == {"a.txt"}
    assert {"a.en.txt", "b.en.txt"} <= again.outputs  # b's output is known as summtrans's own
    again.record("b.txt", "ok", output="b.en.txt")
    again.close()
    lines = path.read_bytes().splitlines()
    assert json.loads(lines[-1])["path"] == "b.txt"  # started on a fresh line
    assert set(load_journal(path)) == {"a.txt", "b.txt"}


def test_rewrite_combined_keeps_one_record_per_document(tmp_path: Path) -> None:
    path = tmp_path / COMBINED_NAME
    recs = [{"source": "a", "sha256": "1"}, {"source": "b", "sha256": "2"}, {"source": "a", "sha256": "3"}]
    path.write_text("".join(json.dumps(r) + "\n" for r in recs) + '{"source": "c", "tr', encoding="utf-8")
    kept = rewrite_combined(path, lambda source, sha: (source, sha) in {("a", "3"), ("b", "2")})
    assert kept == {("a", "3"), ("b", "2")}
    assert [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] == recs[1:]
    if os.name == "posix":  # rewritten with the permissions it had, no temporary left behind
        path.write_text('{"source": "a", "sha256": "3"}\n{"broken', encoding="utf-8")
        path.chmod(0o640)
        assert rewrite_combined(path, lambda source, sha: True) == {("a", "3")}
        assert path.stat().st_mode & 0o777 == 0o640 and sorted(p.name for p in tmp_path.iterdir()) == [COMBINED_NAME]
