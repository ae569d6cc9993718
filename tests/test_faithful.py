"""The faithful layer around an engine: cap per length group, retry, spans, quality per segment."""

from __future__ import annotations

import pytest

from summtrans.engines import EngineOptions, GenerationOptions, load_engine
from summtrans.engines.base import EchoEngine
from summtrans.faithful.glossary import Glossary
from summtrans.faithful.layer import FaithfulOptions, FaithfulTranslator

DICTIONARY = {
    "Ein Hund läuft am Strand.": "A dog runs on the beach.",
    "Zwei Männer spielen im Park.": "Two men are playing in the park.",
}


class FakeEngine(EchoEngine):
    """Translates by a dictionary; keeps placeholders (numbers); loops unless n-grams are banned."""

    name = "fake"

    def __init__(self) -> None:
        super().__init__("fake")
        self.options_seen: list[GenerationOptions] = []

    def generate(self, texts, options, progress=None):
        texts = list(texts)
        self.calls.append(texts)
        self.options_seen.append(options)
        out = []
        for t in texts:
            if t in DICTIONARY:
                out.append(DICTIONARY[t])
            elif t.startswith("Schleife") and not options.no_repeat_ngram_size:
                out.append("loop " * 40)
            else:  # "translate" word by word: keep numbers, reverse words
                out.append(" ".join(w if any(c.isdigit() for c in w) else w[::-1].lower() for w in t.split()))
        return out


def test_cap_per_length_group_retry_and_spans():
    engine = FakeEngine()
    ft = FaithfulTranslator(engine, GenerationOptions(num_beams=4, max_new_tokens=200))
    sources = [
        "Ein Hund läuft am Strand.",
        "Schleife ohne Ende hier.",
        "Zahlen Sie 3,50 € an DE89 3704 0044 0532 0130 00 bis 15.03.2024 " + "Haus Baum Berg Wald Feld Dorf Land See Weg Tor " * 3,
    ]
    outputs, reports = ft.translate(sources)
    assert outputs[0] == "A dog runs on the beach."
    assert "loop loop loop" not in outputs[1]
    assert [w.kind for w in reports[1].warnings] == ["retried"]
    assert all(s in outputs[2] for s in ("€3.50", "DE89 3704 0044 0532 0130 00", "15.03.2024"))
    assert reports[2].spans.checked == 3 and reports[2].spans.missing == 0
    assert reports[2].numbers.checked >= 1 and reports[2].numbers.missing == 0
    caps = [o.max_new_tokens for o in engine.options_seen]
    assert all(c is not None and c <= 200 for c in caps) and len(set(caps)) > 1  # short and long inputs, own caps
    assert any(o.no_repeat_ngram_size == 3 and o.num_beams == 1 for o in engine.options_seen)  # the retry


def test_glossary_and_everything_off():
    engine = FakeEngine()
    ft = FaithfulTranslator(engine, GenerationOptions(), FaithfulOptions(protect=None, glossary=Glossary.from_mapping({"Jobcenter": "job centre"})))
    outputs, reports = ft.translate(["Beim Jobcenter um 9:00 warten."])
    assert "job centre" in outputs[0]
    assert reports[0].terms.checked == 1 and reports[0].spans.checked == 0  # terms only: the time was not protected
    off = FaithfulTranslator(engine, GenerationOptions(), FaithfulOptions(protect=None, guards=None, retry=None))
    assert off.translate(["Schleife x"])[0] == ["loop " * 40]


@pytest.mark.slow
def test_mini_model_document_with_spans(mini_marian):
    engine = load_engine(str(mini_marian), EngineOptions(engine="ctranslate2"))
    ft = FaithfulTranslator(engine, GenerationOptions(num_beams=4))
    sources = [
        "Ein Mann mit einem roten Hut steht neben https://example.com/info.",
        "Bitte überweisen Sie 1.250,50 € bis zum 01.04.2025 auf DE02 1203 0000 0000 2020 51.",
        "Eine Frau schreibt an info@beispiel.de und lächelt.",
    ]
    outputs, reports = ft.translate(sources)
    assert "https://example.com/info" in outputs[0]
    assert all(s in outputs[1] for s in ("€1,250.50", "01.04.2025", "DE02 1203 0000 0000 2020 51"))
    assert "info@beispiel.de" in outputs[2]
    assert all(r.spans.missing == 0 for r in reports)
