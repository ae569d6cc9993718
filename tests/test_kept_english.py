"""English paragraphs inside German documents are kept as they are, in every format: detected per
unit, never sent to the model, counted in the record and the quality block."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import summtrans.pipeline as pipeline_module
from summtrans.cli.app import app
from summtrans.engines.base import EchoEngine

runner = CliRunner()

GERMAN = [
    "Der Gemeinderat hat am Montagabend den Haushalt für das kommende Jahr beschlossen.",
    "Die Ausgaben für Schulen und Kindergärten steigen deutlich, während bei der Verwaltung gespart wird.",
    "Ein Mann mit einem orangefarbenen Hut starrt auf etwas.",
]
ENGLISH = [
    "Decide whether you want to respond to ping and traceroute requests from the internet.",
    "The firewall blocks every incoming connection unless a rule explicitly allows it.",
]


def docx_bytes() -> bytes:
    import docx

    doc = docx.Document()
    doc.add_heading("Hinweise zur Einrichtung", level=1)
    for text in (GERMAN[0], ENGLISH[0], GERMAN[1], ENGLISH[1], GERMAN[2]):
        doc.add_paragraph(text)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def html_bytes() -> bytes:
    body = "".join(f"<p>{t}</p>" for t in (GERMAN[0], ENGLISH[0], GERMAN[1])) + f"<div><p>{ENGLISH[1]}</p></div>"
    return f"<!doctype html><html lang=de><head><title>Hinweise</title></head><body>{body}<p>{GERMAN[2]}</p></body></html>".encode()


def pdf_bytes() -> bytes:
    from test_formats_pdf import _pdf

    pdf = _pdf()
    pdf.add_page()
    pdf.set_font("dv", size=11)
    y = 80
    for text in (GERMAN[0], ENGLISH[0], GERMAN[1]):  # one paragraph each, set apart as paragraphs are
        pdf.text(50, y, text)
        y += 40
    pdf.add_page()  # a page in English only
    pdf.text(50, 80, ENGLISH[1])
    pdf.text(50, 120, GERMAN[2])
    return bytes(pdf.output())


MAKERS = {"docx": docx_bytes, "html": html_bytes, "pdf": pdf_bytes}


class Recorder:
    """The pipeline's engine: records every model input, answers "EN: …"."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.inputs: list[str] = []
        outer = self

        class Engine(EchoEngine):
            def generate(self, texts, options, progress=None):
                outer.inputs += texts
                return [f"EN: {t}" for t in super().generate(texts, options, progress)]

        monkeypatch.setattr(pipeline_module, "load_engine", lambda model, options: Engine(model))


def kept_origins(record: dict) -> list[str]:
    return [s["source"] for s in record["segments"] if s["origin"] == "kept-english"]


@pytest.mark.parametrize("fmt", list(MAKERS))
def test_english_paragraphs_never_reach_the_model(tmp_path: Path, monkeypatch, fmt: str) -> None:
    rec = Recorder(monkeypatch)
    src = tmp_path / f"hinweise.{fmt}"
    src.write_bytes(MAKERS[fmt]())
    r = runner.invoke(app, ["translate", str(src), "--engine", "echo", "--no-memory", "-q", "-f", "json", "--no-protect"])
    assert r.exit_code == 0, r.output
    record = json.loads(r.stdout)
    assert kept_origins(record) == ENGLISH  # each English paragraph, and only those
    assert record["quality"]["kept_english"] == 2
    assert not any("firewall" in t or "traceroute" in t for t in rec.inputs)
    for german in GERMAN:
        assert any(german in t for t in rec.inputs), german
    for english in ENGLISH:
        assert english in record["translation"]


@pytest.mark.slow
@pytest.mark.parametrize("fmt", list(MAKERS))
def test_english_paragraphs_survive_the_small_model(tmp_path: Path, mini_marian: Path, fmt: str) -> None:
    src = tmp_path / f"hinweise.{fmt}"
    src.write_bytes(MAKERS[fmt]())
    out = tmp_path / "out"
    r = runner.invoke(app, ["translate", str(src), "-m", str(mini_marian), "--engine", "ctranslate2", "--no-memory",
                            "-q", "-o", f"{out}/"])
    assert r.exit_code == 0, r.output
    [written] = list(out.iterdir())
    data = written.read_bytes()
    if fmt == "docx":
        import docx

        text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    elif fmt == "pdf":  # the PDF's text layer, lines joined
        import pypdfium2 as pdfium

        doc = pdfium.PdfDocument(data)
        text = " ".join(" ".join(doc[i].get_textpage().get_text_range().split()) for i in range(len(doc)))
    else:
        text = data.decode("utf-8")
    for english in ENGLISH:
        assert english in text  # not "Decideeee, your to safe, boute."
    assert "Gemeinderat" not in text and "orangefarbenen" not in text  # the German was translated
