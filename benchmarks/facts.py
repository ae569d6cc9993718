"""Key facts of letters: precision and recall of deadlines and amounts on held-out letters.

The evaluation letters (`benchmarks/data/facts_letters.jsonl`: 24 letters and 4 non-letters, with
gold deadlines, amounts, dates and appointments) were written and committed before the rules of
`summtrans.facts` were written, and the rules were not tuned on them afterwards; the letters in
`tests/test_facts.py` are the development set.

Matching: a found deadline matches a gold one with the same date, or (for a gold deadline
without a fixed date) the same rule (`P1M after notification`); each gold deadline matches at
most once. "with action" also requires the same action. Amounts match on (value, currency),
each distinct pair once. Where dateparser is installed, its `search_dates` is compared with
`facts.dates.find_dates` as a date finder (it has no notion of deadlines or rules). The letter gate is measured on the 4 non-letters and, where present,
the 30 news articles of ../shared/corpus/de-news (cue counts, and what the rules would invent
there without the gate).

The third set (`facts_letters_c.jsonl`: 19 letters and 3 non-letters) was committed before the
rules were changed for the second set's misses, and scored once before and once after that change;
`--baseline` takes an earlier results JSON (`benchmarks/results/facts-baseline-2026-12-07.json`:
the rules before that change) and prints its scores beside the new ones.

    PYTHONPATH=src .venv/bin/python benchmarks/facts.py [--out benchmarks/results/facts-DATE.json]
        [--baseline benchmarks/results/facts-baseline-2026-12-07.json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from summtrans.facts import extract_facts  # noqa: E402
from summtrans.facts.amounts import find_amounts  # noqa: E402
from summtrans.facts.deadlines import deadlines_and_more  # noqa: E402
from summtrans.facts.letter import LETTER_THRESHOLD, letter_cues, letter_date  # noqa: E402
from summtrans.facts.schedule import find_appointments, find_ranges  # noqa: E402
from summtrans.segment import segment  # noqa: E402

DATA = tuple(REPO / "benchmarks" / "data" / name for name in ("facts_letters.jsonl", "facts_letters_b.jsonl", "facts_letters_c.jsonl"))
SHARED = Path(os.environ.get("SUMMTRANS_SHARED", REPO.parent / "shared"))


def segs(text: str) -> list[str]:
    return [s.text for s in segment(text)]


def _same(g: dict, d: dict) -> bool:
    return bool((g["date"] and d["date"] == g["date"]) or (g["rule"] and d["rule"] == g["rule"]))


def match_deadlines(gold: list[dict], found: list[dict], with_action: bool) -> tuple[int, list[dict], list[dict]]:
    """(matches, gold deadlines missed, found deadlines spurious); each gold deadline matches once."""
    left = list(gold)
    spurious = []
    for d in found:
        g = next((g for g in left if _same(g, d) and (not with_action or g["action"] == d["action_id"])), None)
        if g is None:
            spurious.append(d)
        else:
            left.remove(g)
    return len(found) - len(spurious), left, spurious


def prf(hits: int, found: int, gold: int) -> dict:
    p = hits / found if found else 1.0
    r = hits / gold if gold else 1.0
    return {"hits": hits, "found": found, "gold": gold, "precision": round(p, 3), "recall": round(r, 3),
            "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0}


def evaluate(records: list[dict]) -> dict:
    """Scores of `extract_facts` on gold-annotated records."""
    totals: Counter = Counter()
    per_letter = []
    seconds = 0.0
    for rec in records:
        gold = rec["gold"]
        s = segs(rec["text"])
        t0 = time.perf_counter()
        facts = extract_facts(s)
        seconds += time.perf_counter() - t0
        out = facts.to_dict() if facts else None
        row = {"id": rec["id"], "is_letter": gold["is_letter"], "found_letter": facts is not None,
               "cues": list(letter_cues(s))}
        totals["letters" if gold["is_letter"] else "non_letters"] += 1
        totals["gate_correct"] += gold["is_letter"] == (facts is not None)
        found_deadlines = out["deadlines"] if out else []
        found_amounts = {(a["value"], a["currency"]) for a in out["amounts"]} if out else set()
        gold_amounts = {(a["value"], a["currency"]) for a in gold["amounts"]}
        hits, missed, spurious = match_deadlines(gold["deadlines"], found_deadlines, with_action=False)
        hits_a, _m, _s = match_deadlines(gold["deadlines"], found_deadlines, with_action=True)
        totals["dl_gold"] += len(gold["deadlines"])
        totals["dl_found"] += len(found_deadlines)
        totals["dl_hits"] += hits
        totals["dl_hits_action"] += hits_a
        amount_hits = {a for a in found_amounts if any(a[1] == g[1] and abs(a[0] - g[0]) < 1e-9 for g in gold_amounts)}
        totals["am_gold"] += len(gold_amounts)
        totals["am_found"] += len(found_amounts)
        totals["am_hits"] += len(amount_hits)
        if gold["is_letter"]:
            totals["date_gold"] += 1
            totals["date_ok"] += bool(out and out["date"] == gold["date"])
            sender = (out or {}).get("sender") or ""
            totals["sender_ok"] += bool(sender and (sender.lower() in gold["sender"].lower() or gold["sender"].lower() in sender.lower()))
            found_app = {(a["date"], a["time"]) for a in out["appointments"]} if out else set()
            gold_app = {(a["date"], a["time"]) for a in gold["appointments"]}
            totals["ap_gold"] += len(gold_app)
            totals["ap_found"] += len(found_app)
            totals["ap_hits"] += len(found_app & gold_app)
            if "period" in gold:
                totals["period_gold"] += 1
                totals["period_ok"] += bool(out and out["period"] and [out["period"]["start"], out["period"]["end"]] == gold["period"])
        row.update({
            "deadlines_missed": missed,
            "deadlines_spurious": [{k: d[k] for k in ("date", "rule", "action_id", "text")} for d in spurious],
            "deadline_actions": [(d["text"], d["action_id"]) for d in found_deadlines],
            "amounts_missed": sorted(gold_amounts - amount_hits),
            "amounts_spurious": sorted(found_amounts - amount_hits),
            "date": out["date"] if out else None,
            "sender": out["sender"] if out else None,
        })
        per_letter.append(row)
    letters = max(1, totals["date_gold"])
    return {
        "letters": totals["letters"],
        "non_letters": totals["non_letters"],
        "deadlines": prf(totals["dl_hits"], totals["dl_found"], totals["dl_gold"]),
        "deadlines_with_action": prf(totals["dl_hits_action"], totals["dl_found"], totals["dl_gold"]),
        "amounts": prf(totals["am_hits"], totals["am_found"], totals["am_gold"]),
        "appointments": prf(totals["ap_hits"], totals["ap_found"], totals["ap_gold"]),
        "letter_date_accuracy": round(totals["date_ok"] / letters, 3),
        "sender_accuracy": round(totals["sender_ok"] / letters, 3),
        "period_accuracy": f"{totals['period_ok']}/{totals['period_gold']}",
        "gate_correct": f"{totals['gate_correct']}/{len(records)}",
        "cue_counts_letters": dict(sorted(Counter(len(r["cues"]) for r in per_letter if r["is_letter"]).items())),
        "cue_counts_non_letters": dict(sorted(Counter(len(r["cues"]) for r in per_letter if not r["is_letter"]).items())),
        "ms_per_document": round(1000 * seconds / len(records), 2),
        "per_letter": per_letter,
    }


def news_check() -> dict:
    """The letter gate on the news corpus: cue counts, facts blocks, and what the rules alone would report."""
    news = []
    news_dir = SHARED / "corpus" / "de-news"
    for path in sorted(news_dir.glob("*.txt")) if news_dir.is_dir() else []:
        s = segs(path.read_text(encoding="utf-8"))
        day, _ = letter_date(s)
        ungated, _apps, _found = deadlines_and_more(s, day, None, find_appointments(s, day), find_ranges(s, day), None)
        news.append({"file": path.name, "cues": len(letter_cues(s)), "facts": extract_facts(s) is not None,
                     "ungated_deadlines": len(ungated), "ungated_amounts": len(find_amounts(s))})
    return {
        "files": len(news),
        "with_facts": sum(n["facts"] for n in news),
        "cue_counts": dict(sorted(Counter(n["cues"] for n in news).items())),
        "ungated_deadlines": sum(n["ungated_deadlines"] for n in news),
        "ungated_amounts": sum(n["ungated_amounts"] for n in news),
    }


def dateparser_check(records: list[dict]) -> dict | None:
    """Date finding alone: `facts.dates.find_dates` vs dateparser's `search_dates` (German, the
    letter's date as base, future preferred) on the segments of each letter: how many gold fixed
    deadline dates each finds, how many dates each returns, and its time. None without dateparser."""
    try:
        from dateparser.search import search_dates
    except ImportError:
        return None
    from datetime import datetime

    from summtrans.facts.dates import find_dates

    gold_n = hits_a = hits_b = found_a = found_b = 0
    sec_a = sec_b = 0.0
    for rec in records:
        gold = rec["gold"]
        if not gold["is_letter"]:
            continue
        base = date.fromisoformat(gold["date"])
        wanted = {d["date"] for d in gold["deadlines"] if d["date"] and not d["rule"]}
        s = segs(rec["text"])
        t0 = time.perf_counter()
        ours = {m.resolve(base) for seg in s for m in find_dates(seg)}
        sec_a += time.perf_counter() - t0
        t0 = time.perf_counter()
        theirs = set()
        for seg in s:
            found = search_dates(seg, languages=["de"], settings={"RELATIVE_BASE": datetime(base.year, base.month, base.day),
                                                                 "PREFER_DATES_FROM": "future"}) or []
            theirs |= {d.date() for _text, d in found}
        sec_b += time.perf_counter() - t0
        ours_iso = {d.isoformat() for d in ours if d}
        theirs_iso = {d.isoformat() for d in theirs}
        gold_n += len(wanted)
        hits_a += len(wanted & ours_iso)
        hits_b += len(wanted & theirs_iso)
        found_a += len(ours_iso)
        found_b += len(theirs_iso)
    return {"gold_dates": gold_n, "find_dates": {"hits": hits_a, "returned": found_a, "ms": round(1000 * sec_a)},
            "dateparser": {"hits": hits_b, "returned": found_b, "ms": round(1000 * sec_b)}}


def table(name: str, report: dict, before: dict | None = None) -> list[str]:
    lines = [
        f"{name}: {report['letters']} letters, {report['non_letters']} non-letters",
        f"  {'fact':<24}{'found':>7}{'gold':>7}{'hits':>7}{'precision':>11}{'recall':>8}{'F1':>7}"
        + (f"   | before: {'P':>6}{'R':>7}{'F1':>7}" if before else ""),
    ]
    for fact in ("deadlines", "deadlines_with_action", "amounts", "appointments"):
        m = report[fact]
        line = f"  {fact:<24}{m['found']:>7}{m['gold']:>7}{m['hits']:>7}{m['precision']:>11.3f}{m['recall']:>8.3f}{m['f1']:>7.3f}"
        if before:
            b = before[fact]
            line += f"   |         {b['precision']:>6.3f}{b['recall']:>7.3f}{b['f1']:>7.3f}"
        lines.append(line)
    was = (f" (before: date {before['letter_date_accuracy']:.3f}, sender {before['sender_accuracy']:.3f}, "
           f"gate {before['gate_correct']})") if before else ""
    lines += [
        f"  letter's date correct {report['letter_date_accuracy']:.3f}; sender correct {report['sender_accuracy']:.3f}; "
        f"period exact {report['period_accuracy']}; letter gate correct {report['gate_correct']}{was}",
        f"  cues per letter {report['cue_counts_letters']}, per non-letter {report['cue_counts_non_letters']}; "
        f"{report['ms_per_document']} ms per document (segmentation excluded)",
        "  misses and spurious finds:",
    ]
    for row in report["per_letter"]:
        bits = []
        if row["is_letter"] != row["found_letter"]:
            bits.append(f"gate wrong (cues {row['cues']})")
        if row["deadlines_missed"]:
            bits.append("missed deadlines " + ", ".join(f"{d['date'] or d['rule']} {d['action']}" for d in row["deadlines_missed"]))
        if row["deadlines_spurious"]:
            bits.append("spurious deadlines " + ", ".join(f"{d['date'] or d['rule']} ({d['text']})" for d in row["deadlines_spurious"]))
        if row["amounts_missed"]:
            bits.append(f"missed amounts {row['amounts_missed']}")
        if row["amounts_spurious"]:
            bits.append(f"spurious amounts {row['amounts_spurious']}")
        if bits:
            lines.append(f"    {row['id']}: " + "; ".join(bits))
    return lines


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", nargs="+", default=[str(p) for p in DATA])
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "results" / f"facts-{date.today().isoformat()}.json"))
    ap.add_argument("--baseline", help="an earlier results JSON, whose scores are printed beside the new ones")
    args = ap.parse_args()
    baseline = json.loads(Path(args.baseline).read_text(encoding="utf-8"))["sets"] if args.baseline else {}
    report: dict = {"threshold": LETTER_THRESHOLD, "sets": {}}
    if args.baseline:
        report["baseline"] = {"file": Path(args.baseline).name, "sets": {
            name: {k: v for k, v in s.items() if k != "per_letter" and k != "dateparser_check"} for name, s in baseline.items()}}
    lines = [f"summtrans.facts on held-out letters (letter gate: at least {LETTER_THRESHOLD} cues)", ""]
    for path in map(Path, args.data):
        records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        result = evaluate(records)
        check = dateparser_check(records)
        if check:
            result["dateparser_check"] = check
        report["sets"][path.name] = result
        lines += table(path.name, result, baseline.get(path.name))
        if check:
            a, b = check["find_dates"], check["dateparser"]
            lines.append(f"  date finding alone, {check['gold_dates']} fixed deadline dates: find_dates {a['hits']} "
                         f"({a['returned']} dates returned, {a['ms']} ms), dateparser {b['hits']} ({b['returned']} returned, {b['ms']} ms)")
        lines.append("")
    report["news"] = news = news_check()
    lines.append(
        f"news (../shared/corpus/de-news): {news['with_facts']}/{news['files']} with a facts block; cues per article {news['cue_counts']}; "
        f"without the gate the rules would report {news['ungated_deadlines']} deadlines and {news['ungated_amounts']} amounts there"
    )
    text = "\n".join(lines)
    print(text)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    out.with_suffix(".txt").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
