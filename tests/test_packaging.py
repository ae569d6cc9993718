"""The built wheel installs and runs (.ci/wheel-check), and ships its licence files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_licence_files_declared():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT"
    for name in project["license-files"]:
        assert (ROOT / name).is_file(), name
    assert "Copyright (c) 2026 the summtrans authors" in (ROOT / "LICENSE").read_text(encoding="utf-8")


@pytest.mark.slow
def test_wheel_installs_and_runs():
    """The one place CI runs .ci/wheel-check (.ci/run → make test → the whole suite, slow tests included)."""
    env = {**os.environ, "VENV_PYTHON": sys.executable}
    proc = subprocess.run([str(ROOT / ".ci" / "wheel-check")], capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "summtrans imported from the wheel" in proc.stdout
    assert "ctranslate2:" in proc.stdout and "== ok" in proc.stdout
