"""Key facts of official letters: deadlines, amounts, references and what to do, read from the German source."""

from __future__ import annotations

import json
import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from summtrans.facts import extract_facts, render_markdown
from summtrans.facts.letter import find_sender
from summtrans.facts.model import Rule
from summtrans.segment import segment

SHARED = Path(os.environ.get("SUMMTRANS_SHARED", Path(__file__).resolve().parents[1].parent / "shared"))


def segs(text: str) -> list[str]:
    return [s.text for s in segment(text)]


def facts_of(text: str, **kwargs):
    return extract_facts(segs(text), **kwargs)


def letter(body: str, *, head: str = "Jobcenter Berlin Mitte\nMüllerstraße 16, 13353 Berlin", day: str = "Berlin, 12.03.2026",
           closing: str = "Mit freundlichen Grüßen\nIhr Jobcenter Berlin Mitte") -> str:
    """A minimal letter around `body`: letterhead, date line, salutation, closing."""
    return f"{head}\n\n{day}\n\nSehr geehrte Frau Weber,\n\n{body}\n\n{closing}\n"


def only_deadline(text: str):
    facts = facts_of(text)
    assert facts is not None
    assert len(facts.deadlines) == 1, facts.deadlines
    return facts.deadlines[0]


# ---------------------------------------------------------------------------------------------
# Whole letters, every fact asserted

BESCHEID = """Jobcenter Berlin Mitte
Müllerstraße 16, 13353 Berlin

Berlin, 12.03.2026

Aktenzeichen: 123A456
BG-Nummer: 96301BG0012345

Bescheid über die Bewilligung von Bürgergeld

Sehr geehrte Frau Müller,

Ihnen werden für die Zeit vom 01.04.2026 bis 30.09.2026 Leistungen bewilligt.
Der Regelbedarf beträgt 563,00 €.
Für die Kosten der Unterkunft werden monatlich 612,50 € übernommen.
Bitte reichen Sie bis zum 12.04. die folgenden Unterlagen ein, sonst müssen wir die Zahlung einstellen:
- Kontoauszüge der letzten drei Monate
- Mietbescheinigung

Rechtsbehelfsbelehrung
Gegen diesen Bescheid kann innerhalb eines Monats nach Bekanntgabe Widerspruch erhoben werden. Der Widerspruch ist schriftlich beim Jobcenter Berlin Mitte einzulegen.

Mit freundlichen Grüßen
Im Auftrag
Schmidt
"""


def test_bescheid_with_rechtsbehelfsbelehrung() -> None:
    s = segs(BESCHEID)
    facts = extract_facts(s)
    assert facts is not None
    assert (facts.kind, facts.sender, facts.date) == ("Bescheid", "Jobcenter Berlin Mitte", date(2026, 3, 12))
    assert s[facts.sender_segment].startswith("Jobcenter") and "12.03.2026" in s[facts.date_segment]
    assert [(r.label, r.value) for r in facts.references] == [("Aktenzeichen", "123A456"), ("BG-Nummer", "96301BG0012345")]
    assert (facts.period.start, facts.period.end) == (date(2026, 4, 1), date(2026, 9, 30))
    assert "01.04.2026" in s[facts.period.segment]
    assert [(a.value, a.currency, a.label, a.label_en) for a in facts.amounts] == [
        (Decimal("563.00"), "EUR", "Regelbedarf", "standard allowance"),
        (Decimal("612.50"), "EUR", "Kosten der Unterkunft", "housing costs"),
    ]
    first, second = facts.deadlines  # soonest first: the fixed date before the estimated one
    # `12.04.` has no year: the letter's year, since 12 April lies after the letter's date
    assert (first.date, first.rule, first.action_id, first.action) == (date(2026, 4, 12), None, "submit", "submit the requested documents")
    assert "12.04." in s[first.segment] and first.text == "bis zum 12.04."
    assert first.consequence == "payments stopped" and first.consequence_de == "sonst müssen wir die Zahlung einstellen"
    assert second.date is None and str(second.rule) == "P1M after notification"
    assert second.rule.english() == "within one month after notification"
    assert second.action_id == "object" and second.action == "lodge an objection (Widerspruch)"
    # posted 2026-03-12, notified on the fourth day (2026-03-16), one month later: Thursday 2026-04-16
    assert second.estimate == date(2026, 4, 16)
    assert "§ 37 Abs. 2 SGB X" in second.estimate_basis and "fourth day" in second.estimate_basis
    assert [d.name for d in facts.documents] == ["Kontoauszüge der letzten drei Monate", "Mietbescheinigung"]
    assert s[facts.documents[1].segment] == "Mietbescheinigung"
    assert (facts.remedy.kind, facts.remedy.name, facts.remedy.addressee) == ("Widerspruch", "objection", "Jobcenter Berlin Mitte")
    assert facts.remedy.deadline == second
    assert facts.appointments == ()


MAHNUNG = """Techniker Krankenkasse
Bramfelder Straße 140, 22305 Hamburg

Mitgliedsnummer: T 445 122 889
Hamburg, 05.02.2026

Mahnung

Sehr geehrter Herr Aydin,

für Ihre freiwillige Versicherung sind die Beiträge für Dezember 2025 und Januar 2026 in Höhe von insgesamt 487,60 € noch nicht bezahlt.
Für den Zahlungsrückstand berechnen wir einen Säumniszuschlag von 1 % für jeden angefangenen Monat, das sind 4,50 €.
Zusätzlich fällt eine Mahngebühr von 2,00 € an.
Bitte überweisen Sie den Gesamtbetrag von 494,10 € bis spätestens 20. Februar 2026.
Zahlen Sie nicht fristgerecht, werden wir die Vollstreckung einleiten.

Mit freundlichen Grüßen
Ihre Techniker Krankenkasse
"""


