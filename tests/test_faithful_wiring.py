"""The faithful layer end to end: protected spans, glossary, guards and the quality report through
the CLI, the Python API, folder runs (journal, summary line), formatted documents, and `eval`."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summtrans.batch import report as report_module
from summtrans.batch.report import BatchReport, log_summary
from summtrans.cli.app import app
from summtrans.engines import GenerationOptions
from summtrans.engines.base import EchoEngine
from summtrans.faithful.guards import GuardOptions, RetryPolicy
from summtrans.faithful.layer import FaithfulOptions
from summtrans.faithful.quality import QualityWarning
from summtrans.models.config import parse_config
from summtrans.pipeline import PipelineOptions
from summtrans.summarize import Summarizer
from summtrans.translate import Translator

runner = CliRunner()

# Spans that must reach the output byte for byte, and amounts that come out in English form.
SPANS = [
    "https://example.com/antrag?id=42&lang=de",
    "info@stadt-beispiel.de",
    "DE89 3704 0044 0532 0130 00",
    "15.03.2024",
    "/home/anna/Dokumente/brief.pdf",
    "@stadtbeispiel",
    "+49 30 1234567",
]
LETTER = (
    "Bitte überweisen Sie 1.250,50 € bis zum 15.03.2024 auf das Konto DE89 3704 0044 0532 0130 00.\n\n"
    "Das Formular finden Sie unter https://example.com/antrag?id=42&lang=de oder schreiben Sie an "
    "info@stadt-beispiel.de.\n\n"
    "Die Datei liegt unter /home/anna/Dokumente/brief.pdf und wir sind als @stadtbeispiel erreichbar.\n\n"
    "Rufen Sie uns unter +49 30 1234567 an, die Gebühr beträgt 3,50 € pro Seite.\n"
)
LOOPING = "Das ist ein Haus am See mit vielen Fenstern und einem Garten.\n"


def _doc(text: str):
    from summtrans.formats.document import Document

    return Document(source="a.txt", text=text, encoding="utf-8", n_bytes=len(text.encode()), sha256="0" * 64)


def invoke(*args: str, input: str | None = None):
    return runner.invoke(app, list(args), input=input)


class WordReverser(EchoEngine):
    """A 'model' that rewrites every word (reversed, lower case) except placeholders (numbers)."""

    name = "reverser"

    def generate(self, texts, options, progress=None):
        self.calls.append(list(texts))
        if progress:
            progress(len(texts))
        return [" ".join(w if any(c.isdigit() for c in w) else w[::-1].lower() for w in t.split()) for t in texts]


class Inventor(EchoEngine):
    """A summarizer that invents a figure unless the retry's safer settings are used."""

    name = "inventor"

    def generate(self, texts, options, progress=None):
        self.calls.append(list(texts))
        self.options = getattr(self, "options", []) + [options]
        if options.no_repeat_ngram_size:
            return ["The council met and talked about bike lanes." for _ in texts]
        return ["The council spent 5000 euros on bike lanes." for _ in texts]


def tiny_config(tmp_path: Path, model: Path, extra: str = "") -> Path:
    cfg = tmp_path / "models.yaml"
    cfg.write_text(
        f"profiles:\n  tiny:\n    task: translation\n    model: {model}\n    engine: transformers\n"
        f"    generation: {{num_beams: 1, max_new_tokens: 40}}\n{extra}",
        encoding="utf-8",
    )
    return cfg


# -- protected spans ------------------------------------------------------------------------------


def test_spans_survive_a_model_that_rewrites_every_word():
    tr = Translator(WordReverser(), faithful=FaithfulOptions(guards=None, retry=None))
    result = tr.translate(LETTER)
    for span in SPANS:
        assert span in result.text, span
    assert "€1,250.50" in result.text and "€3.50" in result.text  # amounts in English form (documented)
    q = result.quality
    assert q.spans.checked >= len(SPANS) and q.spans.missing == 0
    assert q.numbers.missing == 0 and q.segments == len(result.segments)


