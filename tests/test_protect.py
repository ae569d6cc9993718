"""Protected spans: found, masked, restored byte for byte (or in English form), whatever the model does."""

from __future__ import annotations

import pytest

from summtrans.engines import EngineOptions, GenerationOptions, load_engine
from summtrans.faithful.numbers import english_numbers, german_numbers, localize_number, localize_quantity
from summtrans.faithful.protect import (
    PLACEHOLDER_FORMS,
    ProtectOptions,
    check_spans,
    find_spans,
    join_split,
    protect,
    protected_translate,
    restore,
    single_token_numbers,
    split_around,
)

# A letter full of spans; every (kind, text) must be found and reach the output.
LETTER = (
    "Sehr geehrte Frau Müller, zum Aktenzeichen S 12 AS 345/25 überweisen Sie bitte 1.250,50 € bis zum 15.03.2024 auf das Konto "
    "DE89 3704 0044 0532 0130 00. Fragen an info@beispiel.de oder unter +49 30 1234567 von 9:00 bis "
    "14.30 Uhr. Details: https://example.com/rechnung?id=42. Die Datei /home/anna/rechnung.pdf "
    "enthält 51 Prozent der Daten; folgen Sie @stadtwerke_ulm und führen Sie `summtrans eval` aus."
)
LETTER_SPANS = [
    ("identifier", "S 12 AS 345/25"),
    ("amount", "1.250,50 €"),
    ("date", "15.03.2024"),
    ("iban", "DE89 3704 0044 0532 0130 00"),
    ("email", "info@beispiel.de"),
    ("phone", "+49 30 1234567"),
    ("time", "9:00"),
    ("time", "14.30 Uhr"),
    ("url", "https://example.com/rechnung?id=42"),
    ("path", "/home/anna/rechnung.pdf"),
    ("quantity", "51 Prozent"),
    ("handle", "@stadtwerke_ulm"),
    ("code", "`summtrans eval`"),
]
# What each of them becomes in the translation.
LETTER_OUTPUTS = [
    "S 12 AS 345/25", "€1,250.50", "15.03.2024", "DE89 3704 0044 0532 0130 00", "info@beispiel.de", "+49 30 1234567", "9:00",
    "14:30", "https://example.com/rechnung?id=42", "/home/anna/rechnung.pdf", "51 percent", "@stadtwerke_ulm",
    "`summtrans eval`",
]


def kinds_and_texts(text: str) -> list[tuple[str, str]]:
    return [(k, text[s:e]) for k, s, e in find_spans(text)]


def test_every_kind_of_span_is_found_in_a_letter():
    assert kinds_and_texts(LETTER) == LETTER_SPANS


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Siehe www.beispiel.de/hilfe.", [("url", "www.beispiel.de/hilfe")]),
        ("(siehe https://de.wikipedia.org/wiki/Ulm_(Stadt))", [("url", "https://de.wikipedia.org/wiki/Ulm_(Stadt)")]),
        ("IBAN DE89370400440532013000 bitte", [("iban", "DE89370400440532013000")]),
        ("Tel. 030 / 123 456-78 an", [("phone", "030 / 123 456-78")]),
        ("am 2015-07-01 um 7:45", [("date", "2015-07-01"), ("time", "7:45")]),
        ("C:\\Users\\anna\\bericht.docx und config.yaml", [("path", "C:\\Users\\anna\\bericht.docx"), ("path", "config.yaml")]),
        ("1,5 Millionen Euro und 3,50 Euro", [("amount", "1,5 Millionen Euro"), ("amount", "3,50 Euro")]),
        ("bei 25 °C und 120 km/h", [("quantity", "25 °C"), ("quantity", "120 km/h")]),
        ("6.000 Teilnehmer in 115 Ländern", [("number", "6.000"), ("number", "115")]),
    ],
)
def test_span_kinds(text, expected):
    assert kinds_and_texts(text) == expected


