"""From command-line inputs to outputs: one file or stdin to stdout or a file; folders to a batch run."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from .documents import DEFAULT_MAX_BYTES, read_document
from .fsio import atomic_write_text
from .errors import InputError, SummtransError, UsageError
from .writers import get_writer
from .pipeline import Pipeline
from .progress import Progress

log = logging.getLogger(__name__)


def run_inputs(
    paths: list[str],
    pipeline: Pipeline,
    *,
    output: Path | None = None,
    fmt: str = "text",
    summary_only: bool = False,
    quiet: bool = False,
    globs: list[str] | None = None,
    excludes: list[str] | None = None,
    force: bool = False,
    retry_failed: bool = False,
    max_bytes: int | None = None,
) -> int:
    """Process the inputs and write the results; returns the exit code."""
    writer = get_writer(fmt)
    max_bytes = max_bytes or DEFAULT_MAX_BYTES
    if "-" in paths and len(paths) > 1:
        raise UsageError("'-' (standard input) cannot be combined with other inputs")
    folders = [p for p in paths if p != "-" and Path(p).is_dir()]
    if folders or (len(paths) > 1 and output is not None):
        if output is None:
            raise UsageError(f"{folders[0]} is a folder: name an output folder with -o OUTDIR")
        from .batch import BatchOptions, run_batch

        options = BatchOptions(
            output_dir=output,
            format=fmt,
            summary_only=summary_only,
            globs=tuple(globs or ("*.txt", "*.md")),
            excludes=tuple(excludes or ()),
            force=force,
            retry_failed=retry_failed,
            max_bytes=max_bytes,
            quiet=quiet,
        )
        return run_batch([Path(p) for p in paths], pipeline, options).exit_code

    # Files (or stdin) to stdout, or one file to -o FILE. Reading first: a bad file fails before
    # any model is loaded.
    docs, failures = [], []
    for p in paths:
        try:
            docs.append(read_document(p, max_bytes=max_bytes))
        except InputError as exc:
            if len(paths) == 1:
                raise
            log.error("Error: %s", exc)
            failures.append(p)
    if not docs:
        return 1
    pipeline.load()  # every model loads (or fails) before any work is done
    with Progress.auto("translating", quiet=quiet) as progress:
        records = pipeline.run(docs, progress=progress)
    text = writer.render(records, summary_only)
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        target = output
        if output.is_dir():
            from .batch import output_name

            name = "stdin.txt" if docs[0].source == "-" else Path(docs[0].source).name
            target = output / output_name(name, writer, pipeline.options.task, summary_only)
        try:
            atomic_write_text(target, text)
        except OSError as exc:
            raise SummtransError(f"{target}: cannot write output: {exc.strerror or exc}") from exc
        log.info("wrote %s", target)
    return 1 if failures else 0
