"""PDF tables: ruled (fpdf2's table()) and aligned (text set at fixed x) tables come out as rows of
cells, one unit per cell, and as markdown tables; prose, two-column pages, lists, a letter's
address beside its info block and code are not taken for tables."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

pytest.importorskip("pypdfium2")
fpdf = pytest.importorskip("fpdf")

from test_formats_pdf import _font, _lines, _pdf  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from summtrans.cli.app import app  # noqa: E402
from summtrans.formats.pdf import PdfBackend  # noqa: E402
from summtrans.formats.pdf.model import Rule  # noqa: E402
from summtrans.formats.pdf.read import build_lines, rules_of_box  # noqa: E402

ROWS = [
    ("Dienst", "Beschreibung", "Name"),
    ("Elektronisches Postamt für alle Schüler", "IMAP-Server mit Dovecot und Sieve-Filtern", "postoffice"),
    ("Verzeichnisdienst mit allen Konten", "OpenLDAP mit Kerberos für die Anmeldung", "ldap"),
    ("Zentrale Datensicherung", "Sicherung jede Nacht | auf den Server", "backup"),
]


def _table_markdown(rows) -> str:
    """The markdown table the rows should give (written out here, not by the backend)."""
    out = ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    out.insert(1, "|" + " --- |" * len(rows[0]))
    return "\n".join(out)


def _read(data: bytes):
    return PdfBackend().read(data, "t.pdf")


def _page_text(data: bytes, index: int = 0) -> str:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        return doc[index].get_textpage().get_text_range()
    finally:
        doc.close()


def _bold(pdf: fpdf.FPDF) -> None:
    bold = Path(_font()).with_name("DejaVuSans-Bold.ttf")
    if not bold.is_file():
        pytest.skip("DejaVuSans-Bold.ttf not installed")
    pdf.add_font("dv", "B", str(bold))


def _ruled(rows=ROWS, caption: str | None = None, repeat: int = 1, borders: str = "ALL") -> bytes:
    pdf = _pdf()
    _bold(pdf)
    pdf.add_page()
    _lines(pdf, 50, 80, ["Die folgende Tabelle zeigt die Dienste des Hauptservers im Netz der Schule."])
    pdf.set_font("dv", size=11)
    pdf.set_y(100)
    pdf.set_auto_page_break(True, margin=60)
    with pdf.table(col_widths=(150, 170, 80), width=400, text_align="LEFT", borders_layout=borders) as table:
        if caption:
            table.row().cell(caption, colspan=3)
        for k in range(repeat):
            for n, row in enumerate(rows):
                if n == 0 and k:
                    continue
                cells = table.row()
                for text in row:
                    cells.cell(text.replace("Nacht", f"Nacht {k}") if k else text)
    pdf.set_auto_page_break(False)
    pdf.set_font("dv", size=11)
    pdf.text(50, pdf.get_y() + 30, "Danach geht der Text weiter.")
    return bytes(pdf.output())


# fpdf2 centres a one-line cell beside a wrapped one; the layouts draw all rules, some or none.
@pytest.mark.parametrize(
    "borders", ["ALL", "HORIZONTAL_LINES", "INTERNAL", "MINIMAL", "NO_HORIZONTAL_LINES", "SINGLE_TOP_LINE", "NONE"]
)
def test_ruled_table_wrapped_cells_are_one_cell_each(borders: str) -> None:
    data = _ruled(borders=borders)
    text = _page_text(data)
    assert "Elektronisches Postamt\r\nfür alle Schüler" in text and "Sieve-Filtern\r\npostoffice" in text  # cells wrap
    ex = _read(data)
    assert ex.markdown == (
        "Die folgende Tabelle zeigt die Dienste des Hauptservers im Netz der Schule.\n\n"
        + _table_markdown(ROWS)
        + "\n\nDanach geht der Text weiter."
    )
    cells = [u for u in ex.units if u.role == "cell"]
    assert [u.text for u in cells] == [text for row in ROWS for text in row]


def test_segment_shows_one_unit_per_cell(tmp_path: Path) -> None:
    src = tmp_path / "dienste.pdf"
    src.write_bytes(_ruled())
    r = CliRunner().invoke(app, ["segment", str(src), "--format", "json"])
    assert r.exit_code == 0, r.output
    units = json.loads(r.stdout)
    units = units["units"] if isinstance(units, dict) else units
    assert [(u["role"], u["text"]) for u in units] == [
        ("paragraph", "Die folgende Tabelle zeigt die Dienste des Hauptservers im Netz der Schule."),
        *[("cell", text) for row in ROWS for text in row],
        ("paragraph", "Danach geht der Text weiter."),
    ]


def test_translated_table_keeps_its_shape() -> None:
    backend = PdfBackend()
    ex = _read(_ruled())
    upper = [type(u)(u.text.upper(), role=u.role) for u in ex.units]
    out = backend.to_text(dataclasses.replace(ex, units=upper, markdown=None))
    assert _table_markdown([[c.upper() for c in row] for row in ROWS]) in out


def test_ruled_table_over_a_page_break_is_one_table_without_the_repeated_header() -> None:
    data = _ruled(repeat=6)  # 19 rows: fpdf2 goes on on page 2 and repeats the header row there
    assert _page_text(data, 1).startswith("Dienst")
    rows = [ROWS[0]] + [
        tuple(c.replace("Nacht", f"Nacht {k}") if k else c for c in row) for k in range(6) for row in ROWS[1:]
    ]
    assert _table_markdown(rows) in (_read(data).markdown or "")


def test_a_first_row_across_the_table_is_its_caption() -> None:
    ex = _read(_ruled(caption="Tabelle der Dienste"))
    assert "\n\nTabelle der Dienste\n\n" + _table_markdown(ROWS) + "\n\n" in (ex.markdown or "")
    assert [u.role for u in ex.units][:3] == ["paragraph", "paragraph", "cell"]


def _aligned(rows: list[tuple[list[str], ...]], xs=(50, 220, 420), lead: float = 13, row_gap: float = 9) -> bytes:
    """A table without rules: each cell's lines (wrapped by hand) set with text() at its column's x."""
    pdf = _pdf()
    pdf.add_page()
    _lines(pdf, 50, 80, ["Die Dienste im Überblick, wie sie nach der Installation eingerichtet sind."])
    pdf.set_font("dv", size=11)
    y = 110.0
    for row in rows:
        for x, cell in zip(xs, row):
            for k, line in enumerate(cell):
                pdf.text(x, y + k * lead, line)
        y += max(len(cell) for cell in row) * lead + row_gap
    _lines(pdf, 50, y + 20, ["Danach geht der Text weiter."])
    return bytes(pdf.output())


WRAPPED = [
    (["Dienst"], ["Beschreibung"], ["Name"]),
    (["Elektronisches Postamt", "für alle Schüler"], ["IMAP-Server mit Dovecot", "und Sieve-Filtern"], ["postoffice"]),
    (["Verzeichnisdienst mit", "allen Konten"], ["OpenLDAP mit Kerberos", "für die Anmeldung"], ["ldap"]),
    (["Zentrale Datensicherung"], ["Sicherung jede Nacht |", "auf den Server"], ["backup"]),
]


def test_aligned_table_with_wrapped_cells() -> None:
    ex = _read(_aligned(WRAPPED))
    assert ex.markdown == (
        "Die Dienste im Überblick, wie sie nach der Installation eingerichtet sind.\n\n"
        + _table_markdown(ROWS)
        + "\n\nDanach geht der Text weiter."
    )
    assert sum(u.role == "cell" for u in ex.units) == 12


def test_aligned_table_without_row_spacing() -> None:
    # Rows set at the line spacing: a line with an empty first column goes on the row above.
    rows = [
        (["Frist"], ["Was zu tun ist"], ["Stelle"]),
        (["2 Wochen"], ["Widerspruch einlegen, schriftlich", "oder zur Niederschrift"], ["Jobcenter"]),
        (["1 Monat"], ["Klage erheben"], ["Sozialgericht"]),
        (["sofort"], ["Umzug melden"], ["Bürgeramt"]),
    ]
    ex = _read(_aligned(rows, row_gap=0))
    assert _table_markdown([[" ".join(cell) for cell in row] for row in rows]) in (ex.markdown or "")


def test_key_value_form_is_a_two_column_table() -> None:
    pdf = _pdf()
    pdf.add_page()
    rows = [("Name:", "Erika Mustermann"), ("Geburtsdatum:", "1. April 1980"), ("Kundennummer:", "123456")]
    pdf.set_font("dv", size=11)
    for i, (key, value) in enumerate(rows):
        pdf.text(50, 100 + 14 * i, key)
        pdf.text(320, 100 + 14 * i, value)
    assert _read(bytes(pdf.output())).markdown == _table_markdown(rows)


# --------------------------------------------------------------------------------------------
# Not tables
# --------------------------------------------------------------------------------------------


def test_paragraphs_are_not_a_table() -> None:
    pdf = _pdf()
    pdf.add_page()
    first = [
        "    Mit diesem Schreiben teilen wir Ihnen mit, dass Ihr Antrag auf Leistungen",
        "zur Sicherung des Lebensunterhalts bewilligt wurde. Die Leistungen werden",
        "monatlich im Voraus gezahlt.",
    ]
    second = [
        "    Bitte teilen Sie uns jede Änderung Ihrer Verhältnisse sofort mit. Das gilt",
        "auch für Einkommen, das Sie nur einmal erhalten.",
    ]
    y = _lines(pdf, 50, 100, first)
    _lines(pdf, 50, y + 8, second)
    ex = _read(bytes(pdf.output()))
    assert "|" not in (ex.markdown or "")
    assert [u.role for u in ex.units] == ["paragraph", "paragraph"]
    assert ex.units[1].text == " ".join(s.strip() for s in second)


def test_two_column_page_is_read_column_by_column() -> None:
    pdf = _pdf()
    pdf.add_page()
    left = ["Die linke Spalte beginnt mit diesem", "langen Satz, der über mehrere Zeilen", "der Spalte läuft", "und hier endet."]
    right = ["Die rechte Spalte folgt erst danach", "und hat einen eigenen Absatz, der so", "lang ist wie der in der", "linken Spalte."]
    _lines(pdf, 50, 100, left)
    _lines(pdf, 320, 100, right)
    ex = _read(bytes(pdf.output()))
    assert ex.markdown == " ".join(left) + "\n\n" + " ".join(right)


@pytest.mark.parametrize("markers", [("•", "•", "•"), ("1.", "2.", "3.")])
def test_list_with_markers_set_apart_is_a_list(markers) -> None:
    items = [
        ["Den Antrag vollständig ausfüllen und", "mit Datum unterschreiben"],
        ["Die Nachweise über das Einkommen der", "letzten drei Monate beilegen"],
        ["Alles bis zum 15. März zurücksenden"],
    ]
    pdf = _pdf()
    pdf.add_page()
    y = 100.0
    for marker, lines in zip(markers, items):
        _lines(pdf, 50, y, [marker])
        y = _lines(pdf, 75, y, lines)  # 25 pt from the marker: wider than a column gap
    ex = _read(bytes(pdf.output()))
    assert "|" not in (ex.markdown or "")
    texts = [u.text for u in ex.units]
    if markers[0] == "•":
        assert ex.markdown == "\n\n".join("- " + " ".join(lines) for lines in items)
    else:
        assert texts == [f"{m} {' '.join(lines)}" for m, lines in zip(markers, items)]


def _letter_head(info: list[tuple[str, str]] | list[str]) -> bytes:
    pdf = _pdf()
    pdf.add_page()
    _lines(pdf, 50, 130, ["Jobcenter Berlin Mitte, Postfach 1, 10115 Berlin"], size=7)
    address = ["Frau", "Erika Mustermann", "Hauptstraße 5", "10115 Berlin"]
    _lines(pdf, 50, 150, address)
    y = 150.0
    for entry in info:
        if isinstance(entry, tuple):
            _lines(pdf, 360, y, [entry[0]])
            _lines(pdf, 470, y, [entry[1]])
        else:
            _lines(pdf, 360, y, [entry])
        y += 14
    y = _lines(pdf, 50, 250, ["Bescheid über Leistungen"], size=15, lead=24)
    _lines(pdf, 50, y, ["Sehr geehrte Frau Mustermann, Ihr Antrag wurde bewilligt."])
    return bytes(pdf.output())


def test_address_beside_info_block_is_not_a_table() -> None:
    info = ["Ihr Zeichen: AB-12", "Unser Zeichen: 4711", "Datum: 3. März 2024"]
    ex = _read(_letter_head(info))
    assert "|" not in (ex.markdown or "")
    texts = [u.text for u in ex.units]
    assert texts[1:3] == ["Frau Erika Mustermann Hauptstraße 5 10115 Berlin", " ".join(info)]
    assert texts[3] == "Bescheid über Leistungen"


def test_address_beside_label_value_columns_leaves_the_address_whole() -> None:
    info = [("Ihr Zeichen:", "AB-12"), ("Unser Zeichen:", "4711"), ("Datum:", "3. März 2024")]
    ex = _read(_letter_head(info))
    assert ex.units[1].text == "Frau Erika Mustermann Hauptstraße 5 10115 Berlin"
    assert ex.units[1].role == "paragraph"
    assert _table_markdown(info) in (ex.markdown or "")  # the info block alone is a table


def test_code_in_a_monospaced_font_is_not_a_table() -> None:
    mono = Path(_font()).with_name("DejaVuSansMono.ttf")
    if not mono.is_file():
        pytest.skip("DejaVuSansMono.ttf not installed")
    pdf = _pdf()
    pdf.add_font("mono", "", str(mono))
    pdf.add_page()
    _lines(pdf, 50, 80, ["Die Datei wird um die folgenden Zeilen ergänzt:"])
    pdf.set_font("mono", size=9)
    code = [("d-i", "apt-setup/local1/comment string", "Example Software Repository"),
            ("d-i", "apt-setup/local1/source boolean", "true"),
            ("d-i", "apt-setup/local1/key string", "http://example.org/key.asc")]
    for i, row in enumerate(code):
        for x, part in zip((50, 100, 330), row):
            pdf.text(x, 100 + 12 * i, part)
    ex = _read(bytes(pdf.output()))
    assert "|" not in (ex.markdown or "")
    assert "cell" not in {u.role for u in ex.units}


# --------------------------------------------------------------------------------------------
# Rules and fragments
# --------------------------------------------------------------------------------------------


def test_rules_from_path_bounds() -> None:
    assert rules_of_box(50, 100, 300, 100.8) == [Rule(False, 100.4, 50, 300)]  # a thin line across
    assert rules_of_box(200, 50, 200.5, 300) == [Rule(True, 200.25, 50, 300)]
    box = rules_of_box(50, 100, 150, 130)  # a cell's border
    assert sorted((r.vertical, r.at) for r in box) == [(False, 100), (False, 130), (True, 50), (True, 150)]
    assert rules_of_box(10, 10, 14, 14) == []  # a mark (a bullet drawn as a square)


def test_a_vertical_rule_between_two_words_ends_the_fragment() -> None:
    words = [("", "Postamt", (50, 95, 100, 110, 10)), (" ", "postoffice", (100, 150, 100, 110, 10))]
    assert [ln.text for ln in build_lines(words, 0)] == ["Postamt postoffice"]  # a 5 pt gap: one fragment
    wall = Rule(True, 97.5, 90, 120)
    assert [ln.text for ln in build_lines(words, 0, [wall])] == ["Postamt", "postoffice"]
    low = Rule(True, 97.5, 0, 50)  # the rule of another row
    assert [ln.text for ln in build_lines(words, 0, [low])] == ["Postamt postoffice"]


def test_rules_framing_a_letter_and_its_sidebar_are_not_a_table() -> None:
    pdf = _pdf()
    pdf.add_page()
    _lines(pdf, 50, 60, ["Jobcenter Berlin Mitte"], size=15)
    _lines(pdf, 420, 60, ["Telefon 030 1234"], size=9)
    pdf.line(40, 80, 560, 80)  # under the letterhead
    pdf.line(400, 40, 400, 800)  # the sidebar's edge
    pdf.rect(40, 40, 520, 760)  # a frame around the page
    body = [f"Satz {n} des Bescheids erklärt, was sich ändert, und wie es" for n in range(1, 19)] + ["weitergeht."]
    _lines(pdf, 50, 110, body)
    _lines(pdf, 420, 110, ["Sprechzeiten", "Mo bis Fr", "8 bis 12 Uhr"], size=9)
    ex = _read(bytes(pdf.output()))
    assert "cell" not in {u.role for u in ex.units}
