"""PDF out for scanned pages: a PDF of a text page and a scan (an image of a rendered German
letter, read by OCR) through the CLI. The scan has no German text objects to replace: it stays
as it is, and its English follows it on a text page of its size (``layout``), stands on its
right (``bilingual``) or after it (``interleaved``). Every unit the OCR read comes back in the
English page's text layer, word for word (the engine reverses each word)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

pytest.importorskip("tesserocr")
pytest.importorskip("fpdf")
pytest.importorskip("pikepdf")

import pypdfium2 as pdfium  # noqa: E402
import pypdfium2.raw as raw  # noqa: E402
from ocr_samples import render_letter  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

import summtrans.pipeline as pipeline_module  # noqa: E402
from summtrans.cli.app import app  # noqa: E402
from summtrans.engines.base import EchoEngine  # noqa: E402
from summtrans.formats.document import read_document  # noqa: E402

pytestmark = pytest.mark.slow  # each run OCRs a page (seconds)
runner = CliRunner()
TEXT_PAGE = "Anlage zum Bescheid vom 12.03.2025: die Berechnung folgt auf der nächsten Seite."


def reverse(text: str) -> str:
    return " ".join(word[::-1] for word in text.split())


@pytest.fixture
def reversing(monkeypatch: pytest.MonkeyPatch) -> None:
    class Engine(EchoEngine):
        def generate(self, texts, options, progress=None):
            return [reverse(t) for t in super().generate(texts, options, progress)]

    monkeypatch.setattr(pipeline_module, "load_engine", lambda model, options: Engine(model))


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> Path:
    """Page 1 text (fpdf2), page 2 a 150 dpi scan of a letter (an image, no text layer)."""
    import fpdf

    pdf = fpdf.FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.multi_cell(0, 8, TEXT_PAGE)
    pdf.add_page()
    pdf.image(render_letter().image.resize((1240, 1754)), x=0, y=0, w=210, h=297)
    src = tmp_path_factory.mktemp("scans") / "mixed.pdf"
    src.write_bytes(bytes(pdf.output()))
    return src


@pytest.fixture(scope="module")
def scan_units(mixed: Path) -> list[str]:
    """The units OCR reads from the scan (page 2), as the writer gets them."""
    doc = read_document(mixed)
    state = doc.extracted.state
    return [u.text for u, place in zip(doc.extracted.units, state.places) if place.copies[0][0].page == 1]


def translate(src: Path, out: Path, *extra: str) -> tuple[bytes, object]:
    r = runner.invoke(app, ["translate", str(src), "-o", str(out), "--engine", "echo", "--no-memory", "--no-protect",
                            "-q", *extra])
    assert r.exit_code == 0, r.output
    return out.read_bytes(), r


def pages(data: bytes) -> list[tuple[tuple[float, float], str, list[int]]]:
    """Each page's size, text and object types."""
    doc = pdfium.PdfDocument(data)
    try:
        out = []
        for i in range(len(doc)):
            page = doc[i]
            kinds = [raw.FPDFPageObj_GetType(raw.FPDFPage_GetObject(page.raw, k))
                     for k in range(raw.FPDFPage_CountObjects(page.raw))]
            out.append((tuple(round(v, 1) for v in doc.get_page_size(i)), page.get_textpage().get_text_range(), kinds))
        return out
    finally:
        doc.close()


def english_of(units: list[str]) -> Counter:
    return Counter(w for unit in units for w in reverse(unit).split())


