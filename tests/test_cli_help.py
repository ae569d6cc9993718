"""Help reads like Unix help: no `{paths}` or `<list[str]>`, and every command ends with examples."""

from __future__ import annotations

import subprocess
import sys

# Prints every command's help as `summtrans` builds it. A subprocess, because the metavar patch
# (cli_help.unix_metavars, applied when cli.py is imported) changes Typer's classes for the process.
_SCRIPT = r"""
from typer.main import get_command
from summtrans.cli.app import app
def walk(cmd, path):
    yield path, cmd
    for name, sub in sorted(getattr(cmd, "commands", {}).items()):
        yield from walk(sub, path + [name])
for path, cmd in walk(get_command(app), ["summtrans"]):
    ctx = cmd.make_context(" ".join(path), [], resilient_parsing=True)
    print("=====", " ".join(path), "(group)" if hasattr(cmd, "commands") else "")
    print(cmd.get_help(ctx))
"""


def _helps() -> dict[str, tuple[str, bool]]:
    """Command path -> (help text, is a group)."""
    proc = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    chunks = proc.stdout.split("===== ")[1:]
    out = {}
    for chunk in chunks:
        head, text = chunk.split("\n", 1)
        out[head.replace("(group)", "").strip()] = (text, head.endswith("(group)"))
    return out


def test_unix_metavars_everywhere():
    helps = {name: text for name, (text, _) in _helps().items()}
    assert {"summtrans translate", "summtrans models pull", "summtrans info", "summtrans completion"} <= set(helps)
    for name, text in helps.items():
        for bad in ("{", "<list[", "<str>", "<int", "<path>", "<text|", "TEXT...", "INTEGER RANGE"):
            assert bad not in text, f"{name}: {bad!r} in help:\n{text}"
    translate = helps["summtrans translate"]
    assert "Usage: summtrans translate [OPTIONS] PATHS..." in translate
    for option in ("--output PATH", "--glob PATTERN", "--exclude PATTERN", "--model NAME|PATH", "--config FILE",
                   "--threads N", "--num-beams N", "--batch-tokens N", "--max-bytes N", "--compute-type [auto|int8"):
        assert option in translate, option
    assert "--summary-model NAME|PATH" in helps["summtrans summarize"]
    assert "Usage: summtrans models bundle [OPTIONS] OUT.tar [PROFILE|HUB_ID]..." in helps["summtrans models bundle"]
    assert "-f, --format [text|json]" in helps["summtrans info"]


def test_every_command_ends_with_examples():
    helps = _helps()
    commands = [name for name, (_, group) in helps.items() if not group]
    assert {"summtrans translate", "summtrans summarize", "summtrans segment", "summtrans models rm"} <= set(commands)
    for name in commands:
        text = helps[name][0]
        hint = 'end it with @app.command(epilog=cli_help.examples("summtrans …", "summtrans …"))'
        assert "Examples:" in text, f"{name} has no examples ({hint}):\n{text}"
        examples = text[text.index("Examples:") :].splitlines()[1:]
        lines = [line for line in examples if line.strip()]
        assert 2 <= len(lines) <= 3, f"{name}: {lines}"
        assert all(name.split()[1] in line for line in lines), f"{name}: {lines}"  # its own command


def test_completion_script_and_answers():
    import os

    run = [sys.executable, "-c", "import sys; sys.argv[0] = 'summtrans'; from summtrans.cli.app import main; main()"]
    script = subprocess.run([*run, "completion", "bash"], capture_output=True, text=True, timeout=60)
    assert script.returncode == 0 and "_SUMMTRANS_COMPLETE=complete_bash" in script.stdout
    env = {**os.environ, "_SUMMTRANS_COMPLETE": "complete_bash", "COMP_WORDS": "summtrans models ", "COMP_CWORD": "2"}
    answer = subprocess.run(run, capture_output=True, text=True, timeout=60, env=env)
    assert answer.returncode == 0, answer.stdout + answer.stderr
    assert set(answer.stdout.split()) == {"list", "pull", "bundle", "import", "rm"}
