"""Which placeholder form does a model copy? Spans masked with each form of PLACEHOLDER_FORMS.

For every form: the share of spans whose placeholder came back (restored in place, no split
retry needed), and the share of segments that needed the split retry. With the retry every span
reaches the output whatever the form (checked here too).

    PYTHONPATH=src .venv/bin/python benchmarks/placeholders.py [--model DIR] [--engine ctranslate2]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from summtrans.engines import EngineOptions, GenerationOptions, load_engine  # noqa: E402
from summtrans.faithful.protect import (  # noqa: E402
    PLACEHOLDER_FORMS,
    ProtectOptions,
    check_spans,
    protect,
    protected_translate,
    restore,
    single_token_numbers,
)  # noqa: E402

# Caption-style sentences (the mini model's domain) and letter-style ones, each with spans.
SENTENCES = [
    "Ein Mann mit einem roten Hut steht neben https://example.com/info.",
    "Eine Frau schreibt an info@beispiel.de und lächelt.",
    "Zwei Männer spielen um 14:30 Uhr Fußball im Park.",
    "Ein Junge kauft 3 Äpfel für 2,50 € auf dem Markt.",
    "Ein Hund läuft 5 km am Strand entlang.",
    "Eine Gruppe von 12 Personen steht am 15.03.2024 vor dem Gebäude.",
    "Ein Mädchen zeigt auf die Datei /home/anna/bild.png auf dem Bildschirm.",
    "Ein Mann ruft +49 30 1234567 an und wartet.",
    "Ein Kind spielt mit @lena_99 im Schnee.",
    "Eine Frau überweist 1.250,50 Euro auf DE89 3704 0044 0532 0130 00.",
    "Weitere Informationen finden Sie unter www.beispiel.de/hilfe.",
    "Bitte überweisen Sie den Betrag bis zum 01.04.2025 auf das Konto DE02 1203 0000 0000 2020 51.",
    "Der Zug fährt um 7.45 Uhr ab Gleis 3.",
    "Der Preis stieg um 3,5 Prozent auf 1.000.000 Euro.",
    "Führen Sie `pip install summtrans` aus und öffnen Sie config.yaml.",
    "Die Temperatur lag bei 25 °C, der Wind bei 40 km/h.",
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=str(REPO.parent / "shared" / "models" / "mini-marian-de-en"))
    ap.add_argument("--engine", default="ctranslate2")
    ap.add_argument("--beams", type=int, default=4)
    ap.add_argument("--out", default="")
    args = ap.parse_args()
    engine = load_engine(args.model, EngineOptions(engine=args.engine))
    generation = GenerationOptions(num_beams=args.beams, max_new_tokens=96)

    def translate(texts: list[str]) -> list[str]:
        return engine.generate(texts, generation)

    rows = {}
    plain = translate(SENTENCES)
    checks = [check_spans(s, o) for s, o in zip(SENTENCES, plain)]
    total = sum(c for c, _ in checks)
    lost = sum(len(m) for _, m in checks)
    rows["unprotected"] = {"spans": total, "spans_kept": total - lost, "segments_all_spans_final": sum(not m for _, m in checks)}
    print(f"unprotected: spans kept {total - lost}/{total} (as written or in English form); "
          f"segments with all spans {rows['unprotected']['segments_all_spans_final']}/{len(SENTENCES)}")
    calibrated = single_token_numbers(engine.count_tokens)
    print(f"single-token numbers 10..999: {len(calibrated)} ({', '.join(map(str, calibrated[:12]))}, …)")
    variants = {form: ProtectOptions(placeholder=form) for form in PLACEHOLDER_FORMS}
    variants["number (single-token)"] = ProtectOptions(placeholder="number", numbers=calibrated)
    for form, options in variants.items():
        start = time.perf_counter()
        protected = [protect(s, options) for s in SENTENCES]
        direct = [restore(o, p, fallback="drop") for o, p in zip(translate([p.masked for p in protected]), protected)]
        spans = sum(len(p.spans) for p in protected)
        kept = spans - sum(len(r.missing) for r in direct)
        outputs, reports = protected_translate(SENTENCES, translate, options)
        final = sum(all(s.output in o for s in r.spans) for o, r in zip(outputs, reports))
        rows[form] = {
            "spans": spans,
            "placeholders_copied": kept,
            "segments_split": sum(r.split for r in reports),
            "segments_all_spans_final": final,
            "segments": len(SENTENCES),
            "seconds": round(time.perf_counter() - start, 2),
            "example": outputs[0],
        }
        print(f"{form:22} placeholders copied {kept}/{spans}  split {rows[form]['segments_split']}/{len(SENTENCES)}"
              f"  all spans in final output {final}/{len(SENTENCES)}  | {outputs[0]}")
    if args.out:
        Path(args.out).write_text(json.dumps({"model": args.model, "engine": args.engine, "beams": args.beams, "forms": rows}, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
