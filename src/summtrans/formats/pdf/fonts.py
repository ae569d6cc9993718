"""Fonts for the English: the PDF's own where it has every character, else a fallback TrueType.

The PDF's fonts are usually subsets holding only the German's characters; which characters a
font can set (and how wide) was read with the page (`model.Font`). A fallback is found with
fontconfig (``fc-match``) or in the usual font folders, metric-compatible Liberation first
(Arial, Times New Roman, Courier New), then DejaVu and Noto; it is embedded as a subset of
the characters the document needs (fontTools), about 20-40 KB instead of the whole font's
several hundred. With no TrueType font at all, PDFium's standard fonts (WinAnsi only) serve.
"""

from __future__ import annotations

import functools
import io
import logging
import os
import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .model import Font

log = logging.getLogger(__name__)

# family → file names (regular, bold, italic, bold italic) where fontconfig is missing
_FILES = {
    "Liberation Sans": ("LiberationSans-Regular", "LiberationSans-Bold", "LiberationSans-Italic", "LiberationSans-BoldItalic"),
    "Liberation Serif": ("LiberationSerif-Regular", "LiberationSerif-Bold", "LiberationSerif-Italic", "LiberationSerif-BoldItalic"),
    "Liberation Mono": ("LiberationMono-Regular", "LiberationMono-Bold", "LiberationMono-Italic", "LiberationMono-BoldItalic"),
    "DejaVu Sans": ("DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique", "DejaVuSans-BoldOblique"),
    "DejaVu Serif": ("DejaVuSerif", "DejaVuSerif-Bold", "DejaVuSerif-Italic", "DejaVuSerif-BoldItalic"),
    "DejaVu Sans Mono": ("DejaVuSansMono", "DejaVuSansMono-Bold", "DejaVuSansMono-Oblique", "DejaVuSansMono-BoldOblique"),
    "Noto Sans": ("NotoSans-Regular", "NotoSans-Bold", "NotoSans-Italic", "NotoSans-BoldItalic"),
    "Noto Serif": ("NotoSerif-Regular", "NotoSerif-Bold", "NotoSerif-Italic", "NotoSerif-BoldItalic"),
    "Arial": ("arial", "arialbd", "ariali", "arialbi"),
    "Times New Roman": ("times", "timesbd", "timesi", "timesbi"),
    "Courier New": ("cour", "courbd", "couri", "courbi"),
}
_FAMILIES = {
    "sans": ("Liberation Sans", "Arial", "DejaVu Sans", "Noto Sans"),
    "serif": ("Liberation Serif", "Times New Roman", "DejaVu Serif", "Noto Serif"),
    "mono": ("Liberation Mono", "Courier New", "DejaVu Sans Mono"),
}
_FOLDERS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts", "/Library/Fonts",
            "/System/Library/Fonts/Supplemental", "C:/Windows/Fonts")
# PDFium's standard fonts (no file needed; WinAnsi characters only)
_STANDARD = {
    "sans": ("Helvetica", "Helvetica-Bold", "Helvetica-Oblique", "Helvetica-BoldOblique"),
    "serif": ("Times-Roman", "Times-Bold", "Times-Italic", "Times-BoldItalic"),
    "mono": ("Courier", "Courier-Bold", "Courier-Oblique", "Courier-BoldOblique"),
}


@dataclass(frozen=True)
class Face:
    """A fallback font: its kind and style, and the family of the PDF's own font where that
    is installed (its subset lacked characters: the whole font has them)."""

    kind: str  # sans | serif | mono
    bold: bool = False
    italic: bool = False
    family: str | None = None

    @property
    def variant(self) -> int:
        return 2 * self.italic + self.bold

    @property
    def standard(self) -> str:
        return _STANDARD[self.kind][self.variant]


def face_of(font: Font | None, bold: bool, italic: bool) -> Face:
    """The fallback like `font` (its own family if installed, else serif, monospaced or sans)
    in the given weight and slant."""
    kind = "mono" if font is not None and font.mono else "serif" if font is not None and font.serif else "sans"
    return Face(kind, bold, italic, installed_family(font.name) if font is not None else None)


_STYLE_WORDS = re.compile(r"(?:[-,_ ]roman|[-,_ ]?(?:bold|italic|oblique|regular|book|medium|light|semibold|demi|"
                          r"black|condensed|narrow|psmt|mt|ps))$", re.I)


def installed_family(name: str) -> str | None:
    """The installed family a PDF font's name ("ABCDEF+DejaVuSans-Bold", "ArialMT") stands for."""
    plain = name.split("+", 1)[-1]
    while True:
        shorter = _STYLE_WORDS.sub("", plain)
        if shorter == plain or not shorter:
            break
        plain = shorter
    key = re.sub(r"[^a-z0-9]", "", plain.lower())
    if len(key) < 3:
        return None
    return _families().get(key)


