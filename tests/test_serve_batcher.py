"""The model thread's batching and bound (serve.batcher), and the engines' n-best lists it uses."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from summtrans.engines import EngineOptions, GenerationOptions, load_engine
from summtrans.serve.batcher import Busy, ModelThread

pytestmark = pytest.mark.timeout(60)


def held(thread: ModelThread) -> threading.Event:
    """Keep the model thread busy until the returned event is set."""
    gate = threading.Event()
    started = threading.Event()
    thread.call(lambda: (started.set(), gate.wait()))
    assert started.wait(5)
    return gate


def test_waiting_requests_share_one_call_up_to_the_cap_and_are_never_split() -> None:
    calls: list[list[str]] = []
    thread = ModelThread(lambda items: calls.append(list(items)) or [i.upper() for i in items], max_batch=10, window_s=0)
    gate = held(thread)
    futures = [thread.submit(f"t{i}") for i in range(24)] + [thread.submit("big", size=12)]
    gate.set()
    assert [f.result(5) for f in futures] == [f"T{i}" for i in range(24)] + ["BIG"]
    assert [len(c) for c in calls] == [10, 10, 4, 1]  # in order; the 12-text request alone
    thread.stop(5)


def test_queue_bound_and_failures_stay_with_their_batch() -> None:
    def run(items):
        if "boom" in items:
            raise RuntimeError("engine failed")
        return [len(i) for i in items]

    thread = ModelThread(run, max_queue=2, window_s=0)
    gate = held(thread)
    a, b = thread.submit("boom"), thread.submit("x")
    with pytest.raises(Busy):
        thread.submit("y")
    gate.set()
    with pytest.raises(RuntimeError):
        a.result(5)
    with pytest.raises(RuntimeError):  # same engine call: same failure
        b.result(5)
    assert thread.submit("four").result(5) == 4  # the thread goes on
    thread.stop(5)


def test_text_requests_go_before_queued_documents_and_stop_cancels_those_not_started() -> None:
    order: list[str] = []
    thread = ModelThread(lambda items: order.extend(items) or list(items), window_s=0)
    gate = held(thread)
    doc = thread.call(lambda: order.append("document"))
    text = thread.submit("text")
    gate.set()
    text.result(5)
    doc.result(5)
    assert order == ["text", "document"]
    gate = held(thread)
    late = thread.call(lambda: order.append("late"))
    stopper = threading.Thread(target=thread.stop, args=(5,))
    stopper.start()
    time.sleep(0.05)
    gate.set()
    stopper.join(5)
    assert late.cancelled() and "late" not in order


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["transformers", "ctranslate2"])
def test_nbest_lists_start_with_the_best_and_are_distinct(tiny_marian: Path, engine: str) -> None:
    e = load_engine(str(tiny_marian), EngineOptions(engine=engine))
    options = GenerationOptions(max_new_tokens=8, num_beams=3)  # n-best widens the beam to n: compare at n
    texts = ["Der Mann liest ein Buch.", "Die Frau"]
    best = e.generate(texts, options)
    nbest = e.generate_nbest(texts, options, 3)
    assert [h[0] for h in nbest] == best  # the best of the list is what generate() gives
    assert all(len(h) == 3 and len(set(h)) > 1 for h in nbest)


def test_a_round_waits_for_as_many_requests_as_the_last_one_and_a_lone_client_not_at_all() -> None:
    rounds: list[list[str]] = []
    thread = ModelThread(lambda items: rounds.append(list(items)) or list(items), window_s=5.0)
    assert thread.submit("alone").result(2) == "alone"  # the last round had 1: no wait for company
    gate = held(thread)
    first = [thread.submit(f"a{i}") for i in range(3)]
    gate.set()
    [f.result(5) for f in first]  # a round of 3
    late = [thread.submit("b0")]
    time.sleep(0.3)  # the thread waits for two more, as the last round had three
    late += [thread.submit("b1"), thread.submit("b2")]
    assert [f.result(5) for f in late] == ["b0", "b1", "b2"]
    assert rounds == [["alone"], ["a0", "a1", "a2"], ["b0", "b1", "b2"]]
    thread.stop(5)
