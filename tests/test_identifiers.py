"""Identifiers (file references, customer, tax and insurance numbers, number plates) come out exactly
as written: found as one `identifier` span each, never localized, kept whatever the model does."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

import summtrans.pipeline as pipeline_module
from summtrans.cli.app import app
from summtrans.engines.base import EchoEngine
from summtrans.faithful.protect import (
    IDENTIFIER_SHAPES,
    LOCALIZED_KINDS,
    SPAN_KINDS,
    ProtectOptions,
    find_spans,
    protect,
    protected_translate,
    restore,
)

# (sentence of a German letter, the identifier in it)
IDENTIFIERS = [
    ("Bitte geben Sie Ihre BG-Nummer 96301//0012345 an.", "96301//0012345"),
    ("Az. S 12 AS 345/25", "S 12 AS 345/25"),
    ("Das Gericht führt das Verfahren unter dem Aktenzeichen S 12 AS 345/25.", "S 12 AS 345/25"),
    ("Geschäftszeichen: II B 2 - 1234/2024 vom 3. März", "II B 2 - 1234/2024"),
    ("Aktenzeichen 1 BvR 123/20 beim Verfassungsgericht", "1 BvR 123/20"),
    ("Ihre Steuer-ID 12 345 678 901 steht auf dem Bescheid.", "12 345 678 901"),
    ("Die Steuernummer 21/815/08150 gilt weiter.", "21/815/08150"),
    ("Ihre Rentenversicherungsnummer lautet 65 170839 J 003.", "65 170839 J 003"),
    ("Ihre Kundennummer ist 7A-2291-X.", "7A-2291-X"),
    ("Der Vorgang V-2026-000123 ist abgeschlossen.", "V-2026-000123"),
    ("Die Rechnung RE-2026/0457 ist bezahlt.", "RE-2026/0457"),
    ("Ihre Krankenkasse führt Sie unter KV 998877665.", "998877665"),
    ("Das Auto mit dem Kennzeichen B-AB 1234 ist zugelassen.", "B-AB 1234"),
    ("Die Gerätenummer lautet 123D456789.", "123D456789"),
    ("Versichertennummer A123456789 bitte angeben", "A123456789"),
    ("Kunden-Nr. 0012345, bitte angeben", "0012345"),
    ("Vertragsnummer: VN 12345678", "VN 12345678"),
    ("Ihre Kundennummer 1.234.567 bitte angeben", "1.234.567"),
]


def identifiers(text: str) -> list[str]:
    return [text[s:e] for k, s, e in find_spans(text) if k == "identifier"]


def kinds_and_texts(text: str) -> list[tuple[str, str]]:
    return [(k, text[s:e]) for k, s, e in find_spans(text)]


def test_identifier_is_a_span_kind_restored_as_written():
    assert "identifier" in SPAN_KINDS and "identifier" not in LOCALIZED_KINDS
    # Before phone, date and number: an identifier is not cut into those.
    assert SPAN_KINDS.index("identifier") < min(SPAN_KINDS.index(k) for k in ("phone", "date", "amount", "number"))


@pytest.mark.parametrize("sentence, identifier", IDENTIFIERS)
def test_each_identifier_is_one_span_covering_exactly_it(sentence, identifier):
    spans = find_spans(sentence)
    start = sentence.index(identifier)
    assert ("identifier", start, start + len(identifier)) in spans
    # Nothing else of it is a span of its own (no numbers, phones or dates inside it).
    inside = [k for k, s, e in spans if s < start + len(identifier) and e > start]
    assert inside == ["identifier"]


@pytest.mark.parametrize("shape", IDENTIFIER_SHAPES, ids=lambda s: s.name[:30])
def test_every_shape_finds_its_example(shape):
    match = shape.pattern.search(shape.example)
    assert match and any(c.isdigit() for c in match.group("id"))
    assert identifiers(shape.example) == [match.group("id")]


# Ordinary German: hyphenated words without digits stay words, digits glued to words stay as they are.
ORDINARY = [
    "Bitte schicken Sie uns eine E-Mail oder fahren Sie mit der U-Bahn.",
    "Die A-Klasse kostet 35.000 Euro, die E-Klasse mehr.",
    "In den Jahren 2020-2024 stieg der CO2-Ausstoß um 3,5 Prozent.",
    "Die 3-Zimmer-Wohnung liegt in der Straße 5a, die 1980er Jahre waren schön.",
    "Der G7-Gipfel ist vorbei, die COVID-19-Pandemie auch.",
    "Die Saison 2024/25 beginnt, Seiten 12-15 lesen, rund um die Uhr 24/7.",
    "Die Autobahn A8 ist gesperrt, 10-jährige Kinder und 18-Jährige warten.",
    "Das Bürgergeld wird nach SGB II gezahlt, § 31a SGB II, Art. 3 GG.",
    "Ihre Hausnummer 12 und die Kundennummer fehlen noch.",
    "Die Verordnung (EU) 2016/679 gilt seit 2018 für alle.",
]


@pytest.mark.parametrize("sentence", ORDINARY)
def test_ordinary_german_has_no_identifiers(sentence):
    assert identifiers(sentence) == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Termin am 2024-03-15 um 10:00-12:00", [("date", "2024-03-15"), ("time", "10:00"), ("time", "12:00")]),
        ("Tel. 0221/12345-67 oder Tel.-Nr. 030 1234567", [("phone", "0221/12345-67"), ("phone", "030 1234567")]),
        ("Rufen Sie +49 30 123 456 789 an", [("phone", "+49 30 123 456 789")]),
        ("oder (0221) 123-456-78 und Faxnummer 0221 98765", [("phone", "(0221) 123-456-78"), ("phone", "0221 98765")]),
        ("Zahlen Sie 1.250,50 € bis 01.04.2025", [("amount", "1.250,50 €"), ("date", "01.04.2025")]),
        ("Az. S 12 AS 345/25 Am 15.03.2024 um 9:30",
         [("identifier", "S 12 AS 345/25"), ("date", "15.03.2024"), ("time", "9:30")]),
        ("Steuernummer 21/815/08150 und 1.000 Euro", [("identifier", "21/815/08150"), ("amount", "1.000 Euro")]),
        ("IBAN DE89 3704 0044 0532 0130 00", [("iban", "DE89 3704 0044 0532 0130 00")]),
        ("ISBN 978-3-16-148410-0", [("identifier", "978-3-16-148410-0")]),
    ],
)
def test_dates_amounts_times_phones_keep_their_kinds(text, expected):
    assert kinds_and_texts(text) == expected


def test_an_identifier_is_never_localized():
    p = protect("Kundennummer 1.234.567, Betrag 1.234.567 Euro", ProtectOptions(localize_numbers=True))
    assert [(s.kind, s.output) for s in p.spans] == [("identifier", "1.234.567"), ("amount", "1,234,567 euros")]


# A letter holding every identifier of the list above once, and a date and an amount.
LETTER = " ".join(s for s, _i in IDENTIFIERS) + " Zahlen Sie 1.250,50 € bis zum 15.03.2026."
LETTER_IDS = list(dict.fromkeys(i for _s, i in IDENTIFIERS))


def garble(text: str, keep_placeholders: bool) -> str:
    """What a bad model does to a line: digits shifted, letters lower-cased, joiners spaced out;
    a two-digit number (a placeholder) survives when `keep_placeholders`."""

    def word(w: str) -> str:
        if keep_placeholders and re.fullmatch(r"\d\d[.,;:]?", w):
            return w
        w = "".join(str((int(c) + 1) % 10) if c.isdigit() else c for c in w.lower())
        return re.sub(r"/+|-", " ", w)

    return " ".join(word(w) for w in text.split())


@pytest.mark.parametrize("keeps", [True, False])
def test_identifiers_survive_a_model_that_rewrites_digits_and_letters(keeps):
    def model(texts: list[str]) -> list[str]:
        return [garble(t, keeps) for t in texts]

    outputs, reports = protected_translate([LETTER], model)
    for identifier in LETTER_IDS:
        assert identifier in outputs[0], identifier
    assert reports[0].split is (not keeps) and reports[0].missing == ()
    # Without the identifier kind the same model loses every one with letters or joiners (only digit
    # groups survive, as numbers): the check above can fail.
    others = frozenset(SPAN_KINDS) - {"identifier"}
    bare, _ = protected_translate([LETTER], model, ProtectOptions(kinds=others))
    assert [i for i in LETTER_IDS if re.search(r"[^\d ]", i) and i in bare[0]] == []


def test_restore_puts_identifiers_back_byte_for_byte():
    p = protect(LETTER)
    ids = [s for s in p.spans if s.kind == "identifier"]
    assert [s.text for s in ids] == [i for _s, i in IDENTIFIERS]
    assert all(s.output == s.text and s.text not in p.masked for s in ids)
    restored = restore(p.masked.upper(), p)  # a model that copies its input, in capitals
    assert restored.missing == () and all(i in restored.text for i in LETTER_IDS)


# --- through the CLI ------------------------------------------------------------------------------

CLI_LETTER = (
    "Jobcenter Berlin Mitte\n\n"
    "Ihre BG-Nummer 96301//0012345, Az. S 12 AS 345/25\n\n"
    "Sehr geehrte Frau Müller,\n\n"
    "das Sozialgericht führt das Verfahren unter dem Aktenzeichen S 12 AS 345/25.\n\n"
    "Ihre Steuer-ID 12 345 678 901 und Ihre Steuernummer 21/815/08150 finden Sie auf dem Bescheid. "
    "Ihre Rentenversicherungsnummer lautet 65 170839 J 003.\n\n"
    "Ihre Kundennummer ist 7A-2291-X. Der Vorgang V-2026-000123 ist abgeschlossen. "
    "Die Rechnung RE-2026/0457 über 1.250,50 € ist am 15.03.2026 fällig. "
    "Ihre Krankenkasse führt Sie unter KV 998877665.\n\n"
    "Das Fahrzeug mit dem Kennzeichen B-AB 1234 ist auf Sie zugelassen. Die Gerätenummer lautet 123D456789.\n\n"
    "Mit freundlichen Grüßen\n"
)
CLI_IDS = ["96301//0012345", "S 12 AS 345/25", "12 345 678 901", "21/815/08150", "65 170839 J 003", "7A-2291-X",
           "V-2026-000123", "RE-2026/0457", "998877665", "B-AB 1234", "123D456789"]


class Garbler(EchoEngine):
    """A 'model' that rewrites digits and letters of every word but two-digit numbers (placeholders)."""

    name = "garbler"

    def generate(self, texts, options, progress=None):
        return [garble(t, keep_placeholders=True) for t in super().generate(texts, options, progress)]


def translate_letter(tmp_path, monkeypatch, *flags: str) -> dict:
    monkeypatch.setattr(pipeline_module, "load_engine", lambda model, options: Garbler(model))
    src = tmp_path / "brief.txt"
    src.write_text(CLI_LETTER, encoding="utf-8")
    args = ["translate", str(src), "--source-lang", "de", "--no-memory", "-f", "json", "-q", *flags]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_cli_letter_keeps_every_identifier_and_counts_it(tmp_path, monkeypatch):
    rec = translate_letter(tmp_path, monkeypatch)
    for identifier in CLI_IDS:
        assert identifier in rec["translation"], identifier
    assert "€1,250.50" in rec["translation"] and "15.03.2026" in rec["translation"]
    occurrences = sum(CLI_LETTER.count(i) for i in CLI_IDS)  # 13: two of them are written twice
    assert rec["quality"]["spans"] == {"checked": occurrences + 2, "missing": 0}  # + the amount and the date
    assert not [w for w in rec["warnings"] if w["kind"] == "span-missing"]


def test_cli_without_protection_the_same_model_garbles_them(tmp_path, monkeypatch):
    rec = translate_letter(tmp_path, monkeypatch, "--no-protect")
    assert [i for i in CLI_IDS if i in rec["translation"]] == []
    assert rec["quality"]["spans"]["checked"] == 0


@pytest.mark.slow  # the small real model from ../shared (skips without it)
def test_mini_model_keeps_every_identifier_through_the_cli(mini_marian, tmp_path):
    src = tmp_path / "brief.txt"
    src.write_text(CLI_LETTER, encoding="utf-8")
    cfg = tmp_path / "models.yaml"
    cfg.write_text(f"profiles:\n  mini:\n    task: translation\n    model: {mini_marian}\n    engine: ctranslate2\n",
                   encoding="utf-8")
    r = CliRunner().invoke(app, ["translate", str(src), "--config", str(cfg), "--source-lang", "de", "--no-memory",
                                 "-f", "json", "-q"])
    assert r.exit_code == 0, r.output
    rec = json.loads(r.stdout)
    assert [i for i in CLI_IDS if i not in rec["translation"]] == []
    assert rec["quality"]["spans"]["missing"] == 0


def test_the_memory_key_names_the_protection_rules(monkeypatch):
    """Translations stored under other protection rules (before identifiers were protected, say) are
    not reused: the faithful settings, part of the memory key, carry a digest of the rules."""
    import re

    from summtrans.faithful import protect
    from summtrans.faithful.layer import FaithfulOptions, faithful_settings

    before = faithful_settings(FaithfulOptions())["protect"]
    assert isinstance(before, str) and before == faithful_settings(FaithfulOptions())["protect"]
    assert faithful_settings(FaithfulOptions(protect=None))["protect"] is False
    monkeypatch.setitem(protect._PATTERNS, "number", re.compile(r"\d+"))
    assert faithful_settings(FaithfulOptions())["protect"] != before
