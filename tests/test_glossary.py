"""Glossary: files validated with file:line errors, whole-word and inflected matches, terms enforced."""

from __future__ import annotations

import pytest

from summtrans.engines import EngineOptions, GenerationOptions, load_engine
from summtrans.errors import ConfigError
from summtrans.faithful.glossary import Glossary, GlossaryError, load_glossary, parse_glossary
from summtrans.faithful.protect import ProtectOptions, protected_translate, single_token_numbers


def matches(glossary: Glossary, text: str) -> list[tuple[str, str]]:
    return [(text[s:e], out) for _k, s, e, out in glossary.terms(text)]


def test_tsv_with_header_comments_and_keep_as_is(tmp_path):
    path = tmp_path / "g.tsv"
    path.write_text("de\ten\n# Ämter\nJobcenter\tjob centre\n\nDeutsche Bahn\t\nBürgeramt\tcitizens' office\n", encoding="utf-8")
    g = load_glossary(path)
    assert [(e.german, e.english, e.line) for e in g.entries] == [
        ("Jobcenter", "job centre", 3),
        ("Deutsche Bahn", "", 5),
        ("Bürgeramt", "citizens' office", 6),
    ]


def test_csv_with_quotes_and_bom(tmp_path):
    path = tmp_path / "g.csv"
    path.write_text('\ufeffgerman,english\n"Agentur für Arbeit","Federal Employment Agency"\nAmt,"office, public"\n', encoding="utf-8")
    g = load_glossary(path)
    assert [(e.german, e.english) for e in g.entries] == [
        ("Agentur für Arbeit", "Federal Employment Agency"),
        ("Amt", "office, public"),
    ]


@pytest.mark.parametrize(
    "text, message",
    [
        ("Jobcenter\tjob centre\textra\n", "g.tsv:1: expected 2 columns"),
        ("Jobcenter\tjob centre\n\tno German\n", "g.tsv:2: the German term is empty"),
        ("Amt\toffice\nAmt\tagency\n", "g.tsv:2: 'Amt' is already on line 1"),
        ("x" * 300 + "\ty\n", "g.tsv:1: term longer than"),
    ],
)
def test_validation_errors_name_file_and_line(tmp_path, text, message):
    path = tmp_path / "g.tsv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(GlossaryError) as info:
        load_glossary(path)
    assert str(info.value).startswith(str(tmp_path / message.split(":")[0]))
    assert message.split(":", 1)[1] in str(info.value)
    assert isinstance(info.value, ConfigError)  # exit code 2 at the CLI


def test_unreadable_files(tmp_path):
    with pytest.raises(GlossaryError, match="not found"):
        load_glossary(tmp_path / "missing.tsv")
    bad = tmp_path / "latin1.tsv"
    bad.write_bytes("Straße\tstreet\n".encode("latin-1"))
    with pytest.raises(GlossaryError, match="not UTF-8"):
        load_glossary(bad)


def test_whole_word_case_aware_and_inflected_matches():
    g = Glossary.from_mapping({"Jobcenter": "job centre", "Amt": "office", "bitte": "please", "Agentur für Arbeit": None})
    text = "Beim Jobcenters Schalter, im Jobcentern-Bereich? Das Amt, die Ämter, das Finanzamt, AMT. Bitte der Agentur für Arbeit."
    assert matches(g, text) == [
        ("Jobcenters", "job centre"),
        ("Jobcentern", "job centre"),
        ("Amt", "office"),
        ("Bitte", "please"),  # a lower-case term at a sentence start
        ("Agentur für Arbeit", "Agentur für Arbeit"),  # kept as is
    ]


def test_longest_term_wins():
    g = Glossary.from_mapping({"Arbeit": "work", "Agentur für Arbeit": "Employment Agency"})
    assert matches(g, "die Agentur für Arbeit und die Arbeit") == [
        ("Agentur für Arbeit", "Employment Agency"),
        ("Arbeit", "work"),
    ]


def test_terms_reach_the_output_through_the_placeholder_mechanism():
    g = Glossary.from_mapping({"Jobcenter": "job centre", "Müller": None})
    outputs, reports = protected_translate(
        ["Frau Müller geht am 3.5.2024 zum Jobcenter."], lambda ts: [t.upper() for t in ts], terms=g.terms
    )
    assert "job centre" in outputs[0] and "Müller" in outputs[0] and "3.5.2024" in outputs[0]
    assert [s.kind for s in reports[0].spans] == ["term", "date", "term"]


def test_empty_glossary_matches_nothing():
    assert parse_glossary("", "g.tsv").terms("Alles ist gut.") == []


@pytest.mark.slow
def test_glossary_terms_appear_in_mini_model_output(mini_marian):
    engine = load_engine(str(mini_marian), EngineOptions(engine="ctranslate2"))
    generation = GenerationOptions(num_beams=4, max_new_tokens=96)
    g = Glossary.from_mapping({"Jobcenter": "job centre", "Hund": "hound", "Müller": None})
    sources = [
        "Ein Mann steht vor dem Jobcenter.",
        "Ein Hund läuft am Strand.",
        "Frau Müller sitzt mit ihrem Hund im Park.",
        "Zwei Männer warten vor den Jobcentern.",
    ]
    options = ProtectOptions(numbers=single_token_numbers(engine.count_tokens))
    outputs, _ = protected_translate(sources, lambda t: engine.generate(t, generation), options, g.terms)
    assert "job centre" in outputs[0]
    assert "hound" in outputs[1]
    assert "Müller" in outputs[2] and "hound" in outputs[2]
    assert "job centre" in outputs[3]
