"""What `summtrans serve` runs with, beside the pipeline's own options."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError

__all__ = ["ServeOptions"]


@dataclass(frozen=True)
class ServeOptions:
    """The server's settings; the models and their options are the pipeline's (`PipelineOptions`)."""

    host: str = "127.0.0.1"  # loopback unless told otherwise
    port: int = 8000
    max_queue: int = 256  # text requests waiting for the model; past it 429
    keep_hours: float = 24.0  # finished document jobs stay downloadable this long
    char_limit: int = -1  # characters per text of /translate (-1: no limit)
    api_keys: frozenset[str] = frozenset()  # empty: no key needed (one sent anyway is ignored)
    cors_origins: tuple[str, ...] = ()  # origins allowed to call the API from a browser ('*': any); empty: CORS off
    max_upload_mb: float = 25.0  # request bodies (uploads) over this are refused while streaming (413)
    state_dir: Path | None = None  # the job store and its files; None: $SUMMTRANS_CACHE_DIR/serve
    batch_window_s: float = 0.02  # longest wait for the requests of a round (as many as the last round had)
    max_batch: int = 64  # texts per shared engine call (a request is never split)
    max_alternatives: int = 3  # most alternatives a request may ask for (LibreTranslate's default limit)
    frontend_timeout_ms: int = 500  # the page translates this long after the last keystroke
    shutdown_s: float = 30.0  # Ctrl-C / SIGTERM: requests in flight get this long to finish

    def __post_init__(self) -> None:
        if self.max_queue < 1:
            raise UsageError("--max-queue must be at least 1")
        if self.max_upload_mb <= 0:
            raise UsageError("--max-upload-mb must be more than 0")
        if self.keep_hours <= 0:
            raise UsageError("--keep-hours must be more than 0")
        if self.char_limit < -1 or self.char_limit == 0:
            raise UsageError("--char-limit must be a positive number of characters (-1: no limit)")
        object.__setattr__(self, "api_keys", frozenset(self.api_keys))
        object.__setattr__(self, "cors_origins", tuple(self.cors_origins))

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    @property
    def keys_required(self) -> bool:
        return bool(self.api_keys)


def read_api_keys(path: str | Path) -> frozenset[str]:
    """The keys of an --api-keys file: one a line; blank lines and lines starting with # skipped."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read the API keys file: {getattr(exc, 'strerror', None) or exc}") from exc
    keys = frozenset(k.strip() for k in lines if k.strip() and not k.lstrip().startswith("#"))
    if not keys:
        raise UsageError(f"{path}: no API keys in the file (one a line)")
    return keys
