"""PDF in, PDF out: the English in the German's places (and beside it), checked on the output
PDF itself with pypdfium2 (its text layer, objects and rendering), through the CLI.

The test engines: echo (gives the German back: nothing to re-typeset), a word reverser
("Vertrag" → "gartreV": every unit changes, every character comes back, so the text layer can
be compared with the input's word for word) and a lengthener (40 % more words).
"""

from __future__ import annotations

import json
import logging
import os
from collections import Counter
from pathlib import Path

import pytest

pytest.importorskip("pypdfium2")
pytest.importorskip("fpdf")
pytest.importorskip("pikepdf")
np = pytest.importorskip("numpy")

import pdf_letters as L  # noqa: E402
import pypdfium2 as pdfium  # noqa: E402
import pypdfium2.raw as raw  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

import summtrans.pipeline as pipeline_module  # noqa: E402
from summtrans.cli.app import app  # noqa: E402
from summtrans.engines.base import EchoEngine  # noqa: E402
from summtrans.formats.base import Unit  # noqa: E402
from summtrans.formats.pdf import PdfBackend  # noqa: E402

pytestmark = pytest.mark.skipif(not L.fonts_present(), reason="DejaVu fonts not installed")
runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


def reverse(text: str) -> str:
    return " ".join(word[::-1] for word in text.split())


def longer(text: str) -> str:
    words = text.split()
    return " ".join(words + words[: round(0.4 * len(words))])


def use_engine(monkeypatch: pytest.MonkeyPatch, change) -> list[str]:
    """The pipeline's engine answers `change(text)` for every model input; the answers."""
    answers: list[str] = []

    class Engine(EchoEngine):
        def generate(self, texts, options, progress=None):
            out = [change(t) for t in super().generate(texts, options, progress)]
            answers.extend(out)
            return out

    monkeypatch.setattr(pipeline_module, "load_engine", lambda model, options: Engine(model))
    return answers


def source(tmp_path: Path, name: str, data: bytes) -> Path:
    src = tmp_path / name
    src.write_bytes(data)
    os.utime(src, (1_000_000_000, 1_000_000_000))
    return src


def translate(tmp_path: Path, src: Path, *extra: str) -> bytes:
    out = tmp_path / "out"
    r = invoke("translate", str(src), "-o", f"{out}/", "--engine", "echo", "--no-memory", "--no-protect", "-q", *extra)
    assert r.exit_code == 0, r.output
    written = out / (src.stem + ".en.pdf")
    assert sorted(os.listdir(out)) == [written.name]
    data = written.read_bytes()
    written.unlink()
    return data


# --------------------------------------------------------------------------------------------
# Looking into a PDF (pypdfium2 only)
# --------------------------------------------------------------------------------------------


def page_texts(data: bytes) -> list[str]:
    doc = pdfium.PdfDocument(data)
    try:
        return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    finally:
        doc.close()


def page_sizes(data: bytes) -> list[tuple[float, float]]:
    doc = pdfium.PdfDocument(data)
    try:
        return [tuple(round(v, 1) for v in doc.get_page_size(i)) for i in range(len(doc))]
    finally:
        doc.close()


def _bounds(obj) -> tuple[float, float, float, float]:
    import ctypes

    box = [ctypes.c_float() for _ in range(4)]
    raw.FPDFPageObj_GetBounds(obj, *box)
    return tuple(b.value for b in box)


def page_objects(data: bytes) -> list[list[tuple[int, tuple[float, ...]]]]:
    """Per page: each page-level object's type and bounds."""
    doc = pdfium.PdfDocument(data)
    try:
        out = []
        for i in range(len(doc)):
            page = doc[i]
            objs = [raw.FPDFPage_GetObject(page.raw, k) for k in range(raw.FPDFPage_CountObjects(page.raw))]
            out.append([(raw.FPDFPageObj_GetType(o), _bounds(o)) for o in objs])
        return out
    finally:
        doc.close()


def drawings(data: bytes) -> list[list[tuple[int, tuple[float, ...]]]]:
    """Per page: the images, paths and forms (type, bounds rounded), sorted."""
    return [sorted((t, tuple(round(v, 1) for v in b)) for t, b in page if t != raw.FPDF_PAGEOBJ_TEXT)
            for page in page_objects(data)]


