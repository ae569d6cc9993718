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


class LoopingEngine(EchoEngine):
    """Answers by a script: masked input → (output under the normal settings, under the retry's).

    Inputs it has no script for come back reversed word by word (numbers, the placeholders, kept).
    """

    name = "looping"

    def __init__(self, script: dict[str, tuple[str, str]]) -> None:
        super().__init__("looping")
        self.script = script
        self.retried: list[str] = []

    def generate(self, texts, options, progress=None):
        texts = list(texts)
        self.calls.append(texts)
        safe = bool(options.no_repeat_ngram_size)
        if safe:
            self.retried += texts
        out = []
        for t in texts:
            if t in self.script:
                out.append(self.script[t][safe])
            else:
                out.append(" ".join(w if any(c.isdigit() for c in w) else w[::-1].lower() for w in t.split()))
        return out


def _kinds(report) -> list[str]:
    return [w.kind for w in report.warnings]


@pytest.mark.parametrize(
    "first, retry, kinds",
    [
        ("The word word word word is here.", "The word is here.", ["retried"]),
        ("It is good to give give give given.", "It is good to give.", ["retried"]),
        ("The live live live live.", "The live live live lively.", ["repetition"]),  # the retry loops too
    ],
)
def test_a_looping_segment_is_retried_and_flagged_if_still_looping(first, retry, kinds):
    source = "Der Satz ist hier ganz normal."
    engine = LoopingEngine({source: (first, retry)})
    outputs, reports = FaithfulTranslator(engine, GenerationOptions(num_beams=4)).translate([source, "Ein Hund läuft."])
    assert engine.retried == [source]  # the loop is retried, the good segment is not
    assert outputs[0] == retry and _kinds(reports[0]) == kinds and _kinds(reports[1]) == []
    if kinds != ["retried"]:
        assert "after a retry" in reports[0].warnings[0].detail


def test_a_loop_made_by_restoring_the_spans_is_caught():
    # Four numbers: four placeholders (10 … 13), each restored to "5": the loop is in the restored text only.
    source = "Zimmer 5 im Haus 5 auf Etage 5 und Platz 5."
    masked = "Zimmer 10 im Haus 11 auf Etage 12 und Platz 13."
    engine = LoopingEngine({masked: ("Room 10 11 12 13.", "Room 10 in house 11 on floor 12, seat 13.")})
    outputs, reports = FaithfulTranslator(engine, GenerationOptions()).translate([source])
    assert engine.calls[0] == [masked]
    assert outputs == ["Room 5 in house 5 on floor 5, seat 5."]
    assert _kinds(reports[0]) == ["retried"]


def test_a_loop_in_a_piece_of_a_split_segment_is_retried_and_counted():
    # The model drops the placeholder of the whole segment, so it is split around its span; the first
    # piece then loops under the normal settings: fixed by the retry in one case, not in the other.
    source = "Der Vertrag von Anna wird ab 15.03.2024 bei der Stadt gelten."
    for fixed in (True, False):
        engine = LoopingEngine({
            "Der Vertrag von Anna wird ab 10 bei der Stadt gelten.": ("The contract applies in town.", "The contract applies."),
            "Der Vertrag von Anna wird ab": ("Anna's contract contract contract contract from",
                                             "Anna's contract applies from" if fixed else "Anna's contract contract contract contracts"),
            "bei der Stadt gelten.": ("at the city.", "at the city."),
        })
        outputs, reports = FaithfulTranslator(engine, GenerationOptions()).translate([source])
        assert "15.03.2024" in outputs[0]
        assert engine.retried  # the retry ran
        if fixed:
            assert outputs == ["Anna's contract applies from 15.03.2024 at the city."]
            assert _kinds(reports[0]) == ["split", "retried"]
        else:
            assert _kinds(reports[0]) == ["split", "repetition"] and "after a retry" in reports[0].warnings[1].detail


def test_a_looping_segment_is_not_remembered(tmp_path):
    from summtrans.memory.store import Memory, MemoryContext, MemoryOptions
    from summtrans.translate import Translator

    good, looping = "Ein Hund läuft am Strand.", "Der Satz ist hier ganz normal."
    engine = LoopingEngine({looping: ("The live live live live.", "The live live live lively.")})
    ctx = MemoryContext("looping", "looping", "", {})
    with Memory(MemoryOptions(path=tmp_path / "tm.sqlite3")) as memory:
        translator = Translator(engine, memory=memory, memory_context=ctx, faithful=FaithfulOptions())
        result = translator.translate(f"{good} {looping}")
        assert [[w.kind for w in s.quality.warnings] for s in result.segments] == [[], ["repetition"]]
        assert list(memory.lookup(ctx, [good, looping])) == [good]
