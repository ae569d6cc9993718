"""The PDF editing calls, and nothing else: the German text taken out of a copy of the PDF and
the English set in, page by page; the bilingual and interleaved documents put together.

Two ways of editing a page, both leaving everything else on it as it was:

* splice (the usual): pikepdf takes the German's text-showing operators out of the page's
  content stream (the n-th one is PDFium's n-th text object) and appends a stream with the
  English, which PDFium writes on a blank page of a small scratch document (with the fonts it
  needs). The page's other content is never rewritten: PDFium's content writer drops shadings
  and inline images and, on each call, walks the whole document (seconds per page on a long
  PDF with many links), which splicing avoids.
* regenerate (where splicing cannot: a text operator kept right after one taken out, whose
  position followed from it): PDFium removes the text objects and rewrites the page's content,
  unless the page has a shading or an inline image it would drop.

Only page-level text is ever taken out: removing an object inside a form XObject makes PDFium
rewrite the form's resources but not its content stream, which garbles all its text (the reader
marks such text, and the writer leaves it alone).
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from .read import PDFIUM

log = logging.getLogger(__name__)

CHUNK = 8  # pages set per scratch document (PDFium's content writer walks its whole document)
_SHOW = frozenset({"Tj", "TJ", "'", '"'})
_POSITION = frozenset({"Td", "TD", "Tm", "T*", "BT"})
_STROKES = {1, 2, 5, 6}  # text render modes that stroke the glyphs
_FX_NAME = re.compile(rb"(^|[\s\[])(/FX[A-Z]\d+)(?=[\s/\[<(])")


@dataclass(frozen=True)
class FontSource:
    """Where the font of a run comes from: the PDF's own (`name`, found on the run's page), a
    TrueType subset (`data`), or one of PDFium's standard fonts (`standard`)."""

    name: str | None = None
    data: bytes | None = None
    standard: str | None = None


@dataclass
class Run:
    """One new text object: `text` in `font` at `size`, its first glyph's origin at (x, y),
    the glyphs after it at `positions` (x offsets from the first, in unscaled units)."""

    font: FontSource
    size: float
    text: str
    x: float
    y: float
    hscale: float = 1.0
    positions: Sequence[float] | None = None
    color: tuple[int, int, int, int] = (0, 0, 0, 255)
    mode: int = 0  # text render mode (0 fill; 3 invisible, as an OCR layer)


@dataclass
class Change:
    """One page's edit: the text objects (page-level indices) taken out, the runs set in,
    and for the PDF's own fonts an object on the page drawn in each."""

    removed: list[int] = field(default_factory=list)
    runs: list[Run] = field(default_factory=list)
    own: dict[str, int] = field(default_factory=dict)  # font name → index of an object in it


def write(data: bytes, changes: dict[int, Change], texts: dict[int, list[int]],
          progress: Callable[[int, int], None] | None = None) -> tuple[bytes, list[int]]:
    """The PDF with each page's change made, and the pages left as they were (neither way of
    editing was safe). `texts`: each page's text objects (page-level indices, in order)."""
    import pikepdf

    pages = sorted(changes)
    unspliced: list[int] = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        fonts = _FontCache(pdf)
        for start in range(0, len(pages), CHUNK):
            chunk = pages[start : start + CHUNK]
            with _scratch(data, {p: changes[p] for p in chunk}) as english:
                for p in chunk:
                    page = pdf.pages[p]
                    kept = _splice_plan(page, texts.get(p, []), changes[p].removed)
                    if kept is None:
                        unspliced.append(p)
                        continue
                    _splice(pdf, page, kept, english[p], fonts)
            if progress:
                progress(min(start + CHUNK, len(pages)), len(pages))
        out = io.BytesIO()
        pdf.save(out, encryption=True if pdf.is_encrypted else None)
    if not unspliced:
        return out.getvalue(), []
    return _regenerate(out.getvalue(), {p: changes[p] for p in unspliced})


# --------------------------------------------------------------------------------------------
# Splicing
# --------------------------------------------------------------------------------------------


