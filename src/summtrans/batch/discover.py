"""Finding the documents of a folder run and naming their outputs.

Folders are walked recursively, sorted, without following symlinked folders. A file is taken
when its name matches one of the globs and no exclude; an exclude that matches a folder leaves the
whole folder out. Patterns without ``/`` match the name, patterns with ``/`` the path relative to
the input folder; case is ignored. Names starting with ``.`` (``.git``, ``.venv``) are left out
unless `include_hidden`. A FIFO, socket or device is listed with a reason and never opened. Files
named on the command line are always taken. OUTDIR is never walked.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..formats.registry import SUFFIXES
from ..formats.url import url_stem
from ..writers import Writer
from .journal import COMBINED_NAME, JOURNAL_NAME

__all__ = ["DEFAULT_GLOBS", "Item", "assign_outputs", "discover"]

# The one default of --glob: text, markdown and every suffix a format backend reads (docx, pdf…).
DEFAULT_GLOBS = ("*.txt", "*.md", *(f"*{suffix}" for suffix in SUFFIXES))


@dataclass(frozen=True)
class Item:
    """One discovered input."""

    path: Path  # the file on disk
    key: str  # relative POSIX path: the journal key, the record's "source" and the display name
    output: str = ""  # output path relative to OUTDIR ("" with a combined format)
    error: str | None = None  # a reason it cannot be processed at all (name clash)
    special: bool = False  # a FIFO, socket or device: skipped-special, never opened
    url: str | None = None  # an http(s) URL given as an input (its key; fetched, never discovered)


def _matches(name: str, rel: str, patterns: Sequence[str]) -> bool:
    for pattern in patterns:
        pat = pattern.casefold()
        target = (rel if "/" in pat else name).casefold()
        if fnmatch.fnmatchcase(target, pat):
            return True
        if pat.startswith("**/") and fnmatch.fnmatchcase(target, pat[3:]):  # ** also matches no folder
            return True
    return False


def _is_special(path: str) -> bool:
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False  # read_document reports it
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _prefixes(folders: list[Path]) -> dict[Path, str]:
    """With several input folders, each goes under a folder of its own name (made unique)."""
    if len(folders) < 2:
        return {}
    seen: set[str] = set()
    out: dict[Path, str] = {}
    for folder in folders:
        base = folder.resolve().name or "root"
        name, n = base, 2
        while name.casefold() in seen:
            name, n = f"{base}-{n}", n + 1
        seen.add(name.casefold())
        out[folder] = name + "/"
    return out


def discover(
    inputs: Sequence[Path | str],
    globs: Sequence[str] = DEFAULT_GLOBS,
    excludes: Sequence[str] = (),
    output_dir: Path | None = None,
    include_hidden: bool = False,
) -> tuple[list[Item], list[tuple[str, str]]]:
    """Find the documents of a folder run, in a stable order; return (items, listing errors).

    Only paths are collected (cheap for tens of thousands of files); contents are read later.
    """
    items: list[Item] = []
    errors: list[tuple[str, str]] = []
    prefixes = _prefixes([p for p in inputs if isinstance(p, Path) and p.is_dir()])
    out_real = os.path.realpath(output_dir) if output_dir is not None else None
    own_files = {os.path.join(out_real, JOURNAL_NAME), os.path.join(out_real, COMBINED_NAME)} if out_real else set()

    def hidden(name: str) -> bool:
        return name.startswith(".") and not include_hidden

    for inp in inputs:
        if isinstance(inp, str):  # a URL
            items.append(Item(Path(url_stem(inp)), inp, url=inp))
            continue
        if not inp.is_dir():
            if os.path.realpath(inp) not in own_files:
                items.append(Item(inp, inp.name, special=_is_special(os.fspath(inp))))
            continue
        prefix = prefixes.get(inp, "")

        def onerror(exc: OSError) -> None:
            errors.append((str(exc.filename or inp), f"cannot list folder: {exc.strerror or exc}"))

        for dirpath, dirnames, filenames in os.walk(inp, onerror=onerror):
            rel_dir = os.path.relpath(dirpath, inp)
            rel_dir = "" if rel_dir == "." else Path(rel_dir).as_posix() + "/"
            keep = []
            for d in sorted(dirnames):
                full = os.path.join(dirpath, d)
                if hidden(d) or (out_real is not None and os.path.realpath(full) == out_real):
                    continue
                if excludes and _matches(d, rel_dir + d, excludes):
                    continue
                keep.append(d)
            dirnames[:] = keep
            for f in sorted(filenames):
                rel = rel_dir + f
                if hidden(f) or not _matches(f, rel, globs) or (excludes and _matches(f, rel, excludes)):
                    continue
                full = os.path.join(dirpath, f)
                if own_files and os.path.realpath(full) in own_files:
                    continue
                items.append(Item(Path(full), prefix + rel, special=_is_special(full)))
    return items, errors


def assign_outputs(items: list[Item], writer: Writer, task: str, summary_only: bool) -> list[Item]:
    """Give each item its output path under OUTDIR (mirroring the input tree), or a reason why not.

    When two inputs would get the same output name (``report.txt`` and ``report.md`` with json),
    the later one in sorted order keeps its whole name (``report.md.json``).
    """
    keys: set[str] = set()
    taken: set[str] = set()
    out: list[Item] = []
    for item in items:
        if item.key in keys:
            out.append(dataclasses.replace(item, error=f"another input has the same name ({item.key}); rename one"))
            continue
        keys.add(item.key)
        if writer.combined or item.special:
            out.append(item)
            continue
        parent, _, name = ("", "", item.key) if item.url else item.key.rpartition("/")
        parent = parent + "/" if parent else ""
        target = parent + writer.output_name(name, task, summary_only)
        if target in taken:
            target = parent + writer.output_name(name, task, summary_only, whole=True)
        if target in taken or target in (JOURNAL_NAME, COMBINED_NAME):
            out.append(dataclasses.replace(item, error=f"its output name {target} is taken by another input"))
            continue
        taken.add(target)
        out.append(dataclasses.replace(item, output=target))
    return out
