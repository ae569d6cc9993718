"""The server's ASGI layers around the routes: the body cap (413 while streaming), CORS, JSON errors.

Kept apart from the routes so that each route only wires: read the parameters, call the service,
answer in LibreTranslate's shape.
"""

from __future__ import annotations

import functools
import logging
import os
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..errors import InputError, SummtransError
from .batcher import Busy
from .libretranslate import ApiError

__all__ = ["BodyLimit", "BodyTooLarge", "Cors", "api_route", "error"]

log = logging.getLogger(__name__)

# LibreTranslate's CORS headers, sent on every response when an origin is allowed.
CORS_HEADERS = {
    "Access-Control-Allow-Headers": "Authorization, Content-Type",
    "Access-Control-Expose-Headers": "Authorization",
    "Access-Control-Allow-Methods": "GET, POST",
    "Access-Control-Max-Age": str(60 * 60 * 24 * 20),
}


class BodyTooLarge(Exception):
    """A request body over the upload cap, found while it streamed in."""


async def save_upload(upload: Any, suffix: str, folder: Path) -> Path:
    """An upload copied in chunks to a private file in `folder` with a random name and `suffix`
    (never the client's name)."""
    fd, name = tempfile.mkstemp(suffix=suffix, prefix="upload-", dir=folder)
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := await upload.read(1 << 20):
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """LibreTranslate's error answer: ``{"error": message}``."""
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def too_large(limit_mb: float) -> str:
    return f"Request too large: over the {limit_mb:g} MB upload limit (--max-upload-mb)"


class BodyLimit:
    """Refuses bodies over `max_bytes`: at once by Content-Length, else when the streamed bytes pass
    the cap (the route's form parsing then raises BodyTooLarge, answered 413). Nothing is read whole first."""

    def __init__(self, app: Any, max_bytes: int, limit_mb: float) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.limit_mb = limit_mb

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            return await error(413, too_large(self.limit_mb))(scope, receive, send)
        seen = 0

        async def counted() -> dict:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLarge(too_large(self.limit_mb))
            return message

        await self.app(scope, counted, send)


class Cors:
    """CORS for the origins of --cors-origin ('*': any): LibreTranslate's headers on every
    response to an allowed origin (errors included), and the OPTIONS preflight answered. Off
    without origins: a page on another site cannot drive the local server."""

    def __init__(self, app: Any, origins: tuple[str, ...]) -> None:
        self.app = app
        self.any = "*" in origins
        self.origins = frozenset(o.rstrip("/") for o in origins if o != "*")

    def allowed(self, origin: str | None) -> str | None:
        if self.any:
            return "*"
        return origin if origin is not None and origin.rstrip("/") in self.origins else None

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        origin = headers.get(b"origin", b"").decode("latin-1") or None
        allow = self.allowed(origin)
        if allow is None:
            return await self.app(scope, receive, send)
        extra = [(b"access-control-allow-origin", allow.encode("latin-1"))]
        extra += [(k.lower().encode(), v.encode()) for k, v in CORS_HEADERS.items()]
        if allow != "*":
            extra.append((b"vary", b"Origin"))
        if scope["method"] == "OPTIONS" and b"access-control-request-method" in headers:
            response = Response(status_code=204)
            response.raw_headers.extend(extra)
            return await response(scope, receive, send)

        async def with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)


Handler = Callable[[Request], Awaitable[Response]]


def api_route(fn: Handler) -> Handler:
    """A route's failures as JSON errors: ApiError (its status), a full queue (429), a body over
    the cap (413), a bad document (400), anything else (500, logged): the server keeps serving."""

    @functools.wraps(fn)
    async def route(request: Request) -> Response:
        try:
            return await fn(request)
        except ApiError as exc:
            return error(exc.status, exc.message)
        except Busy as exc:
            return error(429, f"Slowdown: {exc}")
        except BodyTooLarge as exc:
            return error(413, str(exc))
        except InputError as exc:
            return error(400, str(exc))
        except SummtransError as exc:  # the model cannot load, the engine failed
            return error(500, f"Cannot translate text: {exc}")
        except Exception as exc:
            log.exception("%s %s failed", request.method, request.url.path)
            return error(500, f"Internal error: {type(exc).__name__}: {exc}")

    return route
