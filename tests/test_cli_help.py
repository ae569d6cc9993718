"""Help reads like Unix help: no `{paths}` or `<list[str]>`, examples at the end of model commands."""

from __future__ import annotations

import subprocess
import sys

# Prints every command's help, with the patch applied as cli.py applies it. A subprocess, because
# the patch changes Typer's classes for the whole process.
_SCRIPT = r"""
import typer
from typer.main import get_command
from summtrans.cli_help import unix_metavars
unix_metavars()
from summtrans.cli import app
from summtrans.cli_models import completion, info, models_app
extra = typer.Typer(rich_markup_mode=None)  # as cli.py builds its app
extra.add_typer(models_app, name="models")
extra.command("info")(info)
extra.command("completion")(completion)
def walk(cmd, path):
    yield path, cmd
    for name, sub in sorted(getattr(cmd, "commands", {}).items()):
        yield from walk(sub, path + [name])
for root in (app, extra):
    for path, cmd in walk(get_command(root), ["summtrans"]):
        ctx = cmd.make_context(" ".join(path), [], resilient_parsing=True)
        print("=====", " ".join(path))
        print(cmd.get_help(ctx))
"""


def _helps() -> dict[str, str]:
    proc = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    chunks = proc.stdout.split("===== ")[1:]
    return {c.split("\n", 1)[0]: c.split("\n", 1)[1] for c in chunks}


def test_unix_metavars_everywhere():
    helps = _helps()
    assert {"summtrans translate", "summtrans models pull", "summtrans info"} <= set(helps)
    for name, text in helps.items():
        for bad in ("{", "<list[", "<str>", "<int", "<path>", "<text|"):
            assert bad not in text, f"{name}: {bad!r} in help:\n{text}"
    assert "Usage: summtrans translate [OPTIONS] PATHS..." in helps["summtrans translate"]
    assert "Usage: summtrans models bundle [OPTIONS] OUT.tar [PROFILE|HUB_ID]..." in helps["summtrans models bundle"]
    assert "-f, --format [text|json]" in helps["summtrans info"]


def test_model_commands_end_with_examples():
    helps = _helps()
    for name in ("models list", "models pull", "models bundle", "models import", "models rm", "info", "completion"):
        text = helps[f"summtrans {name}"]
        examples = text[text.index("Examples:") :]
        assert examples.count(f"summtrans {name.split()[0]}") >= 2, text
