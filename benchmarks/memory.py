"""Translation memory and language detection: what they cost and what the memory saves.

    PYTHONPATH=src python benchmarks/memory.py [--only lookup,detect,e2e] [--docs N] [--out FILE]

1. lookup: a memory of 10,000 entries; lookups in batches of 64 (all hits, all misses), stores in
   batches of 64, and `translate_with_memory` around a no-op translate: cost per segment.
2. detect: `detect()` and `detect_paragraphs()` per ../shared/corpus/de-news document, and the
   detector's first-use (import + build) time.
3. e2e: ../shared/models/mini-marian-de-en on the ctranslate2 engine (beam 2, max_new_tokens 96)
   translating de-news with `Translator.translate_many`, whose model step (`translate_segments`)
   is wrapped in `translate_with_memory`: exactly where the Translator hook goes. Runs: the first
   run (empty memory), an unchanged re-run (what `--force` does), and a re-run after 10% of the
   sentences changed. The model is loaded once beforehand and its load time reported apart.

Not part of the test suite; prints a table and writes JSON. Targets (issue 10): unchanged re-run
≥ 20× faster than the first, 10%-changed re-run ≤ 25% of the first run's time, detection a small
fraction of translation time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
SHARED = REPO.parent / "shared"
MINI = SHARED / "models" / "mini-marian-de-en"
DE_NEWS = SHARED / "corpus" / "de-news"
CACHE = BENCH / ".models" / "summtrans-cache"  # conversions of the mini model live in ct2/ here


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def news() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(DE_NEWS.glob("*.txt"))]


def bench_lookup(tmp: Path, entries: int = 10_000, batch: int = 64) -> dict:
    from summtrans.memory.store import Memory, MemoryContext, MemoryOptions, translate_with_memory
    from summtrans.segment import segment

    sentences = [s.text for doc in news() for s in segment(doc)]
    sources = [f"{sentences[i % len(sentences)]} ({i})" for i in range(entries)]  # 10k distinct, news-like
    ctx = MemoryContext("files:bench", "ctranslate2", "int8", {"num_beams": 2, "max_new_tokens": 96})
    out: dict = {"entries": entries, "batch": batch}
    with Memory(MemoryOptions(path=tmp / "lookup.sqlite3")) as m:
        t = time.perf_counter()
        for i in range(0, entries, batch):
            m.store(ctx, [(s, "An English translation of about this length, roughly. " + s) for s in sources[i : i + batch]])
        out["store_us_per_segment"] = 1e6 * (time.perf_counter() - t) / entries
        for label, batch_sources in (("hit", sources), ("miss", [s + " neu" for s in sources])):
            times = []
            for i in range(0, entries, batch):
                chunk = batch_sources[i : i + batch]
                t = time.perf_counter()
                m.lookup(ctx, chunk)
                times.append((time.perf_counter() - t) / len(chunk))
            out[f"lookup_{label}_us_per_segment"] = 1e6 * statistics.mean(times)
            out[f"lookup_{label}_us_per_segment_p95"] = 1e6 * sorted(times)[int(0.95 * len(times))]
        t = time.perf_counter()
        for i in range(0, entries, batch):
            translate_with_memory(sources[i : i + batch], m, ctx, lambda xs: xs)
        out["translate_with_memory_all_hits_us_per_segment"] = 1e6 * (time.perf_counter() - t) / entries
        out["db_bytes"] = m.stats().size_bytes
    return out


def bench_detect() -> dict:
    t = time.perf_counter()
    from summtrans.language import detect as langdetect

    langdetect.detect("Ein kurzer deutscher Satz zum Aufwärmen des Detektors.")
    first_use = time.perf_counter() - t
    docs = news()
    per_doc, per_doc_paras = [], []
    langs = []
    for doc in docs:
        t = time.perf_counter()
        det = langdetect.detect(doc)
        per_doc.append(time.perf_counter() - t)
        langs.append(det.lang)
        t = time.perf_counter()
        langdetect.detect_paragraphs(doc, det.lang)
        per_doc_paras.append(time.perf_counter() - t)
    return {
        "documents": len(docs),
        "first_use_s": first_use,
        "detect_ms_per_doc": 1000 * statistics.mean(per_doc),
        "detect_paragraphs_ms_per_doc": 1000 * statistics.mean(per_doc_paras),
        "all_german": set(langs) == {"de"},
    }


def change_ten_percent(docs: list[str]) -> tuple[list[str], int, int]:
    """Every 10th sentence of each document gets a word inserted (a re-issued report with edits)."""
    from summtrans.segment import segment

    out, changed, total = [], 0, 0
    for doc in docs:
        segs = segment(doc)
        text, shift = doc, 0
        for i, seg in enumerate(segs):
            total += 1
            if i % 10 == 5:
                changed += 1
                pos = seg.start + shift
                text = text[:pos] + "Laut Bericht " + text[pos:]
                shift += len("Laut Bericht ")
        out.append(text)
    return out, changed, total


def bench_e2e(tmp: Path, n_docs: int | None) -> dict:
    from summtrans.engines import EngineOptions, GenerationOptions, load_engine
    from summtrans.language.detect import detect
    from summtrans.memory.store import (
        MODEL,
        Memory,
        MemoryContext,
        MemoryOptions,
        model_identity,
        translate_with_memory,
    )
    from summtrans.translate import Translator

    docs = news()[:n_docs] if n_docs else news()
    t = time.perf_counter()
    engine = load_engine(str(MINI), EngineOptions(engine="ctranslate2", local_files_only=True))
    load_s = time.perf_counter() - t
    generation = GenerationOptions(num_beams=2, max_new_tokens=96)
    translator = Translator(engine, generation)
    ctx = MemoryContext(
        model=model_identity(str(MINI)),
        engine=engine.name,
        compute_type=getattr(engine, "compute_type", ""),
        generation=generation.as_dict(),
        settings={"prefix": translator.prefix},
    )
    model_step = translator.translate_segments
    origins: list[str] = []
    model_segments = [0]

    def counted(texts: list[str]) -> list[str]:
        model_segments[0] += len(texts)
        return model_step(texts)

    def run(memory: Memory, texts: list[str]) -> dict:
        origins.clear()
        model_segments[0] = 0

        def with_memory(inputs, progress=None):
            res = translate_with_memory(list(inputs), memory, ctx, counted)
            origins.extend(o for _, o in res)
            return [r for r, _ in res]

        translator.translate_segments = with_memory  # the Translator hook, wired by hand
        t = time.perf_counter()
        for doc in texts:
            detect(doc)  # --source-lang auto: part of every run
        translator.translate_many(texts)
        seconds = time.perf_counter() - t
        return {
            "seconds": seconds,
            "inputs": len(origins),
            "model_inputs": model_segments[0],
            "from_memory": sum(o != MODEL for o in origins),
        }

    changed_docs, changed, total = change_ten_percent(docs)
    detect("Ein kurzer deutscher Satz zum Aufwärmen des Detektors.")  # its first-use cost is reported by `detect`
    with Memory(MemoryOptions(path=tmp / "e2e.sqlite3")) as memory:
        log(f"e2e: first run on {len(docs)} documents")
        first = run(memory, docs)
        log(f"e2e: first run {first['seconds']:.1f} s; unchanged re-run")
        rerun = run(memory, docs)
        log(f"e2e: unchanged re-run {rerun['seconds']:.2f} s; 10% changed")
        partial = run(memory, changed_docs)
        log(f"e2e: changed re-run {partial['seconds']:.1f} s")
    return {
        "documents": len(docs),
        "model_load_s": load_s,
        "first": first,
        "unchanged_rerun": rerun,
        "changed_rerun": {**partial, "sentences_changed": changed, "sentences": total},
        "rerun_speedup": first["seconds"] / rerun["seconds"],
        "changed_fraction_of_first": partial["seconds"] / first["seconds"],
        "compute_type": ctx.compute_type,
        "threads": os.environ.get("OMP_NUM_THREADS", "default"),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default="lookup,detect,e2e")
    ap.add_argument("--docs", type=int, default=None, help="e2e: first N de-news documents (default: all 30)")
    ap.add_argument("--out", type=Path, default=BENCH / "results" / "memory-latest.json")
    args = ap.parse_args()
    if not DE_NEWS.is_dir() or not MINI.is_dir():
        sys.exit("../shared (de-news, mini-marian-de-en) is needed")
    os.environ.setdefault("SUMMTRANS_CACHE_DIR", str(CACHE))
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    only = set(args.only.split(","))
    report: dict = {"started": time.strftime("%Y-%m-%d %H:%M:%S"), "loadavg_before": os.getloadavg()}
    with tempfile.TemporaryDirectory(prefix="summtrans-bench-memory-") as tmp:
        if "lookup" in only:
            log("lookup")
            report["lookup"] = bench_lookup(Path(tmp))
        if "detect" in only:
            log("detect")
            report["detect"] = bench_detect()
        if "e2e" in only:
            report["e2e"] = bench_e2e(Path(tmp), args.docs)
    report["loadavg_after"] = os.getloadavg()
    if "e2e" in report and "detect" in report:
        e = report["e2e"]
        report["detect_fraction_of_first_run"] = (
            report["detect"]["detect_ms_per_doc"] / 1000 * e["documents"] / e["first"]["seconds"]
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