def _splice_plan(page: Any, texts: Sequence[int], removed: Sequence[int]) -> list[Any] | None:
    """The page's content without the removed text objects' operators, or None when that is
    not safe: the operators do not match PDFium's text objects, or a kept operator's position
    followed from a removed one's."""
    import pikepdf

    ordinals = {k for k, index in enumerate(texts) if index in set(removed)}
    try:
        ops = pikepdf.parse_content_stream(page)
    except pikepdf.PdfError:
        return None
    out: list[Any] = []
    n = 0
    after_removed = False
    for instruction in ops:
        op = str(instruction.operator) if not isinstance(instruction, pikepdf.ContentStreamInlineImage) else "INLINE IMAGE"
        if op in _POSITION:
            after_removed = False
        if op in _SHOW:
            gone = n in ordinals
            n += 1
            if not gone:
                if after_removed and op in ("Tj", "TJ"):
                    return None  # its place was where the removed text ended
                out.append(instruction)
                continue
            after_removed = True
            if op == "'":  # next line, then show: keep the line move
                out.append(pikepdf.ContentStreamInstruction([], pikepdf.Operator("T*")))
            elif op == '"':  # word and character spacing, next line, then show
                aw, ac = instruction.operands[0], instruction.operands[1]
                out.append(pikepdf.ContentStreamInstruction([aw], pikepdf.Operator("Tw")))
                out.append(pikepdf.ContentStreamInstruction([ac], pikepdf.Operator("Tc")))
                out.append(pikepdf.ContentStreamInstruction([], pikepdf.Operator("T*")))
            continue
        out.append(instruction)
    return out if n == len(texts) else None


class _FontCache:
    """Fonts copied into the output once: the English's fallbacks by their name."""

    def __init__(self, pdf: Any) -> None:
        self.pdf = pdf
        self.copied: dict[str, Any] = {}

    def font(self, scratch_font: Any, page_fonts: dict[str, Any]) -> Any:
        base = str(scratch_font.get("/BaseFont", ""))
        if base in page_fonts:  # the PDF's own font, reused: the page has it already
            return page_fonts[base]
        if base not in self.copied:
            self.copied[base] = self.pdf.copy_foreign(scratch_font)
        return self.copied[base]


def _resources(page: Any) -> Any:
    """A page's resources, its own or inherited."""
    node = page.obj
    while node is not None:
        if "/Resources" in node:
            return node.Resources
        node = node.get("/Parent")
    return None


def _splice(pdf: Any, page: Any, kept: list[Any], english: tuple[bytes, Any], fonts: _FontCache) -> None:
    """The page's content as `kept`, then the English stream, with the English's resources
    under names of their own (the page gets resources of its own: shared ones stay as they were)."""
    import pikepdf

    stream, scratch_resources = english
    old = _resources(page)
    res = pikepdf.Dictionary()
    if old is not None:
        for key, value in old.items():
            res[key] = pikepdf.Dictionary({k: v for k, v in value.items()}) if isinstance(value, pikepdf.Dictionary) else value
    page_fonts = {}
    if "/Font" in res:
        for value in res.Font.values():
            if isinstance(value, pikepdf.Dictionary) and "/BaseFont" in value:
                page_fonts.setdefault(str(value.BaseFont), value)
    renames: dict[str, str] = {}
    for category in ("/Font", "/ExtGState"):
        if category not in scratch_resources:
            continue
        if category not in res:
            res[category] = pikepdf.Dictionary()
        target = res[category]
        for name, value in scratch_resources[category].items():
            new = _unused(target, name)
            renames[name] = new
            target[new] = fonts.font(value, page_fonts) if category == "/Font" else pdf.copy_foreign(value)
    # PDFium names the resources of what it writes /FXF1, /FXE1…: renamed to ours in its stream
    stream = _FX_NAME.sub(lambda m: (m.group(1) + renames.get(m.group(2).decode(), m.group(2).decode()).encode()), stream)
    content = b"q\n" + pikepdf.unparse_content_stream(kept) + b"\nQ\n" + stream
    page.obj.Contents = pdf.make_stream(content)
    page.obj.Resources = res


def _unused(names: Any, name: str) -> str:
    """`name` with a prefix of ours, made unique among `names`."""
    base = "/ST" + name.lstrip("/")
    new, k = base, 1
    while new in names:
        k += 1
        new = f"{base}_{k}"
    return new


