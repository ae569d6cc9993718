"""SRT and WebVTT backends: same cues, timings and numbering; sentences over cues translated whole."""

from __future__ import annotations

import pytest

pytest.importorskip("srt")
pytest.importorskip("webvtt")

from summtrans.errors import InputError
from summtrans.formats.base import Unit
from summtrans.formats.inline import translate_units
from summtrans.formats.subtitles import CueTag, SrtBackend, VttBackend

SRT = """1
00:00:01,000 --> 00:00:03,000
Ich habe jedoch nur <i>eine</i> Wohnung

2
00:00:03,200 --> 00:00:05,000
gefunden, die günstig
genug ist.

3
00:00:06,000 --> 00:00:08,000
{\\an8}<b>Hallo!</b>

7
00:00:09,000 --> 00:00:10,000
- Wie geht's?
- Gut, danke.

8
00:00:20,000 --> 00:00:21,000
Eine lange Pause

9
00:00:30,000 --> 00:00:31,000
trennt diese Cues.
"""

VTT = """WEBVTT
Kind: captions

STYLE
::cue { color: red }

NOTE Eine Anmerkung

intro
00:00:01.000 --> 00:00:02.500 align:start position:10%
<v Roger>Hallo <i>Welt</i> &amp; alle,
wie geht es

00:00:03.000 --> 00:00:04.000
dir <00:00:03.500>heute?
"""


def _upper(texts: list[str]) -> list[str]:
    return [t.upper() for t in texts]


def _plain(cue_text: str) -> str:
    import html
    import re

    return html.unescape(re.sub(r"<[^>]*>|\{\\[^}]*\}", "", cue_text))


def _cues(backend, data: bytes):
    if isinstance(backend, SrtBackend):
        import srt

        return [(s.index, s.start, s.end, s.content) for s in srt.parse(data.decode())]
    import webvtt

    return [(c.identifier, c.start, c.end, c.raw_text) for c in webvtt.from_string(data.decode()).captions]


def test_srt_units_join_a_sentence_over_cues() -> None:
    ex = SrtBackend().read(SRT.encode(), "a.srt")
    assert [u.text for u in ex.units] == [
        "Ich habe jedoch nur eine Wohnung gefunden, die günstig genug ist.",
        "Hallo!",
        "- Wie geht's?",  # a dialogue cue: one unit per speaker
        "- Gut, danke.",
        "Eine lange Pause",  # 9 s apart: not one sentence
        "trennt diese Cues.",
    ]
    first = ex.units[0]
    assert [(first.text[s.start : s.end], s.style) for s in first.spans] == [("eine", CueTag("<i>", "</i>"))]
    assert {u.role for u in ex.units} == {"cue"}


@pytest.mark.parametrize(("backend", "text"), [(SrtBackend(), SRT), (VttBackend(), VTT)])
def test_identity_round_trip_is_byte_identical(backend, text: str) -> None:
    ex = backend.read(text.encode(), "a")
    assert backend.write(ex, list(ex.units)).decode() == text


@pytest.mark.parametrize(("backend", "text"), [(SrtBackend(), SRT), (VttBackend(), VTT)])
def test_changed_translation_keeps_cues_timings_numbering_and_tags(backend, text: str) -> None:
    ex = backend.read(text.encode(), "a")
    translated, stats = translate_units(ex.units, _upper)
    out = backend.write(ex, translated)
    before, after = _cues(backend, text.encode()), _cues(backend, out)
    assert [c[:3] for c in after] == [c[:3] for c in before]
    for (*_, old), (*_, new) in zip(before, after):
        assert new != old
        assert new.count("\n") == old.count("\n")
        assert _plain(new) == _plain(old).upper()  # every word changed; tags as written
    assert stats.dropped == 0
    if isinstance(backend, VttBackend):
        assert out.decode().startswith("WEBVTT\nKind: captions\n\nSTYLE\n::cue { color: red }\n\nNOTE Eine Anmerkung")
        assert "<v Roger>HALLO <i>WELT</i> &amp; ALLE,\nWIE GEHT ES" in out.decode()
        assert "DIR <00:00:03.500>HEUTE?" in out.decode()
    else:
        assert "{\\an8}<b>HALLO!</b>" in out.decode()


def test_sentence_split_back_over_its_cues_in_proportion() -> None:
    backend = SrtBackend()
    ex = backend.read(SRT.encode(), "a.srt")
    english = "However, I only found one flat that is cheap enough."
    translated, _ = translate_units(
        ex.units, lambda xs: [english if x.startswith("Ich habe") else ("one" if x == "eine" else x) for x in xs]
    )
    out = _cues(backend, backend.write(ex, translated))
    # German: 31 characters in cue 1, 33 in cue 2 (two lines); the English follows in proportion,
    # cut at word boundaries, and the italic span moved onto "one".
    assert out[0][3] == "However, I only found <i>one</i>"
    assert out[1][3] == "flat that is cheap\nenough."
    assert " ".join(c[3].replace("\n", " ") for c in out[:2]).replace("<i>", "").replace("</i>", "") == english


def test_short_translation_leaves_no_word_split() -> None:
    backend = SrtBackend()
    ex = backend.read(SRT.encode(), "a.srt")
    translated = [Unit("Yes.", role="cue") if i == 0 else u for i, u in enumerate(ex.units)]
    out = _cues(backend, backend.write(ex, translated))
    assert [c[3] for c in out[:2]] == ["Yes.", ""]  # the second cue is left empty, never a blank line inside
    assert [c[1] for c in out] == [c[1] for c in _cues(backend, SRT.encode())]


def test_a_sentence_follows_at_most_three_cues() -> None:
    cues = "".join(f"{i}\n00:00:0{i},000 --> 00:00:0{i},900\nwort{i} und\n\n" for i in range(1, 8))
    ex = SrtBackend().read(cues.encode(), "a.srt")
    assert [u.text.count("wort") for u in ex.units] == [3, 3, 1]


def test_cp1252_srt_is_decoded() -> None:
    data = "1\n00:00:01,000 --> 00:00:02,000\nGrüße aus Köln.\n".encode("cp1252")
    ex = SrtBackend().read(data, "a.srt")
    assert ex.units[0].text == "Grüße aus Köln."


@pytest.mark.parametrize(
    ("backend", "data", "message", "reason"),
    [
        (SrtBackend(), b"das ist kein untertitel\nnur text\n", "a: not a valid SRT file", "failed"),
        (VttBackend(), b"1\n00:00:01,000 --> 00:00:02,000\nHallo\n", "a: not a valid WebVTT file", "failed"),
        (SrtBackend(), b"1\n00:00:01,000 --> 00:00:02,000\n{\\an8}\n", "a: no subtitle text to translate", "skipped-no-text"),
    ],
)
def test_bad_subtitles(backend, data: bytes, message: str, reason: str) -> None:
    with pytest.raises(InputError) as info:
        backend.read(data, "a")
    assert str(info.value).startswith(message) and "\n" not in str(info.value)
    assert info.value.reason == reason
