"""Which language detector: lingua-language-detector vs py3langid, both restricted to the same languages.

Accuracy on short German paragraphs and 1-2 sentence snippets (../shared/corpus/de-news), German and
English captions (Multi30k), hand-written French and Dutch snippets (tests/lang_samples.py); time per
de-news document; import + build time (fresh interpreter); install size.

    pip install lingua-language-detector   # not a summtrans dependency: only this comparison needs it
    PYTHONPATH=src python benchmarks/langdetect_choice.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from lang_samples import DUTCH, FRENCH  # noqa: E402

from summtrans.segment import segment  # noqa: E402

SHARED = ROOT.parent / "shared" / "corpus"
LANGS = ["de", "en", "fr", "nl", "it", "es", "pl", "tr", "ru", "ar"]

BUILD = {
    "lingua": (
        "from lingua import IsoCode639_1, Language, LanguageDetectorBuilder\n"
        "langs = [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in {langs!r}]\n"
        "d = LanguageDetectorBuilder.from_languages(*langs).build()\n"
        "d.compute_language_confidence_values('Das ist ein kurzer deutscher Satz.')\n"
    ),
    "lingua-low": (
        "from lingua import IsoCode639_1, Language, LanguageDetectorBuilder\n"
        "langs = [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in {langs!r}]\n"
        "d = LanguageDetectorBuilder.from_languages(*langs).with_low_accuracy_mode().build()\n"
        "d.compute_language_confidence_values('Das ist ein kurzer deutscher Satz.')\n"
    ),
    "py3langid": (
        "from py3langid.langid import MODEL_FILE, LanguageIdentifier\n"
        "d = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)\n"
        "d.set_languages({langs!r})\n"
        "d.classify('Das ist ein kurzer deutscher Satz.')\n"
    ),
}


def detector(name: str):
    ns: dict = {}
    exec(BUILD[name].format(langs=LANGS), ns)
    d = ns["d"]
    if name.startswith("lingua"):

        def top(text: str) -> tuple[str, float]:
            best = d.compute_language_confidence_values(text)[0]
            return best.language.iso_code_639_1.name.lower(), best.value

        return top
    return lambda text: tuple(d.classify(text))


def datasets() -> dict[str, tuple[str, list[str]]]:
    docs = [p.read_text(encoding="utf-8") for p in sorted((SHARED / "de-news").glob("*.txt"))]
    paragraphs, snippets = [], []
    for doc in docs:
        sents = [s.text for s in segment(doc)]
        paragraphs += [" ".join(sents[i : i + 3]) for i in range(0, len(sents), 3)]
        snippets += [" ".join(sents[i : i + (1 + i % 2)]) for i in range(0, len(sents), 3)]
    de_caps = (SHARED / "multi30k-test2016" / "test_2016_flickr.de").read_text(encoding="utf-8").splitlines()[:300]
    en_caps = (SHARED / "multi30k-test2016" / "test_2016_flickr.en").read_text(encoding="utf-8").splitlines()[:300]
    return {
        "de-news docs": ("de", docs),
        "de-news 3-sentence paragraphs": ("de", paragraphs),
        "de-news 1-2 sentence snippets": ("de", snippets),
        "de captions (Multi30k)": ("de", de_caps),
        "en captions (Multi30k)": ("en", en_caps),
        "fr snippets (hand-written)": ("fr", FRENCH),
        "nl snippets (hand-written)": ("nl", DUTCH),
    }


def import_seconds(name: str, runs: int = 3) -> float:
    code = "import time; t = time.perf_counter()\n" + BUILD[name].format(langs=LANGS) + "print(time.perf_counter() - t)"
    return statistics.median(float(subprocess.check_output([sys.executable, "-c", code])) for _ in range(runs))


def install_mb(name: str) -> float:
    import importlib.util

    mod = "lingua" if name.startswith("lingua") else "py3langid"
    root = Path(importlib.util.find_spec(mod).origin).parent
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) / 2**20


# Short German texts full of English words, and texts no detector should be trusted on.
HARD = [
    "Das Meeting wurde gecancelt, das Update kommt später.", "Okay.", "Team Building Event",
    'Der CEO sagte: "We will not give up."', "Sales Manager (m/w/d) gesucht", "Download", "Hallo",
    "Thank you!", "Anna Schmidt, Berlin", "E-Mail: info@example.com",
    "The committee approved the budget after a long debate.", "Die Software läuft stabil.",
    "Big Data und Cloud Computing im Mittelstand", "Computer, Internet und Smartphone", "Public Viewing am Marktplatz",
]


def main() -> None:
    data = datasets()
    print("| detector | " + " | ".join(f"{k} (n={len(v[1])})" for k, v in data.items())
          + " | ms/de-news doc | import+build s | install MB |")
    print("|---" * (len(data) + 4) + "|")
    for name in BUILD:
        try:
            top = detector(name)
        except ImportError as exc:
            print(f"| {name} | not installed ({exc}) |")
            continue
        cells = []
        for want, texts in data.values():
            got = [top(t) for t in texts]
            ok = sum(g[0] == want for g in got)
            conf = statistics.median(g[1] for g in got)
            cells.append(f"{100 * ok / len(texts):.1f}% (median conf {conf:.2f})")
        docs = data["de-news docs"][1]
        t = time.perf_counter()
        for d in docs:
            top(d)
        ms = 1000 * (time.perf_counter() - t) / len(docs)
        print(f"| {name} | " + " | ".join(cells) + f" | {ms:.1f} | {import_seconds(name):.2f} | {install_mb(name):.1f} |")
        wrong = [(t[:60], top(t)) for want, texts in data.values() for t in texts if top(t)[0] != want]
        for w in wrong[:6]:
            print(f"    miss: {w}", file=sys.stderr)
        print("    hard: " + "; ".join(f"{t[:30]!r} {lang} {p:.2f}" for t in HARD for lang, p in [top(t)]))


if __name__ == "__main__":
    main()
