"""Folder runs (summtrans.batch): discovery, output names, journal, resume, failures, interrupts."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import summtrans.batch.run as batch_run
from summtrans import batch, fsio
from summtrans.batch import (
    COMBINED_NAME,
    INTERRUPT_MESSAGE,
    JOURNAL_NAME,
    LOCK_NAME,
    PID_NAME,
    STATUSES,
    BatchOptions,
    BatchReport,
    run_batch,
)
from summtrans.cli.app import app
from summtrans.errors import EngineError, ModelLoadError, OutputDirError, UsageError
from summtrans.fsio import TEMP_SUFFIX
from summtrans.models.config import load_config, parse_config
from summtrans.pipeline import Pipeline, PipelineOptions

cli = CliRunner()

# „ “ and € exist in cp1252 only; LATIN is plain latin-1.
GERMAN = "„Größe“ ist 5 € wert: Äpfel, Öl und Übermut. Die Straße ist süß!"
LATIN = "Die Größe der Äpfel, das Öl und der Übermut auf der Straße: süß!"
BINARY = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))

# relative path -> (bytes, expected status, expected encoding(s), expected output)
TREE: dict[str, tuple[bytes, str, tuple[str | None, ...], str | None]] = {
    "utf8.txt": (GERMAN.encode("utf-8"), "ok", ("utf-8",), "utf8.en.txt"),
    "sub/bom.txt": (GERMAN.encode("utf-8-sig"), "ok", ("utf-8-sig",), "sub/bom.en.txt"),
    "sub/deeper/utf16.txt": (GERMAN.encode("utf-16"), "ok", ("utf-16",), "sub/deeper/utf16.en.txt"),
    "sub/cp1252.txt": (GERMAN.encode("cp1252"), "ok", ("cp1252",), "sub/cp1252.en.txt"),
    # Pure latin-1 bytes decode identically as cp1252; either label is honest.
    "other/latin1.md": (LATIN.encode("latin-1"), "ok", ("latin-1", "cp1252"), "other/latin1.en.md"),
    "empty.txt": (b"", "skipped-empty", ("utf-8",), None),
    "sub/blank.txt": (b"  \n\t \n\n", "skipped-empty", ("utf-8",), None),
    "sub/image.txt": (BINARY, "skipped-binary", (None,), None),
}


def make_tree(root: Path, files: dict[str, bytes]) -> Path:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def make_docs(root: Path, n: int, words: int = 6) -> Path:
    return make_tree(root, {f"d{i:03d}.txt": f"Dokument {i} hat {words} Wörter. Die Straße ist schön.\n".encode() for i in range(n)})


def echo_pipeline(task: str = "translate", **options: Any) -> Pipeline:
    return Pipeline(PipelineOptions(task=task, engine="echo", **options), load_config())


def journal(out: Path) -> list[dict[str, Any]]:
    """The document lines of the journal (not the {"writing": [...]} lines before outputs)."""
    lines = [json.loads(line) for line in (out / JOURNAL_NAME).read_text(encoding="utf-8").splitlines()]
    return [e for e in lines if "path" in e]


def last_entries(out: Path) -> dict[str, dict[str, Any]]:
    return {e["path"]: e for e in journal(out)}


def watch(pipeline: Pipeline, fail_on: str | None = None, before: Callable[[int], None] | None = None) -> list[list[str]]:
    """Record the documents of every pipeline.run call; raise for documents containing `fail_on`."""
    calls: list[list[str]] = []
    original = pipeline.run

    def run(docs, progress=None):
        calls.append([d.source for d in docs])
        if before:
            before(len(calls))
        if fail_on and any(fail_on in d.text for d in docs):
            raise EngineError("the engine choked")
        return original(docs, progress)

    pipeline.run = run  # type: ignore[method-assign]
    return calls


def no_model_work(pipeline: Pipeline) -> None:
    def run(docs, progress=None):
        raise AssertionError(f"model work on {[d.source for d in docs]}")

    pipeline.run = run  # type: ignore[method-assign]


def temporaries(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(TEMP_SUFFIX)]


# --------------------------------------------------------------------------- real folders


def test_encodings_statuses_and_utf8_outputs(tmp_path: Path) -> None:
    inp = make_tree(tmp_path / "in", {rel: spec[0] for rel, spec in TREE.items()} | {"notes.log": b"not taken"})
    out = tmp_path / "out"
    report = run_batch([inp], echo_pipeline(), BatchOptions(output_dir=out))

    assert report.exit_code == 0
    assert report.counts == {"ok": 5, "failed": 0, "skipped-empty": 2, "skipped-binary": 1, "skipped-too-large": 0,
                             "skipped-no-text": 0, "skipped-special": 0, "skipped-language": 0}
    entries = last_entries(out)
    assert set(entries) == set(TREE)  # notes.log is not a *.txt / *.md
    for rel, (_, status, encodings, output) in TREE.items():
        e = entries[rel]
        assert (e["status"], e["output"]) == (status, output), rel
        assert e["encoding"] in encodings, rel
        assert e["sha256"] and e["settings"]["pipeline"]["translation"]["engine"] == "echo"
        assert e["models"]["translation"] and "finished" in e and "timings" in e
        if status == "ok":
            data = (out / output).read_bytes()
            assert not data.startswith(b"\xef\xbb\xbf")
            expected = LATIN if "latin1" in rel else GERMAN
            assert data.decode("utf-8") == expected + "\n", rel
            assert e["chars"] == {"source": len(expected), "translation": len(expected), "summary": None}
            assert e["error"] is None and e["segments"] == (1 if "latin1" in rel else 2)
        else:
            assert e["error"] and e["stage"] == "read"
    assert entries["sub/image.txt"]["error"] == "binary file (contains NUL bytes)"
    produced = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and not p.name.startswith("."))
    assert produced == sorted([JOURNAL_NAME] + [s[3] for s in TREE.values() if s[3]])


@pytest.mark.slow
def test_summary_counts_every_skipped_status(caplog: pytest.LogCaptureFixture) -> None:
    from summtrans.batch.report import log_summary

    report = BatchReport(documents=len(STATUSES))
    for status in STATUSES:
        report.count(status, "x")
    with caplog.at_level("INFO", logger="summtrans.batch"):
        log_summary(report)
    skipped = len(STATUSES) - 2  # all but ok and failed
    assert f"1 ok, {skipped} skipped (1 empty, 1 binary, 1 too large, 1 no text," in caplog.records[0].getMessage()


def test_tiny_marian_folder_run_and_rerun_loads_no_model(tmp_path: Path, tiny_marian: Path) -> None:
    inp = make_tree(tmp_path / "in", {rel: spec[0] for rel, spec in TREE.items()})
    out = tmp_path / "out"
    config = parse_config(
        {
            "profiles": {
                "tiny": {"task": "translation", "model": str(tiny_marian), "engine": "transformers",
                         "generation": {"num_beams": 1, "max_new_tokens": 8}},
                "tiny-sum": {"task": "summarization", "model": str(tiny_marian)},
            }
        }
    )
    pipe = Pipeline(PipelineOptions(task="translate", model="tiny"), config)
    report = run_batch([inp], pipe, BatchOptions(output_dir=out))
    assert report.exit_code == 0 and report.processed == 5 and report.counts["ok"] == 5
    entries = last_entries(out)
    for rel, (_, status, encodings, output) in TREE.items():
        assert entries[rel]["status"] == status and entries[rel]["encoding"] in encodings
        if output:
            (out / output).read_bytes().decode("utf-8")  # valid UTF-8

    again = Pipeline(PipelineOptions(task="translate", model="tiny"), config)
    report = run_batch([inp], again, BatchOptions(output_dir=out))
    assert report.exit_code == 0 and report.processed == 0 and report.resumed == 5
    assert "translator" not in again.__dict__  # the model was never loaded
    assert len(journal(out)) == len(TREE)  # nothing new to record


def test_several_inputs_and_outdir_inside_an_input(tmp_path: Path) -> None:
    a = make_tree(tmp_path / "a", {"x.txt": b"Eins.", "drafts/y.txt": b"Zwei.", "sub/skip-me.txt": b"Drei.",
                                   "sub/z.md": b"# Vier", "w.rst": b"Nicht."})
    b = make_tree(tmp_path / "b" / "a", {"x.txt": b"Fuenf."})  # same folder name as the first input
    single = make_tree(tmp_path / "f", {"lone.txt": b"Sechs."}) / "lone.txt"
    out = a / "out"  # inside an input folder: never walked
    options = BatchOptions(output_dir=out, excludes=("drafts", "skip-*"))
    for _ in range(2):
        report = run_batch([a, b, single], echo_pipeline(), options)
        assert report.exit_code == 0
    assert set(last_entries(out)) == {"a/x.txt", "a/sub/z.md", "a-2/x.txt", "lone.txt"}
    assert (out / "a/x.en.txt").read_text(encoding="utf-8") == "Eins.\n"
    assert (out / "a-2/x.en.txt").read_text(encoding="utf-8") == "Fuenf.\n"
    assert (out / "a/sub/z.en.md").is_file() and (out / "lone.en.txt").is_file()
    assert not (out / "a" / "out").exists()

    report = run_batch([a], echo_pipeline(), BatchOptions(output_dir=tmp_path / "rst", globs=("*.RST",)))
    assert report.documents == 1 and (tmp_path / "rst" / "w.en.txt").is_file()


def test_output_names(tmp_path: Path) -> None:
    inp = make_tree(tmp_path / "in", {"report.txt": b"Ein Bericht.", "report.md": b"# Ein Bericht"})
    names = {}
    for task, fmt, summary_only in [("translate", "text", False), ("translate", "markdown", False),
                                    ("translate", "json", False), ("summarize", "text", False),
                                    ("summarize", "text", True), ("summarize", "json", True)]:
        out = tmp_path / f"{task}-{fmt}-{summary_only}"
        report = run_batch([inp], echo_pipeline(task), BatchOptions(output_dir=out, format=fmt, summary_only=summary_only))
        assert report.exit_code == 0
        names[(task, fmt, summary_only)] = sorted(p.name for p in out.iterdir() if p.name not in (JOURNAL_NAME, LOCK_NAME, PID_NAME))
    assert names == {
        ("translate", "text", False): ["report.en.md", "report.en.txt"],
        # A name clash: the later input in sorted order (report.txt) keeps its extension.
        ("translate", "markdown", False): ["report.en.md", "report.txt.en.md"],
        ("translate", "json", False): ["report.json", "report.txt.json"],
        ("summarize", "text", False): ["report.summary.txt", "report.txt.summary.txt"],
        ("summarize", "text", True): ["report.summary.txt", "report.txt.summary.txt"],
        ("summarize", "json", True): ["report.json", "report.txt.json"],
    }
    record = json.loads((tmp_path / "translate-json-False" / "report.txt.json").read_text(encoding="utf-8"))
    assert record["source"] == "report.txt" and record["translation"] == "Ein Bericht."
    summary = (tmp_path / "summarize-text-True" / "report.txt.summary.txt").read_text(encoding="utf-8")
    assert summary == "Ein Bericht.\n"


def test_max_bytes_skips_with_a_clear_reason(tmp_path: Path) -> None:
    inp = make_tree(tmp_path / "in", {"small.txt": b"Kurz.", "big.txt": b"Lang. " * 100})
    report = run_batch([inp], echo_pipeline(), BatchOptions(output_dir=tmp_path / "out", max_bytes=100))
    assert report.exit_code == 0 and report.counts["skipped-too-large"] == 1
    e = last_entries(tmp_path / "out")["big.txt"]
    assert e["status"] == "skipped-too-large" and "--max-bytes" in e["error"] and e["bytes"] == 600


def test_documents_stream_through_in_bounded_groups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inp = make_docs(tmp_path / "in", 7)  # 49 characters each
    events: list[str] = []
    real_read = batch_run.read_document

    def read(path, **kw):
        events.append("read")
        return real_read(path, **kw)

    monkeypatch.setattr(batch_run, "read_document", read)
    pipe = echo_pipeline()
    calls = watch(pipe, before=lambda n: events.append("run"))
    run_batch([inp], pipe, BatchOptions(output_dir=tmp_path / "out", group_docs=3))
    assert [len(c) for c in calls] == [3, 3, 1]
    assert events == ["read"] * 3 + ["run"] + ["read"] * 3 + ["run"] + ["read", "run"]

    pipe = echo_pipeline(memory=False)  # with the memory, groups count only what it cannot answer
    calls = watch(pipe)
    run_batch([inp], pipe, BatchOptions(output_dir=tmp_path / "out2", group_chars=90))
    assert [len(c) for c in calls] == [2, 2, 2, 1]  # a group closes once it reaches 90 characters


def test_file_inputs_with_the_same_name(tmp_path: Path) -> None:
    one = make_tree(tmp_path / "one", {"same.txt": b"Eins."}) / "same.txt"
    two = make_tree(tmp_path / "two", {"same.txt": b"Zwei."}) / "same.txt"
    out = tmp_path / "out"
    report = run_batch([one, two], echo_pipeline(), BatchOptions(output_dir=out))
    assert report.exit_code == 1 and report.failures == [("same.txt", "another input has the same name (same.txt); rename one")]
    assert (out / "same.en.txt").read_text(encoding="utf-8") == "Eins.\n"


# --------------------------------------------------------------------------- resume


def test_resume_redoes_only_what_changed(tmp_path: Path) -> None:
    inp = make_docs(tmp_path / "in", 5)
    out = tmp_path / "out"
    assert run_batch([inp], echo_pipeline(), BatchOptions(output_dir=out)).exit_code == 0
    lines = len(journal(out))

    pipe = echo_pipeline()
    no_model_work(pipe)
    report = run_batch([inp], pipe, BatchOptions(output_dir=out))
    assert (report.exit_code, report.processed, report.resumed) == (0, 0, 5)
    assert "translator" not in pipe.__dict__ and len(journal(out)) == lines

    (inp / "d001.txt").write_text("Ganz neuer Inhalt.", encoding="utf-8")  # changed content
    (out / "d003.en.txt").unlink()  # a lost output
    pipe = echo_pipeline()
    calls = watch(pipe)
    report = run_batch([inp], pipe, BatchOptions(output_dir=out))
    assert sorted(sum(calls, [])) == ["d001.txt", "d003.txt"] and report.resumed == 3
    assert (out / "d001.en.txt").read_text(encoding="utf-8") == "Ganz neuer Inhalt.\n"
    assert (out / "d003.en.txt").is_file()

    pipe = echo_pipeline(num_beams=2)  # other generation settings: everything again
    calls = watch(pipe)
    assert run_batch([inp], pipe, BatchOptions(output_dir=out)).processed == 5
    pipe = echo_pipeline(num_beams=2)
    calls = watch(pipe)
    assert run_batch([inp], pipe, BatchOptions(output_dir=out, force=True)).processed == 5
    assert len(sum(calls, [])) == 5


FRENCH = ("Bonjour, je vous écris pour vous dire que la réunion de demain est annulée. "
          "Nous avons décidé de la reporter à la semaine prochaine, après les vacances.\n")


@pytest.mark.parametrize("memory", [True, False])
def test_a_finished_folder_rerun_detects_no_language(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, memory: bool) -> None:
    import summtrans.language.detect as langdetect

    inp, out = make_docs(tmp_path / "in", 4), tmp_path / "out"
    options = BatchOptions(output_dir=out, quiet=True)
    assert run_batch([inp], echo_pipeline(memory=memory), options).processed == 4

    def no_detection(*args: Any) -> Any:
        raise AssertionError("a document left alone was detected again")

    with monkeypatch.context() as m:  # with the memory a detection is looked up (keyed on the settings)
        m.setattr(langdetect, "detect", no_detection)
        m.setattr(langdetect, "detector_settings", no_detection)
        report = run_batch([inp], echo_pipeline(memory=memory), options)
    assert (report.exit_code, report.processed, report.resumed) == (0, 0, 4)

    (inp / "d001.txt").write_text(FRENCH, encoding="utf-8")  # changed: detected, and refused as before
    report = run_batch([inp], echo_pipeline(memory=memory), options)
    assert (report.exit_code, report.processed, report.resumed, report.counts["skipped-language"]) == (0, 0, 3, 1)
    entry = last_entries(out)["d001.txt"]
    assert entry["status"] == "skipped-language" and entry["error"].startswith("the text is French (fr, ")


def test_killed_run_leftovers_are_tolerated(tmp_path: Path) -> None:
    inp = make_docs(tmp_path / "in", 3)
    out = tmp_path / "out"
    run_batch([inp], echo_pipeline(), BatchOptions(output_dir=out))
    # What kill -9 can leave behind: a torn journal line and a temporary file.
    with open(out / JOURNAL_NAME, "ab") as fh:
        fh.write(b'{"path": "d000.txt", "sha256": "12')
    (out / f".d000.en.txt.0badf00d{TEMP_SUFFIX}").write_text("half")
    (inp / "d002.txt").write_text("Geändert.", encoding="utf-8")

    pipe = echo_pipeline()
    calls = watch(pipe)
    report = run_batch([inp], pipe, BatchOptions(output_dir=out))
    assert report.exit_code == 0 and calls == [["d002.txt"]]
    assert not temporaries(out)
    raw = (out / JOURNAL_NAME).read_text(encoding="utf-8").splitlines()
    assert raw[-2].startswith('{"path": "d000.txt", "sha256": "12')  # the torn line stays, ignored
    assert json.loads(raw[-1])["path"] == "d002.txt"  # and the next one starts on its own line
    assert batch.load_journal(out / JOURNAL_NAME)["d002.txt"].status == "ok"


def test_jsonl_combined_file_is_resumable(tmp_path: Path) -> None:
    inp = make_docs(tmp_path / "in", 4)
    out = tmp_path / "out"
    options = BatchOptions(output_dir=out, format="jsonl")

    def records() -> list[dict[str, Any]]:
        return [json.loads(line) for line in (out / COMBINED_NAME).read_text(encoding="utf-8").splitlines()]

    assert run_batch([inp], echo_pipeline(), options).exit_code == 0
    assert [r["source"] for r in records()] == ["d000.txt", "d001.txt", "d002.txt", "d003.txt"]
    assert sorted(p.name for p in out.iterdir()) == sorted([COMBINED_NAME, JOURNAL_NAME, LOCK_NAME, PID_NAME])

    (inp / "d001.txt").write_text("Neu.", encoding="utf-8")
    with open(out / COMBINED_NAME, "ab") as fh:  # a torn last record
        fh.write(b'{"source": "d003.txt", "transl')
    pipe = echo_pipeline()
    calls = watch(pipe)
    assert run_batch([inp], pipe, options).exit_code == 0
    assert calls == [["d001.txt"]]
    by_source = {r["source"]: r for r in records()}
    assert len(records()) == 4 and by_source["d001.txt"]["translation"] == "Neu."

    pipe = echo_pipeline()
    calls = watch(pipe)
    assert run_batch([inp], pipe, BatchOptions(output_dir=out, format="jsonl", force=True)).processed == 4
    assert sorted(r["source"] for r in records()) == ["d000.txt", "d001.txt", "d002.txt", "d003.txt"]
    pipe = echo_pipeline()
    no_model_work(pipe)
    assert run_batch([inp], pipe, options).resumed == 4


# --------------------------------------------------------------------------- failures


def test_a_failing_document_fails_alone(tmp_path: Path) -> None:
    inp = make_docs(tmp_path / "in", 5)
    (inp / "d002.txt").write_text("Hier steht BOOM.", encoding="utf-8")
    out = tmp_path / "out"
    pipe = echo_pipeline()
    calls = watch(pipe, fail_on="BOOM")
    report = run_batch([inp], pipe, BatchOptions(output_dir=out))
    assert report.exit_code == 1
    assert report.failures == [("d002.txt", "the engine choked")]
    assert calls[0] == [f"d{i:03d}.txt" for i in range(5)]  # one group, then one by one
    assert calls[1:] == [[f"d{i:03d}.txt"] for i in range(5)]
    entries = last_entries(out)
    assert {k: e["status"] for k, e in entries.items()} == {f"d{i:03d}.txt": "failed" if i == 2 else "ok" for i in range(5)}
    assert entries["d002.txt"]["stage"] == "model" and entries["d002.txt"]["encoding"] == "utf-8"
    assert not (out / "d002.en.txt").exists()

    pipe = echo_pipeline()  # a plain re-run does not retry it, but still reports it
    no_model_work(pipe)
    report = run_batch([inp], pipe, BatchOptions(output_dir=out))
    assert report.exit_code == 1 and report.failures[0][0] == "d002.txt" and "--retry-failed" in report.failures[0][1]

    pipe = echo_pipeline()
    calls = watch(pipe)
    report = run_batch([inp], pipe, BatchOptions(output_dir=out, retry_failed=True))
    assert report.exit_code == 0 and calls == [["d002.txt"]]
    assert last_entries(out)["d002.txt"]["status"] == "ok"


def test_write_failure_is_recorded_and_retried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inp = make_docs(tmp_path / "in", 3)
    out = tmp_path / "out"
    real_write = fsio.atomic_write_text

    def full_disk(path, text):
        if Path(path).name == "d001.en.txt":
            raise OSError(28, "No space left on device")
        real_write(path, text)

    monkeypatch.setattr(fsio, "atomic_write_text", full_disk)
    report = run_batch([inp], echo_pipeline(), BatchOptions(output_dir=out))
    assert report.exit_code == 1 and report.failures == [("d001.txt", "cannot write output: No space left on device")]
    assert last_entries(out)["d001.txt"]["stage"] == "write"
    monkeypatch.setattr(fsio, "atomic_write_text", real_write)
    pipe = echo_pipeline()
    calls = watch(pipe)
    assert run_batch([inp], pipe, BatchOptions(output_dir=out)).exit_code == 0  # retried without asking
    assert calls == [["d001.txt"]]


def test_model_load_failure_is_fatal(tmp_path: Path) -> None:
    inp = make_docs(tmp_path / "in", 2)
    pipe = Pipeline(PipelineOptions(model=str(tmp_path / "no-model"), engine="transformers"), load_config())
    with pytest.raises(ModelLoadError):
        run_batch([inp], pipe, BatchOptions(output_dir=tmp_path / "out"))
    assert not (tmp_path / "out" / JOURNAL_NAME).exists()  # nothing to record: the journal is never opened


# --------------------------------------------------------------------------- interrupts (in-process)


def test_first_ctrl_c_finishes_the_group_in_flight(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    inp = make_docs(tmp_path / "in", 12)
    out = tmp_path / "out"
    options = BatchOptions(output_dir=out, group_docs=3)
    pipe = echo_pipeline()
    calls = watch(pipe, before=lambda n: n == 2 and os.kill(os.getpid(), signal.SIGINT))
    handler = signal.getsignal(signal.SIGINT)
    report = run_batch([inp], pipe, options)
    assert signal.getsignal(signal.SIGINT) is handler  # restored
    assert (report.exit_code, report.interrupted, report.not_done) == (130, True, 6)
    assert len(calls) == 2 and len(journal(out)) == 6
    assert INTERRUPT_MESSAGE in capfd.readouterr().err

    pipe = echo_pipeline()
    calls = watch(pipe)
    report = run_batch([inp], pipe, options)
    assert report.exit_code == 0 and sorted(sum(calls, [])) == [f"d{i:03d}.txt" for i in range(6, 12)]
    assert len(journal(out)) == 12


def test_second_ctrl_c_stops_at_once(tmp_path: Path) -> None:
    inp = make_docs(tmp_path / "in", 9)
    out = tmp_path / "out"
    options = BatchOptions(output_dir=out, group_docs=3)

    def twice(n: int) -> None:
        if n == 2:
            os.kill(os.getpid(), signal.SIGINT)
            os.kill(os.getpid(), signal.SIGINT)

    pipe = echo_pipeline()
    watch(pipe, before=twice)
    report = run_batch([inp], pipe, options)
    assert report.exit_code == 130 and len(journal(out)) == 3  # the second group never finished
    assert len(list(out.glob("*.en.txt"))) == 3 and not temporaries(out)


def test_second_ctrl_c_while_writing_keeps_outputs_and_journal_together(tmp_path: Path, monkeypatch) -> None:
    inp = make_docs(tmp_path / "in", 6)
    out = tmp_path / "out"
    real_write = fsio.atomic_write_text
    writes = []

    def write(path, text):
        writes.append(path)
        if len(writes) == 1:
            os.kill(os.getpid(), signal.SIGINT)
            os.kill(os.getpid(), signal.SIGINT)
        real_write(path, text)

    monkeypatch.setattr(fsio, "atomic_write_text", write)
    report = run_batch([inp], echo_pipeline(), BatchOptions(output_dir=out, group_docs=3))
    assert report.exit_code == 130
    assert len(writes) == 3 and len(journal(out)) == 3  # the whole group, outputs and lines


# --------------------------------------------------------------------------- the command line


def test_cli_exit_codes_and_stderr(tmp_path: Path) -> None:
    inp = make_docs(tmp_path / "in", 3)
    out = tmp_path / "out"
    result = cli.invoke(app, ["translate", str(inp), "-o", str(out), "--engine", "echo"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "" and "Done in" in result.stderr and "3 ok" in result.stderr

    (inp / "sub").mkdir()
    (inp / "sub" / "garbage.txt").symlink_to(tmp_path / "nowhere")  # cannot be read
    result = cli.invoke(app, ["translate", str(inp), "-o", str(out), "--engine", "echo"])
    assert result.exit_code == 1 and result.stdout == ""
    assert "sub/garbage.txt: no such file" in result.stderr and "Failed (1)" in result.stderr

    result = cli.invoke(app, ["translate", str(inp), "-o", str(out), "--engine", "echo", "--quiet"])
    assert result.exit_code == 1 and "Done in" not in result.stderr and "sub/garbage.txt" in result.stderr

    (tmp_path / "file").write_text("x")
    result = cli.invoke(app, ["translate", str(inp), "-o", str(tmp_path / "file"), "--engine", "echo"])
    assert result.exit_code == 2 and result.stderr.startswith("Error:")

    result = cli.invoke(app, ["translate", str(inp), "-o", str(inp), "--engine", "echo"])
    assert result.exit_code == 2 and "input folder" in result.stderr

    model = str(tmp_path / "no-such-model")
    result = cli.invoke(app, ["translate", str(inp), "-o", str(tmp_path / "o2"), "--engine", "transformers", "-m", model])
    assert result.exit_code == 2 and "Error:" in result.stderr and "no-such-model" in result.stderr


def test_cli_summarize_folder(tmp_path: Path) -> None:
    inp = make_docs(tmp_path / "in", 2)
    out = tmp_path / "out"
    result = cli.invoke(app, ["summarize", str(inp), "-o", str(out), "--engine", "echo", "-f", "json"])
    assert result.exit_code == 0, result.stderr
    rec = json.loads((out / "d000.json").read_text(encoding="utf-8"))
    assert rec["summary"] and rec["translation"] and rec["source"] == "d000.txt"


# --------------------------------------------------------------------------- a real interrupt


@pytest.mark.slow
def test_sigint_subprocess_and_resume(tmp_path: Path, tiny_marian: Path) -> None:
    sentences = [f"Der Zug Nummer {i} kommt heute später an, sagte der Sprecher der Bahn." for i in range(30)]
    text = " ".join(sentences) + "\n"  # ~2,000 characters: about ten documents per group
    inp = make_tree(tmp_path / "in", {f"doc{i:02d}.txt": text.replace("Zug", f"Zug {i}").encode() for i in range(30)})
    out = tmp_path / "out"
    cfg = tmp_path / "models.yaml"
    cfg.write_text(
        f"profiles:\n"
        f"  slow:\n    task: translation\n    model: {tiny_marian}\n    engine: transformers\n"
        f"    generation:\n      num_beams: 1\n      max_new_tokens: 8\n"
        f"  unused:\n    task: summarization\n    model: {tiny_marian}\n",
        encoding="utf-8",
    )
    cmd = [sys.executable, "-m", "summtrans", "translate", str(inp), "-o", str(out), "--config", str(cfg), "--model", "slow"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ))
    try:
        deadline = time.monotonic() + 90
        while not ((out / JOURNAL_NAME).is_file() and (out / JOURNAL_NAME).stat().st_size):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "no document finished in time"
            time.sleep(0.02)
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=90)
    finally:
        proc.kill()
    assert proc.returncode == 130, stderr.decode()
    assert stdout == b"" and INTERRUPT_MESSAGE.encode() in stderr
    first = journal(out)  # every line valid JSON
    assert 0 < len(first) < 30 and all(e["status"] == "ok" for e in first)
    assert not temporaries(out)
    done = {e["path"] for e in first}
    assert {p.name.replace(".en.txt", ".txt") for p in out.glob("*.en.txt")} == done  # no output without its line

    rerun = cli.invoke(app, cmd[3:] + ["--quiet"])  # the same command, in-process (saves a start-up)
    assert rerun.exit_code == 0, rerun.stderr
    second = journal(out)[len(first) :]
    assert sorted(e["path"] for e in second) == sorted({f"doc{i:02d}.txt" for i in range(30)} - done)
    assert len(list(out.glob("*.en.txt"))) == 30


# --------------------------------------------------------------------------- ../shared


@pytest.mark.slow
def test_de_news_with_mini_marian(tmp_path: Path, mini_marian: Path, shared_dir: Path) -> None:
    corpus = shared_dir / "corpus" / "de-news"
    if not corpus.is_dir():
        pytest.skip("../shared/corpus/de-news not available")
    articles = sorted(p.name for p in corpus.glob("*.txt"))
    config = parse_config(
        {
            "profiles": {
                # Greedy and capped: the small model rambles on news, and this checks the plumbing.
                "mini": {"task": "translation", "model": str(mini_marian), "engine": "ctranslate2",
                         "generation": {"num_beams": 1, "max_new_tokens": 48}},
                "unused": {"task": "summarization", "model": str(mini_marian)},
            }
        }
    )
    out = tmp_path / "out"
    report = run_batch([corpus], Pipeline(PipelineOptions(model="mini"), config), BatchOptions(output_dir=out, quiet=True))
    assert report.exit_code == 0 and report.counts["ok"] == len(articles) == report.processed
    assert sorted(p.name for p in out.glob("*.en.txt")) == [a.replace(".txt", ".en.txt") for a in articles]
    for entry in journal(out):
        assert entry["status"] == "ok" and entry["chars"]["translation"] > 0
        assert entry["models"]["translation"] == str(mini_marian)


# --------------------------------------------------------------------------- rough edges (issue 7)


def test_fifo_in_a_folder_is_skipped_special_never_opened(tmp_path: Path) -> None:
    inp = make_docs(tmp_path / "in", 2)
    os.mkfifo(inp / "pipe.txt")  # opening it would block forever: no writer
    out = tmp_path / "out"
    report = run_batch([inp], echo_pipeline(), BatchOptions(output_dir=out))
    assert report.exit_code == 0 and report.counts["skipped-special"] == 1 and report.counts["ok"] == 2
    assert last_entries(out)["pipe.txt"]["status"] == "skipped-special"
    lines = len(journal(out))
    assert run_batch([inp], echo_pipeline(), BatchOptions(output_dir=out)).exit_code == 0
    assert len(journal(out)) == lines  # an unchanged outcome is not journaled again


def test_hidden_names_are_walked_only_when_asked(tmp_path: Path) -> None:
    inp = make_tree(tmp_path / "in", {"a.txt": b"Eins.", ".notes.txt": b"Zwei.", ".git/x.txt": b"Drei.",
                                      "sub/.cache/y.md": b"Vier."})
    report = run_batch([inp], echo_pipeline(), BatchOptions(output_dir=tmp_path / "o1"))
    assert report.documents == 1 and set(last_entries(tmp_path / "o1")) == {"a.txt"}
    report = run_batch([inp], echo_pipeline(), BatchOptions(output_dir=tmp_path / "o2", include_hidden=True))
    assert set(last_entries(tmp_path / "o2")) == {"a.txt", ".notes.txt", ".git/x.txt", "sub/.cache/y.md"}
    assert (tmp_path / "o2" / ".notes.en.txt").read_text(encoding="utf-8") == "Zwei.\n"


def test_an_output_summtrans_did_not_write_is_not_overwritten(tmp_path: Path) -> None:
    inp = make_docs(tmp_path / "in", 2)
    out = tmp_path / "out"
    out.mkdir()
    (out / "d000.en.txt").write_text("mine, by hand", encoding="utf-8")
    report = run_batch([inp], echo_pipeline(), BatchOptions(output_dir=out))
    assert report.exit_code == 1
    assert report.failures == [("d000.txt", "d000.en.txt exists and was not written by summtrans (--force overwrites it)")]
    assert (out / "d000.en.txt").read_text(encoding="utf-8") == "mine, by hand"
    assert run_batch([inp], echo_pipeline(), BatchOptions(output_dir=out, force=True)).exit_code == 0
    assert (out / "d000.en.txt").read_text(encoding="utf-8").startswith("Dokument 0")
    (out / "d000.en.txt").write_text("edited after the run", encoding="utf-8")  # ours: redone, not refused
    (inp / "d000.txt").write_text("Neu.", encoding="utf-8")
    assert run_batch([inp], echo_pipeline(), BatchOptions(output_dir=out)).exit_code == 0
    assert (out / "d000.en.txt").read_text(encoding="utf-8") == "Neu.\n"


def test_an_output_left_by_a_killed_run_is_known_as_ours(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inp = make_docs(tmp_path / "in", 2)
    out = tmp_path / "out"

    class Killed(BaseException):
        pass

    real_write = fsio.atomic_write_text

    def write_then_die(path, text):  # as if kill -9 came between an output and its journal line
        real_write(path, text)
        raise Killed

    monkeypatch.setattr(fsio, "atomic_write_text", write_then_die)
    with pytest.raises(Killed):
        run_batch([inp], echo_pipeline(), BatchOptions(output_dir=out))
    assert (out / "d000.en.txt").is_file() and journal(out) == []
    monkeypatch.setattr(fsio, "atomic_write_text", real_write)
    report = run_batch([inp], echo_pipeline(), BatchOptions(output_dir=out))
    assert report.exit_code == 0 and report.processed == 2


def test_a_finished_folder_needs_no_write_access(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Works as root too: every attempt to open something under OUTDIR for writing fails."""
    import builtins

    inp = make_docs(tmp_path / "in", 3)
    out = tmp_path / "out"
    assert run_batch([inp], echo_pipeline(), BatchOptions(output_dir=out)).exit_code == 0
    before = {p: p.read_bytes() for p in out.iterdir()}
    real_os_open, real_open = os.open, builtins.open
    writes: list[str] = []

    def inside(path: Any) -> bool:
        return os.path.abspath(os.fsdecode(path)).startswith(str(out))

    def os_open(path, flags, *args, **kw):
        if inside(path) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            writes.append(os.fsdecode(path))
            raise PermissionError(13, "Permission denied", path)
        return real_os_open(path, flags, *args, **kw)

    def open_(file, mode="r", *args, **kw):
        if not isinstance(file, int) and inside(file) and any(c in mode for c in "wax+"):
            writes.append(os.fsdecode(file))
            raise PermissionError(13, "Permission denied", file)
        return real_open(file, mode, *args, **kw)

    monkeypatch.setattr(os, "open", os_open)
    monkeypatch.setattr(builtins, "open", open_)
    pipe = echo_pipeline()
    no_model_work(pipe)
    report = run_batch([inp], pipe, BatchOptions(output_dir=out))
    assert report.exit_code == 0 and report.resumed == 3
    assert writes == [str(out / LOCK_NAME)]  # the lock was tried (read-only: no lock), nothing else
    assert {p: p.read_bytes() for p in out.iterdir()} == before

    (inp / "d001.txt").write_text("Neu.", encoding="utf-8")  # now there is work: refused before any model loads
    with pytest.raises(OutputDirError, match="the output folder is not writable"):
        run_batch([inp], pipe, BatchOptions(output_dir=out))
    assert {p: p.read_bytes() for p in out.iterdir()} == before


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="permissions are not enforced for root")
def test_a_finished_folder_in_a_read_only_outdir(tmp_path: Path) -> None:
    inp = make_docs(tmp_path / "in", 2)
    out = tmp_path / "out"
    assert run_batch([inp], echo_pipeline(), BatchOptions(output_dir=out)).exit_code == 0
    out.chmod(0o555)
    try:
        assert run_batch([inp], echo_pipeline(), BatchOptions(output_dir=out)).exit_code == 0
    finally:
        out.chmod(0o755)


