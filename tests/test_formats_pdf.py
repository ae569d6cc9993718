"""PDF backend: text layer → paragraphs/markdown; bad PDFs each with their one-line error."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
from pathlib import Path

import pytest

pytest.importorskip("pypdfium2")
fpdf = pytest.importorskip("fpdf")

from summtrans.errors import InputError
from summtrans.faithful.quality import QualityWarning
from summtrans.formats.base import Unit
from summtrans.formats.pdf import PdfBackend


def _font() -> str:
    if shutil.which("fc-match") is None:
        pytest.skip("fc-match (fontconfig) not installed")
    path = subprocess.run(["fc-match", "-f", "%{file}", "DejaVuSans"], capture_output=True, text=True).stdout
    if not path or "DejaVuSans" not in Path(path).name or not Path(path).is_file():
        pytest.skip("DejaVuSans TTF not installed")
    return path


def _pdf() -> fpdf.FPDF:
    pdf = fpdf.FPDF(format="A4", unit="pt")  # 595 x 842 pt
    pdf.add_font("dv", "", _font())
    pdf.set_auto_page_break(False)
    return pdf


def _page(pdf: fpdf.FPDF, number: int, total: int) -> None:
    pdf.add_page()
    pdf.set_font("dv", size=8)
    pdf.text(50, 30, "Jobcenter Berlin Mitte – Bescheid vom 3. März 2024")  # running header
    pdf.text(280, 820, f"Seite {number} von {total}")  # page number


def _lines(pdf: fpdf.FPDF, x: float, y: float, rows: list[str], size: float = 11, lead: float = 14) -> float:
    pdf.set_font("dv", size=size)
    for row in rows:
        if row:
            pdf.text(x, y, row)
        y += lead
    return y


def _letter() -> bytes:
    pdf = _pdf()
    _page(pdf, 1, 3)
    y = _lines(pdf, 50, 80, ["Bescheid über Leistungen"], size=20, lead=30)
    y = _lines(pdf, 50, y, ["Anlage zum Antrag"], size=15, lead=24)
    rows = [
        "Sehr geehrte Frau Müller, mit diesem Schreiben teilen wir Ihnen mit, dass die",
        "Verein-",
        "barung vom 1. Januar weiter gilt. Die Leistungen werden monatlich im Vor-",
        "aus gezahlt. Wir erklären Ihnen die Vor-",
        "und Nachteile der Max-",
        "Planck-Regel.",
    ]
    _lines(pdf, 50, y, rows)
    last = "bis zum Ende der Seite und geht auf der nächsten Seite weiter, ohne Vereins-"
    _lines(pdf, 50, 776, ["Ein zweiter Absatz beginnt hier und läuft", last])  # bottom margin, not repeated: kept
    _page(pdf, 2, 3)
    y = _lines(pdf, 50, 80, ["abstand zu halten. Hier endet er.", "", "• Erster Punkt der Liste", "• Zweiter Punkt"])
    _page(pdf, 3, 3)
    y = _lines(pdf, 50, 80, ["Zwei Spalten"], size=15, lead=24)
    left = [
        "Die linke Spalte beginnt mit diesem",
        "langen Satz, der über mehrere Zeilen",
        "der Spalte läuft und erst ganz unten",
        "hier endet.",
    ]
    right = [
        "Die rechte Spalte folgt erst danach",
        "und hat einen eigenen Absatz, der so",
        "lang ist wie der in der linken Spalte",
        "und hier endet.",
    ]
    pdf.set_font("dv", size=11)
    for i, (a, b) in enumerate(zip(left, right)):
        pdf.text(50, y + i * 14, a)
        pdf.text(320, y + i * 14, b)
    _lines(pdf, 50, y + 5 * 14, ["Unter den Spalten steht ein Satz über die ganze Breite der Seite hinweg."])
    pdf.set_title("Microsoft Word - Bescheid.docx")
    return bytes(pdf.output())


EXPECTED = """# Bescheid über Leistungen

## Anlage zum Antrag

Sehr geehrte Frau Müller, mit diesem Schreiben teilen wir Ihnen mit, dass die Vereinbarung vom 1. Januar weiter gilt. Die Leistungen werden monatlich im Voraus gezahlt. Wir erklären Ihnen die Vor- und Nachteile der Max-Planck-Regel.

Ein zweiter Absatz beginnt hier und läuft bis zum Ende der Seite und geht auf der nächsten Seite weiter, ohne Vereinsabstand zu halten. Hier endet er.

- Erster Punkt der Liste

- Zweiter Punkt

## Zwei Spalten

Die linke Spalte beginnt mit diesem langen Satz, der über mehrere Zeilen der Spalte läuft und erst ganz unten hier endet.

Die rechte Spalte folgt erst danach und hat einen eigenen Absatz, der so lang ist wie der in der linken Spalte und hier endet.

