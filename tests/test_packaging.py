"""The built wheel installs with a plain `pip install` and reads every format (.ci/wheel-check), and
ships its licence files."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHECK = ROOT / ".ci" / "plain_install.py"


def plain_install():
    """.ci/plain_install.py as a module (its WORDS, PAGE_NAME)."""
    spec = importlib.util.spec_from_file_location("plain_install", CHECK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_licence_files_declared():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT"
    for name in project["license-files"]:
        assert (ROOT / name).is_file(), name
    assert "Copyright (c) 2026 the summtrans authors" in (ROOT / "LICENSE").read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_wheel_installs_plainly_and_reads_every_format():
    """The one place CI runs .ci/wheel-check (.ci/run → make test → the whole suite, slow tests included):
    a fresh venv, the wheel without extras, one echo translation per format (.ci/plain_install.py)."""
    env = {**os.environ, "VENV_PYTHON": sys.executable}
    proc = subprocess.run([str(ROOT / ".ci" / "wheel-check")], capture_output=True, text=True, env=env, timeout=900)
    out = proc.stdout
    assert proc.returncode == 0, out[-4000:] + proc.stderr[-3000:]
    assert "summtrans imported from the wheel" in out and "ctranslate2:" in out and "== ok" in out
    assert "libraries summtrans imports are installed" in out
    ran = {line.split()[1] for line in out.splitlines() if line.startswith("ok   ")}
    assert ran == set(plain_install().WORDS)


def test_plain_install_check_has_a_document_of_every_format():
    """Each backend in the registry (and .txt, .md, which discovery picks up) has an input in the check."""
    from summtrans.batch.discover import DEFAULT_GLOBS
    from summtrans.formats.registry import BACKENDS, SUFFIX_TO_NAME

    words = plain_install().WORDS
    decoded = {"txt": "text", "md": "markdown"}  # text read whatever its suffix, by the text or markdown backend
    covered = {decoded.get(k) or SUFFIX_TO_NAME.get(f".{k}", k) for k in words}
    assert set(BACKENDS) <= covered, set(BACKENDS) - covered
    plain = {g.removeprefix("*.") for g in DEFAULT_GLOBS} - {s[1:] for s in SUFFIX_TO_NAME}  # txt, md
    assert plain and plain <= set(words), plain - set(words)


def test_plain_install_check_names_the_format_that_failed(tmp_path: Path):
    """A format whose run fails is named with the reason, the others still run, and the exit is 1."""
    check = plain_install()
    docs = tmp_path / "docs"
    (docs / "web").mkdir(parents=True)  # the check serves it
    fake = tmp_path / "summtrans"  # copies each input, a txt without its word; fails on docx
    fake.write_text(
        '#!/bin/sh\nsrc=$2 out=$4\n'
        'case "$src" in *.docx) echo "Error: $src: cannot read the docx document: ImportError: no docx" >&2; exit 1;; esac\n'
        'mkdir -p "$out"\n'
        'case "$src" in\n'
        '  http*) echo "Der Senat" > "$out/page.en.md";;\n'
        '  *.txt) echo "Nothing German here." > "$out/brief.en.txt";;\n'
        '  *) cp "$src" "$out/";;\n'
        'esac\n',
        encoding="utf-8",
    )
    fake.chmod(0o755)
    (docs / "in").mkdir()
    for name, word in check.WORDS.items():
        if name != "url":
            (docs / "in" / f"brief.{name}").write_text(f"Ein {word}.", encoding="utf-8")
    proc = subprocess.run([sys.executable, str(CHECK), "check", str(docs), str(fake)],
                          capture_output=True, text=True, timeout=300)
    lines = proc.stdout.splitlines()
    assert proc.returncode == 1, proc.stdout + proc.stderr
    failed = {line.split()[1]: line for line in lines if line.startswith("FAIL ")}
    assert set(failed) == {"docx", "txt"}
    assert "exit 1" in failed["docx"] and "ImportError: no docx" in proc.stdout
    assert f"{check.WORDS['txt']!r} is not in brief.en.txt" in failed["txt"]
    assert {line.split()[1] for line in lines if line.startswith("ok   ")} == set(check.WORDS) - {"docx", "txt"}
    assert lines[-1] == f"plain_install: 2 of {len(check.WORDS)} formats failed: txt, docx"
