"""Web pages: fetch an http(s) URL safely, extract the main text (trafilatura), write markdown.

`fetch` refuses every scheme but http and https (redirects included), stops at a timeout and a
size cap, and accepts only HTML (``text/html``, ``application/xhtml+xml``); it returns the page
as UTF-8. `UrlBackend.read` takes those bytes: trafilatura drops menus, sidebars and footers,
the title is kept as the first heading, and each markdown block (heading, paragraph, list item,
table cell) is a unit.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import unquote, urlsplit

from summtrans.errors import InputError

from .base import Extracted, FormatBackend, Unit

__all__ = ["FETCH_TIMEOUT", "MAX_PAGE_BYTES", "UrlBackend", "fetch", "is_url", "read_url", "url_stem"]

FETCH_TIMEOUT = 20.0  # seconds for the whole fetch (connect, each read, and in total)
MAX_PAGE_BYTES = 10 * 1024 * 1024  # a page larger than this is refused
HTML_TYPES = ("text/html", "application/xhtml+xml")
ALLOWED_SCHEMES = ("http", "https")
USER_AGENT = "summtrans (+https://github.com/summtrans; offline translator)"
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_CHUNK = 64 * 1024
_HEADING = re.compile(r"^(#{1,6} )(.*)$")
_ITEM = re.compile(r"^(\s*(?:[-*+]|\d{1,3}[.)]) |> )(.*)$")
_TABLE_RULE = re.compile(r"^\|?[\s:|-]*-[\s:|-]*\|?$")


def is_url(text: str) -> bool:
    """Whether a command-line input names a URL (any scheme: those not allowed are refused later)."""
    match = _SCHEME.match(text)
    return bool(match) and len(match.group(1)) > 1 and text[match.end() :].startswith("//")


def url_stem(url: str) -> str:
    """A file name stem for a URL's output: the last path segment without extension, else the host."""
    parts = urlsplit(url)
    segment = unquote(parts.path.rstrip("/").rsplit("/", 1)[-1])
    stem = segment.rsplit(".", 1)[0] if "." in segment[1:] else segment
    stem = re.sub(r"[^\w.-]+", "-", stem or parts.hostname or "page").strip("-.")
    return stem[:100] or "page"


