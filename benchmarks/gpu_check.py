"""The GPU check: the CUDA float16 path of both engines, and Ray workers holding GPU fractions.

Run on a machine with an NVIDIA GPU, from the repository root, with summtrans importable
(``PYTHONPATH=src``) and ctranslate2 (and for ``ray``, Ray) installed:

    python benchmarks/gpu_check.py engines --out gpu-engines.json
    python benchmarks/gpu_check.py ray --model DIR --corpus DIR --out gpu-ray.json

``engines`` builds a random-weight model with opus-mt-de-en's real architecture
(tests/factory.py) and times 200 German sentences through summtrans' Translator on
ctranslate2 float16 (CUDA), transformers float16 (CUDA) and ctranslate2 int8 (CPU), every
contender generating exactly 30 tokens per sentence with beam 4, as benchmarks/run.py does.

``ray`` translates a folder with a real model three ways — local on CUDA, ``--executor ray``
with two workers holding half a GPU each, and local on the CPU — and compares the outputs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
N_TOKENS = 30


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def sentences(corpus: Path | None, n: int = 200) -> list[str]:
    from factory import german_english_corpus

    from summtrans.segment import segment

    lines: list[str] = []
    if corpus and corpus.is_dir():
        for f in sorted(corpus.glob("*.txt")):
            lines += [s.text for s in segment(f.read_text(encoding="utf-8")) if 6 <= len(s.text.split()) <= 40]
    lines += [s for s in german_english_corpus() if len(s.split()) >= 4]
    return list(dict.fromkeys(lines))[:n]


def engines_check(args: argparse.Namespace) -> dict:
    import ctranslate2
    from factory import build_opus_mt_like

    from summtrans.engines import EngineOptions, GenerationOptions, load_engine
    from summtrans.translate import Translator

    report: dict = {
        "ctranslate2": ctranslate2.__version__,
        "cuda_devices": ctranslate2.get_cuda_device_count(),
        "cuda_compute_types": sorted(ctranslate2.get_supported_compute_types("cuda"))
        if ctranslate2.get_cuda_device_count()
        else [],
        "runs": [],
    }
    t0 = time.perf_counter()
    model = build_opus_mt_like(Path(args.workdir) / "opus-mt-de-en-like")
    report["build_seconds"] = round(time.perf_counter() - t0, 1)
    texts = sentences(Path(args.corpus) if args.corpus else None)
    report["sentences"] = len(texts)
    gen = GenerationOptions(num_beams=4, max_new_tokens=N_TOKENS + 1, min_length=N_TOKENS + 1)
    contenders = [
        ("ctranslate2", "cuda", "float16"),
        ("transformers", "cuda", "float16"),
        ("ctranslate2", "cpu", "int8"),
    ]
    for engine, device, ctype in contenders:
        run: dict = {"engine": engine, "device": device, "compute_type": ctype}
        try:
            t0 = time.perf_counter()
            eng = load_engine(str(model), EngineOptions(engine=engine, device=device, compute_type=ctype))
            run["load_seconds"] = round(time.perf_counter() - t0, 2)
            run["loaded"] = eng.describe()
            tr = Translator(eng, gen)
            tr.translate_segments(texts[:8])  # warm-up: CUDA context, kernels, allocator
            t0 = time.perf_counter()
            outs = tr.translate_segments(texts)
            secs = time.perf_counter() - t0
            run.update(seconds=round(secs, 3), segments_per_s=round(len(texts) / secs, 2),
                       mean_words_out=round(sum(len(o.split()) for o in outs) / len(outs), 1))
        except Exception as exc:  # record and go on: the report says what failed and why
            run["error"] = f"{type(exc).__name__}: {exc}"
        log(json.dumps(run))
        report["runs"].append(run)
    return report


def _cli(args: list[str], env: dict) -> tuple[float, int, str]:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "summtrans", *args], env=env, capture_output=True, text=True)
    return time.perf_counter() - t0, proc.returncode, proc.stderr[-3000:]


def _outputs(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith((".", "summtrans-"))
    }


def ray_check(args: argparse.Namespace) -> dict:
    work = Path(args.workdir)
    config = work / "gpu.yaml"
    config.write_text(
        "defaults: {translation: mini}\n"
        "profiles:\n"
        f"  mini: {{task: translation, model: {Path(args.model).resolve()}, "
        "generation: {num_beams: 2, max_new_tokens: 96}}\n",
        encoding="utf-8",
    )
    env = dict(os.environ, SUMMTRANS_CACHE_DIR=str(work / "cache"))
    common = ["translate", str(args.corpus), "--config", str(config), "--engine", "ctranslate2", "--no-memory",
              "--source-lang", "de"]
    runs = {
        "local-cuda-float16": ["--device", "cuda", "--compute-type", "float16"],
        "ray-2-workers-0.5-gpu": ["--executor", "ray", "--workers", "2", "--gpus-per-worker", "0.5",
                                  "--device", "cuda", "--compute-type", "float16"],
        "local-cpu-int8": ["--device", "cpu", "--compute-type", "int8"],
    }
    report: dict = {"runs": {}}
    outputs: dict[str, dict[str, bytes]] = {}
    # Convert once before timing (each compute type has its own cached conversion): one document.
    one = work / "one"
    shutil.rmtree(one, ignore_errors=True)
    one.mkdir()
    first = sorted(Path(args.corpus).glob("*.txt"))[0]
    shutil.copy(first, one / first.name)
    for extra in (runs["local-cuda-float16"], runs["local-cpu-int8"]):
        _cli([*common[:1], str(one), *common[2:], "-o", str(work / "prep"), "--force", "-q", *extra], env)
    for name, extra in runs.items():
        out = work / f"out-{name}"
        shutil.rmtree(out, ignore_errors=True)
        secs, rc, err = _cli([*common, "-o", str(out), "-q", *extra], env)
        outputs[name] = _outputs(out)
        journal = out / "summtrans-journal.jsonl"
        lines = [json.loads(x) for x in journal.read_text(encoding="utf-8").splitlines()] if journal.exists() else []
        report["runs"][name] = {
            "seconds": round(secs, 2), "exit": rc, "documents_ok": sum(1 for x in lines if x.get("status") == "ok"),
            "stderr_tail": err if rc else "",
        }
        log(f"{name}: {report['runs'][name]}")
    a, b = outputs["local-cuda-float16"], outputs["ray-2-workers-0.5-gpu"]
    report["ray_equals_local_cuda"] = {"files": len(a), "identical": sum(1 for k in a if b.get(k) == a[k]),
                                       "missing": sorted(set(a) - set(b))}
    c = outputs["local-cpu-int8"]
    report["cuda_float16_vs_cpu_int8_identical_files"] = sum(1 for k in a if c.get(k) == a[k])
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("check", choices=["engines", "ray"])
    parser.add_argument("--corpus", help="folder of German .txt files (de-news)")
    parser.add_argument("--model", help="ray: a real de→en Marian model directory")
    parser.add_argument("--workdir", default="/tmp/summtrans-gpu")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    Path(args.workdir).mkdir(parents=True, exist_ok=True)
    report = engines_check(args) if args.check == "engines" else ray_check(args)
    Path(args.out).write_text(json.dumps(report, indent=2), encoding="utf-8")
    log(json.dumps(report, indent=2)[:4000])
    return 0


if __name__ == "__main__":
    sys.exit(main())