def test_echo_cli_keeps_the_letter_byte_for_byte_and_reports_checks(tmp_path):
    src = tmp_path / "brief.txt"
    src.write_text(LETTER, encoding="utf-8")
    r = invoke("translate", str(src), "--engine", "echo", "--source-lang", "de", "--no-memory", "-f", "json", "-q")
    assert r.exit_code == 0, r.output
    rec = json.loads(r.stdout)
    assert rec["translation"] == LETTER  # echo: numbers as written, spans untouched
    assert rec["warnings"] == []
    assert rec["quality"]["spans"]["checked"] >= len(SPANS) and rec["quality"]["spans"]["missing"] == 0
    assert rec["quality"]["segments"] == len(rec["segments"])


def test_no_protect_lets_the_model_rewrite_spans():
    tr = Translator(WordReverser(), faithful=None)
    assert "info@stadt-beispiel.de" not in tr.translate(LETTER).text


# -- glossary ------------------------------------------------------------------------------------


def test_glossary_flag_profile_key_and_python_api(tmp_path):
    src = tmp_path / "a.txt"
    src.write_text("Das Jobcenter in Köln schreibt Frau Müller.\n", encoding="utf-8")
    gloss = tmp_path / "terms.tsv"
    gloss.write_text("Jobcenter\tjob centre\nMüller\t\n", encoding="utf-8")
    r = invoke("translate", str(src), "--engine", "echo", "--source-lang", "de", "--no-memory",
               "--glossary", str(gloss), "-f", "json", "-q")
    assert r.exit_code == 0, r.output
    rec = json.loads(r.stdout)
    assert "job centre" in rec["translation"] and "Müller" in rec["translation"]
    assert rec["quality"]["terms"] == {"checked": 2, "missing": 0}

    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "terms.csv").write_text("Köln,Cologne\n", encoding="utf-8")
    cfg = tmp_path / "cfg" / "models.yaml"
    cfg.write_text("profiles:\n  e:\n    task: translation\n    model: x/y\n    engine: echo\n    glossary: terms.csv\n",
                   encoding="utf-8")
    r = invoke("translate", str(src), "--config", str(cfg), "--source-lang", "de", "--no-memory", "-q")
    assert r.exit_code == 0, r.output
    assert "Cologne" in r.stdout

    from summtrans import translate_text

    out = translate_text("Das Jobcenter ist zu.", engine="echo", source_lang="de", memory=False,
                         glossary={"Jobcenter": "job centre"})
    assert out == "Das job centre ist zu."


def test_glossary_errors_are_config_errors(tmp_path):
    src = tmp_path / "a.txt"
    src.write_text("Hallo Welt.\n", encoding="utf-8")
    r = invoke("translate", str(src), "--engine", "echo", "--glossary", str(tmp_path / "missing.tsv"))
    assert r.exit_code == 2 and r.output.strip().startswith("Error: ") and "glossary file not found" in r.output
    assert len(r.output.strip().splitlines()) == 1
    bad = tmp_path / "bad.tsv"
    bad.write_text("a\tb\tc\n", encoding="utf-8")
    r = invoke("translate", str(src), "--engine", "echo", "--glossary", str(bad))
    assert r.exit_code == 2 and "bad.tsv:1" in r.output


def test_profile_keys_are_validated(tmp_path):
    cfg = parse_config({"profiles": {"t": {"task": "translation", "model": "x/y", "glossary": "g.tsv",
                                           "max_length_factor": 1.5}}}, str(tmp_path / "models.yaml"))
    prof = cfg.profiles["t"]
    assert prof.glossary == str(tmp_path / "g.tsv") and prof.max_length_factor == 1.5
    from summtrans.errors import ConfigError

    with pytest.raises(ConfigError, match="max_length_factor"):
        parse_config({"profiles": {"t": {"task": "translation", "model": "x/y", "max_length_factor": -1}}})
    with pytest.raises(ConfigError, match="glossary"):
        parse_config({"profiles": {"t": {"task": "translation", "model": "x/y", "glossary": 3}}})


