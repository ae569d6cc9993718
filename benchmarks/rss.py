"""Peak memory (max RSS) of `summtrans translate` on the CTranslate2 int8 path, next to its speed.

    .venv/bin/python benchmarks/rss.py [--baseline REV] [--budgets N,M] [--runs 3] [--inputs captions,one,news]
                                       [--shared ../shared] [--out benchmarks/results/rss-DATE.json]

Each run is `python -m summtrans translate FILE -m ../shared/models/mini-marian-de-en --engine
ctranslate2 --compute-type int8 --no-memory -q -o OUT` in a fresh process; its max RSS comes from
the kernel (``ru_maxrss`` of os.wait4), its CPU time from the same rusage. Inputs: the first 1,000
lines of Multi30k test2016 (one caption per line), its first line alone, and (for speed: longer
sentences) the first 5 de-news articles in one file. ``SUMMTRANS_CACHE_DIR`` is a temp dir; a
first run converts the model and is not counted (warm runs only). One more run per input under
``python -X importtime`` lists the heavy packages the path imports.

``--baseline REV`` measures the ``src/`` of a git revision too (``git archive``), ``--budgets``
this checkout with other CPU batch budgets (``engines.ct2.engine.CPU_BATCH_HYPOTHESIS_TOKENS``);
all runs interleaved, so that a change in machine load hits every variant alike.

Target (issue 21 §6): max RSS on the 1,000 lines within 1.25x argos-translate's, 153 MiB on the
same model and engine (the issue author's figure; not re-measured here: argos-translate 1.11
imports stanza, hence torch, and its package index is not reachable from this machine).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
SHARED = REPO.parent / "shared"
MINI = Path("models") / "mini-marian-de-en"  # under --shared
MULTI30K = Path("corpus") / "multi30k-test2016" / "test_2016_flickr.de"
DE_NEWS = Path("corpus") / "de-news"
ARGOS_MIB = 153.0  # argos-translate on the 1,000 captions, same model, CTranslate2 int8 (issue 21)
TARGET_RATIO = 1.25
HEAVY = ("torch", "transformers", "tokenizers", "safetensors", "numpy", "py3langid", "ctranslate2", "sentencepiece",
         "scipy", "pandas", "lxml", "pypdfium2", "docx", "yaml")
ARGS = ["--engine", "ctranslate2", "--compute-type", "int8", "--no-memory", "-q"]


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def make_inputs(shared: Path, tmp: Path, names: list[str]) -> dict[str, Path]:
    lines = (shared / MULTI30K).read_text(encoding="utf-8").splitlines()
    news = sorted((shared / DE_NEWS).glob("*.txt"))[:5]
    files = {
        "captions": ("captions-1000.txt", "\n".join(lines[:1000]) + "\n"),
        "one": ("caption-1.txt", lines[0] + "\n"),
        "news": ("de-news-5.txt", "\n\n".join(p.read_text(encoding="utf-8") for p in news)),
    }
    out = {}
    for name in names:
        fname, text = files[name]
        (tmp / fname).write_text(text, encoding="utf-8")
        out[name] = tmp / fname
    return out


# `python -m summtrans` with engines.ct2.engine.CPU_BATCH_HYPOTHESIS_TOKENS set from argv[1] (--budgets)
WITH_BUDGET = ("import sys; import summtrans.engines.ct2.engine as e; e.CPU_BATCH_HYPOTHESIS_TOKENS = int(sys.argv.pop(1)); "
               "from summtrans.cli.app import main; sys.argv[0] = 'summtrans'; main()")


def run_cli(tree: tuple[Path, int | None], model: Path, infile: Path, outfile: Path, env: dict[str, str],
            extra: tuple[str, ...] = ()) -> dict:
    """One CLI run in a fresh interpreter: max RSS (MiB), wall and CPU seconds, stderr."""
    src, budget = tree
    entry = ["-m", "summtrans"] if budget is None else ["-c", WITH_BUDGET, str(budget)]
    cmd = [sys.executable, *extra, *entry, "translate", str(infile), "-m", str(model), *ARGS, "-o", str(outfile)]
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, env={**env, "PYTHONPATH": str(src)}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    stderr = proc.stderr.read() if proc.stderr else ""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4: tell Popen
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{stderr[-2000:]}")
    return {"max_rss_mib": usage.ru_maxrss / 1024, "wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "stderr": stderr}


def heavy_imports(stderr: str) -> list[str]:
    """The HEAVY packages named in `python -X importtime` output."""
    names = set()
    for line in stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return [h for h in HEAVY if h in names]


def extract_src(rev: str, dest: Path) -> Path:
    """`src/` (and the models.yaml beside it) of git revision `rev` under `dest`."""
    archive = dest / "src.tar"
    with archive.open("wb") as f:
        subprocess.run(["git", "-C", str(REPO), "archive", rev, "src", "models.yaml"], stdout=f, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(dest, filter="data")
    return dest / "src"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", metavar="REV", help="also measure src/ of this git revision (e.g. main)")
    ap.add_argument("--budgets", default="", help="also run this checkout with CPU_BATCH_HYPOTHESIS_TOKENS set to each (N,M,…)")
    ap.add_argument("--runs", type=int, default=3, help="warm runs per input and tree (medians reported)")
    ap.add_argument("--inputs", default="captions,one,news", help="captions (1,000 lines), one (1 line), news (5 articles)")
    ap.add_argument("--shared", type=Path, default=SHARED, help="the shared models and corpora (default ../shared)")
    ap.add_argument("--out", type=Path, default=BENCH / "results" / f"rss-{dt.date.today().isoformat()}.json")
    a = ap.parse_args()
    model = a.shared / MINI
    if not (model / "config.json").is_file() or not (a.shared / MULTI30K).is_file():
        raise SystemExit(f"{a.shared} (mini-marian-de-en, multi30k-test2016) is not available")
    names = [n.strip() for n in a.inputs.split(",") if n.strip()]

    lines: list[str] = []

    def say(msg: str = "") -> None:
        print(msg, flush=True)
        lines.append(msg)

    with tempfile.TemporaryDirectory(prefix="summtrans-rss-") as tmp_s:
        tmp = Path(tmp_s)
        env = {**os.environ, "SUMMTRANS_CACHE_DIR": str(tmp / "cache"), "HF_HUB_OFFLINE": "1"}
        env.pop("PYTHONPATH", None)
        trees: dict[str, tuple[Path, int | None]] = {"this checkout": (REPO / "src", None)}
        for n in (int(b) for b in a.budgets.split(",") if b.strip()):
            trees[f"this checkout, CPU budget {n}"] = (REPO / "src", n)
        if a.baseline:
            base = tmp / "baseline"
            base.mkdir()
            trees = {f"baseline {a.baseline}": (extract_src(a.baseline, base), None), **trees}
        inputs = make_inputs(a.shared, tmp, names)
        for label, tree in trees.items():  # warm-up: converts the model once (each tree, in case the cache key differs)
            run_cli(tree, model, inputs[names[0]], tmp / "warm.txt", env)
        samples: dict[str, dict[str, list[dict]]] = {t: {n: [] for n in names} for t in trees}
        for _ in range(a.runs):
            for name, infile in inputs.items():
                for label, tree in trees.items():
                    r = run_cli(tree, model, infile, tmp / f"out-{name}.txt", env)
                    r.pop("stderr")
                    samples[label][name].append({**r, "loadavg": loadavg()})
        modules = {t: {n: heavy_imports(run_cli(tree, model, inputs[n], tmp / "imp.txt", env, ("-X", "importtime"))["stderr"])
                       for n in names} for t, tree in trees.items()}

    report = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "command": f"python -m summtrans translate FILE -m ../shared/{MINI} {' '.join(ARGS)} -o OUT",
        "cpus": os.cpu_count(),
        "argos_mib": ARGOS_MIB,
        "target_mib": ARGOS_MIB * TARGET_RATIO,
        "runs": a.runs,
        "trees": {},
    }
    say(f"# max RSS of summtrans translate (ctranslate2 int8, mini-marian-de-en, --no-memory), medians of {a.runs} warm runs;")
    say(f"# {os.cpu_count()} CPUs shared with other work (load average at the end: {loadavg()})")
    say()
    say(f"| tree | input | max RSS MiB | vs argos {ARGOS_MIB:.0f} | wall s | CPU s | heavy imports |")
    say("|---|---|---|---|---|---|---|")
    for label in trees:
        report["trees"][label] = {}
        for name in names:
            rs = samples[label][name]
            med = {k: statistics.median(r[k] for r in rs) for k in ("max_rss_mib", "wall_s", "cpu_s")}
            report["trees"][label][name] = {"median": med, "runs": rs, "heavy_imports": modules[label][name]}
            versus = "—"  # argos' figure is for the 1,000 captions only
            if name == "captions":
                met = med["max_rss_mib"] <= ARGOS_MIB * TARGET_RATIO
                versus = f"{med['max_rss_mib'] / ARGOS_MIB:.2f}x {'✓' if met else '✗'}"
            say(f"| {label} | {name} | {med['max_rss_mib']:.0f} (min {min(r['max_rss_mib'] for r in rs):.0f}, "
                f"max {max(r['max_rss_mib'] for r in rs):.0f}) | {versus} "
                f"| {med['wall_s']:.1f} | {med['cpu_s']:.1f} | {', '.join(modules[label][name])} |")
    say()
    say(f"target: captions ≤ {TARGET_RATIO}x argos ({ARGOS_MIB * TARGET_RATIO:.0f} MiB); argos' figure is the issue author's")
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    a.out.with_suffix(".txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {a.out} and {a.out.with_suffix('.txt')}")


if __name__ == "__main__":
    main()
