"""Where outputs go, run as the command line runs (subprocesses: exit codes and stderr).

Non-UTF-8 file names, the OUTDIR lock, -o onto FIFOs, symlinks and the input itself, new folders,
single-file jsonl names. Never -o /dev/null or any real device: we may run as root.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summtrans.batch import JOURNAL_NAME, LOCK_NAME
from summtrans.cli.app import app

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file names, FIFOs and signals")

NAME = os.fsdecode(b"M\xfcller.txt")  # latin-1 bytes: not valid UTF-8
TEXT = "Guten Tag. Wie geht es?"


def summtrans(*args: str | Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "summtrans", *map(str, args), "--engine", "echo"]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, errors="backslashreplace")


def invoke(*args: str | Path):
    """The same command in-process (no interpreter start-up): for the second and later checks."""
    return CliRunner().invoke(app, [*map(str, args), "--engine", "echo"])


def doc(folder: Path, name: str = "a.txt", text: str = TEXT) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- non-UTF-8 names


def test_non_utf8_names_in_folders_and_single_files(tmp_path: Path) -> None:
    src = doc(tmp_path / "in", NAME)
    doc(tmp_path / "in", "b.txt")
    assert os.fsencode(src.name) == b"M\xfcller.txt"

    r = summtrans("translate", tmp_path / "in", "-o", tmp_path / "o1", "-f", "json")
    assert r.returncode == 0, r.stderr
    out = tmp_path / "o1" / os.fsdecode(b"M\xfcller.json")
    assert os.fsencode(out.name) == b"M\xfcller.json"  # byte-exact on disk
    raw = out.read_bytes()
    raw.decode("utf-8")  # the JSON itself is valid UTF-8
    assert b"\\udcfc" in raw
    rec = json.loads(raw)
    assert rec["source"] == NAME and os.fsencode(rec["source"]) == b"M\xfcller.txt"  # lossless
    assert base64.b64decode(rec["source_bytes"]) == b"M\xfcller.txt" and rec["translation"] == TEXT
    entries = [json.loads(line) for line in (tmp_path / "o1" / JOURNAL_NAME).read_bytes().splitlines()]
    [entry] = [e for e in entries if e.get("path") == NAME]
    assert entry["status"] == "ok" and base64.b64decode(entry["path_bytes"]) == b"M\xfcller.txt"
    assert not any("path_bytes" in e for e in entries if e.get("path") == "b.txt")

    r = invoke("translate", tmp_path / "in", "-o", tmp_path / "o1", "-f", "json")  # a rerun resumes
    assert r.exit_code == 0 and "2 unchanged" in r.stderr, r.stderr

    r = invoke("summarize", tmp_path / "in", "-o", tmp_path / "o2", "-f", "markdown")
    assert r.exit_code == 0, r.stderr
    md = (tmp_path / "o2" / os.fsdecode(b"M\xfcller.summary.md")).read_text(encoding="utf-8")
    assert md.startswith("# M\\xfcller.txt\n")  # titles show the raw byte

    r = invoke("translate", src, "-f", "json", "-o", tmp_path / "x.json")
    assert r.exit_code == 0, r.stderr
    rec = json.loads((tmp_path / "x.json").read_bytes())
    assert os.fsencode(rec["source"]).endswith(b"M\xfcller.txt")


# --------------------------------------------------------------------------- the OUTDIR lock

HOLD = """
import sys, time
from pathlib import Path
from summtrans.batch.outdir import OutputDir
with OutputDir(Path(sys.argv[1]), []):
    print("locked", flush=True)
    time.sleep(120)
