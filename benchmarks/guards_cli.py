"""Guards off vs on through the real CLI (`summtrans translate` + `summtrans eval`), mini-marian-de-en.

* de-news (../shared/corpus/de-news, 30 articles): a folder run, ``-f json``, one record per
  article. Degenerate segments are counted two ways: the kinds left in the records' ``warnings``
  (repetition, length-ratio, untranslated, german-output: still bad after the retry; guards off
  writes none), and `guards.problems` applied afterwards to every segment's (source, translation)
  (the same yardstick for both configurations).
* Multi30k test2016 (1,000 captions, one a line): `summtrans translate` to a text file, then
  `summtrans eval HYP --ref EN --src DE -f json` for BLEU and chrF.

Configurations: ``off`` = ``--no-guards --no-protect``; ``on`` = the defaults (protected spans,
length cap 2 × input + 10, one retry under safer settings). Both use ``--no-memory`` and a
models.yaml with the ctranslate2 engine, beam 4 and the model's own max_length (512). Wall time
and the CLI process's CPU time (user + system of the child) per run; a warm-up run converts the
model first. The machine is shared: wall times are noisy, CPU times less so.

    .venv/bin/python benchmarks/guards_cli.py [--configs off,on] [--out benchmarks/results/guards-cli-DATE.txt]
    .venv/bin/python benchmarks/guards_cli.py --configs on,on-groups --out benchmarks/results/guards-cli-groups-DATE.txt
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from summtrans.faithful.guards import problems  # noqa: E402

SHARED = REPO.parent / "shared"
CLI = [sys.executable, "-m", "summtrans"]
FLAGS = {"off": ["--no-guards", "--no-protect"], "on": [], "on-groups": []}
# "on-groups": the defaults, with the length cap applied as before the engines capped per batch
# (one engine call per group of similar input lengths, `guards.cap_groups`).
GROUPS_CLI = [sys.executable, "-c", "import summtrans.engines.ct2.engine as e; e.CTranslate2Engine.caps_length = False; "
              "from summtrans.cli.app import main; main()"]
DEGENERATE = ("repetition", "length-ratio", "untranslated", "german-output")


def run(args: list[str], cli: list[str] = CLI) -> tuple[float, float]:
    """Run the CLI; (wall seconds, CPU seconds of the child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cli + args, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"summtrans {' '.join(args)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def news_stats(outdir: Path) -> dict:
    segments = left = after = retried = 0
    kinds: dict[str, int] = {}
    for path in sorted(outdir.glob("*.json")):
        rec = json.loads(path.read_text(encoding="utf-8"))
        segs = rec["segments"]
        segments += len(segs)
        flagged = {w["segment"] for w in rec.get("warnings", []) if w["kind"] in DEGENERATE}
        left += len(flagged)
        retried += sum(1 for w in rec.get("warnings", []) if w["kind"] == "retried")
        for w in rec.get("warnings", []):
            kinds[w["kind"]] = kinds.get(w["kind"], 0) + 1
        after += sum(1 for s in segs if problems(s["source"], s["translation"]))
    return {"segments": segments, "flagged_in_json": left, "degenerate_posthoc": after, "retried": retried, "warnings": kinds}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--configs", default="off,on")
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "results" / f"guards-cli-{datetime.date.today()}.txt"))
    args = ap.parse_args()
    model = SHARED / "models" / "mini-marian-de-en"
    news = SHARED / "corpus" / "de-news"
    m30k = SHARED / "corpus" / "multi30k-test2016"
    work = Path(tempfile.mkdtemp(prefix="guards-cli-"))
    env_cache = work / "cache"
    os.environ["SUMMTRANS_CACHE_DIR"] = str(env_cache)
    cfg = work / "models.yaml"
    cfg.write_text(
        f"profiles:\n  mini:\n    task: translation\n    model: {model}\n    engine: ctranslate2\n"
        "    generation: {num_beams: 4}\n",
        encoding="utf-8",
    )
    captions = work / "captions.de.txt"  # a .txt name: plain text, one caption a line
    captions.write_bytes((m30k / "test_2016_flickr.de").read_bytes())
    common = ["--config", str(cfg), "--source-lang", "de", "--no-memory", "-q"]
    warm = work / "warm.txt"
    warm.write_text("Ein Hund läuft am Strand.\n", encoding="utf-8")
    run(["translate", str(warm), *common])  # converts the model once (cached for the runs below)
    load0 = os.getloadavg()[0]
    rows, data = [], {}
    for name in args.configs.split(","):
        out = work / f"news-{name}"
        cli = GROUPS_CLI if name == "on-groups" else CLI
        nw, nc = run(["translate", str(news), "-o", f"{out}/", "-f", "json", *common, *FLAGS[name]], cli)
        stats = news_stats(out)
        hyp = work / f"captions-{name}.en.txt"
        cw, cc = run(["translate", str(captions), "-o", str(hyp), "-f", "text", *common, *FLAGS[name]], cli)
        proc = subprocess.run(CLI + ["eval", str(hyp), "--ref", str(m30k / "test_2016_flickr.en"),
                                     "--src", str(m30k / "test_2016_flickr.de"), "-f", "json"],
                              capture_output=True, text=True, check=True)
        scores = {s["name"]: s["value"] for s in json.loads(proc.stdout)["scores"]}
        data[name] = {"news": {"wall": nw, "cpu": nc, **stats}, "captions": {"wall": cw, "cpu": cc, **scores},
                      "load": os.getloadavg()[0]}
        share = 100 * stats["degenerate_posthoc"] / max(stats["segments"], 1)
        rows.append(
            f"{name:9} news {nw:6.1f} s (cpu {nc:6.1f} s)  degenerate {share:4.1f}% "
            f"({stats['degenerate_posthoc']}/{stats['segments']} by guards.problems; {stats['flagged_in_json']} flagged "
            f"in JSON warnings, {stats['retried']} retried)  warnings {stats['warnings']}\n"
            f"          captions {cw:5.1f} s (cpu {cc:5.1f} s)  BLEU {scores['BLEU']:.2f}  chrF {scores['chrF']:.2f}"
        )
        print(rows[-1], flush=True)
    head = (f"guards through the CLI {datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds')}  "
            f"mini-marian-de-en ctranslate2 beam 4, --no-memory; off = --no-guards --no-protect, on = defaults\n"
            f"news: summtrans translate {news.name}/ -o OUT/ -f json; captions: summtrans translate (1000 lines) + "
            f"summtrans eval --ref --src -f json\n")
    loads = ", ".join(f"{data[n]['load']:.2f}" for n in data)
    text = head + "\n".join(rows) + f"\nload average at start {load0:.2f}, after each config: {loads} " \
        "(2 cores shared with other agents: wall times are noisy, CPU times less so)\n"
    Path(args.out).write_text(text, encoding="utf-8")
    Path(args.out).with_suffix(".json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
