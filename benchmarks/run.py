"""summtrans benchmarks: speed, memory, start-up and quality, each contender in its own process.

    .venv/bin/python benchmarks/run.py [--quick] [--only translate,summarize,startup,quality]
                                       [--out benchmarks/results/latest.json]

Prints a table and writes JSON (and the printed table beside it, as .txt). Not part of the test
suite; nothing here fails on a missed target, it reports ✓/✗. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
SHARED = REPO.parent / "shared"
MODELS = BENCH / ".models"
CACHE = MODELS / "summtrans-cache"  # SUMMTRANS_CACHE_DIR for every process: conversions live in ct2/
OPUS = MODELS / "opus-mt-de-en-like"
DISTILBART = MODELS / "distilbart-cnn-12-6-like"
MINI = SHARED / "models" / "mini-marian-de-en"
DE_NEWS = SHARED / "corpus" / "de-news"
MULTI30K = SHARED / "corpus" / "multi30k-test2016"
SECTIONS = ("translate", "summarize", "startup", "quality")

BEAMS = 4
MAX_BATCH_TOKENS = 4096  # the product's default token budget, passed to every summtrans contender and to (b4k)
SETTINGS = {
    # full run: ~14 min on 2 idle cores; quick: ~3 min
    "full": {"sentences": 200, "translate_tokens": 30, "articles": 6, "summary_tokens": 100, "quality_lines": 1000,
             "startup_runs": 5, "help_runs": 5},
    "quick": {"sentences": 24, "translate_tokens": 30, "articles": 2, "summary_tokens": 40, "quality_lines": 200,
              "startup_runs": 2, "help_runs": 5},
}
SENTENCE_WORDS = (6, 40)  # "reasonable length" for the translation inputs
ARTICLE_TOKENS = (300, 1000)  # articles that fit distilbart's 1024-token input in one chunk
# (e): batchings tried on the raw CTranslate2 Translator; the fastest is its figure.
CT2_BATCHINGS = [["examples", 16], ["examples", 32], ["tokens", 1024]]
# (b)'s padded source-token budget per batch: the best of 256/512/1024/2048/4096 measured on 2 cores
# for beam 4 (512 and 1024 about equal, ~1.4x faster than 4096 and half the memory); it equals the
# budget summtrans' transformers engine uses for beam 4 (4096 / num_beams). (b4k) shows 4096.
BASELINE_BUDGET = 1024

TRANSLATE = [
    ("a", "t_naive", "naive transformers: generate() per sentence"),
    ("b", "t_sorted", "transformers, sorted 1024-token batches"),
    ("b4k", "t_sorted", "(b) with a 4096-token budget (info)"),
    ("c", "t_summtrans_hf", "summtrans, transformers engine"),
    ("d", "t_summtrans_ct2", "summtrans, ctranslate2 engine int8"),
    ("e", "t_ct2_raw", "raw ctranslate2 translate_batch int8"),
]
SUMMARIZE = [
    ("hf", "s_hf", "transformers: generate() per article"),
    ("st-hf", "s_summtrans_hf", "summtrans, transformers engine"),
    ("st-ct2", "s_summtrans_ct2", "summtrans, ctranslate2 engine int8"),
]


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# Processes
# --------------------------------------------------------------------------------------------


def child_env() -> dict[str, str]:
    """Offline, the benchmark's conversion cache, and the libraries' default thread counts."""
    env = dict(os.environ)
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        env.pop(name, None)  # torch's default (= cores) for the transformers contenders
    env.update(
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_VERBOSITY="error",
        HF_HUB_DISABLE_PROGRESS_BARS="1",
        TOKENIZERS_PARALLELISM="false",
        SUMMTRANS_CACHE_DIR=str(CACHE),
        PYTHONUNBUFFERED="1",
    )
    return env


def cpu_times() -> list[int] | None:
    """The machine's aggregate CPU time counters (/proc/stat), to tell how busy the machine was."""
    try:
        with open("/proc/stat", encoding="ascii") as f:
            return [int(x) for x in f.readline().split()[1:9]]
    except (OSError, ValueError):
        return None


def cpu_share(before: list[int] | None, after: list[int] | None) -> dict | None:
    """Busy and stolen (hypervisor) shares of all CPU time between two cpu_times() samples."""
    if not before or not after:
        return None
    d = [b - a for a, b in zip(before, after)]
    total = sum(d) or 1
    user, nice, system, idle, iowait, irq, softirq, steal = d
    return {"busy": round((total - idle - iowait - steal) / total, 3), "steal": round(steal / total, 3)}


