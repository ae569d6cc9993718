"""The Starlette app: routes that only wire (parameters → service → LibreTranslate's answer).

`create_app(service, options, jobs)` builds it; `summtrans serve` runs it on uvicorn. The API
checks live in `libretranslate`, the model work in `service` (one thread, batched), document
jobs in `jobs`, the error and CORS layers in `http`, the page in ``static/``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import mimetypes
import re
import secrets
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from . import libretranslate as lt
from .http import BodyLimit, Cors, api_route, error, save_upload
from .jobs import ID_PATTERN, Job, Jobs, JobStore, job_json
from .openapi import docs_page, openapi
from .options import ServeOptions
from .service import Service, answer_json, display_name, read_upload

__all__ = ["create_app"]

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
_DOWNLOAD = re.compile(rf"({ID_PATTERN.pattern})\.([^/\\]+)")
_KINDS = ("document", "summary", "record")


def default_state_dir() -> Path:
    from ..models.hub import cache_root

    return cache_root() / "serve"


class Api:
    """The routes, over one service, its job runner and the server's options."""

    def __init__(self, service: Service, jobs: Jobs, options: ServeOptions) -> None:
        self.service = service
        self.jobs = jobs
        self.options = options
        self.uploads = jobs.store.uploads  # private: a random name per upload, never the client's

    # -- reading requests ----------------------------------------------------------------------

    async def params(self, request: Request, *, keyed: bool = True) -> tuple[dict[str, Any], Any]:
        """The request's parameters (JSON, else form and query) and its form; the API key checked."""
        form: Any = {}
        body = None
        if lt.is_json(request.headers.get("content-type")):
            body = lt.parse_json(await request.body())
        elif request.method == "POST":
            form = await request.form(max_part_size=self.options.max_upload_bytes)
        params = lt.read_params(body, {k: v for k, v in form.items() if isinstance(v, str)}, request.query_params)
        if keyed:
            self.check_key(params, request)
        return params, form

    def check_key(self, params: dict[str, Any], request: Request) -> None:
        """With keys on, every call that does work needs a valid one; with keys off one sent is ignored."""
        if not self.options.keys_required:
            return
        key = lt.api_key_of(params, request.headers.get("authorization"))
        if key is None or not any(secrets.compare_digest(key, k) for k in self.options.api_keys):
            raise lt.ApiError(403, "Invalid API key")

    async def accept(self, upload: Any, task: str) -> Job:
        """Check an uploaded file and queue its job; a bad document is refused now (400)."""
        filename = upload.filename if isinstance(upload, UploadFile) else None
        if filename is None:
            raise lt.missing("file")
        suffix = lt.suffix_of(filename)
        if suffix not in lt.supported_suffixes():
            raise lt.ApiError(400, "Invalid request: file format not supported")
        name = display_name(filename)
        if lt.suffix_of(name) != suffix:
            name += suffix
        path = await save_upload(upload, suffix, self.uploads)
        try:
            await run_in_threadpool(read_upload, path, name, self.options.max_upload_bytes)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return await run_in_threadpool(self.jobs.add, task, name, suffix, path)

    async def finished(self, job: Job) -> Job:
        """Wait for a job of this process to finish; its final state."""
        future = self.jobs.future(job.id)
        if future is not None:
            await asyncio.wrap_future(future)
        done = self.jobs.store.get(job.id)
        assert done is not None
        return done

    @staticmethod
    def base_url(request: Request) -> str:
        return str(request.base_url).rstrip("/")

    # -- LibreTranslate's API ------------------------------------------------------------------

    async def translate(self, request: Request) -> Response:
        params, _ = await self.params(request)
        checked = lt.translate_params(params, char_limit=self.options.char_limit,
                                      max_alternatives=self.options.max_alternatives)
        answer = await self.service.translate(checked)
        return JSONResponse(answer_json(checked, answer))

    async def detect(self, request: Request) -> Response:
        params, _ = await self.params(request)
        text = lt.detect_params(params)
        from ..language.detect import detect

        found = await run_in_threadpool(detect, text)
        return JSONResponse([lt.detection(found.lang, found.confidence)])

    async def translate_file(self, request: Request) -> Response:
        params, form = await self.params(request)
        upload = form.get("file") if hasattr(form, "get") else None
        lt.file_params(params, upload.filename if isinstance(upload, UploadFile) else None)
        job = await self.finished(await self.accept(upload, "translate"))
        if job.status == "failed":
            return error(job.error_status or 500, job.error or "Cannot translate the file")
        if job.output_suffix is None:
            return error(400, f"{job.name}: nothing to translate")
        url = f"{self.base_url(request)}/download_file/{job.id}.{job.output_name}"
        return JSONResponse({"translatedFileUrl": url})

    async def download_file(self, request: Request) -> Response:
        match = _DOWNLOAD.fullmatch(request.path_params["filename"])
        if match is None:
            return error(400, "Invalid filename")
        return self.download(match.group(1), "document")

    async def suggest(self, request: Request) -> Response:
        return error(403, "Suggestions are disabled on this server.")

    async def languages(self, request: Request) -> Response:
        return JSONResponse(lt.languages())

    async def settings(self, request: Request) -> Response:
        o = self.options
        return JSONResponse(lt.frontend_settings(char_limit=o.char_limit, frontend_timeout=o.frontend_timeout_ms,
                                                 keys=o.keys_required))

    async def health(self, request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    # -- our documents API ---------------------------------------------------------------------

    async def add_documents(self, request: Request) -> Response:
        params, form = await self.params(request)
        task = params.get("task") or "translate"
        if task not in ("translate", "summarize"):
            raise lt.ApiError(400, f"Invalid request: task must be translate or summarize, not {task}")
        uploads = [*form.getlist("file"), *form.getlist("files")] if hasattr(form, "getlist") else []
        if not uploads:
            raise lt.missing("file")
        for upload in uploads:  # every name checked before any file is queued
            if not isinstance(upload, UploadFile) or lt.suffix_of(upload.filename or "") not in lt.supported_suffixes():
                raise lt.ApiError(400, f"Invalid request: file format not supported ({display_name(getattr(upload, 'filename', None))})")
        jobs = [await self.accept(upload, task) for upload in uploads]
        base = self.base_url(request)
        return JSONResponse({"jobs": [job_json(j, None, base) for j in jobs]}, status_code=202)

    async def document(self, request: Request) -> Response:
        job = self.jobs.store.get(request.path_params["id"])
        if job is None:
            return error(404, "No such document job")
        return JSONResponse(job_json(job, self.jobs.progress(job.id), self.base_url(request)))

    async def document_file(self, request: Request) -> Response:
        kind = request.path_params["kind"]
        if kind not in _KINDS:
            return error(404, f"Not found: downloads are {', '.join(_KINDS)}")
        return self.download(request.path_params["id"], kind)

    def download(self, job_id: str, kind: str) -> Response:
        job = self.jobs.store.get(job_id)
        if job is None or job.status != "done":
            return error(404, "No such file (unknown, not finished, or expired)")
        if kind == "document" and job.output_suffix is None or kind == "summary" and not job.summary:
            return error(404, f"This job has no {kind}")
        path = self.jobs.store.output_path(job, kind)
        if not path.is_file():
            return error(404, "No such file (expired)")
        if kind == "record":
            return FileResponse(path, media_type="application/json")
        name = job.output_name if kind == "document" else f"{job.stem}_summary_en.txt"
        media = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return FileResponse(path, media_type=media, filename=name, content_disposition_type="attachment")

    async def status(self, request: Request) -> Response:
        return JSONResponse(self.service.status())

    async def index(self, request: Request) -> Response:
        return FileResponse(STATIC / "index.html", media_type="text/html")

    async def spec(self, request: Request) -> Response:
        return JSONResponse(openapi())

    async def docs(self, request: Request) -> Response:
        return HTMLResponse(docs_page(openapi()))

    def routes(self) -> list[Any]:
        api = api_route
        return [
            Route("/", self.index, methods=["GET"]),
            Route("/translate", api(self.translate), methods=["POST"]),
            Route("/detect", api(self.detect), methods=["POST"]),
            Route("/translate_file", api(self.translate_file), methods=["POST"]),
            Route("/download_file/{filename}", api(self.download_file), methods=["GET"]),
            Route("/languages", api(self.languages), methods=["GET"]),
            Route("/frontend/settings", api(self.settings), methods=["GET"]),
            Route("/suggest", api(self.suggest), methods=["POST"]),
            Route("/health", api(self.health), methods=["GET"]),
            Route("/spec", api(self.spec), methods=["GET"]),
            Route("/openapi.json", api(self.spec), methods=["GET"]),
            Route("/docs", self.docs, methods=["GET"]),
            Route("/v1/documents", api(self.add_documents), methods=["POST"]),
            Route("/v1/documents/{id}", api(self.document), methods=["GET"]),
            Route("/v1/documents/{id}/{kind}", api(self.document_file), methods=["GET"]),
            Route("/v1/status", api(self.status), methods=["GET"]),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ]


async def _http_error(request: Request, exc: Exception) -> Response:
    """404 and 405 (a wrong method: GET /translate, POST /languages) as JSON errors."""
    assert isinstance(exc, HTTPException)
    return error(exc.status_code, str(exc.detail), headers=dict(exc.headers or {}))


def create_app(service: Service, options: ServeOptions | None = None, jobs: Jobs | None = None) -> Any:
    """The ASGI app: the page, LibreTranslate's API and the documents API, over `service`.

    On start it resumes the document jobs a previous server left unfinished and sweeps expired
    ones (every hour after); on stop it lets the model thread answer what it holds, then closes.
    """
    options = options or ServeOptions()
    if jobs is None:
        jobs = Jobs(JobStore(options.state_dir or default_state_dir()), service, options.keep_hours)
    api = Api(service, jobs, options)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        await run_in_threadpool(jobs.resume)
        sweeper = asyncio.create_task(_sweep(jobs, min(3600.0, options.keep_hours * 3600 / 4)))
        try:
            yield
        finally:
            sweeper.cancel()
            await run_in_threadpool(service.close, options.shutdown_s)

    app = Starlette(routes=api.routes(), exception_handlers={HTTPException: _http_error}, lifespan=lifespan)
    app.state.api = api
    wrapped: Any = BodyLimit(app, options.max_upload_bytes, options.max_upload_mb)
    if options.cors_origins:
        wrapped = Cors(wrapped, options.cors_origins)
    return wrapped


async def _sweep(jobs: Jobs, every_s: float) -> None:
    while True:
        await asyncio.sleep(every_s)
        try:
            removed = await run_in_threadpool(jobs.sweep)
            if removed:
                log.info("deleted %d expired document jobs", removed)
        except Exception:
            log.warning("sweeping expired document jobs failed", exc_info=True)