def test_mahnung_with_saeumniszuschlag() -> None:
    s = segs(MAHNUNG)
    facts = extract_facts(s)
    assert (facts.kind, facts.sender, facts.date) == ("Mahnung", "Techniker Krankenkasse", date(2026, 2, 5))
    assert [(r.label, r.value) for r in facts.references] == [("Mitgliedsnummer", "T 445 122 889")]
    assert [(a.value, a.currency) for a in facts.amounts] == [
        (Decimal("487.60"), "EUR"), (Decimal("1"), "%"), (Decimal("4.50"), "EUR"), (Decimal("2.00"), "EUR"), (Decimal("494.10"), "EUR"),
    ]
    labels = {a.text: a.label for a in facts.amounts}
    assert labels["487,60 €"] == "Beiträge" and labels["1 %"] == "Säumniszuschlag"
    assert labels["2,00 €"] == "Mahngebühr" and labels["494,10 €"] == "Gesamtbetrag"
    (d,) = facts.deadlines
    assert (d.date, d.action_id, d.text) == (date(2026, 2, 20), "pay", "bis spätestens 20. Februar 2026")
    assert d.consequence == "enforcement (Vollstreckung)" and s[d.consequence_segment].startswith("Zahlen Sie nicht")
    assert facts.period is None and facts.remedy is None and facts.documents == ()


RECHNUNG = """Elektro Hoffmann GmbH
Industriestraße 8, 45127 Essen
Telefon 0201 123456

Rechnungsnummer: RE-2026-0345
Kundennummer: 10072
Rechnungsdatum: 17.03.2026

Herrn
Peter Lang
Rosenweg 4
45130 Essen

Rechnung

Sehr geehrter Herr Lang,

wir berechnen Ihnen für den Austausch des Sicherungskastens:
Material: 320,00 €
Arbeitslohn: 180,00 €
Nettobetrag: 500,00 €
zzgl. 19 % MwSt.: 95,00 €
Rechnungsbetrag: 595,00 €

Zahlungsfrist: 14.04.2026
Bitte überweisen Sie den Rechnungsbetrag auf unser Konto IBAN DE44 3605 0105 0001 2345 67 unter Angabe der Rechnungsnummer.

Mit freundlichen Grüßen
Elektro Hoffmann GmbH
"""


def test_rechnung() -> None:
    s = segs(RECHNUNG)
    facts = extract_facts(s)
    assert (facts.kind, facts.sender, facts.date) == ("Rechnung", "Elektro Hoffmann GmbH", date(2026, 3, 17))
    assert [(r.label, r.value) for r in facts.references] == [
        ("Rechnungsnummer", "RE-2026-0345"), ("Kundennummer", "10072"), ("IBAN", "DE44 3605 0105 0001 2345 67"),
    ]
    assert [(a.label, a.value, a.currency) for a in facts.amounts] == [
        ("Material", Decimal("320.00"), "EUR"), ("Arbeitslohn", Decimal("180.00"), "EUR"), ("Nettobetrag", Decimal("500.00"), "EUR"),
        ("MwSt", Decimal("19"), "%"), ("MwSt", Decimal("95.00"), "EUR"), ("Rechnungsbetrag", Decimal("595.00"), "EUR"),
    ]
    (d,) = facts.deadlines
    assert (d.date, d.action_id, d.text) == (date(2026, 4, 14), "pay", "Zahlungsfrist: 14.04.2026")
    assert s[d.segment] == "Zahlungsfrist: 14.04.2026"
    assert d.estimate is None and d.consequence is None


EINLADUNG = """Bezirksamt Neukölln von Berlin
Bürgeramt
Karl-Marx-Straße 83, 12040 Berlin

Geschäftszeichen: BA-NK-Bü 2026/0815
Berlin, 02.06.2026

Einladung zur persönlichen Vorsprache

Sehr geehrter Herr Nguyen,

wir laden Sie zu einem persönlichen Gespräch ein.
Termin: Donnerstag, 18.06.2026 um 9:30 Uhr
Ort: Rathaus Neukölln, Karl-Marx-Straße 83, Raum A 214
Bitte bringen Sie Ihren Reisepass und eine aktuelle Meldebescheinigung mit.
Falls Sie verhindert sind, sagen Sie den Termin bitte bis zum 15.06. telefonisch ab.
Wenn Sie ohne Absage nicht erscheinen, wird Ihr Antrag abgelehnt.

Mit freundlichen Grüßen
Ihr Bürgeramt Neukölln
"""


def test_einladung_with_time_and_place() -> None:
    s = segs(EINLADUNG)
    facts = extract_facts(s)
    assert (facts.kind, facts.sender, facts.date) == ("Einladung", "Bezirksamt Neukölln von Berlin", date(2026, 6, 2))
    assert [(r.label, r.value) for r in facts.references] == [("Geschäftszeichen", "BA-NK-Bü 2026/0815")]
    (a,) = facts.appointments
    assert (a.date, a.time, a.place) == (date(2026, 6, 18), "09:30", "Rathaus Neukölln, Karl-Marx-Straße 83, Raum A 214")
    assert s[a.segment].startswith("Termin:")
    assert a.consequence == "application refused" and a.consequence_de.startswith("Wenn Sie ohne Absage")
    (d,) = facts.deadlines
    assert (d.date, d.action_id) == (date(2026, 6, 15), "call_off")
    assert d.consequence is None  # the consequence is about not attending: it belongs to the appointment
    assert [doc.name for doc in facts.documents] == ["Ihren Reisepass", "eine aktuelle Meldebescheinigung"]
    assert facts.amounts == () and facts.remedy is None


ANHOERUNG = """Familienkasse Nordrhein-Westfalen West
52058 Aachen

Kindergeldnummer: 215FK123456
Aachen, 10.11.2025

Anhörung zur Aufhebung der Kindergeldfestsetzung

Sehr geehrte Frau Petrova,

nach den uns vorliegenden Informationen hat Ihre Tochter Lena ihre Ausbildung am 31.07.2025 beendet.
Für die Monate August bis Oktober 2025 wurde daher Kindergeld in Höhe von 765,00 € möglicherweise zu Unrecht gezahlt.
Bevor wir entscheiden, geben wir Ihnen Gelegenheit zur Stellungnahme.
Bitte äußern Sie sich innerhalb von zwei Wochen nach Erhalt dieses Schreibens und legen Sie gegebenenfalls Nachweise über eine weitere Ausbildung vor.
Geht innerhalb dieser Frist keine Antwort ein, entscheiden wir nach Lage der Akten.

Mit freundlichen Grüßen
Ihre Familienkasse
"""