def render(data: bytes, scale: float = 1.0) -> list:
    doc = pdfium.PdfDocument(data)
    try:
        return [np.asarray(doc[i].render(scale=scale).to_pil().convert("L")).astype(int) for i in range(len(doc))]
    finally:
        doc.close()


def glyphs(data: bytes) -> list[list[tuple[int, float, tuple[float, float, float, float]]]]:
    """Per page: each character's text object (its address), font size and box."""
    import ctypes

    doc = pdfium.PdfDocument(data)
    out = []
    try:
        for i in range(len(doc)):
            textpage = doc[i].get_textpage()
            chars = []
            box = [ctypes.c_double() for _ in range(4)]
            for k in range(textpage.count_chars()):
                if chr(raw.FPDFText_GetUnicode(textpage.raw, k)).isspace():
                    continue
                obj = raw.FPDFText_GetTextObject(textpage.raw, k)
                raw.FPDFText_GetCharBox(textpage.raw, k, *box)
                left, right, bottom, top = (b.value for b in box)
                address = ctypes.addressof(obj.contents) if obj else 0
                chars.append((address, raw.FPDFText_GetFontSize(textpage.raw, k), (left, bottom, right, top)))
            out.append(chars)
        return out
    finally:
        doc.close()


def matched_words(original: str, written: str) -> Counter:
    """The written page's words matched to the original's, each as it was or reversed; what is
    left over on either side (empty: every word came back)."""
    left = Counter(original.replace("\ufffe", "").split())  # PDFium marks a word hyphenated at a line's end
    extra: Counter = Counter()
    for word in written.replace("\ufffe", "").split():
        if left[word[::-1]] > 0:
            left[word[::-1]] -= 1
        elif left[word] > 0:
            left[word] -= 1
        else:
            extra[word] += 1
    return +left + extra


def text_mask(datas: list[bytes], page: int, shape: tuple[int, int], pad: int = 2):
    """Pixels (at 72 dpi) inside the bounds of any page-level text object of the page in any
    of `datas`, and a few pixels around them."""
    mask = np.zeros(shape, dtype=bool)
    for data in datas:
        height = page_sizes(data)[page][1]
        for t, (left, bottom, right, top) in page_objects(data)[page]:
            if t == raw.FPDF_PAGEOBJ_TEXT:
                mask[max(int(height - top) - pad, 0) : max(int(height - bottom) + pad, 0),
                     max(int(left) - pad, 0) : max(int(right) + pad, 0)] = True
    return mask


# --------------------------------------------------------------------------------------------
# Through the CLI
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def letter() -> bytes:
    return L.letter()


def test_echo_gives_the_pdf_back_untouched(tmp_path: Path, letter: bytes) -> None:
    src = source(tmp_path, "brief.pdf", letter)
    out = translate(tmp_path, src)
    assert out == letter  # every unit came back as it was: nothing re-typeset, nothing rewritten
    assert src.read_bytes() == letter and src.stat().st_mtime == 1_000_000_000
    r = invoke("translate", str(src), "--engine", "echo", "--no-memory", "-q", "-f", "markdown")
    assert r.exit_code == 0 and r.stdout.startswith("# Stadtwerke Musterstadt\n") and "| Leistung |" in r.stdout
    r = invoke("translate", str(src), "--engine", "echo", "--no-memory", "-q", "-f", "json")
    assert json.loads(r.stdout)["format"] == "pdf"


