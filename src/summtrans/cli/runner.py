"""From command-line inputs to outputs: one file or stdin to stdout or a file; folders to a batch run."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from ..errors import InputError, SummtransError, UsageError
from ..executors import ExecutorOptions
from ..formats.document import DEFAULT_MAX_BYTES, read_document
from ..formats.url import is_url
from ..fsio import same_file, write_output
from ..pipeline import Pipeline
from ..progress import Progress
from ..writers import DEFAULT_FORMAT, Writer, file_writer, get_writer

log = logging.getLogger(__name__)


def run_inputs(
    paths: list[str],
    pipeline: Pipeline,
    *,
    output: str | os.PathLike[str] | None = None,
    fmt: str = DEFAULT_FORMAT,
    summary_only: bool = False,
    quiet: bool = False,
    globs: list[str] | None = None,
    excludes: list[str] | None = None,
    include_hidden: bool = False,
    force: bool = False,
    retry_failed: bool = False,
    max_bytes: int | None = None,
    executor: ExecutorOptions | None = None,
    ocr: str = "auto",
) -> int:
    """Process the inputs and write the results; returns the exit code.

    `output`: a file, ``-`` (stdout), a FIFO or device (written in place), or a folder (one that
    exists, or a new one named with a trailing ``/``). Several inputs or a folder input need a folder.
    `executor` says where folder runs run the models (default: here; Ray only for folder runs).
    `ocr`: auto | always | never, how scans and photos are read (`summtrans.ocr`).
    """
    writer = get_writer(fmt)
    max_bytes = max_bytes or DEFAULT_MAX_BYTES
    if "-" in paths and len(paths) > 1:
        raise UsageError("'-' (standard input) cannot be combined with other inputs")
    out_str = os.fspath(output) if output is not None else None
    out_path = Path(out_str) if out_str is not None and out_str != "-" else None
    wants_dir = out_str is not None and out_str.endswith(("/", os.sep)) and out_path is not None and not out_path.exists()
    folders = [p for p in paths if p != "-" and Path(p).is_dir()]
    if folders or (len(paths) > 1 and out_path is not None):
        if out_path is None:
            raise UsageError(f"{folders[0]} is a folder: name an output folder with -o OUTDIR")
        from ..batch import DEFAULT_GLOBS, BatchOptions, run_batch

        options = BatchOptions(
            output_dir=out_path,
            format=fmt,
            summary_only=summary_only,
            globs=tuple(globs or DEFAULT_GLOBS),
            excludes=tuple(excludes or ()),
            include_hidden=include_hidden,
            force=force,
            retry_failed=retry_failed,
            max_bytes=max_bytes,
            quiet=quiet,
            ocr=ocr,
        )
        from ..executors import make_executor

        runner = make_executor(pipeline, executor) if executor is not None else None
        inputs: list[Path | str] = [p if is_url(p) else Path(p) for p in paths]  # a URL stays a str
        return run_batch(inputs, pipeline, options, runner).exit_code
    if executor is not None and executor.kind != "local":
        raise UsageError(f"--executor {executor.kind} runs folder jobs: give a folder or several inputs and -o OUTDIR")

    target = _single_target(paths, out_path, wants_dir, writer, pipeline.options.task, summary_only)
    if target is not None and (target.is_file() or not target.exists()):  # a FIFO or device: as is
        writer = file_writer(writer, paths[0], target, pipeline.options.task, summary_only)
    # Reading first: a bad file fails before any model is loaded.
    docs, failures = [], []
    for p in paths:
        try:
            doc = read_document(p, max_bytes=max_bytes, ocr=ocr)
            pipeline.check_language(doc)  # a French letter: one line, before any model loads
            docs.append(doc)
        except InputError as exc:
            if len(paths) == 1:
                raise
            log.error("Error: %s", exc)
            failures.append(p)
    if not docs:
        return 1
    pipeline.load()  # every model loads (or fails) before any work is done
    with Progress.auto("translating", quiet=quiet) as progress:
        results = pipeline.run(docs, progress=progress)
    if not quiet and not writer.name.startswith("json"):  # JSON records carry them in "warnings"
        from ..faithful.quality import format_warnings
        from ..records import display_name

        for res in results:
            for line in format_warnings(res.warnings, display_name(res.source)):
                sys.stderr.write(f"warning: {line}\n")
    if target is None:
        sys.stdout.write(writer.render(results, summary_only))
        sys.stdout.flush()
        return 1 if failures else 0
    # One input: a formatted one keeps its format with -f auto (NAME.en.docx) unless -o FILE's
    # suffix asks for text (writers.file_writer).
    data = writer.document_output(results[0], summary_only) if len(results) == 1 else writer.render(results, summary_only)
    unwritten = None
    if len(results) == 1 and isinstance(data, bytes):  # a document's copy (a PDF's may have been refused)
        from ..formats.pdf import not_editable

        unwritten = not_editable(results[0].warnings)
    if unwritten is not None:  # a PDF that may not be changed: its text with -f markdown, not a .pdf of markdown
        raise InputError(results[0].source, f"cannot write a translated PDF: {unwritten}; -f markdown writes the text")
    try:
        write_output(target, data)
    except OSError as exc:
        raise SummtransError(f"{target}: cannot write output: {exc.strerror or exc}") from exc
    log.info("wrote %s", target)
    return 1 if failures else 0




def _single_target(
    paths: list[str], out: Path | None, wants_dir: bool, writer: Writer, task: str, summary_only: bool
) -> Path | None:
    """Where one input's output goes (None: stdout); refuses an output that is the input itself."""
    if out is None:
        return None
    if out.is_dir() or wants_dir:
        name = "stdin.txt" if paths[0] == "-" else paths[0] if is_url(paths[0]) else Path(paths[0]).name
        out = out / writer.output_name(name, task, summary_only)
    if paths[0] != "-" and not is_url(paths[0]) and same_file(paths[0], out):
        raise UsageError(f"{out}: the output is the input file itself; choose another -o")
    return out
