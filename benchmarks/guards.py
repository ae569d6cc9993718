"""Guards off vs on: degenerate output, run time and BLEU with mini-marian-de-en.

* de-news (../shared/corpus/de-news, 30 German news articles, out of the model's caption
  domain): the share of segments with degenerate output (`guards.problems`) and the run time.
* Multi30k test2016 (first N captions): BLEU and chrF (sacrebleu defaults).

Configurations, all on the ctranslate2 engine with the same beam size:

* ``off``: the model's own limits (max_length 512: a loop runs to 511 tokens).
* ``guards``: a length cap per group of similar input lengths (`guards.cap_groups`), then
  detect → one retry with `RetryPolicy` → flag (`guards.guarded_translate`).
* ``guards+protect``: the same inside `protect.protected_translate` (spans masked, restored).
* ``cap`` (on request, ``--configs cap``): the length cap alone.

This script composes them around the engine itself, with the cap applied per group of input
lengths (`cap_groups`: what `faithful.FaithfulTranslator` does on an engine without
`Engine.caps_length`; the ctranslate2 and transformers engines now cap each batch themselves).

    PYTHONPATH=src .venv/bin/python benchmarks/guards.py [--beams 4] [--captions 1000] [--articles 30]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from summtrans.engines import EngineOptions, GenerationOptions, load_engine  # noqa: E402
from summtrans.faithful.guards import GuardOptions, RetryPolicy, cap_groups, guarded_translate, problems  # noqa: E402
from summtrans.faithful.protect import ProtectOptions, protected_translate, single_token_numbers  # noqa: E402
from summtrans.segment import segment, split_to_fit  # noqa: E402
from summtrans.translate import Translator  # noqa: E402

SHARED = REPO.parent / "shared"
CONFIGS = ("off", "guards", "guards+protect")  # also "cap": the length cap alone (no detection, no retry)


def make_translators(engine, beams: int, guard: GuardOptions, protect_options: ProtectOptions):
    """config name → (list[str] → list[str])."""
    base = GenerationOptions(num_beams=beams)
    safe = RetryPolicy().apply(base)
    ceiling = 511  # the model's own max_length 512 less the decoder start

    def plain(texts: list[str]) -> list[str]:
        return engine.generate(texts, base) if texts else []

    def capped(generation: GenerationOptions):
        def run(texts: list[str]) -> list[str]:
            out = [""] * len(texts)
            for cap, idx in cap_groups(engine.count_tokens(texts), guard, ceiling):
                for i, o in zip(idx, engine.generate([texts[i] for i in idx], generation.merged(max_new_tokens=cap))):
                    out[i] = o
            return out

        return run

    stats = {"retried": 0, "flagged": 0}

    def guarded(texts: list[str]) -> list[str]:
        outputs, warnings = guarded_translate(texts, capped(base), capped(safe), guard)
        stats["retried"] += len({w.segment for w in warnings})
        stats["flagged"] += len({w.segment for w in warnings if w.kind != "retried"})
        return outputs

    def guarded_protected(texts: list[str]) -> list[str]:
        outputs, reports = protected_translate(texts, guarded, protect_options)
        stats["split"] = stats.get("split", 0) + sum(r.split for r in reports)
        stats["spans"] = stats.get("spans", 0) + sum(len(r.spans) for r in reports)
        return outputs

    return {"off": plain, "cap": capped(base), "guards": guarded, "guards+protect": guarded_protected}, stats


def degenerate(sources: list[str], outputs: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {"segments": 0}
    for s, o in zip(sources, outputs):
        kinds = {k for k, _ in problems(s, o)}
        counts["segments"] += bool(kinds)
        for k in kinds:
            counts[k] = counts.get(k, 0) + 1
    return counts


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=str(SHARED / "models" / "mini-marian-de-en"))
    ap.add_argument("--beams", type=int, default=4)
    ap.add_argument("--captions", type=int, default=1000)
    ap.add_argument("--articles", type=int, default=30)
    ap.add_argument("--configs", default=",".join(CONFIGS))
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "results" / f"guards-{datetime.date.today()}.json"))
    args = ap.parse_args()
    import sacrebleu

    engine = load_engine(args.model, EngineOptions(engine="ctranslate2"))
    guard = GuardOptions()
    protect_options = ProtectOptions(numbers=single_token_numbers(engine.count_tokens))
    translators, stats = make_translators(engine, args.beams, guard, protect_options)
    limit = Translator(engine).limit  # the model's input limit, as the Translator splits segments
    articles = sorted((SHARED / "corpus" / "de-news").glob("*.txt"))[: args.articles]
    news = list(dict.fromkeys(  # the distinct model inputs of the articles' segments
        p for a in articles for s in segment(a.read_text(encoding="utf-8"))
        for p in split_to_fit(s.text, engine.count_tokens, limit)
    ))
    m30k = SHARED / "corpus" / "multi30k-test2016"
    src = (m30k / "test_2016_flickr.de").read_text(encoding="utf-8").splitlines()[: args.captions]
    ref = (m30k / "test_2016_flickr.en").read_text(encoding="utf-8").splitlines()[: args.captions]
    report: dict = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "model": args.model,
        "engine": engine.describe(),
        "beams": args.beams,
        "guard_options": guard.__dict__,
        "retry": RetryPolicy().__dict__,
        "news_segments": len(news),
        "captions": len(src),
        "loadavg_start": os.getloadavg(),
        "configs": {},
    }
    news_outputs: dict[str, list[str]] = {}
    for name in args.configs.split(","):
        translate = translators[name]
        stats.update(retried=0, flagged=0, split=0, spans=0)
        start, cpu = time.perf_counter(), time.process_time()
        news_out = translate(news)
        news_s, news_cpu = time.perf_counter() - start, time.process_time() - cpu
        news_stats = dict(stats)
        stats.update(retried=0, flagged=0)
        start, cpu = time.perf_counter(), time.process_time()
        cap_out = translate(src)
        cap_s, cap_cpu = time.perf_counter() - start, time.process_time() - cpu
        bleu = sacrebleu.corpus_bleu(cap_out, [ref])
        chrf = sacrebleu.corpus_chrf(cap_out, [ref])
        deg = degenerate(news, news_out)
        news_outputs[name] = news_out
        row = {
            "news_seconds": round(news_s, 1),
            "news_cpu_seconds": round(news_cpu, 1),  # CPU time of this process (all threads): less load-dependent
            "news_degenerate": deg,
            "news_degenerate_share": round(deg["segments"] / max(len(news), 1), 4),
            "news_segments_retried": news_stats["retried"],
            "news_segments_flagged": news_stats["flagged"],
            "news_spans_protected": news_stats["spans"],
            "news_segments_split": news_stats["split"],
            "news_output_words": sum(len(o.split()) for o in news_out),
            "captions_seconds": round(cap_s, 1),
            "captions_cpu_seconds": round(cap_cpu, 1),
            "captions_degenerate": degenerate(src, cap_out)["segments"],
            "captions_retried": stats["retried"],
            "bleu": round(bleu.score, 2),
            "chrf": round(chrf.score, 2),
            "loadavg_after": os.getloadavg(),
        }
        report["configs"][name] = row
        print(
            f"{name:15} news {row['news_seconds']:6.1f} s (cpu {row['news_cpu_seconds']:6.1f} s)  degenerate {deg['segments']}/{len(news)}"
            f" ({row['news_degenerate_share']:.1%})  retried {row['news_segments_retried']} flagged {row['news_segments_flagged']}"
            f" | captions {row['captions_seconds']:5.1f} s (cpu {row['captions_cpu_seconds']:5.1f} s)  BLEU {row['bleu']:.2f}  chrF {row['chrf']:.2f}"
            f"  | load {row['loadavg_after'][0]:.1f}",
            flush=True,
        )
    # A few segments that loop without guards, as each configuration left them (to judge by eye).
    first = news_outputs[next(iter(news_outputs))]
    looping = [i for i, (s, o) in enumerate(zip(news, first)) if problems(s, o)][:6]
    report["examples"] = [{"source": news[i], **{n: outs[i] for n, outs in news_outputs.items()}} for i in looping]
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    lines = [f"guards benchmark {report['date']}  model {Path(args.model).name}  ctranslate2 beam {args.beams}"]
    lines.append(f"de-news: {len(news)} segments from {len(articles)} articles; Multi30k test2016: {len(src)} captions")
    for name, row in report["configs"].items():
        lines.append(
            f"{name:15} news {row['news_seconds']:6.1f} s (cpu {row['news_cpu_seconds']:.1f} s)  degenerate {row['news_degenerate_share']:.1%} {row['news_degenerate']}"
            f"  retried {row['news_segments_retried']} flagged {row['news_segments_flagged']}"
            f" | captions {row['captions_seconds']:.1f} s (cpu {row['captions_cpu_seconds']:.1f} s)  BLEU {row['bleu']:.2f}  chrF {row['chrf']:.2f}"
        )
    lines.append(
        f"load average at start {report['loadavg_start'][0]:.2f}, after each: "
        + ", ".join(f"{row['loadavg_after'][0]:.2f}" for row in report["configs"].values())
        + " (2 cores shared with other agents: wall times are noisy, cpu times less so)"
    )
    out.with_suffix(".txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {out} and {out.with_suffix('.txt')}")


if __name__ == "__main__":
    main()