def test_anhoerung_estimate_under_the_tax_code() -> None:
    s = segs(ANHOERUNG)
    facts = extract_facts(s)
    assert (facts.kind, facts.sender, facts.date) == ("Anhörung", "Familienkasse Nordrhein-Westfalen West", date(2025, 11, 10))
    assert [(r.label, r.value) for r in facts.references] == [("Kindergeldnummer", "215FK123456")]
    assert [(a.label, a.value) for a in facts.amounts] == [("Kindergeld", Decimal("765.00"))]
    (d,) = facts.deadlines  # `am 31.07.2025 beendet` is no deadline
    assert (str(d.rule), d.date, d.action_id) == ("P2W after receipt", None, "comment")
    assert d.rule.english() == "within two weeks after receipt"
    # Familienkasse: Kindergeld falls under the AO; notified 2025-11-14, two weeks later 2025-11-28
    assert d.estimate == date(2025, 11, 28) and d.estimate_basis.startswith("§ 122 Abs. 2 Nr. 1 AO")
    assert d.consequence == "decision based on the file as it stands"
    assert [doc.name for doc in facts.documents] == ["Nachweise über eine weitere Ausbildung"]


# ---------------------------------------------------------------------------------------------
# One phrase kind at a time


@pytest.mark.parametrize(
    ("sentence", "day", "expected"),
    [
        ("Bitte zahlen Sie den Betrag bis spätestens 30. April 2026.", "Berlin, 12.03.2026", date(2026, 4, 30)),
        ("Bitte reichen Sie die Unterlagen bis zum 12.04. ein.", "Berlin, 12.03.2026", date(2026, 4, 12)),
        ("Bitte begleichen Sie die Rechnung bis zum 10.01.", "Berlin, 15.12.2025", date(2026, 1, 10)),  # next year
        ("Bitte überweisen Sie den Betrag spätestens am 3.5.26.", "Berlin, 12.03.2026", date(2026, 5, 3)),
        ("Bitte senden Sie den Fragebogen bis Ende April zurück.", "Berlin, 12.03.2026", date(2026, 4, 30)),
        ("Der Betrag ist am 01.04.2026 fällig.", "Berlin, 12.03.2026", date(2026, 4, 1)),
        ("Bitte melden Sie sich bis Freitag, den 27.03.2026.", "Berlin, 12.03.2026", date(2026, 3, 27)),
        ("Einsendeschluss: 15.05.2026", "Datum: 20.04.2026", date(2026, 5, 15)),
    ],
)
def test_absolute_deadlines(sentence: str, day: str, expected: date) -> None:
    d = only_deadline(letter(sentence, day=day))
    assert d.date == expected and d.rule is None and d.estimate is None


def test_date_without_year_and_without_letter_date_stays_open() -> None:
    text = "Jobcenter Berlin Mitte\n\nSehr geehrte Frau Weber,\n\nBitte reichen Sie die Unterlagen bis zum 12.04. ein.\n\nMit freundlichen Grüßen\n"
    d = only_deadline(text)
    assert d.date is None and d.text == "bis zum 12.04." and d.action_id == "submit"


@pytest.mark.parametrize(
    ("sentence", "rule", "english"),
    [
        ("Gegen diesen Bescheid kann innerhalb eines Monats nach Bekanntgabe Widerspruch erhoben werden.",
         "P1M after notification", "within one month after notification"),
        ("Bitte reichen Sie die Nachweise binnen zwei Wochen ein.", "P2W", "within two weeks"),
        ("Bitte zahlen Sie innerhalb von 14 Tagen nach Zugang dieses Schreibens.", "P14D after receipt", "within 14 days after receipt"),
        ("Bitte melden Sie sich innerhalb der nächsten zehn Tage.", "P10D", "within ten days"),
        ("Bitte reichen Sie die Unterlagen innerhalb von 5 Werktagen ein.", "P5D, working days", "within five working days"),
        ("Wir setzen Ihnen eine Frist von drei Wochen, um die Unterlagen einzureichen.", "P3W", "within three weeks"),
        ("Die Klage ist innerhalb eines Monats nach Zustellung zu erheben.", "P1M after service",
         "within one month after formal service (Zustellung)"),
        ("Die Einspruchsfrist beträgt einen Monat. Sie beginnt mit Ablauf des Tages, an dem Ihnen dieser Bescheid bekannt gegeben worden ist.",
         "P1M after notification", "within one month after notification"),
    ],
)
def test_relative_deadlines_keep_their_rule(sentence: str, rule: str, english: str) -> None:
    d = only_deadline(letter(sentence))
    assert str(d.rule) == rule and d.rule.english() == english and d.date is None


def test_rule_counted_from_the_letters_date_gives_a_date() -> None:
    d = only_deadline(letter("Der Rechnungsbetrag ist 14 Tage nach Rechnungsdatum zu zahlen.", day="Rechnungsdatum: 17.03.2026"))
    assert str(d.rule) == "P14D after letter date" and d.date == date(2026, 3, 31) and d.estimate is None


def test_rule_counted_back_from_the_appointment() -> None:
    body = ("Wir laden Sie zur Verhandlung am 23.04.2026 um 11:00 Uhr in Saal 2.15, Sievekingplatz 1, ein.\n"
            "Schriftsätze sind spätestens zwei Wochen vor dem Termin einzureichen.")
    facts = facts_of(letter(body))
    (d,) = facts.deadlines
    assert str(d.rule) == "P2W before appointment" and d.date == date(2026, 4, 9)
    assert d.rule.english() == "two weeks before the appointment"


