"""Executors: where a folder run's groups of documents are turned into results.

``local``  `LocalExecutor` (in `summtrans.batch.executor`): one pipeline in this process.
``ray``    `RayExecutor` (`ray_executor`): actors on a Ray cluster, each with its own pipeline
           (``pip install "summtrans[ray]"``; Ray is imported only when a run uses it).

Both honour the contract of `summtrans.batch.executor.Executor`; the run loop, the journal and
resume stay on the driver whichever runs the models. This module imports neither (the CLI reads
`EXECUTORS` from it at start-up).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .options import EXECUTORS, ExecutorOptions

if TYPE_CHECKING:
    from ..batch.executor import Executor
    from ..pipeline import Pipeline
    from ..progress import Progress

__all__ = ["EXECUTORS", "ExecutorOptions", "LocalExecutor", "RayExecutor", "make_executor"]


def make_executor(pipeline: Pipeline, options: ExecutorOptions, progress: Progress | None = None) -> Executor | None:
    """The executor `options` ask for; None for local (the run loop builds its own `LocalExecutor`).

    Raises `UsageError` when ``ray`` is asked for and Ray is not installed.
    """
    if options.kind == "local":
        return None
    from .ray_executor import RayExecutor

    return RayExecutor(pipeline, options, progress)


def __getattr__(name: str) -> Any:
    if name == "LocalExecutor":
        from ..batch.executor import LocalExecutor

        return LocalExecutor
    if name == "RayExecutor":
        from .ray_executor import RayExecutor

        return RayExecutor
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