def test_a_scanned_page_stays_and_its_english_follows_it(mixed: Path, scan_units: list[str], reversing,
                                                         tmp_path: Path) -> None:
    original = pages(mixed.read_bytes())
    data, _ = translate(mixed, tmp_path / "mixed.en.pdf")
    written = pages(data)
    assert len(written) == 3
    assert written[0][1].split() == reverse(TEXT_PAGE).split()  # the text page: English in place
    assert written[1] == original[1] and written[1][2] == [raw.FPDF_PAGEOBJ_IMAGE]  # the scan as it was
    size, text, kinds = written[2]
    assert size == original[1][0] and set(kinds) == {raw.FPDF_PAGEOBJ_TEXT}  # a text page of the scan's size
    assert len(scan_units) >= 10 and "Änderungsbescheid" in " ".join(scan_units)
    assert Counter(text.split()) == english_of(scan_units)  # every unit's English, nothing else
    flat = " ".join(text.split())
    for unit in scan_units:  # paragraphs in reading order, their words in order
        if len(unit.split()) > 3:
            assert reverse(unit) in flat, unit


def test_bilingual_puts_the_english_page_on_the_scans_right(mixed: Path, scan_units: list[str], reversing,
                                                            tmp_path: Path) -> None:
    data, _ = translate(mixed, tmp_path / "mixed.en.pdf", "--pdf", "bilingual")
    (w, h), _, _ = pages(mixed.read_bytes())[1]
    doc = pdfium.PdfDocument(data)
    try:
        assert len(doc) == 2 and all(abs(doc.get_page_size(i)[0] - 2 * w) < 0.5 for i in range(2))
        textpage = doc[1].get_textpage()
        assert not textpage.get_text_bounded(0, 0, w, h).split()  # the scan: no text layer of its own
        assert Counter(textpage.get_text_bounded(w, 0, 2 * w, h).split()) == english_of(scan_units)
    finally:
        doc.close()
    data, _ = translate(mixed, tmp_path / "mixed.en.pdf", "--pdf", "interleaved")
    written = pages(data)
    assert [kinds for _, _, kinds in written[2:3]] == [[raw.FPDF_PAGEOBJ_IMAGE]]  # German scan, then its English
    assert Counter(written[3][1].split()) == english_of(scan_units)


def test_an_unsure_scan_ends_its_english_page_with_the_warning_line(mixed: Path, scan_units: list[str], reversing,
                                                                    tmp_path: Path, monkeypatch) -> None:
    from summtrans.ocr import page

    monkeypatch.setattr(page, "LOW_CONFIDENCE", 99.9)  # every number read is "unsure"
    data, _ = translate(mixed, tmp_path / "mixed.en.pdf")
    last = " ".join(pages(data)[2][1].split())
    assert last.endswith("compare amounts, dates and IBANs with the paper.") and "Read by OCR with low confidence" in last
    r = runner.invoke(app, ["translate", str(mixed), "-f", "json", "--engine", "echo", "--no-memory", "-q"])
    record = json.loads(r.stdout)
    assert "ocr-low-confidence" in {w["kind"] for w in record["warnings"]} and record["ocr"]["pages"][0]["page"] == 2


def test_ocr_always_keeps_a_garbage_text_layer_and_adds_the_english(reversing, tmp_path: Path) -> None:
    """A scan under an invisible garbage text layer (a bad earlier OCR), re-read with --ocr always:
    the page stays as it was (its layer too: the writer takes nothing out of a scanned page)."""
    import fpdf

    garbage = "Gcgcn dkcsn Bcschd knn nnrhlb cns Mnts Wdrsprch rhbn wrdn. Dr Wdrsprch st schrftlch zlgn."
    pdf = fpdf.FPDF(format="A4")
    pdf.add_page()
    pdf.image(render_letter().image.resize((1240, 1754)), x=0, y=0, w=210, h=297)
    pdf.set_font("helvetica", size=11)
    pdf.text_mode = "INVISIBLE"
    pdf.set_xy(20, 40)
    pdf.multi_cell(170, 6, garbage)
    src = tmp_path / "alt.pdf"
    src.write_bytes(bytes(pdf.output()))
    data, _ = translate(src, tmp_path / "alt.en.pdf", "--ocr", "always")
    [scan, english] = pages(data)
    assert scan == pages(src.read_bytes())[0]
    assert "Wdrsprch" not in english[1] and "hcurpsrediW" in english[1].split()  # Widerspruch, read anew