def test_sigterm_finishes_the_group_in_flight_and_exits_143(tmp_path: Path) -> None:
    inp = make_docs(tmp_path / "in", 9)
    out = tmp_path / "out"
    pipe = echo_pipeline()
    calls = watch(pipe, before=lambda n: n == 2 and os.kill(os.getpid(), signal.SIGTERM))
    handler = signal.getsignal(signal.SIGTERM)
    report = run_batch([inp], pipe, BatchOptions(output_dir=out, group_docs=3))
    assert signal.getsignal(signal.SIGTERM) is handler  # restored
    assert (report.exit_code, report.interrupted, report.not_done) == (143, True, 3)
    assert len(calls) == 2 and len(journal(out)) == 6


def test_a_second_run_on_a_locked_outdir_is_refused(tmp_path: Path) -> None:
    from summtrans.batch.outdir import OutputDir

    inp = make_docs(tmp_path / "in", 1)
    out = tmp_path / "out"
    with OutputDir(out, []):
        with pytest.raises(UsageError, match=rf"^{out} is in use by another summtrans run \(pid {os.getpid()}\)$"):
            run_batch([inp], echo_pipeline(), BatchOptions(output_dir=out))
    assert run_batch([inp], echo_pipeline(), BatchOptions(output_dir=out)).exit_code == 0


