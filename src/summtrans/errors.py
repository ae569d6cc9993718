"""Exception hierarchy. The core raises these; the CLI turns them into `Error: …` and an exit code."""

from __future__ import annotations


class SummtransError(Exception):
    """Base class for every error summtrans reports to a user."""

    exit_code = 1


class UsageError(SummtransError):
    """The command line or the configuration asks for something impossible."""

    exit_code = 2


class ConfigError(UsageError):
    """models.yaml is missing, malformed, or fails validation."""


class InputError(SummtransError):
    """An input document cannot be used (missing, unreadable, empty, binary, too large, a broken BOM).

    `reason` is a short machine-readable status such as ``skipped-empty``; `path` names the file.
    """

    def __init__(self, path: str, message: str, reason: str = "failed") -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.reason = reason


class ModelLoadError(SummtransError):
    """A model cannot be found or loaded (for example: not cached while the hub is unreachable)."""

    exit_code = 2


class EngineError(SummtransError):
    """An engine failed while generating."""


class OutputDirError(SummtransError):
    """The output folder (or its journal) cannot be written: a run could record nothing."""

    exit_code = 2


class ExecutorError(SummtransError):
    """The executor running the models failed as a whole (Ray cannot start, its workers keep dying)."""

    exit_code = 2


class MemoryStoreError(SummtransError):
    """The translation memory file cannot be opened, is not a summtrans memory, or is corrupt."""

    exit_code = 2
