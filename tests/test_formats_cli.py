"""Document formats end to end: the CLI and the Python API on docx, odt, odp, pptx, epub, html,
srt, vtt, pdf and a URL (echo engine and the tiny Marian), in single-file and folder runs."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from test_formats_office import MAKERS
from test_formats_subtitles import SRT, VTT, _cues
from test_formats_web import PAGE, server  # noqa: F401 (server: the local HTTP fixture)
from typer.testing import CliRunner

from summtrans.cli.app import app
from summtrans.formats import backend_for

runner = CliRunner()
OUTPUT_NAMES = {
    "docx": "brief.en.docx", "pptx": "brief.en.pptx", "odt": "brief.en.odt", "odp": "brief.en.odp",
    "epub": "brief.en.epub", "html": "brief.en.html", "srt": "brief.en.srt", "vtt": "brief.en.vtt", "pdf": "brief.en.pdf",
}


def invoke(*args: str):
    return runner.invoke(app, list(args))


def make_pdf() -> bytes:
    from test_formats_pdf import _letter

    return _letter()


def make(name: str) -> bytes:
    if name == "png":  # a photographed note, read by OCR
        from ocr_samples import png, render_lines

        return png(render_lines(["Bescheid über die Wohnung", "Betrag: 487,20 EUR"]))
    text = {"html": PAGE, "srt": SRT, "vtt": VTT}.get(name)
    if text is not None:
        return text.encode("utf-8")
    return make_pdf() if name == "pdf" else MAKERS[name]()


def units(name: str, data: bytes):
    return backend_for(f"x.{name}").read(data, f"x.{name}").units


def write_source(tmp_path: Path, name: str) -> Path:
    src = tmp_path / f"brief.{name}"
    src.write_bytes(make(name))
    os.utime(src, (1_000_000_000, 1_000_000_000))
    return src


def assert_untouched(src: Path, data: bytes) -> None:
    assert src.read_bytes() == data and src.stat().st_mtime == 1_000_000_000


@pytest.mark.parametrize("name", list(OUTPUT_NAMES))
def test_each_format_round_trips_through_the_cli_with_echo(tmp_path: Path, name: str) -> None:
    src = write_source(tmp_path, name)
    data = src.read_bytes()
    r = invoke("translate", str(src), "-o", f"{tmp_path}/out/", "--engine", "echo", "-q")
    assert r.exit_code == 0, r.output
    out = tmp_path / "out" / OUTPUT_NAMES[name]
    assert sorted(os.listdir(tmp_path / "out")) == [OUTPUT_NAMES[name]]
    # The translator folds whitespace inside a segment (a tab in a sentence comes back as a space).
    def seen(blob: bytes) -> list[tuple[str, str]]:
        return [(" ".join(u.text.split()), u.role) for u in units(name, blob)]

    assert seen(out.read_bytes()) == seen(data)
    assert_untouched(src, data)


@pytest.mark.slow
def test_each_format_is_translated_by_the_tiny_model_with_its_structure(tmp_path: Path, tiny_marian: Path) -> None:
    for name, output in OUTPUT_NAMES.items():
        if name == "pdf":
            continue  # laid out anew: checked below
        src = write_source(tmp_path, name)
        data = src.read_bytes()
        r = invoke("translate", str(src), "-o", f"{tmp_path}/out/", "-m", str(tiny_marian), "-q", "--no-memory")
        assert r.exit_code == 0, (name, r.output)
        translated = (tmp_path / "out" / output).read_bytes()
        if name in ("srt", "vtt"):  # same cues, numbering and timings, every cue's text changed
            old_cues, new_cues = _cues(backend_for(src), data), _cues(backend_for(src), translated)
            assert [c[:3] for c in new_cues] == [c[:3] for c in old_cues]
            assert all(n[3] != o[3] and n[3].strip() for n, o in zip(new_cues, old_cues))
            continue
        before, after = units(name, data), units(name, translated)
        assert [u.role for u in after] == [u.role for u in before], name  # paragraphs, cells, chapters
        for old, new in zip(before, after):
            if any(c.isalpha() for c in old.text):
                assert new.text.strip() and new.text != old.text, (name, old.text)
        assert_untouched(src, data)
    src = write_source(tmp_path, "pdf")
    r = invoke("translate", str(src), "-o", f"{tmp_path}/out/", "-m", str(tiny_marian), "-q", "--no-memory")
    assert r.exit_code == 0, r.output
    import pypdfium2 as pdfium

    def pages(blob: bytes) -> list[str]:
        doc = pdfium.PdfDocument(blob)
        return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]

    before, after = pages(src.read_bytes()), pages((tmp_path / "out" / "brief.en.pdf").read_bytes())
    assert len(after) == len(before) and all(a != b for a, b in zip(after, before))  # every page translated


def test_json_on_a_docx_has_format_text_segments_and_inline_counts(tmp_path: Path) -> None:
    src = write_source(tmp_path, "docx")
    r = invoke("translate", str(src), "-f", "json", "--engine", "echo", "-q")
    assert r.exit_code == 0, r.output
    rec = json.loads(r.stdout)
    assert rec["format"] == "docx" and rec["encoding"] is None
    assert rec["translation"].startswith("Ein Bericht über Wohnungen\n\nIch habe jedoch nur eine Wohnung")
    assert rec["inline"]["placed"] == 3 and rec["inline"]["dropped"] == 0  # bold, bold, link (echo)
    assert any(s["source"] == "Lesen Sie den Artikel bitte heute." for s in rec["segments"])
    # explicit formats give text files; stdout gets text by default
    assert invoke("translate", str(src), "-f", "text", "-o", f"{tmp_path}/t/", "--engine", "echo", "-q").exit_code == 0
    assert (tmp_path / "t" / "brief.en.txt").read_text(encoding="utf-8") == rec["translation"] + "\n"
    r = invoke("translate", str(src), "--engine", "echo", "-q")
    assert r.stdout == rec["translation"] + "\n"


def test_summarize_a_docx_and_a_pdf(tmp_path: Path) -> None:
    for name in ("docx", "pdf"):
        src = write_source(tmp_path, name)
        r = invoke("summarize", str(src), "-o", f"{tmp_path}/out/", "--engine", "echo", "-q")
        assert r.exit_code == 0, r.output
        text = (tmp_path / "out" / "brief.summary.md").read_text(encoding="utf-8")
        assert text.startswith(f"# {src}\n\n## Translation\n\n") and "\n## Summary\n\n" in text
        assert ("Wohnung" if name == "docx" else "Bescheid") in text.split("## Summary")[1]


def test_single_corrupt_or_encrypted_file_is_one_line_and_exit_1(tmp_path: Path) -> None:
    bad = tmp_path / "x.docx"
    bad.write_bytes(b"this is no zip at all")
    r = invoke("translate", str(bad), "--engine", "echo", "-q")
    assert r.exit_code == 1
    assert r.stderr.startswith(f"Error: {bad}: not a valid Word document (") and r.stderr.count("\n") == 1
    enc = tmp_path / "geheim.pdf"
    enc.write_bytes(encrypted_pdf())
    r = invoke("translate", str(enc), "--engine", "echo", "-q")
    assert (r.exit_code, r.stderr) == (1, f"Error: {enc}: encrypted PDF: a password is needed\n")


def encrypted_pdf() -> bytes:
    from test_formats_pdf import _lines, _pdf

    pdf = _pdf()
    pdf.add_page()
    _lines(pdf, 50, 100, ["Geheimer Text"])
    pdf.set_encryption(owner_password="owner", user_password="user")
    return bytes(pdf.output())


def test_folder_of_mixed_formats_journal_statuses_and_resume(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "notiz.txt").write_text("Ein kurzer Satz.\n", encoding="utf-8")
    for name in ("docx", "pptx", "srt", "html", "pdf"):
        (corpus / "sub" / f"brief.{name}").write_bytes(make(name))
    (corpus / "kaputt.docx").write_bytes(MAKERS["docx"]()[:500])
    (corpus / "geheim.pdf").write_bytes(encrypted_pdf())
    (corpus / "leer.docx").write_bytes(empty_docx())
    (corpus / "bild.png").write_bytes(b"\x89PNG\r\n\x1a\n")  # an image (read by OCR), but a broken one
    out = tmp_path / "out"
    r = invoke("translate", str(corpus), "-o", str(out), "--engine", "echo", "-q")
    assert r.exit_code == 1, r.output  # three documents failed, the run went on
    lines = [json.loads(x) for x in (out / "summtrans-journal.jsonl").read_text().splitlines()]
    entries = {e["path"]: e for e in lines if "path" in e}
    assert {k: (e["status"], e["format"]) for k, e in entries.items()} == {
        "notiz.txt": ("ok", None), "sub/brief.docx": ("ok", "docx"), "sub/brief.pptx": ("ok", "pptx"),
        "sub/brief.srt": ("ok", "srt"), "sub/brief.html": ("ok", "html"), "sub/brief.pdf": ("ok", "pdf"),
        "kaputt.docx": ("failed", "docx"), "geheim.pdf": ("failed", "pdf"), "leer.docx": ("skipped-no-text", "docx"),
        "bild.png": ("failed", "image"),
    }
    assert entries["geheim.pdf"]["error"] == "encrypted PDF: a password is needed"
    assert entries["sub/brief.docx"]["output"] == "sub/brief.en.docx"
    assert sorted(os.listdir(out / "sub")) == ["brief.en.docx", "brief.en.html", "brief.en.pdf", "brief.en.pptx", "brief.en.srt"]
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if not p.name.startswith(".")}
    r = invoke("translate", str(corpus), "-o", str(out), "--engine", "echo", "-q")
    assert r.exit_code == 1  # the same three failures, reported again
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if not p.name.startswith(".")} == before  # nothing redone, nothing written
    r = invoke("translate", str(corpus), "-o", f"{tmp_path}/only", "--glob", "*.srt", "--engine", "echo", "-q")
    assert r.exit_code == 0 and sorted(p.name for p in (tmp_path / "only").rglob("*.srt")) == ["brief.en.srt"]


def empty_docx() -> bytes:
    import io

    import docx

    buf = io.BytesIO()
    docx.Document().save(buf)
    return buf.getvalue()


def test_url_input_is_fetched_and_written_as_markdown(tmp_path: Path, server: str) -> None:  # noqa: F811
    pytest.importorskip("trafilatura")
    url = server + "/news/mieter-regeln.html"
    r = invoke("translate", url, "-o", f"{tmp_path}/out/", "--engine", "echo", "-q")
    assert r.exit_code == 0, r.output
    text = (tmp_path / "out" / "mieter-regeln.en.md").read_text(encoding="utf-8")
    assert text.startswith("# Neue Regeln für Mieter") and "Impressum" not in text
    r = invoke("translate", server + "/image.png", "--engine", "echo", "-q")
    assert (r.exit_code, r.stderr) == (1, f"Error: {server}/image.png: not an HTML page (content type image/png)\n")
    # beside a file in a folder run: fetched, journaled under its URL, named by its last path segment
    src = write_source(tmp_path, "srt")
    r = invoke("translate", url, str(src), server + "/image.png", "-o", f"{tmp_path}/run", "--engine", "echo", "-q")
    assert r.exit_code == 1, r.output
    assert sorted(n for n in os.listdir(tmp_path / "run") if n[0] != ".") == ["brief.en.srt", "mieter-regeln.en.md", "summtrans-journal.jsonl"]
    journal = [json.loads(x) for x in (tmp_path / "run" / "summtrans-journal.jsonl").read_text().splitlines()]
    entries = {e["path"]: e for e in journal if "path" in e}
    assert (entries[url]["status"], entries[url]["format"], entries[url]["output"]) == ("ok", "url", "mieter-regeln.en.md")
    assert entries[server + "/image.png"]["status"] == "failed"


def test_segment_shows_units_with_roles_and_spans(tmp_path: Path) -> None:
    src = write_source(tmp_path, "docx")
    r = invoke("segment", str(src), "-f", "json")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert rows[0]["role"] == "heading" and rows[0]["text"] == "Ein Bericht über Wohnungen"
    link = next(s for row in rows for s in row["spans"] if s["link"])
    assert link == {"start": 10, "end": 21, "text": "den Artikel", "link": "https://example.org/artikel"}
    r = invoke("segment", str(src))
    assert "    1 paragraph  Ich habe jedoch nur eine Wohnung gefunden" in r.stdout


def test_python_api_and_a_pickled_document(tmp_path: Path) -> None:
    from summtrans import Pipeline, PipelineOptions, read_document

    src = write_source(tmp_path, "docx")
    doc = read_document(src)
    assert doc.format == "docx" and doc.extracted is not None and "Wohnung" in doc.text
    shipped = pickle.loads(pickle.dumps(doc))  # what a Ray worker receives: bytes, no parsed tree
    assert shipped.extracted is None and shipped.data == doc.data
    pipe = Pipeline(PipelineOptions(engine="echo", memory=False))
    here, there = pipe.run([doc]), pipe.run([shipped])
    assert here[0].output_bytes == there[0].output_bytes and here[0].format == "docx"
    assert [u.text for u in units("docx", here[0].output_bytes)] == [u.text for u in units("docx", src.read_bytes())]


FORMAT_LIBRARIES = (
    "docx", "pptx", "bs4", "pypdfium2", "trafilatura", "lxml", "ebooklib", "webvtt", "srt", "markdown_it", "mdit_py_plugins",
)


@pytest.mark.parametrize("argv", [["--help"], ["translate", "{file}", "--engine", "echo", "-q", "--no-memory"]])
def test_help_and_text_runs_import_no_format_library(tmp_path: Path, argv: list[str]) -> None:
    f = tmp_path / "a.txt"
    f.write_text("Ein Satz.", encoding="utf-8")
    argv = [a.format(file=f) for a in argv]
    code = (
        "import sys\nfrom summtrans.cli.app import app\n"
        f"try:\n    app({argv!r})\nexcept SystemExit as e:\n    assert e.code in (0, None), e.code\n"
        f"loaded = [m for m in {FORMAT_LIBRARIES + ('torch', 'transformers', 'ctranslate2')!r} if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_ray_run_of_formatted_documents_equals_local(tmp_path: Path) -> None:
    """Documents travel to Ray workers as bytes (no parsed tree), results come back as bytes."""
    pytest.importorskip("ray")
    import logging

    import ray
    from test_ray import comparable, echo_pipeline, ray_executor_for, tree_bytes

    from summtrans.batch import BatchOptions, run_batch

    inp = tmp_path / "in"
    inp.mkdir()
    for name in ("docx", "odt", "epub", "srt", "pdf"):
        (inp / f"brief.{name}").write_bytes(make(name))
    (inp / "kaputt.docx").write_bytes(b"no zip")
    (inp / "leer.docx").write_bytes(empty_docx())
    options = dict(group_docs=2, quiet=True)
    local = run_batch([inp], echo_pipeline(memory=False), BatchOptions(output_dir=tmp_path / "local", **options))
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
    try:
        pipe = echo_pipeline(memory=False)
        remote = run_batch([inp], pipe, BatchOptions(output_dir=tmp_path / "ray", **options), ray_executor_for(pipe))
    finally:
        ray.shutdown()
    assert (remote.exit_code, remote.counts) == (local.exit_code, local.counts)
    assert (local.counts["ok"], local.counts["failed"], local.counts["skipped-no-text"]) == (5, 1, 1)
    assert tree_bytes(tmp_path / "ray") == tree_bytes(tmp_path / "local")
    assert comparable(tmp_path / "ray") == comparable(tmp_path / "local")
