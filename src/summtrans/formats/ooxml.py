"""Run-based paragraphs of Office Open XML: WordprocessingML (docx) and DrawingML (pptx).

A paragraph's text runs become pieces; runs that hold something else (a drawing, a footnote
mark, a field and its result) stay where they are in the tree and separate stretches. Writing
inserts the new runs where each stretch's first run stood and removes the old text runs.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from .base import Unit
from .pieces import Paragraph, Piece, build, layout, unchanged

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

Links = Callable[[str], str | None]  # relationship id → target


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def a(tag: str) -> str:
    return f"{{{A}}}{tag}"


# Run children that only carry text (plus formatting); a run with anything else is fixed.
_W_TEXT = {w("t"), w("tab"), w("br"), w("cr"), w("noBreakHyphen"), w("softHyphen"), w("lastRenderedPageBreak")}
# Formatting that differs between runs without looking different: ignored when comparing runs.
_W_INVISIBLE = {w("lang"), w("noProof"), w("rPrChange"), w("webHidden")}
_A_LINKS = {a("hlinkClick"), a("hlinkMouseOver")}  # links are compared apart from formatting
_A_INVISIBLE = {"lang", "altLang", "dirty", "err", "smtClean", "smtId", "noProof"}


@dataclass(frozen=True)
class WordStyle:
    """A Word run's formatting: its properties and, for a link, the w:hyperlink it sat in."""

    rpr: Any  # w:rPr element or None
    hyperlink: Any = None  # w:hyperlink element (attributes reused) or None


# --------------------------------------------------------------------------------------------
# WordprocessingML
# --------------------------------------------------------------------------------------------


def word_paragraphs(root: Any, links: Links, role_of: Callable[[Any], str]) -> Iterator[tuple[Unit, Paragraph]]:
    """Every w:p under `root` with text, in document order (text-box paragraphs included)."""
    for p in root.iter(w("p")):
        stretches, elements = _word_stretches(p, links)
        if any(piece.text.strip() for s in stretches for piece in s):
            yield build(stretches, role_of(p), (p, elements))


def _owner(el: Any, tag: str) -> Any:
    """The nearest ancestor of `el` with `tag` (None if there is none)."""
    node = el.getparent()
    while node is not None and node.tag != tag:
        node = node.getparent()
    return node


def _word_stretches(p: Any, links: Links) -> tuple[list[list[Piece]], list[list[Any]]]:
    stretches: list[list[Piece]] = [[]]
    elements: list[list[Any]] = [[]]
    depth = 0  # inside a complex field (instruction or result): runs are fixed
    for run in p.iter(w("r")):
        if _owner(run, w("p")) is not p:
            continue
        kind = _word_kind(run, p)
        fld = run.find(w("fldChar"))
        if fld is not None:
            depth += {"begin": 1, "end": -1}.get(fld.get(w("fldCharType")) or "", 0)
            kind = "fixed"
        elif depth > 0 and kind == "text":
            kind = "fixed"
        if kind == "text":
            stretches[-1].append(_word_piece(run, p, links))
            elements[-1].append(run)
        elif kind == "fixed" and stretches[-1]:
            stretches.append([])
            elements.append([])
    if not stretches[-1]:
        stretches.pop()
        elements.pop()
    return stretches, elements


def _word_kind(run: Any, p: Any) -> str:
    node = run.getparent()
    while node is not p:
        if node.tag in (w("del"), w("moveFrom")):
            return "ignore"
        if node.tag == w("fldSimple"):
            return "fixed"
        node = node.getparent()
    tags = {child.tag for child in run if child.tag != w("rPr")}
    if not tags:
        return "ignore"
    if any(br.get(w("type"), "textWrapping") != "textWrapping" for br in run.iterchildren(w("br"))):
        return "fixed"  # a page or column break stays a break
    return "text" if tags <= _W_TEXT and tags & {w("t"), w("tab"), w("br"), w("cr")} else "fixed"


def _word_piece(run: Any, p: Any, links: Links) -> Piece:
    parts = []
    for child in run:
        tag = child.tag
        if tag == w("t"):
            parts.append(child.text or "")
        elif tag == w("tab"):
            parts.append("\t")
        elif tag in (w("br"), w("cr")):
            parts.append("\n")
        elif tag == w("noBreakHyphen"):
            parts.append("\u2011")
        elif tag == w("softHyphen"):
            parts.append("\u00ad")
    rpr = run.find(w("rPr"))
    hyperlink, link = _hyperlink_of(run, p), None
    if hyperlink is not None:
        rid, anchor = hyperlink.get(f"{{{R}}}id"), hyperlink.get(w("anchor"))
        link = (links(rid) if rid else None) or (f"#{anchor}" if anchor else "#")
    return Piece("".join(parts), _key(rpr, _W_INVISIBLE, None), WordStyle(rpr, hyperlink), link)


