"""XHTML (DocBook, CMS, EPUB chapters) through the HTML backend, byte-preserving writes of HTML and
EPUB, and library warnings kept off the terminal."""

from __future__ import annotations

import html
import io
import re
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("bs4")

from test_formats_office import CHAPTER, make_epub  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from summtrans.cli.app import app  # noqa: E402
from summtrans.formats import backend_for  # noqa: E402
from summtrans.formats.base import Span, Unit  # noqa: E402
from summtrans.formats.html import HtmlBackend  # noqa: E402
from summtrans.formats.inline import translate_units  # noqa: E402

REPO = Path(__file__).resolve().parents[1]

# What DocBook's XSL stylesheets write: declaration, XHTML 1.0 Strict doctype, xmlns, lang and
# xml:lang, attributes in no particular order, `<x />` empty tags, character references.
DOCBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="de" lang="de"><head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8" /><title>Kapitel 1. Einleitung</title><link rel="stylesheet" type="text/css" href="docbook.css" /><meta name="generator" content="DocBook XSL Stylesheets V1.79.1" /></head>
<body><div class="chapter"><div class="titlepage"><div><div><h1 class="title"><a id="intro"></a>Kapitel 1. Einleitung</h1></div></div></div>
<p>Das ist ein <em class="emphasis">wichtiger</em> Absatz mit dem Befehl <code class="literal">ls -l</code>
und einem <a class="link" href="#sec2" title="Abschnitt 2">Verweis auf später</a>.</p>
<hr />
<!-- generiert -->
<p>Der Preis beträgt&#160;5&#160;€ &amp; mehr, siehe <a href="https://example.org/?a=1&amp;b=2">die Liste</a>.<br />
Zweite Zeile mit <img src="bild.png" alt="Ein Bild" width="20" /> Bild.</p>
<div class="table"><a id="t1"></a><table summary="Preise" border="1" cellpadding="2"><colgroup><col /><col /></colgroup>
<thead><tr><th align="left">Ware</th><th align="right">Preis</th></tr></thead>
<tbody><tr><td>Brot</td><td align="right">12&#160;345</td></tr></tbody></table></div>
</div></body></html>
"""

runner = CliRunner()


def _with_english(text: str) -> str:
    return text.replace('xml:lang="de" lang="de"', 'xml:lang="en" lang="en"', 1)


def _upper(texts: list[str]) -> list[str]:
    return [t.upper() for t in texts]


def _tags(markup: str) -> list[str]:
    return re.findall(r"<[^>]*>", markup)


def _text(markup: str) -> str:
    """The character data, references resolved and whitespace folded (comments left out)."""
    return " ".join(html.unescape(re.sub(r"<!--.*?-->|<[^>]*>", " ", markup)).split())


# --------------------------------------------------------------------------------------------
# XHTML through the CLI
# --------------------------------------------------------------------------------------------


def test_xhtml_echo_round_trip_through_the_cli_gives_the_bytes_back_but_lang(tmp_path: Path) -> None:
    src = tmp_path / "kapitel.xhtml"  # .xhtml is read by the html backend
    src.write_text(DOCBOOK, encoding="utf-8")
    r = runner.invoke(app, ["translate", str(src), "--engine", "echo", "-o", f"{tmp_path}/out/", "-q"])
    assert r.exit_code == 0, r.output
    assert "Warning" not in r.output and r.output.strip() == ""
    out = (tmp_path / "out" / "kapitel.en.xhtml").read_bytes()  # an XHTML page stays .xhtml
    assert out == _with_english(DOCBOOK).encode("utf-8")
    assert out != DOCBOOK.encode("utf-8")  # the language did change


@pytest.mark.slow
def test_xhtml_translated_by_the_tiny_model_stays_xml_with_declaration_and_doctype(
    tmp_path: Path, tiny_marian: Path
) -> None:
    from lxml import etree

    src = tmp_path / "kapitel.xhtml"
    src.write_text(DOCBOOK, encoding="utf-8")
    args = ["translate", str(src), "-m", str(tiny_marian), "-o", f"{tmp_path}/out/", "-q", "--no-memory"]
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    out = (tmp_path / "out" / "kapitel.en.xhtml").read_text(encoding="utf-8")
    head, doctype = DOCBOOK.splitlines()[:2]
    assert out.startswith(head + "\n" + doctype + "\n")
    tree = etree.fromstring(out.encode("utf-8"))  # well-formed XML, whatever the model wrote
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    assert tree.get("lang") == "en" and tree.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    before = etree.fromstring(DOCBOOK.encode("utf-8"))
    assert [el.tag for el in tree.iter()][:8] == [el.tag for el in before.iter()][:8]  # head untouched
    old_p, new_p = before.find(".//h:p", ns), tree.find(".//h:p", ns)
    assert "".join(new_p.itertext()).strip() and "".join(new_p.itertext()) != "".join(old_p.itertext())
    assert new_p.find("h:code", ns).text == "ls -l"  # code written back as it was
    assert '<hr />\n<!-- generiert -->' in out and '<td align="right">12&#160;345</td>' in out


WALL = "It looks like you're using an HTML parser to parse an XML document"  # bs4's 12-line warning


def _warning_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *extra: str):
    """A CLI run during which bs4 (its lxml HTML parser reading XHTML) raises a real warning."""
    src = tmp_path / "kapitel.xhtml"
    src.write_text(DOCBOOK, encoding="utf-8")
    real = HtmlBackend.read

    def read(self: HtmlBackend, data: bytes, source: str):
        from bs4 import BeautifulSoup

        BeautifulSoup(data, "lxml")
        return real(self, data, source)

    monkeypatch.setattr(HtmlBackend, "read", read)
    with warnings.catch_warnings():  # each run warns (by default Python shows it once per place)
        warnings.simplefilter("always")
        args = ["translate", str(src), "--engine", "echo", "--no-memory", "-o", f"{tmp_path}/out/", *extra]
        return runner.invoke(app, args)


def test_library_warnings_are_debug_log_records(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from bs4 import BeautifulSoup

    with warnings.catch_warnings(record=True) as seen:  # the warning is real, and raised here
        warnings.simplefilter("always")
        BeautifulSoup(DOCBOOK, "lxml")
    assert any(WALL in str(w.message) for w in seen)
    for extra in ((), ("-q",)):
        r = _warning_run(monkeypatch, tmp_path, *extra)
        assert r.exit_code == 0, r.output
        assert WALL not in r.output and "XMLParsedAsHTMLWarning" not in r.output
    r = _warning_run(monkeypatch, tmp_path, "--debug")
    assert r.exit_code == 0, r.output
    assert "DEBUG summtrans.warnings: XMLParsedAsHTMLWarning: " + WALL in r.output


@pytest.mark.slow
def test_library_warnings_stay_off_stderr_of_a_real_process(tmp_path: Path) -> None:
    """The same through `python -c` processes: stderr as a user's terminal would show it."""
    src = tmp_path / "kapitel.xhtml"
    src.write_text(DOCBOOK, encoding="utf-8")
    code = (
        "import sys\n"
        "import summtrans.formats.html as h\n"
        "real = h.HtmlBackend.read\n"
        "def read(self, data, source):\n"
        "    from bs4 import BeautifulSoup\n"
        "    BeautifulSoup(data, 'lxml')\n"
        "    return real(self, data, source)\n"
        "h.HtmlBackend.read = read\n"
        "from summtrans.cli.app import app\n"
        "sys.argv = ['summtrans', *sys.argv[1:]]\n"
        "app()\n"
    )
    env = {"PYTHONPATH": str(REPO / "src"), "PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1"}
    args = ["translate", str(src), "--engine", "echo", "--no-memory", "-o", f"{tmp_path}/out/"]

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, *argv], capture_output=True, text=True, env=env, timeout=120)

    control = run("-c", f"from bs4 import BeautifulSoup; BeautifulSoup(open({str(src)!r}).read(), 'lxml')")
    assert WALL in control.stderr  # outside the CLI, Python prints it
    quiet = run("-c", code, *args, "-q")
    assert quiet.returncode == 0 and quiet.stderr == "", quiet.stderr
    debug = run("-c", code, *args, "--debug")
    assert debug.returncode == 0, debug.stderr
    assert "XMLParsedAsHTMLWarning" in debug.stderr and WALL in debug.stderr
    assert (tmp_path / "out" / "kapitel.en.xhtml").read_bytes() == _with_english(DOCBOOK).encode("utf-8")