@pytest.mark.parametrize("text", ["und/oder", "km/h-Grenze? nein: km/h", "Er sagte: Hallo.", "Straße 5a", "die 1980er Jahre"])
def test_ordinary_german_is_not_a_span(text):
    assert [k for k, _s, _e in find_spans(text) if k not in ("number", "quantity")] == []


def test_numbers_follow_english_conventions():
    assert localize_number("1.000.000") == "1,000,000"
    assert localize_number("3,50") == "3.50"
    assert localize_number("2016") == "2016"
    assert localize_quantity("1.000.000") == "1,000,000" and localize_quantity("3,50") == "3.50"  # a bare number too
    assert localize_quantity("9:00") == "9:00"
    assert localize_quantity("1.000.000 Euro") == "1,000,000 euros"
    assert localize_quantity("1 Euro") == "1 euro"
    assert localize_quantity("3,50 €") == "€3.50"
    assert localize_quantity("5 %") == "5%"
    assert localize_quantity("14.30 Uhr") == "14:30"
    assert german_numbers("1.000,50 und 3,5 und 2016") == ["1000.5", "3.5", "2016"]
    assert english_numbers("1,000.50 and 3.5 and 2016") == ["1000.5", "3.5", "2016"]


def test_kept_byte_for_byte_when_numbers_are_not_localized():
    p = protect(LETTER, ProtectOptions(localize_numbers=False))
    assert [s.output for s in p.spans] == [t for _k, t in LETTER_SPANS]


def test_mask_and_restore_round_trip():
    p = protect(LETTER)
    assert [(s.kind, s.text) for s in p.spans] == LETTER_SPANS
    for span in p.spans:
        assert span.text not in p.masked
    restored = restore(p.masked, p)  # a model that copies everything
    assert restored.missing == () and restored.duplicated == ()
    for out in LETTER_OUTPUTS:
        assert out in restored.text


@pytest.mark.parametrize("form", list(PLACEHOLDER_FORMS))
def test_every_placeholder_form_round_trips(form):
    p = protect(LETTER, ProtectOptions(placeholder=form))
    assert len({s.placeholder for s in p.spans}) == len(p.spans)
    assert all(o in restore(p.masked, p).text for o in LETTER_OUTPUTS)


def test_a_dropped_placeholder_is_reported_and_appended():
    p = protect("Schreiben Sie an info@beispiel.de oder an @hilfe.")
    first, second = p.spans
    out = p.masked.replace(second.placeholder, "")
    restored = restore(out, p)
    assert restored.missing == (second,)
    assert restored.text.endswith("@hilfe")
    assert "info@beispiel.de" in restored.text
    assert restore(out, p, fallback="drop").text.count("@hilfe") == 0


def test_a_number_placeholder_inside_a_bigger_number_is_not_restored():
    p = protect("Er zahlt 5 €.")
    ph = p.spans[0].placeholder
    assert ph.isdigit()
    restored = restore(f"He pays {ph}0 and {ph}.", p)
    assert restored.text == f"He pays {ph}0 and €5."


def test_duplicated_placeholder_is_reported():
    p = protect("Mehr unter https://x.de")
    ph = p.spans[0].placeholder
    restored = restore(f"More at {ph} {ph}", p)
    assert restored.duplicated == p.spans and restored.text == "More at https://x.de https://x.de"


def test_split_around_spans_keeps_every_span():
    p = protect("Rufen Sie +49 30 1234567 an und schreiben Sie an info@beispiel.de.")
    pieces = split_around(p)
    texts = [x.strip() for x in pieces if isinstance(x, str) and any(c.isalpha() for c in x)]
    assert texts == ["Rufen Sie", "an und schreiben Sie an"]
    joined = join_split(pieces, {"Rufen Sie": "Call", "an und schreiben Sie an": "And write to."})
    assert joined == "Call +49 30 1234567 and write to info@beispiel.de."


