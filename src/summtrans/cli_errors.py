"""How every CLI command ends on an error: one ``Error: …`` line and the error's exit code.

Cheap to import (typer only), so ``summtrans --help`` stays light.
"""

from __future__ import annotations

from typing import Annotated, NoReturn

import typer

__all__ = ["DebugOpt", "fail"]

# The --debug option of the commands outside cli.py (models, memory): `fail` then raises.
DebugOpt = Annotated[bool, typer.Option("--debug", help="Full tracebacks.")]


def fail(exc: BaseException, debug: bool) -> NoReturn:
    """Print ``Error: <exc>`` on stderr and exit with its ``exit_code`` (1 if it has none);
    with `debug`, raise it instead (the traceback)."""
    if debug:
        raise exc
    typer.echo(f"Error: {exc}", err=True)
    raise typer.Exit(getattr(exc, "exit_code", 1))
