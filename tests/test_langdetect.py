"""Language detection: documents in German, English, French and Dutch; paragraphs in mixed documents."""

from __future__ import annotations

import subprocess
import sys

import pytest
from lang_samples import DUTCH, FRENCH

from summtrans.errors import InputError
from summtrans.language.detect import (
    LANGUAGE_NAMES,
    Detection,
    detect,
    english_units,
    require_source_language,
)

GERMAN = (
    "Der Gemeinderat hat am Montagabend den Haushalt für das kommende Jahr beschlossen. "
    "Die Ausgaben für Schulen und Kindergärten steigen deutlich, während bei der Verwaltung gespart wird."
)
ENGLISH = (
    "The city council approved next year's budget on Monday evening. "
    "Spending on schools and nurseries rises sharply, while the administration has to save."
)


@pytest.mark.parametrize(
    ("text", "lang"),
    [(GERMAN, "de"), (ENGLISH, "en"), (" ".join(FRENCH[:3]), "fr"), (" ".join(DUTCH[:3]), "nl")],
    ids=["german", "english", "french", "dutch"],
)
def test_documents(text, lang):
    found = detect(text)
    assert found.lang == lang and found.reliable and found.confidence > 0.9


@pytest.mark.parametrize(("samples", "lang"), [(FRENCH, "fr"), (DUTCH, "nl")], ids=["french", "dutch"])
def test_short_snippets(samples, lang):
    assert [detect(s).lang for s in samples] == [lang] * len(samples)


def test_german_news_documents(shared_dir):
    docs = sorted((shared_dir / "corpus" / "de-news").glob("*.txt"))
    if not docs:
        pytest.skip("../shared not available")
    assert {detect(p.read_text(encoding="utf-8")).lang for p in docs} == {"de"}


@pytest.mark.parametrize("text", ["", "   \n", "12.03.2024 – 4711", "Hallo", "OK!"])
def test_short_or_empty_texts_are_not_reliable(text):
    assert not detect(text).reliable


def test_a_long_document_is_sampled_not_read_whole():
    text = (GERMAN + "\n\n") * 2000  # ~400 kB
    assert detect(text).lang == "de"


MIXED = f"""{GERMAN}

{ENGLISH}

Thank you!

{GERMAN}

Team Building Event im Mai

{" ".join(FRENCH[:2])}
"""


def test_english_units_of_a_mixed_german_document():
    units = [p.strip() for p in MIXED.split("\n\n")]
    assert english_units(units) == [1]  # "Thank you!" is too short, the title and French follow the document


def test_a_unit_is_english_only_when_the_detector_is_sure():
    assert english_units([GERMAN, " ".join(FRENCH[:2]), "Team Building Event im Mai"]) == []
    assert english_units([ENGLISH, ENGLISH.upper(), "word " * 3]) == [0, 1]


def test_the_error_for_another_language_names_it():
    with pytest.raises(InputError) as info:
        require_source_language(detect(" ".join(FRENCH[:3])), "brief.txt")
    assert str(info.value).startswith("brief.txt: the text is French (fr, ")
    assert str(info.value).endswith("); summtrans translates German")
    assert info.value.reason == "skipped-language"


def test_german_english_and_unreliable_detections_pass():
    for det in (Detection("de", 0.99), Detection("en", 0.99), Detection("fr", 0.4, reliable=False)):
        require_source_language(det, "x.txt")


def test_one_table_of_language_names():
    assert Detection("nl", 0.97).describe() == "Dutch (nl, 0.97)"
    assert {"de", "en", "fr", "nl"} <= set(LANGUAGE_NAMES)


def test_the_detector_is_imported_lazily():
    code = "import sys, summtrans.language.detect; print('py3langid' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_plainly_german_texts_need_no_detector(monkeypatch, shared_dir):
    from summtrans.language import detect as langdetect

    monkeypatch.setattr(langdetect, "_identifier", lambda: pytest.fail("the detector was built"))
    found = detect(GERMAN + " Das Geld wird für neue Radwege und die Schulen der Stadt ausgegeben.")
    assert (found.lang, found.reliable, found.method) == ("de", True, "function words") and found.confidence >= 0.8
    assert english_units([GERMAN, "Ein Mann mit einem orangefarbenen Hut starrt auf etwas."]) == []
    news = sorted((shared_dir / "corpus" / "de-news").glob("*.txt"))
    if news:  # the function words decide nearly every real German article on their own
        decided = [langdetect.german_share(p.read_text(encoding="utf-8"), distinct=3) is not None for p in news]
        assert sum(decided) >= 0.9 * len(news)


def test_no_other_language_is_taken_for_plainly_german(shared_dir):
    from summtrans.language.detect import german_share

    others = [*FRENCH, *DUTCH, ENGLISH, "The der Spiegel article was about an ein-way street in Berlin."]
    captions = shared_dir / "corpus" / "multi30k-test2016" / "test_2016_flickr.en"
    if captions.is_file():  # 1,000 English captions, labelled by the corpus, not by a detector
        others += captions.read_text(encoding="utf-8").splitlines()
    assert [t for t in others if german_share(t, distinct=2) is not None] == []
