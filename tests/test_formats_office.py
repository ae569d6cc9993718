"""docx, odt/odp, pptx and epub backends: round trips, structure, spans, hostile input."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from summtrans.errors import InputError
from summtrans.formats import SUFFIXES, Span, Unit, backend_for, translate_units
from summtrans.formats.registry import BACKENDS, SUFFIX_TO_NAME

docx = pytest.importorskip("docx")
pptx = pytest.importorskip("pptx")

SECRET = "TOP-SECRET-CONTENT-4711"
HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"


# --------------------------------------------------------------------------------------------
# Documents, built with the formats' own libraries (OpenDocument and EPUB as plain XML in a zip)
# --------------------------------------------------------------------------------------------


def make_docx(tmp_path: Path | None = None) -> bytes:
    """Heading, inline formatting, a link, a table, header/footer with a field, a text box, a footnote."""
    from docx.enum.text import WD_BREAK
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn
    from docx.oxml.parser import OxmlElement

    d = docx.Document()
    d.core_properties.title = "Ein Bericht"
    d.add_heading("Ein Bericht über Wohnungen", 1)
    p = d.add_paragraph("Ich habe jedoch nur ")
    p.add_run("eine").bold = True
    p.add_run(" Wohnung gefunden, die Herr ")
    p.add_run("Müller").italic = True
    p.add_run(" mag.")
    p2 = d.add_paragraph("Lesen Sie ")
    rid = p2.part.relate_to("https://example.org/artikel", HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rid)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "den Artikel"
    run.append(text)
    link.append(run)
    p2._p.append(link)
    p2.add_run(" bitte heute.")
    d.add_paragraph("Ein Punkt der Liste", style="List Bullet")
    broken = d.add_paragraph("Vor dem Umbruch. ")
    broken.add_run().add_break(WD_BREAK.PAGE)
    broken.add_run("Nach dem Umbruch.")
    table = d.add_table(rows=2, cols=2)
    for i, cell in enumerate(table._cells):
        cell.text = f"Zelle {i + 1}"
    box = d.add_paragraph("Vor dem Kasten ")
    box._p.append(
        parse_xml(
            f'<w:r {nsdecls("w")} xmlns:v="urn:schemas-microsoft-com:vml"><w:pict><v:shape><v:textbox><w:txbxContent>'
            "<w:p><w:r><w:t>Text im Kasten</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict></w:r>"
        )
    )
    box.add_run(" und danach.")
    d.sections[0].header.paragraphs[0].text = "Kopfzeile des Amtes"
    footer = d.sections[0].footer.paragraphs[0]
    footer.text = "Seite "
    for xml in ('<w:fldChar w:fldCharType="begin"/>', '<w:instrText xml:space="preserve"> PAGE </w:instrText>',
                '<w:fldChar w:fldCharType="separate"/>', "<w:t>1</w:t>", '<w:fldChar w:fldCharType="end"/>'):
        footer._p.append(parse_xml(f'<w:r {nsdecls("w")}>{xml}</w:r>'))
    footer.add_run(" von zwei")
    buf = io.BytesIO()
    d.save(buf)
    return add_footnote(buf.getvalue(), "Eine Fußnote zum Vertrag.")


def add_footnote(data: bytes, text: str) -> bytes:
    """python-docx cannot write footnotes: add the part, its relationship and content type by hand."""
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    footnotes = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes {w}>'
        f'<w:footnote w:id="1"><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:footnote></w:footnotes>'
    )
    return rezip(
        data,
        {
            "word/footnotes.xml": footnotes.encode(),
            "[Content_Types].xml": lambda b: b.replace(
                b"</Types>",
                b'<Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-'
                b'officedocument.wordprocessingml.footnotes+xml"/></Types>',
            ),
            "word/_rels/document.xml.rels": lambda b: b.replace(
                b"</Relationships>",
                b'<Relationship Id="rIdFn1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                b'relationships/footnotes" Target="footnotes.xml"/></Relationships>',
            ),
        },
    )


def rezip(data: bytes, changes: dict) -> bytes:
    """A copy of a zip with members replaced (bytes), edited (a function of the old bytes) or added."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            change = changes.get(info.filename)
            body = src.read(info)
            zf.writestr(info, change(body) if callable(change) else change if change is not None else body)
        for name, change in changes.items():
            if name not in src.namelist():
                zf.writestr(name, change)
    return out.getvalue()


