"""How every CLI command reports: its log set-up, and on an error one ``Error: …`` line and the
error's exit code.

Cheap to import (typer only), so ``summtrans --help`` stays light.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings
from typing import Annotated, Any, NoReturn

import typer

__all__ = ["DebugOpt", "fail", "setup_logging"]

# The --debug option of the commands outside app.py (models, memory): `fail` then raises.
DebugOpt = Annotated[bool, typer.Option("--debug", help="Full tracebacks.")]


def fail(exc: BaseException, debug: bool) -> NoReturn:
    """Print ``Error: <exc>`` on stderr and exit with its ``exit_code`` (1 if it has none);
    with `debug`, raise it instead (the traceback)."""
    if debug:
        raise exc
    typer.echo(f"Error: {exc}", err=True)
    raise typer.Exit(getattr(exc, "exit_code", 1))


def setup_logging(quiet: bool, debug: bool = False) -> None:
    """The library logs under ``summtrans``; the CLI shows it on stderr (messages only, unless --debug).

    Python warnings that libraries raise during a run (bs4, transformers…) go to that log at debug
    level: shown with --debug, never otherwise as a wall of text on the user's terminal.
    """
    level = logging.DEBUG if debug else logging.WARNING if quiet else logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s" if debug else "%(message)s"))
    root = logging.getLogger("summtrans")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
    warnings.showwarning = _log_warning
    if not debug:
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        if quiet:
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


def _log_warning(
    message: Warning | str, category: type[Warning], filename: str, lineno: int, file: Any = None, line: Any = None
) -> None:
    """`warnings.showwarning` for CLI runs: the warning as a debug log record."""
    logging.getLogger("summtrans.warnings").debug("%s: %s (%s:%s)", category.__name__, message, filename, lineno)