@pytest.mark.parametrize(
    ("head", "law"),
    [
        ("Jobcenter Berlin Mitte", "§ 37 Abs. 2 SGB X"),
        ("Finanzamt Berlin-Mitte/Tiergarten", "§ 122 Abs. 2 Nr. 1 AO"),
        ("Stadt Potsdam\nBürgerservice", "§ 41 Abs. 2 VwVfG"),
    ],
)
def test_estimate_names_the_law_of_the_sender(head: str, law: str) -> None:
    body = "Gegen diesen Bescheid kann innerhalb eines Monats nach Bekanntgabe Widerspruch erhoben werden."
    d = only_deadline(letter(body, head=head, closing="Mit freundlichen Grüßen"))
    assert d.estimate_basis.startswith(law) and "not" not in law


def test_estimate_three_days_before_2025_four_days_after() -> None:
    body = "Gegen diesen Bescheid kann innerhalb eines Monats nach Bekanntgabe Widerspruch erhoben werden."
    old = only_deadline(letter(body, day="Berlin, 20.12.2024"))
    new = only_deadline(letter(body, day="Berlin, 20.12.2025"))
    assert old.estimate == date(2025, 1, 23) and "third day" in old.estimate_basis  # 2024-12-23 + 1 month
    assert new.estimate == date(2026, 1, 26) and "fourth day" in new.estimate_basis  # 2025-12-24 + 1 month = Saturday → Monday
    assert "weekend" in new.estimate_basis and "weekend" not in old.estimate_basis


def test_estimate_moves_off_a_weekend() -> None:
    body = "Gegen diesen Bescheid kann innerhalb eines Monats nach Bekanntgabe Widerspruch erhoben werden."
    d = only_deadline(letter(body, day="Berlin, 06.04.2026"))  # notified Fri 10.04., a month later Sunday 10.05.
    assert d.estimate == date(2026, 5, 11)


def test_no_estimate_without_a_statutory_presumption() -> None:
    # a company (even one that mentions an authority) has no presumed notification date
    body = "Bitte zahlen Sie innerhalb von 14 Tagen nach Zugang dieses Schreibens, damit wir nicht das Amtsgericht anrufen müssen."
    d = only_deadline(letter(body, head="Versandhaus Sonnenschein GmbH\n33311 Gütersloh", closing="Mit freundlichen Grüßen"))
    assert str(d.rule) == "P14D after receipt" and d.estimate is None and d.estimate_basis is None


@pytest.mark.parametrize(
    "sentence",
    [
        "Ihnen werden für die Zeit vom 01.04.2026 bis 30.09.2026 Leistungen bewilligt.",  # a period
        "Ihr Aufenthaltstitel ist gültig bis 31.12.2026.",  # validity
        "Die Abgabefrist ist am 01.03.2026 abgelaufen.",  # past
        "Wir beziehen uns auf Ihr Schreiben vom 20.03.2026.",
        "Die Leistungen werden bis 30.09.2026 gewährt.",  # a bare `bis` without anything to do
        "Sie haben eine Mindestlaufzeit von 12 Monaten.",
    ],
)
def test_no_deadline(sentence: str) -> None:
    facts = facts_of(letter(sentence))
    assert facts is not None and facts.deadlines == ()


@pytest.mark.parametrize(
    ("sentence", "action_id", "action"),
    [
        ("Gegen diesen Bescheid können Sie bis zum 30.04.2026 Widerspruch erheben.", "object", "lodge an objection (Widerspruch)"),
        ("Sie können bis zum 30.04.2026 Einspruch einlegen.", "appeal", "lodge an objection (Einspruch)"),
        ("Sie können bis zum 30.04.2026 Klage beim Sozialgericht Berlin erheben.", "sue", "bring an action in court (Klage)"),
        ("Bitte reichen Sie die Unterlagen bis zum 30.04.2026 ein.", "submit", "submit the requested documents"),
        ("Bitte zahlen Sie bis zum 30.04.2026.", "pay", "pay"),
        ("Bitte melden Sie sich bis zum 30.04.2026 bei uns.", "contact", "get in touch"),
        ("Sie können sich bis zum 30.04.2026 zu dem Sachverhalt äußern.", "comment", "state your views in writing"),
        ("Bitte senden Sie das Formular bis zum 30.04.2026 unterschrieben zurück.", "return", "return the form"),
        ("Sie können den Vertrag bis zum 30.04.2026 kündigen.", "cancel", "give notice of termination"),
    ],
)
def test_actions(sentence: str, action_id: str, action: str) -> None:
    d = only_deadline(letter(sentence))
    assert (d.action_id, d.action) == (action_id, action)


def test_action_from_the_sentence_before() -> None:
    body = "Gegen diesen Bescheid ist der Einspruch gegeben. Er ist innerhalb eines Monats nach Bekanntgabe schriftlich einzulegen."
    d = only_deadline(letter(body, head="Finanzamt Köln-Mitte"))
    assert d.action_id == "appeal"


def test_unknown_action_takes_the_translation() -> None:
    body = "Die Hecke ist spätestens bis zum 30.04.2026 zu schneiden."
    text = letter(body)
    s = segs(text)
    translations = [f"EN {x}" for x in s]
    facts = extract_facts(s, translations=translations)
    (d,) = facts.deadlines
    assert d.action_id is None and d.action == f"EN {body}"
    assert extract_facts(s).deadlines[0].action is None


def test_translations_name_unknown_amount_labels_and_listed_documents() -> None:
    body = "Zuschuss Klassenfahrt: 120,00 €\n\nBitte reichen Sie bis zum 30.04.2026 folgende Unterlagen ein:\n- Teilnahmebestätigung"
    s = segs(letter(body))
    english = {"Zuschuss Klassenfahrt: 120,00 €": "Class trip subsidy: €120.00", "Teilnahmebestätigung": "Confirmation of participation"}
    facts = extract_facts(s, translations=[english.get(x, "x") for x in s])
    (a,) = facts.amounts
    assert (a.label, a.label_en) == ("Zuschuss Klassenfahrt", "Class trip subsidy")
    assert [(d.name, d.name_en) for d in facts.documents] == [("Teilnahmebestätigung", "Confirmation of participation")]
    plain = extract_facts(s)
    assert plain.amounts[0].label_en is None and plain.documents[0].name_en is None


