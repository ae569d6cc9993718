"""The resume decision (summtrans.batch.resume.decide): a pure function, one case a line."""

from __future__ import annotations

import pytest

from summtrans.batch import Decision, JournalEntry, decide

SHA, FP = "a" * 64, "f" * 64
P, U, F, X = Decision.PROCESS, Decision.UNCHANGED, Decision.FAILED_BEFORE, Decision.FOREIGN_OUTPUT


def entry(status: str = "ok", sha: str = SHA, fp: str = FP, stage: str | None = None) -> JournalEntry:
    return JournalEntry(status=status, sha256=sha, error=None if status == "ok" else "boom", output="a.en.txt",
                        fingerprint=fp, stage=stage)


@pytest.mark.parametrize(
    ("prev", "present", "foreign", "force", "retry", "expected"),
    [
        (None, False, False, False, False, P),  # never seen
        (entry(), True, False, False, False, U),  # done, output in place
        (entry(), False, False, False, False, P),  # done, output lost
        (entry(sha="b" * 64), True, False, False, False, P),  # the input changed
        (entry(fp="e" * 64), True, False, False, False, P),  # the settings changed
        (entry(), True, False, True, False, P),  # --force
        (entry("failed", stage="model"), False, False, False, False, F),  # failed in the model: not retried
        (entry("failed", stage="model"), False, False, False, True, P),  # ... unless --retry-failed
        (entry("failed", stage="write"), False, False, False, False, P),  # write failures: always retried
        (entry("failed", stage="read"), False, False, False, False, P),  # read before, readable now
        (entry("skipped-empty", stage="read"), False, False, False, False, P),  # readable now
        (None, False, True, False, False, X),  # an output summtrans did not write
        (entry(sha="b" * 64), False, True, False, False, X),  # ... whatever the journal says otherwise
        (None, False, True, True, False, P),  # --force overwrites it
    ],
)
def test_decide(prev, present, foreign, force, retry, expected) -> None:
    got = decide(prev, SHA, FP, output_present=present, output_foreign=foreign, force=force, retry_failed=retry)
    assert got is expected
