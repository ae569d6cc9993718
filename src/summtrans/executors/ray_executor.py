"""`RayExecutor`: the groups of a folder run go to Ray actors, each holding one pipeline.

The driver keeps everything that needs one writer (discovery, the resume decision, reading and
hashing inputs, outputs, the journal); the actors only turn groups of documents into results.
Document text travels to the actors and results come back, so no node but the driver needs to
see the inputs or OUTDIR.

A group goes to the workers in parts: consecutive runs of its documents of about equal length,
one per worker (none shorter than `MIN_PART_CHARS`), each to the worker with the least text
queued. A local run's CTranslate2 shares a group among its threads the same way; a group sent
whole would keep one worker busy while the others wait (a small folder is often one group).
The loop gets the group back whole once every part is done (a part's failure fails the group,
which the loop retries document by document, as locally), so the journal is a local run's.

Ray core actors, not Ray Data: the run loop produces groups lazily (it reads inputs one by one and
stops producing them on a first Ctrl-C) and must get every group back, in order, paired with its
documents; a bounded queue of `in_flight` parts per actor gives that directly, holds at most
about ``workers × in_flight`` parts in the cluster, and starts no extra Ray tasks beside the actors
(Ray Data's own scheduling and read tasks need free CPUs that a small machine's actors hold).

A worker that dies (killed process, lost node) is restarted by Ray (``max_restarts=-1``) and all
its parts in flight are sent again. Only the part it was running (the first: an actor runs its
calls in order) is blamed: a second death while running it fails its group, which the loop
retries document by document. So a document that kills its worker every time ends up ``failed``
in the journal, and every other document is done.
"""

from __future__ import annotations

import logging
import math
import os
import signal
import time
from bisect import bisect_left
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

from ..errors import ExecutorError, SummtransError, UsageError
from ..formats.document import Document
from ..pipeline import Pipeline
from ..progress import Progress
from ..records import DocumentResult
from .options import ExecutorOptions
from .worker import FATAL, PipelineWorker, WorkerFailure

__all__ = ["MIN_PART_CHARS", "RAY_MISSING", "RayExecutor", "WorkerError", "ray_available", "split_group", "start_ray",
           "worker_count"]

log = logging.getLogger("summtrans.ray")

RAY_MISSING = '--executor ray needs Ray: pip install "summtrans[ray]"'
POLL_S = 0.2  # how often a wait looks up, so that a signal handler runs promptly
PLACEMENT_WARNING_S = 60.0  # say so when the workers are still not placed after this long
CLOSE_WAIT_S = 5.0  # how long close() waits for the workers to close their pipelines
STALL_WARNING_S = 600.0  # say so when no group has come back for this long (a worker Ray cannot place again)
# A group is cut into parts of at least this many characters (~20-30 sentences): a pipeline run's
# CPU per document is flat from there (mini Marian, one thread), 8% more at 1,100 characters a
# call, 35% more for one 330-character document.
MIN_PART_CHARS = 2_000


def ray_available() -> bool:
    """Whether Ray can be imported (without importing it)."""
    import importlib.util

    try:
        return importlib.util.find_spec("ray") is not None
    except (ImportError, ValueError):
        return False


class WorkerError(SummtransError):
    """A group failed on a Ray worker; the message is what a local run would have recorded."""


def start_ray(o: ExecutorOptions) -> tuple[Any, bool]:
    """The ray module, connected; and whether this call started (so must shut down) the session."""
    import ray

    if ray.is_initialized():  # a caller (a test, a notebook) holds a Ray session: use it
        return ray, False
    kwargs: dict[str, Any] = dict(
        log_to_driver=o.debug, logging_level=logging.INFO if o.debug else logging.ERROR,
        namespace="summtrans",
    )
    address = o.address or os.environ.get("RAY_ADDRESS")  # `ray job submit` sets RAY_ADDRESS
    if address:
        kwargs["address"] = address
    else:  # a local instance for this run: room for the workers asked for
        want = math.ceil((o.workers or 0) * o.cpus_per_worker)
        kwargs.update(num_cpus=max(os.cpu_count() or 1, want), include_dashboard=False)
    # ray.init replaces the SIGTERM handler; the run loop's handlers must stay in place.
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    t0 = time.perf_counter()
    try:
        ray.init(**kwargs)
    except Exception as exc:
        where = address or "a local instance"
        raise ExecutorError(f"cannot start Ray ({where}): {type(exc).__name__}: {exc}") from exc
    finally:
        for sig, handler in handlers.items():
            if handler is not None:
                signal.signal(sig, handler)
    log.info("Ray %s in %.1f s", "joined at " + address if address else "started", time.perf_counter() - t0)
    return ray, True


