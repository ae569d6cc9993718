"""The CLI, through Typer's CliRunner: exit codes, error text, JSON schema, lazy imports."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from helpers import install_in_hub_cache
from typer.testing import CliRunner

from summtrans.cli.app import app

runner = CliRunner()
GERMAN = "Der Rat hat am 3. Oktober getagt. Dr. Müller sprach z. B. über Radwege.\n\nEin zweiter Absatz.\n"


def invoke(*args, input=None):
    return runner.invoke(app, list(args), input=input)


def test_translate_stdin_echo_is_exact():
    r = invoke("translate", "-", "--engine", "echo", "-q", input=GERMAN)
    assert r.exit_code == 0, r.output
    assert r.stdout == GERMAN


def test_translate_json_schema(tmp_path):
    src = tmp_path / "bericht.txt"
    src.write_text(GERMAN, encoding="utf-8")
    r = invoke("translate", str(src), "--engine", "echo", "--format", "json", "-q")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["source"] == str(src) and data["source_lang"] == "de"
    assert data["translation"] == GERMAN
    assert [s["source"] for s in data["segments"]] == [
        "Der Rat hat am 3. Oktober getagt.",
        "Dr. Müller sprach z. B. über Radwege.",
        "Ein zweiter Absatz.",
    ]
    assert all(set(s) >= {"source", "translation"} for s in data["segments"])
    assert data["models"] == {"translation": "Helsinki-NLP/opus-mt-de-en", "summary": None}
    assert set(data["timings"]) >= {"translate", "total"}


def test_summarize_formats(tmp_path):
    src = tmp_path / "b.txt"
    src.write_text(GERMAN, encoding="utf-8")
    r = invoke("summarize", str(src), "--engine", "echo", "-q")
    assert r.exit_code == 0, r.output
    assert "== Translation ==" in r.stdout and "== Summary ==" in r.stdout
    r = invoke("summarize", str(src), "--engine", "echo", "-q", "--summary-only")
    assert "== Translation ==" not in r.stdout and r.stdout.strip() == " ".join(GERMAN.split())
    r = invoke("summarize", str(src), "--engine", "echo", "-q", "--format", "jsonl", "--source-lang", "en")
    data = json.loads(r.stdout)
    assert data["translation"] is None and data["source_lang"] == "en"
    assert data["summary"] == " ".join(GERMAN.split())  # echo: the input itself, whitespace folded
    assert data["models"]["summary"] == "sshleifer/distilbart-cnn-12-6"
    r = invoke("summarize", str(src), "--engine", "echo", "-q", "--format", "markdown", "--length", "short")
    assert r.exit_code == 0, r.output
    translation, summary = r.stdout.split("## Summary")
    assert "## Translation" in translation and "Dr. Müller sprach z. B. über Radwege." in translation
    assert summary.strip() == " ".join(GERMAN.split())


def test_several_files_to_stdout(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("Erster Text.", encoding="utf-8")
    b.write_text("Zweiter Text.", encoding="utf-8")
    r = invoke("translate", str(a), str(b), "--engine", "echo", "-q", "-f", "jsonl")
    assert r.exit_code == 0
    assert [json.loads(line)["translation"] for line in r.stdout.splitlines()] == ["Erster Text.", "Zweiter Text."]


def test_output_file_and_dir(tmp_path):
    src = tmp_path / "bericht.txt"
    src.write_text(GERMAN, encoding="utf-8")
    out = tmp_path / "out.txt"
    assert invoke("translate", str(src), "-o", str(out), "--engine", "echo", "-q").exit_code == 0
    assert out.read_text(encoding="utf-8") == GERMAN
    d = tmp_path / "outdir"
    d.mkdir()
    assert invoke("summarize", str(src), "-o", str(d), "--engine", "echo", "-q", "--summary-only").exit_code == 0
    assert (d / "bericht.summary.txt").read_text(encoding="utf-8").strip() == " ".join(GERMAN.split())
    assert [p.name for p in d.iterdir()] == ["bericht.summary.txt"]  # no temporaries left


@pytest.mark.parametrize(
    "content, expected",
    [(None, "no such file"), (b"", "empty document"), (b"  \n\t\n", "empty document"), (b"PK\x03\x04\x00\x00", "binary file")],
)
def test_bad_input_is_one_line_error(tmp_path, content, expected):
    path = tmp_path / "doc.txt"
    if content is not None:
        path.write_bytes(content)
    r = invoke("translate", str(path), "--engine", "echo")
    assert r.exit_code == 1
    assert r.stderr.strip() == f"Error: {path}: {expected}" or (
        r.stderr.startswith(f"Error: {path}: {expected}") and r.stderr.count("\n") == 1
    )
    assert "Traceback" not in r.output and r.stdout == ""


def test_debug_shows_the_exception(tmp_path):
    r = invoke("translate", str(tmp_path / "missing.txt"), "--debug")
    assert r.exit_code != 0 and type(r.exception).__name__ == "InputError"


def test_usage_errors_exit_2(tmp_path):
    src = tmp_path / "a.txt"
    src.write_text("Hallo Welt.", encoding="utf-8")
    r = invoke("translate", str(src), "--format", "xml")
    assert r.exit_code == 2
    r = invoke("translate", str(src), "--model", "nosuchprofile")
    assert r.exit_code == 2 and "unknown translation profile 'nosuchprofile' (known: opus-mt-de-en)" in r.stderr
    r = invoke("translate", str(tmp_path), "--engine", "echo")
    assert r.exit_code == 2 and "is a folder: name an output folder with -o OUTDIR" in r.stderr
    bad = tmp_path / "models.yaml"
    bad.write_text("profiles:\n  x:\n    task: translation\n    model: m\n    beams: 3\n", encoding="utf-8")
    r = invoke("translate", str(src), "--config", str(bad))
    assert r.exit_code == 2 and "profiles.x.beams" in r.stderr and str(bad) in r.stderr


def test_offline_uncached_model_is_a_clear_error(tmp_path):
    src = tmp_path / "a.txt"
    src.write_text("Hallo Welt.", encoding="utf-8")
    r = invoke("translate", str(src), "--engine", "transformers")
    assert r.exit_code == 2
    line = r.stderr.strip().splitlines()[-1]
    assert line.startswith("Error: model 'Helsinki-NLP/opus-mt-de-en' is not in the local cache")
    assert "Traceback" not in r.output


def test_real_tiny_model_through_cli(tiny_marian, tmp_path):
    src = tmp_path / "a.txt"
    src.write_text("Das ist ein Haus.\n\nDer Hund läuft schnell.", encoding="utf-8")
    cfg = tmp_path / "models.yaml"
    cfg.write_text(
        f"profiles:\n  tiny:\n    task: translation\n    model: {tiny_marian}\n"
        "    generation: {max_new_tokens: 8}\n",
        encoding="utf-8",
    )
    r = invoke("translate", str(src), "--config", str(cfg), "--engine", "transformers", "--num-beams", "1",
               "-f", "json", "-q")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["models"]["translation"] == str(tiny_marian)  # the default profile of --config
    assert len(data["segments"]) == 2 and data["translation"].count("\n\n") == 1


def test_segment_command_offsets(tmp_path):
    src = tmp_path / "a.txt"
    text = "Überschrift\n\nDer 3. Oktober ist ein Feiertag. Siehe www.example.de/a.html für mehr.\n- ein Punkt\n"  # noqa
    src.write_text(text, encoding="utf-8")
    r = invoke("segment", str(src), "--format", "json")
    assert r.exit_code == 0, r.output
    segs = json.loads(r.stdout)
    assert [s["text"] for s in segs] == [
        "Überschrift",
        "Der 3. Oktober ist ein Feiertag.",
        "Siehe www.example.de/a.html für mehr.",
        "ein Punkt",
    ]
    assert [s["kind"] for s in segs][0] == "heading" and segs[-1]["kind"] == "list_item"
    pos = 0
    for s in segs:
        assert text[s["start"] : s["end"]] == s["text"] and text[pos : s["start"]].strip() in ("", "-")
        pos = s["end"]


def test_models_list_shows_cache_state(tiny_marian, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))

    def status():
        r = invoke("models", "list", "--format", "json")
        assert r.exit_code == 0, r.output
        return next(m for m in json.loads(r.stdout)["models"] if m["profile"] == "opus-mt-de-en")

    before = status()
    assert before["model"] == "Helsinki-NLP/opus-mt-de-en" and before["default"] and before["task"] == "translation"
    assert not before["downloaded"] and before["commit"] is None and before["size_bytes"] == 0
    install_in_hub_cache(tiny_marian, tmp_path / "hf", "Helsinki-NLP/opus-mt-de-en")
    after = status()
    assert after["downloaded"] and after["commit"] and after["size_bytes"] > 0
    text = invoke("models", "list").stdout  # the table names the commit in the row of the profile
    row = next(x for x in text.splitlines() if x.startswith("opus-mt-de-en *"))
    assert after["commit"][:12] in row and " yes " in row


def test_choices_and_commands_come_from_the_library():
    from summtrans import engines, pipeline, writers
    from summtrans.cli import app as cli
    from summtrans.cli import options
    from summtrans.models import config

    def values(choice):
        return [c.value for c in choice]

    assert values(options.Format) == list(writers.FORMATS)
    assert values(options.EngineName) == list(engines.ENGINES) and values(options.Device) == list(engines.DEVICES)
    assert values(options.Length) == list(config.LENGTHS) and values(options.Lang) == list(config.SOURCE_LANGS)
    assert values(options.ComputeType) == list(config.COMPUTE_TYPES)
    commands = {c.name or c.callback.__name__ for c in cli.app.registered_commands}
    assert set(pipeline.TASKS) <= commands


@pytest.mark.parametrize("argv", [["--help"], ["segment", "{file}"], ["models", "list"], ["translate", "--help"]])
def test_light_commands_import_no_torch(tmp_path, argv):
    f = tmp_path / "a.txt"
    f.write_text("Ein Satz.", encoding="utf-8")
    argv = [a.format(file=f) for a in argv]
    code = (
        "import sys\nfrom summtrans.cli.app import app\n"
        f"try:\n    app({argv!r})\nexcept SystemExit as e:\n    assert e.code in (0, None), e.code\n"
        "heavy = [m for m in ('torch', 'transformers', 'ctranslate2', 'numpy') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_every_command_module_ends_errors_the_same_way(capsys):
    import typer

    from summtrans.cli import app as cli
    from summtrans.cli import memory as cli_memory
    from summtrans.cli import models as cli_models
    from summtrans.cli.errors import fail
    from summtrans.errors import UsageError

    assert cli.fail is cli_memory.fail is cli_models.fail is fail  # one definition, not a copy per module
    assert not any(hasattr(m, "_fail") for m in (cli, cli_memory, cli_models))
    with pytest.raises(typer.Exit) as info:
        fail(UsageError("a.txt: no such option"), debug=False)
    assert info.value.exit_code == 2 and capsys.readouterr().err == "Error: a.txt: no such option\n"
    with pytest.raises(typer.Exit) as info:
        fail(OSError("disk full"), debug=False)
    assert info.value.exit_code == 1
    with pytest.raises(UsageError):  # --debug: the traceback
        fail(UsageError("x"), debug=True)