def test_translations_must_match_segments() -> None:
    s = segs(BESCHEID)
    with pytest.raises(ValueError, match="translations"):
        extract_facts(s, translations=s[:-1])


@pytest.mark.parametrize(
    ("body", "english", "german_start"),
    [
        ("Bitte reichen Sie die Unterlagen bis zum 30.04.2026 ein, andernfalls werden die Leistungen versagt.",
         "benefits refused or withdrawn", "andernfalls"),
        ("Bitte zahlen Sie bis zum 30.04.2026.\nBei verspäteter Zahlung wird ein Säumniszuschlag erhoben.",
         "late-payment surcharge (Säumniszuschlag)", "Bei verspäteter"),
        ("Bitte zahlen Sie bis zum 30.04.2026.\nSollten Sie nicht zahlen, übergeben wir die Forderung an ein Inkassobüro.",
         "the claim is passed to debt collection", "Sollten Sie"),
    ],
)
def test_consequences(body: str, english: str, german_start: str) -> None:
    d = only_deadline(letter(body))
    assert d.consequence == english and d.consequence_de.startswith(german_start)


def test_a_condition_to_act_is_no_consequence() -> None:
    d = only_deadline(letter("Wenn Sie nicht kommen können, melden Sie sich bitte bis zum 30.04.2026."))
    assert d.action_id == "contact" and d.consequence is None


@pytest.mark.parametrize(
    ("line", "value", "currency", "label"),
    [
        ("Der Regelbedarf beträgt 563,00 €.", "563.00", "EUR", "Regelbedarf"),
        ("Ihr Erstattungsbetrag beträgt 1.234,56 €.", "1234.56", "EUR", "Erstattungsbetrag"),
        ("Offener Betrag: EUR 1.234,56", "1234.56", "EUR", "Offener Betrag"),
        ("Die Mahngebühr in Höhe von 5 Euro wird erhoben.", "5", "EUR", "Mahngebühr"),
        ("Es wurde eine Förderung von 1,5 Mio. Euro bewilligt.", "1500000", "EUR", "Förderung"),
        ("Die Gebühr beträgt 50 Cent.", "0.50", "EUR", "Gebühr"),
        ("Der Säumniszuschlag beträgt 1 % je Monat.", "1", "%", "Säumniszuschlag"),
        ("Der Beitragssatz beträgt 14,6 Prozent.", "14.6", "%", "Beitragssatz"),
        ("Die Kosten betragen 200 CHF.", "200", "CHF", "Kosten"),
    ],
)
def test_amounts(line: str, value: str, currency: str, label: str) -> None:
    (a,) = facts_of(letter(line)).amounts
    assert (a.value, a.currency, a.label) == (Decimal(value), currency, label)
    out = a.to_dict()
    assert isinstance(out["value"], (int, float)) and Decimal(str(out["value"])) == Decimal(value)


def test_amount_label_continues_after_von_auf() -> None:
    amounts = facts_of(letter("Ihr Jahresbeitrag steigt von 118,40 € auf 129,90 €.")).amounts
    assert [(a.label, a.label_en, a.value) for a in amounts] == [
        ("Jahresbeitrag", "annual premium", Decimal("118.40")), ("Jahresbeitrag", "annual premium", Decimal("129.90"))]


@pytest.mark.parametrize(
    ("line", "label", "value"),
    [
        ("Aktenzeichen: 12 C 345/25", "Aktenzeichen", "12 C 345/25"),
        ("Az.: 50/22-EG-2026-01877", "Az.", "50/22-EG-2026-01877"),
        ("Steuernummer 214/5123/4567", "Steuernummer", "214/5123/4567"),
        ("Versicherungsnummer 12 150385 M 012", "Versicherungsnummer", "12 150385 M 012"),
        ("Kassenzeichen: 6.1234.5678.9", "Kassenzeichen", "6.1234.5678.9"),
        ("Rechnung Nr. 2026-0117", "Rechnung Nr.", "2026-0117"),
        ("Vertragsnummer: V-99812 (bitte immer angeben)", "Vertragsnummer", "V-99812"),
        ("Bitte geben Sie bei Zahlung das Kassenzeichen 0815.4711 an.", "Kassenzeichen", "0815.4711"),
    ],
)
def test_references(line: str, label: str, value: str) -> None:
    refs = facts_of(letter(line)).references
    assert [(r.label, r.value) for r in refs] == [(label, value)]


def test_reference_label_without_value_is_not_a_reference() -> None:
    assert facts_of(letter("Bitte überweisen Sie den Betrag unter Angabe des Aktenzeichens.")).references == ()


def test_sender_from_the_closing_when_the_letterhead_names_none() -> None:
    text = letter("Bitte zahlen Sie bis zum 30.04.2026.", head="Herrn\nMax Muster\nHauptstraße 1, 10115 Berlin",
                  closing="Mit freundlichen Grüßen\nIhre Stadtwerke Potsdam GmbH")
    facts = facts_of(text)
    assert facts.sender == "Stadtwerke Potsdam GmbH"


def test_period_with_long_dates() -> None:
    period = facts_of(letter("Der Bewilligungszeitraum umfasst die Zeit vom 1. April bis 30. September 2026.")).period
    assert (period.start, period.end) == (date(2026, 4, 1), date(2026, 9, 30))


# ---------------------------------------------------------------------------------------------
# Not letters


def test_letter_cues_decide() -> None:
    one_cue = "Sehr geehrte Damen und Herren,\n\nbitte zahlen Sie bis zum 30.04.2026 den Betrag von 20,00 €.\n"
    assert extract_facts(segs(one_cue)) is None
    assert extract_facts(segs(one_cue + "\nMit freundlichen Grüßen\nStadtwerke Ulm GmbH\n")) is not None
    assert extract_facts([]) is None


