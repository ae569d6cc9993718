"""One thread runs every model call of the server: concurrent text requests batched, documents between.

Many small /translate calls share engine batches, as a folder run's documents do: the thread takes
every request waiting (up to a cap on texts), runs them in one call, and hands each request its
part. Before a round it waits (at most `window_s`) for as many requests as the last round had:
a steady crowd of clients shares each round, and a lone client is never kept waiting. The queue is bounded: past `max_queue` waiting requests,
`submit` raises `Busy` (the API's 429). Document jobs (`call`) run when no text request waits, so
typing in the page stays quick while a long document is queued (a document already running is
not interrupted). The pipeline is used from this thread alone: the engine, the translation memory's
connection and the faithful layer need no locks.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

__all__ = ["Busy", "ModelThread"]

log = logging.getLogger(__name__)

T = TypeVar("T")


class Busy(Exception):
    """More requests wait for the model than the queue holds."""


@dataclass
class _Waiting(Generic[T]):
    item: T
    size: int  # texts it brings to a batch
    future: Future = field(default_factory=Future)


class ModelThread(Generic[T]):
    """The model's thread. `run_batch(items)` answers a batch of text requests (one result or
    exception per item, in order); `call(fn)` runs other model work (a document) in turn."""

    def __init__(
        self,
        run_batch: Callable[[list[T]], Sequence[Any]],
        *,
        max_queue: int = 256,
        window_s: float = 0.02,
        max_batch: int = 64,
        name: str = "summtrans-model",
        on_exit: Callable[[], None] | None = None,
    ) -> None:
        self._run_batch = run_batch
        self._on_exit = on_exit
        self.max_queue = max_queue
        self.window_s = window_s
        self.max_batch = max_batch
        self._cond = threading.Condition()
        self._texts: deque[_Waiting[T]] = deque()
        self._calls: deque[tuple[Callable[[], Any], Future]] = deque()
        self._stopping = False
        self._last_round = 1  # requests in the last round: how many to wait for in the next
        self.batches = 0  # engine rounds run (for /v1/status)
        self.requests = 0  # text requests answered
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    def submit(self, item: T, size: int = 1) -> Future:
        """Queue a text request; its future gets its result. Raises Busy when the queue is full."""
        with self._cond:
            if self._stopping:
                raise Busy("the server is shutting down")
            if len(self._texts) >= self.max_queue:
                raise Busy(f"more than {self.max_queue} requests are waiting")
            waiting = _Waiting(item, max(size, 1))
            self._texts.append(waiting)
            self._cond.notify()
            return waiting.future

    def call(self, fn: Callable[[], Any]) -> Future:
        """Run `fn` on the model thread when no text request waits; its future gets the result."""
        future: Future = Future()
        with self._cond:
            if self._stopping:
                future.cancel()
                return future
            self._calls.append((fn, future))
            self._cond.notify()
        return future

    @property
    def waiting(self) -> int:
        return len(self._texts)

    def stop(self, timeout: float | None = None) -> None:
        """Answer the text requests queued, cancel the calls not started (a document job stays
        queued on disk), run `on_exit` on the thread, and end it (waiting at most `timeout` seconds)."""
        with self._cond:
            self._stopping = True
            while self._calls:
                self._calls.popleft()[1].cancel()
            self._cond.notify()
        self._thread.join(timeout)

    def _take(self) -> list[_Waiting[T]] | tuple[Callable[[], Any], Future] | None:
        with self._cond:
            while not (self._texts or self._calls or self._stopping):
                self._cond.wait()
            if self._texts:
                # Wait (at most window_s) for as many requests as the last round had: clients just
                # answered send their next request within milliseconds, and one round for all of
                # them beats a round for each. One client: the last round had 1, no wait at all.
                deadline = time.monotonic() + self.window_s
                want = min(self._last_round, self.max_batch)
                while len(self._texts) < want and sum(w.size for w in self._texts) < self.max_batch and not self._stopping:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    self._cond.wait(left)
                batch, texts = [], 0
                while self._texts and (not batch or texts + self._texts[0].size <= self.max_batch):
                    waiting = self._texts.popleft()
                    batch.append(waiting)
                    texts += waiting.size
                self._last_round = len(batch)
                return batch
            if self._calls:
                return self._calls.popleft()
            return None  # stopping, nothing left

    def _loop(self) -> None:
        while True:
            work = self._take()
            if work is None:
                if self._on_exit is not None:
                    try:
                        self._on_exit()
                    except Exception:
                        log.warning("closing the models failed", exc_info=True)
                return
            if isinstance(work, list):
                self._answer(work)
            else:
                fn, future = work
                if future.set_running_or_notify_cancel():
                    try:
                        future.set_result(fn())
                    except Exception as exc:  # the caller's error, reported to the caller
                        future.set_exception(exc)

    def _answer(self, batch: list[_Waiting[T]]) -> None:
        try:
            results = list(self._run_batch([w.item for w in batch]))
            if len(results) != len(batch):
                raise RuntimeError(f"run_batch answered {len(results)} of {len(batch)} requests")
        except Exception as exc:  # the shared call failed: every request in it gets the error
            log.debug("batch of %d requests failed", len(batch), exc_info=True)
            results = [exc] * len(batch)
        self.batches += 1
        self.requests += len(batch)
        for waiting, result in zip(batch, results):
            if isinstance(result, Exception):
                waiting.future.set_exception(result)
            else:
                waiting.future.set_result(result)