def fetch(url: str, *, timeout: float = FETCH_TIMEOUT, max_bytes: int = MAX_PAGE_BYTES) -> bytes:
    """The HTML page at `url`, as UTF-8 bytes; InputError(url, …) on any failure."""
    import socket
    import urllib.error
    import urllib.request

    _check_scheme(url, url)
    opener = urllib.request.build_opener(_redirects(url))
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": ", ".join(HTML_TYPES)})
    deadline = time.monotonic() + timeout
    try:
        with opener.open(request, timeout=timeout) as response:
            content_type = response.headers.get_content_type()
            if content_type not in HTML_TYPES:
                raise InputError(url, f"not an HTML page (content type {content_type})")
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise InputError(url, f"page too large (over the {max_bytes}-byte cap)")
            body = bytearray()
            while chunk := response.read(_CHUNK):
                body += chunk
                if len(body) > max_bytes:
                    raise InputError(url, f"page too large (over the {max_bytes}-byte cap)")
                if time.monotonic() > deadline:
                    raise InputError(url, f"fetch timed out after {timeout:g} s")
            charset = response.headers.get_content_charset()
    except urllib.error.HTTPError as exc:
        raise InputError(url, f"fetch failed: HTTP {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (socket.timeout, TimeoutError)):
            raise InputError(url, f"fetch timed out after {timeout:g} s") from exc
        raise InputError(url, f"fetch failed: {reason}") from exc
    except (socket.timeout, TimeoutError) as exc:
        raise InputError(url, f"fetch timed out after {timeout:g} s") from exc
    except (OSError, ValueError) as exc:  # connection reset, malformed response…
        raise InputError(url, f"fetch failed: {exc}") from exc
    return _to_utf8(bytes(body), charset)


def read_url(url: str, *, timeout: float = FETCH_TIMEOUT, max_bytes: int = MAX_PAGE_BYTES) -> Extracted:
    """Fetch and extract in one call."""
    return UrlBackend().read(fetch(url, timeout=timeout, max_bytes=max_bytes), url)


def _check_scheme(url: str, source: str) -> None:
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise InputError(source, f"only http and https URLs are supported (not {scheme or 'this'}:)")


def _redirects(origin: str) -> Any:
    import urllib.request

    class _Redirects(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
            _check_scheme(newurl, origin)
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    return _Redirects()


def _to_utf8(body: bytes, charset: str | None) -> bytes:
    if charset:
        try:
            return body.decode(charset, errors="replace").encode("utf-8")
        except LookupError:
            pass
    from bs4 import UnicodeDammit

    text = UnicodeDammit(body, is_html=True).unicode_markup
    return (text if text is not None else body.decode("utf-8", errors="replace")).encode("utf-8")


@dataclass
class _State:
    template: list[str | int]  # the markdown as fixed text and unit indexes


class UrlBackend(FormatBackend):
    """A fetched web page (``fetch``) → its main text as markdown (``NAME.en.md``)."""

    name: ClassVar[str] = "url"
    suffixes: ClassVar[tuple[str, ...]] = ()  # chosen by `is_url`, never by a file suffix
    output_suffix: ClassVar[str] = ".md"

    def read(self, data: bytes, source: str) -> Extracted:
        import trafilatura

        html = data.decode("utf-8", errors="replace")
        url = source if is_url(source) else None
        try:
            body = trafilatura.extract(
                html, url=url, output_format="markdown", include_comments=False, include_tables=True
            )
            meta = trafilatura.extract_metadata(html, default_url=url)
        except Exception as exc:  # trafilatura wraps lxml; any failure is a bad page
            raise InputError(source, f"cannot extract the page's text ({type(exc).__name__})") from exc
        if not body or not body.strip():
            raise InputError(source, "no main text found on the page", "skipped-no-text")
        title = (meta.title or "").strip() if meta is not None else ""
        if title and not body.lstrip().startswith("# "):
            body = f"# {title}\n\n{body}"
        units, template = _units(body)
        return Extracted(units=units, state=_State(template), title=title or None, markdown=body.strip())

    def write(self, extracted: Extracted, translated: list[Unit]) -> bytes:
        if len(translated) != len(extracted.units):
            raise ValueError(f"expected {len(extracted.units)} translated units, got {len(translated)}")
        return (_render(extracted.state.template, translated) + "\n").encode("utf-8")


def _units(markdown: str) -> tuple[list[Unit], list[str | int]]:
    units: list[Unit] = []
    template: list[str | int] = []

    def unit(text: str, role: str) -> None:
        if any(c.isalnum() for c in text):
            template.append(len(units))
            units.append(Unit(text.strip(), role=role))
        else:
            template.append(text)

    fenced = False
    for n, line in enumerate(markdown.strip().split("\n")):
        if n:
            template.append("\n")
        if line.startswith("```"):
            fenced = not fenced
        if fenced or line.startswith("```") or not line.strip() or _TABLE_RULE.match(line) and "|" in line:
            template.append(line)
        elif match := _HEADING.match(line):
            template.append(match.group(1))
            unit(match.group(2), "heading")
        elif line.startswith("|") and line.rstrip().endswith("|"):
            cells = line.strip().strip("|").split("|")
            template.append("|")
            for cell in cells:
                template.append(" ")
                unit(cell, "cell")
                template.append(" |")
        elif match := _ITEM.match(line):
            template.append(match.group(1))
            unit(match.group(2), "paragraph")
        else:
            unit(line, "paragraph")
    return units, template


def _render(template: list[str | int], units: list[Unit]) -> str:
    return "".join(p if isinstance(p, str) else " ".join(units[p].text.split()) for p in template)