def test_every_unit_retypeset_keeps_every_character_and_everything_else(
    tmp_path: Path, letter: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_engine(monkeypatch, reverse)
    src = source(tmp_path, "brief.pdf", letter)
    out = translate(tmp_path, src)
    assert src.read_bytes() == letter and src.stat().st_mtime == 1_000_000_000  # the original untouched
    before, after = page_texts(letter), page_texts(out)
    assert page_sizes(out) == page_sizes(letter) and len(after) == 2
    for old, new in zip(before, after):
        assert old != new  # re-typeset …
        assert matched_words(old, new) == Counter()  # … and every word back, reversed or as it was
        for char in "äöüß€":
            assert (char in old) == (char in new), char
    assert "Vertrauen." not in after[0] and ".neuartreV" in after[0]  # the German removed, not covered up
    assert drawings(out) == drawings(letter)  # the letterhead band, logo, rules and table borders
    # numbers-only cells are not re-typeset: the same text object in the same place
    cell = [b for t, b in page_objects(letter)[0] if t == raw.FPDF_PAGEOBJ_TEXT]
    kept = [b for t, b in page_objects(out)[0] if t == raw.FPDF_PAGEOBJ_TEXT]
    amounts = [b for b in cell if b in kept]
    assert len(amounts) >= 6  # amounts, dates and the IBAN's footer line stayed
    # the rendering outside the text is the same, pixel for pixel
    for k, (a, b) in enumerate(zip(render(letter), render(out))):
        assert not (a != b)[~text_mask([letter, out], k, a.shape)].any(), f"page {k + 1}"
        assert (a != b).any()


def test_bold_words_stay_bold(tmp_path: Path, letter: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    use_engine(monkeypatch, reverse)
    out = translate(tmp_path, source(tmp_path, "brief.pdf", letter))
    doc = pdfium.PdfDocument(out)
    textpage = doc[0].get_textpage()
    text = textpage.get_text_range()

    def weight(word: str) -> int:
        at = text.index(word)
        return max(raw.FPDFText_GetFontWeight(textpage.raw, at + k) for k in range(len(word)))

    assert weight(L.BOLD_WORD[::-1]) >= 600  # a bold word inside a paragraph, bold again in English
    assert weight("neknad") < 600  # its neighbours are not
    assert weight("gnunhcerbaserhaJ rüf mortS") >= 600  # the bold subject line


def test_text_in_a_form_object_is_left_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use_engine(monkeypatch, reverse)
    data = L.form_page()
    src = source(tmp_path, "form.pdf", data)
    out = tmp_path / "out"
    r = invoke("translate", str(src), "-o", f"{out}/", "--engine", "echo", "--no-memory", "--no-protect")
    assert r.exit_code == 0, r.output
    written = (out / "form.en.pdf").read_bytes()
    [text] = page_texts(written)
    assert L.FORM_TEXT in text  # not garbled, not translated
    assert reverse(L.PAGE_TEXT) in " ".join(text.split())  # the page's own paragraph is
    assert [t for t, _ in page_objects(written)[0]].count(raw.FPDF_PAGEOBJ_FORM) == 1
    assert "pdf-text-kept: page 1: 1 unit inside a form object, left as they were" in r.stderr
    r = invoke("translate", str(src), "--engine", "echo", "--no-memory", "--no-protect", "-q", "-f", "json")
    kept = {"segment": None, "kind": "pdf-text-kept", "detail": "page 1: 1 unit inside a form object, left as they were"}
    assert kept in json.loads(r.stdout)["warnings"]  # what writing found reaches the record


@pytest.mark.parametrize("make", [L.cramped, L.two_columns])
def test_longer_english_fits_its_room(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make) -> None:
    answers = use_engine(monkeypatch, longer)
    data = make()
    src = source(tmp_path, "brief.pdf", data)
    out = translate(tmp_path, src)
    expected = Counter(w for answer in answers for w in answer.split())
    assert len(answers) >= 3 and not expected - Counter(page_texts(out)[0].split())  # every word is there
    [chars] = glyphs(out)
    [original] = glyphs(data)
    width, height = page_sizes(out)[0]
    smallest = min(size for _, size, _ in chars)
    if make is L.cramped:  # no room below: smaller, never under 70 %
        assert 0.7 * 10 - 0.01 <= smallest < 10
    else:  # room below the columns: the same size, more lines
        assert smallest == min(size for _, size, _ in original)
    boxes: dict[int, list] = {}
    for obj, _, box in chars:
        boxes.setdefault(obj, []).append(box)
    tight = [(min(b[0] for b in bs), min(b[1] for b in bs), max(b[2] for b in bs), max(b[3] for b in bs))
             for bs in boxes.values()]
    for left, bottom, right, top in tight:
        assert 0 <= left and right <= width and 0 <= bottom and top <= height
    for k, a in enumerate(tight):  # no two text objects overlap
        for b in tight[k + 1 :]:
            dx = min(a[2], b[2]) - max(a[0], b[0])
            dy = min(a[3], b[3]) - max(a[1], b[1])
            assert dx <= 0.5 or dy <= 0.5, (a, b)
    r = invoke("translate", str(src), "--engine", "echo", "--no-memory", "--no-protect", "-q", "-f", "json")
    assert "pdf-overflow" not in {w["kind"] for w in json.loads(r.stdout)["warnings"]}


def test_bilingual_and_interleaved(tmp_path: Path, letter: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    use_engine(monkeypatch, reverse)
    src = source(tmp_path, "brief.pdf", letter)
    english = translate(tmp_path, src)
    both = translate(tmp_path, src, "--pdf", "bilingual")
    sizes = page_sizes(letter)
    assert page_sizes(both) == [(round(2 * w, 1), h) for w, h in sizes]
    doc = pdfium.PdfDocument(both)
    for i, (w, h) in enumerate(sizes):
        textpage = doc[i].get_textpage()
        left = textpage.get_text_bounded(0, 0, w, h)
        right = textpage.get_text_bounded(w, 0, 2 * w, h)
        assert left.split() == page_texts(letter)[i].split()
        assert right.split() == page_texts(english)[i].split()
    assert {t for page in page_objects(both) for t, _ in page} == {raw.FPDF_PAGEOBJ_FORM}  # pages as vectors, not images
    doc.close()
    pages = page_texts(translate(tmp_path, src, "--pdf", "interleaved"))
    assert pages[0::2] == page_texts(letter) and pages[1::2] == page_texts(english)


def test_a_pdf_that_may_not_be_changed(tmp_path: Path) -> None:
    from fpdf.enums import AccessPermission

    pdf = L._pdf()
    pdf.add_page()
    pdf.set_font("dv", size=11)
    pdf.text(60, 100, "Ein geschützter Brief mit einem Satz.")
    pdf.set_encryption(owner_password="owner", permissions=AccessPermission.PRINT_LOW_RES | AccessPermission.COPY)
    src = source(tmp_path, "geschuetzt.pdf", bytes(pdf.output()))
    r = invoke("translate", str(src), "--engine", "echo", "-q", "-o", str(tmp_path / "x.en.pdf"))
    assert r.exit_code == 1 and not (tmp_path / "x.en.pdf").exists()
    assert r.stderr == (f"Error: {src}: cannot write a translated PDF: its permissions forbid changes (encrypted"
                        " with an owner password); -f markdown writes the text\n")
    r = invoke("translate", str(src), "--engine", "echo", "-q", "-f", "markdown")
    assert (r.exit_code, r.stdout) == (0, "Ein geschützter Brief mit einem Satz.\n")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "geschuetzt.pdf").write_bytes(src.read_bytes())
    (folder / "brief.pdf").write_bytes(L.letter())
    r = invoke("translate", str(folder), "-o", str(tmp_path / "out"), "--engine", "echo")
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if p.suffix in (".pdf", ".md")) == [
        "brief.en.pdf", "geschuetzt.en.md"]
    assert (tmp_path / "out" / "geschuetzt.en.md").read_text(encoding="utf-8") == "Ein geschützter Brief mit einem Satz.\n"
    assert "geschuetzt.pdf: its permissions forbid changes" in r.stderr


def test_unchanged_units_are_not_retypeset() -> None:
    data = L.letter()
    backend = PdfBackend()
    ex = backend.read(data, "x.pdf")
    first = next(i for i, u in enumerate(ex.units) if u.text.startswith("wir danken"))
    units = [Unit(reverse(u.text), role=u.role) if i == first else u for i, u in enumerate(ex.units)]
    out = backend.write(ex, units)
    before, after = page_objects(data), page_objects(out)
    assert after[1] == before[1]  # page 2 as it was
    texts = lambda page: sorted(b for t, b in page if t == raw.FPDF_PAGEOBJ_TEXT)  # noqa: E731
    # the paragraph's band: from its first character's top to its last one's bottom
    doc = pdfium.PdfDocument(data)
    textpage = doc[0].get_textpage()
    text = textpage.get_text_range()
    top = textpage.get_charbox(text.index("wir danken"))[3]
    bottom = textpage.get_charbox(text.index("berechnet.") + 9)[1]
    doc.close()
    inside = lambda b: b[1] >= bottom - 3 and b[3] <= top + 3  # noqa: E731
    gone = [b for b in texts(before[0]) if b not in texts(after[0])]
    new = [b for b in texts(after[0]) if b not in texts(before[0])]
    assert gone and new and all(inside(b) for b in gone + new)  # only the paragraph's objects changed
    assert [b for b in texts(before[0]) if not inside(b)] == [b for b in texts(after[0]) if not inside(b)]


def test_progress_is_logged_page_by_page(monkeypatch: pytest.MonkeyPatch) -> None:
    from summtrans.formats.pdf import edit, write

    class Collect(logging.Handler):
        def __init__(self) -> None:
            super().__init__()
            self.messages: list[str] = []

        def emit(self, record: logging.LogRecord) -> None:
            self.messages.append(record.getMessage())

    monkeypatch.setattr(write, "PROGRESS_SECONDS", 0.0)
    monkeypatch.setattr(edit, "CHUNK", 1)
    collect = Collect()
    logger = logging.getLogger("summtrans.formats.pdf.write")
    monkeypatch.setattr(logger, "propagate", False)
    monkeypatch.setattr(logger, "level", logging.INFO)
    logger.addHandler(collect)
    try:
        backend = PdfBackend()
        ex = backend.read(L.many_pages(3), "x.pdf")
        backend.write(ex, [Unit(reverse(u.text), role=u.role) for u in ex.units])
    finally:
        logger.removeHandler(collect)
    assert [m.split(" (")[0] for m in collect.messages] == [f"writing the PDF: {n} of 3 pages" for n in (1, 2, 3)]


def test_a_fallback_font_is_embedded_as_a_subset(letter: bytes) -> None:
    backend = PdfBackend()
    ex = backend.read(letter, "x.pdf")
    # "Ÿ" and "q" are not in the letter's fonts (subsets of what the German needs): a fallback sets them
    out = backend.write(ex, [Unit(u.text + " Ÿq", role=u.role) if any(c.isalpha() for c in u.text) else u
                             for u in ex.units])
    assert "Ÿq" in page_texts(out)[0]
    whole = (L.DEJAVU / "DejaVuSans.ttf").stat().st_size
    assert whole > 500_000 and len(out) - len(letter) < 120_000  # subsets of a few dozen KB, not whole fonts


# --------------------------------------------------------------------------------------------
# The small real model, and a real German PDF made by others
# --------------------------------------------------------------------------------------------

GERMAN_WORDS = ["Sehr", "geehrte", "Vertrauen", "Schreiben", "überweisen", "Betrag", "Kundennummer", "Abschläge",
                "freundlichen", "Grüßen", "Zeitraum", "Leistung", "bitte", "Ihre", "Ihnen", "wir", "und"]


@pytest.mark.slow
def test_the_small_model_translates_the_letter_into_its_places(tmp_path: Path, mini_marian: Path) -> None:
    src = source(tmp_path, "brief.pdf", L.letter())
    out = tmp_path / "out"
    r = invoke("translate", str(src), "-o", f"{out}/", "-m", str(mini_marian), "--engine", "ctranslate2",
               "--no-memory", "-q")
    assert r.exit_code == 0, r.output
    data = (out / "brief.en.pdf").read_bytes()
    before, after = page_texts(src.read_bytes()), page_texts(data)
    footer = "Stadtwerke Musterstadt GmbH · Sparkasse Musterstadt"  # a running footer: not a unit, stays
    body = [" ".join(line for line in page.splitlines() if footer not in line and "Seite" not in line)
            for page in after]
    for word in GERMAN_WORDS:
        assert not any(word in page.split() for page in body), word
    assert after[0].count(L.IBAN) == before[0].count(L.IBAN) == 2  # footer and paragraph
    for amount in L.AMOUNTS:  # the table's cells as they were; the paragraph's amount in English form
        assert amount in after[0]
    assert "1,802.45" in after[0] or after[0].count("1.802,45") == before[0].count("1.802,45")
    sizes = [size for page in glyphs(data) for _, size, _ in page]
    assert min(sizes) >= min(min(size for _, size, _ in page) for page in glyphs(src.read_bytes())) * 0.7 - 0.01
    for page, (width, height) in zip(page_objects(data), page_sizes(data)):
        for t, (left, bottom, right, top) in page:
            if t == raw.FPDF_PAGEOBJ_TEXT:
                assert -1 <= left and right <= width + 1 and -1 <= bottom and top <= height + 1


def _debian_reference(tmp_path: Path) -> Path:
    """debian-reference-de's German PDF (GPL-2+), fetched with apt into a temp dir, nothing installed."""
    import shutil
    import subprocess

    if shutil.which("apt-get") is None or shutil.which("dpkg") is None:
        pytest.skip("apt-get/dpkg not available")
    try:
        subprocess.run(["apt-get", "download", "debian-reference-de"], cwd=tmp_path, capture_output=True, timeout=120,
                       check=True)
        [deb] = tmp_path.glob("debian-reference-de_*.deb")
        subprocess.run(["dpkg", "-x", str(deb), str(tmp_path / "x")], capture_output=True, timeout=120, check=True)
    except (subprocess.SubprocessError, OSError, ValueError):
        pytest.skip("debian-reference-de could not be fetched (no apt source, offline?)")
    found = list((tmp_path / "x").rglob("debian-reference.de.pdf"))
    if not found:
        pytest.skip("debian-reference-de ships no PDF here")
    return found[0]


@pytest.mark.slow
def test_a_real_german_manual_in_layout_and_bilingual(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ctypes
    import io

    manual = _debian_reference(tmp_path)
    whole = pdfium.PdfDocument(str(manual))
    part = pdfium.PdfDocument.new()  # 20 pages of it: chapter 1 (prose, code, tables, links)
    raw.FPDF_ImportPagesByIndex(part.raw, whole.raw, (ctypes.c_int * 20)(*range(40, 60)), 20, 0)
    buffer = io.BytesIO()
    part.save(buffer)
    data = buffer.getvalue()
    use_engine(monkeypatch, reverse)
    src = source(tmp_path, "referenz.pdf", data)
    english = translate(tmp_path, src)
    before, after = page_texts(data), page_texts(english)
    assert len(after) == 20 and page_sizes(english) == page_sizes(data)
    unmatched = sum(sum(matched_words(a, b).values()) for a, b in zip(before, after))
    assert unmatched <= 0.02 * sum(len(a.split()) for a in before)  # a paragraph's words moving to its next page
    assert sum(a != b for a, b in zip(before, after)) >= 18
    assert drawings(english) == drawings(data)
    both = translate(tmp_path, src, "--pdf", "bilingual")
    assert len(page_sizes(both)) == 20 and page_sizes(both)[0][0] == round(2 * page_sizes(data)[0][0], 1)


def test_justified_narrow_columns_read_as_paragraphs() -> None:
    """fpdf2 justifies a narrow column with wide gaps, wider than a column gutter: one text
    object, gaps all alike — a line, not the cells of a table."""
    units = PdfBackend().read(L.two_columns(), "x.pdf").units
    assert [u.role for u in units] == ["heading", "paragraph", "paragraph", "paragraph"]
    assert [" ".join(u.text.split()) for u in units[1:3]] == L.COLUMNS


def test_a_list_whose_bullets_stand_apart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bullet set apart from its item's text is read with it (one unit): neither the German
    item nor its bullet is set again beside the English."""
    use_engine(monkeypatch, reverse)
    pdf = L._pdf()
    pdf.add_page()
    pdf.set_font("dv", size=11)
    items = ["Der erste Punkt der Liste.", "Der zweite Punkt steht darunter."]
    for k, item in enumerate(items):
        pdf.text(60, 100 + 16 * k, "•")
        pdf.text(90, 100 + 16 * k, item)  # further than a column gap: two fragments, joined
    data = bytes(pdf.output())
    [text] = page_texts(translate(tmp_path, source(tmp_path, "liste.pdf", data)))
    assert text.count("•") == 2
    for item in items:
        assert item not in text and reverse(item) in " ".join(text.split())


def test_a_pdf_the_writer_fails_on_still_gives_its_text(tmp_path: Path, letter: bytes,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from summtrans.formats.pdf import write

    def broken(*args, **kwargs):
        raise RuntimeError("PDFium could not write page 1")

    monkeypatch.setattr(write, "write_pdf", broken)
    src = source(tmp_path, "brief.pdf", letter)
    r = invoke("translate", str(src), "--engine", "echo", "--no-memory", "-q", "-f", "markdown")
    assert r.exit_code == 0 and r.stdout.startswith("# Stadtwerke Musterstadt\n")
    r = invoke("translate", str(src), "--engine", "echo", "--no-memory", "-q", "-o", str(tmp_path / "b.en.pdf"))
    assert r.exit_code == 1 and not (tmp_path / "b.en.pdf").exists()
    assert r.stderr == (f"Error: {src}: cannot write a translated PDF: writing the PDF failed (RuntimeError: PDFium"
                        " could not write page 1); -f markdown writes the text\n")