def test_an_executor_of_ones_own(tmp_path: Path) -> None:
    """The seam a Ray executor implements: groups in, (group, results | exception) out, in order."""
    from summtrans.batch import LocalExecutor

    inp = make_docs(tmp_path / "in", 5)
    (inp / "d003.txt").write_text("Hier steht BOOM.", encoding="utf-8")
    pipe = echo_pipeline()

    class Recording:
        def __init__(self) -> None:
            self.inner = LocalExecutor(pipe)
            self.groups: list[list[str]] = []
            self.closed = False

        def run(self, groups):
            for group in groups:
                self.groups.append([d.source for d in group])
                if any("BOOM" in d.text for d in group):
                    yield group, RuntimeError("a worker died")
                else:
                    yield from self.inner.run([group])

        def close(self) -> None:
            self.closed = True

    executor = Recording()
    report = run_batch([inp], pipe, BatchOptions(output_dir=tmp_path / "out", group_docs=2), executor=executor)
    assert executor.groups == [["d000.txt", "d001.txt"], ["d002.txt", "d003.txt"], ["d002.txt"], ["d003.txt"],
                               ["d004.txt"]]  # a failed group comes back one document at a time
    assert report.failures == [("d003.txt", "RuntimeError: a worker died")] and executor.closed
    assert (tmp_path / "out" / "d002.en.txt").is_file() and not (tmp_path / "out" / "d003.en.txt").exists()
