"""Translator: nothing dropped, order and layout kept, real models loaded through the real path."""

from __future__ import annotations

import re

import pytest
from helpers import install_in_hub_cache

from summtrans.engines import EngineOptions, GenerationOptions, load_engine
from summtrans.engines.base import EchoEngine, token_budget_batches
from summtrans.errors import EngineError, ModelLoadError, UsageError
from summtrans.models.config import parse_config
from summtrans.models.hub import resolve_model
from summtrans.pipeline import Pipeline, PipelineOptions
from summtrans.translate import Translator


def long_run_on(words: int = 2000) -> str:
    vocab = ["der", "Bürger", "hat", "gestern", "in", "Wien", "über", "die", "Straße", "gesprochen", "und", "dann"]
    parts = []
    for i in range(words):
        w = f"{vocab[i % len(vocab)]}{i}"
        parts.append(w + ("," if i % 37 == 36 else ""))
    return " ".join(parts)


def paragraphs(text: str) -> list[str]:
    return [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]


def test_2000_words_without_full_stop_are_translated_in_full():
    engine = EchoEngine(max_input_tokens=64)
    text = long_run_on(2000)
    result = Translator(engine).translate(text)
    sent = [t for call in engine.calls for t in call]
    assert all(n <= 64 for n in engine.count_tokens(sent))  # every window fits the model
    assert len(sent) >= 2000 // 64
    # every word reached the model, in order, and came back into the output
    assert " ".join(sent).split() == text.split()
    assert result.text.split() == text.split()
    assert len(result.segments) == 1 and result.segments[0].parts == len(sent)


def test_2000_words_reach_a_real_tiny_model(tiny_marian):
    engine = load_engine(str(tiny_marian), EngineOptions(engine="transformers"))
    seen: list[str] = []
    original = engine.generate

    def recording(texts, options, progress=None):
        seen.extend(texts)
        return original(texts, options, progress)

    engine.generate = recording
    tr = Translator(engine, GenerationOptions(num_beams=1, max_new_tokens=4))
    text = long_run_on(2000)
    out = tr.translate(text)
    assert all(n <= engine.max_input_tokens for n in engine.count_tokens(seen))
    assert "".join(" ".join(seen).split()) == "".join(text.split())
    assert out.segments[0].parts == len(seen) > 1


def test_paragraphs_and_order_survive_batching():
    text = "\n\n".join(
        f"Absatz {p}: Das ist Satz eins. Und hier kommt Satz zwei mit {'vielen ' * (p % 5)}Wörtern." for p in range(40)
    )
    result = Translator(EchoEngine()).translate(text)
    assert result.text == text  # identity engine: exact reassembly, in input order
    assert len(paragraphs(result.text)) == len(paragraphs(text)) == 40


def test_paragraph_count_with_real_model(tiny_marian):
    text = "Erster Absatz. Noch ein Satz.\n\nZweiter Absatz hier.\n\n- Punkt eins\n- Punkt zwei\n\nLetzter Absatz."
    engine = load_engine(str(tiny_marian), EngineOptions(engine="transformers"))
    out = Translator(engine, GenerationOptions(num_beams=1, max_new_tokens=6)).translate(text).text
    assert len(paragraphs(out)) == len(paragraphs(text))
    assert out.count("\n- ") == 2 and "\n\n- " in out


def test_sorted_batches_come_back_in_input_order(tiny_marian):
    engine = load_engine(str(tiny_marian), EngineOptions(engine="transformers", max_batch_tokens=40))
    texts = ["Ein Haus.", "Der große Hund läuft über die grüne Wiese am Fluss.", "Ja.", "Zwei Kinder spielen im Park."]
    gen = GenerationOptions(num_beams=1, max_new_tokens=6)
    alone = [engine.generate([t], gen)[0] for t in texts]
    assert engine.generate(texts, gen) == alone


def test_identical_segments_are_translated_once():
    engine = EchoEngine()
    Translator(engine).translate("Guten Tag. Guten Tag. Guten Tag.\n\nGuten Tag.")
    assert sum(len(c) for c in engine.calls) == 1


def test_markdown_code_is_left_alone():
    text = "# Titel\n\nText mit `code()` hier.\n\n```\nnicht übersetzen\n```\n"
    engine = EchoEngine(prefix="EN:")
    out = Translator(engine).translate(text, markdown=True).text
    assert "```\nnicht übersetzen\n```" in out and "`code()`" in out
    assert out.startswith("# EN:Titel")


def test_engine_failures_are_engine_errors(tiny_marian, monkeypatch):
    """A failing model reports an EngineError naming the model, never a bare RuntimeError."""
    engine = load_engine(str(tiny_marian), EngineOptions(engine="transformers"))

    def out_of_memory(**kwargs):
        raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")

    monkeypatch.setattr(engine.model, "generate", out_of_memory)
    with pytest.raises(EngineError) as err:
        Translator(engine, GenerationOptions(num_beams=1)).translate("Das ist ein Haus.")
    assert str(err.value) == (
        f"model '{tiny_marian}' failed on the transformers engine: CUDA out of memory. Tried to allocate 2.00 GiB"
    )