def test_glossary_mapping_travels_frozen_and_keys_the_memory(tmp_path):
    opts = PipelineOptions(engine="echo", source_lang="de", glossary={"Jobcenter": "job centre"})
    assert opts.glossary == (("Jobcenter", "job centre"),)
    assert pickle.loads(pickle.dumps(opts)) == opts  # Ray workers get the same options
    hash(opts)

    from summtrans.pipeline import Pipeline

    doc = _doc("Das Jobcenter ist zu.")
    first = Pipeline(opts)
    assert first.run([doc])[0].translation == "Das job centre ist zu."
    first.close()
    other = Pipeline(PipelineOptions(engine="echo", source_lang="de", glossary={"Jobcenter": "jobcentre"}))
    rec = other.run([doc])[0]
    other.close()
    assert rec.translation == "Das jobcentre ist zu."  # a changed glossary never returns a stale translation
    assert rec.memory is not None and rec.memory.model == 1


# -- guards --------------------------------------------------------------------------------------


@pytest.mark.slow  # three CLI runs of the tiny model (~2.5 s)
def test_looping_tiny_model_is_retried_and_flagged_and_no_guards_turns_it_off(tiny_marian, tmp_path):
    src = tmp_path / "a.txt"
    src.write_text(LOOPING, encoding="utf-8")
    cfg = tiny_config(tmp_path, tiny_marian)
    base = ("translate", str(src), "--config", str(cfg), "--source-lang", "de", "--no-memory")
    r = invoke(*base, "-f", "json", "-q")
    assert r.exit_code == 0, r.output
    rec = json.loads(r.stdout)
    kinds = {w["kind"] for w in rec["warnings"]}
    assert kinds & {"repetition", "length-ratio", "retried"}, rec["warnings"]
    assert all(w["segment"] == 0 for w in rec["warnings"])
    assert "retried" in kinds or any("after a retry" in w["detail"] for w in rec["warnings"])  # the retry ran
    assert sum(rec["quality"]["warnings"].values()) == len(rec["warnings"])

    r = invoke(*base)  # text output: the warnings on stderr
    assert r.exit_code == 0
    assert f"warning: {src}: segment 0: " in r.stderr
    assert "warning:" not in invoke(*base, "-q").stderr

    r = invoke(*base, "--no-guards", "--no-protect", "-f", "json", "-q")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["warnings"] == []


def test_length_cap_option_reaches_the_model(tiny_marian, tmp_path):
    from summtrans.pipeline import Pipeline

    cfg = parse_config({"profiles": {"t": {"task": "translation", "model": str(tiny_marian), "engine": "transformers",
                                           "max_length_factor": 0.5, "generation": {"num_beams": 1}}}})
    pipe = Pipeline(PipelineOptions(source_lang="de", memory=False, max_length_factor=0.0), cfg)
    assert pipe.settings()["translation"]["faithful"]["max_length_factor"] is None  # 0: no cap
    pipe = Pipeline(PipelineOptions(source_lang="de", memory=False), cfg)
    assert pipe.faithful_options(pipe.translation_profile).guards.length_factor == 0.5
    seen = []
    engine = pipe.translator.engine
    real = engine.generate
    engine.generate = lambda texts, options, progress=None: seen.append(options) or real(texts, options, progress)
    pipe.run([_doc("Ein Haus am See mit vielen Fenstern und einem Garten.")])
    assert (seen[0].max_length_factor, seen[0].max_length_slack) == (0.5, 10)  # one call: the engine caps per batch
    assert seen[0].as_dict() == {"num_beams": 1}  # not generate() arguments
    # The engine applies it: the tiny model loops until its limit, so a tighter cap gives a shorter output.
    text = ["Ein Haus am See mit vielen Fenstern und einem Garten."]
    free = GenerationOptions(num_beams=1, max_new_tokens=60)
    long = real(text, free)[0]
    short = real(text, free.merged(max_length_factor=0.5, max_length_slack=0))[0]
    assert len(short) < len(long)


def test_flagged_translations_are_not_remembered(tiny_marian, tmp_path):
    src = tmp_path / "a.txt"
    src.write_text(LOOPING, encoding="utf-8")
    cfg = tiny_config(tmp_path, tiny_marian)
    base = ("translate", str(src), "--config", str(cfg), "--source-lang", "de", "-f", "json", "-q")
    first = json.loads(invoke(*base).stdout)
    again = json.loads(invoke(*base).stdout)
    if any(w["kind"] != "retried" for w in first["warnings"]):  # still bad after the retry
        assert again["memory"]["model"] == 1 and again["warnings"]  # tried (and flagged) again
    else:
        assert again["memory"]["hits"] == 1 and again["quality"]["segments"] == 0


