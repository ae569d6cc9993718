"""Regression tests for bad configuration (real subprocesses) and bad model references (CliRunner).

Each case must end with exit code 2 and exactly one `Error: …` line on stderr, no traceback.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summtrans.cli.app import app

GOOD_YAML = "profiles:\n  opus-mt-de-en:\n    task: translation\n    model: Helsinki-NLP/opus-mt-de-en\n"


def summtrans(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "summtrans", *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def in_process(*args: str) -> subprocess.CompletedProcess[str]:
    r = CliRunner().invoke(app, list(args))
    return subprocess.CompletedProcess(args, r.exit_code, r.stdout, r.stderr)


def one_error_line(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), proc.stderr
    return lines[0]


@pytest.fixture
def doc(tmp_path: Path) -> Path:
    path = tmp_path / "bericht.txt"
    path.write_text("Der Rat hat getagt.\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("command", [["models", "list"], ["translate", "{doc}", "--engine", "echo"]])
def test_models_yaml_not_utf8(tmp_path, doc, command):
    cfg = tmp_path / "models.yaml"
    data = (GOOD_YAML + "    description: Übersetzer für Grüße\n").encode("latin-1")
    cfg.write_bytes(data)
    line = one_error_line(summtrans(*[a.format(doc=doc) for a in command], "--config", str(cfg), cwd=tmp_path))
    assert line == f"Error: {cfg}: not UTF-8 text (byte 0xdc at offset {data.index(0xDC)}); save it as UTF-8"


@pytest.mark.parametrize("command", [["models", "list"], ["translate", "{doc}", "--engine", "echo"]])
def test_models_yaml_duplicate_key(tmp_path, doc, command):
    cfg = tmp_path / "models.yaml"
    cfg.write_text(GOOD_YAML + "    model: Helsinki-NLP/opus-mt-de-fr\n", encoding="utf-8")
    line = one_error_line(summtrans(*[a.format(doc=doc) for a in command], "--config", str(cfg), cwd=tmp_path))
    assert line == f"Error: {cfg}: profiles.opus-mt-de-en.model: duplicate key (lines 4 and 5); each key may appear once"


def test_empty_model_is_a_usage_error(tmp_path, doc):
    line = one_error_line(in_process("translate", str(doc), "-m", ""))
    assert line.startswith("Error: empty model name")


def test_mistyped_profile_lists_known_profiles(tmp_path, doc):
    line = one_error_line(in_process("translate", str(doc), "-m", "opus-mt-de-enn"))
    assert line.startswith("Error: unknown translation profile 'opus-mt-de-enn' (known: opus-mt-de-en)")
    assert "not in the local cache" not in line  # the hub is not tried for a name like this


def test_local_model_dir_without_weights_or_tokenizer(tmp_path, doc):
    model = tmp_path / "my-model"
    model.mkdir()
    (model / "config.json").write_text('{"model_type": "marian"}', encoding="utf-8")
    (model / "vocab.json").write_text("{}", encoding="utf-8")
    line = one_error_line(in_process("translate", str(doc), "-m", str(model), "--engine", "transformers", "-q"))
    assert line == f"Error: model directory {model} has a config.json but no weights (*.safetensors or pytorch_model*.bin)"