# --------------------------------------------------------------------------------------------
# The backend: what is rewritten and what is copied
# --------------------------------------------------------------------------------------------


def test_xhtml_units_and_nothing_commented_out() -> None:
    ex = HtmlBackend().read(DOCBOOK.encode(), "k.xhtml")
    texts = [u.text for u in ex.units]
    assert ex.title == "Kapitel 1. Einleitung"
    assert "Das ist ein wichtiger Absatz mit dem Befehl ls -l und einem Verweis auf später." in texts
    assert "Der Preis beträgt\xa05\xa0€ & mehr, siehe die Liste." in texts and "Zweite Zeile mit Bild." in texts
    assert {"Ware", "Preis", "Brot", "Ein Bild", "Abschnitt 2"} <= set(texts)
    assert not any("345" in t or "generiert" in t for t in texts)  # numbers only, comments: not units
    link = next(u for u in ex.units if u.text.startswith("Der Preis")).spans[0]
    assert link.link == "https://example.org/?a=1&b=2"


def test_xhtml_translation_rewrites_only_the_texts() -> None:
    from lxml import etree

    backend = HtmlBackend()
    ex = backend.read(DOCBOOK.encode(), "k.xhtml")
    translated, stats = translate_units(ex.units, _upper)
    out = backend.write(ex, translated).decode("utf-8")
    assert stats.placed == sum(len(u.spans) for u in ex.units) and stats.dropped == 0
    # Every tag, comment, declaration and the doctype is the source's, as written and in order,
    # but the translated attribute values and the language; every text is translated but code.
    source = _with_english(DOCBOOK).replace('"Abschnitt 2"', '"ABSCHNITT 2"').replace('"Ein Bild"', '"EIN BILD"')
    assert _tags(out) == _tags(source)
    assert _text(out) == _text(DOCBOOK).upper().replace("LS -L", "ls -l")
    assert '<code class="literal">ls -l</code>' in out and '<td align="right">12&#160;345</td>' in out
    assert "DER PREIS BETRÄGT\xa05\xa0€ &amp; MEHR" in out  # a rewritten run writes characters
    # Markup characters in a translation are escaped: the page stays XML.
    marked, _ = translate_units(ex.units, lambda xs: [f"{x} <&> ]]>" for x in xs])
    out = backend.write(ex, marked).decode("utf-8")
    assert "Verweis auf später</a>. &lt;&amp;&gt; ]]&gt;</p>" in out
    tree = etree.fromstring(out.encode("utf-8"))
    assert tree.find(".//{*}img").get("alt") == "Ein Bild <&> ]]>"


