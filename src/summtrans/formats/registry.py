"""Which backend reads which documents: names, suffixes, and lazy loading of the backend modules.

A format's library is imported only when `backend_for` is asked for that format, so `--help`
and plain-text runs import none of them.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

from .base import FormatBackend

# name → ("module:Class", the suffixes it reads). The one definition of supported formats.
_TABLE: dict[str, tuple[str, tuple[str, ...]]] = {
    "docx": ("summtrans.formats.docx:DocxBackend", (".docx", ".docm")),
    "odt": ("summtrans.formats.odf:OdtBackend", (".odt",)),
    "odp": ("summtrans.formats.odf:OdpBackend", (".odp",)),
    "pptx": ("summtrans.formats.pptx:PptxBackend", (".pptx", ".pptm")),
    "epub": ("summtrans.formats.epub:EpubBackend", (".epub",)),
    "html": ("summtrans.formats.html:HtmlBackend", (".html", ".htm", ".xhtml")),
    "srt": ("summtrans.formats.subtitles:SrtBackend", (".srt",)),
    "vtt": ("summtrans.formats.subtitles:VttBackend", (".vtt",)),
    "pdf": ("summtrans.formats.pdf:PdfBackend", (".pdf",)),
    "image": ("summtrans.formats.image:ImageBackend", (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp", ".heic", ".heif", ".bmp")),
    "url": ("summtrans.formats.url:UrlBackend", ()),  # http(s):// addresses, not files
    # Decoded text, whatever its suffix (`formats.document.backend_of` picks one of the two).
    "text": ("summtrans.formats.text:TextBackend", ()),
    "markdown": ("summtrans.formats.markdown:MarkdownBackend", ()),
}

BACKENDS: dict[str, str] = {name: target for name, (target, _) in _TABLE.items()}
# suffix (lower case, with the dot) → backend name; folder discovery uses these.
SUFFIX_TO_NAME: dict[str, str] = {s: name for name, (_, suffixes) in _TABLE.items() for s in suffixes}
SUFFIXES: tuple[str, ...] = tuple(SUFFIX_TO_NAME)

_loaded: dict[str, FormatBackend] = {}


def format_of(source: str) -> str | None:
    """The backend name for an input: ``url`` for a URL (a scheme not allowed is refused when it
    is fetched), else by suffix; None for plain text."""
    from .url import is_url

    if is_url(source):
        return "url"
    return SUFFIX_TO_NAME.get(os.path.splitext(source)[1].lower())


def name_for(path_or_name: str | Path) -> str | None:
    """The backend name for a backend name or an input (`format_of`); None if no backend reads it."""
    text = str(path_or_name)
    return text if text in BACKENDS else format_of(text)


def backend_for(path_or_name: str | Path) -> FormatBackend | None:
    """The backend that reads `path_or_name` (imported on first use), or None (e.g. .txt, .md)."""
    name = name_for(path_or_name)
    if name is None:
        return None
    if name not in _loaded:
        module, _, cls = BACKENDS[name].partition(":")
        _loaded[name] = getattr(importlib.import_module(module), cls)()
    return _loaded[name]
