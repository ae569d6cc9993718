"""The command line: each command parses options, calls the library, prints or writes the result.

Heavy modules (torch, transformers) are imported only when a model is loaded, so `--help`,
`segment` and `models list` answer at once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from .. import __version__
from ..engines import DEVICES, ENGINES
from ..formats.pdf import MODES as PDF_MODES
from ..errors import SummtransError
from ..executors import EXECUTORS
from ..models.config import COMPUTE_TYPES, LENGTHS, SOURCE_LANGS, load_config
from ..writers import DEFAULT_FORMAT, FORMATS
from .errors import fail, setup_logging
from .help import examples, unix_metavars
from .memory import register as register_memory_commands
from .models import register as register_model_commands

unix_metavars()  # PATHS..., --output PATH, --format [text|json] instead of {paths}..., <str>
app = typer.Typer(
    name="summtrans",
    help="Translate German documents to English and summarize them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: rendering it with rich costs ~0.1 s of imports per call
    context_settings={"help_option_names": ["-h", "--help"]},
)
register_model_commands(app)  # models list/pull/bundle/import/rm, info, completion
register_memory_commands(app)  # memory stats/clear/export/import

log = logging.getLogger("summtrans")


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


def _version(value: bool) -> None:
    if value:
        typer.echo(f"summtrans {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        Optional[bool], typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = None,
) -> None:
    """Translate German documents to English and summarize them."""


def _run(task: str, a: dict[str, Any]) -> None:
    """Run `translate` or `summarize` from the command's parameters (its `locals()`)."""
    quiet, debug = a["quiet"], a["debug"]
    setup_logging(quiet, debug)
    try:
        from ..executors import ExecutorOptions
        from ..pipeline import Pipeline, PipelineOptions
        from .runner import run_inputs

        executor = ExecutorOptions(
            kind=a["executor"].value, address=a["ray_address"], workers=a["workers"],
            cpus_per_worker=a["cpus_per_worker"], gpus_per_worker=a["gpus_per_worker"], debug=debug,
        )
        options = dict(
            model=a["model"], source_lang=a["source_lang"], engine=a["engine"], compute_type=a["compute_type"],
            device=a["device"], num_beams=a["num_beams"], max_batch_tokens=a["batch_tokens"], threads=a["threads"],
            markdown=a["markdown"], offline=a["offline"], memory=not a["no_memory"], glossary=a["glossary"],
            max_length_factor=a["max_length_factor"], guards=not a["no_guards"], protect=not a["no_protect"],
            facts=a["facts"], pdf=a["pdf"],
        )
        if task == "summarize":
            options.update(summary_model=a["summary_model"], length=a["length"])
        options = {k: v.value if isinstance(v, Enum) else v for k, v in options.items()}  # choices: plain str
        pipeline = Pipeline(executor.pipeline_options(PipelineOptions(task=task, **options)), load_config(a["config"]))
        try:
            code = run_inputs(
                a["paths"], pipeline, output=a["output"], fmt=a["fmt"].value,
                summary_only=a.get("summary_only", False), quiet=quiet, executor=executor,
                globs=a["glob"], excludes=a["exclude"], include_hidden=a["include_hidden"], force=a["force"],
                retry_failed=a["retry_failed"], max_bytes=a["max_bytes"],
            )
        finally:
            pipeline.close()  # the translation memory records this run's hit counts
    except KeyboardInterrupt:
        typer.echo("Interrupted.", err=True)
        raise typer.Exit(130) from None
    except SummtransError as exc:
        fail(exc, debug)
    except Exception as exc:  # an unexpected failure: one line, the traceback with --debug
        if debug:
            raise
        typer.echo(f"Error: {type(exc).__name__}: {exc} (run with --debug for the traceback)", err=True)
        raise typer.Exit(1) from None
    raise typer.Exit(code)


