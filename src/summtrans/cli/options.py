"""The commands' option and argument types, defined once: `translate`, `summarize` and `serve`
share them. Choices come from the library's own vocabularies."""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ..engines import DEVICES, ENGINES
from ..executors import EXECUTORS
from ..formats.pdf import MODES as PDF_MODES
from ..models.config import COMPUTE_TYPES, LENGTHS, SOURCE_LANGS
from ..ocr import OCR_MODES
from ..writers import FORMATS


def _choices(name: str, values: Iterable[str]) -> Any:
    """A Typer choice type over one of the library's vocabularies (defined there, once)."""
    return Enum(name, [(v, v) for v in values], type=str)


Format = _choices("Format", FORMATS)
Device = _choices("Device", DEVICES)
EngineName = _choices("EngineName", ENGINES)
Length = _choices("Length", LENGTHS)
Lang = _choices("Lang", SOURCE_LANGS)
ComputeType = _choices("ComputeType", COMPUTE_TYPES)
ExecutorName = _choices("ExecutorName", EXECUTORS)
OcrMode = _choices("OcrMode", OCR_MODES)
PdfMode = _choices("PdfMode", PDF_MODES)


Paths = Annotated[list[str], typer.Argument(help="Files or folders to read; '-' reads standard input.", show_default=False)]
Output = Annotated[  # a str: a trailing "/" (a new folder) must survive
    Optional[str],
    typer.Option("--output", "-o", metavar="PATH", help="Write to this file (one input) or folder (several inputs, a folder, or a name ending in /)."),
]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format (auto: a file output keeps the input's format, docx → NAME.en.docx, pdf → NAME.en.pdf, unless -o FILE ends in .txt/.md/.json/.jsonl; text on stdout).")]
ModelOpt = Annotated[Optional[str], typer.Option("--model", "-m", metavar="NAME|PATH", help="Translation profile, hub id or model directory.")]
ConfigOpt = Annotated[
    Optional[Path], typer.Option("--config", envvar="SUMMTRANS_CONFIG", metavar="FILE", help="models.yaml to use.", show_default=False)
]
DeviceOpt = Annotated[Device, typer.Option("--device", help="Where to run the models (auto: the best one present).")]
EngineOpt = Annotated[
    Optional[EngineName], typer.Option("--engine", help="Inference engine (default: the profile's, normally auto).")
]
ComputeOpt = Annotated[
    Optional[ComputeType], typer.Option("--compute-type", help="Weights and arithmetic (default: int8 on CPU, float16 on GPU).")
]
BeamsOpt = Annotated[Optional[int], typer.Option("--num-beams", min=1, metavar="N", help="Beam size (default: the profile's).")]
BatchOpt = Annotated[int, typer.Option("--batch-tokens", min=16, metavar="N", help="Token budget per model batch.")]
ThreadsOpt = Annotated[Optional[int], typer.Option("--threads", min=1, metavar="N", help="CPU threads (default: one per core).")]
MarkdownOpt = Annotated[
    Optional[bool], typer.Option("--markdown/--plain", help="Treat input as markdown (default: by file extension).", show_default=False)
]
OfflineOpt = Annotated[bool, typer.Option("--offline", help="Use only models already on disk; never reach the network.")]
SourceLangOpt = Annotated[Lang, typer.Option("--source-lang", help="Input language: auto detects each document's (German is translated, English copied through or summarized as is, others skipped).")]
NoMemoryOpt = Annotated[bool, typer.Option("--no-memory", help="Neither look up nor store translations in the translation memory.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress and no log lines.")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Verbose logs and full tracebacks.")]
GlobOpt = Annotated[Optional[list[str]], typer.Option("--glob", metavar="PATTERN", help="Folder inputs: file patterns to take (default: every supported format).")]
ExcludeOpt = Annotated[Optional[list[str]], typer.Option("--exclude", metavar="PATTERN", help="Folder inputs: patterns to leave out.")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Folder runs: redo every document, ignoring the journal.")]
RetryOpt = Annotated[bool, typer.Option("--retry-failed", help="Folder runs: redo only documents that failed before.")]
HiddenOpt = Annotated[bool, typer.Option("--include-hidden", help="Folder inputs: also walk names starting with '.'.")]
OcrOpt = Annotated[OcrMode, typer.Option("--ocr", help="Read scans and photos by OCR: auto (images, PDF pages without text), always (also PDF pages with a garbage text layer), never.")]
MaxBytesOpt = Annotated[Optional[int], typer.Option("--max-bytes", min=1, metavar="N", help="Skip files larger than this (default 50 MiB).")]
ExecutorOpt = Annotated[ExecutorName, typer.Option("--executor", help="Folder runs: run the models here, or on Ray workers (pip install \"summtrans[ray]\").")]
RayAddressOpt = Annotated[Optional[str], typer.Option("--ray-address", help="Join this Ray cluster: auto, ray://HOST:10001 or HOST:6379 (default: start Ray for the run).")]
WorkersOpt = Annotated[Optional[int], typer.Option("--workers", min=1, help="Ray workers, each loading the models once (default: what the cluster offers).")]
CpusOpt = Annotated[float, typer.Option("--cpus-per-worker", help="CPUs each Ray worker holds (and its threads).")]
GpusOpt = Annotated[float, typer.Option("--gpus-per-worker", min=0, help="GPUs each Ray worker holds, fractions allowed (> 0: CUDA, float16).")]
GlossaryOpt = Annotated[Optional[str], typer.Option("--glossary", metavar="FILE", help="TSV or CSV of German term, English term (empty: keep the term as is); default: the profile's.")]
LengthFactorOpt = Annotated[Optional[float], typer.Option("--max-length-factor", min=0, metavar="X", help="Cap new tokens at X × input tokens + 10 (0: no cap; default: the profile's, else 2).")]
NoGuardsOpt = Annotated[bool, typer.Option("--no-guards", help="No length cap, no retry of degenerate output, no flags for it.")]
NoProtectOpt = Annotated[bool, typer.Option("--no-protect", help="Let the model rewrite URLs, e-mails, IBANs, numbers, dates…")]
PdfOpt = Annotated[PdfMode, typer.Option("--pdf", help="A PDF's translated copy (NAME.en.pdf): the English in the German's places (layout), each page beside its English on a page of double width (bilingual), or page after page (interleaved).")]
FactsOpt = Annotated[
    Optional[bool],
    typer.Option("--facts/--no-facts", help="Key facts of official letters (deadlines, amounts, references) in the output (default: with summarize).", show_default=False),
]
