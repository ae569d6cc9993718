"""Issue 10 end to end: the translation memory and language detection wired into Pipeline, folder runs and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lang_samples import FRENCH
from typer.testing import CliRunner

import summtrans.pipeline as pipeline_module
from summtrans.cli.app import app
from summtrans.engines import EchoEngine
from summtrans.formats.document import read_document
from summtrans.memory.store import Memory, MemoryOptions
from summtrans.memory.tmx import TmxPair, write_tmx
from summtrans.models.config import load_config
from summtrans.pipeline import Pipeline, PipelineOptions

runner = CliRunner()

GERMAN = [
    "Der Gemeinderat hat gestern Abend den neuen Haushalt der Stadt beschlossen.",
    "Die Sitzung wird auf nächsten Donnerstag verschoben. Bitte bestätigen Sie Ihre Teilnahme.",
    "Die Energiepreise sind seit Jahresbeginn stark gestiegen, sagte die Ministerin am Montag in Berlin.",
]
ENGLISH = (
    "The city council approved the new budget last night after a long debate about public transport, "
    "schools and the renovation of the old town hall, which has been closed for repairs since last spring."
)


class Loads:
    """Replaces `load_engine` in the pipeline: counts loads and model inputs, or refuses to load."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.loads = 0
        self.inputs = 0
        self.allowed = True
        monkeypatch.setattr(pipeline_module, "load_engine", self)

    def __call__(self, model, options):
        if not self.allowed:
            raise AssertionError(f"a model was loaded: {model}")
        self.loads += 1
        outer = self

        class Counting(EchoEngine):
            def generate(self, texts, options, progress=None):
                outer.inputs += len(texts)
                return [f"EN[{t}]" for t in super().generate(texts, options, progress)]

        return Counting(model)


def write_docs(folder: Path, n: int = 3) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        text = "\n\n".join(GERMAN[(i + k) % len(GERMAN)] for k in range(len(GERMAN)))
        (folder / f"d{i}.txt").write_text(text + "\n", encoding="utf-8")
    return folder


def invoke(*args: str):
    return runner.invoke(app, list(args))


def journal(out: Path) -> list[dict]:
    lines = [json.loads(line) for line in (out / "summtrans-journal.jsonl").read_text(encoding="utf-8").splitlines()]
    return [e for e in lines if "path" in e]


def test_force_rerun_from_memory_loads_no_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inp, out = write_docs(tmp_path / "in"), tmp_path / "out"
    loads = Loads(monkeypatch)
    r = invoke("translate", str(inp), "-o", str(out), "--engine", "echo", "-f", "json", "-q")
    assert r.exit_code == 0, r.output
    assert loads.loads == 1 and loads.inputs == 4  # each distinct sentence once, across documents
    first = {p.name: p.read_text(encoding="utf-8") for p in out.glob("*.json")}

    loads.allowed = False  # a model load now fails the test
    r = invoke("translate", str(inp), "-o", str(out), "--engine", "echo", "-f", "json", "--force")
    assert r.exit_code == 0, r.output
    assert "12 segments from the translation memory" in r.output
    again = {p.name: p.read_text(encoding="utf-8") for p in out.glob("*.json")}
    assert first.keys() == again.keys()
    for name in first:
        a, b = json.loads(first[name]), json.loads(again[name])
        assert a["translation"] == b["translation"]
        assert {s["origin"] for s in a["segments"]} == {"model"} and {s["origin"] for s in b["segments"]} == {"memory"}
        assert b["memory"] == {"hits": 4, "imported": 0, "model": 0}
        assert b["language"]["lang"] == "de" and b["source_lang"] == "de"
    lines = journal(out)
    assert lines[-1]["memory"] == {"hits": 4, "imported": 0, "model": 0} and lines[-1]["language"]["lang"] == "de"


def test_changed_setting_or_no_memory_goes_to_the_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inp, out = write_docs(tmp_path / "in", 1), tmp_path / "out"
    loads = Loads(monkeypatch)
    assert invoke("translate", str(inp), "-o", str(out), "--engine", "echo", "-q").exit_code == 0
    assert loads.inputs == 4
    r = invoke("translate", str(inp), "-o", str(out), "--engine", "echo", "-q", "--force", "--num-beams", "3")
    assert r.exit_code == 0 and loads.inputs == 8  # another generation setting: another key
    r = invoke("translate", str(inp), "-o", str(out), "--engine", "echo", "-q", "--force", "--no-memory")
    assert r.exit_code == 0 and loads.inputs == 12
    r = invoke("translate", str(inp), "-o", str(out), "--engine", "echo", "-q", "--force")
    assert r.exit_code == 0 and loads.inputs == 12  # the first setting is still remembered


