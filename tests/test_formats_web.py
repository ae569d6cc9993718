"""HTML backend and URL input (a local HTTP server in a thread; no outside network)."""

from __future__ import annotations

import http.server
import re
import threading
from collections.abc import Iterator

import pytest

pytest.importorskip("bs4")

from summtrans.errors import InputError
from summtrans.formats.base import Unit
from summtrans.formats.html import HtmlBackend
from summtrans.formats.inline import translate_units

PAGE = """<!DOCTYPE html>
<html lang="de"><head><meta charset="utf-8"><title>Die Seite</title>
<style>p { color: red }</style><script>var gruss = "Hallo Welt";</script></head>
<body>
<h1>Willkommen <em>hier</em></h1>
<p>Ich habe jedoch nur <b>eine</b> Wohnung gefunden, die <a href="https://x.de/a" title="Zur Seite">günstig</a> ist.<br>
Zweite Zeile mit <img src="a.png" alt="Ein Bild"> Bild.</p>
<ul><li>Erster Punkt</li><li>Zweiter <i>langer Punkt</i><ul><li>Unterpunkt</li></ul></li></ul>
<table><tr><th>Spalte</th></tr><tr><td>Zelle eins</td><td>Zelle <code>x = 1</code> zwei</td></tr></table>
<pre>Nicht übersetzen</pre><p><code>nur code</code></p>
<form><input placeholder="Suchbegriff eingeben"></form>
<div>Direkter Text <!-- Kommentar --> im div<p>Absatz</p>Nachtext</div>
</body></html>"""


def _soup(data: bytes):
    from bs4 import BeautifulSoup

    return BeautifulSoup(data, "lxml")


def _texts(data: bytes) -> list[str]:
    """Every non-blank text node outside script/style, in order."""
    from bs4 import NavigableString

    soup = _soup(data)
    strings = soup.find_all(string=lambda s: type(s) is NavigableString)
    return [s.strip() for s in strings if s.strip() and s.parent.name not in ("script", "style")]


def _upper(texts: list[str]) -> list[str]:
    return [t.upper() for t in texts]


def test_html_units_roles_and_spans() -> None:
    ex = HtmlBackend().read(PAGE.encode(), "p.html")
    by_text = {u.text: u for u in ex.units}
    assert ex.title == "Die Seite"
    assert by_text["Die Seite"].role == "title"
    assert by_text["Willkommen hier"].role == "heading"
    sentence = by_text["Ich habe jedoch nur eine Wohnung gefunden, die günstig ist."]
    assert [(sentence.text[s.start : s.end], s.style.name, s.link) for s in sentence.spans] == [
        ("eine", "b", None),
        ("günstig", "a", "https://x.de/a"),
    ]
    assert by_text["Zelle eins"].role == by_text["Spalte"].role == "cell"
    for attr in ("Zur Seite", "Ein Bild", "Suchbegriff eingeben"):
        assert by_text[attr].role == "alt"
    # <br> ends a unit; a nested list is its own unit; text around a block inside a div too.
    assert {"Zweite Zeile mit Bild.", "Unterpunkt", "Direkter Text im div", "Absatz", "Nachtext"} <= set(by_text)
    # script, style, pre and all-code blocks are not units; inline code stays in its sentence.
    assert not any("Hallo Welt" in t or "Nicht übersetzen" in t or t == "nur code" for t in by_text)
    assert "Zelle x = 1 zwei" in by_text
    assert "Ein Bild" not in HtmlBackend().to_text(ex)


def test_html_identity_round_trip_keeps_every_text_node() -> None:
    backend = HtmlBackend()
    ex = backend.read(PAGE.encode(), "p.html")
    out = backend.write(ex, list(ex.units))
    assert out == PAGE.replace('<html lang="de">', '<html lang="en">').encode()  # byte for byte
    assert _texts(out) == _texts(PAGE.encode())
    soup = _soup(out)
    assert soup.html["lang"] == "en"
    assert [t.name for t in soup.find_all(True)] == [t.name for t in _soup(PAGE.encode()).find_all(True)]


