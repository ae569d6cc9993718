"""`summtrans serve` under load: requests/s and p50/p95 latency of /translate with 1, 8 and 32
concurrent clients, beside the same sentences translated in one process by the library.

Payloads: one Multi30k caption a request, and a paragraph of 4 captions a request (distinct texts,
cycled; the translation memory is off so that every request reaches the engine). Engines: echo
(the server's own overhead) and the small real model (../shared/models/mini-marian-de-en on
CTranslate2). The server runs as a process on 127.0.0.1; the load generator (threads, one
keep-alive connection per client) runs on the same machine, each configuration for a bounded time.

LibreTranslate's figures are not measured here: they are those given in issue 23 (LibreTranslate
1.9.6, waitress, argos on CTranslate2 int8 with the same small model, 2 cores, same kind of machine).

    PYTHONPATH=src .venv/bin/python benchmarks/serve.py [--seconds 8] [--out benchmarks/results/serve-DATE.json]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
SHARED = Path(os.environ.get("SUMMTRANS_SHARED", REPO.parent / "shared"))
if not SHARED.is_dir():
    SHARED = Path("/work/shared")  # a worktree beside the checkout
MODEL = SHARED / "models" / "mini-marian-de-en"
CAPTIONS = SHARED / "corpus" / "multi30k-test2016" / "test_2016_flickr.de"
CLIENTS = (1, 8, 32)

# issue 23: LibreTranslate 1.9.6 tuned to 2 workers x 1 thread (its best), req/s by clients 1 / 8 / 32
LIBRETRANSLATE_BEST = {"caption": {1: 92, 8: 202, 32: 197}, "paragraph": {1: 51, 8: 64, 32: 65}}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(args: list[str], cache: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "SUMMTRANS_CACHE_DIR": str(cache), "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "summtrans", "serve", "--port", str(port), "--no-memory", "-q", "--max-queue", "4096",
         "--state-dir", str(cache / "serve"), *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/health")
            if conn.getresponse().status == 200:
                return proc, port
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(f"server exited: {proc.stderr.read().decode()}") from None
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not start")


def load(port: int, texts: list[str], clients: int, seconds: float) -> dict:
    """`clients` threads posting texts for `seconds`; throughput and latency percentiles."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    counter = [0]
    stop_at = time.perf_counter() + seconds

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        while time.perf_counter() < stop_at:
            with lock:
                text = texts[counter[0] % len(texts)]
                counter[0] += 1
            body = json.dumps({"q": text, "source": "de", "target": "en"})
            t0 = time.perf_counter()
            conn.request("POST", "/translate", body, {"Content-Type": "application/json"})
            r = conn.getresponse()
            r.read()
            mine.append(time.perf_counter() - t0)
            if r.status != 200:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)
        conn.close()

    start = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    latencies.sort()
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return {"clients": clients, "requests": len(latencies), "errors": errors[0], "seconds": round(elapsed, 2),
            "req_per_s": round(len(latencies) / elapsed, 1), "p50_ms": round(q[49] * 1000, 1), "p95_ms": round(q[94] * 1000, 1)}


def in_process(captions: list[str], paragraphs: list[str]) -> dict:
    """The same texts through the library in one process (as `summtrans translate` runs them)."""
    from summtrans.pipeline import Pipeline, PipelineOptions

    translator = Pipeline(PipelineOptions(model=str(MODEL), engine="ctranslate2", memory=False, offline=True)).translator
    translator.translate_many(captions[:50])  # load and warm up
    out = {}
    for name, texts in (("caption", captions), ("paragraph", paragraphs)):
        t0 = time.perf_counter()
        translator.translate_many(texts)
        dt = time.perf_counter() - t0
        out[name] = {"texts": len(texts), "seconds": round(dt, 2), "texts_per_s": round(len(texts) / dt, 1)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=8.0, help="load time per configuration")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / f"serve-{time.strftime('%Y-%m-%d')}.json")
    args = parser.parse_args()
    if not (MODEL / "config.json").is_file() or not CAPTIONS.is_file():
        raise SystemExit(f"needs {MODEL} and {CAPTIONS}")
    captions = [line.strip() for line in CAPTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    paragraphs = [" ".join(captions[i : i + 4]) for i in range(0, len(captions) - 3, 4)]
    import tempfile

    cache = Path(tempfile.mkdtemp(prefix="summtrans-bench-serve-"))
    os.environ["SUMMTRANS_CACHE_DIR"] = str(cache)
    os.environ["HF_HUB_OFFLINE"] = "1"
    report: dict = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                "load_average_before": [round(x, 1) for x in os.getloadavg()]},
                    "seconds_per_run": args.seconds, "libretranslate_best_issue23": LIBRETRANSLATE_BEST}
    report["in_process"] = in_process(captions, paragraphs)
    runs = []
    for engine, extra in (("echo", ["--engine", "echo"]), ("mini-marian", ["-m", str(MODEL), "--engine", "ctranslate2", "--offline"])):
        proc, port = start_server(extra, cache)
        try:
            load(port, captions, 4, 2.0)  # load the model, warm up
            for payload, texts in (("caption", captions), ("paragraph", paragraphs)):
                for clients in CLIENTS:
                    row = {"engine": engine, "payload": payload, **load(port, texts, clients, args.seconds)}
                    runs.append(row)
                    print(json.dumps(row), flush=True)
        finally:
            proc.terminate()
            proc.wait(60)
    report["runs"] = runs
    report["machine"]["load_average_after"] = [round(x, 1) for x in os.getloadavg()]  # others' work shares the cores
    report["targets"] = targets(runs, report["in_process"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(table(runs, report["in_process"], report["targets"]))
    print(f"\nwritten {args.out}")


def targets(runs: list[dict], inproc: dict) -> dict:
    out = {}
    for payload in ("caption", "paragraph"):
        rows = {r["clients"]: r for r in runs if r["engine"] == "mini-marian" and r["payload"] == payload}
        if 1 not in rows or 32 not in rows:
            continue
        r32 = rows[32]
        out[payload] = {
            "x_one_client": round(r32["req_per_s"] / rows[1]["req_per_s"], 2),  # target >= 3
            "x_libretranslate_best": round(r32["req_per_s"] / max(LIBRETRANSLATE_BEST[payload].values()), 2),  # >= 1.5
            "x_in_process": round(r32["req_per_s"] / inproc[payload]["texts_per_s"], 2),  # >= 0.8
            "p95_ms_32": r32["p95_ms"],  # <= 500
        }
    return out


def table(runs: list[dict], inproc: dict, goals: dict) -> str:
    lines = ["| engine | payload | clients | req/s | p50 ms | p95 ms | errors | LibreTranslate best req/s |",
             "|---|---|---|---|---|---|---|---|"]
    for r in runs:
        lt = LIBRETRANSLATE_BEST[r["payload"]][r["clients"]] if r["engine"] == "mini-marian" else ""
        lines.append(f"| {r['engine']} | {r['payload']} | {r['clients']} | {r['req_per_s']} | {r['p50_ms']} | "
                     f"{r['p95_ms']} | {r['errors']} | {lt} |")
    lines.append("")
    for name, v in inproc.items():
        lines.append(f"in process (library, mini-marian): {name}: {v['texts_per_s']} texts/s")
    for name, g in goals.items():
        lines.append(f"{name} at 32 clients: {g['x_one_client']}x one client (target >= 3), "
                     f"{g['x_libretranslate_best']}x LibreTranslate's best (>= 1.5), {g['x_in_process']}x in process (>= 0.8), "
                     f"p95 {g['p95_ms_32']} ms (<= 500)")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
