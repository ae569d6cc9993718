"""Renders docs/pdf-before-after.png: page 1 of the test letter (tests/pdf_letters.py) in German
and as `summtrans translate --pdf layout` writes it. The English comes from the table below (a
person's translation), not from a model: the picture shows the layout, not a model's quality.

    PYTHONPATH=src .venv/bin/python docs/pdf_before_after.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

ENGLISH = {
    "Stadtwerke Musterstadt": "Musterstadt Public Utilities",
    "Energie und Wasser für die Region": "Energy and water for the region",
    "Stadtwerke Musterstadt · Hauptstraße 5 · 12345 Musterstadt":
        "Musterstadt Public Utilities · Hauptstraße 5 · 12345 Musterstadt",
    "Frau Erika Müller Lindenstraße 12 10115 Berlin": "Ms Erika Müller Lindenstraße 12 10115 Berlin",
    "Kundennummer: 4711-0815 Rechnungsnummer: 2024-03-117": "Customer no.: 4711-0815 Invoice no.: 2024-03-117",
    "Musterstadt, 3. März 2024": "Musterstadt, 3 March 2024",
    "Jahresabrechnung für Strom und Gas 2023": "Annual statement for electricity and gas 2023",
    "Sehr geehrte Frau Müller,": "Dear Ms Müller,",
    "wir danken Ihnen": "thank you for your trust. With this letter you receive the annual statement for electricity "
    "and gas. It covers the period from 1 January to 31 December 2023. Your consumption was read from your meter "
    "and calculated with the prices of your contract.",
    "Bitte überweisen": "Please transfer the amount of €1,802.45 by 31 March 2024 to our account with the IBAN "
    "DE89 3704 0044 0532 0130 00. Please quote your customer number so that we can match your payment quickly.",
    "Leistung": "Service", "Zeitraum": "Period", "Betrag": "Amount",
    "Strom: Grundpreis und Arbeitspreis für den ganzen Abrechnungszeitraum":
        "Electricity: standing charge and unit price for the whole billing period",
    "Gas: Grundpreis": "Gas: standing charge", "Summe": "Total",
}
BOLD = "annual statement"  # the German's bold word, in English


def main() -> None:
    import pypdfium2 as pdfium
    from PIL import Image

    import pdf_letters

    from summtrans.formats.base import Span, Unit
    from summtrans.formats.pdf import PdfBackend

    german = pdf_letters.letter()
    backend = PdfBackend()
    extracted = backend.read(german, "brief.pdf")
    units = []
    for unit in extracted.units:
        key = unit.text if unit.text in ENGLISH else next((k for k in ENGLISH if unit.text.startswith(k)), None)
        if key is None:
            units.append(unit)
            continue
        text = ENGLISH[key]
        spans = tuple(Span(text.index(BOLD), text.index(BOLD) + len(BOLD), s.style) for s in unit.spans if BOLD in text)
        units.append(Unit(text, spans, role=unit.role))
    english = backend.write(extracted, units)
    pages = []
    for data in (german, english):
        doc = pdfium.PdfDocument(data)
        image = doc[0].render(scale=1.0).to_pil().convert("RGB")
        pages.append(image.crop((0, 0, image.width, 600)))
        doc.close()
    gap = 16
    both = Image.new("RGB", (2 * pages[0].width + gap, pages[0].height), (200, 200, 200))
    both.paste(pages[0], (0, 0))
    both.paste(pages[1], (pages[0].width + gap, 0))
    out = ROOT / "docs" / "pdf-before-after.png"
    both.quantize(colors=64).save(out, optimize=True)
    print(f"wrote {out} ({out.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
