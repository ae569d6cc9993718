"""The public Python API: importable without heavy modules, usable without the CLI."""

from __future__ import annotations

import subprocess
import sys

import summtrans
from summtrans import Pipeline, PipelineOptions, read_document


def test_public_names_resolve():
    for name in summtrans.__all__:
        assert getattr(summtrans, name) is not None


def test_one_call_helpers_with_echo_engine():
    text = "Der Rat tagte. Er beschloss z. B. neue Radwege."
    assert summtrans.translate_text(text, engine="echo") == text
    assert summtrans.summarize_text(text, engine="echo", length="short") == text


def test_pipeline_records(tmp_path):
    p = tmp_path / "a.md"
    p.write_text("# Titel\n\nText mit `code` hier.\n", encoding="utf-8")
    pipe = Pipeline(PipelineOptions(task="summarize", engine="echo"))
    [rec] = pipe.run([read_document(p)])
    assert rec["translation"] == "# Titel\n\nText mit `code` hier.\n"
    assert [s["source"] for s in rec["segments"]] == ["Titel", "Text mit", "hier."]  # markdown by extension
    assert pipe.settings()["summary"]["model"] == "sshleifer/distilbart-cnn-12-6"


def test_import_is_light():
    code = "import sys, summtrans; assert 'torch' not in sys.modules and 'transformers' not in sys.modules"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
