"""TMX 1.4 export/import: round trip, validity for a TMX reader, inline markup, hostile XML."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from summtrans.errors import InputError
from summtrans.memory import tmx
from summtrans.memory.store import MEMORY, MEMORY_IMPORT, Memory, MemoryContext, MemoryOptions
from summtrans.memory.tmx import TmxPair, export_tmx, import_tmx, read_tmx, write_tmx

CTX_A = MemoryContext("hub:org/model@abc", "ctranslate2", "int8", {"num_beams": 2})
CTX_B = MemoryContext("files:0123", "transformers", "float32", {"num_beams": 4}, {"glossary": {"Bund": "federation"}})
TRICKY = 'Preis < 5 € & "Rabatt" \'heute\' <b>fett</b> ]]> Straße\u00a0Nr.\u00a01'


def _memory(path: Path) -> Memory:
    return Memory(MemoryOptions(path=path))


def _entries(m: Memory) -> set[tuple[str, str, str, str]]:
    return {(e.source, e.target, e.origin, e.context if e.origin == MEMORY else "") for e in m.entries()}


def test_round_trip_restores_identical_entries(tmp_path):
    with _memory(tmp_path / "a.sqlite3") as a:
        a.import_pairs([("Guten Tag.", "Good afternoon."), (TRICKY, "Price < 5 € & more")], "approved.tmx")
        a.store(CTX_A, [("Guten Tag.", "Good day."), ("Danke  schön.", "Thank you  very much.")])
        a.store(CTX_B, [("Danke schön.", "Many thanks."), ("Steuer\u0308.", "Tax.")])
        assert export_tmx(a, tmp_path / "out.tmx") == 6
        before = _entries(a)
    with _memory(tmp_path / "b.sqlite3") as b:
        assert import_tmx(b, tmp_path / "out.tmx") == 6
        assert _entries(b) == before
        assert b.lookup(CTX_B, ["Danke schön."])["Danke schön."].text == "Many thanks."
        hit = b.lookup(CTX_B, ["Guten Tag."])["Guten Tag."]
        assert (hit.text, hit.origin) == ("Good afternoon.", MEMORY_IMPORT)  # still a human translation


def test_export_is_valid_tmx_14(tmp_path):
    write_tmx([TmxPair(TRICKY, "Price < 5 € & \"discount\""), TmxPair("Zwei.", "Two.")], tmp_path / "out.tmx")
    root = etree.parse(str(tmp_path / "out.tmx")).getroot()
    assert root.tag == "tmx" and root.get("version") == "1.4"
    header = root.find("header")
    for attr in ("creationtool", "creationtoolversion", "segtype", "o-tmf", "adminlang", "srclang", "datatype"):
        assert header.get(attr), attr  # the attributes TMX 1.4 requires
    assert header.get("srclang") == "de" and header.get("segtype") == "sentence"
    tus = root.findall("body/tu")
    assert [tuv.get(tmx.XML_LANG) for tuv in tus[0].findall("tuv")] == ["de", "en"]
    assert tus[0].find("tuv/seg").text == TRICKY

    # an independent reader: translate-toolkit's TMX storage
    from translate.storage.tmx import tmxfile

    with open(tmp_path / "out.tmx", "rb") as f:
        store = tmxfile(f, sourcelanguage="de", targetlanguage="en")
    units = [(u.source, u.target) for u in store.units]
    assert units == [(TRICKY, 'Price < 5 € & "discount"'), ("Zwei.", "Two.")]


def test_control_characters_are_dropped_so_the_file_stays_xml(tmp_path):
    write_tmx([TmxPair("Ein\x00 Satz\x0b.", "A\x1f sentence.")], tmp_path / "out.tmx")
    assert list(read_tmx(tmp_path / "out.tmx")) == [TmxPair("Ein Satz.", "A sentence.")]


FOREIGN = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE tmx SYSTEM "tmx14.dtd">
<tmx version="1.4">
  <header creationtool="SomeCAT" creationtoolversion="9" segtype="sentence" o-tmf="x"
          adminlang="en-US" srclang="de-DE" datatype="plaintext"/>
  <body>
    <tu tuid="1">
      <tuv xml:lang="de-DE"><seg>Klicken Sie auf <bpt i="1">&lt;b&gt;</bpt>Speichern<ept i="1">&lt;/b&gt;</ept>.</seg></tuv>
      <tuv xml:lang="en-GB"><seg>Click <hi type="b">Save</hi><ph x="1">&lt;br/&gt;</ph>.</seg></tuv>
    </tu>
    <tu tuid="2">
      <tuv lang="DE"><seg>Alte Sprache.</seg></tuv>
      <tuv lang="EN_us"><seg>Old language attribute.</seg></tuv>
    </tu>
    <tu tuid="3">
      <tuv xml:lang="de-DE"><seg>Nur Deutsch.</seg></tuv>
      <tuv xml:lang="fr-FR"><seg>Seulement français.</seg></tuv>
    </tu>
    <!-- a comment -->
    <tu tuid="4"><tuv xml:lang="de"><seg>Leer.</seg></tuv><tuv xml:lang="en"><seg> </seg></tuv></tu>
  </body>
</tmx>
"""


