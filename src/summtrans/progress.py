"""Progress reporting the caller can switch off: a rich bar on a terminal, log lines elsewhere."""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

log = logging.getLogger("summtrans")


class Progress:
    """Counts units of work (model inputs, documents) toward a growing total.

    `mode`: "bar" (rich progress bar on stderr), "log" (a log line every `interval` seconds),
    or "off". `auto()` picks bar on a terminal, log in a pipe, off with quiet.
    """

    def __init__(self, description: str = "working", mode: str = "off", unit: str = "segments", interval: float = 10.0) -> None:
        self.description = description
        self.mode = mode
        self.unit = unit
        self.interval = interval
        self.total = 0
        self.done = 0
        self.failed = 0
        self.note = ""  # extra text beside the counts, e.g. a second rate ("12.5 segments/s")
        self._bar: Any = None
        self._task: Any = None
        self._last_log = 0.0
        self._start = time.perf_counter()

    @classmethod
    def auto(cls, description: str, *, quiet: bool = False, unit: str = "segments") -> Progress:
        if quiet:
            return cls(description, "off", unit)
        return cls(description, "bar" if sys.stderr.isatty() else "log", unit)

    def __enter__(self) -> Progress:
        if self.mode == "bar":
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )
            from rich.progress import Progress as RichProgress

            self._bar = RichProgress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[unit]}"),
                TextColumn("[dim]{task.fields[rate]}"),
                TextColumn("{task.fields[failed]}"),
                TextColumn("[dim]{task.fields[note]}"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                transient=False,
                console=Console(stderr=True),  # the bar goes to stderr: stdout carries results only
            )
            self._bar.__enter__()
            self._task = self._bar.add_task(
                self.description, total=None, unit=self.unit, rate="", failed="", note=self.note
            )
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)
            self._bar = None

    def add_total(self, n: int) -> None:
        self.total += n
        if self._bar is not None:
            self._bar.update(self._task, total=self.total)

    def set_description(self, description: str) -> None:
        self.description = description
        if self._bar is not None:
            self._bar.update(self._task, description=description)

    def set_note(self, note: str) -> None:
        """Extra text shown beside the counts (bar) or at the end of the log lines."""
        self.note = note
        if self._bar is not None:
            self._bar.update(self._task, note=note)

    def message(self, text: str, level: int = logging.WARNING) -> None:
        """A line for the user: printed above the bar on a terminal, else logged at `level`."""
        if self._bar is not None:
            self._bar.console.print(text, markup=False, highlight=False)
        else:
            log.log(level, "%s", text)

    def advance(self, n: int = 1, failed: int = 0) -> None:
        self.done += n
        self.failed += failed
        rate = self.done / max(time.perf_counter() - self._start, 1e-9)
        if self._bar is not None:
            self._bar.update(
                self._task,
                advance=n,
                rate=f"{rate:.1f}/s",
                failed=f"[red]{self.failed} failed" if self.failed else "",
            )
        elif self.mode == "log":
            now = time.perf_counter()
            if now - self._last_log >= self.interval or (self.total and self.done >= self.total):
                self._last_log = now
                tail = f", {self.failed} failed" if self.failed else ""
                tail += f", {self.note}" if self.note else ""
                log.info("%s: %d/%d %s (%.1f/s%s)", self.description, self.done, self.total, self.unit, rate, tail)