def test_only_misses_are_sent_and_imports_win(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loads = Loads(monkeypatch)
    pipe = Pipeline(PipelineOptions(engine="echo"), load_config())
    doc = tmp_path / "a.txt"
    doc.write_text("\n\n".join(GERMAN) + "\n", encoding="utf-8")
    pipe.run([read_document(doc)])
    pipe.close()
    assert loads.inputs == 4
    tmx = tmp_path / "approved.tmx"
    write_tmx([TmxPair(GERMAN[0], "The council passed the budget (approved wording).")], tmx)
    r = invoke("memory", "import", str(tmx))
    assert r.exit_code == 0 and "imported 1 translation units" in r.output and "override" in r.output
    doc.write_text("\n\n".join([*GERMAN, "Ein ganz neuer Satz kommt hinzu."]) + "\n", encoding="utf-8")
    [rec] = Pipeline(PipelineOptions(engine="echo"), load_config()).run([read_document(doc)])
    assert loads.inputs == 5  # only the new sentence reached the model
    assert [s.origin for s in rec.segments] == ["memory-import", "memory", "memory", "memory", "model"]
    assert rec.translation is not None and rec.translation.startswith("The council passed the budget (approved wording).")
    assert rec.to_dict()["memory"] == {"hits": 3, "imported": 1, "model": 1}


def test_summaries_are_remembered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loads = Loads(monkeypatch)
    doc = tmp_path / "a.txt"
    doc.write_text("\n\n".join(GERMAN) + "\n", encoding="utf-8")
    [first] = Pipeline(PipelineOptions(task="summarize", engine="echo"), load_config()).run([read_document(doc)])
    assert loads.loads == 2
    loads.allowed = False
    [again] = Pipeline(PipelineOptions(task="summarize", engine="echo"), load_config()).run([read_document(doc)])
    assert again.summary == first.summary and again.translation == first.translation


def test_memory_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Loads(monkeypatch)
    inp, out = write_docs(tmp_path / "in", 1), tmp_path / "out"
    assert invoke("translate", str(inp), "-o", str(out), "--engine", "echo", "-q").exit_code == 0
    r = invoke("memory", "stats")
    assert r.exit_code == 0 and "segments: 4" in r.output and "hit rate" in r.output
    r = invoke("memory", "export", str(tmp_path / "all.tmx"))
    assert r.exit_code == 0 and "exported 4 translation units" in r.output
    assert (tmp_path / "all.tmx").read_text(encoding="utf-8").count("</tu>") == 4
    assert invoke("memory", "clear").exit_code == 1  # asks; CliRunner answers nothing
    assert invoke("memory", "clear", "--yes").exit_code == 0
    assert "segments: 0" in invoke("memory", "stats").output
    r = invoke("memory", "import", str(tmp_path / "missing.tmx"))
    assert r.exit_code == 1 and r.output.startswith("Error: ") and "missing.tmx" in r.output


def test_french_single_file_is_one_error_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loads = Loads(monkeypatch)
    brief = tmp_path / "brief.txt"
    brief.write_text(" ".join(FRENCH[:4]) + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    r = invoke("translate", "brief.txt", "--engine", "echo")
    assert r.exit_code == 1 and loads.loads == 0
    assert r.output.strip().startswith("Error: brief.txt: the text is French (fr, ")
    assert r.output.strip().endswith("); summtrans translates German")
    r = invoke("translate", "brief.txt", "--engine", "echo", "--source-lang", "de", "-q")
    assert r.exit_code == 0  # forced German: translated whatever it is


def test_folder_languages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Loads(monkeypatch)
    inp, out = tmp_path / "in", tmp_path / "out"
    inp.mkdir()
    (inp / "de.txt").write_text(GERMAN[0] + " " + GERMAN[1] + "\n\n" + ENGLISH + "\n", encoding="utf-8")
    (inp / "en.txt").write_text(ENGLISH + "\n", encoding="utf-8")
    (inp / "fr.txt").write_text(" ".join(FRENCH[:4]) + "\n", encoding="utf-8")
    r = invoke("translate", str(inp), "-o", str(out), "--engine", "echo", "-f", "json")
    assert r.exit_code == 0, r.output
    assert "1 skipped (1 not German or English)" in r.output
    assert "en.txt: the text is English (en, " in r.output and "copied through" in r.output
    entries = {e["path"]: e for e in journal(out)}
    assert entries["fr.txt"]["status"] == "skipped-language"
    assert entries["fr.txt"]["error"].startswith("the text is French (fr, ")
    en = json.loads((out / "en.json").read_text(encoding="utf-8"))
    assert en["translation"] == ENGLISH + "\n" and en["source_lang"] == "en" and en["segments"] == []
    de = json.loads((out / "de.json").read_text(encoding="utf-8"))
    origins = [s["origin"] for s in de["segments"]]
    assert origins[:3] == ["model"] * 3 and set(origins[3:]) == {"kept-english"}
    assert de["translation"].endswith("\n\n" + ENGLISH + "\n")  # the English paragraph as it was
    assert de["translation"].startswith(f"EN[{GERMAN[0]}]")


def test_summarize_english_directly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loads = Loads(monkeypatch)
    doc = tmp_path / "en.txt"
    doc.write_text(ENGLISH + "\n", encoding="utf-8")
    [rec] = Pipeline(PipelineOptions(task="summarize", engine="echo"), load_config()).run([read_document(doc)])
    assert rec.translation is None and rec.source_lang == "en" and rec.detected_lang == "en"
    assert rec.summary == f"EN[{ENGLISH}]" and loads.loads == 1  # the summary model only


def test_memory_options_travel_in_pipeline_options(tmp_path: Path) -> None:
    path = tmp_path / "tm.sqlite3"
    pipe = Pipeline(PipelineOptions(engine="echo", memory_path=str(path)), load_config())
    assert isinstance(pipe.memory, Memory) and pipe.memory.path == path
    pipe.close()
    assert Pipeline(PipelineOptions(engine="echo", memory=False), load_config()).memory is None
    with Memory(MemoryOptions(path=path)) as memory:
        assert memory.stats().entries == 0


@pytest.mark.slow
def test_profile_context_matches_the_loaded_engine(tiny_marian: Path) -> None:
    """The key computed without loading (hub identity, engine auto resolved, compute type) is the loaded engine's."""
    from summtrans.engines import EngineOptions, GenerationOptions, load_engine
    from summtrans.memory.store import MemoryContext

    gen = GenerationOptions(num_beams=1, max_new_tokens=8)
    before = MemoryContext.for_model(str(tiny_marian), EngineOptions(device="cpu"), gen)
    engine = load_engine(str(tiny_marian), EngineOptions(device="cpu"))
    assert before is not None and before == MemoryContext.for_engine(engine, gen)
    assert before.engine == "ctranslate2" and before.compute_type == "int8" and before.model.startswith("files:")


def test_detection_is_remembered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import summtrans.language.detect as langdetect

    Loads(monkeypatch)
    doc = tmp_path / "de.txt"
    doc.write_text(GERMAN[0] + " " + GERMAN[1] + "\n\n" + ENGLISH + "\n", encoding="utf-8")
    [first] = Pipeline(PipelineOptions(engine="echo"), load_config()).run([read_document(doc)])

    def no_detector(text):
        raise AssertionError("detected again")

    monkeypatch.setattr(langdetect, "detect", no_detector)
    monkeypatch.setattr(langdetect, "english_units", no_detector)
    [again] = Pipeline(PipelineOptions(engine="echo"), load_config()).run([read_document(doc)])
    assert (again.detected_lang, again.lang_confidence) == (first.detected_lang, first.lang_confidence)
    assert [s.origin for s in again.segments][-1] == "kept-english"
    with pytest.raises(AssertionError, match="detected again"):
        Pipeline(PipelineOptions(engine="echo", memory=False), load_config()).run([read_document(doc)])


def test_groups_count_only_what_the_memory_cannot_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Loads(monkeypatch)
    doc = tmp_path / "a.txt"
    doc.write_text("\n\n".join(GERMAN) + "\n", encoding="utf-8")
    pipe = Pipeline(PipelineOptions(engine="echo"), load_config())
    assert pipe.pending_chars(read_document(doc)) > len(" ".join(GERMAN))  # nothing remembered yet
    pipe.run([read_document(doc)])
    counts = pipe.memory.counts.lookups
    doc.write_text("\n\n".join([*GERMAN, "Ein neuer Satz."]) + "\n", encoding="utf-8")
    assert pipe.pending_chars(read_document(doc)) == len("Ein neuer Satz.") + 1
    assert pipe.memory.counts.lookups == counts  # a look ahead is not a lookup
    assert Pipeline(PipelineOptions(engine="echo", memory=False), load_config()).pending_chars(read_document(doc)) == len(
        read_document(doc).text)