def test_news_about_deadlines_is_not_a_letter() -> None:
    news = ("Grundsteuer: Viele Eigentümer sollten ihren Bescheid prüfen\n\n"
            "Wer Fehler entdeckt, muss schnell handeln: Ein Einspruch ist innerhalb eines Monats nach Bekanntgabe einzulegen. "
            "Die Frist für Anträge endet am 30. April 2026. Die Steuer steigt im Schnitt um 18 Prozent auf 610 Euro.\n")
    assert extract_facts(segs(news)) is None
    assert render_markdown(extract_facts(segs(news))) == ""


def _news_files() -> list[Path]:
    folder = SHARED / "corpus" / "de-news"
    files = sorted(folder.glob("*.txt")) if folder.is_dir() else []
    if not files:
        pytest.skip("../shared/corpus/de-news not available")
    return files


def test_no_facts_in_the_news_corpus() -> None:
    files = _news_files()
    assert len(files) == 30
    for path in files:
        s = segs(path.read_text(encoding="utf-8"))
        assert len(s) > 3
        assert extract_facts(s) is None, path.name


# ---------------------------------------------------------------------------------------------
# JSON and markdown


def test_to_dict_is_json_with_iso_dates_and_numbers() -> None:
    facts = extract_facts(segs(BESCHEID))
    out = json.loads(json.dumps(facts.to_dict()))
    assert out["date"] == "2026-03-12" and out["sender"] == "Jobcenter Berlin Mitte"
    assert out["period"]["start"] == "2026-04-01" and out["period"]["end"] == "2026-09-30"
    assert [d["date"] for d in out["deadlines"]] == ["2026-04-12", None]
    assert out["deadlines"][1]["rule"] == "P1M after notification" and out["deadlines"][1]["estimate"] == "2026-04-16"
    assert "§ 37 Abs. 2 SGB X" in out["deadlines"][1]["estimate_basis"]
    assert out["amounts"][0]["value"] == 563 and out["amounts"][0]["currency"] == "EUR"
    assert out["amounts"][1]["value"] == 612.5
    assert out["remedy"]["deadline"]["duration"] == "P1M"
    assert all(isinstance(d["segment"], int) for d in out["deadlines"] + out["amounts"] + out["references"])


def test_rule_strings() -> None:
    assert str(Rule(1, "M", "notification")) == "P1M after notification"
    assert str(Rule(2, "W", "appointment", before=True)) == "P2W before appointment"
    assert Rule(14, "D").english() == "within 14 days"


def test_render_markdown_order_and_content() -> None:
    md = render_markdown(extract_facts(segs(BESCHEID)))
    assert md.startswith("## Key facts\n")
    order = ["**Deadlines**", "**Amounts**", "**References**", "**Period covered:**", "**Documents requested**", "**Legal remedy:**"]
    positions = [md.index(h) for h in order]
    assert positions == sorted(positions)
    deadlines = md[md.index("**Deadlines**") : md.index("**Amounts**")]
    assert deadlines.index("2026-04-12") < deadlines.index("within one month after notification")
    assert "submit the requested documents" in deadlines and "lodge an objection (Widerspruch)" in deadlines
    assert "Estimated last day: 2026-04-16" in deadlines and "not certain" in deadlines and "§ 37 Abs. 2 SGB X" in deadlines
    assert "Regelbedarf (standard allowance): €563.00" in md
    assert "Aktenzeichen (file number): `123A456`" in md
    assert "2026-04-01 to 2026-09-30" in md


def test_render_markdown_soonest_first_and_appointments() -> None:
    body = ("Bitte zahlen Sie bis zum 30.04.2026.\nBitte reichen Sie die Unterlagen bis zum 15.04.2026 ein.\n"
            "Termin: 20.04.2026, 10:00 Uhr, Raum 12, Hauptstraße 5")
    md = render_markdown(facts_of(letter(body)))
    assert md.index("2026-04-15") < md.index("2026-04-30")
    assert "**2026-04-20 (Monday), 10:00** — attend: Raum 12, Hauptstraße 5." in md


def test_render_markdown_escapes_german_text() -> None:
    body = "Bitte reichen Sie bis zum 30.04.2026 folgende Unterlagen ein:\n- Kopie des *Mietvertrags*\n- Lohnabrechnung_März"
    md = render_markdown(facts_of(letter(body)))
    assert "- Kopie des \\*Mietvertrags\\*\n" in md and "- Lohnabrechnung\\_März\n" in md
    assert render_markdown(None) == ""


# ---------------------------------------------------------------------------------------------
# Phrase kinds found missing on the second held-out set (benchmarks/data/facts_letters_b.jsonl)


@pytest.mark.parametrize(
    ("sentence", "action_id"),
    [
        ("Zahlbar ohne Abzug bis 05.05.2026.", "pay"),  # capitalised at the start of a sentence
        ("Überweisen Sie den Betrag bis zum 30.04.2026.", "pay"),
        ("Reichen Sie die Nachweise bis zum 30.04.2026 ein.", "submit"),
        ("Melden Sie sich bis zum 30.04.2026 telefonisch.", "contact"),
        ("Das Angebot gilt, wenn der Betrag bis spätestens 30.04.2026 bei uns eingeht.", "pay"),
        ("Ich bitte Sie, der Mieterhöhung bis zum 30.04.2026 zuzustimmen.", "consent"),
    ],
)
def test_action_words_in_any_case(sentence: str, action_id: str) -> None:
    d = only_deadline(letter(sentence))
    assert (d.date, d.action_id) == (date(2026, 4, 30) if "05.05." not in sentence else date(2026, 5, 5), action_id)


