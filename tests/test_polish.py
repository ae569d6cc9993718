"""Rough edges found in review: -o FILE's suffix with -f auto, the journal's resolved commits,
language detection on short texts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_formats_cli import write_source
from typer.testing import CliRunner

from summtrans.cli.app import app

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, [*args, "--engine", "echo", "-q"])


def test_auto_with_a_text_suffix_writes_that_text_format_not_the_documents_bytes(tmp_path: Path) -> None:
    src = write_source(tmp_path, "docx")
    stdout = invoke("translate", str(src)).stdout
    assert invoke("translate", str(src), "-o", str(tmp_path / "out.txt")).exit_code == 0
    assert (tmp_path / "out.txt").read_text(encoding="utf-8") == stdout
    assert invoke("translate", str(src), "-o", str(tmp_path / "out.json")).exit_code == 0
    rec = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert rec["format"] == "docx" and rec["translation"] + "\n" == stdout
    assert invoke("translate", str(src), "-o", str(tmp_path / "out.jsonl")).exit_code == 0
    assert json.loads((tmp_path / "out.jsonl").read_text(encoding="utf-8"))["format"] == "docx"
    assert invoke("translate", str(src), "-o", str(tmp_path / "out.md")).exit_code == 0
    assert (tmp_path / "out.md").read_text(encoding="utf-8") == stdout


def test_auto_with_the_inputs_own_suffix_writes_the_formatted_copy(tmp_path: Path) -> None:
    src = write_source(tmp_path, "docx")
    assert invoke("translate", str(src), "-o", str(tmp_path / "out.DOCX")).exit_code == 0
    assert (tmp_path / "out.DOCX").read_bytes()[:2] == b"PK"
    pdf = write_source(tmp_path, "pdf")  # a pdf's own output is a PDF; -o NAME.md asks for markdown
    assert invoke("translate", str(pdf), "-o", str(tmp_path / "bescheid.md")).exit_code == 0
    assert (tmp_path / "bescheid.md").read_text(encoding="utf-8").strip()


def test_auto_with_another_suffix_is_one_usage_line_naming_both(tmp_path: Path) -> None:
    src = write_source(tmp_path, "docx")
    for name in ("out.pdf", "out"):
        r = invoke("translate", str(src), "-o", str(tmp_path / name))
        assert r.exit_code == 2, r.output
        line = r.output.strip()
        assert line.startswith("Error: ") and "\n" not in line
        assert ".docx" in line and ".txt" in line and "-f" in line
        assert not (tmp_path / name).exists()


def test_summary_of_a_formatted_input_is_markdown_or_the_text_format_asked(tmp_path: Path) -> None:
    src = write_source(tmp_path, "docx")
    assert invoke("summarize", str(src), "-o", str(tmp_path / "s.md")).exit_code == 0
    assert "## Summary" in (tmp_path / "s.md").read_text(encoding="utf-8")
    assert invoke("summarize", str(src), "-o", str(tmp_path / "s.txt")).exit_code == 0
    assert "== Summary ==" in (tmp_path / "s.txt").read_text(encoding="utf-8")
    assert invoke("summarize", str(src), "-o", str(tmp_path / "s.docx")).exit_code == 2


def test_explicit_format_and_text_inputs_keep_their_rules(tmp_path: Path) -> None:
    src = write_source(tmp_path, "docx")
    assert invoke("translate", str(src), "-f", "text", "-o", str(tmp_path / "any.out")).exit_code == 0
    txt = tmp_path / "a.txt"
    txt.write_text("Guten Tag.\n", encoding="utf-8")
    assert invoke("translate", str(txt), "-o", str(tmp_path / "a.en")).exit_code == 0
    assert (tmp_path / "a.en").read_text(encoding="utf-8") == "Guten Tag.\n"


def test_journal_resolves_models_at_each_line_until_every_commit_is_known(tmp_path: Path) -> None:
    from summtrans.batch.journal import Journal

    answers = [{"translation": "org/m", "summary": None}, {"translation": "org/m@c0ffee", "summary": None}]
    calls = []

    def models() -> dict[str, str | None]:
        calls.append(1)
        return answers[min(len(calls), len(answers)) - 1]

    j = Journal(tmp_path / "j.jsonl", {"format": "text"}, models)
    assert calls == []  # nothing asked before the first line
    j.record("a.txt", "skipped-empty")  # before the model is downloaded
    j.record("b.txt", "ok", output="b.en.txt")  # after
    j.record("c.txt", "ok", output="c.en.txt")
    j.close()
    lines = [json.loads(x) for x in (tmp_path / "j.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [x["models"]["translation"] for x in lines] == ["org/m", "org/m@c0ffee", "org/m@c0ffee"]
    assert len(calls) == 2  # resolved for good once every hub model names its commit


def test_a_folder_run_that_loads_its_model_journals_the_commit_it_got(tmp_path: Path, monkeypatch) -> None:
    import summtrans.models.store
    import summtrans.pipeline

    loaded = []
    load_engine = summtrans.pipeline.load_engine

    def loading(*args, **kwargs):  # the model "downloads" as it loads
        loaded.append(1)
        return load_engine(*args, **kwargs)

    monkeypatch.setattr(summtrans.pipeline, "load_engine", loading)
    monkeypatch.setattr(summtrans.models.store, "resolved_revision", lambda prof: "c0ffee" if loaded else None)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Guten Tag.\n", encoding="utf-8")
    assert invoke("translate", str(tmp_path / "in"), "-o", str(tmp_path / "out")).exit_code == 0
    journal = (tmp_path / "out" / "summtrans-journal.jsonl").read_text(encoding="utf-8")
    lines = [json.loads(x) for x in journal.splitlines()]
    [line] = [x for x in lines if "path" in x]
    assert line["models"]["translation"].endswith("@c0ffee")


def test_a_text_too_short_to_detect_builds_no_detector(monkeypatch) -> None:
    from summtrans.language import detect as langdetect

    def no_detector():
        raise AssertionError("the detector was built for a text it cannot judge")

    monkeypatch.setattr(langdetect, "_identifier", no_detector)
    for text in ("Guten Tag.", "OK!", "a b c d e f g", "Hallo\n\nThank you!"):
        assert langdetect.detect(text) == langdetect.Detection("de", 0.0, reliable=False, method="too short")
        assert langdetect.english_units(text.split("\n\n")) == []
    with pytest.raises(AssertionError):  # 20 letters and more: detected as before
        langdetect.detect("Der Gemeinderat hat neue Radwege beschlossen.")
    with pytest.raises(AssertionError):  # six words and more: judged
        langdetect.english_units(["1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20", "word " * 30])


def test_a_short_line_is_translated_as_german_through_the_cli(tmp_path: Path) -> None:
    src = tmp_path / "a.txt"
    src.write_text("Guten Tag.\n", encoding="utf-8")
    r = invoke("translate", str(src), "-f", "json", "--no-memory")
    assert r.exit_code == 0, r.output
    rec = json.loads(r.stdout)
    assert rec["source_lang"] == "de" and rec["language"] == {"lang": "de", "confidence": 0.0, "method": "too short"}
