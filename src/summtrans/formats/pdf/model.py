"""What the PDF stages hand each other: pages, line fragments, ruling lines and tables."""

from __future__ import annotations

from dataclasses import dataclass, field


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


@dataclass
class Page:
    """One page as read: its text's line fragments and its ruling lines."""

    index: int
    width: float
    height: float
    lines: list[Line]
    rules: list[Rule]