@contextlib.contextmanager
def _scratch(data: bytes, changes: dict[int, Change]) -> Iterator[dict[int, tuple[bytes, Any]]]:
    """The English of each page as a content stream and its resources (open while the context
    lasts), set by PDFium on a blank page of a scratch document; the PDF's own fonts come with
    a copy of their page."""
    import pikepdf
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    with PDFIUM:
        original = pdfium.PdfDocument(data)
        scratch = _Doc(pdfium.PdfDocument.new())
        try:
            blanks: dict[int, int] = {}
            sources: dict[int, int] = {}
            for p, change in changes.items():
                if change.own and any(run.font.name for run in change.runs):
                    sources[p] = len(scratch.doc)
                    raw.FPDF_ImportPagesByIndex(scratch.doc.raw, original.raw, (ctypes.c_int * 1)(p), 1, sources[p])
            for p, change in changes.items():
                width, height = original.get_page_size(p)
                index = len(scratch.doc)
                raw.FPDF_ClosePage(raw.FPDFPage_New(scratch.doc.raw, index, width, height))
                blanks[p] = index
                fonts = {name: scratch.own_font(sources[p], obj) for name, obj in change.own.items() if p in sources}
                scratch.set_runs(index, change.runs, fonts)
            out = io.BytesIO()
            scratch.doc.save(out)
        finally:
            scratch.close()
            original.close()
    with pikepdf.open(io.BytesIO(out.getvalue())) as pdf:
        english = {}
        for p, index in blanks.items():
            page = pdf.pages[index].obj
            stream = b"\n".join(s.read_bytes() for s in _streams(page.get("/Contents")))
            english[p] = (stream, page.get("/Resources", pikepdf.Dictionary()))
        yield english


def _streams(contents: Any) -> list[Any]:
    import pikepdf

    if contents is None:
        return []
    if isinstance(contents, pikepdf.Array):
        return [c for c in contents]
    return [contents]


# --------------------------------------------------------------------------------------------
# PDFium: a document to set text in
# --------------------------------------------------------------------------------------------


class _Doc:
    """A PDFium document text is set in, with the fonts it has loaded."""

    def __init__(self, doc: Any) -> None:
        self.doc = doc
        self._keep: list[Any] = []  # what keeps fonts and their data alive until it is closed
        self._loaded: dict[FontSource, Any] = {}

    def close(self) -> None:
        import pypdfium2.raw as raw

        for obj in self._keep:
            if not isinstance(obj, ctypes.Array):
                raw.FPDFPageObj_Destroy(obj)
        self._keep = []
        self.doc.close()

    def own_font(self, page_index: int, obj_index: int) -> Any:
        """The font of text object `obj_index` on page `page_index`, usable on any page."""
        import pypdfium2.raw as raw

        page = self.doc[page_index]
        try:
            obj = raw.FPDFPage_GetObject(page.raw, obj_index)
            font = raw.FPDFTextObj_GetFont(obj) if obj and raw.FPDFPageObj_GetType(obj) == raw.FPDF_PAGEOBJ_TEXT else None
            if font:  # an object never put on a page holds the font while the document is open
                self._keep.append(raw.FPDFPageObj_CreateTextObj(self.doc.raw, font, 1.0))
            return font or None
        finally:
            page.close()

    def loaded(self, source: FontSource) -> Any:
        import pypdfium2.raw as raw

        font = self._loaded.get(source)
        if font is None:
            if source.data is not None:
                buffer = (ctypes.c_uint8 * len(source.data)).from_buffer_copy(source.data)
                self._keep.append(buffer)
                font = raw.FPDFText_LoadFont(self.doc.raw, buffer, len(source.data), raw.FPDF_FONT_TRUETYPE, True)
            else:
                font = raw.FPDFText_LoadStandardFont(self.doc.raw, (source.standard or "Helvetica").encode("ascii"))
                if font:
                    self._keep.append(raw.FPDFPageObj_CreateTextObj(self.doc.raw, font, 1.0))
            self._loaded[source] = font
        return font

    def set_runs(self, page_index: int, runs: Sequence[Run], own: dict[str, Any],
                 removed: Sequence[int] = ()) -> None:
        """On one page: `removed` objects taken out, the runs set (where the first removed one
        was, so that text keeps its reading order), the content regenerated."""
        import pypdfium2.raw as raw

        page = self.doc[page_index]
        try:
            count = raw.FPDFPage_CountObjects(page.raw)
            objects = [raw.FPDFPage_GetObject(page.raw, i) for i in range(count)]
            at = min((i for i in removed if 0 <= i < count), default=count)
            for run in reversed(runs):
                font = own.get(run.font.name) if run.font.name else self.loaded(run.font)
                obj = _text_object(self.doc.raw, run, font) if font else None
                if obj is not None:
                    raw.FPDFPage_InsertObjectAtIndex(page.raw, obj, at)
            for i in sorted(set(removed)):
                if 0 <= i < count and raw.FPDFPage_RemoveObject(page.raw, objects[i]):
                    raw.FPDFPageObj_Destroy(objects[i])
            if not raw.FPDFPage_GenerateContent(page.raw):
                raise RuntimeError(f"PDFium could not write page {page_index + 1}")
        finally:
            page.close()


