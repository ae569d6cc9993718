"""`summtrans models …`, `summtrans info` and `summtrans completion`: wiring only.

app.py registers them with `register(app)`.
"""

from __future__ import annotations

import json
import os
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from ..errors import SummtransError
from .errors import DebugOpt, fail, setup_logging
from .help import examples

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ..models.bundles import BundledModel

__all__ = ["completion", "info", "models_app", "register"]

COMPLETE_VAR = "_SUMMTRANS_COMPLETE"  # the variable Typer's completion scripts set
models_app = typer.Typer(
    help="Download, list, carry and remove models.",
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class ListFormat(str, Enum):
    text = "text"
    json = "json"


class Shell(str, Enum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"
    powershell = "powershell"


ConfigOpt = Annotated[
    Optional[Path],
    typer.Option("--config", envvar="SUMMTRANS_CONFIG", metavar="FILE", help="models.yaml to use.", show_default=False),
]
RefsArg = Annotated[
    Optional[list[str]],
    typer.Argument(
        metavar="PROFILE|HUB_ID", help="Profiles or hub ids (default: the default profiles).", show_default=False
    ),
]
AllOpt = Annotated[bool, typer.Option("--all", help="Every profile in models.yaml.")]
FormatOpt = Annotated[ListFormat, typer.Option("--format", "-f", help="Output format.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress and no log lines.")]


def _echo_models(models: Iterable[BundledModel]) -> None:
    """One line per model of a bundle: ``hub-id@commit: N files, ctranslate2 int8``."""
    for m in models:
        conv = f", ctranslate2 {','.join(m.compute_types)}" if m.compute_types else ""
        typer.echo(f"{m.model}@{m.commit[:12]}: {m.files} files{conv}")


def _table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        typer.echo("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())


@models_app.command("list", epilog=examples("summtrans models list", "summtrans models list --format json"))
def list_cmd(config: ConfigOpt = None, fmt: FormatOpt = ListFormat.text, debug: DebugOpt = False) -> None:
    """Show the profiles, their models and what of them is on disk."""
    from ..models.config import load_config
    from ..models.store import human_size, list_models

    try:
        cfg = load_config(config)
        statuses = list_models(cfg)
    except SummtransError as exc:
        fail(exc, debug)
    if fmt is ListFormat.json:
        typer.echo(json.dumps({"config": cfg.path, "models": [s.as_dict() for s in statuses]}, indent=2))
        return
    typer.echo(f"# {cfg.path}")
    rows = [("PROFILE", "TASK", "MODEL", "REVISION", "SIZE", "DOWNLOADED", "CONVERTED")]
    for s in statuses:
        rev = s.commit[:12] if s.commit else (s.revision or "-")
        state = "local dir" if s.local else "yes" if s.downloaded else "no"
        size = human_size(s.size_bytes) if s.size_bytes else "-"
        name = s.profile + (" *" if s.default else "")
        rows.append((name, s.task, s.model, rev, size, state, ",".join(s.converted) or "-"))
    _table(rows)
    typer.echo("(* default for its task)")


@models_app.command(
    "pull",
    epilog=examples(
        "summtrans models pull", "summtrans models pull --all", "summtrans models pull t5-small Helsinki-NLP/opus-mt-fr-en"
    ),
)
def pull_cmd(
    refs: RefsArg = None,
    all_profiles: AllOpt = False,
    no_convert: Annotated[bool, typer.Option("--no-convert", help="Download only; convert on first use.")] = False,
    compute_type: Annotated[
        Optional[str],
        typer.Option(
            "--compute-type", metavar="TYPE", help="Convert for this compute type (default: the profile's, else int8 on CPU)."
        ),
    ] = None,
    config: ConfigOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Download models, check them against the hub's checksums and convert them for this machine."""
    from ..models.config import load_config
    from ..models.store import human_size, pull

    setup_logging(quiet, debug)
    try:
        results = pull(refs or [], load_config(config), all_profiles=all_profiles, convert=not no_convert,
                       compute_type=compute_type, progress=not quiet)  # fmt: skip
    except SummtransError as exc:
        fail(exc, debug)
    for r in results:
        what = f"{r.files} files checked, {human_size(r.size_bytes)}" if r.files else "ready"
        conv = f"; ctranslate2 {r.compute_type}" if r.conversion else ""
        note = f" ({r.note})" if r.note else ""
        typer.echo(f"{r.name}: {r.model}{'@' + r.commit[:12] if r.commit else ''}: {what}{conv}{note}")


@models_app.command(
    "bundle",
    epilog=examples("summtrans models bundle models.tar", "summtrans models bundle --all all-models.tar",
                     "summtrans models bundle opus.tar opus-mt-de-en"),  # fmt: skip
)
def bundle_cmd(
    out: Annotated[Path, typer.Argument(metavar="OUT.tar", help="Archive to write.", show_default=False)],
    refs: RefsArg = None,
    all_profiles: AllOpt = False,
    config: ConfigOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Pack downloaded models and their conversions into one archive for a machine without network."""
    from ..models.bundles import bundle
    from ..models.config import load_config
    from ..models.store import human_size

    try:
        result = bundle(out, refs or [], load_config(config), all_profiles=all_profiles)
    except SummtransError as exc:
        fail(exc, debug)
    except OSError as exc:
        fail(SummtransError(f"{out}: {exc.strerror or exc}"), debug)
    _echo_models(result.models)
    typer.echo(f"wrote {result.path} ({human_size(result.size_bytes)})")


@models_app.command(
    "import", epilog=examples("summtrans models import models.tar", "HF_HOME=/data/hf summtrans models import models.tar")
)
def import_cmd(
    bundle_path: Annotated[
        Path, typer.Argument(metavar="BUNDLE.tar", help="Archive written by `models bundle`.", show_default=False)
    ],
    debug: DebugOpt = False,
) -> None:
    """Check a bundle's checksums and install its models where summtrans and Hugging Face look."""
    from ..models.bundles import import_bundle

    try:
        result = import_bundle(bundle_path)
    except SummtransError as exc:
        fail(exc, debug)
    _echo_models(result.models)
    typer.echo(f"imported {result.files} files into {result.hub_cache} and {result.ct2_cache}")


@models_app.command(
    "rm", epilog=examples("summtrans models rm t5-small", "summtrans models rm --yes Helsinki-NLP/opus-mt-de-en")
)
def rm_cmd(
    ref: Annotated[str, typer.Argument(metavar="PROFILE|HUB_ID", help="Model to remove.", show_default=False)],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
    config: ConfigOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Delete a model's downloaded snapshots and conversions (a local model directory is kept)."""
    from ..models.config import load_config
    from ..models.store import human_size, plan_removal, remove

    try:
        plan = plan_removal(ref, load_config(config))
    except SummtransError as exc:
        fail(exc, debug)
    for p in plan.paths:
        typer.echo(f"  {p}")
    if not yes and not typer.confirm(f"Remove {plan.model} ({human_size(plan.size_bytes)})?", default=False):
        raise typer.Exit(1)
    typer.echo(f"freed {human_size(remove(plan))}")


def info(config: ConfigOpt = None, fmt: FormatOpt = ListFormat.text) -> None:
    """Show versions, CPU features, accelerators, caches and the config in use (for bug reports)."""
    from ..models.store import human_size
    from ..sysinfo import collect_info

    i = collect_info(config)
    if fmt is ListFormat.json:
        typer.echo(json.dumps(i.as_dict(), indent=2))
        return
    for name, version in i.packages.items():
        typer.echo(f"{name + ':':<18}{version or 'not installed'}")
    rows = [
        ("python", f"{i.python} ({sys.executable})"),
        ("platform", i.platform),
        ("cpu cores", str(i.cpu_cores)),
        ("cpu flags", " ".join(i.cpu_flags) or "-"),
        ("ct2 cpu types", " ".join(i.ct2_cpu_compute_types) or "-"),
        ("cuda devices", str(i.cuda_devices)),
        ("mps", "not checked" if i.mps is None else str(i.mps).lower()),
        ("hub cache", f"{i.hub_cache} ({human_size(i.hub_cache_bytes)})"),
        ("ct2 cache", f"{i.ct2_cache} ({human_size(i.ct2_cache_bytes)})"),
        ("config", i.config),
        ("ocr", i.ocr),
    ]
    for key, value in rows:
        typer.echo(f"{key + ':':<18}{value}")


def completion(shell: Annotated[Shell, typer.Argument(help="bash, zsh, fish or powershell.", show_default=False)]) -> None:
    """Print the shell completion script (add it to your shell's startup file)."""
    from typer._completion_shared import get_completion_script

    typer.echo(get_completion_script(prog_name="summtrans", complete_var=COMPLETE_VAR, shell=shell.value))


def register(app: typer.Typer) -> None:
    """Add `models …`, `info` and `completion` to the main app."""
    if os.environ.get(COMPLETE_VAR):  # the shell asks for completions (the script `completion` prints)
        from typer._completion_classes import completion_init

        completion_init()  # Typer does this only with add_completion=True, which slows every --help
    app.add_typer(models_app, name="models")
    help_options = {"help_option_names": ["-h", "--help"]}
    app.command(
        "info", context_settings=help_options,
        epilog=examples("summtrans info", "summtrans info --format json > info.json"),
    )(info)  # fmt: skip
    app.command(
        "completion", context_settings=help_options,
        epilog=examples("summtrans completion bash >> ~/.bashrc", "summtrans completion zsh > ~/.zfunc/_summtrans",
                        "summtrans completion fish > ~/.config/fish/completions/summtrans.fish"),
    )(completion)  # fmt: skip