def test_import_of_a_cat_tool_file(tmp_path):
    path = tmp_path / "approved.tmx"
    path.write_text(FOREIGN, encoding="utf-8")
    assert list(read_tmx(path)) == [
        TmxPair("Klicken Sie auf Speichern.", "Click Save."),
        TmxPair("Alte Sprache.", "Old language attribute."),
    ]
    with _memory(tmp_path / "m.sqlite3") as m:
        assert import_tmx(m, path) == 2
        hit = m.lookup(CTX_A, ["Klicken Sie auf Speichern."])["Klicken Sie auf Speichern."]
        assert (hit.text, hit.origin) == ("Click Save.", MEMORY_IMPORT)
        assert {e.context for e in m.entries()} == {"approved.tmx"}


def test_utf16_file_with_bom(tmp_path):
    path = tmp_path / "u16.tmx"
    path.write_bytes(FOREIGN.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"))
    assert len(list(read_tmx(path))) == 2


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE tmx [
  <!ENTITY a "lol">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
]>
<tmx version="1.4"><header srclang="de"/><body>
<tu><tuv xml:lang="de"><seg>&c;</seg></tuv><tuv xml:lang="en"><seg>x</seg></tuv></tu>
</body></tmx>
"""

XXE = """<?xml version="1.0"?>
<!DOCTYPE tmx [ <!ENTITY secret SYSTEM "file:///etc/passwd"> ]>
<tmx version="1.4"><header srclang="de"/><body>
<tu><tuv xml:lang="de"><seg>&secret;</seg></tuv><tuv xml:lang="en"><seg>x</seg></tuv></tu>
</body></tmx>
"""


@pytest.mark.parametrize("doc", [BILLION_LAUGHS, XXE], ids=["billion-laughs", "external-entity"])
def test_entity_declarations_are_refused(tmp_path, doc):
    path = tmp_path / "evil.tmx"
    path.write_text(doc, encoding="utf-8")
    with pytest.raises(InputError, match=r"evil\.tmx: the TMX file declares XML entities"):
        list(read_tmx(path))


@pytest.mark.parametrize("doc", [BILLION_LAUGHS, XXE], ids=["billion-laughs", "external-entity"])
def test_entities_are_not_expanded_even_past_the_prolog_check(tmp_path, monkeypatch, doc):
    monkeypatch.setattr(tmx, "_check_prolog", lambda path, where: None)
    path = tmp_path / "evil.tmx"
    path.write_text(doc, encoding="utf-8")
    pairs = list(read_tmx(path))
    assert all("lol" not in p.source and "root:" not in p.source for p in pairs)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("<html><body/></html>", "not a TMX file (the root element is <html>, not <tmx>)"),
        ("<tmx version='1.4'><body><tu></body></tmx>", "not well-formed XML"),
        ("<tmx><body><tu><tuv xml:lang='de'><seg>&undefined;</seg></tuv></tu></body></tmx>", "not well-formed XML"),
    ],
)
def test_broken_files_are_one_line_errors_naming_the_file(tmp_path, content, problem):
    path = tmp_path / "bad.tmx"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as info:
        list(read_tmx(path))
    assert str(info.value).startswith(f"{path}: {problem}")
    assert "\n" not in str(info.value)


def test_a_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="cannot read the TMX file"):
        list(read_tmx(tmp_path / "missing.tmx"))
