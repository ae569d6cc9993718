"""--executor ray against local runs: the cost per document, Ray's start-up, the driver's ceiling.

    .venv/bin/python benchmarks/ray_scaling.py [--rounds 5] [--docs 12,36] [--workers 2]
                                               [--baseline-src DIR] [--out FILE]
    .venv/bin/python benchmarks/ray_scaling.py --mode scaling [--copies 10] [--echo-copies 100] [--out FILE]

``--mode short`` (the default): short documents (five Multi30k captions each, ~340 characters,
from ``../shared/corpus/multi30k-test2016``) with the mini Marian given as a directory
(``--model ../shared/models/mini-marian-de-en``: its own generation settings, CTranslate2 int8),
``--no-memory``; every run a fresh ``summtrans translate`` process:

* ``local``     the local executor (CTranslate2 with one worker thread per core);
* ``ray``       ``--executor ray --workers 2`` (a local Ray instance; one CPU and thread per worker);
* ``ray-base``  (with ``--baseline-src DIR``) the same Ray run with the package in DIR
  (``PYTHONPATH``), e.g. ``git archive <commit> src`` unpacked: before and after a change.

Each contender runs on ``--docs`` (12 and 36) documents; rounds alternate the contenders and the
sizes, because the machine is shared. From the medians: the cost of one more document (the slope
between the two sizes; target: Ray ≤ 1.2× local) and the fixed cost (the line's value at no
documents; target: Ray's ≤ 12 s all told), beside what the Ray run logs (Ray's start, the workers'
model load, Ray's stop). The outputs and journals of ``local`` and ``ray`` must be the same
(timings aside). Ray's start (5-11 s here, varying by seconds from run to run) swamps the
difference that 24 short documents make, so the same sizes then run in this process, with Ray
started once and every contender's models loaded and warm (``--steady-rounds``): the folder run
alone (`run_batch`), for ``local``, ``ray`` and ``ray-whole`` (the same executor sending each group
whole to one worker, as before groups were shared). Writes ray-short-<date>.json and .txt.

``--mode scaling``: ``../shared/corpus/de-news`` copied ``--copies`` times (30 articles a copy)
with the mini Marian (CTranslate2 int8, beam 2, 96 new tokens), every contender a fresh
``summtrans translate`` process, run back to back:

* ``local``  ``--threads 1``: one model thread in the driver process;
* ``ray-1``  ``--executor ray --workers 1 --cpus-per-worker 1``: one worker of one thread;
* ``ray-2``  ``--executor ray --workers 2 --cpus-per-worker 1``: two workers of one thread each.

Ray's overhead is ``ray-1`` against ``local``, whole wall time and without Ray's start-up
(target: ≤ 15 %). The driver's ceiling is the echo engine over ``--echo-copies`` copies: what
the driver itself spends per document (read, hash, resume decision, output, journal line) is
the wall time less the pipeline's own time (which a Ray run moves to the workers). From these
per-document costs the report works out how many workers one driver can feed.
Prints a table; writes JSON and the table (.txt) to --out.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
SHARED = Path(os.environ.get("SUMMTRANS_SHARED", REPO.parent / "shared"))  # ../shared beside the checkout
MINI = SHARED / "models" / "mini-marian-de-en"
DE_NEWS = SHARED / "corpus" / "de-news"
MULTI30K = SHARED / "corpus" / "multi30k-test2016" / "test_2016_flickr.de"
CAPTIONS_PER_DOC = 5  # a short document: five captions in one paragraph (~340 characters)
CACHE = BENCH / ".models" / "summtrans-cache"  # CTranslate2 conversions, shared with benchmarks/run.py
JOURNAL = "summtrans-journal.jsonl"
OVERHEAD_TARGET = 0.15
PER_DOC_TARGET = 1.2  # short: Ray's cost of one more document, at most this many times local's
FIXED_TARGET_S = 12.0  # short: Ray's fixed cost (the run at no documents), all told
CLUSTER_WORKERS = 100  # the cluster the arithmetic is for

CONTENDERS = [
    ("local", "local executor, --threads 1", []),
    ("ray-1", "--executor ray --workers 1 --cpus-per-worker 1", ["--executor", "ray", "--workers", "1", "--cpus-per-worker", "1"]),
    ("ray-2", "--executor ray --workers 2 --cpus-per-worker 1", ["--executor", "ray", "--workers", "2", "--cpus-per-worker", "1"]),
]


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def loadavg() -> float:
    return round(os.getloadavg()[0], 2)


def make_corpus(root: Path, copies: int) -> int:
    articles = sorted(DE_NEWS.glob("*.txt"))
    for c in range(copies):
        folder = root / f"copy{c:02d}"
        folder.mkdir(parents=True)
        for a in articles:
            shutil.copyfile(a, folder / a.name)
    return copies * len(articles)


def write_config(path: Path) -> None:
    path.write_text(
        f"profiles:\n  mini:\n    task: translation\n    model: {MINI}\n    engine: ctranslate2\n"
        f"    generation:\n      num_beams: 2\n      max_new_tokens: 96\n"
        f"  unused:\n    task: summarization\n    model: {MINI}\n",
        encoding="utf-8",
    )


def child_env(src: Path | None = None) -> dict[str, str]:
    env = dict(os.environ, SUMMTRANS_CACHE_DIR=str(CACHE), HF_HUB_OFFLINE="1", PYTHONUNBUFFERED="1")
    env.pop("RAY_ADDRESS", None)
    if src is not None:  # another copy of the package (a baseline)
        env["PYTHONPATH"] = str(src)
    return env


def translate(inp: Path, out: Path, config: Path | None, extra: list[str], model: list[str],
              threads: list[str] | None = None, src: Path | None = None) -> dict:
    """One fresh `summtrans translate` process; its wall time and what its log lines say."""
    cmd = [sys.executable, "-m", "summtrans", "translate", str(inp), "-o", str(out),
           *(["--config", str(config)] if config is not None else []), *model,
           *(["--threads", "1"] if threads is None else threads), *extra]
    load0 = loadavg()
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=child_env(src))
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    entries = [json.loads(line) for line in (out / JOURNAL).read_text(encoding="utf-8").splitlines()]
    docs = [e for e in entries if "path" in e and e["status"] == "ok"]
    found = lambda pattern: float(m.group(1)) if (m := re.search(pattern, proc.stderr)) else None  # noqa: E731
    return {
        "command": " ".join(["summtrans", *cmd[3:]]),
        "wall_s": round(wall, 2),
        "run_s": found(r"Done in ([\d.]+) s"),  # the run itself, after Python and the CLI started
        "ray_start_s": found(r"Ray (?:started|joined at \S+) in ([\d.]+) s"),
        "workers_load_s": found(r"loaded the models in ([\d.]+) s"),
        "ray_stop_s": found(r"Ray stopped in ([\d.]+) s"),
        "documents": len(docs),
        "pipeline_s": round(sum(e["timings"].get("total", 0.0) for e in docs), 3),  # model time the journal records
        "write_s": round(sum(e["timings"].get("write", 0.0) for e in docs), 3),
        "loadavg_before": load0,
        "loadavg_after": loadavg(),
    }


def ray_startup(runs: int) -> list[dict]:
    """ray.init(num_cpus=2) for a local instance, one actor ready, ray.shutdown: each in a fresh process."""
    code = (
        "import logging, time\nt0 = time.perf_counter()\nimport ray\nt1 = time.perf_counter()\n"
        "ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)\n"
        "t2 = time.perf_counter()\n"
        "@ray.remote(num_cpus=1)\nclass A:\n    def ping(self):\n        return 1\n"
        "ray.get(A.remote().ping.remote())\nt3 = time.perf_counter()\nray.shutdown()\nt4 = time.perf_counter()\n"
        "print(round(t1 - t0, 2), round(t2 - t1, 2), round(t3 - t2, 2), round(t4 - t3, 2))\n"
    )
    out = []
    for _ in range(runs):
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=child_env(), check=True)
        imp, init, actor, shutdown = map(float, proc.stdout.split())
        out.append({"import_s": imp, "init_s": init, "first_actor_s": actor, "shutdown_s": shutdown})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mode", choices=("short", "scaling"), default="short",
                    help="short: cost per document on short documents; scaling: one worker's overhead, the driver's ceiling")
    ap.add_argument("--copies", type=int, default=10, help="scaling: copies of de-news (30 articles each) for the model runs")
    ap.add_argument("--echo-copies", type=int, default=100, help="scaling: copies of de-news for the driver's ceiling (echo)")
    ap.add_argument("--startup-runs", type=int, default=3, help="scaling: bare Ray start-ups measured")
    ap.add_argument("--rounds", type=int, default=None,
                    help="run the contenders in turn this many times (short: medians, default 5; scaling: the best, default 1)")
    ap.add_argument("--docs", default="12,36", help="short: the two folder sizes")
    ap.add_argument("--workers", type=int, default=2, help="short: Ray workers")
    ap.add_argument("--steady-rounds", type=int, default=7, help="short: rounds of the in-process runs (0: none)")
    ap.add_argument("--baseline-src", type=Path, help="short: also run Ray with the package in DIR (PYTHONPATH=DIR)")
    ap.add_argument("--out", type=Path, help="JSON report (default results/ray-short-DATE.json, scaling: results/ray-DATE.json)")
    args = ap.parse_args()
    today = dt.date.today().isoformat()
    if args.mode == "short":
        args.rounds = args.rounds or 5
        args.out = args.out or BENCH / "results" / f"ray-short-{today}.json"
        return short_main(args)
    args.rounds = args.rounds or 1
    args.out = args.out or BENCH / "results" / f"ray-{today}.json"
    if not (MINI / "config.json").is_file() or not DE_NEWS.is_dir():
        raise SystemExit("../shared (mini-marian-de-en, corpus/de-news) is needed")
    import ray  # noqa: F401  (fail now, not after the local run)

    report: dict = {"date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "cpus": os.cpu_count(),
                    "ray": ray.__version__, "python": sys.version.split()[0], "copies": args.copies,
                    "echo_copies": args.echo_copies, "model": str(MINI), "generation": "ctranslate2 int8, beam 2, max_new_tokens 96",
                    "note": "contenders run back to back on a machine shared with other jobs; load averages recorded"}
    with tempfile.TemporaryDirectory(prefix="summtrans-ray-bench-") as tmp:
        root = Path(tmp)
        config = root / "models.yaml"
        write_config(config)
        n = make_corpus(root / "corpus", args.copies)
        log(f"{n} documents; converting the model (untimed)")
        warm = root / "warm"
        make_corpus(warm / "in", 1)
        translate(warm / "in" / "copy00", warm / "out", config, [], ["--model", "mini"])

        rounds: list[dict] = []
        for k in range(args.rounds):  # the contenders in turn, so that a change of load hits them alike
            runs = {}
            for name, what, extra in CONTENDERS:
                log(f"round {k + 1}, {name}: {what}")
                out = root / f"out-{name}"
                shutil.rmtree(out, ignore_errors=True)
                runs[name] = translate(root / "corpus", out, config, extra, ["--model", "mini"])
                runs[name]["what"] = what
                log(f"  {runs[name]['wall_s']} s, load {runs[name]['loadavg_before']} -> {runs[name]['loadavg_after']}")
            rounds.append(runs)
        same = all((root / "out-local" / p.relative_to(root / "out-ray-1")).read_bytes() == p.read_bytes()
                   for p in (root / "out-ray-1").rglob("*.en.txt"))
        report["outputs_identical_local_ray1"] = same
        report["model_rounds"] = rounds
        report["model_runs"] = {name: min((r[name] for r in rounds), key=lambda x: x["wall_s"]) for name in rounds[0]}

        log("Ray start-up")
        report["ray_startup"] = ray_startup(args.startup_runs)

        n_echo = make_corpus(root / "echo", args.echo_copies)
        echo = {}
        for name, what, extra in CONTENDERS[:2]:
            log(f"driver ceiling, echo, {name}: {n_echo} documents")
            echo[name] = translate(root / "echo", root / f"echo-{name}", config, extra, ["--engine", "echo"])
        report["echo_runs"] = echo
    report["summary"] = summarize(report)
    text = render(report)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    args.out.with_suffix(".txt").write_text(text, encoding="utf-8")
    log(f"wrote {args.out} and {args.out.with_suffix('.txt')}")


def summarize(r: dict) -> dict:
    m, e = r["model_runs"], r["echo_runs"]
    local, ray1, ray2 = m["local"], m["ray-1"], m["ray-2"]
    n = local["documents"]
    steady1 = ray1["wall_s"] - (ray1["ray_start_s"] or 0) - (ray1["workers_load_s"] or 0)
    el, er = e["local"], e["ray-1"]
    driver_s = (el["run_s"] - el["pipeline_s"]) / el["documents"]  # the driver's own time per document
    # The echo run through Ray, after its start-up: driver + Ray + one echo worker, per document.
    ray_driver_s = (er["run_s"] - (er["ray_start_s"] or 0) - (er["workers_load_s"] or 0)) / er["documents"]
    per_doc_cpu = local["run_s"] / n  # one CPU thread of the mini model, per article
    return {
        "documents": n,
        "local_docs_per_s": round(n / local["wall_s"], 3),
        "ray1_docs_per_s": round(n / ray1["wall_s"], 3),
        "ray2_docs_per_s": round(n / ray2["wall_s"], 3),
        "ray1_overhead_wall": round(ray1["wall_s"] / local["wall_s"] - 1, 3),
        "ray1_overhead_without_startup": round(steady1 / local["wall_s"] - 1, 3),
        "ray2_speedup_over_local": round(local["wall_s"] / ray2["wall_s"], 3),
        "overhead_target": OVERHEAD_TARGET,
        "ray_init_s_median": sorted(x["init_s"] for x in r["ray_startup"])[len(r["ray_startup"]) // 2],
        "model_s_per_doc_cpu_thread": round(per_doc_cpu, 3),
        "driver_s_per_doc_local": round(driver_s, 5),
        "driver_docs_per_s_local": round(1 / driver_s, 1),
        "echo_ray1_s_per_doc": round(ray_driver_s, 5),
        "echo_ray1_docs_per_s": round(1 / ray_driver_s, 1),
        "cluster_workers": CLUSTER_WORKERS,
        # One driver keeps W workers busy while each spends at least W × (driver time per document) on a document.
        "min_worker_s_per_doc_for_100": round(CLUSTER_WORKERS * driver_s, 3),
        "min_worker_s_per_doc_for_100_ray_path": round(CLUSTER_WORKERS * ray_driver_s, 3),
    }


def render(r: dict) -> str:
    s = r["summary"]
    lines = [
        f"summtrans --executor ray vs local — {r['date']}, {r['cpus']} CPUs, Ray {r['ray']}, Python {r['python']}",
        f"de-news × {r['copies']} = {s['documents']} articles, mini Marian ({r['generation']}); {r['note']}",
        "",
        f"{'contender':<10} {'wall s':>8} {'run s':>8} {'ray start':>9} {'load':>6} {'docs/s':>7}  load avg   what",
    ]
    for name, run in [(f"{n} r{k + 1}", x) for k, rnd in enumerate(r["model_rounds"]) for n, x in rnd.items()]:
        lines.append(
            f"{name:<10} {run['wall_s']:>8.1f} {run['run_s']:>8.1f} {run['ray_start_s'] or 0:>9.1f} "
            f"{run['workers_load_s'] or 0:>6.1f} {s['documents'] / run['wall_s']:>7.3f}  "
            f"{run['loadavg_before']:>4}->{run['loadavg_after']:<4} {run['what']}"
        )
    if len(r["model_rounds"]) > 1:
        lines.append("(the figures below take the best round of each contender)")
    ok = "✓" if s["ray1_overhead_without_startup"] <= s["overhead_target"] else "✗"
    lines += [
        "",
        f"outputs of ray-1 byte-identical to local: {r['outputs_identical_local_ray1']}",
        f"Ray overhead at one worker: {s['ray1_overhead_wall']:+.1%} whole wall time, "
        f"{s['ray1_overhead_without_startup']:+.1%} without Ray's start-up and the worker's model load "
        f"(target ≤ {s['overhead_target']:.0%}) {ok}",
        f"two workers: {s['ray2_speedup_over_local']:.2f}× local (2 cores, shared with the driver)",
        "Ray start-up, fresh process (import / init / first actor / shutdown, s): "
        + "; ".join(f"{x['import_s']}/{x['init_s']}/{x['first_actor_s']}/{x['shutdown_s']}" for x in r["ray_startup"]),
        "",
        f"driver ceiling (echo engine, de-news × {r['echo_copies']}):",
    ]
    for name, run in r["echo_runs"].items():
        lines.append(
            f"  {name:<6} {run['documents']} docs in {run['run_s']:.1f} s (pipeline {run['pipeline_s']:.1f} s, "
            f"writes {run['write_s']:.1f} s) = {run['documents'] / run['run_s']:.0f} docs/s"
        )
    w = s["cluster_workers"]
    lines += [
        f"  the driver's own work: {s['driver_s_per_doc_local'] * 1000:.2f} ms/document (local run less its pipeline time) "
        f"= {s['driver_docs_per_s_local']:.0f} documents/s; through Ray with one echo worker: "
        f"{s['echo_ray1_s_per_doc'] * 1000:.2f} ms/document = {s['echo_ray1_docs_per_s']:.0f} documents/s",
        "",
        f"{w} workers: one driver keeps them busy while each worker spends at least {w} × the driver's time per "
        f"document on a document: {s['min_worker_s_per_doc_for_100']:.2f} s (driver alone), "
        f"{s['min_worker_s_per_doc_for_100_ray_path']:.2f} s (measured through Ray, an upper bound).",
        f"Measured here: the mini Marian (7.8M parameters) takes {s['model_s_per_doc_cpu_thread']:.2f} s per de-news "
        f"article on one CPU thread; a worker {s['model_s_per_doc_cpu_thread'] / s['min_worker_s_per_doc_for_100_ray_path']:.0f}× "
        f"faster than that per article would make the driver the limit of a {w}-worker cluster.",
    ]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- short documents


def make_short_corpus(root: Path, n: int) -> None:
    captions = MULTI30K.read_text(encoding="utf-8").splitlines()
    root.mkdir(parents=True)
    for i in range(n):
        text = " ".join(captions[i * CAPTIONS_PER_DOC:(i + 1) * CAPTIONS_PER_DOC])
        (root / f"short{i:03d}.txt").write_text(text + "\n", encoding="utf-8")


def comparable_journal(out: Path) -> list[str]:
    """The journal's lines without what differs from run to run (timings, the clock), sorted."""
    lines = [json.loads(line) for line in (out / JOURNAL).read_text(encoding="utf-8").splitlines()]
    return sorted(json.dumps({k: v for k, v in e.items() if k not in ("timings", "finished")}, sort_keys=True) for e in lines)


