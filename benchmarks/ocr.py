"""OCR of German letters: character error rate, exact-token recall and seconds per page, per kind
of image, for summtrans (preprocessing + Tesseract + the PDF layout) against plain tesserocr on the
same image without preprocessing (the figure preprocessing must beat).

The letters are rendered with PIL at 300 dpi (tests/ocr_samples.py: umlauts, ß, amounts, dates,
an IBAN, an Aktenzeichen, a ruled table) and degraded: skewed, speckled, JPEG, low dpi, a fax
(204×98 dpi, 1 bit, Group 4), a phone photo (perspective, uneven light, blur, JPEG). Truth: the text
as drawn (summtrans is expected to drop the page number; plain Tesseract is compared with the
text as printed, page number included). Also: how well "confidence under T" finds the words OCR
got wrong (which sets page.LOW_CONFIDENCE).

    PYTHONPATH=src .venv/bin/python benchmarks/ocr.py [--out benchmarks/results/ocr-DATE.json]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import sys
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "tests"))

import ocr_samples as S  # noqa: E402


def kinds(rendered: S.Rendered) -> dict[str, bytes]:
    img = rendered.image
    out = dict(S.variants(rendered))
    out["skew4.png"] = S.png(S.skewed(img, 4.0))
    out["speckled.png"] = S.png(S.noisy(img))
    out["jpeg40.jpg"] = S.jpeg(img, 40)
    out["photo-steep.jpg"] = S.photo(S.skewed(img, 3.0), seed=11, quality=70)
    return out


def plain(data: bytes) -> tuple[str, float]:
    import tesserocr
    from PIL import Image

    from summtrans.ocr.engines import tessdata_dir

    t0 = time.perf_counter()
    with tesserocr.PyTessBaseAPI(path=tessdata_dir(), lang="deu") as api:
        api.SetImage(Image.open(io.BytesIO(data)))
        text = api.GetUTF8Text()
    return text, time.perf_counter() - t0


def ours(data: bytes, name: str) -> tuple[str, float, list, dict]:
    from PIL import Image

    from summtrans.formats.pdf import extracted
    from summtrans.ocr.layout import pdf_page
    from summtrans.ocr.page import read_page

    t0 = time.perf_counter()
    image = Image.open(io.BytesIO(data))
    page = read_page(image, 0, image.info.get("dpi"))
    ex = extracted([pdf_page(page)], None)
    return S.md_text(ex.markdown or ""), time.perf_counter() - t0, page.words, page.prepared


def threshold_figures(samples: list[tuple[list, str]]) -> list[dict]:
    """Per threshold T: of the words read under T, how many were wrong (precision), and of the
    wrong words, how many were under T (recall). A word is right when it is a word of the truth."""
    rows = []
    for t in (50, 60, 70, 80, 90):
        flagged = wrong = flagged_wrong = total = 0
        for words, truth in samples:
            vocab = set(truth.split()) | {w.strip(".,:;()") for w in truth.split()}
            for w in words:
                bad = w.text not in vocab and w.text.strip(".,:;()") not in vocab
                total += 1
                wrong += bad
                flagged += w.conf < t
                flagged_wrong += bad and w.conf < t
        rows.append({"threshold": t, "words": total, "wrong": wrong, "flagged": flagged,
                     "precision": round(flagged_wrong / flagged, 3) if flagged else None,
                     "recall": round(flagged_wrong / wrong, 3) if wrong else None})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "results" / f"ocr-{date.today().isoformat()}.json"))
    args = ap.parse_args()
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # one core per page, as a folder run uses it
    from summtrans.ocr import get_engine

    rendered = S.render_letter()
    printed = rendered.truth + "\n" + S.FOOTER
    rows, samples = [], []
    for name, data in kinds(rendered).items():
        p_text, p_sec = plain(data)
        o_text, o_sec, words, prepared = ours(data, name)
        samples.append((words, rendered.truth))
        rows.append({
            "kind": name,
            "plain": {"cer": round(S.cer(printed, p_text), 4), "recall": round(S.token_recall(p_text), 3),
                      "missing": S.missing_tokens(p_text), "seconds": round(p_sec, 2)},
            "summtrans": {"cer": round(S.cer(rendered.truth, o_text), 4), "recall": round(S.token_recall(o_text), 3),
                          "missing": S.missing_tokens(o_text), "seconds": round(o_sec, 2), "prepared": prepared},
        })
        print(f"{name:32s} plain cer {rows[-1]['plain']['cer']:.4f} recall {rows[-1]['plain']['recall']:.2f} "
              f"{p_sec:5.1f} s | summtrans cer {rows[-1]['summtrans']['cer']:.4f} recall "
              f"{rows[-1]['summtrans']['recall']:.2f} {o_sec:5.1f} s  {prepared}", flush=True)
    report = {
        "date": date.today().isoformat(),
        "engine": get_engine().describe(),
        "machine": {"platform": platform.platform(), "cores": os.cpu_count(), "loadavg": os.getloadavg()},
        "tokens": list(S.EXACT_TOKENS),
        "kinds": rows,
        "confidence_thresholds": threshold_figures(samples),
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    lines = ["| kind | plain CER | plain recall | plain s/page | summtrans CER | summtrans recall | summtrans s/page |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        p, o = r["plain"], r["summtrans"]
        lines.append(f"| {r['kind']} | {p['cer']:.2%} | {p['recall']:.0%} | {p['seconds']:.1f} | "
                     f"{o['cer']:.2%} | {o['recall']:.0%} | {o['seconds']:.1f} |")
    lines += ["", "| confidence < T | words flagged | wrong words | precision | recall |", "| --- | --- | --- | --- | --- |"]
    for t in report["confidence_thresholds"]:
        lines.append(f"| {t['threshold']} | {t['flagged']} | {t['wrong']} | {t['precision']} | {t['recall']} |")
    lines += ["", f"engine: {report['engine']}; load average at the end: {report['machine']['loadavg']}"]
    out.with_suffix(".txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