def test_due_date_table_rows_are_payment_deadlines() -> None:
    body = ("Die Vorauszahlungen werden wie folgt festgesetzt:\n10.06.2026: 850,00 €\n10.09.2026: 850,00 €\n"
            "Bitte entrichten Sie die Beträge zu den genannten Terminen.")
    facts = facts_of(letter(body, head="Finanzamt Dresden-Nord"))
    assert [(d.date, d.action_id, d.text) for d in facts.deadlines] == [
        (date(2026, 6, 10), "pay", "10.06.2026: 850,00 €"), (date(2026, 9, 10), "pay", "10.09.2026: 850,00 €")]


def test_due_date_table_under_a_column_heading() -> None:
    body = "Neue Vorauszahlungen:\nFälligkeitstag     Betrag\n10.06.2026         450,00 €\n10.09.2026         450,00 €"
    assert [d.date for d in facts_of(letter(body)).deadlines] == [date(2026, 6, 10), date(2026, 9, 10)]


@pytest.mark.parametrize(
    "body",
    [
        # debited: nothing to do
        "Die Abschläge werden per Lastschrift eingezogen:\n15.04.2026: 86,00 €\n15.05.2026: 86,00 €",
        # a list of invoices (dates in the past, `vom`), not of due dates
        "Offen sind folgende Rechnungen, bitte zahlen Sie:\nRechnung vom 02.02.2026: 40,00 €\n01.03.2026: 12,00 €",
        # a table without anything about paying
        "Ihre Zählerstände:\n31.12.2026: 4.512 kWh\nKosten 31.12.2026: 1.120,00 €",
    ],
)
def test_tables_that_are_not_due_dates(body: str) -> None:
    assert facts_of(letter(body)).deadlines == ()


def test_rule_counted_from_the_end_of_the_contract() -> None:
    body = ("wir bestätigen die Kündigung Ihres Mobilfunkvertrags zum 30.11.2026.\n"
            "Beantragen Sie die Mitnahme Ihrer Rufnummer spätestens 30 Tage nach Vertragsende bei Ihrem neuen Anbieter.")
    d = only_deadline(letter(body, head="Vodafone GmbH"))
    assert str(d.rule) == "P30D after contract end" and d.date == date(2026, 12, 30) and d.action_id == "apply"
    assert d.rule.english() == "within 30 days after the contract ends"
    # without the day the contract ends, the rule stays a rule
    d = only_deadline(letter(body.split("\n")[1], head="Vodafone GmbH"))
    assert str(d.rule) == "P30D after contract end" and d.date is None


def test_an_unknown_event_is_kept_as_written() -> None:
    d = only_deadline(letter("Bitte melden Sie sich spätestens zwei Wochen nach Ihrem Umzug beim Bürgeramt an."))
    assert d.rule.anchor is None and d.rule.anchor_text == "Ihrem Umzug" and d.date is None
    assert str(d.rule) == "P2W after „Ihrem Umzug“" and d.rule.english() == "within two weeks after „Ihrem Umzug“ (as written)"
    assert d.to_dict()["anchor_text"] == "Ihrem Umzug"


def test_a_bare_duration_needs_something_to_do() -> None:
    assert facts_of(letter("Die Bearbeitung erfolgt in der Regel innerhalb von drei Wochen.")).deadlines == ()
    d = only_deadline(letter("Bitte zahlen Sie innerhalb von drei Wochen."))
    assert str(d.rule) == "P3W" and d.action_id == "pay"


@pytest.mark.parametrize(
    ("sentence", "day", "expected", "rule"),
    [
        ("Bitte schicken Sie den Fragebogen bis zum Monatsende zurück.", "Berlin, 09.09.2025", date(2025, 9, 30),
         "P0M after letter date, to the end of that month"),
        ("Den Betrag überweisen Sie bitte bis Ende nächsten Monats.", "Berlin, 20.04.2026", date(2026, 5, 31),
         "P1M after letter date, to the end of that month"),
        ("Bitte zahlen Sie bis zum Ende des Folgemonats.", "Berlin, 15.12.2025", date(2026, 1, 31),
         "P1M after letter date, to the end of that month"),
        ("Bitte reichen Sie die Nachweise spätestens zum Ende des übernächsten Monats ein.", "Berlin, 12.03.2026",
         date(2026, 5, 31), "P2M after letter date, to the end of that month"),
        ("Bitte senden Sie den Antrag bis Ende März zurück.", "Berlin, 02.03.2026", date(2026, 3, 31), None),
    ],
)
def test_month_end_deadlines(sentence: str, day: str, expected: date, rule: str | None) -> None:
    d = only_deadline(letter(sentence, day=day))
    assert d.date == expected and (str(d.rule) if d.rule else None) == rule and d.estimate is None


def test_end_of_a_calendar_month_after_receipt() -> None:
    body = "Ich bitte Sie, der Mieterhöhung bis zum Ablauf des zweiten Kalendermonats nach Zugang dieses Schreibens zuzustimmen."
    early = only_deadline(letter(body, day="Heidelberg, 03.03.2026"))
    # posted on the 3rd, it arrives in March: the end of May, on that assumption
    assert early.date == date(2026, 5, 31) and early.estimate is None and early.action_id == "consent"
    assert str(early.rule) == "P2M after receipt, to the end of that month"
    assert early.rule.english() == "by the end of the second calendar month after receipt"
    assert "assumes the letter reached you in March 2026" in early.estimate_basis
    # posted on the 29th, it may arrive in April: only an estimate, the end of June
    late = only_deadline(letter(body, day="Heidelberg, 29.03.2026"))
    assert late.date is None and late.estimate == date(2026, 6, 30) and "2026-04-02" in late.estimate_basis
    md = render_markdown(facts_of(letter(body, day="Heidelberg, 03.03.2026")))
    assert "**by 2026-05-31 (Sunday)** (by the end of the second calendar month after receipt) — give your consent" in md
    assert "This day assumes the letter reached you in March 2026" in md


