"""What a folder run did, and the summary it prints at the end."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..faithful.quality import QualityWarning
from ..records import display_name
from .journal import STATUSES

__all__ = ["BatchReport", "log_summary"]

log = logging.getLogger("summtrans.batch")

# How the summary words each skipped-* status of STATUSES (any other: its own name, dashes as spaces).
_SKIP_WORDS = {
    "skipped-empty": "empty",
    "skipped-binary": "binary",
    "skipped-too-large": "too large",
    "skipped-no-text": "no text",
    "skipped-special": "not a regular file",
    "skipped-language": "not German or English",
}
_SKIPPED = tuple(s for s in STATUSES if s.startswith("skipped-"))


@dataclass
class BatchReport:
    """What a folder run did."""

    exit_code: int = 0  # 0 ok/skipped only, 1 some failed, 130 (SIGINT) / 143 (SIGTERM) interrupted
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))  # status -> documents
    failures: list[tuple[str, str]] = field(default_factory=list)  # (relative path, reason)
    wall_seconds: float = 0.0
    documents: int = 0  # discovered
    processed: int = 0  # sent to the models in this run
    resumed: int = 0  # ok in an earlier run and left as they were
    not_done: int = 0  # left for the next run (interrupted)
    segments: int = 0  # model inputs in this run
    from_memory: int = 0  # segments answered by the translation memory in this run
    warnings: dict[str, int] = field(default_factory=dict)  # quality warning kind -> count, this run
    flagged: int = 0  # documents with quality warnings, this run
    interrupted: bool = False
    journal: Path | None = None

    def add_warnings(self, warnings: Sequence[QualityWarning]) -> None:
        """Count a finished document's quality warnings."""
        for w in warnings:
            self.warnings[w.kind] = self.warnings.get(w.kind, 0) + 1
        self.flagged += bool(warnings)

    def count(self, status: str, key: str = "", reason: str | None = None) -> None:
        self.counts[status] = self.counts.get(status, 0) + 1
        if status == "failed":
            self.failures.append((key, reason or "failed"))


def log_summary(r: BatchReport) -> None:
    """The closing lines: counts and rates; the failures; how to finish an interrupted run."""
    c = r.counts
    parts = [f"{c['ok']} ok"]
    if r.resumed:
        parts[0] += f" ({c['ok'] - r.resumed} done now, {r.resumed} unchanged)"
    skipped = [(c.get(s, 0), _SKIP_WORDS.get(s, s.removeprefix("skipped-").replace("-", " "))) for s in _SKIPPED]
    detail = ", ".join(f"{n} {word}" for n, word in skipped if n)
    parts.append(f"{sum(n for n, _ in skipped)} skipped" + (f" ({detail})" if detail else ""))
    parts.append(f"{c['failed']} failed")
    wall = max(r.wall_seconds, 1e-9)
    rate = f"{r.processed / wall:.2f} documents/s, {r.segments / wall:.1f} segments/s"
    if r.from_memory:
        rate += f"; {r.from_memory} segments from the translation memory"
    if r.warnings:
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(r.warnings.items(), key=lambda kv: -kv[1]))
        rate += f"; {sum(r.warnings.values())} quality warnings in {r.flagged} documents ({kinds})"
    log.info("Done in %.1f s: %s; %s. Journal: %s", r.wall_seconds, ", ".join(parts), rate, r.journal)
    if r.failures:
        lines = [f"  {display_name(path)}: {reason}" for path, reason in r.failures]
        log.error("Failed (%d):\n%s", len(r.failures), "\n".join(lines))
    if r.interrupted:
        log.warning(
            "Interrupted: %d of %d documents not done; run the same command again to finish them.",
            r.not_done, r.documents,
        )
