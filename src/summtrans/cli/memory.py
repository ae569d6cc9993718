"""`summtrans memory …`: the translation memory's statistics, clearing, TMX export and import (wiring only).

app.py registers the group with `register(app)`.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import SummtransError
from .errors import DebugOpt, fail
from .help import examples

__all__ = ["memory_app", "register"]

memory_app = typer.Typer(
    help="The translation memory: statistics, clearing, TMX export and import.",
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

PathOpt = Annotated[
    Optional[Path],
    typer.Option("--memory", metavar="FILE", help="The memory file (default: $SUMMTRANS_CACHE_DIR/memory.sqlite3).",
                 show_default=False),
]


def _open(path: Path | None):
    from ..memory.store import Memory, MemoryOptions

    return Memory(MemoryOptions(path=path))


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"


@memory_app.command("stats", epilog=examples("summtrans memory stats", "summtrans memory stats --memory /data/tm.sqlite3"))
def stats(path: PathOpt = None, debug: DebugOpt = False) -> None:
    """Entries, size on disk and the hit rate of the last runs."""
    try:
        with _open(path) as memory:
            s = memory.stats()
    except SummtransError as exc:
        fail(exc, debug)
    typer.echo(f"# {s.path}")
    typer.echo(f"segments: {s.entries}  summaries: {s.summaries}  imported: {s.imports}  "
               f"contexts: {s.contexts}  size: {_size(s.size_bytes)}")
    if not s.runs:
        typer.echo("no runs recorded yet")
        return
    typer.echo("last runs (newest first):")
    for r in s.runs:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(r.finished))
        typer.echo(f"  {when}  hit rate {r.hit_rate:6.1%}  memory {r.hits}  imported {r.imported}  "
                   f"model {r.misses}  stored {r.stored}")


@memory_app.command("clear", epilog=examples("summtrans memory clear --yes", "summtrans memory clear --keep-imports"))
def clear(
    path: PathOpt = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    keep_imports: Annotated[bool, typer.Option("--keep-imports", help="Keep the imported human translations.")] = False,
    debug: DebugOpt = False,
) -> None:
    """Delete the remembered translations and summaries (and the imports unless --keep-imports)."""
    try:
        with _open(path) as memory:
            if not yes and not typer.confirm(f"Clear the translation memory {memory.path}?"):
                raise typer.Exit(1)
            memory.clear(imports=not keep_imports)
            typer.echo(f"cleared {memory.path}")
    except SummtransError as exc:
        fail(exc, debug)


@memory_app.command("export", epilog=examples("summtrans memory export memory.tmx", "summtrans memory export --imports-only approved.tmx"))
def export(
    out: Annotated[Path, typer.Argument(metavar="OUT.tmx", help="The TMX 1.4 file to write.", show_default=False)],
    path: PathOpt = None,
    imports_only: Annotated[bool, typer.Option("--imports-only", help="Only the imported human translations.")] = False,
    debug: DebugOpt = False,
) -> None:
    """Write every German→English segment pair to a TMX 1.4 file (CAT tools read it)."""
    from ..memory.tmx import export_tmx

    try:
        with _open(path) as memory:
            n = export_tmx(memory, out, model_entries=not imports_only)
    except SummtransError as exc:
        fail(exc, debug)
    typer.echo(f"exported {n} translation units to {out}")


@memory_app.command("import", epilog=examples("summtrans memory import approved.tmx", "summtrans memory import --memory /data/tm.sqlite3 approved.tmx"))
def import_(
    tmx: Annotated[Path, typer.Argument(metavar="IN.tmx", help="A TMX file with German and English variants.",
                                        show_default=False)],
    path: PathOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Import approved human translations from a TMX file.

    Imported pairs are treated as approved human translations: for the same German segment they
    override the output of any model, and JSON records mark them "origin": "memory-import".
    """
    from ..memory.tmx import import_tmx

    try:
        with _open(path) as memory:
            n = import_tmx(memory, tmx)
    except SummtransError as exc:
        fail(exc, debug)
    typer.echo(f"imported {n} translation units from {tmx}; they override model output for the same segments")


def register(app: typer.Typer) -> None:
    """Add `memory stats|clear|export|import` to the main app."""
    memory_app.info.epilog = examples(
        "summtrans memory stats", "summtrans memory export memory.tmx",
        "summtrans memory import approved.tmx", "summtrans memory clear --yes",
    )
    app.add_typer(memory_app, name="memory")