def make_pptx() -> bytes:
    from pptx.util import Inches

    prs = pptx.Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[1])
    slide.shapes.title.text = "Unser Angebot"
    frame = slide.placeholders[1].text_frame
    frame.text = "Wir haben "
    for text, bold, url in (("drei", True, None), (" neue Produkte, siehe ", False, None),
                            ("Webseite", False, "https://example.de"), (".", False, None)):
        run = frame.paragraphs[0].add_run()
        run.text = text
        run.font.bold = bold or None
        if url:
            run.hyperlink.address = url
    frame.add_paragraph().text = "Zweiter Punkt der Folie"
    table = slide.shapes.add_table(2, 2, Inches(1), Inches(4), Inches(4), Inches(1)).table
    for i, cell in enumerate(table.iter_cells()):
        cell.text = f"Zelle {i + 1}"
    slide.notes_slide.notes_text_frame.text = "Notiz für den Sprecher"
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


ODF_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:dc="http://purl.org/dc/elements/1.1/"'
)
ODT_BODY = (
    '<text:h text:outline-level="1">Ein Bericht</text:h>'
    '<text:p>Ich habe jedoch nur <text:span text:style-name="B">eine</text:span> Wohnung gefunden'
    '<text:note text:id="n1"><text:note-citation>1</text:note-citation><text:note-body>'
    "<text:p>Eine Fußnote.</text:p></text:note-body></text:note>, die Herr "
    '<text:span text:style-name="I">Müller</text:span> mag, siehe '
    '<text:a xlink:href="https://example.org">die Seite</text:a>.</text:p>'
    "<text:list><text:list-item><text:p>Ein Punkt<text:tab/>mit Tabulator</text:p></text:list-item></text:list>"
    "<table:table><table:table-row><table:table-cell><text:p>Zelle eins</text:p></table:table-cell>"
    "<table:table-cell><text:p>Zelle zwei</text:p></table:table-cell></table:table-row></table:table>"
)
ODP_BODY = (
    '<draw:page draw:name="Folie 1"><draw:frame presentation:class="title"><draw:text-box>'
    "<text:p>Unser Angebot</text:p></draw:text-box></draw:frame>"
    "<draw:frame><draw:text-box><text:p>Wir haben <text:span text:style-name=\"B\">drei</text:span>"
    " neue Produkte.</text:p></draw:text-box></draw:frame>"
    "<presentation:notes><draw:frame><draw:text-box><text:p>Notiz für den Sprecher</text:p>"
    "</draw:text-box></draw:frame></presentation:notes></draw:page>"
)


def make_odf(kind: str = "text", body: str = ODT_BODY) -> bytes:
    head = '<?xml version="1.0" encoding="UTF-8"?>'
    content = (f"{head}<office:document-content {ODF_NS}><office:body><office:{kind}>{body}</office:{kind}>"
               "</office:body></office:document-content>")
    styles = (f"{head}<office:document-styles {ODF_NS}><office:master-styles><style:master-page>"
              "<style:header><text:p>Kopfzeile des Amtes</text:p></style:header></style:master-page>"
              "</office:master-styles></office:document-styles>")
    meta = f"{head}<office:document-meta {ODF_NS}><office:meta><dc:title>Titel</dc:title></office:meta></office:document-meta>"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), f"application/vnd.oasis.opendocument.{kind}",
                    compress_type=zipfile.ZIP_STORED)
        for name, text in (("content.xml", content), ("styles.xml", styles), ("meta.xml", meta),
                           ("META-INF/manifest.xml", "<manifest/>"), ("Pictures/x.png", "PNG")):
            zf.writestr(name, text)
    return buf.getvalue()