def outputs(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*.en.txt"))}


def median(xs: list[float]) -> float:
    xs = sorted(xs)
    mid = len(xs) // 2
    return xs[mid] if len(xs) % 2 else (xs[mid - 1] + xs[mid]) / 2


def _spin(n: int = 3_000_000) -> float:
    t0 = time.perf_counter()
    x = 0
    for i in range(n):
        x += i
    return time.perf_counter() - t0


def parallel_probe(tries: int = 3) -> float:
    """How much two CPU-bound processes get done beside one, now (2.0: two free cores; 1.0: one core's worth).

    On a shared machine this says whether a two-worker run can be faster than a one-thread one at all."""
    import multiprocessing

    ratios = []
    with multiprocessing.Pool(2) as pool:
        for _ in range(tries):
            one = _spin()
            t0 = time.perf_counter()
            pool.map(_spin, [3_000_000] * 2)
            ratios.append(2 * one / (time.perf_counter() - t0))
    return round(median(ratios), 2)


def steady(sizes: list[int], rounds: int, workers: int, root: Path) -> list[dict]:
    """The folder runs alone, in this process: Ray started once, each contender's models loaded and warm."""
    import logging

    os.environ.update(SUMMTRANS_CACHE_DIR=str(CACHE), HF_HUB_OFFLINE="1")  # before Ray starts: its workers inherit them
    import ray

    from summtrans.batch import BatchOptions, run_batch
    from summtrans.executors import ExecutorOptions, make_executor
    from summtrans.formats.document import read_document
    from summtrans.models.config import load_config
    from summtrans.pipeline import Pipeline, PipelineOptions

    warm = [read_document(next(iter(sorted((root / f"in{sizes[0]}").iterdir()))))]
    ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
    runs = []
    try:
        names = ["local", "ray", "ray-whole"]
        for k in range(rounds):
            for n in sizes:
                for name in names[k % 3:] + names[:k % 3]:
                    if name == "local":
                        pipe, ex = Pipeline(PipelineOptions(model=str(MINI), memory=False), load_config()), None
                        pipe.load()
                        pipe.run(warm)  # the language identifier, as the workers' below
                    else:
                        o = ExecutorOptions(kind="ray", workers=workers)
                        pipe = Pipeline(o.pipeline_options(PipelineOptions(model=str(MINI), memory=False)), load_config())
                        ex = make_executor(pipe, o)
                        if name == "ray-whole":
                            ex.min_part_chars = 10**12
                        ex._start()
                        ray.get([slot.actor.run.remote(warm) for slot in ex.slots])
                    out = root / f"steady-{name}-{n}"
                    shutil.rmtree(out, ignore_errors=True)
                    load0 = loadavg()
                    t0 = time.perf_counter()
                    report = run_batch([root / f"in{n}"], pipe, BatchOptions(output_dir=out, quiet=True), ex)
                    wall = time.perf_counter() - t0
                    assert report.counts.get("ok") == n, report.counts
                    runs.append({"contender": name, "docs": n, "round": k + 1, "wall_s": round(wall, 3),
                                 "parts": ex.stats["parts"] if ex else None, "loadavg_before": load0})
                    log(f"steady, round {k + 1}, {name} × {n}: {wall:.2f} s")
                    deadline = time.monotonic() + 30
                    while ex and ray.available_resources().get("CPU", 0) < workers and time.monotonic() < deadline:
                        time.sleep(0.1)  # the closed executor's workers give their CPUs back
    finally:
        ray.shutdown()
    return runs


def short_main(args: argparse.Namespace) -> None:
    if not (MINI / "config.json").is_file() or not MULTI30K.is_file():
        raise SystemExit("../shared (mini-marian-de-en, corpus/multi30k-test2016) is needed")
    import ray  # noqa: F401  (fail now, not after the local runs)

    sizes = [int(x) for x in args.docs.split(",")]
    if len(sizes) != 2 or not 0 < sizes[0] < sizes[1]:
        raise SystemExit("--docs takes two folder sizes, the smaller first (e.g. 12,36)")
    ray_args = ["--executor", "ray", "--workers", str(args.workers)]
    contenders = [("local", "local executor (CTranslate2, a thread per core)", [], None),
                  ("ray", f"--executor ray --workers {args.workers}", ray_args, None)]
    if args.baseline_src is not None:
        contenders.append(("ray-base", f"--executor ray --workers {args.workers}, package from {args.baseline_src}",
                           ray_args, args.baseline_src.resolve()))
    model = ["--model", str(MINI), "--no-memory"]
    report: dict = {"date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "cpus": os.cpu_count(),
                    "ray": ray.__version__, "python": sys.version.split()[0], "mode": "short", "sizes": sizes,
                    "rounds": args.rounds, "workers": args.workers, "model": str(MINI),
                    "documents": f"{CAPTIONS_PER_DOC} Multi30k test2016 captions each (one paragraph)",
                    "contenders": {name: what for name, what, _, _ in contenders},
                    "note": "every run a fresh process; rounds alternate contenders and sizes on a shared machine; "
                            "load averages recorded"}
    with tempfile.TemporaryDirectory(prefix="summtrans-ray-short-") as tmp:
        root = Path(tmp)
        for n in sizes:
            make_short_corpus(root / f"in{n}", n)
        log("converting the model (untimed)")
        translate(root / f"in{sizes[0]}", root / "warm", None, [], model, threads=[])
        runs: list[dict] = []
        probes = [parallel_probe()]
        plan = [(c, n) for n in sizes for c in contenders]
        for k in range(args.rounds):
            for (name, _, extra, src), n in plan[k % len(plan):] + plan[:k % len(plan)]:  # a new order each round
                out = root / f"out-{name}-{n}"
                shutil.rmtree(out, ignore_errors=True)
                run = translate(root / f"in{n}", out, None, extra, model, threads=[], src=src)
                run.update(contender=name, docs=n, round=k + 1)
                runs.append(run)
                log(f"round {k + 1}, {name} × {n}: {run['wall_s']} s, load {run['loadavg_before']} -> {run['loadavg_after']}")
            probes.append(parallel_probe())
            log(f"two processes do {probes[-1]}× one's work")
        report["runs"] = runs
        report["parallel_probes"] = probes
        report["same_outputs"] = {n: outputs(root / f"out-local-{n}") == outputs(root / f"out-ray-{n}") for n in sizes}
        report["same_journals"] = {n: comparable_journal(root / f"out-local-{n}") == comparable_journal(root / f"out-ray-{n}")
                                   for n in sizes}
        if args.steady_rounds:
            report["steady_runs"] = steady(sizes, args.steady_rounds, args.workers, root)
    report["summary"] = summarize_short(report)
    text = render_short(report)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    args.out.with_suffix(".txt").write_text(text, encoding="utf-8")
    log(f"wrote {args.out} and {args.out.with_suffix('.txt')}")


def work_s(run: dict) -> float:
    """The run less what it logs of Ray's start, the workers' model load and Ray's stop."""
    return run["run_s"] - sum(run[k] or 0.0 for k in ("ray_start_s", "workers_load_s", "ray_stop_s"))


def summarize_short(r: dict) -> dict:
    n1, n2 = r["sizes"]
    out: dict = {}
    for name in r["contenders"]:
        mine = [x for x in r["runs"] if x["contender"] == name]
        wall = {n: median([x["wall_s"] for x in mine if x["docs"] == n]) for n in (n1, n2)}
        per_doc = (wall[n2] - wall[n1]) / (n2 - n1)
        work = {n: median([work_s(x) for x in mine if x["docs"] == n]) for n in (n1, n2)}
        logged = {key: round(median(vals), 2) if (vals := [x[key] for x in mine if x[key] is not None]) else None
                  for key in ("ray_start_s", "workers_load_s", "ray_stop_s")}
        out[name] = {"median_wall_s": {str(n): round(w, 2) for n, w in wall.items()}, "per_doc_s": round(per_doc, 4),
                     "fixed_s": round(wall[n1] - n1 * per_doc, 2),
                     # the same slope without Ray's logged start and stop, the noisiest part of a Ray run
                     "per_doc_s_without_ray_start": round((work[n2] - work[n1]) / (n2 - n1), 4), **logged}
    local = out["local"]
    for name, s in out.items():
        if name != "local":
            s["per_doc_vs_local"] = round(s["per_doc_s"] / local["per_doc_s"], 2)
            s["per_doc_vs_local_without_ray_start"] = round(
                s["per_doc_s_without_ray_start"] / local["per_doc_s_without_ray_start"], 2)
            s["fixed_more_than_local_s"] = round(s["fixed_s"] - local["fixed_s"], 2)
    steady_out: dict = {}
    for name in dict.fromkeys(x["contender"] for x in r.get("steady_runs", [])):
        mine = [x for x in r["steady_runs"] if x["contender"] == name]
        wall = {n: median([x["wall_s"] for x in mine if x["docs"] == n]) for n in (n1, n2)}
        steady_out[name] = {"median_wall_s": {str(n): round(w, 3) for n, w in wall.items()},
                            "per_doc_s": round((wall[n2] - wall[n1]) / (n2 - n1), 4),
                            "parts_per_run": {str(n): sorted({x["parts"] for x in mine if x["docs"] == n}, key=str)
                                              for n in (n1, n2)}}
    for name, c in steady_out.items():
        c["per_doc_vs_local"] = round(c["per_doc_s"] / steady_out["local"]["per_doc_s"], 2)
    loads = [x["loadavg_before"] for x in r["runs"]] + [x["loadavg_after"] for x in r["runs"]]
    return {"contenders": out, "steady": steady_out, "per_doc_target": PER_DOC_TARGET, "fixed_target_s": FIXED_TARGET_S,
            "loadavg": {"median": round(median(loads), 2), "min": min(loads), "max": max(loads)},
            "parallel_probe": {"median": round(median(r["parallel_probes"]), 2), "min": min(r["parallel_probes"]),
                               "max": max(r["parallel_probes"])}}


def render_short(r: dict) -> str:
    s = r["summary"]
    n1, n2 = r["sizes"]
    lines = [
        f"summtrans --executor ray vs local on short documents — {r['date']}, {r['cpus']} CPUs, Ray {r['ray']}, "
        f"Python {r['python']}",
        f"{r['documents']}; mini Marian as a directory, --no-memory; {r['rounds']} rounds; {r['note']}",
        f"load average over the runs: median {s['loadavg']['median']}, {s['loadavg']['min']}–{s['loadavg']['max']}; "
        f"two CPU-bound processes did {s['parallel_probe']['median']}× one's work (before and after each round, median; "
        f"{s['parallel_probe']['min']}–{s['parallel_probe']['max']}; 2.0 = two free cores)",
        "",
        f"{'contender':<9} {'docs':>4} {'median s':>8}  {'every run, in round order (s)':<36} {'Ray start':>9} "
        f"{'load':>5} {'stop':>5}",
    ]
    for name in r["contenders"]:
        for n in (n1, n2):
            mine = [x for x in r["runs"] if x["contender"] == name and x["docs"] == n]
            logged = [median(v) if (v := [x[k] for x in mine if x[k] is not None]) else None
                      for k in ("ray_start_s", "workers_load_s", "ray_stop_s")]
            cells = " ".join(f"{x['wall_s']:.1f}" for x in mine)
            lines.append(f"{name:<9} {n:>4} {s['contenders'][name]['median_wall_s'][str(n)]:>8.2f}  {cells:<36} "
                         + " ".join(f"{v:>{w}.1f}" if v is not None else f"{'-':>{w}}" for v, w in zip(logged, (9, 5, 5))))
    lines += ["", f"one more document (slope of the medians, {n1} → {n2} documents) and the fixed cost (the line at 0):"]
    for name, c in s["contenders"].items():
        line = f"  {name:<9} {c['per_doc_s']:.3f} s/document, fixed {c['fixed_s']:.1f} s"
        if name != "local":
            ok = lambda good: "✓" if good else "✗"  # noqa: E731
            line += (f"; {c['per_doc_vs_local']:.2f}× local per document {ok(c['per_doc_vs_local'] <= s['per_doc_target'])} "
                     f"(target ≤ {s['per_doc_target']}×), fixed {c['fixed_more_than_local_s']:+.1f} s over local, "
                     f"{ok(c['fixed_s'] <= s['fixed_target_s'])} (target ≤ {s['fixed_target_s']:.0f} s all told)")
        lines.append(line)
    lines.append("  the same slope without the Ray start, the workers' load and the Ray stop that each run logs: "
                 + "; ".join(f"{name} {c['per_doc_s_without_ray_start']:.3f} s"
                             + (f" ({c['per_doc_vs_local_without_ray_start']:.2f}×)" if name != "local" else "")
                             for name, c in s["contenders"].items()))
    if s["steady"]:
        lines += ["", "the folder runs alone (one process; Ray started once; models loaded and warm), medians of "
                  f"{len(r['steady_runs']) // (3 * 2)} rounds:"]
        for name, c in s["steady"].items():
            walls = c["median_wall_s"]
            lines.append(f"  {name:<9} {n1} docs {walls[str(n1)]:.2f} s, {n2} docs {walls[str(n2)]:.2f} s: "
                         f"{c['per_doc_s']:.3f} s/document, {c['per_doc_vs_local']:.2f}× local"
                         + (f" (parts a run: {c['parts_per_run']})" if name != "local" else ""))
    lines += ["", "the Ray run's log, medians: Ray start / workers' model load / Ray stop (s): "
              + "; ".join(f"{name} {c['ray_start_s']}/{c['workers_load_s']}/{c['ray_stop_s']}"
                          for name, c in s["contenders"].items() if name != "local"),
              f"outputs of ray identical to local: {r['same_outputs']}; journals (timings aside): {r['same_journals']}"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
