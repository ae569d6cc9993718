"""Document-format overhead: extract + rebuild next to translating the same text; inline spans placed.

    PYTHONPATH=src .venv/bin/python benchmarks/formats_overhead.py [--only docx,pdf,inline]
        [--pages 50] [--sample-pages 2]

docx: a 50-page Word document (news sentences from ../shared/corpus/de-news, bold words, a
table per page) read, translated with the echo engine through inline.translate_units and
written back; per-page seconds beside the mini Marian's (../shared) per-page translation time on
a sample of pages. inline: how many formatted spans of a caption document were placed on the
English words, fell back to the whole unit, or were dropped. pdf: see bench_pdf().
Prints the numbers; nothing here fails on a target.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
MINI = SHARED / "models" / "mini-marian-de-en"
DE_NEWS = SHARED / "corpus" / "de-news"
MULTI30K = SHARED / "corpus" / "multi30k-test2016" / "test_2016_flickr.de"
WORDS_PER_PAGE = 450
ARTICLES = {"einem", "einer", "eine", "ein", "der", "die", "das", "den", "dem"}


def news_sentences() -> list[str]:
    text = " ".join(p.read_text(encoding="utf-8") for p in sorted(DE_NEWS.glob("*.txt")))
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) >= 4]


def make_docx(pages: int) -> tuple[bytes, int]:
    """A `pages`-page Word document: paragraphs of news sentences, a bold word in each, a table per page."""
    import docx

    sentences = news_sentences()
    document = docx.Document()
    k = 0
    for page in range(pages):
        document.add_heading(f"Abschnitt {page + 1}", 1)
        words = 0
        while words < WORDS_PER_PAGE:
            para = " ".join(sentences[(k + i) % len(sentences)] for i in range(3))
            k += 3
            words += len(para.split())
            tokens = para.split(" ")
            p = document.add_paragraph()
            longest = max(range(len(tokens)), key=lambda i: len(tokens[i]))
            p.add_run(" ".join(tokens[:longest]) + " ")
            p.add_run(tokens[longest]).bold = True
            p.add_run(" " + " ".join(tokens[longest + 1 :]))
        table = document.add_table(rows=2, cols=3)
        for i, cell in enumerate(table._cells):
            cell.text = f"Wert {i} auf Seite {page + 1}"
        document.add_page_break()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue(), pages


def translator(engine: str):
    from summtrans.engines import EngineOptions, load_engine
    from summtrans.translate import Translator

    model = "echo" if engine == "echo" else str(MINI)
    t = Translator(load_engine(model, EngineOptions(engine=engine)))
    return lambda texts: [r.text for r in t.translate_many(texts)]


def bench_docx(pages: int = 50, sample_pages: int = 2) -> None:
    from summtrans.formats import backend_for, translate_units

    data, _ = make_docx(pages)
    backend = backend_for("x.docx")
    t0 = time.perf_counter()
    extracted = backend.read(data, "bench.docx")
    t1 = time.perf_counter()
    translated, _ = translate_units(extracted.units, translator("echo"))
    t2 = time.perf_counter()
    upper = [u.__class__(u.text.upper(), u.spans, u.role) for u in translated]  # forces a real rebuild
    out = backend.write(extracted, upper)
    t3 = time.perf_counter()
    words = sum(len(u.text.split()) for u in extracted.units)
    print(f"docx: {pages} pages, {len(data) / 1e6:.2f} MB, {len(extracted.units)} units, {words} words")
    print(f"  extract {t1 - t0:.2f} s, echo translate_units {t2 - t1:.2f} s, rebuild+save {t3 - t2:.2f} s "
          f"-> format overhead {(t1 - t0 + t3 - t2) / pages * 1000:.0f} ms/page ({len(out) / 1e6:.2f} MB out)")
    if not (MINI / "config.json").is_file():
        print("  (../shared/models/mini-marian-de-en absent: no translation timing)")
        return
    share = max(1, len(extracted.units) * sample_pages // pages)
    sample = extracted.units[:share]
    translate = translator("ctranslate2")
    translate(["Warm-up."])
    t4 = time.perf_counter()
    translate_units(sample, translate)
    t5 = time.perf_counter()
    per_page = (t5 - t4) / sample_pages
    print(f"  mini Marian (ctranslate2) on {sample_pages} pages ({share} units): {t5 - t4:.1f} s "
          f"-> {per_page:.2f} s/page; format overhead = {(t1 - t0 + t3 - t2) / pages / per_page:.1%} of it")


def inline_document(count: int = 60) -> bytes:
    """Captions with inline formatting: the longest word bold, every 2nd paragraph the second longest
    italic, every 3rd an article and its noun linked."""
    import docx

    lines = MULTI30K.read_text(encoding="utf-8").splitlines()[:count]
    document = docx.Document()
    for i, line in enumerate(lines):
        tokens = line.rstrip(".").split(" ")
        by_length = sorted(range(1, len(tokens)), key=lambda j: -len(tokens[j]))
        styles = {by_length[0]: "bold"}
        if i % 2 and len(by_length) > 1:
            styles[by_length[1]] = "italic"
        if i % 3 == 0:
            pair = next((j for j in range(len(tokens) - 1) if tokens[j].lower() in ARTICLES
                         and j not in styles and j + 1 not in styles), None)
            if pair is not None:
                styles.update({pair: "link", pair + 1: "link"})
        p = document.add_paragraph()
        j = 0
        while j < len(tokens):
            style = styles.get(j)
            end = j + 2 if style == "link" else j + 1
            text = " ".join(tokens[j:end]).rstrip(",")
            rest = tokens[end - 1][len(tokens[end - 1].rstrip(",")) :] + (" " if end < len(tokens) else ".")
            if style == "link":
                _link(p, text, f"https://example.org/{i}")
            else:
                run = p.add_run(text)
                run.bold = style == "bold" or None
                run.italic = style == "italic" or None
            p.add_run(rest)
            j = end
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _link(p, text: str, url: str) -> None:
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement

    rid = p.part.relate_to(url, "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink",
                           is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rid)
    run = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    t.text = text
    run.append(t)
    link.append(run)
    p._p.append(link)


def bench_inline(count: int = 60, show: int = 0) -> None:
    from summtrans.formats import backend_for, translate_units

    if not (MINI / "config.json").is_file():
        print("inline: ../shared/models/mini-marian-de-en absent")
        return
    backend = backend_for("x.docx")
    extracted = backend.read(inline_document(count), "inline.docx")
    spans = sum(len(u.spans) for u in extracted.units)
    links = sum(1 for u in extracted.units for s in u.spans if s.link)
    translated, stats = translate_units(extracted.units, translator("ctranslate2"))
    kept_links = sum(1 for u in translated for s in u.spans if s.link)
    print(f"inline: {len(extracted.units)} paragraphs, {spans} spans ({links} links): placed {stats.placed} "
          f"(exact {stats.exact}, fuzzy {stats.fuzzy}), fallback {stats.fallback}, dropped {stats.dropped}; "
          f"links kept {kept_links}/{links}")
    out = backend.read(backend.write(extracted, translated), "out.docx")
    print(f"  written and read back: {sum(len(u.spans) for u in out.units)} spans")
    for src, dst in list(zip(extracted.units, translated))[:show]:
        print("   ", [src.text[s.start : s.end] for s in src.spans], "->",
              [dst.text[s.start : s.end] for s in dst.spans], "|", dst.text)


def make_pdf(pages: int) -> bytes | None:
    """A `pages`-page PDF (fpdf2, DejaVuSans): a heading per page, justified news paragraphs, a
    running header and "Seite N von M" footer; None when fpdf2 or the font is missing."""
    import shutil
    import subprocess

    try:
        import fpdf
    except ImportError:
        return None
    font = subprocess.run(["fc-match", "-f", "%{file}", "DejaVuSans"], capture_output=True, text=True).stdout \
        if shutil.which("fc-match") else ""
    if "DejaVuSans" not in font:
        return None

    class Letter(fpdf.FPDF):
        def header(self) -> None:
            self.set_font("dv", size=8)
            self.cell(0, 10, "Stadtzeitung – Nachrichten aus Berlin", new_x="LMARGIN", new_y="NEXT")

        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("dv", size=8)
            self.cell(0, 10, f"Seite {self.page_no()} von {{nb}}", align="C")

    sentences = news_sentences() if DE_NEWS.is_dir() else ["Der Senat hat am Dienstag neue Regeln beschlossen."]
    pdf = Letter()
    pdf.add_font("dv", "", font)
    k = 0
    for page in range(pages):
        pdf.add_page()
        pdf.set_font("dv", size=16)
        pdf.multi_cell(0, 9, f"Abschnitt {page + 1}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("dv", size=10)
        words = 0
        while words < WORDS_PER_PAGE and pdf.get_y() < 250:
            para = " ".join(sentences[(k + i) % len(sentences)] for i in range(3))
            k += 3
            words += len(para.split())
            pdf.multi_cell(0, 5, para, align="J", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
    return bytes(pdf.output())


def _best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def bench_pdf(pages: int = 50, sample_pages: int = 2) -> None:
    """Extraction pages/s against plain pypdf (and raw PDFium text), overhead next to translation."""
    from summtrans.formats import backend_for, translate_units

    data = make_pdf(pages)
    if data is None:
        print("pdf: fpdf2 or the DejaVuSans font missing")
        return
    backend = backend_for("x.pdf")
    extracted = backend.read(data, "bench.pdf")
    words = sum(len(u.text.split()) for u in extracted.units)
    print(f"pdf: {pages} pages, {len(data) / 1e6:.2f} MB, {len(extracted.units)} units, {words} words")
    ours = _best(lambda: backend.read(data, "bench.pdf"))

    def raw_pdfium() -> None:
        import pypdfium2 as pdfium

        doc = pdfium.PdfDocument(data)
        for page in doc:
            page.get_textpage().get_text_range()
        doc.close()

    rows = [("summtrans pdf backend (paragraphs, order, headers)", ours),
            ("pypdfium2 get_text_range (raw text)", _best(raw_pdfium))]
    try:
        import pypdf

        rows.append(("pypdf extract_text (plain)", _best(
            lambda: [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages])))
    except ImportError:
        print("  (pypdf not installed: pip install pypdf for the comparison)")
    for name, seconds in rows:
        print(f"  {name:52s} {seconds:6.3f} s  {pages / seconds:7.1f} pages/s")
    t0 = time.perf_counter()
    translated, _ = translate_units(extracted.units, translator("echo"))
    t1 = time.perf_counter()
    backend.write(extracted, [u.__class__(u.text.upper(), u.spans, u.role) for u in translated])
    t2 = time.perf_counter()
    overhead = ours + (t2 - t1)
    print(f"  extract {ours:.2f} s + echo translate_units {t1 - t0:.2f} s + write {t2 - t1:.3f} s "
          f"-> format overhead {overhead / pages * 1000:.0f} ms/page")
    if not (MINI / "config.json").is_file():
        print("  (../shared/models/mini-marian-de-en absent: no translation timing)")
        return
    share = max(1, len(extracted.units) * sample_pages // pages)
    translate = translator("ctranslate2")
    translate(["Warm-up."])
    t3 = time.perf_counter()
    translate_units(extracted.units[:share], translate)
    per_page = (time.perf_counter() - t3) / sample_pages
    print(f"  mini Marian (ctranslate2) on {sample_pages} pages ({share} units): {per_page:.2f} s/page; "
          f"format overhead = {overhead / pages / per_page:.1%} of it")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="docx,pdf,inline")
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--sample-pages", type=int, default=2)
    parser.add_argument("--show", type=int, default=0, help="print this many inline placements")
    args = parser.parse_args(argv)
    only = set(args.only.split(","))
    if "docx" in only:
        bench_docx(args.pages, args.sample_pages)
    if "pdf" in only:
        bench_pdf(args.pages, args.sample_pages)
    if "inline" in only:
        bench_inline(show=args.show)


if __name__ == "__main__":
    sys.exit(main())