XHTML_HEAD = ('<?xml version="1.0" encoding="utf-8"?><!DOCTYPE html>'
              '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" '
              'lang="de" xml:lang="de">')
CHAPTER = (
    XHTML_HEAD + "<head><title>Kapitel eins</title><style>p { margin: 0 }</style></head><body>"
    "<h1>Kapitel eins</h1><p>Ich habe jedoch nur <b>eine</b> Wohnung gefunden, die Herr <i>Müller</i>"
    ' mag, siehe <a href="https://example.org">die Seite</a>.</p>'
    '<p>Ein Bild <img src="a.png" alt="Ein Haus am See"/> und <code>x = 1</code> Code.</p>'
    "<ul><li>Erster Punkt</li><li>Zweiter Punkt</li></ul><pre>nicht übersetzen</pre></body></html>"
)
NAV = (XHTML_HEAD + "<head><title>Inhalt</title></head><body><nav epub:type=\"toc\"><ol>"
       '<li><a href="ch1.xhtml">Kapitel eins</a></li></ol></nav></body></html>')
NCX = ('<?xml version="1.0" encoding="utf-8"?><ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1">'
       "<docTitle><text>Ein Buch</text></docTitle><navMap><navPoint id=\"n1\" playOrder=\"1\">"
       '<navLabel><text>Kapitel eins</text></navLabel><content src="ch1.xhtml"/></navPoint></navMap></ncx>')
OPF = (
    '<?xml version="1.0" encoding="utf-8"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0" '
    'unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="id">x'
    "</dc:identifier><dc:title>Ein Buch</dc:title><dc:language>de</dc:language></metadata><manifest>"
    '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>'
    '<item id="ch1" href="{ch1}" media-type="application/xhtml+xml"/>'
    '<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>'
    '<item id="img" href="a.png" media-type="image/png"/></manifest>'
    '<spine toc="ncx"><itemref idref="ch1"/></spine></package>'
)
CONTAINER = ('<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
             '<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
             "</rootfiles></container>")


def make_epub(chapter: str = CHAPTER, ch1_href: str = "ch1.xhtml") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        for name, text in (("META-INF/container.xml", CONTAINER), ("OEBPS/content.opf", OPF.format(ch1=ch1_href)),
                           ("OEBPS/nav.xhtml", NAV), ("OEBPS/ch1.xhtml", chapter), ("OEBPS/toc.ncx", NCX),
                           ("OEBPS/a.png", "PNG")):
            zf.writestr(name, text)
    return buf.getvalue()


MAKERS = {
    "docx": make_docx,
    "pptx": make_pptx,
    "odt": lambda: make_odf("text", ODT_BODY),
    "odp": lambda: make_odf("presentation", ODP_BODY),
    "epub": make_epub,
}


def upper(texts: list[str]) -> list[str]:
    return [t.upper() for t in texts]


def spans_of(unit: Unit) -> list[tuple[str, str | None]]:
    return [(unit.text[s.start : s.end], s.link) for s in unit.spans]


# --------------------------------------------------------------------------------------------
# Round trips
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(MAKERS))
def test_identity_round_trip_keeps_every_text(name: str) -> None:
    backend = backend_for(f"doc.{name}")
    data = MAKERS[name]()
    extracted = backend.read(data, f"doc.{name}")
    out = backend.write(extracted, list(extracted.units))
    again = backend.read(out, "out")
    assert [(u.text, u.role, spans_of(u)) for u in again.units] == [
        (u.text, u.role, spans_of(u)) for u in extracted.units
    ]


