"""The options of a folder run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError
from ..formats.document import DEFAULT_MAX_BYTES
from .discover import DEFAULT_GLOBS

__all__ = ["DEFAULT_GROUP_CHARS", "DEFAULT_GROUP_DOCS", "BatchOptions"]

# About 150-250 sentences: a few full model batches, so short files share batches, while one
# group (what a first Ctrl-C waits for, what a kill -9 can lose) stays small.
DEFAULT_GROUP_CHARS = 20_000
DEFAULT_GROUP_DOCS = 64


@dataclass(frozen=True)
class BatchOptions:
    """How a folder run discovers, names, resumes and groups documents."""

    output_dir: Path  # OUTDIR: outputs mirror the input tree here; the journal lives here
    format: str = "text"  # text | markdown | json | jsonl (one combined file)
    summary_only: bool = False  # summaries without the translation (summarize)
    globs: tuple[str, ...] = DEFAULT_GLOBS  # folder inputs: names (or relative paths) to take
    excludes: tuple[str, ...] = ()  # folder inputs: files and folders to leave out
    include_hidden: bool = False  # also walk names starting with "." (.git, .cache, .notes.txt)
    force: bool = False  # redo every document, whatever the journal says; overwrite foreign outputs
    retry_failed: bool = False  # redo documents whose last run failed
    max_bytes: int = DEFAULT_MAX_BYTES  # larger files are skipped (skipped-too-large)
    ocr: str = "auto"  # how scans and photos are read: auto | always | never (summtrans.ocr)
    quiet: bool = False  # no progress bar or progress log lines
    group_chars: int = DEFAULT_GROUP_CHARS  # documents go to one pipeline.run up to about this many characters
    group_docs: int = DEFAULT_GROUP_DOCS  # … and at most this many documents

    def __post_init__(self) -> None:
        if self.group_chars < 1 or self.group_docs < 1:
            raise UsageError("group_chars and group_docs must be at least 1")
        if self.max_bytes < 1:
            raise UsageError("--max-bytes must be at least 1")