def write_word(source: Unit, paragraph: Paragraph, translated: Unit) -> bool:
    """Replace a Word paragraph's text runs by the translation's runs; False if nothing changed."""
    if unchanged(source, translated):
        return False
    p, elements = paragraph.anchor
    for runs, chunks in zip(elements, layout(source, paragraph, translated)):
        first = runs[0]
        link = _hyperlink_of(first, p)
        ref = first if link is None else link
        parent, index = ref.getparent(), ref.getparent().index(ref)
        for chunk in chunks:
            style = chunk.span.style if chunk.span is not None else paragraph.dominant
            made = _word_run(p, chunk.text, style.rpr if style is not None else None)
            if chunk.link is not None and chunk.link.style.hyperlink is not None:
                hyperlink = chunk.link.style.hyperlink
                wrap = p.makeelement(hyperlink.tag, dict(hyperlink.attrib))
                wrap.append(made)
                made = wrap
            parent.insert(index, made)
            index += 1
        for run in runs:
            holder = run.getparent()
            holder.remove(run)
            if holder.tag == w("hyperlink") and holder.find(f".//{w('r')}") is None:
                holder.getparent().remove(holder)
    return True


def _hyperlink_of(run: Any, p: Any) -> Any:
    node = run.getparent()
    while node is not p:
        if node.tag == w("hyperlink"):
            return node
        node = node.getparent()
    return None


def _word_run(p: Any, text: str, rpr: Any) -> Any:
    run = p.makeelement(w("r"), {})
    if rpr is not None:
        run.append(copy.deepcopy(rpr))
    for part in _split_controls(text):
        if part == "\t":
            run.append(p.makeelement(w("tab"), {}))
        elif part == "\n":
            run.append(p.makeelement(w("br"), {}))
        else:
            t = p.makeelement(w("t"), {XML_SPACE: "preserve"} if part != part.strip() else {})
            t.text = part
            run.append(t)
    return run


def _split_controls(text: str) -> list[str]:
    out: list[str] = []
    for ch in text:
        if ch in "\t\n" or not out or out[-1] in ("\t", "\n"):
            out.append(ch)
        else:
            out[-1] += ch
    return out


def _key(props: Any, invisible: set[str], attrs: set[str] | None) -> str:
    """A comparable form of run properties, without what does not show."""
    if props is None:
        return ""
    from lxml import etree

    clean = copy.deepcopy(props)
    for child in list(clean):
        if child.tag in invisible:
            clean.remove(child)
    for name in attrs or ():
        clean.attrib.pop(name, None)
    if not len(clean) and not clean.attrib:
        return ""  # an empty <w:rPr/> formats like none
    return etree.tostring(clean, method="c14n").decode()


# --------------------------------------------------------------------------------------------
# DrawingML (PowerPoint text frames, tables, notes)
# --------------------------------------------------------------------------------------------


def drawing_paragraphs(root: Any, links: Links, role: str) -> Iterator[tuple[Unit, Paragraph]]:
    """Every a:p under `root` with text, in document order."""
    for p in root.iter(a("p")):
        stretches: list[list[Piece]] = [[]]
        elements: list[list[Any]] = [[]]
        for child in p:
            if child.tag in (a("r"), a("br")):
                stretches[-1].append(_drawing_piece(child, links))
                elements[-1].append(child)
            elif child.tag == a("fld") and stretches[-1]:
                stretches.append([])
                elements.append([])
        if not stretches[-1]:
            stretches.pop()
            elements.pop()
        if any(piece.text.strip() for s in stretches for piece in s):
            in_table = any(anc.tag == a("tc") for anc in p.iterancestors())
            yield build(stretches, "cell" if in_table else role, (p, elements))


def _drawing_piece(el: Any, links: Links) -> Piece:
    rpr = el.find(a("rPr"))
    text = "\n" if el.tag == a("br") else (el.findtext(a("t")) or "")
    link = None
    click = rpr.find(a("hlinkClick")) if rpr is not None else None
    if click is not None:
        rid = click.get(f"{{{R}}}id")
        link = (links(rid) if rid else None) or "#"
    return Piece(text, _key(rpr, _A_LINKS, _A_INVISIBLE), rpr, link)


def write_drawing(source: Unit, paragraph: Paragraph, translated: Unit) -> bool:
    """Replace a DrawingML paragraph's runs and breaks by the translation's runs; False if unchanged."""
    if unchanged(source, translated):
        return False
    p, elements = paragraph.anchor
    for runs, chunks in zip(elements, layout(source, paragraph, translated)):
        index = p.index(runs[0])
        for chunk in chunks:
            rpr = _with_link(chunk.span.style if chunk.span is not None else paragraph.dominant, chunk)
            for part in _split_controls(chunk.text):
                made = p.makeelement(a("br") if part == "\n" else a("r"), {})
                if rpr is not None:
                    made.append(copy.deepcopy(rpr))
                if part != "\n":
                    t = p.makeelement(a("t"), {})
                    t.text = part
                    made.append(t)
                p.insert(index, made)
                index += 1
        for el in runs:
            p.remove(el)
    return True


def _with_link(rpr: Any, chunk: Any) -> Any:
    """Run properties that carry the chunk's link (from the span that brought it) if they lack one."""
    if chunk.link is None or chunk.link is chunk.span or chunk.link.style is None:
        return rpr
    click = chunk.link.style.find(a("hlinkClick"))
    if click is None or (rpr is not None and rpr.find(a("hlinkClick")) is not None):
        return rpr
    merged = copy.deepcopy(rpr) if rpr is not None else chunk.link.style.makeelement(a("rPr"), {})
    merged.append(copy.deepcopy(click))
    return merged


__all__ = ["WordStyle", "drawing_paragraphs", "word_paragraphs", "write_drawing", "write_word"]