@pytest.mark.parametrize("name", list(MAKERS))
def test_identity_round_trip_is_byte_identical(name: str) -> None:
    data = MAKERS[name]()
    backend = backend_for(f"doc.{name}")
    extracted = backend.read(data, "doc")
    out = zipfile.ZipFile(io.BytesIO(backend.write(extracted, list(extracted.units))))
    src = zipfile.ZipFile(io.BytesIO(data))
    assert out.namelist() == src.namelist()
    assert all(out.read(n) == src.read(n) for n in src.namelist())


@pytest.mark.parametrize(("name", "parts"), [("docx", {"word/document.xml", "word/header1.xml", "word/footer1.xml",
                                                        "word/footnotes.xml"}),
                                              ("pptx", {"ppt/slides/slide1.xml", "ppt/notesSlides/notesSlide1.xml"})])
def test_only_parts_with_text_are_rewritten(name: str, parts: set[str]) -> None:
    data = MAKERS[name]()
    backend = backend_for(f"doc.{name}")
    extracted = backend.read(data, "doc")
    out = zipfile.ZipFile(io.BytesIO(backend.write(extracted, translate_units(extracted.units, upper)[0])))
    src = zipfile.ZipFile(io.BytesIO(data))
    assert out.namelist() == src.namelist()
    assert {n for n in src.namelist() if out.read(n) != src.read(n)} == parts


@pytest.mark.parametrize("name", list(MAKERS))
def test_changed_translation_changes_every_node_and_keeps_structure(name: str) -> None:
    backend = backend_for(f"doc.{name}")
    extracted = backend.read(MAKERS[name](), "doc")
    translated, stats = translate_units(extracted.units, upper)
    out = backend.read(backend.write(extracted, translated), "out")
    assert Counter(u.role for u in out.units) == Counter(u.role for u in extracted.units)
    assert [u.text for u in out.units] == [u.text.upper() for u in extracted.units]
    assert [spans_of(u) for u in out.units] == [
        [(t.upper(), link) for t, link in spans_of(u)] for u in extracted.units
    ]
    assert stats.dropped == stats.fallback == 0


@pytest.mark.parametrize("name", list(MAKERS))
def test_inline_spans_and_links_are_read(name: str) -> None:
    units = backend_for(f"doc.{name}").read(MAKERS[name](), "doc").units
    spans = {t: link for u in units for t, link in spans_of(u)}
    assert spans.get("drei" if name in ("pptx", "odp") else "eine", "missing") is None
    if name != "odp":
        assert any(link and link.startswith("https://example.") for link in spans.values())


def test_docx_reads_every_story() -> None:
    units = backend_for("a.docx").read(make_docx(), "a.docx").units
    texts = [u.text for u in units]
    assert "Ich habe jedoch nur eine Wohnung gefunden, die Herr Müller mag." in texts
    for expected in ("Zelle 4", "Kopfzeile des Amtes", "Text im Kasten", "Eine Fußnote zum Vertrag.",
                     "Ein Punkt der Liste"):
        assert expected in texts
    assert "Vor dem Kasten  und danach." in texts  # the text box's own run stays out of its paragraph
    assert "Seite  von zwei" in texts  # the PAGE field's result stays a field
    assert "Vor dem Umbruch. Nach dem Umbruch." in texts  # a page break is kept, not made a line break
    roles = {u.text: u.role for u in units}
    assert roles["Ein Bericht über Wohnungen"] == "heading"
    assert roles["Zelle 1"] == "cell" and roles["Eine Fußnote zum Vertrag."] == "note"
    assert roles["Kopfzeile des Amtes"] == "header" and roles["Seite  von zwei"] == "footer"


