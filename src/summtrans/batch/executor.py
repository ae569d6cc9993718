"""The seam between the run loop and the models: an executor turns groups of documents into results.

The loop hands an executor an iterable of groups (lists of `Document`s, built lazily as inputs
are read) and takes back, in order, one ``(group, results_or_exception)`` pair per group. The
journal, resume decisions and group retry stay in the loop, so another executor (Ray, issue 11)
only has to honour this contract:

* ``run(groups)`` yields ``(group, list[DocumentResult])`` on success, one result per document in
  the group's order, or ``(group, exc)`` when the group failed (the loop retries it document by
  document, handing single-document groups to ``run`` again);
* fatal problems (a model that cannot load: `ModelLoadError`; `UsageError`) are raised, not yielded;
* groups are pulled from the iterable only when the executor can take them (the loop stops
  producing groups after a first Ctrl-C), and ``close()`` releases what the executor holds.

An executor whose ``progress`` attribute is None when the run starts gets the run's segment meter
there (a `Progress`): it calls ``add_total(n)`` and ``advance(n)`` with the model inputs it runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol

from ..errors import ModelLoadError, SummtransError, UsageError
from ..formats.document import Document
from ..pipeline import Pipeline
from ..progress import Progress
from ..records import DocumentResult

__all__ = ["Executor", "GroupOutcome", "LocalExecutor", "failure_message", "load_pipeline"]

GroupOutcome = tuple[list[Document], "list[DocumentResult] | Exception"]


def failure_message(exc: BaseException) -> str:
    """What the journal records for a failed group: a `SummtransError`'s message, else ``Type: message``."""
    return str(exc) if isinstance(exc, SummtransError) else f"{type(exc).__name__}: {exc}"


def load_pipeline(pipeline: Pipeline) -> None:
    """Load `pipeline`'s models; an unexpected error becomes a `ModelLoadError` (fatal for the run)."""
    try:
        pipeline.load()
    except SummtransError:
        raise
    except Exception as exc:
        raise ModelLoadError(f"cannot load the model: {type(exc).__name__}: {exc}") from exc


class Executor(Protocol):
    def run(self, groups: Iterable[list[Document]]) -> Iterator[GroupOutcome]: ...

    def close(self) -> None: ...


class LocalExecutor:
    """Runs each group through one in-process `Pipeline`; loads its models before the first group."""

    def __init__(self, pipeline: Pipeline, progress: Progress | None = None) -> None:
        self.pipeline = pipeline
        self.progress = progress  # receives the pipeline's segment counts
        self.loaded = False

    def _load(self) -> None:
        if not self.loaded:
            load_pipeline(self.pipeline)
            self.loaded = True

    def run(self, groups: Iterable[list[Document]]) -> Iterator[GroupOutcome]:
        for group in groups:
            self._load()
            outcome: list[DocumentResult] | Exception
            try:
                outcome = self.pipeline.run(group, progress=self.progress)
            except (ModelLoadError, UsageError):
                raise  # no model, or an impossible setting: every document would fail the same way
            except Exception as exc:
                outcome = exc
            yield group, outcome

    def close(self) -> None:
        pass
