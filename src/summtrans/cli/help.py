"""Unix-style names in plain help: ``PATHS...``, ``[PROFILE]...``, ``--output PATH``, ``--format [text|json]``.

Typer's plain help (``rich_markup_mode=None``) writes required arguments as ``{paths}...`` and every
value as ``<list[str]>`` or ``<int range>``. `unix_metavars()` makes it print what the rest of the
Unix world prints; an explicit ``metavar=`` on a parameter always wins. Call it once where the app
is built (app.py). Typer versions without these hooks already print Unix names and are left alone.
`examples()` builds the epilog every command's help ends with.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["examples", "unix_metavars"]

# Typer's value labels → the names click and most Unix tools use.
_TYPE_NAMES = {
    "str": "TEXT",
    "int": "INTEGER",
    "int range": "INTEGER",
    "float": "FLOAT",
    "float range": "FLOAT",
    "path": "PATH",
    "file": "PATH",
    "directory": "DIRECTORY",
    "datetime": "DATETIME",
    "UUID": "UUID",
}


def examples(*lines: str) -> str:
    r"""A command's epilog: ``Examples:`` and the given command lines, printed as written (``\b``
    stops click re-wrapping them). Use: ``@app.command(epilog=examples("summtrans x a.txt", ...))``."""
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


def _argument_name(param: Any) -> str:
    return param.metavar or param.name.upper()


def _argument_usage(param: Any) -> str:
    name = _argument_name(param)
    if not param.required:
        name = f"[{name}]"
    return f"{name}..." if param.nargs != 1 else name


def _argument_help_name(param: Any) -> str:
    name = _argument_name(param)
    return f"{name}..." if param.nargs != 1 else name


def _option_type(original: Any) -> Any:
    def display_type(param: Any, ctx: Any) -> str:
        label = str(original(param, ctx) or "")
        inner = label[1:-1] if label.startswith("<") and label.endswith(">") else label
        list_of = re.fullmatch(r"list\[(.*)\]", inner)
        inner = list_of.group(1) if list_of else inner
        if "|" in inner:
            return f"[{inner}]"
        return _TYPE_NAMES.get(inner, inner.upper())

    return display_type


def unix_metavars() -> None:
    """Patch Typer's plain-help names once (idempotent)."""
    from typer import core

    argument, option = getattr(core, "TyperArgument", None), getattr(core, "TyperOption", None)
    if argument is None or option is None or not hasattr(argument, "_usage_display_name"):
        return
    if getattr(option, "_summtrans_unix_metavars", False):
        return
    argument._usage_display_name = _argument_usage
    argument._rich_display_name = _argument_help_name
    argument.display_type = lambda param, ctx: ""  # the name says it
    option.display_type = _option_type(option.display_type)
    option._summtrans_unix_metavars = True