def test_docx_translation_keeps_fields_text_boxes_and_styles() -> None:
    backend = backend_for("a.docx")
    extracted = backend.read(make_docx(), "a.docx")
    translated, _ = translate_units(extracted.units, upper)
    out = docx.Document(io.BytesIO(backend.write(extracted, translated)))
    footer = out.sections[0].footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and 'w:fldCharType="separate"' in footer and "SEITE" in footer
    body = out.element.body.xml
    assert "TEXT IM KASTEN" in body and "w:txbxContent" in body
    texts_and_breaks = re.findall(r'<w:t[^>]*>([^<]*UMBRUCH[^<]*)</w:t>|<w:br w:type="(page)"/>', body)
    assert ["".join(m) for m in texts_and_breaks] == ["VOR DEM UMBRUCH. ", "page", "NACH DEM UMBRUCH."]
    heading = out.paragraphs[0]
    assert heading.text == "EIN BERICHT ÜBER WOHNUNGEN" and heading.style.name == "Heading 1"
    runs = out.paragraphs[1].runs
    assert [r.text for r in runs if r.bold] == ["EINE"] and [r.text for r in runs if r.italic] == ["MÜLLER"]


def test_pptx_reads_titles_tables_and_notes() -> None:
    units = backend_for("a.pptx").read(make_pptx(), "a.pptx").units
    roles = {u.text: u.role for u in units}
    assert roles["Unser Angebot"] == "title"
    assert roles["Zelle 4"] == "cell"
    assert roles["Notiz für den Sprecher"] == "note"
    assert "Zweiter Punkt der Folie" in roles


def test_odt_keeps_footnote_between_the_same_words() -> None:
    backend = backend_for("a.odt")
    extracted = backend.read(make_odf(), "a.odt")
    out = backend.write(extracted, translate_units(extracted.units, upper)[0])
    content = zipfile.ZipFile(io.BytesIO(out)).read("content.xml").decode()
    assert "GEFUNDEN<text:note" in content and "EINE FUSSNOTE." in content
    assert "PUNKT<text:tab/>MIT" in content
    assert "KOPFZEILE DES AMTES" in zipfile.ZipFile(io.BytesIO(out)).read("styles.xml").decode()
    assert {u.text: u.role for u in extracted.units}["Kopfzeile des Amtes"] == "header"


def test_epub_output_is_a_valid_container_with_toc_title_and_alt_translated() -> None:
    backend = backend_for("a.epub")
    extracted = backend.read(make_epub(), "a.epub")
    assert extracted.title == "Ein Buch"
    texts = [u.text for u in extracted.units]
    assert "Ein Haus am See" in texts and "x = 1" not in " ".join(texts)
    assert "nicht übersetzen" not in texts and "p { margin: 0 }" not in texts
    out = backend.write(extracted, translate_units(extracted.units, upper)[0])
    zf = zipfile.ZipFile(io.BytesIO(out))
    first = zf.infolist()[0]
    assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
    assert zf.read("mimetype") == b"application/epub+zip"
    chapter = zf.read("OEBPS/ch1.xhtml").decode()
    assert chapter.startswith("<?xml") and "<!DOCTYPE html>" in chapter and 'lang="en"' in chapter
    assert '<a href="https://example.org">DIE SEITE</a>' in chapter and 'alt="EIN HAUS AM SEE"' in chapter
    assert "<code>x = 1</code>" in chapter and "<pre>nicht übersetzen</pre>" in chapter
    assert "KAPITEL EINS" in zf.read("OEBPS/toc.ncx").decode()
    assert "KAPITEL EINS" in zf.read("OEBPS/nav.xhtml").decode()
    opf = zf.read("OEBPS/content.opf").decode()
    assert "<dc:title>EIN BUCH</dc:title>" in opf and "<dc:language>en</dc:language>" in opf
    assert zf.read("OEBPS/a.png") == b"PNG"