@functools.lru_cache(maxsize=1)
def _families() -> dict[str, str]:
    """Installed families by their name in lower case without spaces (fontconfig's, else ours)."""
    names = set(_FILES)
    if shutil.which("fc-list") is not None:
        try:
            out = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, timeout=20,
                                 check=False).stdout
            names |= {part.strip() for line in out.splitlines() for part in line.split(",") if part.strip()}
        except (OSError, subprocess.SubprocessError):
            pass
    return {re.sub(r"[^a-z0-9]", "", n.lower()): n for n in names}


def covers(font: Font | None, text: Iterable[str]) -> bool:
    """Whether the PDF's own `font` can set every character of `text`, and a space (a gap
    without one reads as no space in the text layer: words run together when copied)."""
    return font is not None and " " in font.widths and all(c in font.widths for c in text)


# --------------------------------------------------------------------------------------------
# Fallback TrueType files
# --------------------------------------------------------------------------------------------


def fallback_file(face: Face, chars: str = "") -> Path | None:
    """A TrueType file for `face` that has `chars` (the first family that has them all, else the
    one that has most); None when none is installed."""
    best: tuple[int, Path] | None = None
    for family in ((face.family,) if face.family else ()) + _FAMILIES[face.kind]:
        path = _find(family, face.bold, face.italic)
        if path is None:
            continue
        missing = sum(1 for c in set(chars) if c != " " and not _has(path, c))
        if missing == 0:
            return path
        if best is None or missing < best[0]:
            best = (missing, path)
    return best[1] if best else None


@functools.lru_cache(maxsize=64)
def _find(family: str, bold: bool, italic: bool) -> Path | None:
    path = _fc_match(family, bold, italic)
    if path is None:
        names = _FILES.get(family, ())
        if names:
            path = _search(names[2 * italic + bold])
    if path is None or not _truetype(path):
        return None
    return path


def _fc_match(family: str, bold: bool, italic: bool) -> Path | None:
    if shutil.which("fc-match") is None:
        return None
    pattern = family + (":bold" if bold else "") + (":italic" if italic else "")
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}\n%{family}", pattern], capture_output=True, text=True,
                             timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    file, _, families = out.partition("\n")
    if not file or family.lower() not in families.lower():  # fontconfig's nearest is some other family
        return None
    return Path(file)


@functools.lru_cache(maxsize=1)
def _font_files() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for folder in _FOLDERS:
        root = Path(os.path.expanduser(folder))
        if not root.is_dir():
            continue
        for dirpath, _, files in os.walk(root):
            for name in files:
                stem, ext = os.path.splitext(name)
                if ext.lower() == ".ttf":
                    found.setdefault(stem.lower(), Path(dirpath) / name)
    return found


def _search(stem: str) -> Path | None:
    return _font_files().get(stem.lower())


@functools.lru_cache(maxsize=32)
def _load(path: Path):  # -> fontTools TTFont
    from fontTools.ttLib import TTFont

    return TTFont(str(path), lazy=True)


def _truetype(path: Path) -> bool:
    try:
        return "glyf" in _load(path)
    except Exception:  # noqa: BLE001 (a broken or unreadable font file is simply not used)
        return False


@functools.lru_cache(maxsize=4096)
def _has(path: Path, char: str) -> bool:
    cmap = _load(path).getBestCmap() or {}
    return ord(char) in cmap


def widths(path: Path, chars: Iterable[str]) -> dict[str, float]:
    """Advance widths per 1000 units of the size, for the characters of `chars` the font has."""
    font = _load(path)
    cmap = font.getBestCmap() or {}
    scale = 1000.0 / font["head"].unitsPerEm
    metrics = font["hmtx"].metrics
    return {c: metrics[cmap[ord(c)]][0] * scale for c in set(chars) if ord(c) in cmap}


def subset(path: Path, chars: Iterable[str]) -> bytes:
    """The font with only the glyphs of `chars` (and .notdef), as TrueType bytes to embed."""
    from fontTools import subset as fts
    from fontTools.ttLib import TTFont

    options = fts.Options()
    options.layout_features = []  # no shaping in PDF text: GSUB/GPOS are not needed
    options.notdef_outline = True
    options.drop_tables = list(options.drop_tables) + ["FFTM", "DSIG"]
    options.ignore_missing_glyphs = True
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    font = TTFont(str(path))
    subsetter = fts.Subsetter(options)
    subsetter.populate(text="".join(sorted(set(chars) | {" "})))
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()
