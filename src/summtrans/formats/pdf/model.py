"""What the PDF stages hand each other: pages, line fragments, ruling lines and tables, and how
each line was drawn (its page objects and fonts), which the writer needs to lay the English back."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Style:
    """How a run of text was set: enough to set its English alike."""

    font: str  # the PDF font's name (a key into `Reading.fonts`)
    size: float  # pt
    bold: bool = False
    italic: bool = False
    color: tuple[int, int, int, int] = (0, 0, 0, 255)  # fill colour, RGBA
    mode: int = 0  # text render mode (0 fill; 3 invisible: an OCR layer over a scan)


@dataclass(frozen=True)
class Ink:
    """How one word was drawn: the page objects its characters are in, and its style (one
    instance is shared by the words drawn alike)."""

    objects: tuple[int, ...]  # indices of the page's top-level objects
    style: Style
    in_form: bool = False  # some of its characters are inside a form XObject


@dataclass(eq=False)  # compared and hashed by identity: the stages keep sets of lines
class Line:
    """A line fragment: text on one baseline, not crossing a column gap or a table's rule."""

    page: int
    text: str
    x0: float
    x1: float
    bottom: float  # PDF coordinates: y grows upwards
    top: float
    size: float  # font size (the most common among its characters)
    hyphenated: bool = False  # PDFium marked the line end as a hyphenation (U+FFFE)
    mono: bool = False  # set in a monospaced font (code)
    column: int = 0  # 0: full width or single column; 1 left, 2 right
    fresh: bool = False  # starts a new block whatever comes before (a block set beside another)
    table: Table | None = None  # a table standing in the reading order in place of its lines
    group: list[Line] | None = None  # lines read as one block before what stands beside them (an address)
    ink: tuple[tuple[int, Ink], ...] = ()  # (offset into text, ink) of each word: how it was drawn
    char: int = -1  # index of its first character on the page's text page (-1: unknown)
    base: float | None = None  # its baseline (its first character's origin); None: unknown
    origin: float | None = None  # x of its first character's origin (left of its ink by the side bearing)
    rotated: bool = False  # set at an angle
    parts: tuple[Line, ...] = ()  # the fragments it was joined from (a list marker and its text)

    @property
    def baseline(self) -> float:
        return self.bottom if self.base is None else self.base

    @property
    def start(self) -> float:
        """Where its text starts: its first character's origin (else its ink's left edge)."""
        return self.x0 if self.origin is None or abs(self.origin - self.x0) > 0.5 * max(self.size, 1.0) else self.origin


@dataclass(frozen=True)
class Rule:
    """A straight ruling line (a table's border, an underline, a frame's edge)."""

    vertical: bool
    at: float  # x of a vertical rule, y of a horizontal one
    start: float  # where it begins along its direction (bottom or left)
    end: float


@dataclass
class Table:
    """Rows of cells; a cell is its lines, top to bottom (empty: an empty cell)."""

    rows: list[list[list[Line]]]
    edges: list[float]  # the columns' left edges (a table going on over a page break has the same)
    caption: list[Line] = field(default_factory=list)  # a first row across all columns: the table's title
    repeats: list[list[list[Line]]] = field(default_factory=list)  # its header row repeated on later pages


@dataclass
class Page:
    """One page as read: its text's line fragments, its ruling lines, the boxes of what else is
    drawn on it (images, paths, forms: left, bottom, right, top), and its text objects."""

    index: int
    width: float
    height: float
    lines: list[Line]
    rules: list[Rule]
    shapes: list[tuple[float, float, float, float]] = field(default_factory=list)
    texts: list[int] = field(default_factory=list)  # indices of its page-level text objects, in order


@dataclass(frozen=True)
class Font:
    """A font of the PDF as the writer needs it: which characters it can set, how wide."""

    name: str
    widths: dict[str, float]  # advance width per 1000 units of the font size, for the characters it covers
    serif: bool = False
    mono: bool = False
    bold: bool = False
    italic: bool = False
