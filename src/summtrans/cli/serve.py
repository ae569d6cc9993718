"""`summtrans serve`: the web page and the LibreTranslate-compatible API, wiring only.

app.py registers it with `register(app)` after its shared options, which this module reuses.
Starlette and uvicorn (the ``serve`` extra) are imported only when the command runs, so
``summtrans --help`` stays fast and works without them.
"""

from __future__ import annotations

import ipaddress
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ..errors import SummtransError
from .errors import fail, setup_logging
from .help import examples
from .options import (
    BatchOpt,
    BeamsOpt,
    ComputeOpt,
    ConfigOpt,
    DebugOpt,
    Device,
    DeviceOpt,
    EngineOpt,
    GlossaryOpt,
    Length,
    LengthFactorOpt,
    ModelOpt,
    NoGuardsOpt,
    NoMemoryOpt,
    NoProtectOpt,
    OfflineOpt,
    QuietOpt,
    ThreadsOpt,
)

__all__ = ["register", "serve"]


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on (loopback by default: only this computer can connect).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8000,
    model: ModelOpt = None,
    summary_model: Annotated[
        Optional[str], typer.Option("--summary-model", metavar="NAME|PATH", help="Summarization profile, hub id or model directory.")
    ] = None,
    length: Annotated[Optional[Length], typer.Option("--length", help="Summary length (default: the profile's).")] = None,
    config: ConfigOpt = None,
    engine: EngineOpt = None,
    compute_type: ComputeOpt = None,
    device: DeviceOpt = Device("auto"),
    num_beams: BeamsOpt = None,
    batch_tokens: BatchOpt = 4096,
    threads: ThreadsOpt = None,
    offline: OfflineOpt = False,
    no_memory: NoMemoryOpt = False,
    glossary: GlossaryOpt = None,
    max_length_factor: LengthFactorOpt = None,
    no_guards: NoGuardsOpt = False,
    no_protect: NoProtectOpt = False,
    max_queue: Annotated[int, typer.Option("--max-queue", min=1, metavar="N", help="Text requests waiting for the model; past it: 429.")] = 256,
    keep_hours: Annotated[float, typer.Option("--keep-hours", min=0.01, metavar="H", help="Keep finished documents downloadable this long.")] = 24.0,
    char_limit: Annotated[int, typer.Option("--char-limit", min=-1, metavar="N", help="Characters per text of /translate (-1: no limit).")] = -1,
    api_key: Annotated[Optional[list[str]], typer.Option("--api-key", metavar="KEY", help="Require this API key (repeatable).")] = None,
    api_keys: Annotated[Optional[Path], typer.Option("--api-keys", metavar="FILE", help="Require one of the API keys in FILE (one a line).")] = None,
    cors_origin: Annotated[Optional[list[str]], typer.Option("--cors-origin", metavar="ORIGIN", help="Let pages from ORIGIN call the API (repeatable; '*': any site).")] = None,
    max_upload_mb: Annotated[float, typer.Option("--max-upload-mb", min=0.001, metavar="MB", help="Largest upload (refused with 413 while it streams).")] = 25.0,
    state_dir: Annotated[Optional[Path], typer.Option("--state-dir", metavar="DIR", help="Document jobs and their files (default: $SUMMTRANS_CACHE_DIR/serve).")] = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Serve a web page to drop documents into, and LibreTranslate's HTTP API.

    The page (http://HOST:PORT/) translates as you type and takes documents to translate or
    summarize. Tools that speak LibreTranslate's API (libretranslatepy, browser extensions…)
    work unchanged against http://HOST:PORT. The API is described at /docs.
    Ctrl-C stops taking requests, lets those in flight finish, and exits.
    """
    try:
        import python_multipart  # noqa: F401
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        from ..serve import MISSING_EXTRA

        typer.echo(f"Error: {MISSING_EXTRA}", err=True)
        raise typer.Exit(2) from None
    setup_logging(quiet, debug)
    try:
        from ..models.config import load_config
        from ..pipeline import PipelineOptions
        from ..serve import ServeOptions, read_api_keys, run

        keys = set(api_key or ())
        if api_keys is not None:
            keys |= read_api_keys(api_keys)
        options = ServeOptions(
            host=host, port=port, max_queue=max_queue, keep_hours=keep_hours, char_limit=char_limit,
            api_keys=frozenset(keys), cors_origins=tuple(cors_origin or ()), max_upload_mb=max_upload_mb,
            state_dir=state_dir,
        )
        chosen: dict[str, Any] = dict(
            model=model, summary_model=summary_model, length=length, engine=engine, compute_type=compute_type,
            device=device, num_beams=num_beams, max_batch_tokens=batch_tokens, threads=threads, offline=offline,
            memory=not no_memory, glossary=glossary, max_length_factor=max_length_factor, guards=not no_guards,
            protect=not no_protect,
        )
        chosen = {k: v.value if isinstance(v, Enum) else v for k, v in chosen.items()}
        pipeline_options = PipelineOptions(task="translate", source_lang="auto", **chosen)
        if not quiet:
            typer.echo(f"summtrans serve: http://{_url_host(host)}:{port}/ (Ctrl-C to stop)", err=True)
            if not _loopback(host):
                typer.echo(f"Warning: listening on {host}: other computers can reach this server"
                           f"{'' if keys else ' (no --api-key set)'}", err=True)
        run(options, pipeline_options, load_config(config), log_level="debug" if debug else "warning" if quiet else "info")
    except SummtransError as exc:
        fail(exc, debug)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def register(app: typer.Typer) -> None:
    """Add `serve` to the main app."""
    app.command(
        "serve",
        context_settings={"help_option_names": ["-h", "--help"]},
        epilog=examples(
            "summtrans serve",
            "summtrans serve --port 5000 --api-key SECRET",
            "summtrans serve -m opus-mt-de-en --offline --cors-origin https://intranet.example.org",
        ),
    )(serve)
