"""The resume decision: what to do with one document, given what the journal says about it.

A pure function of its arguments (no file system, no clock), so every case is a one-line test.
"""

from __future__ import annotations

from enum import Enum

from .journal import FAILED, OK, JournalEntry

__all__ = ["Decision", "decide"]


class Decision(Enum):
    PROCESS = "process"  # (re)do it
    UNCHANGED = "unchanged"  # done in an earlier run with these bytes and settings; output in place
    FAILED_BEFORE = "failed-before"  # failed in the model earlier, same bytes and settings; not retried
    FOREIGN_OUTPUT = "foreign-output"  # its output exists and summtrans did not write it: refuse


def decide(
    prev: JournalEntry | None,
    sha256: str,
    fingerprint: str,
    *,
    output_present: bool,
    output_foreign: bool = False,
    force: bool = False,
    retry_failed: bool = False,
) -> Decision:
    """Decide for one readable document.

    `prev`: its last journal entry (None: never recorded). `sha256`/`fingerprint`: of its bytes now
    and of the current settings. `output_present`: the output `prev` recorded is still there.
    `output_foreign`: a file sits where its output goes and no journal line ever named it.
    Failures to write an output are always retried; `force` redoes (and overwrites) everything.
    """
    if force:
        return Decision.PROCESS
    if output_foreign:
        return Decision.FOREIGN_OUTPUT
    if prev is None or prev.sha256 != sha256 or prev.fingerprint != fingerprint:
        return Decision.PROCESS
    if prev.status == OK and output_present:
        return Decision.UNCHANGED
    if prev.status == FAILED and prev.stage == "model" and not retry_failed:
        return Decision.FAILED_BEFORE
    return Decision.PROCESS
