"""The translation memory through the real CLI: first run, unchanged --force re-run, 10%-changed copy.

    .venv/bin/python benchmarks/memory_cli.py [--out benchmarks/results/memory-cli-DATE.txt]

Runs `summtrans translate ../shared/corpus/de-news -o OUT --config CFG -q` as a subprocess with
../shared/models/mini-marian-de-en on ctranslate2 (beam 2, max_new_tokens 96), a fresh memory
(SUMMTRANS_CACHE_DIR in a temp dir, its ct2/ conversion copied from benchmarks/.models when there, so
that no run pays the conversion; otherwise a warm-up run with --no-memory converts it first). Wall
times include process start, language detection, reading and writing. Targets (issue 10):
unchanged re-run >= 20x faster than the first; 10%-changed copy <= 25% of the first run's time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
SHARED = REPO.parent / "shared"
MINI = SHARED / "models" / "mini-marian-de-en"
DE_NEWS = SHARED / "corpus" / "de-news"
CONVERTED = BENCH / ".models" / "summtrans-cache" / "ct2"
SUMMTRANS = Path(sys.executable).parent / "summtrans"

CONFIG = f"""profiles:
  mini:
    task: translation
    model: {MINI}
    engine: ctranslate2
    generation:
      num_beams: 2
      max_new_tokens: 96
defaults:
  translation: mini
"""


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def run(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    t = time.perf_counter()
    proc = subprocess.run([str(SUMMTRANS), *args], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")
    return seconds, proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else ""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=None)
    a = ap.parse_args()
    if not (MINI / "config.json").is_file():
        raise SystemExit("../shared/models/mini-marian-de-en is not available")
    sys.path.insert(0, str(BENCH))
    from memory import change_ten_percent  # benchmarks/memory.py: every 10th sentence edited

    lines: list[str] = []

    def say(msg: str) -> None:
        print(msg, flush=True)
        lines.append(msg)

    with tempfile.TemporaryDirectory(prefix="summtrans-memory-cli-") as tmp_s:
        tmp = Path(tmp_s)
        cfg = tmp / "models.yaml"
        cfg.write_text(CONFIG, encoding="utf-8")
        env = {**os.environ, "SUMMTRANS_CACHE_DIR": str(tmp / "cache"), "HF_HUB_OFFLINE": "1"}
        if CONVERTED.is_dir():
            shutil.copytree(CONVERTED, tmp / "cache" / "ct2", ignore=shutil.ignore_patterns("*.lock"))
        else:
            warm = tmp / "warm"
            warm.mkdir()
            shutil.copy(sorted(DE_NEWS.glob("*.txt"))[0], warm)
            run(["translate", str(warm), "-o", str(tmp / "warm-out"), "--config", str(cfg), "-q", "--no-memory"], env)
        docs = sorted(DE_NEWS.glob("*.txt"))
        changed_dir = tmp / "de-news-10pct"
        changed_dir.mkdir()
        changed_texts, changed, total = change_ten_percent([p.read_text(encoding="utf-8") for p in docs])
        for p, text in zip(docs, changed_texts):
            (changed_dir / p.name).write_text(text, encoding="utf-8")

        out = tmp / "out"
        base = ["--config", str(cfg)]
        say(f"# summtrans translate through the CLI, {len(docs)} de-news documents, mini-marian-de-en ctranslate2 "
            f"beam 2 max_new_tokens 96; {os.cpu_count()} CPUs shared with other agents (load shown per run)")
        steps = [
            ("first run (empty memory)", ["translate", str(DE_NEWS), "-o", str(out), *base]),
            ("unchanged --force re-run", ["translate", str(DE_NEWS), "-o", str(out), *base, "--force"]),
            (f"10% changed copy ({changed}/{total} sentences)", ["translate", str(changed_dir), "-o", str(tmp / "out2"), *base]),
            ("memory stats", ["memory", "stats"]),
        ]
        times = {}
        for label, args in steps:
            before = loadavg()
            if args[0] == "memory":
                proc = subprocess.run([str(SUMMTRANS), *args], env=env, capture_output=True, text=True)
                say(f"\n$ summtrans {' '.join(args)}\n{proc.stdout.strip()}")
                continue
            seconds, summary = run(args, env)
            times[label] = seconds
            shown = " ".join(a if not a.startswith(str(tmp)) else a.replace(str(tmp), "$TMP") for a in args)
            say(f"\n$ summtrans {shown}\n  {label}: {seconds:.2f} s wall (load avg before: {before})\n  {summary}")
        first, rerun, part = times.values()
        say(f"\nunchanged re-run: {first / rerun:.1f}x faster than the first (target >= 20x)")
        say(f"10% changed copy: {100 * part / first:.1f}% of the first run's time (target <= 25%)")
    if a.out:
        a.out.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