def test_input_over_the_model_limit_is_an_engine_error():
    engine = EchoEngine("echo-64", max_input_tokens=64)
    with pytest.raises(EngineError, match="an input of 101 tokens exceeds the 64-token limit of 'echo-64'"):
        engine.generate(["Wort " * 100], GenerationOptions())
    assert engine.calls == []  # refused before generating anything


@pytest.mark.parametrize(("limit", "prefix"), [(1, ""), (4, "fasse zusammen: drei Wörter"), (4, "drei Wörter hier")])
def test_input_limit_without_room_for_text_is_a_usage_error(limit, prefix):
    engine = EchoEngine("tiny", max_input_tokens=512)
    with pytest.raises(UsageError, match=f"model 'tiny': an input limit of -?\\d+ tokens.* leaves no room for text"):
        Translator(engine, max_input_tokens=limit, prefix=prefix)


def test_smallest_workable_input_limit_translates_word_by_word():
    engine = EchoEngine("tiny", max_input_tokens=512)
    result = Translator(engine, max_input_tokens=3).translate("Ein Haus am See.")
    assert result.text == "Ein Haus am See."
    assert [t for call in engine.calls for t in call] == ["Ein Haus", "am See."]


def test_token_budget_batches_sorted_and_bounded():
    lengths = [5, 50, 3, 20, 20, 7, 100, 1]
    batches = token_budget_batches(lengths, max_batch_tokens=60)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for b in batches:
        assert len(b) == 1 or len(b) * max(lengths[i] for i in b) <= 60
    flat = [lengths[i] for b in batches for i in b]
    assert flat == sorted(flat)


def test_hub_id_loads_from_cache_offline(tiny_marian, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    install_in_hub_cache(tiny_marian, tmp_path / "hf", "Helsinki-NLP/opus-mt-de-en")
    cfg = parse_config(
        {"profiles": {"opus": {"task": "translation", "model": "Helsinki-NLP/opus-mt-de-en",
                               "generation": {"num_beams": 2, "max_new_tokens": 8}}}}
    )
    pipe = Pipeline(PipelineOptions(engine="transformers"), cfg)  # a hub id, resolved from the cache
    out = pipe.translator.translate("Das ist ein Haus.")
    assert pipe.translator.engine.model_id == "Helsinki-NLP/opus-mt-de-en"
    assert pipe.translator.generation == GenerationOptions(num_beams=2, max_new_tokens=8)  # the profile's
    # The random tiny model would ramble up to its max_length of 512; the profile caps it at 8 tokens.
    assert 1 <= len(pipe.translator.engine.tokenizer(out.text)["input_ids"]) <= 8 + 1  # + </s>


def test_uncached_model_offline_fails_fast_with_one_clear_message(monkeypatch):
    import huggingface_hub

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(huggingface_hub, "snapshot_download", lambda *a, **k: pytest.fail("network touched"))
    with pytest.raises(ModelLoadError) as err:
        resolve_model("Helsinki-NLP/opus-mt-de-en")
    msg = str(err.value)
    assert "Helsinki-NLP/opus-mt-de-en" in msg and "not in the local cache" in msg and "HF_HOME" in msg
    assert "HF_HUB_OFFLINE" in msg


def test_uncached_model_with_unreachable_hub(monkeypatch):
    import huggingface_hub

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    calls = []

    def down(repo_id, **kwargs):
        calls.append(kwargs)
        raise OSError("Name or service not known")

    monkeypatch.setattr(huggingface_hub, "snapshot_download", down)
    with pytest.raises(ModelLoadError, match="not in the local cache .* could not be reached .*Name or service"):
        resolve_model("sshleifer/distilbart-cnn-12-6")
    assert len(calls) == 1  # one attempt, no retry loop


def test_missing_local_directory():
    with pytest.raises(ModelLoadError, match="does not exist"):
        resolve_model("./no/such/model")


EXPECTED = [
    ("man", "orange", "hat"),
    ("boston", "terrier", "grass", "fence"),
    ("girl", "karate"),
    ("five", "people", "snow", "helmets"),
    ("people", "roof", "house"),
]


@pytest.mark.slow
def test_mini_marian_translates_multi30k(mini_marian, shared_dir):
    de = (shared_dir / "corpus/multi30k-test2016/test_2016_flickr.de").read_text(encoding="utf-8").splitlines()
    engine = load_engine(str(mini_marian), EngineOptions(engine="transformers"))
    outs = Translator(engine).translate_segments(de[: len(EXPECTED)])
    for out, words in zip(outs, EXPECTED):
        assert set(words) <= set(re.findall(r"[a-z]+", out.lower())), out