def worker_count(ray: Any, o: ExecutorOptions) -> int:
    """--workers, or as many as the cluster's CPUs (and GPUs) hold; more than it holds is refused."""
    total = ray.cluster_resources()
    cpus, gpus = total.get("CPU", 0.0), total.get("GPU", 0.0)
    if o.gpus_per_worker > 0 and gpus < o.gpus_per_worker:
        raise UsageError(f"--gpus-per-worker {o.gpus_per_worker:g}: the Ray cluster has {gpus:g} GPUs")
    fit = int(cpus // o.cpus_per_worker)
    if o.gpus_per_worker > 0:
        fit = min(fit, int(gpus // o.gpus_per_worker))
    workers = o.workers or max(fit, 1)
    if workers > fit:  # actors that cannot be placed would wait for ever
        raise UsageError(
            f"--workers {workers} need {workers * o.cpus_per_worker:g} CPUs"
            + (f" and {workers * o.gpus_per_worker:g} GPUs" if o.gpus_per_worker else "")
            + f"; the Ray cluster has {cpus:g} CPUs and {gpus:g} GPUs"
        )
    return workers


def split_group(group: list[Document], parts: int, min_chars: int = MIN_PART_CHARS) -> list[list[Document]]:
    """`group` cut into at most `parts` consecutive runs of about equal text, none under `min_chars`
    characters (unless the group is), each with one document at least; in the group's order."""
    ends = list(accumulate(max(len(doc.text), 1) for doc in group))  # the text up to each document's end
    total = ends[-1] if ends else 0
    k = max(1, min(parts, len(group), total // max(min_chars, 1)))
    cuts = [0]
    for m in range(1, k):  # each cut after the document whose end is nearest to m/k of the text
        target = total * m / k
        j = bisect_left(ends, target)
        nearest = min((i for i in (j - 1, j) if i >= 0), key=lambda i: abs(ends[i] - target))
        cuts.append(min(max(nearest + 1, cuts[-1] + 1), len(group) - (k - m)))
    cuts.append(len(group))
    return [group[a:b] for a, b in zip(cuts, cuts[1:])]


@dataclass(eq=False)
class _Slot:
    actor: Any  # the actor handle
    jobs: list[_Job] = field(default_factory=list)  # sent to it and not yet collected, in order (it runs them so)

    @property
    def in_flight(self) -> int:
        return len(self.jobs)

    @property
    def load(self) -> tuple[int, int]:
        """What it has queued: characters, then jobs (the least loaded gets the next part)."""
        return sum(job.chars for job in self.jobs), len(self.jobs)


@dataclass(eq=False)
class _Job:
    group: list[Document]  # a part of one of the loop's groups (all of it, when it was not split)
    ref: Any  # the ObjectRef of its result
    slot: _Slot
    attempt: int = 1  # 2 once resent after its worker died while running it
    outcome: list[DocumentResult] | Exception | None = None  # set when it is done (run() yields its group then)

    @property
    def chars(self) -> int:
        return sum(len(doc.text) for doc in self.group)


@dataclass(eq=False)
class _Group:
    docs: list[Document]  # as the loop made it
    jobs: list[_Job]  # its parts, in order

    @property
    def outcome(self) -> list[DocumentResult] | Exception | None:
        """None until every part is done; then the results in order, or the first failure."""
        results: list[DocumentResult] = []
        failure: Exception | None = None
        for job in self.jobs:
            if job.outcome is None:
                return None
            if isinstance(job.outcome, Exception):
                failure = failure or job.outcome
            else:
                results.extend(job.outcome)
        return failure if failure is not None else results


class RayExecutor:
    """Runs the groups of a folder run on Ray actors; see the module's docstring.

    Ray starts (or is joined) on the first group, so a finished folder starts nothing. `close()`
    kills the actors and shuts down a Ray instance started for the run.
    """

    def __init__(self, pipeline: Pipeline, options: ExecutorOptions, progress: Progress | None = None) -> None:
        if not ray_available():
            raise UsageError(RAY_MISSING)
        self.pipeline = pipeline
        self.options = options
        self.progress = progress  # receives the segment counts of finished groups (run_batch hands it its meter)
        self.slots: list[_Slot] = []
        self.started_ray = False  # this executor started the Ray instance (and shuts it down)
        self.deaths_in_a_row = 0  # worker deaths since a group last came back
        self.min_part_chars = MIN_PART_CHARS  # groups shorter than twice this go whole (benchmarks send all whole)
        self.stats = {"groups": 0, "parts": 0, "resent": 0, "worker_deaths": 0}  # groups sent, parts done: logs, benchmarks
        self._ray: Any = None

    # -- start-up --------------------------------------------------------------------------------

    def _start(self) -> None:
        if self._ray is not None:
            return
        ray, self.started_ray = start_ray(self.options)
        self._ray = ray
        o = self.options
        workers = worker_count(ray, o)
        actor_class = ray.remote(num_cpus=o.cpus_per_worker, num_gpus=o.gpus_per_worker,
                                 max_restarts=-1, max_task_retries=0)(PipelineWorker)
        p = self.pipeline
        self.slots = [_Slot(actor_class.remote(type(p), p.options, p.config)) for _ in range(workers)]
        t0 = time.perf_counter()
        loads = [slot.actor.load.remote() for slot in self.slots]
        for ref in loads:
            failure = self._get(ref, "the Ray workers to load their models")
            if failure is not None:
                raise FATAL.get(failure.fatal or "model", ExecutorError)(failure.message)
        log.info("%d Ray workers (%g CPU, %g GPU each) loaded the models in %.1f s",
                 workers, o.cpus_per_worker, o.gpus_per_worker, time.perf_counter() - t0)
        if self.progress is not None:
            self.progress.add_total(0)  # the segment meter's clock starts with the models loaded, as locally

    def _get(self, ref: Any, what: str) -> Any:
        """ray.get that lets signal handlers run and says when placement takes long."""
        ray, t0, warned = self._ray, time.monotonic(), False
        while not ray.wait([ref], timeout=POLL_S)[0]:
            if not warned and time.monotonic() - t0 > PLACEMENT_WARNING_S:
                log.warning("still waiting for %s (does the cluster have the resources?)", what)
                warned = True
        try:
            return ray.get(ref)
        except ray.exceptions.RayActorError as exc:
            raise ExecutorError(f"a Ray worker died while loading the models: {exc}") from exc

    # -- the groups ------------------------------------------------------------------------------

    def _submit(self, group: list[Document]) -> _Group:
        """Send `group` to the workers in parts (see the module's docstring)."""
        self.stats["groups"] += 1
        jobs = []
        for part in split_group(group, len(self.slots), self.min_part_chars):
            slot = min(self.slots, key=lambda s: s.load)
            job = _Job(part, slot.actor.run.remote(part), slot)
            slot.jobs.append(job)
            jobs.append(job)
        return _Group(group, jobs)

    def _capacity(self) -> int:
        return len(self.slots) * self.options.in_flight - sum(s.in_flight for s in self.slots)

    def _collect(self, job: _Job) -> None:
        """Settle a job whose result is ready: its outcome, or (its worker died) the dead worker's jobs."""
        ray = self._ray
        try:
            value = ray.get(job.ref)
        except ray.exceptions.RayActorError as exc:
            self._died(job.slot, exc)
            return
        except ray.exceptions.RayError as exc:  # the task itself broke (e.g. a result that cannot be pickled)
            value = WorkerFailure(f"{type(exc).__name__}: {exc}")
        job.slot.jobs.remove(job)
        self.deaths_in_a_row = 0
        if isinstance(value, WorkerFailure):
            if value.fatal:
                raise FATAL[value.fatal](value.message)
            job.outcome = WorkerError(value.message)
            return
        self.stats["parts"] += 1
        if self.progress is not None and value.segments:
            self.progress.add_total(value.segments)
            self.progress.advance(value.segments)
        job.outcome = value.results

    def _died(self, slot: _Slot, exc: Exception) -> None:
        """A worker died: resend every job it had (whichever run() call holds it), once more for the job it
        was running (the first of them: a worker runs its jobs in order); that one fails if it dies twice."""
        ray = self._ray
        ray.wait([j.ref for j in slot.jobs], num_returns=len(slot.jobs), timeout=1.0)  # the others fail with it
        dead = []
        for job in list(slot.jobs):
            if ray.wait([job.ref], timeout=0)[0]:
                try:
                    ray.get(job.ref)
                except ray.exceptions.RayActorError:
                    dead.append(job)
        self.stats["worker_deaths"] += 1
        self.deaths_in_a_row += 1
        limit = max(10, 4 * len(self.slots) * self.options.in_flight)
        if self.deaths_in_a_row > limit:
            raise ExecutorError(f"Ray workers keep dying ({self.deaths_in_a_row} in a row): {exc}") from exc
        log.warning("a Ray worker died with %d groups in hand: sending them again", len(dead))
        for i, job in enumerate(dead):
            slot.jobs.remove(job)
            if i == 0:
                job.attempt += 1  # the one it was running; those queued behind it are not to blame
            if job.attempt > 2:
                job.outcome = WorkerError(f"the Ray worker died twice while processing it ({type(exc).__name__})")
                continue
            self.stats["resent"] += 1
            target = min(self.slots, key=lambda s: s.load)
            job.ref, job.slot = target.actor.run.remote(job.group), target
            target.jobs.append(job)

    def run(self, groups: Iterable[list[Document]]) -> Iterator[tuple[list[Document], list[DocumentResult] | Exception]]:
        """Yield ``(group, results or exception)`` in the order the groups came, as the loop expects."""
        source = iter(groups)
        jobs: deque[_Group] = deque()  # this call's groups, in order (a retry's single documents run nested)
        exhausted = False
        last = time.monotonic()  # when a group last came back
        while True:
            while not exhausted and (self._capacity() > 0 or not jobs):
                group = next(source, None)  # the loop reads inputs here; it stops producing after a signal
                if group is None:
                    exhausted = True
                    break
                self._start()
                jobs.append(self._submit(group))
            while jobs and jobs[0].outcome is not None:
                done = jobs.popleft()
                yield done.docs, done.outcome
            if not jobs:
                if exhausted:
                    return
                continue
            waiting = [j for g in jobs for j in g.jobs if j.outcome is None]
            ready, _ = self._ray.wait([j.ref for j in waiting], num_returns=1, timeout=POLL_S)
            if ready:
                last = time.monotonic()
            elif time.monotonic() - last > STALL_WARNING_S:
                log.warning("no group came back for %.0f s: can Ray place the workers again? (`ray status`)", STALL_WARNING_S)
                last = time.monotonic()
            for job in waiting:
                if job.outcome is None and job.ref in ready and job in job.slot.jobs:
                    self._collect(job)

    def close(self) -> None:
        """Stop the cluster work: kill the actors (their queued groups with them); shut down our Ray."""
        ray = self._ray
        if ray is None:
            return
        # Idle workers close their pipelines first; one with groups still queued (a second Ctrl-C) is just killed.
        closing = [slot.actor.close.remote() for slot in self.slots if slot.in_flight == 0]
        if closing:
            ray.wait(closing, num_returns=len(closing), timeout=CLOSE_WAIT_S)
        for slot in self.slots:
            try:
                ray.kill(slot.actor, no_restart=True)
            except Exception as exc:  # already gone with its node
                log.debug("killing a Ray worker: %s", exc)
        self.slots = []
        if self.started_ray:
            t0 = time.perf_counter()
            ray.shutdown()
            self.started_ray = False
            log.info("Ray stopped in %.1f s", time.perf_counter() - t0)
        self._ray = None
