"""Stopping a folder run cleanly on SIGINT (Ctrl-C) and SIGTERM (timeout, systemd, schedulers).

First signal: the run stops taking new work; the group in flight finishes, its outputs and
journal lines are written, the summary is printed, and the exit code is 130 (SIGINT) or 143
(SIGTERM). Second signal: stop at once (KeyboardInterrupt), except inside a `critical` block (an
output and its journal line), which the second signal lets finish first.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["INTERRUPT_MESSAGE", "InterruptGuard"]

INTERRUPT_MESSAGE = "Interrupted: finishing the documents in flight (Ctrl-C again to stop now)"
_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class InterruptGuard:
    """Installs the handlers for its `with` block and restores the previous ones after it."""

    def __init__(self) -> None:
        self.stop = False  # a first signal came: take no new work
        self.signum: int | None = None  # the first signal
        self.count = 0
        self.critical = False  # inside a block that a second signal must not cut
        self.pending = False  # a second signal came inside a critical block

    @property
    def exit_code(self) -> int:
        """128 + the first signal's number: 130 for SIGINT, 143 for SIGTERM."""
        return 128 + (self.signum or signal.SIGINT)

    def _on_signal(self, signum: int, frame: Any) -> None:
        self.count += 1
        if self.count == 1:
            self.stop, self.signum = True, signum
            try:
                sys.stderr.write(INTERRUPT_MESSAGE + "\n")
                sys.stderr.flush()
            except (OSError, ValueError):
                pass
        elif self.critical:
            self.pending = True
        else:
            raise KeyboardInterrupt

    def interrupted(self) -> None:
        """Record a KeyboardInterrupt that came another way (a Ctrl-C before the handler was in place)."""
        self.stop = True
        self.signum = self.signum or signal.SIGINT

    def __enter__(self) -> InterruptGuard:
        self._previous: dict[int, Any] = {}
        if threading.current_thread() is threading.main_thread():
            for sig in _SIGNALS:
                self._previous[sig] = signal.getsignal(sig)
                signal.signal(sig, self._on_signal)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, previous in self._previous.items():
            default = signal.default_int_handler if sig == signal.SIGINT else signal.SIG_DFL
            signal.signal(sig, previous if previous is not None else default)

    @contextmanager
    def critical_section(self) -> Iterator[None]:
        """A second signal waits until the block is done (an output and its journal line)."""
        outer = self.critical
        self.critical = True
        try:
            yield
        finally:
            self.critical = outer
            if not outer and self.pending:
                self.pending = False
                raise KeyboardInterrupt