Unter den Spalten steht ein Satz über die ganze Breite der Seite hinweg."""


@pytest.fixture(scope="module")
def letter() -> bytes:
    return _letter()


def test_pdf_markdown_rebuilt(letter: bytes) -> None:
    ex = PdfBackend().read(letter, "bescheid.pdf")
    assert ex.markdown == EXPECTED
    assert ex.title == "Bescheid über Leistungen"
    assert [u.role for u in ex.units][:3] == ["heading", "heading", "paragraph"]
    assert ex.units[4].text == "Erster Punkt der Liste"  # the bullet goes to the markdown prefix
    assert PdfBackend().to_text(ex) == EXPECTED
    for furniture in ("Jobcenter Berlin Mitte", "Seite 1", "von 3"):
        assert furniture not in ex.markdown


def test_pdf_round_trips(letter: bytes) -> None:
    backend = PdfBackend()
    ex = backend.read(letter, "bescheid.pdf")
    assert backend.write(ex, list(ex.units)) == letter  # nothing to change: the PDF as it was
    upper = [Unit(u.text.upper(), role=u.role) for u in ex.units]
    assert backend.to_text(dataclasses.replace(ex, units=upper, markdown=None)) == EXPECTED.upper()
    assert backend.output_suffix == ".pdf"


def test_pdf_single_page_keeps_lines_in_margins_that_do_not_repeat() -> None:
    pdf = _pdf()
    pdf.add_page()
    _lines(pdf, 50, 30, ["Absender: Stadtwerke Köln, Postfach 1, 50667 Köln"], size=8)
    _lines(pdf, 50, 100, ["Ihre Rechnung ist da.", "Bitte zahlen Sie bis Freitag."])
    _lines(pdf, 290, 820, ["3"], size=8)
    ex = PdfBackend().read(bytes(pdf.output()), "r.pdf")
    # The sender line stays (it is not repeated); a sentence ending far short of the right edge ends
    # its paragraph.
    assert ex.markdown == (
        "Absender: Stadtwerke Köln, Postfach 1, 50667 Köln\n\nIhre Rechnung ist da.\n\nBitte zahlen Sie bis Freitag."
    )


def test_pdf_encrypted() -> None:
    pdf = _pdf()
    pdf.add_page()
    _lines(pdf, 50, 100, ["Geheimer Text"])
    pdf.set_encryption(owner_password="owner", user_password="user")
    with pytest.raises(InputError) as info:
        PdfBackend().read(bytes(pdf.output()), "geheim.pdf")
    assert str(info.value) == "geheim.pdf: encrypted PDF: a password is needed"
    assert info.value.reason == "failed"


def test_pdf_with_owner_password_only_opens() -> None:
    pdf = _pdf()
    pdf.add_page()
    _lines(pdf, 50, 100, ["Nur der Besitzer darf drucken."])
    pdf.set_encryption(owner_password="owner")
    assert PdfBackend().read(bytes(pdf.output()), "o.pdf").markdown == "Nur der Besitzer darf drucken."


def _scan_page(pdf: fpdf.FPDF) -> None:
    from PIL import Image

    pdf.add_page()
    pdf.image(Image.new("RGB", (60, 60), "gray"), x=10, y=10, w=200)


def test_pdf_pages_without_text_are_warned_about() -> None:
    pdf = _pdf()
    pdf.add_page()
    _lines(pdf, 50, 100, ["Seite eins hat Text."])
    _scan_page(pdf)
    pdf.add_page()  # blank: nothing to read, nothing to warn about
    pdf.add_page()
    _lines(pdf, 50, 100, ["Seite vier hat auch Text."])
    _scan_page(pdf)
    ex = PdfBackend().read(bytes(pdf.output()), "teils.pdf")
    assert ex.markdown == "Seite eins hat Text.\n\nSeite vier hat auch Text."
    assert ex.warnings == (
        QualityWarning(None, "page-without-text", "page 2 of 5"),
        QualityWarning(None, "page-without-text", "page 5 of 5"),
    )
    assert PdfBackend().read(_letter(), "b.pdf").warnings == ()


def test_pdf_without_text_layer() -> None:
    from PIL import Image

    pdf = _pdf()
    pdf.add_page()
    pdf.image(Image.new("RGB", (60, 60), "white"), x=10, y=10, w=200)
    with pytest.raises(InputError) as info:
        PdfBackend().read(bytes(pdf.output()), "scan.pdf")
    assert str(info.value) == "scan.pdf: no text layer, and no text found by OCR (not a document?)"
    assert info.value.reason == "skipped-no-text"


@pytest.mark.parametrize(
    ("mangle", "message"),
    [
        (lambda d: d[: len(d) // 2], "truncated PDF (no end-of-file marker)"),
        (lambda d: b"%PDF-1.4\n" + b"\x00garbage" * 100 + b"\n%%EOF\n", "corrupt PDF (Data format error)"),
        (lambda d: b"PK\x03\x04 not a pdf at all", "not a PDF file (no %PDF header)"),
    ],
)
def test_pdf_broken(letter: bytes, mangle, message: str) -> None:
    with pytest.raises(InputError) as info:
        PdfBackend().read(mangle(letter), "kaputt.pdf")
    assert str(info.value) == f"kaputt.pdf: {message}"


def test_pdf_repeated_heading_in_the_margin_is_content() -> None:
    pdf = _pdf()
    for n in (1, 2, 3):
        _page(pdf, n, 3)
        _lines(pdf, 50, 60, [f"Kapitel {n}"], size=16)  # top margin, repeats (digits aside), heading size
        _lines(pdf, 50, 120, [f"Der Text von Kapitel {n} steht hier."])
    ex = PdfBackend().read(bytes(pdf.output()), "k.pdf")
    assert [u.text for u in ex.units if u.role == "heading"] == ["Kapitel 1", "Kapitel 2", "Kapitel 3"]
    assert "Jobcenter" not in (ex.markdown or "")


def test_pdf_form_rows_are_not_columns() -> None:
    pdf = _pdf()
    pdf.add_page()
    rows = [("Name:", "Erika Mustermann"), ("Geburtsdatum:", "1. April 1980"), ("Kundennummer:", "123456"),
            ("Sachbearbeiter:", "Herr Schmidt")]
    pdf.set_font("dv", size=11)
    for i, (key, value) in enumerate(rows):
        pdf.text(50, 100 + 14 * i, key)
        pdf.text(320, 100 + 14 * i, value)
    ex = PdfBackend().read(bytes(pdf.output()), "form.pdf")
    assert [u.text for u in ex.units] == [text for row in rows for text in row]  # row by row (a table's cells)


@pytest.mark.parametrize(("meta", "title"), [("Mietvertrag 2024", "Mietvertrag 2024"), ("Microsoft Word - a.docx", None)])
def test_pdf_title_from_metadata_when_no_heading(meta: str, title: str | None) -> None:
    pdf = _pdf()
    pdf.add_page()
    _lines(pdf, 50, 100, ["Nur ein Absatz ohne Überschrift."])
    pdf.set_title(meta)
    assert PdfBackend().read(bytes(pdf.output()), "m.pdf").title == title


# --------------------------------------------------------------------------------------------
# Through the CLI: a page without text is warned about, never dropped in silence
# --------------------------------------------------------------------------------------------

PAGE_ONE = "Ein Hund läuft über die Wiese."


def _half_scanned(tmp_path: Path) -> Path:
    pdf = _pdf()
    pdf.add_page()
    _lines(pdf, 50, 100, [PAGE_ONE])
    _scan_page(pdf)
    src = tmp_path / "halb.pdf"
    src.write_bytes(bytes(pdf.output()))
    return src


def _cli(*args: str):
    from typer.testing import CliRunner

    from summtrans.cli.app import app

    return CliRunner().invoke(app, list(args))


def test_cli_warns_about_a_page_without_text(tmp_path: Path) -> None:
    src = _half_scanned(tmp_path)
    r = _cli("translate", str(src), "--engine", "echo", "-f", "json")
    assert r.exit_code == 0, r.output
    record = json.loads(r.stdout)
    assert record["translation"] == PAGE_ONE
    assert record["warnings"] == [{"segment": None, "kind": "page-without-text", "detail": "page 2 of 2"}]
    assert record["quality"]["warnings"] == {"page-without-text": 1}
    r = _cli("translate", str(src), "--engine", "echo")
    assert (r.exit_code, r.stdout.strip()) == (0, PAGE_ONE)
    assert f"warning: {src}: document: page-without-text: page 2 of 2\n" in r.stderr
    r = _cli("translate", str(src), "--engine", "echo", "-q")
    assert (r.exit_code, r.stderr) == (0, "")
    r = _cli("summarize", str(src), "--engine", "echo", "-f", "json")  # no translation made: still warned
    assert r.exit_code == 0, r.output
    assert [w["kind"] for w in json.loads(r.stdout)["warnings"]] == ["page-without-text"]


@pytest.mark.slow
def test_cli_translates_page_one_of_a_half_scanned_pdf(tmp_path: Path, tiny_marian: Path) -> None:
    src = _half_scanned(tmp_path)
    r = _cli("translate", str(src), "-m", str(tiny_marian), "-f", "json", "--no-memory")
    assert r.exit_code == 0, r.output
    record = json.loads(r.stdout)
    assert [s["source"] for s in record["segments"]] == [PAGE_ONE]  # page one went through the model
    assert record["translation"].strip() and record["translation"] != PAGE_ONE
    assert {"segment": None, "kind": "page-without-text", "detail": "page 2 of 2"} in record["warnings"]


def test_cli_pdf_without_any_text_is_still_skipped(tmp_path: Path) -> None:
    pdf = _pdf()
    _scan_page(pdf)
    _scan_page(pdf)
    src = tmp_path / "scan.pdf"
    src.write_bytes(bytes(pdf.output()))
    r = _cli("translate", str(src), "--engine", "echo", "-q")
    assert (r.exit_code, r.stderr) == (1, f"Error: {src}: no text layer, and no text found by OCR (not a document?)\n")
    r = _cli("translate", str(src), "--engine", "echo", "-q", "--ocr", "never")
    assert (r.exit_code, r.stderr) == (1, f"Error: {src}: no text layer (scanned PDF?) and --ocr never\n")