# -- summaries -----------------------------------------------------------------------------------


def test_invented_summary_figure_is_retried_then_flagged_or_fixed():
    text = "The council met on Monday. It talked about bike lanes and parks for a long time."
    engine = Inventor()
    fixed = Summarizer(engine, GenerationOptions(num_beams=4), guards=GuardOptions(), retry=RetryPolicy()).summarize(text)
    assert "5000" not in fixed.text
    assert [w.kind for w in fixed.warnings] == ["retried"] and fixed.warnings[0].segment is None
    flagged = Summarizer(Inventor(), GenerationOptions(), guards=GuardOptions(), retry=None).summarize(text)
    assert [(w.kind, w.detail) for w in flagged.warnings] == [("invented-number", "5000")]
    plain = Summarizer(Inventor(), GenerationOptions()).summarize(text)
    assert plain.warnings == ()


def test_summary_warnings_reach_the_record():
    from summtrans.models.config import Profile
    from summtrans.pipeline import Pipeline
    from summtrans.records import Summary, document_record

    pipe = Pipeline(PipelineOptions(engine="echo", task="summarize", source_lang="en", memory=False))
    summary = Summary("The council spent 5000 euros.", 1, 1, warnings=(QualityWarning(None, "invented-number", "5000"),))
    rec = document_record(_doc("x"), "en", None, {}, None, [], None, None, summary, models=pipe.models())
    d = rec.to_dict()
    assert d["warnings"] == [{"segment": None, "kind": "invented-number", "detail": "5000"}]
    assert d["quality"]["warnings"] == {"invented-number": 1}
    assert isinstance(pipe.summary_profile, Profile)


# -- folder runs and formatted documents ---------------------------------------------------------


def test_folder_journal_carries_quality_and_summary_line_totals(tmp_path, monkeypatch):
    docs = tmp_path / "in"
    docs.mkdir()
    (docs / "a.txt").write_text(LETTER, encoding="utf-8")
    (docs / "b.html").write_text("<html><body><p>Das <b>Jobcenter</b> zahlt 3,50 €.</p></body></html>", encoding="utf-8")
    out = tmp_path / "out"
    r = invoke("translate", str(docs), "-o", str(out), "--engine", "echo", "--source-lang", "de", "--no-memory",
               "--glossary", str(_glossary(tmp_path)), "-q")
    assert r.exit_code == 0, r.output
    lines = [json.loads(x) for x in (out / "summtrans-journal.jsonl").read_text().splitlines()]
    entries = {e["path"]: e for e in lines if "path" in e}
    assert entries["a.txt"]["quality"]["spans"]["checked"] >= len(SPANS)
    assert entries["b.html"]["quality"]["terms"]["checked"] == 1
    assert "job centre" in (out / "b.en.html").read_text(encoding="utf-8")

    report = BatchReport(wall_seconds=1.0, journal=out / "j")
    report.add_warnings([QualityWarning(0, "repetition", "x"), QualityWarning(2, "repetition", "y")])
    report.add_warnings([QualityWarning(None, "invented-number", "5")])
    report.add_warnings([])
    lines: list[str] = []
    monkeypatch.setattr(report_module, "log", _Collect(lines))
    log_summary(report)
    assert "3 quality warnings in 2 documents (repetition 2, invented-number 1)" in lines[0]


def test_formatted_document_record_has_warnings_and_quality(tmp_path):
    page = tmp_path / "seite.html"
    page.write_text("<html><body><p>Das <b>Jobcenter</b> zahlt am 15.03.2024.</p></body></html>", encoding="utf-8")
    r = invoke("translate", str(page), "--engine", "echo", "--source-lang", "de", "--no-memory", "-f", "json",
               "--glossary", str(_glossary(tmp_path)), "-q")
    assert r.exit_code == 0, r.output
    rec = json.loads(r.stdout)
    assert rec["format"] == "html" and rec["warnings"] == []
    assert rec["quality"]["terms"]["checked"] == 1 and rec["quality"]["segments"] >= 1


