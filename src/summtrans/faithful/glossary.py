"""A glossary: German terms with the English the translation must use (or keep as they are).

File format (``--glossary FILE``, or ``glossary:`` in a models.yaml profile): TSV or CSV, one
term a line, ``German<TAB>English``; an empty English side keeps the term as it stands (names of
people, places, organisations); an optional header row (``de``/``en``, ``german``/``english``,
``source``/``target``, …); blank lines and lines starting with ``#`` are skipped.

Terms match whole words, case as written (a lower-case term also at a sentence start with a
capital), and inflected German forms by a simple stem match: a term plus one of the endings in
`INFLECTIONS` (``Jobcenter`` matches ``Jobcenters`` and ``Jobcentern``). A match is masked like
a protected span (`protect.protect(terms=…)`) and restored as the English term, so the model
never sees, and cannot mistranslate, it.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError

# Endings a German noun or name takes in its inflected forms (genitive, dative plural, …).
INFLECTIONS = ("s", "es", "n", "en", "e", "er", "ern", "ns")
_HEADERS = {("de", "en"), ("german", "english"), ("deutsch", "englisch"), ("source", "target"), ("term", "translation")}
MAX_BYTES = 10_000_000  # a glossary file larger than this is refused
MAX_TERM_CHARS = 200  # a term longer than this is a mistake (a sentence, a pasted paragraph)


class GlossaryError(ConfigError):
    """A glossary file cannot be used; the message names the file and line."""


@dataclass(frozen=True)
class GlossaryEntry:
    """One term."""

    german: str  # the term as it appears in German text
    english: str  # what the translation gets; "" keeps the German term as it stands
    line: int = 0  # line in the glossary file (0: from a mapping)


class Glossary:
    """Terms and their matcher."""

    def __init__(self, entries: Iterable[GlossaryEntry], source: str = "") -> None:
        self.entries = tuple(entries)
        self.source = source  # the file it was loaded from, for messages
        self._by_form: dict[str, GlossaryEntry] = {}
        for e in self.entries:
            self._by_form.setdefault(e.german, e)
            if e.german[:1].islower():  # also at a sentence start
                self._by_form.setdefault(e.german[0].upper() + e.german[1:], e)
        forms = sorted(self._by_form, key=len, reverse=True)  # longest first: "Agentur für Arbeit" before "Arbeit"
        endings = "|".join(sorted(INFLECTIONS, key=len, reverse=True))
        self._pattern = (
            re.compile(rf"(?<!\w)({'|'.join(re.escape(f) for f in forms)})(?:{endings})?(?!\w)") if forms else None
        )

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, str | None]) -> Glossary:
        """A glossary from {German: English}; None or "" keeps the term."""
        entries = []
        for german, english in mapping.items():
            german = str(german).strip()
            if not german:
                raise GlossaryError("glossary: an empty German term")
            entries.append(GlossaryEntry(german, (english or "").strip()))
        return cls(entries)

    def __len__(self) -> int:
        return len(self.entries)

    def terms(self, text: str) -> list[tuple[str, int, int, str]]:
        """The glossary matches in `text` as ``("term", start, end, output)`` for `protect.protect`."""
        if self._pattern is None:
            return []
        found = []
        for m in self._pattern.finditer(text):
            entry = self._by_form[m.group(1)]
            found.append(("term", m.start(), m.end(), entry.english or m.group(0)))
        return found


def load_glossary(path: str | os.PathLike) -> Glossary:
    """Read a TSV or CSV glossary (see the module docstring); errors name the file and line."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise GlossaryError(f"{p}: glossary too large ({size:,} bytes; at most {MAX_BYTES:,})")
        text = p.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise GlossaryError(f"{p}: glossary file not found") from None
    except UnicodeDecodeError as exc:
        raise GlossaryError(f"{p}: glossary is not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise GlossaryError(f"{p}: cannot read glossary: {exc.strerror}") from None
    return parse_glossary(text, str(p))


def _dialect(text: str, name: str) -> str:
    if name.lower().endswith(".csv"):
        return ","
    if name.lower().endswith((".tsv", ".tab")):
        return "\t"
    first = next((line for line in text.splitlines() if line.strip() and not line.startswith("#")), "")
    return "\t" if "\t" in first else ","


def parse_glossary(text: str, name: str = "glossary") -> Glossary:
    """Parse glossary text; `name` (the file) is used in error messages and picks TSV or CSV."""
    delimiter = _dialect(text, name)
    entries: list[GlossaryEntry] = []
    seen: dict[str, GlossaryEntry] = {}
    quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
    rows = csv.reader(io.StringIO(text), delimiter=delimiter, quoting=quoting)
    first = True
    for row in rows:
        line = rows.line_num
        if not row or all(not c.strip() for c in row) or row[0].lstrip().startswith("#"):
            continue
        cells = [c.strip() for c in row]
        if first and len(cells) >= 2 and (cells[0].lower(), cells[1].lower()) in _HEADERS:
            first = False
            continue
        first = False
        if len(cells) > 2 and any(cells[2:]):
            raise GlossaryError(f"{name}:{line}: expected 2 columns (German, English), found {len(cells)}")
        german, english = cells[0], (cells[1] if len(cells) > 1 else "")
        if not german:
            raise GlossaryError(f"{name}:{line}: the German term is empty")
        if len(german) > MAX_TERM_CHARS or len(english) > MAX_TERM_CHARS:
            raise GlossaryError(f"{name}:{line}: term longer than {MAX_TERM_CHARS} characters")
        if german in seen:
            if seen[german].english != english:
                raise GlossaryError(
                    f"{name}:{line}: '{german}' is already on line {seen[german].line} with another English term"
                )
            continue
        entry = GlossaryEntry(german, english, line)
        seen[german] = entry
        entries.append(entry)
    return Glossary(entries, name)
