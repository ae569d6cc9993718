"""Where a folder run's model work happens: in this process, or on Ray workers."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import UsageError

if TYPE_CHECKING:  # the CLI imports this module for EXECUTORS: it stays light
    from ..pipeline import PipelineOptions

__all__ = ["EXECUTORS", "ExecutorOptions"]

EXECUTORS = ("local", "ray")  # the one list of executor names (--executor)


@dataclass(frozen=True)
class ExecutorOptions:
    """Which executor runs the groups of a folder run, and how it is sized."""

    kind: str = "local"  # local (this process) | ray (actors on a Ray cluster)
    address: str | None = None  # Ray: None starts a local instance; auto | ray://HOST:10001 | HOST:6379 joins one
    workers: int | None = None  # Ray: actors, each with its own pipeline; None: what the cluster's CPUs/GPUs allow
    cpus_per_worker: float = 1.0  # Ray: CPUs each actor holds (also its threads, unless --threads)
    gpus_per_worker: float = 0.0  # Ray: GPUs (fractions allowed) each actor holds; > 0 runs on CUDA in float16
    in_flight: int = 2  # Ray: parts of groups queued per actor, so none waits for the driver between them
    debug: bool = False  # Ray: worker logs reach the driver's terminal

    def __post_init__(self) -> None:
        if self.kind not in EXECUTORS:
            raise UsageError(f"unknown executor '{self.kind}' (choose from {', '.join(EXECUTORS)})")
        if self.workers is not None and self.workers < 1:
            raise UsageError("--workers must be at least 1")
        if not self.cpus_per_worker > 0 or not math.isfinite(self.cpus_per_worker):
            raise UsageError("--cpus-per-worker must be more than 0")
        if not 0 <= self.gpus_per_worker < math.inf:
            raise UsageError("--gpus-per-worker must be 0 or more")
        if self.in_flight < 1:
            raise UsageError("in_flight must be at least 1")
        if self.kind == "local":
            ray_only = {"--ray-address": self.address is not None, "--workers": self.workers is not None,
                        "--cpus-per-worker": self.cpus_per_worker != 1.0, "--gpus-per-worker": self.gpus_per_worker != 0.0}
            given = [name for name, set_ in ray_only.items() if set_]
            if given:
                raise UsageError(f"{', '.join(given)} {'needs' if len(given) == 1 else 'need'} --executor ray")

    @property
    def threads(self) -> int:
        """CPU threads of one worker's models: its CPUs, at least one."""
        return max(1, int(self.cpus_per_worker))

    def pipeline_options(self, options: PipelineOptions) -> PipelineOptions:
        """The options every worker (and the driver's journal) uses.

        Ray workers run as many threads as they hold CPUs (unless --threads says otherwise); GPU
        workers run CUDA in float16 (unless --device/--compute-type say otherwise). Applied before
        the driver builds its `Pipeline`, so that the journal's settings say what the workers ran
        (a compute type changes the outputs; the device and threads do not).
        """
        if self.kind != "ray":
            return options
        options = dataclasses.replace(options, threads=options.threads or self.threads)
        if self.gpus_per_worker == 0:
            return options
        return dataclasses.replace(
            options,
            device="cuda" if options.device == "auto" else options.device,
            compute_type=options.compute_type or "float16",
        )