@app.command(
    epilog=examples(
        "summtrans translate brief.txt",
        "summtrans translate akten/ -o akten-en/ --glob '*.docx'",
        "summtrans translate vertrag.pdf --offline -m opus-mt-de-en -f json",
    )
)
def translate(
    paths: Paths,
    output: Output = None,
    fmt: FormatOpt = Format(DEFAULT_FORMAT),
    source_lang: SourceLangOpt = Lang("auto"),
    model: ModelOpt = None,
    config: ConfigOpt = None,
    engine: EngineOpt = None,
    compute_type: ComputeOpt = None,
    device: DeviceOpt = Device("auto"),
    num_beams: BeamsOpt = None,
    batch_tokens: BatchOpt = 4096,
    threads: ThreadsOpt = None,
    markdown: MarkdownOpt = None,
    offline: OfflineOpt = False,
    no_memory: NoMemoryOpt = False,
    glob: GlobOpt = None,
    exclude: ExcludeOpt = None,
    force: ForceOpt = False,
    retry_failed: RetryOpt = False,
    include_hidden: HiddenOpt = False,
    max_bytes: MaxBytesOpt = None,
    executor: ExecutorOpt = ExecutorName("local"),
    ray_address: RayAddressOpt = None,
    workers: WorkersOpt = None,
    cpus_per_worker: CpusOpt = 1.0,
    gpus_per_worker: GpusOpt = 0.0,
    glossary: GlossaryOpt = None,
    max_length_factor: LengthFactorOpt = None,
    no_guards: NoGuardsOpt = False,
    no_protect: NoProtectOpt = False,
    facts: FactsOpt = None,
    pdf: PdfOpt = PdfMode("layout"),
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Translate German text to English.

    URLs, e-mails, IBANs, numbers and dates reach the output unchanged (numbers in English form);
    degenerate output is retried once and flagged: JSON records carry "warnings" and "quality",
    text output lists the warnings on stderr.
    """
    _run("translate", locals())


@app.command(
    epilog=examples(
        "summtrans summarize bericht.txt",
        "summtrans summarize bericht.txt --summary-only --length short",
        "summtrans summarize report.txt --source-lang en -f json -o report.json",
    )
)
def summarize(
    paths: Paths,
    output: Output = None,
    fmt: FormatOpt = Format(DEFAULT_FORMAT),
    summary_only: Annotated[bool, typer.Option("--summary-only", help="Print the summary alone.")] = False,
    source_lang: SourceLangOpt = Lang("auto"),
    length: Annotated[Optional[Length], typer.Option("--length", help="Summary length (default: the profile's).")] = None,
    model: ModelOpt = None,
    summary_model: Annotated[
        Optional[str], typer.Option("--summary-model", metavar="NAME|PATH", help="Summarization profile, hub id or model directory.")
    ] = None,
    config: ConfigOpt = None,
    engine: EngineOpt = None,
    compute_type: ComputeOpt = None,
    device: DeviceOpt = Device("auto"),
    num_beams: BeamsOpt = None,
    batch_tokens: BatchOpt = 4096,
    threads: ThreadsOpt = None,
    markdown: MarkdownOpt = None,
    offline: OfflineOpt = False,
    no_memory: NoMemoryOpt = False,
    glob: GlobOpt = None,
    exclude: ExcludeOpt = None,
    force: ForceOpt = False,
    retry_failed: RetryOpt = False,
    include_hidden: HiddenOpt = False,
    max_bytes: MaxBytesOpt = None,
    executor: ExecutorOpt = ExecutorName("local"),
    ray_address: RayAddressOpt = None,
    workers: WorkersOpt = None,
    cpus_per_worker: CpusOpt = 1.0,
    gpus_per_worker: GpusOpt = 0.0,
    glossary: GlossaryOpt = None,
    max_length_factor: LengthFactorOpt = None,
    no_guards: NoGuardsOpt = False,
    no_protect: NoProtectOpt = False,
    facts: FactsOpt = None,
    pdf: PdfOpt = PdfMode("layout"),
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Translate German text and summarize it.

    With --source-lang en the input is English and is summarized without translation.
    """
    _run("summarize", locals())


class SegFormat(str, Enum):
    text = "text"
    json = "json"


EvalKind = Enum("EvalKind", [("translation", "translation"), ("summary", "summary")], type=str)


@app.command(
    "eval",
    epilog=examples(
        "summtrans eval run-a.en.txt --ref reference.en.txt --src source.de.txt",
        "summtrans eval summaries.txt --ref gold.txt --src translations.txt --kind summary -f json",
    ),
)
def eval_cmd(
    hyp: Annotated[str, typer.Argument(metavar="HYP", help="The outputs to score, one segment a line.")],
    ref: Annotated[Optional[str], typer.Option("--ref", metavar="REF", help="References, line by line with HYP.")] = None,
    src: Annotated[Optional[str], typer.Option("--src", metavar="SRC", help="Sources (German; for summaries: the text summarized), line by line with HYP.")] = None,
    kind: Annotated[EvalKind, typer.Option("--kind", help="translation: BLEU and chrF (sacrebleu); summary: ROUGE-1/2/L.")] = EvalKind("translation"),
    fmt: Annotated[SegFormat, typer.Option("--format", "-f", help="Output format.")] = SegFormat.text,
    debug: DebugOpt = False,
) -> None:
    """Score outputs against references, with the reference-free checks.

    Prints BLEU and chrF with sacrebleu's signature (translations) or ROUGE-1/2/L (summaries),
    and the checks summtrans runs on every output (loops, length, numbers, spans) when --src is given.
    Run it over the outputs of two profiles on your own data to tell which is better.
    """
    import json

    from ..evaluate import evaluate_files

    try:
        report = evaluate_files(hyp, ref, src, kind.value)
    except SummtransError as exc:
        fail(exc, debug)
    typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) if fmt is SegFormat.json else report.render())


@app.command(
    "segment", epilog=examples("summtrans segment brief.txt", "summtrans segment notes.md --format json")
)
def segment_cmd(
    path: Annotated[str, typer.Argument(help="File to segment; '-' reads standard input.")],
    fmt: Annotated[SegFormat, typer.Option("--format", "-f", help="Output format.")] = SegFormat.text,
    markdown: MarkdownOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Show how the translator cuts a text into segments.

    Each segment has character offsets into the decoded input; with the gaps between them they
    reproduce the input exactly. Any other document (markdown, docx, pdf, html, srt…, a URL)
    shows its translation units instead: role, text, and the formatted spans (offsets into the text).
    """
    import json

    from ..formats.document import backend_of, extract, read_document
    from ..segment import segment

    try:
        doc = read_document(path)
    except SummtransError as exc:
        fail(exc, debug)
    if backend_of(doc, markdown).name == "text":  # plain text: its sentences, with offsets
        rows = [s.as_dict() for s in segment(doc.text)]
        lines = [f"{s['start']:>6}-{s['end']:<6} {s['kind']:<9} {s['text']}" for s in rows]
    else:
        rows = [dict(index=i, **u.as_dict()) for i, u in enumerate(extract(doc, markdown).units)]
        lines = [f"{r['index']:>5} {r['role']:<10} {r['text']}" + _spans_column(r["spans"]) for r in rows]
    typer.echo(json.dumps(rows, ensure_ascii=False, indent=2) if fmt is SegFormat.json else "\n".join(lines))


def _spans_column(spans: list[dict]) -> str:
    shown = " ".join(f"[{s['start']}-{s['end']}{' ' + s['link'] if s['link'] else ''}]" for s in spans)
    return f"  spans: {shown}" if shown else ""


def main() -> None:
    app()
