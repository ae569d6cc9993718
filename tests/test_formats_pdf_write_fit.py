"""The PDF writer's parts on their own: fitting text into frames (pure, no PDF), fonts (coverage,
fallback, subsets), and the two ways of editing a page (splice, regenerate) on hand-made PDFs."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from summtrans.formats.pdf import fit, fonts
from summtrans.formats.pdf.model import Font


def measure(text: str, style) -> float:
    return 0.5 * len(text)  # every character half an em wide, at size 1


def words(text: str):
    return [(w, None) for w in text.split()]


def frame(lines: int = 2, start: float = 100.0, end: float = 200.0, top: float = 700.0, size: float = 10.0,
          floor: float | None = None, **kw) -> fit.Frame:
    baselines = tuple(top - 12 * k for k in range(lines))
    return fit.Frame((start,) * lines, baselines, end, size, 12.0, floor=baselines[-1] - 3 if floor is None else floor,
                     **kw)


# --------------------------------------------------------------------------------------------
# Fitting
# --------------------------------------------------------------------------------------------


def test_text_that_fits_keeps_its_size_and_wraps_at_the_measure() -> None:
    result = fit.fit(words("aaaa bbbb cccc dddd eeee ffff"), [frame()], measure)
    assert (result.scale, result.hscale, result.overflow) == (1.0, 1.0, False)
    # 100 pt wide at 5 pt per character: 4 words of 4 (+ spaces of 5 pt) per line at most
    assert [[w for w, _, _ in line.words] for line in result.lines] == [["aaaa", "bbbb", "cccc", "dddd"], ["eeee", "ffff"]]
    assert [line.baseline for line in result.lines] == [700.0, 688.0]
    for line in result.lines:
        assert line.words[0][2] == 100.0
        for (w, _, x), (_, _, x2) in zip(line.words, line.words[1:]):
            assert x2 == pytest.approx(x + 5 * len(w) + 5)  # one space between words


def test_text_that_does_not_fit_shrinks_in_steps_to_the_floor() -> None:
    text = words(" ".join(["abcd"] * 10))  # 10 words: at size 10, 4 a line, 3 lines needed, 2 there
    result = fit.fit(text, [frame()], measure)
    assert not result.overflow and result.scale < 1 and result.scale >= fit.MIN_SCALE
    assert round(result.scale / fit.STEP) * fit.STEP == pytest.approx(result.scale)
    assert len(result.lines) == 2 and all(line.size == pytest.approx(10 * result.scale) for line in result.lines)
    bigger = fit.fit(text, [frame()], measure, floor_size=9.0)  # a document-wide floor of 9 pt
    assert bigger.scale >= 0.9 and (bigger.overflow or bigger.hscale < 1)


def test_free_space_below_is_used_before_shrinking() -> None:
    text = words(" ".join(["abcd"] * 10))
    result = fit.fit(text, [frame(floor=600.0)], measure)
    assert (result.scale, result.overflow) == (1.0, False) and len(result.lines) == 3
    assert result.lines[2].baseline == pytest.approx(676.0)  # one more line at the same pitch


def test_too_much_text_runs_over_and_says_so() -> None:
    result = fit.fit(words(" ".join(["abcd"] * 40)), [frame()], measure)
    assert result.overflow and result.scale == pytest.approx(fit.MIN_SCALE) and result.hscale == pytest.approx(fit.MIN_HSCALE)
    assert sum(len(line.words) for line in result.lines) == 40  # nothing is dropped


def test_justified_lines_end_at_the_measure_but_the_last() -> None:
    result = fit.fit(words("aa bbb c dddd ee fff gggg hh i jjjj kk"), [frame(lines=3, align="justify")], measure)
    *full, last = result.lines
    for line in full:
        w, _, x = line.words[-1]
        assert x + 5 * len(w) == pytest.approx(200.0)
    w, _, x = last.words[-1]
    assert x + 5 * len(w) < 200.0 - 5


def test_right_aligned_and_centred_lines_keep_their_alignment() -> None:
    right = fit.fit(words("abc de"), [frame(lines=1, start=150, align="right", left=60, right=200)], measure)
    (w, _, x) = right.lines[0].words[-1]
    assert x + 5 * len(w) == pytest.approx(200.0)
    longer = fit.fit(words("abcdefgh ijklmnop"), [frame(lines=1, start=150, align="right", left=60, right=200)], measure)
    assert longer.scale == 1.0 and longer.lines[0].words[0][2] == pytest.approx(200 - 85)  # grew leftwards
    centred = fit.fit(words("ab"), [frame(lines=1, start=100, end=200, align="center")], measure)
    assert centred.lines[0].words[0][2] == pytest.approx(145.0)


def test_a_paragraph_flows_on_into_its_next_frame() -> None:
    first, second = frame(lines=2, top=700), frame(lines=2, start=300, end=400, top=700)
    result = fit.fit(words(" ".join(["abcd"] * 14)), [first, second], measure)
    assert [line.frame for line in result.lines] == [0, 0, 1, 1] and result.scale == 1.0
    assert result.lines[2].words[0][2] == 300.0


def test_hand_made_line_breaks_are_kept() -> None:
    german = [["Frau"], ["Erika", "Müller"], ["Lindenstraße", "12"], ["10115", "Berlin"]]
    english = "Mrs Erika Müller Lindenstraße 12 10115 Berlin".split()
    assert fit.kept_breaks(english, german) == {1, 3, 5}
    result = fit.fit([(w, None) for w in english], [frame(lines=4, end=400)], measure, breaks={1, 3, 5})
    assert [[w for w, _, _ in line.words] for line in result.lines] == [["Mrs"], ["Erika", "Müller"],
                                                                         ["Lindenstraße", "12"], ["10115", "Berlin"]]
    assert fit.kept_breaks("Dear Sir or Madam".split(), [["Sehr", "geehrte"], ["Damen"]]) == set()


def test_room_stops_at_what_else_is_on_the_page() -> None:
    box = (100.0, 690.0, 200.0, 700.0)
    texts = [(100.0, 640.0, 300.0, 650.0), (260.0, 690.0, 300.0, 700.0)]  # a line below, a word to the right
    drawn = [(90.0, 600.0, 400.0, 720.0), (100.0, 689.0, 200.0, 690.5)]  # a frame around; an underline
    left, right, floor, ceiling = fit.room(box, 10.0, True, "left", texts, drawn, (50.0, 50.0, 545.0, 800.0))
    assert right == pytest.approx(260.0 - 6.0)  # up to the word beside it, a gap away
    assert floor == pytest.approx(650.0 + 6.0)  # down to the line below (the underline is ignored)
    assert ceiling == pytest.approx(800.0)
    _, right, floor, _ = fit.room(box, 10.0, False, "left", [], [], (50.0, 50.0, 545.0, 800.0))
    assert (right, floor) == (200.0, 50.0)  # a paragraph keeps its measure; nothing below: the text area's edge
    assert fit.holder(box, drawn, (0, 0, 595, 842)) == (90.0, 600.0, 400.0, 720.0)
    assert fit.holder(box, [(0.0, 0.0, 595.0, 842.0)], (0, 0, 595, 842)) is None  # the page's background


def test_alignment_read_from_the_lines() -> None:
    area = (50.0, 50.0, 545.0, 800.0)
    justified = [(50.0, 0, 545.0, 0), (50.0, 0, 545.2, 0), (50.0, 0, 544.8, 0), (50.0, 0, 300.0, 0)]
    assert fit.alignment(justified, area, 595.0) == "justify"
    assert fit.alignment([(50.0, 0, 500.0, 0), (50.0, 0, 420.0, 0), (50.0, 0, 530.0, 0)], area, 595.0) == "left"
    assert fit.alignment([(420.0, 0, 545.0, 0)], area, 595.0) == "right"
    assert fit.alignment([(420.0, 0, 520.0, 0)], area, 595.0, edges=[520.2]) == "right"
    assert fit.alignment([(247.5, 0, 347.5, 0)], area, 595.0) == "center"


def test_sizes_tried() -> None:
    assert fit.scales(10.0, 0.0) == [1.0, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7]
    assert fit.scales(10.0, 8.0) == [1.0, 0.95, 0.9, 0.85, 0.8]
    assert fit.scales(6.0, 7.0) == [1.0]  # under the floor already: not shrunk


# --------------------------------------------------------------------------------------------
# Fonts
# --------------------------------------------------------------------------------------------


def test_a_font_covers_what_it_was_seen_to_draw() -> None:
    font = Font("ABCDEF+Sans", {"a": 500.0, "b": 500.0, " ": 250.0})
    assert fonts.covers(font, "ab ba") and not fonts.covers(font, "abc")
    assert not fonts.covers(Font("X", {"a": 500.0}), "a a")  # no space: words would run together


def _dejavu() -> Path:
    path = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if not path.is_file():
        pytest.skip("DejaVu Sans not installed")
    return path


def test_subsets_are_small_and_have_their_characters() -> None:
    from fontTools.ttLib import TTFont

    path = _dejavu()
    data = fonts.subset(path, "Dear Mrs Müller, €1,802.45")
    assert path.stat().st_size > 500_000 and len(data) < 40_000
    cmap = TTFont(io.BytesIO(data)).getBestCmap()
    assert set("Dear Mrs Müller,€1802.45 ") <= {chr(c) for c in cmap} and "Z" not in {chr(c) for c in cmap}
    widths = fonts.widths(path, "MW ")
    assert widths["W"] > widths[" "] > 0


def test_a_fallback_is_found_for_each_kind() -> None:
    _dejavu()
    for face in (fonts.Face("sans"), fonts.Face("serif", bold=True), fonts.Face("mono", italic=True)):
        path = fonts.fallback_file(face, "Straße €")
        assert path is not None and path.is_file() and fonts._has(path, "€")
    assert fonts.installed_family("ABCDEF+DejaVuSans-Bold") == "DejaVu Sans"
    assert fonts.face_of(Font("XYZABC+DejaVuSans-Bold", {}, bold=True), True, False).family == "DejaVu Sans"


# --------------------------------------------------------------------------------------------
# Editing a page: splice, or regenerate where splicing would move kept text
# --------------------------------------------------------------------------------------------


def _pdf(content: bytes, shading: bool = False) -> bytes:
    """A one-page PDF (300 x 300 pt, Helvetica as /F1, a red-to-blue shading as /Sh1)."""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 300] /Resources << /Font << /F1 5 0 R >>"
        b" /Shading << /Sh1 6 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /ShadingType 2 /ColorSpace /DeviceRGB /Coords [0 0 300 0] /Function << /FunctionType 2 /Domain [0 1]"
        b" /C0 [1 0 0] /C1 [0 0 1] /N 1 >> /Extend [true true] >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref))
    return out.getvalue()


DRAWINGS = (b"q 0 250 300 50 re W n /Sh1 sh Q\n"  # a shading clipped to a band
            b"q 20 20 m 120 20 l 70 120 l h W n 0 1 0 rg 0 0 300 300 re f Q\n"  # a triangle (a clip, filled)
            b"q 40 0 0 40 200 60 cm BI /W 2 /H 2 /CS /RGB /BPC 8 ID \xff\x00\x00\x00\xff\x00\x00\x00\xff\xff\xff\x00 EI Q\n")


def _render(data: bytes):
    import numpy as np
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        return np.asarray(doc[0].render(scale=1).to_pil().convert("RGB")).astype(int)
    finally:
        doc.close()


def test_splicing_keeps_shadings_inline_images_and_clips() -> None:
    pytest.importorskip("pikepdf")
    from summtrans.formats.base import Unit
    from summtrans.formats.pdf import PdfBackend

    data = _pdf(DRAWINGS + b"BT /F1 12 Tf 30 200 Td (Ein kurzer Satz auf der Seite.) Tj ET\n")
    backend = PdfBackend()
    ex = backend.read(data, "s.pdf")
    out = backend.write(ex, [Unit(u.text.upper(), role=u.role) for u in ex.units])
    before, after = _render(data), _render(out)
    changed = (before != after).any(axis=2)
    rows = changed.any(axis=1).nonzero()[0]
    assert rows.size and 300 - 200 - 12 <= rows.min() and rows.max() <= 300 - 200 + 4  # the text's line alone
    assert ex.warnings == ()


def test_where_splicing_would_move_kept_text_the_page_is_regenerated() -> None:
    pytest.importorskip("pikepdf")
    import pypdfium2 as pdfium

    from summtrans.formats.pdf import edit

    data = _pdf(b"BT /F1 12 Tf 30 200 Td (Erster) Tj (Zweiter) Tj ET\n")  # the second follows the first
    doc = pdfium.PdfDocument(data)
    textpage = doc[0].get_textpage()
    start = textpage.get_charbox(textpage.get_text_range().index("Zweiter"))
    doc.close()
    run = edit.Run(edit.FontSource(standard="Helvetica"), 12.0, "First", 30.0, 200.0)
    out, left = edit.write(data, {0: edit.Change([0], [run])}, {0: [0, 1]})
    assert left == []
    doc = pdfium.PdfDocument(out)
    textpage = doc[0].get_textpage()
    text = textpage.get_text_range()
    assert "First" in text and "Erster" not in text
    assert textpage.get_charbox(text.index("Zweiter")) == pytest.approx(start, abs=0.01)  # where it was
    doc.close()
    shaded = _pdf(DRAWINGS + b"BT /F1 12 Tf 30 200 Td (Erster) Tj (Zweiter) Tj ET\n")
    out, left = edit.write(shaded, {0: edit.Change([0], [run])}, {0: [0, 1]})
    assert left == [0] and _render(out).tolist() == _render(shaded).tolist()  # PDFium would drop the shading: as it was


# --------------------------------------------------------------------------------------------
# A scanned page's English on a text page (scans.py)
# --------------------------------------------------------------------------------------------


def _items(*texts: str, cells: dict[int, tuple] | None = None):
    from summtrans.formats.pdf import scans

    style = scans.style(10.0)
    return [scans.Item([(w, style) for w in t.split()], (cells or {}).get(k)) for k, t in enumerate(texts)]


def test_a_text_page_sets_the_units_in_order_top_down_inside_its_area() -> None:
    from summtrans.formats.pdf import scans

    box = (50.0, 100.0, 250.0, 700.0)
    texts = ["eins zwei drei vier fünf sechs sieben acht neun zehn elf zwölf", "dreizehn vierzehn", "fünfzehn"]
    lines, over = scans.lay_out(_items(*texts), box, measure)
    assert not over and lines[0].size == 10.0  # room enough: the body size
    assert [w for ln in lines for w, _, _ in ln.words] == " ".join(texts).split()  # every word, in order
    assert all(b.baseline > a.baseline - 0.01 for a, b in zip(lines[1:], lines))  # top down
    for ln in lines:
        left, bottom, right, top = ln.box(measure)
        assert box[0] - 0.01 <= left and right <= box[2] + 0.5 * ln.size and box[1] <= bottom and top <= box[3] + 0.01
    assert len(lines) >= 4  # the first unit wraps (60 pt of text per 200 pt line at 5 pt a character)


def test_a_crowded_text_page_is_set_smaller_and_runs_over_only_at_the_smallest_scale() -> None:
    from summtrans.formats.pdf import scans

    box = (50.0, 500.0, 250.0, 700.0)  # 200 pt high
    some = ["wort " * 40] * 4  # 20 lines at 10 pt: too many for 200 pt at 12.5 pt pitch
    lines, over = scans.lay_out(_items(*some), box, measure)
    assert not over and scans.MIN_SCALE * 10 - 0.01 <= lines[0].size < 10.0
    assert min(ln.baseline - 0.22 * ln.size for ln in lines) >= box[1] - 0.5
    lines, over = scans.lay_out(_items(*(["wort " * 40] * 12)), box, measure)
    assert over and lines[0].size == pytest.approx(scans.MIN_SCALE * 10)


def test_a_table_rows_cells_stand_side_by_side_in_their_columns() -> None:
    from summtrans.formats.pdf import scans

    box = (0.0, 0.0, 400.0, 800.0)
    cells = {1: (0, 0, 0.0, 0.5), 2: (0, 0, 0.5, 1.0), 3: (0, 1, 0.0, 0.5), 4: (0, 1, 0.5, 1.0)}
    lines, _ = scans.lay_out(_items("Vorher ein Absatz", "Monat", "Betrag", "April", "563,00 EUR", cells=cells), box,
                             measure)
    by_word = {ln.words[0][0]: ln for ln in lines}
    assert by_word["Monat"].baseline == by_word["Betrag"].baseline > by_word["April"].baseline == by_word["563,00"].baseline
    assert by_word["Monat"].words[0][2] == 0.0 and by_word["Betrag"].words[0][2] == 200.0  # each in its column
    assert by_word["Vorher"].baseline > by_word["Monat"].baseline


def test_the_text_area_is_the_scans_extent_centred_within_margins() -> None:
    from summtrans.formats.pdf import scans
    from summtrans.formats.pdf.model import Page

    assert scans.area(600.0, 800.0, Page(0, 500.0, 700.0, [], [])) == (50.0, 50.0, 550.0, 750.0)
    left, bottom, right, top = scans.area(600.0, 800.0, Page(0, 900.0, 900.0, [], []))  # a photo wider than the page
    assert (left, bottom, right, top) == (scans.MARGIN, scans.MARGIN, 600.0 - scans.MARGIN, 800.0 - scans.MARGIN)
