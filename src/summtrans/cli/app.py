"""The command line: each command parses options, calls the library, prints or writes the result.

Heavy modules (torch, transformers) are imported only when a model is loaded, so `--help`,
`segment` and `models list` answer at once.
"""

from __future__ import annotations

import logging
from enum import Enum
from typing import Annotated, Any, Optional

import typer

from .. import __version__
from ..errors import SummtransError
from ..models.config import load_config
from ..writers import DEFAULT_FORMAT
from .errors import fail, setup_logging
from .help import examples, unix_metavars
from .memory import register as register_memory_commands
from .models import register as register_model_commands
from .options import (  # the option types every command signature names
    BatchOpt,
    BeamsOpt,
    ComputeOpt,
    ConfigOpt,
    CpusOpt,
    DebugOpt,
    Device,
    DeviceOpt,
    EngineOpt,
    ExcludeOpt,
    ExecutorName,
    ExecutorOpt,
    FactsOpt,
    ForceOpt,
    Format,
    FormatOpt,
    GlobOpt,
    GlossaryOpt,
    GpusOpt,
    HiddenOpt,
    Lang,
    Length,
    LengthFactorOpt,
    MarkdownOpt,
    MaxBytesOpt,
    ModelOpt,
    NoGuardsOpt,
    NoMemoryOpt,
    NoProtectOpt,
    OcrMode,
    OcrOpt,
    OfflineOpt,
    Output,
    Paths,
    PdfMode,
    PdfOpt,
    QuietOpt,
    RayAddressOpt,
    RetryOpt,
    SourceLangOpt,
    ThreadsOpt,
    WorkersOpt,
)
from .serve import register as register_serve_command

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
register_serve_command(app)  # serve: the web page and the LibreTranslate-compatible API

log = logging.getLogger("summtrans")


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
                retry_failed=a["retry_failed"], max_bytes=a["max_bytes"], ocr=a["ocr"].value,
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
    ocr: OcrOpt = OcrMode("auto"),
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
    ocr: OcrOpt = OcrMode("auto"),
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