def test_html_changed_translation_changes_every_node_and_keeps_structure() -> None:
    backend = HtmlBackend()
    ex = backend.read(PAGE.encode(), "p.html")
    translated, stats = translate_units(ex.units, _upper)
    out = backend.write(ex, translated)
    original, soup = _soup(PAGE.encode()), _soup(out)
    assert [t.name for t in soup.find_all(True)] == [t.name for t in original.find_all(True)]
    assert stats.placed == sum(len(u.spans) for u in ex.units) and stats.dropped == 0
    for before, after in zip(_texts(PAGE.encode()), _texts(out)):
        if before in ("Nicht übersetzen", "nur code", "x = 1"):
            assert after == before  # pre and code untouched
        else:
            assert after == before.upper()
    assert soup.find("a")["href"] == "https://x.de/a" and soup.find("a").get_text() == "GÜNSTIG"
    assert soup.find("a")["title"] == "ZUR SEITE"
    assert soup.find("img")["alt"] == "EIN BILD" and soup.find("img")["src"] == "a.png"
    assert soup.find("input")["placeholder"] == "SUCHBEGRIFF EINGEBEN"
    assert soup.find("script").string == 'var gruss = "Hallo Welt";'
    assert soup.find(string=lambda s: "Kommentar" in s) is not None  # comments kept
    # Every tag is the source's, as written and in order, but the translated attributes and lang.
    changed = {'lang="de"': 'lang="en"', '"Zur Seite"': '"ZUR SEITE"', '"Ein Bild"': '"EIN BILD"',
               '"Suchbegriff eingeben"': '"SUCHBEGRIFF EINGEBEN"'}
    expected = []
    for tag in re.findall(r"<[^>]*>", PAGE):
        for old, new in changed.items():
            tag = tag.replace(old, new)
        expected.append(tag)
    assert re.findall(r"<[^>]*>", out.decode()) == expected


def test_html_spans_follow_the_words_in_a_reordered_translation() -> None:
    html = '<html><body><p>Ich habe nur <b>eine</b> Wohnung <a href="/w">gefunden</a>.</p></body></html>'
    backend = HtmlBackend()
    ex = backend.read(html.encode(), "p.html")
    words = {"Ich habe nur eine Wohnung gefunden.": "I only found one flat.", "eine": "one", "gefunden": "found"}
    translated, stats = translate_units(ex.units, lambda xs: [words[x] for x in xs])
    out = backend.write(ex, translated).decode()
    assert '<p>I only <a href="/w">found</a> <b>one</b> flat.</p>' in out
    assert stats.placed == 2


def test_html_link_kept_when_a_span_has_no_handle() -> None:
    html = "<html><body><p>Hallo Welt</p></body></html>"
    backend = HtmlBackend()
    ex = backend.read(html.encode(), "p.html")
    from summtrans.formats.base import Span

    out = backend.write(ex, [Unit("Hello world", (Span(0, 11, None, "https://e.org"),))]).decode()
    assert '<a href="https://e.org">Hello world</a>' in out


def test_html_without_text_is_skipped() -> None:
    with pytest.raises(InputError, match="no text to translate") as info:
        HtmlBackend().read(b"<html><body><script>x()</script><pre>nur pre</pre></body></html>", "e.html")
    assert info.value.reason == "skipped-no-text"


def test_html_binary_refused() -> None:
    with pytest.raises(InputError, match=r"b.html: not an HTML document \(binary data\)"):
        HtmlBackend().read(b"\x00\x01\x02PK" * 20, "b.html")


def test_html_nested_too_deeply_is_one_line() -> None:
    deep = b"<div>" * 3000 + b"Tief" + b"</div>" * 3000
    with pytest.raises(InputError, match=r"^d.html: HTML nested too deeply$"):
        HtmlBackend().read(deep, "d.html")


def test_html_svg_title_is_not_the_document_title() -> None:
    ex = HtmlBackend().read(b"<html><body><h1>Kopf</h1><svg><title>Symbol</title></svg></body></html>", "s.html")
    assert ex.title == "Kopf"


def test_html_entities_are_not_expanded_from_outside() -> None:
    xxe = b'<!DOCTYPE html [<!ENTITY x SYSTEM "file:///etc/passwd">]><html><body><p>A &x; B</p></body></html>'
    ex = HtmlBackend().read(xxe, "x.html")
    assert all("root:" not in u.text for u in ex.units)


# --------------------------------------------------------------------------------------------
# URL input
# --------------------------------------------------------------------------------------------

