"""The public Python API: importable without heavy modules, usable without the CLI."""

from __future__ import annotations

import subprocess
import sys

import summtrans
from summtrans import Pipeline, PipelineOptions, read_document
from summtrans.records import DocumentResult


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
    assert isinstance(rec, DocumentResult)
    assert rec.translation == "# Titel\n\nText mit `code` hier.\n"
    assert rec.summary == "# Titel Text mit `code` hier."  # echo "summarizes" the sentences, joined
    assert [s.source for s in rec.segments] == ["Titel", "Text mit `code` hier."]  # markdown: one sentence, one input
    assert rec.models["summary"] == "sshleifer/distilbart-cnn-12-6" and rec.summary_chunks == 1
    assert set(rec.timings) == {"translate", "summarize", "total"}
    d = rec.to_dict()  # the JSON schema of -f json
    assert list(d) == ["source", "source_lang", "encoding", "translation", "segments", "models", "timings",
                       "summary", "summary_chunks", "language", "memory", "warnings", "quality"]
    assert d["segments"][0] == {"source": "Titel", "translation": "Titel", "origin": "model"}
    assert d["memory"] == {"hits": 0, "imported": 0, "model": 2} and d["language"]["lang"] == "de"
    assert "translation" not in rec.to_dict(summary_only=True) and "segments" not in rec.to_dict(summary_only=True)
    assert pipe.settings()["summary"]["model"] == "sshleifer/distilbart-cnn-12-6"


def test_import_is_light():
    code = "import sys, summtrans; assert 'torch' not in sys.modules and 'transformers' not in sys.modules"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
