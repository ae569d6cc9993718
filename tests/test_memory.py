"""Translation memory: keys, imports, concurrency, eviction, stats, translate_with_memory."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

import pytest

import summtrans.memory.store as memory_module
from summtrans.memory.store import (
    MEMORY,
    MEMORY_IMPORT,
    MODEL,
    Memory,
    MemoryContext,
    MemoryOptions,
    MemoryStoreError,
    normalize_source,
    translate_with_memory,
)

CTX = MemoryContext("hub:org/model@abc123", "ctranslate2", "int8", {"num_beams": 2, "max_new_tokens": 96})


@pytest.fixture
def memory(tmp_path: Path):
    with Memory(MemoryOptions(path=tmp_path / "tm.sqlite3")) as m:
        yield m


class Counting:
    """A translate callable that counts what it is asked to do."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, texts: list[str]) -> list[str]:
        self.calls.append(list(texts))
        return [f"EN[{t}]" for t in texts]

    @property
    def segments(self) -> int:
        return sum(len(c) for c in self.calls)


def test_normalization_is_nfc_and_whitespace_only():
    assert normalize_source("  Gru\u0308\u00dfe\n aus\tBerlin. ") == "Grüße aus Berlin."
    assert normalize_source("Hallo Welt.") != normalize_source("hallo welt.")


def test_default_path_is_in_the_summtrans_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("SUMMTRANS_CACHE_DIR", str(tmp_path / "cache"))
    assert MemoryOptions().resolved_path() == tmp_path / "cache" / "memory.sqlite3"


