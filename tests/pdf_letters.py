"""German PDFs made with fpdf2 for the PDF writer's tests and benchmark: a two-page letter (a
coloured letterhead band with a logo, an address block, a bold subject, justified paragraphs, a
table with a cell that wraps, a footer with an IBAN), a two-column page, a page whose text sits
in a form XObject, and a paragraph with little room around it."""

from __future__ import annotations

import ctypes
import io
from pathlib import Path

import fpdf

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")

IBAN = "DE89 3704 0044 0532 0130 00"
BOLD_WORD = "Jahresabrechnung"  # bold inside the first paragraph
AMOUNTS = ("1.234,56 €", "567,89 €", "1.802,45 €")
PARAGRAPHS = [
    "wir danken Ihnen für Ihr Vertrauen. Mit diesem Schreiben erhalten Sie die Jahresabrechnung für Strom und "
    "Gas. Die Abrechnung umfasst den Zeitraum vom 1. Januar bis zum 31. Dezember 2023. Der Verbrauch wurde an "
    "Ihrem Zähler abgelesen und mit den Preisen des Vertrags berechnet.",
    f"Bitte überweisen Sie den Betrag von {AMOUNTS[2]} bis zum 31. März 2024 auf unser Konto mit der IBAN {IBAN}. "
    "Geben Sie dabei bitte Ihre Kundennummer an, damit wir die Zahlung schnell zuordnen können.",
]
CLOSING = [
    "Ab dem 1. April 2024 ändern sich die Abschläge. Der neue monatliche Abschlag beträgt 150,00 € und wird "
    "wie bisher am Ersten des Monats von Ihrem Konto abgebucht. Wenn Sie Fragen zu dieser Abrechnung haben, "
    "erreichen Sie unseren Kundenservice montags bis freitags von 8 bis 18 Uhr.",
    "Mit freundlichen Grüßen",
    "Ihre Stadtwerke Musterstadt",
]
TABLE = [
    ("Leistung", "Zeitraum", "Betrag"),
    ("Strom: Grundpreis und Arbeitspreis für den ganzen Abrechnungszeitraum", "01.01.–31.12.2023", AMOUNTS[0]),
    ("Gas: Grundpreis", "01.01.–31.12.2023", AMOUNTS[1]),
    ("Summe", "", AMOUNTS[2]),
]


def fonts_present() -> bool:
    return all((DEJAVU / f"DejaVuSans{s}.ttf").is_file() for s in ("", "-Bold", "-Oblique"))


def _pdf() -> fpdf.FPDF:
    pdf = fpdf.FPDF(format="A4", unit="pt")  # 595 x 842 pt
    pdf.add_font("dv", "", str(DEJAVU / "DejaVuSans.ttf"))
    pdf.add_font("dv", "B", str(DEJAVU / "DejaVuSans-Bold.ttf"))
    pdf.add_font("dv", "I", str(DEJAVU / "DejaVuSans-Oblique.ttf"))
    pdf.set_auto_page_break(False)
    pdf.set_margins(60, 40, 60)
    return pdf


def _logo():
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (80, 80), (20, 60, 120))
    ImageDraw.Draw(image).ellipse((10, 10, 70, 70), fill=(250, 200, 40))
    return image


def _footer(pdf: fpdf.FPDF, page: int, pages: int) -> None:
    pdf.set_draw_color(20, 60, 120)
    pdf.line(60, 790, 535, 790)
    pdf.set_font("dv", size=7)
    pdf.set_text_color(80, 80, 80)
    pdf.text(60, 802, f"Stadtwerke Musterstadt GmbH · Sparkasse Musterstadt · IBAN {IBAN} · BIC COBADEFFXXX")
    pdf.text(500, 815, f"Seite {page} von {pages}")
    pdf.set_text_color(0, 0, 0)


def _letterhead(pdf: fpdf.FPDF) -> None:
    pdf.set_fill_color(20, 60, 120)
    pdf.rect(0, 0, 595, 90, "F")
    pdf.image(_logo(), x=475, y=15, w=60, h=60)
    pdf.set_text_color(255, 255, 255)
    pdf.set_font("dv", "B", 18)
    pdf.text(60, 50, "Stadtwerke Musterstadt")
    pdf.set_font("dv", size=9)
    pdf.text(60, 68, "Energie und Wasser für die Region")
    pdf.set_text_color(0, 0, 0)
    pdf.set_fill_color(255, 255, 255)


def _paragraph(pdf: fpdf.FPDF, text: str, y: float, size: float = 10, align: str = "J", x: float = 60,
               w: float = 475, bold: str = "") -> float:
    pdf.set_font("dv", size=size)
    pdf.set_xy(x, y)
    if bold:
        pdf.multi_cell(w, size * 1.4, text.replace(bold, f"**{bold}**"), align=align, markdown=True)
    else:
        pdf.multi_cell(w, size * 1.4, text, align=align)
    return pdf.get_y()