NEWS = """<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">
<title>Neue Regeln für Mieter | Stadtzeitung</title></head><body>
<nav><ul><li><a href="/">Startseite</a></li><li><a href="/politik">Politik</a></li>
<li><a href="/sport">Sport</a></li><li><a href="/kultur">Kultur</a></li></ul></nav>
<header><div class="menu">Menü Suche Anmelden Abonnieren</div></header>
<main><article><h1>Neue Regeln für Mieter in Berlin</h1>
<p>Der Senat hat am Dienstag neue Regeln für Mieterinnen und Mieter beschlossen, die ab dem ersten
Januar gelten sollen. Betroffen sind rund zwei Millionen Haushalte in der Stadt.</p>
<h2>Was sich ändert</h2>
<p>Die Mieten dürfen in angespannten Wohnungsmärkten künftig nur noch um höchstens fünfzehn Prozent
in drei Jahren steigen. Vermieter müssen zudem offenlegen, wie hoch die Vormiete war.</p>
<p>Mieterverbände begrüßten die Entscheidung, kritisierten aber, dass die Regeln zu spät kämen. Der
Eigentümerverband kündigte rechtliche Schritte gegen den Beschluss an.</p>
</article></main>
<aside><h3>Meistgelesen</h3><ul><li>Wetter am Wochenende</li><li>Fußball: Hertha verliert</li></ul></aside>
<footer><p>© 2024 Stadtzeitung GmbH · Impressum · Datenschutz · Kontakt</p></footer></body></html>"""


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, str, bytes]] = {}

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        status, ctype, body = self.routes.get(self.path, (404, "text/plain", b"not found"))
        self.send_response(status)
        if status in (301, 302):
            self.send_header("Location", body.decode())
            body = b""
        self.send_header("Content-Type", ctype)
        if not self.path.endswith("-unsized"):  # HTTP/1.0: the body ends when the connection closes
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    _Handler.routes = {
        "/news/mieter-regeln.html": (200, "text/html; charset=utf-8", NEWS.encode()),
        "/latin1": (200, "text/html; charset=iso-8859-1", NEWS.replace("utf-8", "iso-8859-1").encode("latin-1")),
        "/image.png": (200, "image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100),
        "/big": (200, "text/html", b"<p>" + b"x" * 5000 + b"</p>"),
        "/big-unsized": (200, "text/html", b"<p>" + b"x" * 200_000 + b"</p>"),
        "/to-ftp": (302, "text/html", b"ftp://127.0.0.1/file"),
        "/empty": (200, "text/html", b"<html><body><img src=\"a.png\"></body></html>"),
    }
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_url_main_text_without_boilerplate(server: str) -> None:
    pytest.importorskip("trafilatura")
    from summtrans.formats.url import UrlBackend, read_url

    url = server + "/news/mieter-regeln.html"
    ex = read_url(url, timeout=5)
    assert ex.title and "Neue Regeln für Mieter" in ex.title
    text = ex.markdown or ""
    assert text.startswith("# Neue Regeln für Mieter")
    assert "## Was sich ändert" in text and "rechtliche Schritte" in text
    for boilerplate in ("Startseite", "Menü", "Meistgelesen", "Impressum", "Hertha"):
        assert boilerplate not in text
    assert [u.role for u in ex.units][:2] == ["heading", "paragraph"]
    backend = UrlBackend()
    assert backend.write(ex, list(ex.units)).decode() == text + "\n"
    translated = [Unit(u.text.upper(), role=u.role) for u in ex.units]
    out = backend.write(ex, translated).decode()
    assert out.startswith("# NEUE REGELN FÜR MIETER") and "## WAS SICH ÄNDERT" in out
    assert out.count("\n\n") == text.count("\n\n")


def test_url_charset_from_header(server: str) -> None:
    pytest.importorskip("trafilatura")
    from summtrans.formats.url import read_url

    assert "Eigentümerverband" in (read_url(server + "/latin1", timeout=5).markdown or "")


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/image.png", "not an HTML page (content type image/png)"),
        ("/missing", "fetch failed: HTTP 404 Not Found"),
        ("/big", "page too large (over the 1000-byte cap)"),
        ("/big-unsized", "page too large (over the 1000-byte cap)"),
        ("/to-ftp", "only http and https URLs are supported (not ftp:)"),
    ],
)
def test_url_bad_fetches(server: str, path: str, message: str) -> None:
    from summtrans.formats.url import fetch

    with pytest.raises(InputError) as info:
        fetch(server + path, timeout=5, max_bytes=1000)
    assert str(info.value) == f"{server + path}: {message}"
    assert "\n" not in str(info.value)


def test_url_page_without_main_text(server: str) -> None:
    pytest.importorskip("trafilatura")
    from summtrans.formats.url import read_url

    with pytest.raises(InputError, match="no main text found on the page") as info:
        read_url(server + "/empty", timeout=5)
    assert info.value.reason == "skipped-no-text"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/a.html", "gopher://x/"])
def test_url_other_schemes_refused(url: str) -> None:
    from summtrans.formats.url import fetch, is_url

    assert is_url(url)
    with pytest.raises(InputError, match=r"only http and https URLs are supported \(not \w+:\)"):
        fetch(url)


def test_url_connection_refused_is_one_line() -> None:
    import socket

    from summtrans.formats.url import fetch

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(InputError, match=r"fetch failed: .*refused") as info:
        fetch(f"http://127.0.0.1:{port}/", timeout=2)
    assert "\n" not in str(info.value)


def test_url_timeout() -> None:
    import socket

    from summtrans.formats.url import fetch

    with socket.socket() as sock:  # accepts the connection, never answers
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        port = sock.getsockname()[1]
        with pytest.raises(InputError, match=r"fetch timed out after 0.5 s"):
            fetch(f"http://127.0.0.1:{port}/", timeout=0.5)


def test_url_helpers() -> None:
    from summtrans.formats.url import is_url, url_stem

    assert not is_url("C:\\docs\\a.html") and not is_url("notes.txt") and is_url("https://a.de")
    assert url_stem("https://www.zeit.de/politik/2024-03/mieter-regeln.html?x=1") == "mieter-regeln"
    assert url_stem("https://www.zeit.de/") == "www.zeit.de"
