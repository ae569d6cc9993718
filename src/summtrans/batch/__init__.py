"""Folder runs: discovery, a journal, resume, failure isolation, a lock and clean interrupts.

``summtrans translate DIR -o OUTDIR`` (and ``summarize``) end up in :func:`run_batch`. One module
per concern:

``discover``    which files are taken (globs, excludes, hidden names, FIFOs and devices) and the
                output name of each (mirroring the input tree; names from `Writer.output_name`).
                One input folder mirrors its tree directly under OUTDIR; with several, each goes
                under ``OUTDIR/<folder name>/``; a file input goes to ``OUTDIR/<file name>``.
``journal``     ``OUTDIR/summtrans-journal.jsonl``: one JSON line per finished document, appended
                (and fsynced) only after its output is in place: ``path`` (relative, the resume
                key; ``path_bytes`` too when the name is not valid UTF-8, see `records`),
                ``sha256`` (of the raw bytes), ``status`` (one of `STATUSES`: ``ok``, ``failed``,
                ``skipped-empty``, ``skipped-binary``, ``skipped-too-large``, ``skipped-special``),
                ``stage`` (``read``, ``model``, ``write`` for a failure), ``error``, ``encoding``,
                ``output`` (relative to OUTDIR), ``bytes``, ``chars``, ``segments``, ``models``,
                ``settings``, ``timings`` and ``finished`` (UTC). Before a group's outputs are
                written a ``{"writing": [outputs]}`` line names them. Later lines for a path
                supersede earlier ones; a torn last line (``kill -9``) is ignored. With ``-f
                jsonl`` records go to one ``OUTDIR/summtrans-results.jsonl``, rewritten at start
                and end to hold exactly one record per document done.
``resume``      the pure decision per document: left alone when its last line has its sha256 and
                the current settings and its output is in place (or it failed in the model:
                ``--retry-failed`` redoes those); an existing output no journal line ever named is
                not overwritten unless ``--force``. Inputs are read and hashed, never translated,
                so a finished folder loads no model and writes nothing.
``interrupts``  SIGINT and SIGTERM: the first lets the group in flight finish and exits 130 / 143,
                a second stops at once, never between an output and its journal line.
``outdir``      the lock ``OUTDIR/.summtrans.lock`` (holder's pid in ``.summtrans.pid``): a second
                run on the same OUTDIR is refused, a killed run's lock taken over; a killed run's
                temporaries are removed only under the lock.
``outputs``     writing a group's outputs (atomically) or appending to the combined jsonl file.
``executor``    the seam to the models: `LocalExecutor` runs groups in this process.
``run``         the loop; ``report`` the `BatchReport` and the closing summary.
"""

from __future__ import annotations

from ..errors import OutputDirError
from .discover import DEFAULT_GLOBS, Item, discover
from .executor import Executor, LocalExecutor
from .interrupts import INTERRUPT_MESSAGE
from .journal import COMBINED_NAME, JOURNAL_NAME, STATUSES, JournalEntry, load_journal
from .options import DEFAULT_GROUP_CHARS, DEFAULT_GROUP_DOCS, BatchOptions
from .outdir import LOCK_NAME, PID_NAME
from .report import BatchReport
from .resume import Decision, decide
from .run import run_batch

__all__ = [
    "COMBINED_NAME",
    "DEFAULT_GLOBS",
    "DEFAULT_GROUP_CHARS",
    "DEFAULT_GROUP_DOCS",
    "INTERRUPT_MESSAGE",
    "JOURNAL_NAME",
    "LOCK_NAME",
    "PID_NAME",
    "STATUSES",
    "BatchOptions",
    "BatchReport",
    "Decision",
    "Executor",
    "Item",
    "JournalEntry",
    "LocalExecutor",
    "OutputDirError",
    "decide",
    "discover",
    "load_journal",
    "run_batch",
]