# --------------------------------------------------------------------------------------------
# Bad and hostile input
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [("docx", "Word document"), ("pptx", "PowerPoint presentation"), ("odt", "OpenDocument text"),
     ("odp", "OpenDocument presentation"), ("epub", "EPUB e-book")],
)
def test_corrupt_and_truncated_files_are_one_line_errors(name: str, kind: str) -> None:
    backend = backend_for(f"x.{name}")
    data = MAKERS[name]()
    for bad in (b"this is no zip at all", data[: len(data) // 2]):
        with pytest.raises(InputError) as err:
            backend.read(bad, f"x.{name}")
        assert str(err.value).startswith(f"x.{name}: not a valid {kind} (")
        assert "\n" not in str(err.value) and err.value.reason == "failed"


def test_docm_with_macros_is_refused() -> None:
    data = rezip(make_docx(), {"word/vbaProject.bin": b"\x00macro"})
    with pytest.raises(InputError, match=r"^x.docm: macro-enabled document \(.docm\) refused$"):
        backend_for("x.docm").read(data, "x.docm")


@pytest.mark.parametrize("name", ["docx", "odt", "epub"])
def test_zip_bomb_is_refused(name: str) -> None:
    data = rezip(MAKERS[name](), {"bomb.xml": b"\0" * (4 << 20)})
    with pytest.raises(InputError, match="zip bomb"):
        backend_for(f"x.{name}").read(data, f"x.{name}")


@pytest.mark.parametrize("name", ["docx", "pptx", "odt", "epub"])
def test_zip_slip_member_names_are_refused(name: str) -> None:
    data = rezip(MAKERS[name](), {"../../evil.txt": b"x"})
    with pytest.raises(InputError, match="unsafe archive member name"):
        backend_for(f"x.{name}").read(data, f"x.{name}")


def test_epub_xhtml11_named_entities_are_characters() -> None:
    doctype = '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" "http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd">'
    chapter = CHAPTER.replace("<!DOCTYPE html>", doctype).replace("Erster Punkt", "Erster&nbsp;Punkt")
    backend = backend_for("x.epub")
    extracted = backend.read(make_epub(chapter), "x.epub")
    assert "Erster\xa0Punkt" in [u.text for u in extracted.units]
    out = zipfile.ZipFile(io.BytesIO(backend.write(extracted, translate_units(extracted.units, upper)[0])))
    assert "<li>ERSTER\xa0PUNKT</li>" in out.read("OEBPS/ch1.xhtml").decode() and doctype in out.read("OEBPS/ch1.xhtml").decode()


def test_epub_manifest_pointing_outside_is_refused() -> None:
    with pytest.raises(InputError, match="unsafe archive member name"):
        backend_for("x.epub").read(make_epub(ch1_href="../../etc/passwd"), "x.epub")


def xxe(secret_file: Path, root: str) -> bytes:
    return (f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file://{secret_file}">]>{root}').encode()


def test_docx_xxe_is_not_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    data = make_docx()
    body = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    body = body.split("?>", 1)[1].replace("Lesen Sie ", "Lesen Sie &xxe; ")
    evil = rezip(data, {"word/document.xml": xxe(secret, body)})
    backend = backend_for("x.docx")
    extracted = backend.read(evil, "x.docx")
    assert SECRET not in " ".join(u.text for u in extracted.units)
    out = backend.write(extracted, translate_units(extracted.units, upper)[0])
    for name in zipfile.ZipFile(io.BytesIO(out)).namelist():
        assert SECRET.encode() not in zipfile.ZipFile(io.BytesIO(out)).read(name)


@pytest.mark.parametrize("name", ["odt", "epub"])
def test_xml_xxe_is_not_resolved(tmp_path: Path, name: str) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    data = MAKERS[name]()
    member = "content.xml" if name == "odt" else "OEBPS/ch1.xhtml"
    text = zipfile.ZipFile(io.BytesIO(data)).read(member).decode()
    root = text[text.index("<office:") if name == "odt" else text.index("<html"):].replace("Zelle eins", "&xxe;")
    root = root.replace("Erster Punkt", "Erster &xxe; Punkt")
    backend = backend_for(f"x.{name}")
    extracted = backend.read(rezip(data, {member: xxe(secret, root)}), f"x.{name}")
    assert SECRET not in " ".join(u.text for u in extracted.units)
    out = backend.write(extracted, translate_units(extracted.units, upper)[0])
    zf = zipfile.ZipFile(io.BytesIO(out))
    assert all(SECRET.encode() not in zf.read(n) for n in zf.namelist())


@pytest.mark.parametrize(("name", "member"), [("docx", "word/document.xml"), ("odt", "content.xml")])
def test_entity_expansion_bomb_is_refused(name: str, member: str) -> None:
    entities = '<!ENTITY a0 "lol">' + "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10))
    text = zipfile.ZipFile(io.BytesIO(MAKERS[name]())).read(member).decode().split("?>", 1)[1]
    root = text.replace("Ein Bericht", "&a9;", 1)
    bomb = f'<?xml version="1.0"?><!DOCTYPE r [{entities}]>{root}'.encode()
    with pytest.raises(InputError, match="not a valid .*amplification"):
        backend_for(f"x.{name}").read(rezip(MAKERS[name](), {member: bomb}), f"x.{name}")


def test_document_without_text_is_skipped_no_text() -> None:
    import pptx

    for name, kind, owner in [("docx", "Word document", docx.Document()), ("pptx", "PowerPoint presentation", pptx.Presentation())]:
        buf = io.BytesIO()
        owner.save(buf)
        with pytest.raises(InputError) as err:
            backend_for(f"e.{name}").read(buf.getvalue(), f"e.{name}")
        assert err.value.reason == "skipped-no-text" and str(err.value) == f"e.{name}: no text in the {kind}"


def test_source_file_is_never_modified(tmp_path: Path) -> None:
    path = tmp_path / "a.docx"
    path.write_bytes(make_docx())
    before = path.read_bytes()
    backend = backend_for(path)
    extracted = backend.read(path.read_bytes(), str(path))
    backend.write(extracted, translate_units(extracted.units, upper)[0])
    assert path.read_bytes() == before


# --------------------------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------------------------


def test_registry_maps_suffixes_urls_and_names() -> None:
    assert backend_for("Brief.DOCX").name == "docx"
    assert backend_for("odp").name == "odp"
    assert backend_for("notes.txt") is None and backend_for("README.md") is None
    assert {".docx", ".odt", ".odp", ".pptx", ".epub", ".html", ".srt", ".vtt", ".pdf"} <= set(SUFFIXES)
    assert BACKENDS["url"].endswith("UrlBackend")


@pytest.mark.parametrize("name", ["docx", "pptx", "odt", "odp", "epub"])
def test_backend_classes_agree_with_the_registry(name: str) -> None:
    backend = backend_for(name)
    assert backend.name == name
    assert set(backend.suffixes) == {s for s, n in SUFFIX_TO_NAME.items() if n == name}


def test_format_libraries_are_imported_lazily() -> None:
    code = (
        "import sys, summtrans.formats as f; f.backend_for('a.txt'); f.backend_for('a.docx');"
        "print(sorted(m for m in ('docx', 'pptx', 'lxml', 'torch') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("name", ["docx", "odt", "pptx"])
def test_formatted_word_inside_a_fallen_back_link_keeps_the_link(name: str) -> None:
    backend = backend_for(f"x.{name}")
    extracted = backend.read(MAKERS[name](), "x")
    i = next(i for i, u in enumerate(extracted.units) if any(s.link for s in u.spans))
    unit = extracted.units[i]
    bold = next(s for u in extracted.units for s in u.spans if s.link is None)
    link = next(s for s in unit.spans if s.link)
    english = "Please read it today."
    moved = Unit(english, (Span(0, len(english), link.style, link.link), Span(15, 20, bold.style)), unit.role)
    translated = [moved if j == i else u for j, u in enumerate(extracted.units)]
    out = backend.read(backend.write(extracted, translated), "out").units[i]
    assert out.text == english
    assert {s.link for s in out.spans} == {link.link}  # every run of the sentence is linked
    assert "today" in [out.text[s.start : s.end] for s in out.spans]  # and the bold word is its own run