@pytest.mark.parametrize(
    "sentence",
    [
        "Sie können den Vertrag mit einer Frist von drei Monaten zum Monatsende kündigen.",  # a notice period
        "Die Miete ist jeweils zum Monatsende fällig.",  # recurring
        "Ihr Vertrag endet zum Monatsende.",  # nothing to do
    ],
)
def test_month_end_that_is_no_deadline(sentence: str) -> None:
    assert facts_of(letter(sentence)).deadlines == ()


@pytest.mark.parametrize(
    ("head", "closing", "sender"),
    [
        ("BARMER\nPostfach 11 07 04, 10837 Berlin", "Freundliche Grüße\nIhre BARMER", "BARMER"),  # capitals
        ("Sanitär Yilmaz & Söhne\nRingstraße 77 · 28195 Bremen", "Mit freundlichem Gruß\nYilmaz & Söhne", "Sanitär Yilmaz & Söhne"),
        ("Gerd Albrecht\nVermietung und Verwaltung\nBergstraße 9, 69120 Heidelberg", "Viele Grüße\nGerd Albrecht", "Gerd Albrecht"),
        ("Gesamtschule Am Lindenhof\nLindenhof 2, 44135 Dortmund", "Mit freundlichen Grüßen\nKlassenleitung 8b",
         "Gesamtschule Am Lindenhof"),
        ("Grünstrom Nord GmbH · Kundenservice · Postfach 11 20 · 24101 Kiel", "Mit freundlichen Grüßen", "Grünstrom Nord GmbH"),
        ("Stadtwerke Ulm GmbH, Karlstraße 1, 89073 Ulm", "Mit freundlichen Grüßen", "Stadtwerke Ulm GmbH"),
        ("Zahnarztpraxis Dr. med. dent. Sabine Ott\nMarktplatz 3, 93047 Regensburg", "Mit freundlichen Grüßen",
         "Zahnarztpraxis Dr. med. dent. Sabine Ott"),
        # the recipient's block first: the sender comes from the closing
        ("Herrn\nMax Muster\nHauptstraße 1, 10115 Berlin", "Viele Grüße\nIhr Vodafone-Team", "Vodafone"),
        ("Frau\nErika Muster\nHauptstraße 1\n10115 Berlin", "Herzliche Grüße\nIhr Team von Grünstrom Nord", "Grünstrom Nord"),
        ("Herrn\nMax Muster\nHauptstraße 1, 10115 Berlin", "Viele Grüße\nGerd Albrecht", "Gerd Albrecht"),  # the signature
    ],
)
def test_sender_from_the_letterhead_or_the_closing(head: str, closing: str, sender: str) -> None:
    facts = facts_of(letter("Bitte zahlen Sie bis zum 30.04.2026.", head=head, closing=closing))
    assert facts.sender == sender


def test_no_sender_from_a_subject_line_or_a_clerk() -> None:
    text = ("Herrn\nMax Muster\nHauptstraße 1, 10115 Berlin\n\nBerlin, 12.03.2026\n\nFamilienversicherung Ihres Sohnes\n\n"
            "Sehr geehrter Herr Muster,\n\nbitte zahlen Sie bis zum 30.04.2026.\n\nMit freundlichen Grüßen\nIm Auftrag\nSchmidt\n")
    assert facts_of(text).sender is None


def test_a_greeting_is_no_sender() -> None:
    text = ("Newsletter Mai 2026 | Stadtbibliothek\n\nLiebe Leserinnen und Leser,\n\nKarten kosten 12 € und sind bis zum 10.05. "
            "erhältlich.\n\nHerzliche Grüße\n\nStadtbibliothek Wolfsburg, Porschestraße 51, 38440 Wolfsburg\n")
    assert find_sender(segs(text))[0] == "Stadtbibliothek Wolfsburg"  # not the greeting, not the closing


def test_capitalised_sender_gets_its_notification_law() -> None:
    body = "Gegen diesen Bescheid kann innerhalb eines Monats nach Bekanntgabe Widerspruch erhoben werden."
    d = only_deadline(letter(body, head="BARMER\nPostfach 11 07 04, 10837 Berlin", closing="Freundliche Grüße"))
    assert d.estimate_basis.startswith("§ 37 Abs. 2 SGB X")


def test_letter_date_from_a_vom_line_under_the_heading() -> None:
    text = ("Sanitär Yilmaz & Söhne\nRingstraße 77 · 28195 Bremen\n\nRECHNUNG 2026/114\nvom 21.04.2026\n\n"
            "Sehr geehrte Damen und Herren,\n\nZahlbar ohne Abzug bis 05.05.2026.\n\nMit freundlichem Gruß\nYilmaz & Söhne\n")
    facts = facts_of(text)
    assert facts.date == date(2026, 4, 21) and facts.deadlines[0].date == date(2026, 5, 5)


def test_appointment_place_without_the_verb_particle() -> None:
    (a,) = facts_of(letter("Das Gespräch findet am Dienstag, dem 7. April 2026, um 15 Uhr im Raum 104 statt.")).appointments
    assert (a.date, a.time, a.place) == (date(2026, 4, 7), "15:00", "Raum 104")


@pytest.mark.parametrize(
    ("rule", "english"),
    [
        (Rule(0, "M", "letter date", month_end=True), "by the end of the letter's month"),
        (Rule(1, "M", "letter date", month_end=True), "by the end of the month after the letter's month"),
        (Rule(2, "M", "letter date", month_end=True), "by the end of the second month after the letter's month"),
        (Rule(1, "M", "receipt", month_end=True), "by the end of the calendar month after receipt"),
        (Rule(2, "M", "receipt", month_end=True), "by the end of the second calendar month after receipt"),
    ],
)
def test_month_end_rules_in_english(rule: Rule, english: str) -> None:
    assert rule.english() == english


def test_documents_sent_back_end_at_the_clause() -> None:
    body = "Bitte schicken Sie uns ein unterschriebenes Exemplar bis 23.04.2026 zurück; das zweite ist für Ihre Unterlagen."
    facts = facts_of(letter(body))
    assert [d.name for d in facts.documents] == ["ein unterschriebenes Exemplar"]
    assert facts.deadlines[0].action_id == "return"