def letter() -> bytes:
    """The two-page letter."""
    pdf = _pdf()
    pdf.add_page()
    _letterhead(pdf)
    pdf.set_font("dv", size=7)
    pdf.text(60, 130, "Stadtwerke Musterstadt · Hauptstraße 5 · 12345 Musterstadt")
    pdf.set_font("dv", size=10)
    for i, line in enumerate(("Frau", "Erika Müller", "Lindenstraße 12", "10115 Berlin")):
        pdf.text(60, 150 + 13 * i, line)
    pdf.text(370, 150, "Kundennummer: 4711-0815")
    pdf.text(370, 163, "Rechnungsnummer: 2024-03-117")
    date = "Musterstadt, 3. März 2024"
    pdf.text(535 - pdf.get_string_width(date), 230, date)  # right-aligned by hand
    pdf.set_font("dv", "B", 12)
    pdf.text(60, 265, "Jahresabrechnung für Strom und Gas 2023")
    pdf.set_font("dv", size=10)
    pdf.text(60, 295, "Sehr geehrte Frau Müller,")
    y = _paragraph(pdf, PARAGRAPHS[0], 312, bold=BOLD_WORD)
    y = _paragraph(pdf, PARAGRAPHS[1], y + 10)
    pdf.set_xy(60, y + 14)
    pdf.set_font("dv", size=10)
    pdf.set_draw_color(0, 0, 0)
    with pdf.table(col_widths=(250, 120, 105), width=475, text_align=("LEFT", "LEFT", "RIGHT"),
                   line_height=14, padding=3) as table:
        for row in TABLE:
            cells = table.row()
            for text in row:
                cells.cell(text)
    _footer(pdf, 1, 2)
    pdf.add_page()
    y = _paragraph(pdf, CLOSING[0], 80)
    pdf.set_font("dv", size=10)
    pdf.text(60, y + 30, CLOSING[1])
    pdf.set_font("dv", "I", 10)
    pdf.text(60, y + 70, CLOSING[2])
    _footer(pdf, 2, 2)
    return bytes(pdf.output())


COLUMNS = [
    "Die Stadtwerke bauen in diesem Jahr neue Leitungen im Norden der Stadt. Während der Arbeiten kann es zu "
    "kurzen Unterbrechungen der Versorgung kommen, über die wir Sie rechtzeitig informieren.",
    "Im Süden der Stadt werden die alten Zähler gegen neue Geräte getauscht. Ein Mitarbeiter meldet sich vorher "
    "bei Ihnen und zeigt auf Wunsch seinen Ausweis.",
]


def two_columns() -> bytes:
    """A page with a heading across and two justified columns under it."""
    pdf = _pdf()
    pdf.add_page()
    pdf.set_font("dv", "B", 14)
    pdf.text(60, 80, "Neuigkeiten aus der Stadt")
    _paragraph(pdf, COLUMNS[0], 100, w=225)
    _paragraph(pdf, COLUMNS[1], 100, x=310, w=225)
    _paragraph(pdf, "Unter den Spalten steht ein Hinweis über die ganze Breite der Seite.", 220)
    return bytes(pdf.output())


FORM_TEXT = "Dieser Absatz steht in einem Formularobjekt."
PAGE_TEXT = "Dieser Absatz steht direkt auf der Seite."


def form_page() -> bytes:
    """A page whose first paragraph sits in a form XObject (made with PDFium from a page of its
    own), and a second paragraph drawn on the page itself (PDFium's Helvetica)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    pdf = _pdf()
    pdf.add_page()
    pdf.set_font("dv", size=11)
    pdf.text(60, 100, FORM_TEXT)
    src = pdfium.PdfDocument(bytes(pdf.output()))
    dest = pdfium.PdfDocument.new()
    page = raw.FPDFPage_New(dest.raw, 0, 595.28, 841.89)
    xobject = raw.FPDF_NewXObjectFromPage(dest.raw, src.raw, 0)
    raw.FPDFPage_InsertObject(page, raw.FPDF_NewFormObjectFromXObject(xobject))
    raw.FPDF_CloseXObject(xobject)
    font = raw.FPDFText_LoadStandardFont(dest.raw, b"Helvetica")
    text = raw.FPDFPageObj_CreateTextObj(dest.raw, font, 11.0)
    encoded = PAGE_TEXT.encode("utf-16-le") + b"\0\0"
    raw.FPDFText_SetText(text, (ctypes.c_ushort * (len(encoded) // 2)).from_buffer_copy(encoded))
    raw.FPDFPageObj_Transform(text, 1, 0, 0, 1, 60, 841.89 - 160)
    raw.FPDFPage_InsertObject(page, text)
    raw.FPDFPage_GenerateContent(page)
    raw.FPDF_ClosePage(page)
    out = io.BytesIO()
    dest.save(out)
    src.close()
    dest.close()
    return out.getvalue()


CRAMPED = (
    "Dieser Absatz hat wenig Platz: Über ihm steht eine Überschrift, unter ihm folgt gleich ein zweiter "
    "Absatz, und seine Übersetzung ist deutlich länger als der deutsche Text, der hier in drei Zeilen steht."
)


def cramped() -> bytes:
    """A justified paragraph with a heading just above, another paragraph just below, and free
    space under that one."""
    pdf = _pdf()
    pdf.add_page()
    pdf.set_font("dv", "B", 12)
    pdf.text(60, 80, "Ein Absatz ohne viel Platz")
    y = _paragraph(pdf, CRAMPED, 90)
    _paragraph(pdf, "Der zweite Absatz steht direkt darunter.", y + 6)
    return bytes(pdf.output())


def many_pages(n: int) -> bytes:
    """`n` pages of letter-like text (the benchmark's input)."""
    pdf = _pdf()
    for k in range(n):
        pdf.add_page()
        _letterhead(pdf)
        pdf.set_font("dv", "B", 12)
        pdf.text(60, 130, f"Abschnitt {k + 1}: Jahresabrechnung für Strom und Gas")
        y = 145
        for text in PARAGRAPHS + CLOSING[:1] + COLUMNS:
            y = _paragraph(pdf, text, y) + 8
        _footer(pdf, k + 1, n)
    return bytes(pdf.output())
