"""What a plain `pip install summtrans` must be able to do, for .ci/wheel-check (stdlib only, except `write`,
and pypdfium2, a dependency of summtrans, to read a PDF output's text layer).

    python .ci/plain_install.py write DIR              # project venv: one input per format, the tests' builders
    python .ci/plain_install.py imports                # the fresh venv: every import in summtrans resolves
    python .ci/plain_install.py check DIR SUMMTRANS    # one echo run per format with that summtrans

`imports` reads every `import` statement of the installed package (lazy ones inside functions too)
and fails on a top-level module that the venv cannot find, unless an extra provides it (OPTIONAL).
`check` serves the URL input from a local HTTP server (127.0.0.1, a free port), runs
`SUMMTRANS translate INPUT -o OUT/ --engine echo -q` once per format, and asserts exit 0 and that a
German word of the input is in the output (read back with zipfile and a tag-stripping regex, a PDF's
text layer with pypdfium2; not with summtrans). It prints one line per format and, for each failure, the format and why; exit 1 if any failed.
"""

from __future__ import annotations

import ast
import html
import http.server
import importlib.util
import io
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import zipfile
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# format → a German word of its input, which the echo engine must carry into the output
WORDS = {
    "txt": "Gemeinderat", "md": "Fahrradständer", "docx": "Wohnung", "odt": "Fußnote", "odp": "Angebot",
    "pptx": "Angebot", "epub": "Kapitel", "html": "Willkommen", "srt": "günstig", "vtt": "heute",
    "pdf": "Bescheid", "url": "Senat", "png": "Wohnung",
}
MARKDOWN = """# Neue Fahrradständer

Der Gemeinderat hat **400 neue Fahrradständer** am Bahnhof beschlossen, siehe
[die Mitteilung](https://example.org/mitteilung).

- Baubeginn im Frühjahr
- Kosten: 8,4 Mio. Euro
"""
# Imported only by --executor ray and by `summtrans serve`, installed by their extras.
OPTIONAL = {"ray": "summtrans[ray]", **dict.fromkeys(("starlette", "uvicorn", "python_multipart"), "summtrans[serve]")}
PAGE_NAME = "mieter-regeln.html"  # served from DIR/web for the url input


def visible_text(data: bytes) -> str:
    """The text of a document as a reader would search it: XML parts of a zip joined, tags stripped;
    a PDF's text layer."""
    if data[:5] == b"%PDF-":
        import pypdfium2 as pdfium

        doc = pdfium.PdfDocument(data)
        try:
            return " ".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
        finally:
            doc.close()
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            parts = [zf.read(n).decode("utf-8", "replace") for n in zf.namelist()
                     if n.endswith((".xml", ".xhtml", ".html", ".htm"))]
        text = " ".join(parts)
    else:
        text = data.decode("utf-8", "replace")
    return html.unescape(re.sub(r"<[^>]*>", "", text))


def write(root: Path) -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    from test_formats_cli import make, units  # the tests' builders, one per format
    from test_formats_web import NEWS

    (root / "in").mkdir(parents=True)
    (root / "web").mkdir()
    sources = {"txt": (ROOT / "examples" / "bericht.txt").read_bytes(), "md": MARKDOWN.encode("utf-8")}
    for name in WORDS:
        if name == "url":
            data = NEWS.encode("utf-8")
            (root / "web" / PAGE_NAME).write_bytes(data)
            text = NEWS
        else:
            data = sources[name] if name in sources else make(name)
            (root / "in" / f"brief.{name}").write_bytes(data)
            text = data.decode("utf-8") if name in sources else " ".join(u.text for u in units(name, data))
        if WORDS[name] not in text:  # a builder changed: pick another word in WORDS
            sys.exit(f"plain_install: the {name} input has no {WORDS[name]!r}; update WORDS in {__file__}")
    print(f"wrote {len(WORDS)} inputs under {root}")


def imports() -> int:
    """Every module that summtrans imports, resolved in this interpreter (the fresh venv)."""
    package = Path(importlib.util.find_spec("summtrans").origin).parent
    missing: list[str] = []
    seen: set[str] = set()
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_bytes(), str(path))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for top in {n.split(".")[0] for n in names} - seen:
                if top in sys.stdlib_module_names or top == "summtrans" or top in OPTIONAL:
                    continue
                seen.add(top)
                if importlib.util.find_spec(top) is None:
                    missing.append(f"{top} (imported by {path.relative_to(package.parent)}:{node.lineno})")
    if missing:
        print("plain_install: not installed by a plain install:\n  " + "\n  ".join(missing), flush=True)
        return 1
    print(f"plain_install: the {len(seen)} libraries summtrans imports are installed ({', '.join(sorted(seen))});"
          f" left to extras: {', '.join(f'{k} ({v})' for k, v in OPTIONAL.items())}", flush=True)
    return 0


def serve(directory: Path) -> http.server.ThreadingHTTPServer:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(directory)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def tail(text: str, lines: int = 15) -> str:
    return "\n".join("      " + line for line in text.strip().splitlines()[-lines:])


def check(root: Path, summtrans: str) -> int:
    env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    httpd = serve(root / "web")
    url = f"http://127.0.0.1:{httpd.server_address[1]}/{PAGE_NAME}"
    failed: list[str] = []
    try:
        for name, word in WORDS.items():
            src = url if name == "url" else str(root / "in" / f"brief.{name}")
            out = root / "out" / name
            shutil.rmtree(out, ignore_errors=True)
            start = time.monotonic()
            try:
                proc = subprocess.run([summtrans, "translate", src, "-o", f"{out}/", "--engine", "echo", "-q"],
                                      capture_output=True, text=True, env=env, timeout=180, stdin=subprocess.DEVNULL)
            except subprocess.TimeoutExpired:
                why = "no answer within 180 s"
            else:
                written = sorted(p for p in out.glob("*") if not p.name.startswith(".")) if out.is_dir() else []
                if proc.returncode != 0:
                    why = f"exit {proc.returncode}:\n{tail(proc.stderr + proc.stdout)}"
                elif len(written) != 1:
                    why = f"expected one output in {out}, found {[p.name for p in written]}"
                elif word not in visible_text(written[0].read_bytes()):
                    why = f"{word!r} is not in {written[0].name}:\n{tail(visible_text(written[0].read_bytes()), 5)}"
                else:
                    why = ""
            took = time.monotonic() - start
            if why:
                failed.append(name)
                print(f"FAIL {name:5} {took:5.1f} s  {src}: {why}", flush=True)
            else:
                print(f"ok   {name:5} {took:5.1f} s  {Path(src).name} -> {written[0].name} has {word!r}", flush=True)
    finally:
        httpd.shutdown()
        httpd.server_close()
    if failed:
        print(f"plain_install: {len(failed)} of {len(WORDS)} formats failed: {', '.join(failed)}", flush=True)
        return 1
    print(f"plain_install: all {len(WORDS)} formats translated", flush=True)
    return 0


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "write":
        write(Path(argv[1]))
        return 0
    if argv == ["imports"]:
        return imports()
    if len(argv) == 3 and argv[0] == "check":
        return check(Path(argv[1]), argv[2])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