def fake_model(keep_placeholders: bool):
    """A 'model' that uppercases its input and, unless told otherwise, drops every digit."""

    def translate(texts: list[str]) -> list[str]:
        out = [t.upper() for t in texts]
        return out if keep_placeholders else ["".join(c for c in t if not c.isdigit()) for t in out]

    return translate


@pytest.mark.parametrize("keeps", [True, False])
def test_protected_translate_keeps_spans_whatever_the_model_does(keeps):
    outputs, reports = protected_translate([LETTER, "Ohne Spannen."], fake_model(keeps))
    assert all(o in outputs[0] for o in LETTER_OUTPUTS)
    assert reports[0].split is (not keeps)
    assert reports[0].missing == ()
    assert outputs[1] == "OHNE SPANNEN." and reports[1].spans == ()


def test_single_token_numbers_uses_the_tokenizer():
    def count_tokens(texts):  # "12" and "30" are one piece, every other number two
        return [1 if t == "" else 2 if t in ("12", "30") else 3 for t in texts]

    assert single_token_numbers(count_tokens, range(10, 40)) == (12, 30)
    p = protect("Um 9:00 und um 10:00", ProtectOptions(numbers=(12, 30)))
    assert [s.placeholder for s in p.spans] == ["12", "30"]


def test_check_spans_on_unprotected_output():
    checked, missing = check_spans("Siehe https://x.de am 15.03.2024.", "See https://x.de on 15 March.")
    assert checked == 2 and missing == [("date", "15.03.2024")]


# --- real models ------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("engine_name", ["transformers", "ctranslate2"])
def test_spans_survive_a_tiny_random_model(tiny_marian, engine_name):
    engine = load_engine(str(tiny_marian), EngineOptions(engine=engine_name))
    generation = GenerationOptions(num_beams=2, max_new_tokens=24)
    options = ProtectOptions(numbers=single_token_numbers(engine.count_tokens))
    outputs, reports = protected_translate([LETTER], lambda t: engine.generate(t, generation), options)
    assert all(o in outputs[0] for o in LETTER_OUTPUTS), outputs[0]


MINI_DOC = [
    "Weitere Informationen finden Sie unter https://www.stadt-ulm.de/service und www.beispiel.de/hilfe.",
    "Schreiben Sie an buergerbuero@ulm.de oder rufen Sie +49 731 161-0 an.",
    "Bitte überweisen Sie 1.250,50 € bis zum 01.04.2025 auf DE02 1203 0000 0000 2020 51.",
    "Ein Mann mit einem roten Hut steht um 14:30 Uhr neben 3 Fahrrädern.",
    "Der Preis stieg um 3,5 Prozent auf 1.000.000 Euro.",
    "Zwei Hunde laufen am 15.03.2024 über 5 km am Strand entlang.",
]


@pytest.mark.slow
def test_spans_survive_the_mini_model(mini_marian):
    engine = load_engine(str(mini_marian), EngineOptions(engine="ctranslate2"))
    generation = GenerationOptions(num_beams=4, max_new_tokens=96)
    options = ProtectOptions(numbers=single_token_numbers(engine.count_tokens))
    outputs, reports = protected_translate(MINI_DOC, lambda t: engine.generate(t, generation), options)
    for source, output, report in zip(MINI_DOC, outputs, reports):
        assert report.spans, source
        for span in report.spans:
            assert span.output in output, (span, output)
        assert report.missing == ()
    assert "€1,250.50" in outputs[2] and "1,000,000 euros" in outputs[4]


def test_placeholders_never_collide_with_unprotected_numbers():
    p = protect("Am 10.10. kamen 11 Leute zu https://x.de", ProtectOptions(kinds=frozenset({"url"}), numbers=(10, 11, 12)))
    assert p.spans[0].placeholder == "12"
    assert restore("On 10.10. 11 people came to 12", p).text == "On 10.10. 11 people came to https://x.de"