def _text_object(doc: Any, run: Run, font: Any) -> Any:
    import pypdfium2.raw as raw

    obj = raw.FPDFPageObj_CreateTextObj(doc, font, run.size)
    if not obj:
        return None
    encoded = run.text.encode("utf-16-le") + b"\0\0"
    raw.FPDFText_SetText(obj, (ctypes.c_ushort * (len(encoded) // 2)).from_buffer_copy(encoded))
    if (run.positions and len(run.positions) == len(run.text) - 1 and len(encoded) == 2 * len(run.text) + 2
            and hasattr(raw, "FPDFText_SetPositions")):  # older PDFium: the font's own advances
        raw.FPDFText_SetPositions(obj, (ctypes.c_float * len(run.positions))(*run.positions), len(run.positions))
    raw.FPDFPageObj_SetMatrix(obj, raw.FS_MATRIX(run.hscale, 0, 0, 1, run.x, run.y))
    raw.FPDFPageObj_SetFillColor(obj, *run.color)
    if run.mode:
        raw.FPDFTextObj_SetTextRenderMode(obj, run.mode)
    if run.mode in _STROKES:
        raw.FPDFPageObj_SetStrokeColor(obj, *run.color)
    return obj


def _regenerate(data: bytes, changes: dict[int, Change]) -> tuple[bytes, list[int]]:
    """Pages PDFium edits in place (their content rewritten), but not one with a shading or an
    inline image (PDFium would drop them): those are left as they were."""
    import pikepdf
    import pypdfium2 as pdfium

    with pikepdf.open(io.BytesIO(data)) as pdf:
        unsafe = {p for p in changes if _drops(pdf.pages[p])}
    todo = {p: c for p, c in changes.items() if p not in unsafe}
    if not todo:
        return data, sorted(unsafe)
    with PDFIUM:
        doc = _Doc(pdfium.PdfDocument(data))
        try:
            for p, change in sorted(todo.items()):
                own = {name: doc.own_font(p, obj) for name, obj in change.own.items()}
                doc.set_runs(p, change.runs, own, change.removed)
            out = io.BytesIO()
            doc.doc.save(out)
        finally:
            doc.close()
    log.debug("pages rewritten by PDFium: %s", sorted(todo))
    return out.getvalue(), sorted(unsafe)


def _drops(page: Any) -> bool:
    """Whether PDFium's content writer would lose something of the page: a shading or an inline image."""
    import pikepdf

    try:
        for instruction in pikepdf.parse_content_stream(page):
            if isinstance(instruction, pikepdf.ContentStreamInlineImage) or str(instruction.operator) == "sh":
                return True
    except pikepdf.PdfError:
        return True
    return False


def standard_widths(name: str, chars: Iterable[str]) -> dict[str, float]:
    """Advance widths (per 1000 units of the size) of one of PDFium's standard fonts."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    with PDFIUM:
        doc = _Doc(pdfium.PdfDocument.new())
        try:
            font = doc.loaded(FontSource(standard=name))
            width = ctypes.c_float()
            out = {}
            for c in set(chars):
                if raw.FPDFFont_GetGlyphWidth(font, ord(c), 1000.0, width) and (width.value > 0 or c == " "):
                    out[c] = width.value
            return out
        finally:
            doc.close()


def text_pages(sizes: Sequence[tuple[float, float]], runs: Sequence[Sequence[Run]]) -> bytes:
    """A new PDF of blank pages of `sizes`, each with its runs set (in fallback or standard
    fonts: a text page has no fonts of its own; each is embedded once)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    with PDFIUM:
        doc = _Doc(pdfium.PdfDocument.new())
        try:
            for k, ((width, height), page_runs) in enumerate(zip(sizes, runs)):
                raw.FPDF_ClosePage(raw.FPDFPage_New(doc.doc.raw, k, width, height))
                doc.set_runs(k, page_runs, {})
            out = io.BytesIO()
            doc.doc.save(out)
            return out.getvalue()
        finally:
            doc.close()


def with_pages(data: bytes, extra: bytes, at: Sequence[int], replace: bool = False) -> bytes:
    """`data` with page k of `extra` right after its page `at[k]`, or in its place (`replace`)."""
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf, pikepdf.open(io.BytesIO(extra)) as more:
        for k, p in sorted(enumerate(at), key=lambda kp: -kp[1]):  # from the back: indices hold
            pdf.pages.insert(p + 1, more.pages[k])
            if replace:
                del pdf.pages[p]
        out = io.BytesIO()
        pdf.save(out, encryption=True if pdf.is_encrypted else None)
    return out.getvalue()


# --------------------------------------------------------------------------------------------
# Original and English together
# --------------------------------------------------------------------------------------------


def interleaved(original: bytes, english: bytes) -> bytes:
    """Each original page followed by its English (links and outline of the original kept)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    with PDFIUM:
        dest = pdfium.PdfDocument(original)
        src = pdfium.PdfDocument(english)
        try:
            n = len(dest)
            indices = (ctypes.c_int * n)(*range(n))
            if not raw.FPDF_ImportPagesByIndex(dest.raw, src.raw, indices, n, n):
                raise RuntimeError("PDFium could not import the English pages")
            for i in range(n):
                raw.FPDF_MovePages(dest.raw, (ctypes.c_int * 1)(n + i), 1, 2 * i + 1)
            out = io.BytesIO()
            dest.save(out)
            return out.getvalue()
        finally:
            src.close()
            dest.close()


def bilingual(original: bytes, english: bytes) -> bytes:
    """Each original page on the left, its English on the right, on one page of double width:
    the pages are placed as form objects (their text and vectors as they are, not images)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    both = interleaved(original, english)
    with PDFIUM:
        src = pdfium.PdfDocument(both)
        try:
            sizes = [src.get_page_size(i) for i in range(len(src))]
            w, h = sizes[0]
            if all(abs(sw - w) < 0.5 and abs(sh - h) < 0.5 for sw, sh in sizes):
                # one import for all pages: fonts and images shared by the pages are written once
                dest = pdfium.PdfDocument(raw.FPDF_ImportNPagesToOne(src.raw, 2 * w, h, 2, 1))
            else:
                dest = _side_by_side(src, sizes)
            try:
                out = io.BytesIO()
                dest.save(out)
                return out.getvalue()
            finally:
                dest.close()
        finally:
            src.close()


def _side_by_side(src: Any, sizes: list[tuple[float, float]]) -> Any:
    """Pages of different sizes: each pair on a page of its own size, one form object each."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    dest = pdfium.PdfDocument.new()
    for k in range(len(sizes) // 2):
        (lw, lh), (rw, rh) = sizes[2 * k], sizes[2 * k + 1]
        page = raw.FPDFPage_New(dest.raw, k, lw + rw, max(lh, rh))
        try:
            for index, dx in ((2 * k, 0.0), (2 * k + 1, lw)):
                xobject = raw.FPDF_NewXObjectFromPage(dest.raw, src.raw, index)
                form = raw.FPDF_NewFormObjectFromXObject(xobject)
                raw.FPDFPageObj_Transform(form, 1, 0, 0, 1, dx, max(lh, rh) - sizes[index][1])
                raw.FPDFPage_InsertObject(page, form)
                raw.FPDF_CloseXObject(xobject)
            raw.FPDFPage_GenerateContent(page)
        finally:
            raw.FPDF_ClosePage(page)
    return dest
