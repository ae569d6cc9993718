"""inline.py: whole units to the model, spans found again on the English words."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from summtrans.formats.base import Span, Unit
from summtrans.formats.inline import Chunk, chunks, cut_points, place_spans, translate_units
from summtrans.formats.pieces import Piece, build

SENTENCE = "Ich habe jedoch nur eine Wohnung gefunden, die Herr Müller mag."
ENGLISH = "However, I only found one apartment that Mr Müller likes."
LEXICON = {SENTENCE: ENGLISH, "eine": "one", "Müller": "Müller", "Wohnung gefunden": "found apartment",
           "den Artikel": "the article", "Lesen Sie den Artikel bitte heute.": "Please read the article today."}


def span_on(text: str, part: str, **kw) -> Span:
    start = text.index(part)
    return Span(start, start + len(part), **kw)


def lookup(texts: list[str]) -> list[str]:
    return [LEXICON.get(t, t) for t in texts]


def placed_texts(unit: Unit) -> list[str]:
    return [unit.text[s.start : s.end] for s in unit.spans]


def test_model_sees_whole_units_and_span_texts_only_as_keys() -> None:
    seen: list[list[str]] = []
    unit = Unit(SENTENCE, (span_on(SENTENCE, "eine", style="b"), span_on(SENTENCE, "Müller", style="i")))

    def translate(texts: list[str]) -> list[str]:
        seen.append(texts)
        return lookup(texts)

    (out,), stats = translate_units([unit], translate)
    assert seen == [[SENTENCE, "eine", "Müller"]]  # one batch: the sentence whole, then the keys
    assert out.text == ENGLISH
    assert placed_texts(out) == ["one", "Müller"] and [s.style for s in out.spans] == ["b", "i"]
    assert (stats.placed, stats.fallback, stats.dropped) == (2, 0, 0)


def test_identity_keeps_spans_where_they_were() -> None:
    unit = Unit(SENTENCE, (span_on(SENTENCE, "eine"),))
    (out,), stats = translate_units([unit], lambda texts: texts)
    assert out == unit and stats.placed == 1


def test_case_insensitive_and_fuzzy_matches() -> None:
    target = "A boy in a red jersey tries to reach home plate."
    spans = [Span(0, 5), Span(6, 12), Span(13, 19)]
    placed, stats = place_spans("xxxxx yyyyyy zzzzzz", target, spans, ["Jersey", "A boy is trying.", "homeplate"])
    assert [target[s.start : s.end] for s in placed] == ["boy", "jersey", "home plate"]  # in text order
    assert (stats.exact, stats.fuzzy) == (2, 1)


def test_nearest_occurrence_wins() -> None:
    source = "Der Mann sieht den Mann."
    target = "The man sees the man."
    (placed,), _ = place_spans(source, target, [span_on(source, "Mann.")], ["man"])
    assert target[placed.start :] == "man."


def test_unplaceable_spans_fall_back_or_are_dropped() -> None:
    source = "Sehr lange fette Zeile mit Link"
    big, small, link = Span(0, 26), Span(5, 10), Span(27, 31, link="https://x.example")
    placed, stats = place_spans(source, "Completely different words", [small, link], ["nothing", "nada"])
    assert (stats.placed, stats.fallback, stats.dropped) == (0, 1, 1)
    assert placed == [Span(0, 26, link="https://x.example")]  # the link target is never lost
    placed, stats = place_spans(source, "Completely different words", [big], ["nothing"])
    assert stats.fallback == 1 and (placed[0].start, placed[0].end) == (0, 26)


def test_rambling_fragment_translations_are_searched_by_content_words() -> None:
    target = "A man in an orange hat stares at something."
    (placed,), stats = place_spans("x", target, [Span(0, 1)], ["A orange orange orange."])
    assert target[placed.start : placed.end] == "orange" and stats.exact == 1


def test_units_without_letters_are_not_translated() -> None:
    out, _ = translate_units([Unit("12,50 €"), Unit("  ")], lambda texts: pytest.fail("called"))
    assert [u.text for u in out] == ["12,50 €", "  "]


def test_surrounding_whitespace_is_kept() -> None:
    (out,), _ = translate_units([Unit(" Hallo Welt\t")], lambda texts: [t.upper() for t in texts])
    assert out.text == " HALLO WELT\t"


def test_chunks_give_innermost_span_and_keep_the_link() -> None:
    whole, bold = Span(0, 11, link="u"), Span(6, 11, style="b")
    assert chunks("hello world!", [whole, bold]) == [
        Chunk("hello ", whole, whole), Chunk("world", bold, whole), Chunk("!", None, None)]


def test_cut_points_keep_marks_glued_and_spaced() -> None:
    source = "Vertrag gefunden, siehe  unten"  # a mark after "gefunden" and one between two spaces
    cuts = cut_points(source, "contract found, see below", [16, 24])
    assert cuts == [(14, False), (20, True)]


def test_build_merges_runs_and_picks_dominant_formatting() -> None:
    plain, bold = ("", None), ("b", "B")
    pieces = [Piece("Ich habe ", *plain), Piece("Herr", *bold), Piece(" ", *plain), Piece("Müller", *bold),
              Piece(" gesehen", *plain), Piece(" ", *bold), Piece("heute", "", None, "https://x")]
    unit, paragraph = build([pieces], "paragraph", None)
    assert unit.text == "Ich habe Herr Müller gesehen heute"
    assert [(unit.text[s.start : s.end], s.style, s.link) for s in unit.spans] == [
        ("Herr Müller", "B", None), ("heute", None, "https://x")]
    assert paragraph.dominant is None


@pytest.mark.slow
def test_mini_marian_places_most_spans(mini_marian: Path) -> None:
    """The measurement of issue 8 §2 on a caption document with bold, italic and linked words."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    formats_overhead = pytest.importorskip("formats_overhead")
    from summtrans.engines import EngineOptions, load_engine
    from summtrans.formats import backend_for
    from summtrans.translate import Translator

    translator = Translator(load_engine(str(mini_marian), EngineOptions(engine="ctranslate2")))
    backend = backend_for("x.docx")
    extracted = backend.read(formats_overhead.inline_document(30), "x.docx")
    calls: list[list[str]] = []

    def translate(texts: list[str]) -> list[str]:
        calls.append(texts)
        return [t.text for t in translator.translate_many(texts)]

    translated, stats = translate_units(extracted.units, translate)
    total = sum(len(u.spans) for u in extracted.units)
    assert stats.placed + stats.fallback + stats.dropped == total
    assert stats.placed > total / 2
    links = sum(1 for u in extracted.units for s in u.spans if s.link)
    assert sum(1 for u in translated for s in u.spans if s.link) == links
    assert len(calls) == 1 and calls[0][: len(extracted.units)] == [u.text.strip() for u in extracted.units]
    out = backend.read(backend.write(extracted, translated), "out.docx")
    assert [u.text for u in out.units] == [u.text for u in translated]


def test_a_compound_grows_into_its_english_phrase() -> None:
    target = "A girl in a life jacket floats."
    (placed,), _ = place_spans("x", target, [Span(0, 1)], ["Emergency life vest jacket."])
    assert target[placed.start : placed.end] == "life jacket"


def test_source_text_matches_only_with_its_own_case() -> None:
    source, target = "Das Kind spielt.", "The kind child plays."
    (placed,), _ = place_spans(source, target, [span_on(source, "Kind")], ["child"])
    assert target[placed.start : placed.end] == "child"