def test_html_identity_is_byte_identical_but_lang_and_lang_is_added_where_missing() -> None:
    page = b"<!doctype html>\n<HTML><Body>\n<P CLASS=x>Hallo <B>Welt</B>\n<p>Zweiter<li>Punkt</b> eins\n</HTML>"
    backend = HtmlBackend()
    ex = backend.read(page, "p.html")
    assert [u.text for u in ex.units] == ["Hallo Welt", "Zweiter", "Punkt eins"]
    assert backend.write(ex, list(ex.units)) == page.replace(b"<HTML>", b'<HTML lang="en">')
    out = backend.write(ex, translate_units(ex.units, _upper)[0]).decode()
    # Unclosed tags stay as they were, an element's end tag is spelled like its start tag; a stray
    # end tag inside a rewritten sentence goes (browsers ignore it anyway).
    assert out == (
        '<!doctype html>\n<HTML lang="en"><Body>\n<P CLASS=x>HALLO <B>WELT</B>\n<p>ZWEITER<li>PUNKT EINS\n</HTML>'
    )
    xhtml = b'<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="de"><body><p>Hallo</p></body></html>'
    ex = backend.read(xhtml, "x.xhtml")
    assert backend.write(ex, list(ex.units)) == xhtml.replace(b'xml:lang="de"', b'xml:lang="en"')


def test_html_attribute_quotes_and_unquoted_values() -> None:
    page = ("<html lang=de><body><p>Ein <img alt=Haus src='a.png'> und "
            "<a href=/x title='Der \"Ort\"'>Ort</a>.</p></body></html>")
    backend = HtmlBackend()
    ex = backend.read(page.encode(), "a.html")
    out = backend.write(ex, translate_units(ex.units, _upper)[0]).decode()
    assert out == ("<html lang=\"en\"><body><p>EIN <img alt=\"HAUS\" src='a.png'> UND "
                   "<a href=/x title='DER \"ORT\"'>ORT</a>.</p></body></html>")


def test_html_keeps_its_encoding_and_writes_what_does_not_fit_as_references() -> None:
    page = '<html><head><meta charset="iso-8859-1"><title>Größe</title></head>'
    page += '<body><p>Maß für Maß</p></body></html>'
    data = page.encode("latin-1")
    backend = HtmlBackend()
    ex = backend.read(data, "l.html")
    assert [u.text for u in ex.units] == ["Größe", "Maß für Maß"]
    assert backend.write(ex, list(ex.units)) == data.replace(b"<html>", b'<html lang="en">')
    out = backend.write(ex, [Unit("Size ≥ 1"), Unit("Measure → measure")])
    tail = "<title>Size &#8805; 1</title></head><body><p>Measure &#8594; measure</p></body></html>"
    assert out.decode("latin-1").endswith(tail)