class _Collect:
    """A logger stand-in that keeps the formatted messages."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines

    def _keep(self, msg: str, *args: object) -> None:
        self.lines.append(msg % args)

    info = warning = error = _keep


def _glossary(tmp_path: Path) -> Path:
    g = tmp_path / "g.tsv"
    g.write_text("Jobcenter\tjob centre\n", encoding="utf-8")
    return g


# -- eval ----------------------------------------------------------------------------------------


def test_eval_command(tmp_path):
    hyp, ref, src = tmp_path / "hyp.txt", tmp_path / "ref.txt", tmp_path / "src.txt"
    hyp.write_text("A dog runs on the beach.\nTwo men play in the park for 3 hours.\n", encoding="utf-8")
    ref.write_text("A dog is running on the beach.\nTwo men play in the park for 3 hours.\n", encoding="utf-8")
    src.write_text("Ein Hund läuft am Strand.\nZwei Männer spielen 3 Stunden im Park.\n", encoding="utf-8")
    r = invoke("eval", str(hyp), "--ref", str(ref), "--src", str(src))
    assert r.exit_code == 0, r.output
    assert "BLEU" in r.stdout and "chrF" in r.stdout and "version:" in r.stdout and "numbers  1/1 kept" in r.stdout
    r = invoke("eval", str(hyp), "--ref", str(ref), "--kind", "summary", "-f", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert [s["name"] for s in data["scores"]] == ["ROUGE-1", "ROUGE-2", "ROUGE-L"] and data["lines"] == 2

    r = invoke("eval", str(hyp), "--ref", str(tmp_path / "nope.txt"))
    assert r.exit_code != 0 and r.output.strip() == f"Error: {tmp_path / 'nope.txt'}: file not found"
    short = tmp_path / "short.txt"
    short.write_text("One line.\n", encoding="utf-8")
    r = invoke("eval", str(hyp), "--ref", str(short))
    assert r.exit_code == 2 and len(r.output.strip().splitlines()) == 1 and "1 lines" in r.output


@pytest.mark.slow  # converts the tiny model to CTranslate2
def test_ctranslate2_engine_caps_each_batch(tiny_marian):
    from summtrans.engines import EngineOptions, load_engine

    engine = load_engine(str(tiny_marian), EngineOptions(engine="ctranslate2", compute_type="float32"))
    assert engine.caps_length
    texts = ["Ein Haus am See mit vielen Fenstern und einem Garten.", "Ein Haus."]
    free = GenerationOptions(num_beams=1, max_new_tokens=60)
    long = engine.generate(texts, free)
    short = engine.generate(texts, free.merged(max_length_factor=0.5, max_length_slack=0))
    assert all(len(s) < len(x) for s, x in zip(short, long))


def test_a_glossary_file_travels_to_workers_as_terms(tmp_path):
    from summtrans.pipeline import Pipeline

    g = tmp_path / "g.tsv"
    g.write_text("Jobcenter\tjob centre\nMüller\t\n", encoding="utf-8")
    pipe = Pipeline(PipelineOptions(engine="echo", source_lang="de", glossary=str(g), memory=False))
    g.unlink()  # a worker on another machine has no such file
    worker = Pipeline(pickle.loads(pickle.dumps(pipe.options)), pipe.config)
    assert worker.run([_doc("Das Jobcenter und Müller.")])[0].translation == "Das job centre und Müller."
    assert worker.settings() == pipe.settings()


@pytest.mark.slow  # the small real model from ../shared (skips without it)
def test_spans_survive_the_mini_model_through_the_cli(mini_marian, tmp_path):
    src = tmp_path / "brief.txt"
    src.write_text(LETTER, encoding="utf-8")
    cfg = tmp_path / "models.yaml"
    cfg.write_text(f"profiles:\n  mini:\n    task: translation\n    model: {mini_marian}\n    engine: ctranslate2\n"
                   "    generation: {num_beams: 2}\n", encoding="utf-8")
    r = invoke("translate", str(src), "--config", str(cfg), "--source-lang", "de", "--no-memory", "-f", "json", "-q")
    assert r.exit_code == 0, r.output
    rec = json.loads(r.stdout)
    for span in SPANS:
        assert span in rec["translation"], span
    assert "€1,250.50" in rec["translation"] and "€3.50" in rec["translation"]
    assert rec["quality"]["spans"]["missing"] == 0 and rec["quality"]["numbers"]["missing"] == 0
