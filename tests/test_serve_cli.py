"""`summtrans serve` on the command line: its help stays light, and without the extra it says how to get it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summtrans.cli.app import app

REPO = Path(__file__).resolve().parents[1]


def test_serve_without_the_extra_is_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # import uvicorn → ImportError
    r = CliRunner().invoke(app, ["serve", "--engine", "echo"])
    assert r.exit_code == 2
    assert r.stderr == 'Error: summtrans serve needs the serve extra: pip install "summtrans[serve]"\n'


def test_help_imports_no_web_framework() -> None:
    code = ("import sys; from typer.testing import CliRunner; from summtrans.cli.app import app; "
            "r = CliRunner().invoke(app, ['serve', '--help']); assert r.exit_code == 0, r.output; "
            "assert '--cors-origin' in r.output and '--api-keys' in r.output; "
            "print(sorted(m for m in ('starlette', 'uvicorn', 'torch', 'python_multipart') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={"PYTHONPATH": str(REPO / "src")}, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_bad_api_keys_file_and_options_are_one_line(tmp_path: Path) -> None:
    pytest.importorskip("uvicorn")
    empty = tmp_path / "keys.txt"
    empty.write_text("# nothing here\n")
    r = CliRunner().invoke(app, ["serve", "--engine", "echo", "--api-keys", str(empty), "-q"])
    assert (r.exit_code, r.stderr) == (2, f"Error: {empty}: no API keys in the file (one a line)\n")
    r = CliRunner().invoke(app, ["serve", "--engine", "echo", "--char-limit", "0", "-q"])
    assert (r.exit_code, r.stderr) == (2, "Error: --char-limit must be a positive number of characters (-1: no limit)\n")
