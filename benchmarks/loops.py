"""Decoding loops on real news, counted by a test of their own, and how many the records flag.

`summtrans translate` (the CLI, ``-f json --no-memory``, mini-marian-de-en on the ctranslate2
engine) on the 30 articles of ../shared/corpus/de-news, once per git revision (``--revs``: each is
exported with ``git archive`` and run from that copy's ``src``), under two decodings: the model's
own (beam 4) and ``--num-beams 1`` (greedy, which loops more).

A segment *loops* when its translation has a word written four times in a row (case aside, any
punctuation between the times, the fourth may trail on into a longer word: ``give give give
given``) and its source has no such run: `LOOP` below, a regex written for this benchmark and
independent of `summtrans.faithful.guards`. A loop is *flagged* when the record's ``warnings``
give its segment a kind other than ``retried``/``split`` (what keeps a segment out of the
translation memory), and *counted as retried* when that warning says "after a retry".

Detector recall, apart from what the retry hides: one ``--no-guards`` run (no retry, no flags)
of the newest revision gives raw outputs; the loops `LOOP` finds there are handed to each
revision's ``guards.problems`` (in a subprocess with that revision's ``src``).

    python benchmarks/loops.py [--revs main,HEAD] [--out benchmarks/results/loops-DATE.txt]

Needs ../shared (model, corpus; or SUMMTRANS_SHARED=DIR); about 10 minutes on 2 shared cores.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SUMMTRANS_SHARED", REPO.parent / "shared"))  # ../shared beside the checkout
MODEL = SHARED / "models" / "mini-marian-de-en"
NEWS = SHARED / "corpus" / "de-news"
BENIGN = ("retried", "split")
DECODINGS = {"beam4": [], "greedy": ["--num-beams", "1"]}

# A letter word, the same word twice more, then a word that starts with it; non-letters between.
_LETTERS, _NOT = r"[^\W\d_]", r"(?:[\W_]+)"
LOOP = re.compile(rf"(?<!{_LETTERS})({_LETTERS}+)(?:{_NOT}\1(?!{_LETTERS})){{2}}{_NOT}\1", re.IGNORECASE)

_PROBLEMS = (
    "import json, sys; from summtrans.faithful.guards import problems; "
    "print(json.dumps([[k for k, _ in problems(s, t)] for s, t in json.load(sys.stdin)]))"
)


def loops(source: str, translation: str) -> str | None:
    """The loop of `translation` its `source` does not have (the matched text), or None."""
    found = LOOP.search(translation)
    return found.group(0) if found and not LOOP.search(source) else None


def export(rev: str, into: Path) -> Path:
    """`src/` (and the models.yaml it reads) of git revision `rev`, unpacked under `into`; returns its src folder."""
    git = ["git", "-C", str(REPO)]
    sha = subprocess.run([*git, "rev-parse", "--short", rev], capture_output=True, text=True, check=True).stdout.strip()
    target = into / sha
    if not target.exists():
        blob = subprocess.run([*git, "archive", rev, "src", "models.yaml"], capture_output=True, check=True).stdout
        with tarfile.open(fileobj=BytesIO(blob)) as tar:
            tar.extractall(target, filter="data")
    return target / "src"


def translate(src: Path, out: Path, extra: list[str]) -> dict:
    """Run the CLI of the code in `src`; wall and CPU seconds of the child."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    args = [sys.executable, "-m", "summtrans", "translate", str(NEWS), "-o", f"{out}/", "-f", "json", "--no-memory",
            "-m", str(MODEL), "--engine", "ctranslate2", "--source-lang", "de", "-q", *extra]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(args, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"summtrans translate failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return {"wall_s": round(wall, 1), "cpu_s": round(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, 1)}


def count(out: Path) -> dict:
    """Loops by `LOOP` in the records under `out`, and what the records say of them."""
    segments = retried = 0
    found: list[dict] = []
    for path in sorted(out.glob("*.json")):
        rec = json.loads(path.read_text(encoding="utf-8"))
        by_segment: dict[int, list[dict]] = {}
        for w in rec.get("warnings", []):
            by_segment.setdefault(w["segment"], []).append(w)
            retried += w["kind"] == "retried"
        for i, seg in enumerate(rec["segments"]):
            segments += 1
            loop = loops(seg["source"], seg["translation"])
            if loop:
                ws = [w for w in by_segment.get(i, []) if w["kind"] not in BENIGN]
                found.append({"file": path.name, "segment": i, "loop": loop, "warnings": [w["kind"] for w in ws],
                              "after_retry": any("after a retry" in w["detail"] for w in ws)})
    flagged = [f for f in found if f["warnings"]]
    return {
        "segments": segments, "loops": len(found), "flagged": len(flagged),
        "flagged_repetition": sum("repetition" in f["warnings"] for f in found),
        "flagged_after_retry": sum(f["after_retry"] for f in flagged), "retried_fixed": retried,
        "missed": [f for f in found if not f["warnings"]],
    }


def recall(src: Path, pairs: list[list[str]]) -> dict:
    """How many of the raw loops `pairs` the `guards.problems` of the code in `src` finds."""
    proc = subprocess.run([sys.executable, "-c", _PROBLEMS], input=json.dumps(pairs), capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(src)}, check=True)
    kinds = json.loads(proc.stdout)
    return {"loops": len(pairs), "any_problem": sum(bool(k) for k in kinds), "repetition": sum("repetition" in k for k in kinds)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--revs", default="main,HEAD", help="git revisions to compare (default: main,HEAD)")
    ap.add_argument("--decodings", default=",".join(DECODINGS))
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "results" / f"loops-{datetime.date.today()}.txt"))
    args = ap.parse_args()
    if not (MODEL.is_dir() and NEWS.is_dir()):
        raise SystemExit(f"needs {MODEL} and {NEWS}")
    work = Path(tempfile.mkdtemp(prefix="loops-"))
    os.environ.setdefault("SUMMTRANS_CACHE_DIR", str(work / "cache"))
    revs = args.revs.split(",")
    srcs = {rev: export(rev, work / "revs") for rev in revs}
    shas = {rev: srcs[rev].parent.name for rev in revs}
    warm = work / "warm.txt"
    warm.write_text("Ein Hund läuft am Strand.\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "summtrans", "translate", str(warm), "-m", str(MODEL), "--engine", "ctranslate2",
                    "--no-memory", "-q"], env={**os.environ, "PYTHONPATH": str(srcs[revs[-1]])}, check=True,
                   capture_output=True)  # converts the model once, outside the timings
    data: dict = {"runs": {}, "recall": {}, "loadavg_start": os.getloadavg()[0]}
    rows = []
    for decoding in args.decodings.split(","):
        for rev in revs:
            out = work / f"{shas[rev]}-{decoding}"
            timing = translate(srcs[rev], out, DECODINGS[decoding])
            stats = {**count(out), **timing, "load": os.getloadavg()[0]}
            data["runs"][f"{rev}/{decoding}"] = {"commit": shas[rev], **stats}
            rows.append(f"| {rev} ({shas[rev]}) | {decoding} | {stats['segments']} | {stats['loops']} | {stats['flagged']} "
                        f"| {stats['flagged_after_retry']} | {stats['retried_fixed']} | {timing['wall_s']} | {timing['cpu_s']} |")
            print(rows[-1], flush=True)
        raw = work / f"raw-{decoding}"
        translate(srcs[revs[-1]], raw, [*DECODINGS[decoding], "--no-guards"])
        pairs = [[s["source"], s["translation"]] for p in sorted(raw.glob("*.json"))
                 for s in json.loads(p.read_text(encoding="utf-8"))["segments"] if loops(s["source"], s["translation"])]
        data["recall"][decoding] = {rev: recall(srcs[rev], pairs) for rev in revs}
    recall_rows = [f"| {rev} ({shas[rev]}) | {d} | {r[rev]['loops']} | {r[rev]['repetition']} | {r[rev]['any_problem']} |"
                   for d, r in data["recall"].items() for rev in revs]
    text = "\n".join([
        f"Loops on de-news {datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds')}: "
        "summtrans translate de-news/ -f json --no-memory -m mini-marian-de-en --engine ctranslate2 (CPU int8)",
        "loop = a word 4 times in a row (the 4th may trail on), not in the source: benchmarks/loops.py LOOP, independent of guards.py",
        "", "| revision | decoding | segments | loops in output | flagged | of those 'after a retry' | retried (fixed) | wall s | cpu s |",
        "|---|---|---|---|---|---|---|---|---|", *rows, "",
        "Detector recall on raw loops (--no-guards run of the newest revision; guards.problems of each revision):", "",
        "| revision | decoding | raw loops | 'repetition' found | any problem found |", "|---|---|---|---|---|", *recall_rows, "",
        f"load average at start {data['loadavg_start']:.2f} (2 shared cores: wall times are noisy, CPU times less so)", "",
    ])
    Path(args.out).write_text(text, encoding="utf-8")
    Path(args.out).with_suffix(".json").write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
