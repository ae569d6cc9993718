"""Summarizer: map-reduce over chunks that fit the model; nothing is cut, nothing crashes."""

from __future__ import annotations

import pytest
from helpers import TakeFirstEngine

from summtrans.engines import EngineOptions, GenerationOptions, load_engine
from summtrans.engines.base import EchoEngine
from summtrans.models.config import LENGTHS
from summtrans.summarize import Summarizer


def english(sentences: int) -> str:
    return " ".join(
        f"Sentence number {i} tells the reader about the city council and its plans for new bike lanes."
        for i in range(sentences)
    )


def test_short_text_is_one_chunk_one_round():
    engine = TakeFirstEngine(keep=4, max_input_tokens=64)
    s = Summarizer(engine).summarize("The council met on Monday. It approved the plan.")
    assert (s.chunks, s.rounds) == (1, 1)
    assert s.text == "The council met on"
    assert len(engine.calls) == 1


def test_long_text_map_reduce_until_one_input():
    engine = TakeFirstEngine(keep=5, max_input_tokens=64)
    text = english(200)  # about 3,400 words
    s = Summarizer(engine).summarize(text)
    assert s.chunks > 40 and s.rounds >= 2
    # every input the model saw fit, and the first round covered every sentence in order
    assert all(n <= 64 for call in engine.calls for n in engine.count_tokens(call))
    assert " ".join(engine.calls[0]).split() == text.split()
    assert len(engine.calls[-1]) == 1  # the last round summarizes one input


def test_non_shrinking_model_stops_and_keeps_everything():
    engine = EchoEngine(max_input_tokens=40)
    text = english(30)
    s = Summarizer(engine).summarize(text)
    assert s.text.split() == text.split()  # bounded rounds, no text lost


def test_several_documents_share_batches():
    engine = TakeFirstEngine(keep=3, max_input_tokens=64)
    docs = ["Short one here.", english(20), "Another short text."]
    out = Summarizer(engine).summarize_many(docs)
    assert [o.text for o in out][0] == "Short one here."
    assert out[2].text == "Another short text."
    assert len(engine.calls[0]) == 2  # the two short documents in one final batch
    assert out[1].chunks > 1


def test_prefix_counts_against_the_limit():
    engine = TakeFirstEngine(keep=3, max_input_tokens=32)
    s = Summarizer(engine, prefix="summarize these words: ")
    assert s.limit == 32 - 3
    s.summarize(english(10))
    assert all(t.startswith("summarize these words: ") for call in engine.calls for t in call)
    assert all(n <= 32 for call in engine.calls for n in engine.count_tokens(call))


def test_empty_text():
    assert Summarizer(TakeFirstEngine()).summarize("").text == ""


@pytest.mark.slow
@pytest.mark.parametrize("fixture, prefix", [("tiny_bart", ""), ("tiny_t5", "summarize: ")])
def test_real_tiny_models_long_input(request, fixture, prefix):
    path = request.getfixturevalue(fixture)
    engine = load_engine(str(path), EngineOptions(engine="transformers"))
    limit = engine.max_input_tokens
    summ = Summarizer(engine, GenerationOptions(num_beams=1, max_new_tokens=12), prefix=prefix, max_input_tokens=128)
    text = english(60)
    assert engine.count_tokens([text])[0] > 128  # longer than the (reduced) limit
    result = summ.summarize(text, length=LENGTHS["short"].merged(max_new_tokens=12, min_length=2))
    assert result.chunks > 1 and result.rounds >= 2  # map, then reduce
    assert result.text.strip()  # min_length=2: the model had to say something
    assert len(result.text.split()) <= 12  # max_new_tokens=12 caps the final round (a token is at most a word)
    assert len(result.text) < len(text) / 10
    assert limit >= 128
