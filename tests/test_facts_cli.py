"""Key facts through the CLI: a `facts` block in summarize's JSON records (and translate --facts),
a "Key facts" section above the summary in text and markdown, nothing for a text that is no letter."""

from __future__ import annotations

import json
from pathlib import Path

from test_facts import BESCHEID, MAHNUNG
from typer.testing import CliRunner

from summtrans.cli.app import app

runner = CliRunner()
NEWS = (
    "Der Gemeinderat hat am Montagabend den Haushalt für das kommende Jahr beschlossen. Bis zum 30. April 2026 "
    "sollen die Pläne für den Radweg vorliegen. Die Ausgaben steigen um 1.200.000 Euro.\n"
)


def run(*args: str) -> str:
    r = runner.invoke(app, [*args, "--engine", "echo", "--no-memory", "-q"])
    assert r.exit_code == 0, r.output
    return r.stdout


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_summarize_json_has_the_facts_of_a_letter(tmp_path: Path) -> None:
    rec = json.loads(run("summarize", str(write(tmp_path, "bescheid.txt", BESCHEID)), "-f", "json"))
    facts = rec["facts"]
    assert facts["deadlines"] and all(isinstance(d["segment"], int) for d in facts["deadlines"])
    for fact in facts["deadlines"] + facts["amounts"]:  # every fact points at the German sentence it came from
        assert 0 <= fact["segment"] < len(rec["segments"])
    for amount in facts["amounts"]:  # a JSON number, written in its German sentence the German way
        assert isinstance(amount["value"], (int, float)) and amount["currency"] in ("EUR", "%")
        if amount["currency"] == "EUR":
            german = f"{amount['value']:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
            assert german in rec["segments"][amount["segment"]]["source"]


def test_facts_stand_above_the_summary_in_text_and_markdown(tmp_path: Path) -> None:
    src = write(tmp_path, "mahnung.txt", MAHNUNG)
    for fmt, heading, summary in (("text", "== Key facts ==", "== Summary =="), ("markdown", "## Key facts", "## Summary")):
        out = run("summarize", str(src), "-f", fmt)
        assert heading in out and out.index(heading) < out.index(summary), fmt
        assert "Deadlines" in out[out.index(heading) : out.index(summary)]
    assert "**" not in run("summarize", str(src), "-f", "text")  # plain text: no markdown emphasis
    only = run("summarize", str(src), "--summary-only")
    assert only.startswith("== Key facts ==") and "Translation" not in only


def test_translate_has_facts_only_when_asked(tmp_path: Path) -> None:
    src = write(tmp_path, "bescheid.txt", BESCHEID)
    assert "facts" not in json.loads(run("translate", str(src), "-f", "json"))
    assert json.loads(run("translate", str(src), "-f", "json", "--facts"))["facts"]["deadlines"]
    assert "facts" not in json.loads(run("summarize", str(src), "-f", "json", "--no-facts"))


def test_news_gets_no_facts(tmp_path: Path) -> None:
    rec = json.loads(run("summarize", str(write(tmp_path, "news.txt", NEWS)), "-f", "json"))
    assert "facts" not in rec
    assert "Key facts" not in run("summarize", str(tmp_path / "news.txt"))


def test_lines_without_words_are_segments_the_facts_can_read(tmp_path: Path) -> None:
    """A due-date table row ("10.09.2025   850,00 €") is not translated, but it is a segment of the
    record (origin "copied"), so the key facts see its date and amount."""
    letter = (
        "Finanzamt Musterstadt\nSteuerstraße 1, 12345 Musterstadt\n\nMusterstadt, 15.08.2025\n\n"
        "Steuernummer: 21/815/08150\n\nSehr geehrter Herr Mustermann,\n\n"
        "bitte zahlen Sie die Vorauszahlungen zu den folgenden Fälligkeitsterminen:\n\n"
        "10.09.2025   850,00 €\n\nMit freundlichen Grüßen\nIhr Finanzamt Musterstadt\n"
    )
    rec = json.loads(run("summarize", str(write(tmp_path, "vz.txt", letter)), "-f", "json"))
    [row] = [i for i, s in enumerate(rec["segments"]) if s["origin"] == "copied"]
    assert rec["segments"][row]["source"] == rec["segments"][row]["translation"] == "10.09.2025   850,00 €"
    [deadline] = [d for d in rec["facts"]["deadlines"] if d["segment"] == row]
    assert (deadline["date"], deadline["action_id"]) == ("2025-09-10", "pay")


def test_a_summarize_copy_of_translate_options_reads_facts() -> None:
    """serve builds its summarize pipeline as a copy of the translate one: the copy must read facts."""
    import dataclasses

    from summtrans.pipeline import PipelineOptions

    translate = PipelineOptions(task="translate")
    assert not translate.wants_facts and PipelineOptions(task="translate", facts=True).wants_facts
    assert dataclasses.replace(translate, task="summarize").wants_facts
    assert not dataclasses.replace(PipelineOptions(task="summarize", facts=False), task="summarize").wants_facts