def test_xhtml_new_link_and_self_closed_anchor() -> None:
    page = (b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body>'
            b'<p><a id="x"/>Hallo <span class="s"/>Welt</p></body></html>')
    backend = HtmlBackend()
    ex = backend.read(page, "x.xhtml")
    assert [u.text for u in ex.units] == ["Hallo Welt"]  # <a/> closed itself: not the sentence's link
    out = backend.write(ex, [Unit("Hello world", (Span(6, 11, None, "https://e.org/?a&b"),))]).decode()
    assert out.startswith('<?xml version="1.0"?><html lang="en" xmlns="http://www.w3.org/1999/xhtml">')
    assert '<p><a id="x"/>Hello <span class="s"/><a href="https://e.org/?a&amp;b">world</a></p>' in out


def test_html_write_can_be_called_twice_with_different_translations() -> None:
    backend = HtmlBackend()
    ex = backend.read(DOCBOOK.encode(), "k.xhtml")
    first = backend.write(ex, translate_units(ex.units, _upper)[0])
    backend.write(ex, translate_units(ex.units, lambda xs: [x[::-1] for x in xs])[0])
    assert backend.write(ex, translate_units(ex.units, _upper)[0]) == first
    assert _text(first.decode()) != _text(DOCBOOK)


# --------------------------------------------------------------------------------------------
# EPUB chapters: spliced the same way
# --------------------------------------------------------------------------------------------

EPUB_CHAPTER = CHAPTER.replace(
    "<h1>Kapitel eins</h1>",
    '<h1 id="k1" class="chapter">Kapitel eins</h1><hr />\n'
    '<table border="1" summary="Zahlen"><tr><td>12&#160;345</td></tr></table>',
).replace("Zweiter Punkt", "Zweiter&#160;Punkt")


def _chapter(epub: bytes) -> str:
    return zipfile.ZipFile(io.BytesIO(epub)).read("OEBPS/ch1.xhtml").decode("utf-8")


def test_epub_echo_through_the_cli_leaves_the_book_byte_identical(tmp_path: Path) -> None:
    src = tmp_path / "buch.epub"
    src.write_bytes(make_epub(EPUB_CHAPTER))
    r = runner.invoke(app, ["translate", str(src), "--engine", "echo", "-o", f"{tmp_path}/out/", "-q"])
    assert r.exit_code == 0, r.output
    before, after = zipfile.ZipFile(src), zipfile.ZipFile(tmp_path / "out" / "buch.en.epub")
    assert after.namelist() == before.namelist()
    assert [after.read(n) for n in after.namelist()] == [before.read(n) for n in before.namelist()]


def test_epub_translated_chapter_keeps_everything_but_the_changed_blocks() -> None:
    from lxml import etree

    backend = backend_for("b.epub")
    ex = backend.read(make_epub(EPUB_CHAPTER), "b.epub")
    out = _chapter(backend.write(ex, translate_units(ex.units, _upper)[0]))
    etree.fromstring(out.encode("utf-8"))
    source = EPUB_CHAPTER.replace('lang="de" xml:lang="de"', 'lang="en" xml:lang="en"')
    assert out.startswith('<?xml version="1.0" encoding="utf-8"?><!DOCTYPE html>')  # not lxml's '1.0'
    assert '<h1 id="k1" class="chapter">KAPITEL EINS</h1><hr />\n<table border="1" summary="Zahlen">' in out
    assert "<td>12&#160;345</td>" in out  # no letters: not a unit, its reference kept
    assert "<li>ERSTER PUNKT</li>" in out  # a rewritten block: lxml's serialization of it
    assert _tags(out) == [t.replace('"Ein Haus am See"', '"EIN HAUS AM SEE"') for t in _tags(source)]


def test_epub_chapter_the_two_parsers_read_differently_is_written_whole() -> None:
    from lxml import etree

    # Markup inside an internal DTD subset: html.parser sees an element where lxml sees none.
    chapter = EPUB_CHAPTER.replace("<!DOCTYPE html>", '<!DOCTYPE html [<!ENTITY note "1 > 0, <em>so</em>">]>')
    backend = backend_for("b.epub")
    ex = backend.read(make_epub(chapter), "b.epub")
    out = _chapter(backend.write(ex, translate_units(ex.units, _upper)[0]))
    root = etree.fromstring(out.encode("utf-8"))
    assert out.startswith("<?xml version='1.0' encoding='utf-8'?>")  # lxml's serialization
    assert root.get("lang") == "en" and "KAPITEL EINS" in out and "<hr/>" in out
