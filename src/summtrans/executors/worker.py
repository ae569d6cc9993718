"""The body of a Ray worker: one `Pipeline`, built once from the driver's options and config.

Plain Python (no Ray import): `ray_executor` wraps it in an actor. Exceptions do not cross the
wire as objects (a custom exception may not unpickle on the driver): a failed group comes back
as a `WorkerFailure` carrying the message the local loop would have recorded.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass

from ..batch.executor import failure_message, load_pipeline
from ..errors import ModelLoadError, SummtransError, UsageError
from ..formats.document import Document
from ..models.config import Config
from ..pipeline import Pipeline, PipelineOptions
from ..progress import Progress
from ..records import DocumentResult

__all__ = ["FATAL", "GroupDone", "PipelineWorker", "WorkerFailure"]

# Failures no other group can escape (no model, an impossible setting): they stop the run.
FATAL: dict[str, type[SummtransError]] = {"model": ModelLoadError, "usage": UsageError}


@dataclass(frozen=True)
class WorkerFailure:
    """A group (or the model load) failed in a worker."""

    message: str  # what the journal records: str(exc) for a SummtransError, else "Type: message"
    fatal: str | None = None  # a key of FATAL when the whole run must stop, else None


@dataclass(frozen=True)
class GroupDone:
    """A group's results, and the model inputs it took (the driver's segment meter counts them)."""

    results: list[DocumentResult]  # one per document, in the group's order
    segments: int  # model inputs, counted as a local run's meter counts them


def _failure(exc: Exception) -> WorkerFailure:
    message = failure_message(exc)
    for key, cls in FATAL.items():
        if isinstance(exc, cls):
            return WorkerFailure(f"{message} (on Ray worker {socket.gethostname()})", key)
    return WorkerFailure(message)


class PipelineWorker:
    """Builds ``pipeline_class(options, config)`` once and runs groups through it."""

    def __init__(self, pipeline_class: type[Pipeline], options: PipelineOptions, config: Config) -> None:
        self.pipeline_class, self.options, self.config = pipeline_class, options, config
        self.pipeline: Pipeline | None = None

    def pid(self) -> int:
        return os.getpid()

    def _pipeline(self) -> Pipeline:
        if self.pipeline is None:
            pipeline = self.pipeline_class(self.options, self.config)
            load_pipeline(pipeline)
            self.pipeline = pipeline
        return self.pipeline

    def load(self) -> WorkerFailure | None:
        """Build the pipeline and load its models now (a missing model stops the run at start)."""
        try:
            self._pipeline()
        except Exception as exc:
            return _failure(exc)
        return None

    def close(self) -> None:
        """Let the pipeline release what it holds (a translation memory records its hit counts)."""
        close = getattr(self.pipeline, "close", None)
        if close is not None:
            close()

    def run(self, docs: list[Document]) -> GroupDone | WorkerFailure:
        counter = Progress("segments", "off", "segments")
        try:
            return GroupDone(self._pipeline().run(docs, progress=counter), counter.done)
        except Exception as exc:
            return _failure(exc)
