"""Writing a translated PDF: ms per page, peak memory and output size, for --pdf layout and bilingual.

    PYTHONPATH=src .venv/bin/python benchmarks/pdf_layout.py [--pages 100,500] [--out FILE]

The input is a letter-like PDF made with fpdf2 (tests/pdf_letters.py: a letterhead band with a
logo, a bold heading, six justified paragraphs and a footer on every page). Translation is left
out: the units are read, each word reversed (every unit changes, as a translation would; the
echo engine's identical text is not re-typeset at all: its output is the input), and written.
Each mode runs in a process of its own, so that its peak RSS (resident memory, the process's
high-water mark: Python, the PDF libraries and the document) is its own. Prints a table and
writes it with the JSON (default benchmarks/results/pdf-layout-DATE.txt/.json).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "src"))


def _measure(pages: int, mode: str, queue) -> None:
    import pdf_letters

    from summtrans.formats.base import Unit
    from summtrans.formats.pdf import PdfBackend

    data = pdf_letters.many_pages(pages)
    backend = PdfBackend()
    t0 = time.perf_counter()
    extracted = backend.read(data, "bench.pdf")
    t1 = time.perf_counter()
    units = [Unit(" ".join(w[::-1] for w in u.text.split()), u.spans, role=u.role) for u in extracted.units]
    out = backend.write(extracted, units, mode=mode)
    t2 = time.perf_counter()
    queue.put({
        "pages": pages, "mode": mode, "units": len(units),
        "read_ms_per_page": round(1000 * (t1 - t0) / pages, 1),
        "write_ms_per_page": round(1000 * (t2 - t1) / pages, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "input_kb": round(len(data) / 1024, 1), "output_kb": round(len(out) / 1024, 1),
        "output_vs_input": round(len(out) / len(data), 2),
        "warnings": sorted({w.kind for w in extracted.warnings}),
    })


def run(pages: int, mode: str) -> dict:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_measure, args=(pages, mode, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", default="100", help="page counts, comma-separated (default 100)")
    parser.add_argument("--modes", default="layout,bilingual")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    results = [run(int(p), m) for p in args.pages.split(",") for m in args.modes.split(",")]
    load = (round(load_before, 2), round(os.getloadavg()[0], 2))  # the machine's 1-minute load, before and after
    header = f"{'pages':>5}  {'mode':<10} {'units':>6} {'read ms/p':>9} {'write ms/p':>10} {'peak RSS MB':>11} {'in KB':>8} {'out KB':>8} {'out/in':>6}"
    lines = [header] + [
        f"{r['pages']:>5}  {r['mode']:<10} {r['units']:>6} {r['read_ms_per_page']:>9} {r['write_ms_per_page']:>10}"
        f" {r['peak_rss_mb']:>11} {r['input_kb']:>8} {r['output_kb']:>8} {r['output_vs_input']:>6}"
        for r in results
    ]
    lines.append(f"(Python {sys.version.split()[0]}, {multiprocessing.cpu_count()} CPUs, load average {load[0]} → {load[1]})")
    table = "\n".join(lines)
    print(table)
    out = args.out or REPO / "benchmarks" / "results" / f"pdf-layout-{dt.date.today().isoformat()}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    machine = {"python": sys.version.split()[0], "cpus": multiprocessing.cpu_count(), "load_average": load}
    out.write_text(json.dumps({"machine": machine, "results": results}, indent=2) + "\n", encoding="utf-8")
    out.with_suffix(".txt").write_text(table + "\n", encoding="utf-8")
    print(f"wrote {out} and {out.with_suffix('.txt').name}")


if __name__ == "__main__":
    main()
