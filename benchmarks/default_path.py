"""The cost of the default path (language detection, protected spans, guards) against the lean one.

    .venv/bin/python benchmarks/default_path.py [--repeats 5] [--out benchmarks/results/default-path-DATE]

Runs `summtrans translate FILE -m ../shared/models/mini-marian-de-en --engine ctranslate2 --no-memory -q -o OUT`
as users run it ("default") and with `--source-lang de --no-guards --no-protect` ("lean"), alternating,
on 400 Multi30k captions (one file) and on one caption ("first output": the whole run of a one-line
file, process start to exit). Both in one fresh cache folder, warmed once (the CTranslate2 conversion
and the language model's cache are built before timing). Reports medians of wall and CPU seconds
(user + system of the child: steadier than wall time on a shared machine) and the default/lean ratio.
Targets (issue 21): 400 captions within 1.15x, one caption within 1.3x.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
SHARED = BENCH.parent.parent / "shared"
MINI = SHARED / "models" / "mini-marian-de-en"
CAPTIONS = SHARED / "corpus" / "multi30k-test2016" / "test_2016_flickr.de"
SUMMTRANS = Path(sys.executable).parent / "summtrans"
LEAN = ["--source-lang", "de", "--no-guards", "--no-protect"]


def run(src: Path, extra: list[str], env: dict[str, str], out: Path) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    args = [str(SUMMTRANS), "translate", str(src), "-m", str(MINI), "--engine", "ctranslate2", "--no-memory", "-q",
            "-o", str(out), *extra]
    proc = subprocess.run(args, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--out", type=Path, default=BENCH / "results" / f"default-path-{datetime.date.today()}")
    args = ap.parse_args()
    if not MINI.is_dir() or not CAPTIONS.is_file():
        raise SystemExit(f"needs {MINI} and {CAPTIONS}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        env = {**os.environ, "SUMMTRANS_CACHE_DIR": str(root / "cache")}
        lines = CAPTIONS.read_text(encoding="utf-8").splitlines()
        inputs = {"400 captions": root / "captions400.txt", "one caption": root / "caption1.txt"}
        inputs["400 captions"].write_text("\n".join(lines[:400]) + "\n", encoding="utf-8")
        inputs["one caption"].write_text(lines[0] + "\n", encoding="utf-8")
        run(inputs["one caption"], [], env, root / "warm.txt")  # conversion and language model cache
        rows = []
        for name, src in inputs.items():
            times: dict[str, list[tuple[float, float]]] = {"default": [], "lean": []}
            for _ in range(args.repeats):
                for variant, extra in (("default", []), ("lean", LEAN)):
                    times[variant].append(run(src, extra, env, root / f"{variant}.txt"))
            med = {v: (statistics.median(w for w, _ in ts), statistics.median(c for _, c in ts)) for v, ts in times.items()}
            rows.append({
                "input": name, "default_wall_s": med["default"][0], "lean_wall_s": med["lean"][0],
                "default_cpu_s": med["default"][1], "lean_cpu_s": med["lean"][1],
                "ratio_wall": med["default"][0] / med["lean"][0], "ratio_cpu": med["default"][1] / med["lean"][1],
                "target": 1.15 if name == "400 captions" else 1.3,
            })
    result = {"date": str(datetime.date.today()), "loadavg": os.getloadavg(), "repeats": args.repeats, "rows": rows}
    lines_out = [
        f"default path vs lean (--source-lang de --no-guards --no-protect), mini-marian ctranslate2, --no-memory;"
        f" medians of {args.repeats}; load {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        "| input | default wall s | lean wall s | ratio | default CPU s | lean CPU s | ratio | target |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines_out.append(
            f"| {r['input']} | {r['default_wall_s']:.2f} | {r['lean_wall_s']:.2f} | {r['ratio_wall']:.2f} | "
            f"{r['default_cpu_s']:.2f} | {r['lean_cpu_s']:.2f} | {r['ratio_cpu']:.2f} | ≤ {r['target']} |"
        )
    text = "\n".join(lines_out) + "\n"
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".txt").write_text(text, encoding="utf-8")
    args.out.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
