"""`summtrans serve`: a local web page to drop a letter into, and LibreTranslate's HTTP API.

`create_app(Service(...), ServeOptions(...))` is the ASGI app; `run(...)` serves it on uvicorn.
Routes only wire (`app`); LibreTranslate's checks and error strings are in `libretranslate`, the
models and the batching of concurrent requests in `service` and `batcher`, document jobs on disk
in `jobs`. Needs the ``serve`` extra (starlette, uvicorn, python-multipart): ``pip install "summtrans[serve]"``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .options import ServeOptions, read_api_keys

__all__ = ["MISSING_EXTRA", "ServeOptions", "create_app", "read_api_keys", "run"]

MISSING_EXTRA = 'summtrans serve needs the serve extra: pip install "summtrans[serve]"'

if TYPE_CHECKING:
    from ..models.config import Config
    from ..pipeline import PipelineOptions


def create_app(*args: Any, **kwargs: Any) -> Any:
    from .app import create_app as create

    return create(*args, **kwargs)


def run(options: ServeOptions, pipeline_options: PipelineOptions, config: Config, *, log_level: str = "info") -> None:
    """Serve the page and the API until Ctrl-C or SIGTERM; then requests in flight get
    `options.shutdown_s` to finish, and the process ends normally (exit status 0)."""
    import uvicorn

    from .service import Service

    app = create_app(Service(pipeline_options, config, options), options)
    config_ = uvicorn.Config(app, host=options.host, port=options.port, log_level=log_level,
                             timeout_graceful_shutdown=int(options.shutdown_s), access_log=False)
    _Server(config_).run()


def _server_class() -> Any:
    import uvicorn

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: Any) -> None:
            super().handle_exit(sig, frame)
            self._captured_signals.clear()  # a signal asks for a clean stop: exit 0, not the signal's default

    return Server


def _Server(config: Any) -> Any:  # noqa: N802 - a class built on first use (uvicorn is imported lazily)
    return _server_class()(config)