"""


def test_a_second_run_on_the_same_outdir_is_refused_and_a_killed_runs_lock_taken_over(tmp_path: Path) -> None:
    doc(tmp_path / "in")
    out = tmp_path / "out"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        temporary = out / ".x.summtrans-tmp"  # the holder's in-flight temporary: not to be touched
        temporary.write_text("in flight")
        r = summtrans("translate", tmp_path / "in", "-o", out)
        assert r.returncode == 2
        assert r.stderr == f"Error: {out} is in use by another summtrans run (pid {holder.pid})\n"
        assert temporary.exists() and not (out / JOURNAL_NAME).exists()
    finally:
        holder.kill()  # SIGKILL: no clean-up of its own; the kernel drops the flock
        holder.wait()
    assert (out / LOCK_NAME).exists()
    r = invoke("translate", tmp_path / "in", "-o", out)
    assert r.exit_code == 0, r.stderr
    assert not temporary.exists()  # cleaned up once the lock was ours
    assert (out / "a.en.txt").read_text(encoding="utf-8") == TEXT + "\n"


# --------------------------------------------------------------------------- -o


def test_output_onto_a_fifo_is_streamed(tmp_path: Path) -> None:
    src = doc(tmp_path)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    r = summtrans("translate", src, "-o", fifo)
    data, _ = reader.communicate(timeout=30)
    assert r.returncode == 0, r.stderr
    assert data.decode("utf-8") == TEXT + "\n"
    assert fifo.is_fifo()  # not replaced by a regular file


def test_output_through_a_symlink_replaces_its_target(tmp_path: Path) -> None:
    src = doc(tmp_path)
    target = tmp_path / "real" / "result.txt"
    target.parent.mkdir()
    target.write_text("old", encoding="utf-8")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    r = invoke("translate", src, "-o", link)
    assert r.exit_code == 0, r.stderr
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text(encoding="utf-8") == TEXT + "\n"


def test_output_equal_to_the_input_is_refused(tmp_path: Path) -> None:
    src = doc(tmp_path, "same.txt")
    alias = tmp_path / "alias.txt"
    alias.symlink_to(src)
    r = summtrans("translate", src, "-o", src, "-f", "json")
    assert r.returncode == 2 and r.stderr == f"Error: {src}: the output is the input file itself; choose another -o\n"
    r = invoke("translate", src, "-o", alias, "-f", "json")
    assert r.exit_code == 2 and "is the input file itself" in r.stderr
    assert src.read_text(encoding="utf-8") == TEXT  # untouched


def test_output_folder_by_trailing_slash_and_single_jsonl(tmp_path: Path) -> None:
    src = doc(tmp_path, "bericht.txt")
    r = invoke("translate", src, "-o", f"{tmp_path / 'new'}/")
    assert r.exit_code == 0, r.stderr
    assert (tmp_path / "new" / "bericht.en.txt").read_text(encoding="utf-8") == TEXT + "\n"
    r = invoke("translate", src, "-o", tmp_path / "new", "-f", "jsonl")
    assert r.exit_code == 0, r.stderr
    assert json.loads((tmp_path / "new" / "bericht.jsonl").read_text(encoding="utf-8"))["translation"] == TEXT


# --------------------------------------------------------------------------- SIGTERM


@pytest.mark.slow
def test_sigterm_subprocess_stops_cleanly(tmp_path: Path, tiny_marian: Path) -> None:
    text = " ".join(f"Der Zug Nummer {i} kommt heute später an, sagte der Sprecher." for i in range(30)) + "\n"
    for i in range(30):
        doc(tmp_path / "in", f"doc{i:02d}.txt", text.replace("Zug", f"Zug {i}"))
    out = tmp_path / "out"
    cfg = tmp_path / "models.yaml"
    cfg.write_text(
        f"profiles:\n  slow:\n    task: translation\n    model: {tiny_marian}\n    engine: transformers\n"
        f"    generation:\n      num_beams: 1\n      max_new_tokens: 8\n"
        f"  unused:\n    task: summarization\n    model: {tiny_marian}\n",
        encoding="utf-8",
    )
    cmd = [sys.executable, "-m", "summtrans", "translate", str(tmp_path / "in"), "-o", str(out), "--config", str(cfg),
           "--model", "slow"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 90
        while not ((out / JOURNAL_NAME).is_file() and b'"path"' in (out / JOURNAL_NAME).read_bytes()):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "no document finished in time"
            time.sleep(0.02)
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=90)
    finally:
        proc.kill()
    assert proc.returncode == 143, stderr.decode()
    assert b"Interrupted" in stderr and b"Done in" in stderr
    lines = [json.loads(line) for line in (out / JOURNAL_NAME).read_bytes().splitlines()]
    done = {e["path"] for e in lines if "path" in e}
    assert 0 < len(done) < 30 and {p.name.replace(".en.txt", ".txt") for p in out.glob("*.en.txt")} == done