def test_wal_mode_and_busy_timeout(memory):
    conn = sqlite3.connect(memory.path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert memory._connect().execute("PRAGMA busy_timeout").fetchone()[0] == 30000


def test_store_then_lookup_with_normalized_sources(memory):
    memory.store(CTX, [("Guten  Tag.", "Good day."), ("Danke.", "Thanks.")])
    hits = memory.lookup(CTX, ["Guten Tag.", " Danke.\n", "Neu."])
    assert hits == {
        "Guten Tag.": hits["Guten Tag."],
        " Danke.\n": hits[" Danke.\n"],
    }
    assert hits["Guten Tag."].text == "Good day." and hits["Guten Tag."].origin == MEMORY
    assert memory.counts.hits == 2 and memory.counts.misses == 1


@pytest.mark.parametrize(
    "changed",
    [
        MemoryContext(CTX.model, CTX.engine, CTX.compute_type, {"num_beams": 4, "max_new_tokens": 96}),
        MemoryContext(CTX.model, CTX.engine, CTX.compute_type, {"num_beams": 2}),
        MemoryContext("hub:org/model@def456", CTX.engine, CTX.compute_type, CTX.generation),
        MemoryContext(CTX.model, "transformers", CTX.compute_type, CTX.generation),
        MemoryContext(CTX.model, CTX.engine, "float32", CTX.generation),
        MemoryContext(CTX.model, CTX.engine, CTX.compute_type, CTX.generation, {"glossary": {"Bund": "federation"}}),
    ],
    ids=["beams", "setting-dropped", "revision", "engine", "compute-type", "glossary"],
)
def test_a_changed_model_or_setting_misses(memory, changed):
    memory.store(CTX, [("Guten Tag.", "Good day.")])
    assert memory.lookup(changed, ["Guten Tag."]) == {}
    assert memory.lookup(CTX, ["Guten Tag."])["Guten Tag."].text == "Good day."


def test_context_key_ignores_dict_order():
    a = MemoryContext("m", "e", "", {"a": 1, "b": 2}, {"x": [1, 2]})
    b = MemoryContext("m", "e", "", {"b": 2, "a": 1}, {"x": [1, 2]})
    assert a.digest() == b.digest()
    assert MemoryContext.from_description(a.description()) == a


def test_imported_translations_win_for_any_model(memory):
    other = MemoryContext("files:local-fingerprint", "transformers", "float32", {})
    memory.store(CTX, [("Guten Tag.", "Good day (model).")])
    assert memory.import_pairs([("Guten  Tag.", "Good afternoon."), ("", "ignored")], "approved.tmx") == 1
    for ctx in (CTX, other):
        hit = memory.lookup(ctx, ["Guten Tag."])["Guten Tag."]
        assert (hit.text, hit.origin) == ("Good afternoon.", MEMORY_IMPORT)
    assert memory.counts.imported == 2


def test_translate_with_memory_calls_the_model_only_for_misses(memory):
    sources = [f"Satz Nummer {i}." for i in range(50)]
    first = Counting()
    out = translate_with_memory(sources, memory, CTX, first)
    assert first.segments == 50 and all(o == MODEL for _, o in out)

    rerun = Counting()  # unchanged inputs (a --force re-run): no model work at all
    again = translate_with_memory(sources, memory, CTX, rerun)
    assert rerun.calls == [] and again == [(t, MEMORY) for t, _ in out]

    changed = sources[:45] + [f"Geänderter Satz {i}." for i in range(5)]
    partial = Counting()
    res = translate_with_memory(changed, memory, CTX, partial)
    assert partial.calls == [[f"Geänderter Satz {i}." for i in range(5)]]
    assert [o for _, o in res] == [MEMORY] * 45 + [MODEL] * 5


def test_translate_with_memory_runs_duplicates_once_and_keeps_order(memory):
    memory.import_pairs([("Hallo.", "Hello.")], "a.tmx")
    counting = Counting()
    out = translate_with_memory(["Eins.", "Hallo.", "Eins. ", "Zwei."], memory, CTX, counting)
    assert counting.calls == [["Eins.", "Zwei."]]
    assert out == [("EN[Eins.]", MODEL), ("Hello.", MEMORY_IMPORT), ("EN[Eins.]", MODEL), ("EN[Zwei.]", MODEL)]


def test_translate_without_memory_uses_the_model():
    counting = Counting()
    assert translate_with_memory(["A."], None, CTX, counting) == [("EN[A.]", MODEL)]


def test_a_wrong_number_of_outputs_is_an_error(memory):
    with pytest.raises(ValueError, match="2 inputs"):
        translate_with_memory(["A.", "B."], memory, CTX, lambda xs: ["only one"])


def test_summaries_are_keyed_on_the_exact_input(memory):
    text = "Ein langer Text.\n\nMit zwei Absätzen."
    assert memory.lookup_summary(CTX, text) is None
    memory.store_summary(CTX, text, "A summary.")
    assert memory.lookup_summary(CTX, text) == "A summary."
    assert memory.lookup_summary(CTX, text.replace("\n\n", "\n")) is None
    other = MemoryContext(CTX.model, CTX.engine, CTX.compute_type, {"num_beams": 1})
    assert memory.lookup_summary(other, text) is None
    assert memory.lookup(CTX, [text]) == {}  # a summary is not a segment translation


def _writer(path: str, worker: int, n: int, barrier) -> None:
    barrier.wait(60)  # both processes start writing at the same moment
    ctx = MemoryContext("hub:org/model@abc123", "ctranslate2", "int8", {"num_beams": 2, "max_new_tokens": 96})
    with Memory(MemoryOptions(path=Path(path))) as m:
        for start in range(0, n, 10):
            pairs = [(f"Satz {worker}-{i}.", f"Sentence {worker}-{i}.") for i in range(start, start + 10)]
            pairs.append(("Gemeinsamer Satz.", "Shared sentence."))  # both write this one
            m.store(ctx, pairs)
            m.lookup(ctx, [p[0] for p in pairs])


def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    path = tmp_path / "tm.sqlite3"
    Memory(MemoryOptions(path=path)).close()  # create the schema first
    mp = multiprocessing.get_context("spawn")
    barrier = mp.Barrier(2)
    procs = [mp.Process(target=_writer, args=(str(path), w, 200, barrier)) for w in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0]
    with Memory(MemoryOptions(path=path)) as m:
        sources = [f"Satz {w}-{i}." for w in range(2) for i in range(200)] + ["Gemeinsamer Satz."]
        hits = m.lookup(CTX, sources)
        assert len(hits) == 401
        assert hits["Satz 1-199."].text == "Sentence 1-199."
        stats = m.stats()
    assert stats.entries == 401 and len(stats.runs) == 2
    assert all(r.stored == 220 and r.hits == 220 for r in stats.runs)


def test_lru_eviction_keeps_recently_used_entries(memory, monkeypatch):
    monkeypatch.setattr(memory_module, "TOUCH_AFTER_S", 0.0)  # every hit refreshes last_used
    old = [(f"Alter Satz {i} " + "x" * 200, f"Old {i}") for i in range(100)]
    new = [(f"Neuer Satz {i} " + "y" * 200, f"New {i}") for i in range(300)]
    memory.store(CTX, old)
    memory.store(CTX, new)
    assert len(memory.lookup(CTX, [s for s, _ in old])) == 100  # the old ones are now the recent ones
    removed = memory.evict(max_bytes=memory.used_bytes() // 2)
    assert 150 < removed <= 300
    assert len(memory.lookup(CTX, [s for s, _ in old])) == 100
    assert len(memory.lookup(CTX, [s for s, _ in new])) == 400 - removed - 100
    assert memory.stats().entries == 400 - removed


def test_the_size_cap_holds_while_storing_and_spares_imports(tmp_path):
    with Memory(MemoryOptions(path=tmp_path / "tm.sqlite3", max_bytes=256 * 1024)) as m:
        m.import_pairs([("Bleibt.", "Stays.")], "a.tmx")
        for batch in range(20):
            m.store(CTX, [(f"Satz {batch}-{i} " + "z" * 300, "t" * 300) for i in range(50)])
        assert m.used_bytes() <= 256 * 1024
        stats = m.stats()
        assert 0 < stats.entries < 1000 and stats.imports == 1
        assert m.lookup(CTX, ["Satz 19-49 " + "z" * 300])  # the newest survive


def test_stats_and_clear(tmp_path):
    path = tmp_path / "tm.sqlite3"
    with Memory(MemoryOptions(path=path)) as m:
        translate_with_memory(["A.", "B."], m, CTX, Counting())
    with Memory(MemoryOptions(path=path)) as m:
        translate_with_memory(["A.", "C."], m, CTX, Counting())
        m.import_pairs([("D.", "Dee.")], "x.tmx")
        m.store_summary(CTX, "text", "summary")
    with Memory(MemoryOptions(path=path)) as m:
        stats = m.stats()
        assert (stats.entries, stats.summaries, stats.imports, stats.contexts) == (3, 1, 1, 1)
        assert stats.size_bytes > 0
        newest, oldest = stats.runs
        assert (oldest.hits, oldest.misses, oldest.stored) == (0, 2, 2)
        assert (newest.hits, newest.misses, newest.stored) == (1, 1, 2)
        assert newest.hit_rate == 0.5
        m.clear(imports=False)
        assert (m.stats().entries, m.stats().imports, m.stats().runs) == (0, 1, [])
        m.clear()
        assert m.stats().imports == 0 and m.lookup(CTX, ["A."]) == {}


def test_a_file_that_is_not_a_database_is_one_clear_error(tmp_path):
    bad = tmp_path / "tm.sqlite3"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(MemoryStoreError, match="tm.sqlite3: cannot use the translation memory"):
        Memory(MemoryOptions(path=bad))


def test_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "tm.sqlite3"
    Memory(MemoryOptions(path=path)).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = '99' WHERE name = 'schema'")
    with pytest.raises(MemoryStoreError, match="schema 99"):
        Memory(MemoryOptions(path=path))


def test_a_recent_hit_is_not_rewritten(memory):
    memory.store(CTX, [("Eins.", "One.")])
    before = memory._connect().execute("SELECT last_used FROM entries").fetchone()[0]
    assert memory.lookup(CTX, ["Eins."])
    assert memory._connect().execute("SELECT last_used FROM entries").fetchone()[0] == before


def test_context_for_an_engine(tmp_path):
    from summtrans.engines import EchoEngine, GenerationOptions

    tiny_marian = tmp_path / "model"
    tiny_marian.mkdir()
    (tiny_marian / "config.json").write_text("{}", encoding="utf-8")

    gen = GenerationOptions(num_beams=2, max_new_tokens=96)
    echo = MemoryContext.for_engine(EchoEngine(str(tiny_marian)), gen, {"prefix": ""})
    assert echo.engine == "echo" and echo.model.startswith("files:") and echo.generation == gen.as_dict()
    assert MemoryContext.for_engine(EchoEngine("echo"), gen).model == "ref:echo"
    assert echo.digest() != MemoryContext.for_engine(EchoEngine(str(tiny_marian)), gen.merged(num_beams=4)).digest()
    (tiny_marian / "model.safetensors").write_bytes(b"new weights")  # a changed local model: a new identity
    assert MemoryContext.for_engine(EchoEngine(str(tiny_marian)), gen, {"prefix": ""}).digest() != echo.digest()