def run_worker(name: str, spec: dict, workdir: Path, timeout: float = 3600) -> dict:
    """Run one contender in a fresh interpreter; its result plus the parent's view of it."""
    spec_path = workdir / f"{name}.json"
    spec_path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    env = child_env()
    load_before = os.getloadavg()
    cpu_before = cpu_times()
    t0 = time.time()
    env["BENCH_T0"] = repr(t0)
    proc = subprocess.run(
        [sys.executable, str(BENCH / "contenders.py"), name, str(spec_path)],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout,
    )
    wall = time.time() - t0
    result = None
    for line in proc.stdout.splitlines():
        if line.startswith("@@RESULT "):
            result = json.loads(line[len("@@RESULT "):])
    if proc.returncode != 0 or result is None:
        tail = "\n".join((proc.stderr or "").strip().splitlines()[-15:])
        raise RuntimeError(f"contender {name} failed (exit {proc.returncode}):\n{tail}")
    result["wall_s"] = wall
    result["loadavg_before"] = [round(x, 2) for x in load_before]
    result["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    result["cpu"] = cpu_share(cpu_before, cpu_times())  # whole machine, all cores, while it ran
    return result


# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------


def german_sentences(limit: int | None = None) -> list[str]:
    """Sentences of 6-40 words from the de-news articles (file order), segmented by summtrans; unique."""
    from summtrans.segment import normalize_space, segment

    out: list[str] = []
    seen: set[str] = set()
    for path in sorted(DE_NEWS.glob("*.txt")):
        for seg in segment(path.read_text(encoding="utf-8")):
            text = normalize_space(seg.text)
            if seg.kind != "sentence" or text in seen or not SENTENCE_WORDS[0] <= len(text.split()) <= SENTENCE_WORDS[1]:
                continue
            seen.add(text)
            out.append(text)
    return out if limit is None else out[:limit]


def articles() -> list[tuple[str, str]]:
    """(name, text) of every de-news article, whitespace normalized (what the summarizer sees)."""
    return [(p.name, " ".join(p.read_text(encoding="utf-8").split())) for p in sorted(DE_NEWS.glob("*.txt"))]


def write_config(path: Path, n_tokens: int) -> None:
    """A models.yaml for the start-up runs: the opus-like model with the fixed output length."""
    path.write_text(
        "defaults:\n  translation: bench-opus\nprofiles:\n  bench-opus:\n    task: translation\n"
        f"    model: {json.dumps(str(OPUS))}\n    max_input_tokens: 256\n"
        f"    generation: {{num_beams: {BEAMS}, max_new_tokens: {n_tokens + 1}, min_length: {n_tokens + 1}}}\n",
        encoding="utf-8",
    )


# --------------------------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------------------------


def prepare(cfg: dict, sections: set[str], workdir: Path) -> dict:
    need_summ = "summarize" in sections
    need_opus = bool({"translate", "startup"} & sections)
    spec: dict = {"tests_dir": str(REPO / "tests"), "models": {}, "conversions": [], "count": {}}
    sentences = german_sentences(cfg["sentences"]) if "translate" in sections else []
    arts = articles() if need_summ else []
    if need_opus:
        spec["models"]["opus"] = str(OPUS)
        spec["conversions"].append(["opus", str(OPUS), "int8"])
        spec["count"]["opus"] = sentences
    if need_summ:
        spec["models"]["distilbart"] = str(DISTILBART)
        spec["conversions"].append(["distilbart", str(DISTILBART), "int8"])
        spec["count"]["distilbart"] = [t for _, t in arts]
    if "quality" in sections:
        spec["conversions"] += [["mini", str(MINI), "int8"], ["mini", str(MINI), "float32"]]
    log("preparing models, conversions and inputs (first run: builds ~1.5 GB of models, a few minutes)…")
    prep = run_worker("prepare", spec, workdir, timeout=3600)
    if prep.get("built"):
        log(f"built: {prep['built']}")
    prep["sentences"] = sentences
    if need_summ:
        counts = prep["token_counts"]["distilbart"]
        chosen = [(n, t, c) for (n, t), c in zip(arts, counts) if ARTICLE_TOKENS[0] <= c <= ARTICLE_TOKENS[1]]
        prep["articles"] = chosen[: cfg["articles"]]
    return prep


def translation_section(cfg: dict, prep: dict, workdir: Path) -> dict:
    n = cfg["translate_tokens"]
    sentences = prep["sentences"]
    src_tokens = prep["token_counts"]["opus"]
    base = {"model": str(OPUS), "inputs": sentences, "n_tokens": n, "max_batch_tokens": MAX_BATCH_TOKENS}
    extra = {
        "b": {"max_batch_tokens": BASELINE_BUDGET},
        "t_summtrans_ct2": {"compute_type": "int8"},
        "t_ct2_raw": {"compute_type": "int8", "ct2_dir": prep["conversions"]["opus:int8"]["path"],
                      "ct2_threads": prep["ct2_threads"], "ct2_batchings": CT2_BATCHINGS},
    }
    results = {}
    for key, name, label in TRANSLATE:
        if cfg["contenders"] and key not in cfg["contenders"]:
            continue
        log(f"translation ({key}) {label} …")
        res = run_worker(name, {**base, **extra.get(name, {}), **extra.get(key, {})}, workdir)
        res.update(key=key, label=label)
        results[key] = res
        log(f"  {len(sentences) / res['work_s']:.2f} segments/s, {res['peak_rss_mb']:.0f} MB, wall {res['wall_s']:.1f} s")
    return {
        "inputs": {"source": str(DE_NEWS), "segments": len(sentences), "source_tokens": sum(src_tokens),
                   "mean_source_tokens": round(sum(src_tokens) / max(len(src_tokens), 1), 1),
                   "words": list(SENTENCE_WORDS)},
        "n_tokens": n, "num_beams": BEAMS, "max_batch_tokens": MAX_BATCH_TOKENS, "baseline_budget": BASELINE_BUDGET,
        "contenders": results,
    }


def summarization_section(cfg: dict, prep: dict, workdir: Path) -> dict:
    n = cfg["summary_tokens"]
    chosen = prep["articles"]
    texts = [t for _, t, _ in chosen]
    base = {"model": str(DISTILBART), "inputs": texts, "n_tokens": n, "max_batch_tokens": MAX_BATCH_TOKENS}
    results = {}
    for key, name, label in SUMMARIZE:
        if cfg["contenders"] and key not in cfg["contenders"]:
            continue
        log(f"summarization ({key}) {label} …")
        res = run_worker(name, {**base, **({"compute_type": "int8"} if "ct2" in name else {})}, workdir)
        res.update(key=key, label=label)
        results[key] = res
        log(f"  {len(texts) / res['work_s']:.3f} articles/s, {res['peak_rss_mb']:.0f} MB, wall {res['wall_s']:.1f} s")
    return {
        "inputs": {"source": str(DE_NEWS), "articles": [name for name, _, _ in chosen],
                   "source_tokens": [c for _, _, c in chosen],
                   "note": "the German de-news articles themselves (whitespace-normalized), each fitting one 1024-token input"},
        "n_tokens": n, "num_beams": BEAMS, "contenders": results,
    }


def _first_output(cmd: list[str], stdin: str, env: dict) -> tuple[float, float, str]:
    """(seconds to the first byte on stdout, seconds to exit, output) of a fresh process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=REPO)
    proc.stdin.write(stdin.encode())
    proc.stdin.close()
    first = proc.stdout.read(1)
    t_first = time.perf_counter() - t0
    rest = proc.stdout.read()
    err = proc.stderr.read()
    proc.wait()
    t_end = time.perf_counter() - t0
    if proc.returncode != 0 or not first:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {err.decode()[-800:]}")
    return t_first, t_end, (first + rest).decode().strip()


def startup_section(cfg: dict, workdir: Path) -> dict:
    env = child_env()
    cli = Path(sys.executable).with_name("summtrans")
    help_times = []
    for _ in range(cfg["help_runs"] + 1):
        t0 = time.perf_counter()
        subprocess.run([str(cli), "--help"], env=env, capture_output=True, check=True)
        help_times.append(time.perf_counter() - t0)
    help_times = help_times[1:]  # the first run warms the page cache
    config = workdir / "bench-models.yaml"
    n = cfg["translate_tokens"]
    write_config(config, n)
    sentence = "Der Gemeinderat hat am Montag neue Radwege beschlossen.\n"
    out: dict = {"help_s": help_times, "help_median_s": statistics.median(help_times), "sentence": sentence.strip(),
                 "n_tokens": n, "engines": {}}
    for engine in ("transformers", "ctranslate2"):
        cmd = [sys.executable, "-m", "summtrans", "translate", "-", "--config", str(config), "-m", "bench-opus",
               "--engine", engine, "--offline", "-q"]
        log(f"start-up: {engine} …")
        _first_output(cmd, sentence, env)  # warm-up: page cache (and the conversion, already cached)
        firsts, ends = [], []
        text = ""
        for _ in range(cfg["startup_runs"]):
            f, e, text = _first_output(cmd, sentence, env)
            firsts.append(f)
            ends.append(e)
        # Which heavy modules the CLI imported on this path (one extra run, not timed).
        probe = (
            "import atexit, sys\n"
            "atexit.register(lambda: sys.stderr.write('@@MODULES ' + ' '.join(m for m in ('torch', 'transformers', "
            "'ctranslate2') if m in sys.modules) + '\\n'))\n"
            "sys.argv = ['summtrans'] + sys.argv[1:]\n"
            "from summtrans.cli.app import main\nmain()\n"
        )
        probe_run = subprocess.run([sys.executable, "-c", probe, *cmd[3:]], input=sentence, env=env, cwd=REPO,
                                   capture_output=True, text=True)
        modules = next((line.split()[1:] for line in probe_run.stderr.splitlines() if line.startswith("@@MODULES")), None)
        if probe_run.returncode != 0 or modules is None:
            modules = [f"(probe failed: {probe_run.stderr.strip().splitlines()[-1:]})"]
        out["engines"][engine] = {"first_output_s": firsts, "first_output_median_s": statistics.median(firsts),
                                  "exit_s": ends, "exit_median_s": statistics.median(ends), "output": text[:120],
                                  "heavy_modules_imported": modules}
        log(f"  first output {statistics.median(firsts):.2f} s (median of {len(firsts)})")
    return out


def quality_section(cfg: dict, workdir: Path) -> dict:
    import sacrebleu

    src = (MULTI30K / "test_2016_flickr.de").read_text(encoding="utf-8").splitlines()[: cfg["quality_lines"]]
    ref = (MULTI30K / "test_2016_flickr.en").read_text(encoding="utf-8").splitlines()[: cfg["quality_lines"]]
    spec = {"model": str(MINI), "inputs": src}
    hyps: dict[str, list[str]] = {}
    seconds: dict[str, float] = {}
    engines: dict = {}
    for name in ("q_hf", "q_ct2"):
        log(f"quality: {name} …")
        res = run_worker(name, spec, workdir)
        hyps.update(res["hypotheses"])
        seconds.update(res["seconds"])
        engines.update(res["engines"])
    bleu = {k: round(sacrebleu.corpus_bleu(v, [ref]).score, 2) for k, v in hyps.items()}
    same = lambda a, b: sum(x == y for x, y in zip(hyps[a], hyps[b])) / len(src)  # noqa: E731
    return {
        "model": str(MINI), "test_set": str(MULTI30K), "sentences": len(src), "bleu": bleu, "seconds": seconds,
        "engines": engines,
        "identical_float32_greedy": same("ct2-float32-greedy", "transformers-greedy"),
        "identical_int8_beam4": same("ct2-int8-beam4", "transformers-beam4"),
        "bleu_delta_int8_beam4": round(bleu["ct2-int8-beam4"] - bleu["transformers-beam4"], 2),
    }


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    mem_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_gb = round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    versions = {}
    for pkg in ("summtrans", "torch", "transformers", "ctranslate2", "sentencepiece", "tokenizers", "sacrebleu"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = None
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    dirty = bool(subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                                capture_output=True, text=True).stdout.strip())
    import hashlib

    # The product is edited in place: a digest and the modification times of its sources say which code ran.
    sources = sorted((REPO / "src" / "summtrans").rglob("*.py"))
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in sources)).hexdigest()[:16]
    modified = {str(p.relative_to(REPO)): dt.datetime.fromtimestamp(p.stat().st_mtime).astimezone().isoformat(timespec="seconds")
                for p in sources if p.parent.name == "engines" or p.name in ("translate.py", "summarize.py")}
    return {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "product_sources": {"sha256_16": digest, "modified": modified},
        "cpu": cpu, "cores": os.cpu_count(), "usable_cores": len(os.sched_getaffinity(0)), "memory_gb": mem_gb,
        "platform": platform.platform(), "python": platform.python_version(), "versions": versions,
        "git": {"commit": commit, "dirty": dirty}, "loadavg_start": [round(x, 2) for x in os.getloadavg()],
    }


def _threads(t: dict) -> str:
    if "inter" in t:
        return f"ct2 {t['inter']}x{t['intra']}"
    return f"torch {t.get('torch_intra_op')}"


def _tokens_ok(res: dict, n: int, expected_outputs: int) -> str:
    ok = res["token_counts"] == [n] and res["tokens"] == n * expected_outputs
    return "✓" if ok else f"✗ {res['token_counts']}"


def targets(report: dict) -> list[dict]:
    out = []

    def add(name: str, value: float | None, goal: str, met: bool | None, detail: str) -> None:
        out.append({"target": name, "value": value, "goal": goal, "met": met, "detail": detail})

    tr = report.get("translate", {}).get("contenders")
    if tr:
        sps = {k: r["segments_per_s"] for k, r in tr.items()}
    if tr and set("bcde") <= set(tr):
        add("translate: summtrans/ct2 (d) vs sorted transformers (b)", round(sps["d"] / sps["b"], 2), "≥ 4.0×",
            sps["d"] / sps["b"] >= 4.0, f"{sps['d']:.1f} vs {sps['b']:.1f} segments/s")
        add("translate: summtrans/ct2 (d) vs raw ctranslate2 (e)", round(sps["d"] / sps["e"], 2), "≥ 0.90×",
            sps["d"] / sps["e"] >= 0.9, f"{sps['d']:.1f} vs {sps['e']:.1f} segments/s")
        add("translate: summtrans/transformers (c) vs (b)", round(sps["c"] / sps["b"], 2), "≥ 0.95×",
            sps["c"] / sps["b"] >= 0.95, f"{sps['c']:.1f} vs {sps['b']:.1f} segments/s")
        rss = tr["d"]["peak_rss_mb"] / tr["c"]["peak_rss_mb"]
        add("translate: peak RSS ct2 (d) / transformers (c)", round(rss, 2), "≤ 0.50", rss <= 0.5,
            f"{tr['d']['peak_rss_mb']:.0f} vs {tr['c']['peak_rss_mb']:.0f} MB")
    su = report.get("summarize", {}).get("contenders")
    if su and {"hf", "st-hf", "st-ct2"} <= set(su):
        r = su["st-ct2"]["segments_per_s"] / su["hf"]["segments_per_s"]
        add("summarize: summtrans/ct2 vs transformers", round(r, 2), "≥ 2.5×", r >= 2.5,
            f"{su['st-ct2']['tokens_per_s']:.1f} vs {su['hf']['tokens_per_s']:.1f} tokens/s")
        rss = su["st-ct2"]["peak_rss_mb"] / su["st-hf"]["peak_rss_mb"]
        add("summarize: peak RSS ct2 / transformers engine", round(rss, 2), "≤ 0.50", rss <= 0.5,
            f"{su['st-ct2']['peak_rss_mb']:.0f} vs {su['st-hf']['peak_rss_mb']:.0f} MB")
    st = report.get("startup")
    if st:
        h = st["help_median_s"]
        add("summtrans --help", round(h, 3), "≤ 0.30 s", h <= 0.3, f"median of {len(st['help_s'])}")
        f_ct2 = st["engines"]["ctranslate2"]["first_output_median_s"]
        f_hf = st["engines"]["transformers"]["first_output_median_s"]
        add("start → first output: ct2 / transformers", round(f_ct2 / f_hf, 2), "≤ 0.25", f_ct2 / f_hf <= 0.25,
            f"{f_ct2:.2f} vs {f_hf:.2f} s")
    q = report.get("quality")
    if q and not q.get("skipped"):
        d = q["bleu_delta_int8_beam4"]
        add("quality: BLEU ct2 int8 − transformers (beam 4)", d, "|Δ| ≤ 1.0", abs(d) <= 1.0,
            f"{q['bleu']['ct2-int8-beam4']:.2f} vs {q['bleu']['transformers-beam4']:.2f}")
        i = q["identical_float32_greedy"]
        add("quality: ct2 float32 greedy identical to transformers", round(100 * i, 1), "≥ 95 %", i >= 0.95,
            f"{round(i * q['sentences'])}/{q['sentences']} sentences")
    return out


def render(report: dict) -> str:
    lines: list[str] = []
    m = report["machine"]
    lines.append(f"summtrans benchmark — {m['date']} — {report['mode']} run")
    lines.append(f"machine: {m['cpu']}, {m['usable_cores']} cores, {m['memory_gb']} GB; python {m['python']}; "
                 + ", ".join(f"{k} {v}" for k, v in m["versions"].items() if v))
    lines.append(f"load average: start {m['loadavg_start']}, end {report.get('loadavg_end')}")

    def table(rows: list[list[str]]) -> None:
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        for j, r in enumerate(rows):
            lines.append("  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))).rstrip())
            if j == 0:
                lines.append("  ".join("-" * w for w in widths))

    tr = report.get("translate")
    if tr:
        i = tr["inputs"]
        lines += ["", f"TRANSLATION — {i['segments']} de-news sentences (mean {i['mean_source_tokens']} source tokens), "
                      f"beam {tr['num_beams']}, {tr['n_tokens']} target tokens each, opus-mt-de-en architecture (random weights)"]
        rows = [["", "contender", "seg/s", "tgt tok/s", "peak RSS MB", "wall s", "first out s", "load s", "work s",
                 "vs (b)", "threads", "N tok"]]
        b = tr["contenders"].get("b", {}).get("segments_per_s")
        for k, r in tr["contenders"].items():
            rows.append([f"({k})", r["label"], f"{r['segments_per_s']:.2f}", f"{r['tokens_per_s']:.0f}",
                         f"{r['peak_rss_mb']:.0f}", f"{r['wall_s']:.1f}", f"{r['first_output_s']:.2f}",
                         f"{r['load_s']:.2f}", f"{r['work_s']:.2f}", f"{r['segments_per_s'] / b:.2f}x" if b else "-",
                         _threads(r["threads"]), r["tokens_check"]])
        table(rows)
        if "e" in tr["contenders"]:
            e = tr["contenders"]["e"]
            tried = ", ".join(f"{x['batch_type']}={x['max_batch_size']}{' (summtrans-like budget, not a candidate)' if x.get('product_like') else ''}"
                              f": {x['work_s']:.2f} s" for x in e["batchings"])
            lines.append(f"(e) batchings, each over all inputs after an 8-sentence warm-up: {tried}; the best is (e)")
    su = report.get("summarize")
    if su:
        lines += ["", f"SUMMARIZATION — {len(su['inputs']['articles'])} de-news articles "
                      f"({', '.join(str(c) for c in su['inputs']['source_tokens'])} source tokens), beam {su['num_beams']}, "
                      f"{su['n_tokens']} summary tokens each, distilbart-cnn-12-6 architecture (random weights)"]
        rows = [["", "contender", "art/s", "tgt tok/s", "peak RSS MB", "wall s", "first out s", "load s", "work s",
                 "vs hf", "threads", "N tok"]]
        base = su["contenders"].get("hf", {}).get("segments_per_s")
        for k, r in su["contenders"].items():
            rows.append([k, r["label"], f"{r['segments_per_s']:.3f}", f"{r['tokens_per_s']:.1f}", f"{r['peak_rss_mb']:.0f}",
                         f"{r['wall_s']:.1f}", f"{r['first_output_s']:.2f}", f"{r['load_s']:.2f}", f"{r['work_s']:.2f}",
                         f"{r['segments_per_s'] / base:.2f}x" if base else "-", _threads(r["threads"]), r["tokens_check"]])
        table(rows)
    st = report.get("startup")
    if st:
        lines += ["", f"START-UP — `python -m summtrans translate -` on one short sentence ({st['n_tokens']} tokens, beam 4), "
                      "opus-like model already converted; medians"]
        lines.append(f"summtrans --help: {st['help_median_s']:.3f} s (median of {len(st['help_s'])})")
        for eng, r in st["engines"].items():
            mods = r["heavy_modules_imported"]
            lines.append(f"{eng:<13} first output {r['first_output_median_s']:.2f} s, exit {r['exit_median_s']:.2f} s"
                         f" (median of {len(r['first_output_s'])}); heavy modules imported: {' '.join(mods) if mods else 'none'}")
    q = report.get("quality")
    if q:
        lines.append("")
        if q.get("skipped"):
            lines.append(f"QUALITY — skipped: {q['skipped']}")
        else:
            lines.append(f"QUALITY — mini-marian-de-en on Multi30k test2016 ({q['sentences']} sentences), sacrebleu, product engines")
            for k, v in q["bleu"].items():
                lines.append(f"  {k:<20} BLEU {v:6.2f}   ({q['seconds'][k]:.1f} s)")
            lines.append(f"  ct2 int8 beam4 − transformers beam4: {q['bleu_delta_int8_beam4']:+.2f} BLEU; "
                         f"identical outputs: float32 greedy {100 * q['identical_float32_greedy']:.1f} %, "
                         f"int8 beam4 {100 * q['identical_int8_beam4']:.1f} %")
    if report["targets"]:
        lines += ["", "TARGETS"]
        rows = [["", "target", "value", "goal", "detail"]]
        for t in report["targets"]:
            mark = "·" if t["met"] is None else "✓" if t["met"] else "✗"
            rows.append([mark, t["target"], str(t["value"]), t["goal"], t["detail"]])
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        for r in rows:
            lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    return "\n".join(lines) + "\n"


def finish_contenders(section: dict, outputs_key: str = "segments") -> None:
    n = section["n_tokens"]
    for r in section["contenders"].values():
        count = r.get("model_inputs", r["outputs"])
        r["segments_per_s"] = r["outputs"] / r["work_s"]
        r["tokens_per_s"] = r["tokens"] / r["work_s"]
        r["tokens_check"] = _tokens_ok(r, n, count)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small inputs (~3 minutes), for checking the set-up")
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated sections ({', '.join(SECTIONS)})")
    parser.add_argument("--out", type=Path, default=BENCH / "results" / "latest.json",
                        help="JSON report (the printed table goes beside it as .txt)")
    parser.add_argument("--sentences", type=int, help="override the number of translation sentences")
    parser.add_argument("--articles", type=int, help="override the number of summarization articles")
    parser.add_argument("--quality-lines", type=int, help="override the number of Multi30k sentences")
    parser.add_argument("--contenders", help="run only these contenders, e.g. 'd,e' or 'b,st-ct2' (for debugging)")
    args = parser.parse_args(argv)
    sections = {s.strip() for s in args.only.split(",") if s.strip()}
    if unknown := sections - set(SECTIONS):
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    mode = "quick" if args.quick else "full"
    cfg = dict(SETTINGS[mode])
    cfg["contenders"] = sorted(c.strip() for c in args.contenders.split(",")) if args.contenders else None
    if args.contenders:
        mode += f" (contenders={args.contenders})"
    for key in ("sentences", "articles", "quality_lines"):
        if getattr(args, key) is not None:
            cfg[key] = getattr(args, key)
            mode += f" ({key}={cfg[key]})"
    report: dict = {"mode": mode, "settings": cfg, "machine": machine(), "notes": []}
    if not SHARED.is_dir() and sections & {"translate", "summarize", "quality"}:
        note = f"{SHARED} is absent: translation, summarization and quality need its corpus and model; skipped"
        report["notes"].append(note)
        log(note)
        if "quality" in sections:
            report["quality"] = {"skipped": note}
        sections &= {"startup"}
    started = time.time()
    MODELS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="specs-", dir=MODELS) as tmp:
        workdir = Path(tmp)
        prep = prepare(cfg, sections, workdir) if sections else {}
        if "translate" in sections:
            report["translate"] = translation_section(cfg, prep, workdir)
            finish_contenders(report["translate"])
        if "summarize" in sections:
            report["summarize"] = summarization_section(cfg, prep, workdir)
            finish_contenders(report["summarize"])
        if "startup" in sections:
            report["startup"] = startup_section(cfg, workdir)
        if "quality" in sections:
            report["quality"] = quality_section(cfg, workdir)
    report["conversions"] = prep.get("conversions", {})
    report["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    report["total_s"] = round(time.time() - started, 1)
    report["targets"] = targets(report)
    text = render(report)
    print(text, end="")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    args.out.with_suffix(".txt").write_text(text, encoding="utf-8")
    log(f"wrote {args.out} and {args.out.with_suffix('.txt')} ({report['total_s']:.0f} s in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
