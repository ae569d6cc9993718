"""The server's one pipeline: the models load once, lazily, and run on one thread (`batcher`).

`Service.translate` answers a /translate request: its texts join the other waiting requests' in
one `Translator.translate_many` call (HTML through the HTML backend and `translate_units`), and
its alternatives come from the engine's n-best list. `Service.process` runs one uploaded document
through `Pipeline.run` (summaries by a second pipeline that shares the translation model and the
memory). Everything touching a model runs on the model thread.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from ..language.detect import SOURCE_LANG, TARGET_LANG, detect
from .batcher import ModelThread
from .libretranslate import ApiError, TranslateParams, check_pair
from .options import ServeOptions

if TYPE_CHECKING:
    from ..formats.document import Document
    from ..models.config import Config
    from ..pipeline import Pipeline, PipelineOptions
    from ..progress import Progress
    from ..records import DocumentResult

__all__ = ["Service", "TextAnswer"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TextAnswer:
    """A /translate request's result, per text of q."""

    translations: list[str]
    detections: list[tuple[str, float]]  # (language, confidence 0..1) per text; filled for source=auto
    alternatives: list[list[str]]  # per text; empty lists without alternatives


@dataclass
class _Text:
    """One text of a request on its way through a batch."""

    text: str
    lang: str = SOURCE_LANG  # de: translate it; en: keep it
    detection: tuple[str, float] = (TARGET_LANG, 0.0)
    html: Any = None  # the HTML backend's Extracted (format=html)
    lines: list[str] | None = None  # format=text: the lines translated one by one
    result: str = ""


class Service:
    """The models of a server process and the thread they run on."""

    def __init__(self, options: PipelineOptions | None = None, config: Config | None = None,
                 serve: ServeOptions | None = None, *, pipeline: Pipeline | None = None) -> None:
        from ..pipeline import Pipeline, PipelineOptions

        self.serve = serve or ServeOptions()
        if pipeline is None:
            options = dataclasses.replace(options or PipelineOptions(), task="translate", source_lang="auto")
            pipeline = Pipeline(options, config)
        self.pipeline = pipeline
        s = self.serve
        self.thread: ModelThread[TranslateParams] = ModelThread(
            self._run_batch, max_queue=s.max_queue, window_s=s.batch_window_s, max_batch=s.max_batch,
            on_exit=self._close_pipelines,
        )

    # -- from the event loop ---------------------------------------------------------------------

    async def translate(self, params: TranslateParams) -> TextAnswer:
        """Queue a checked /translate request (Busy when the queue is full) and wait for its answer."""
        return await asyncio.wrap_future(self.thread.submit(params, size=len(params.texts)))

    async def run(self, fn: Any) -> Any:
        """Run `fn()` on the model thread, after the text requests waiting."""
        return await asyncio.wrap_future(self.thread.call(fn))

    def status(self) -> dict[str, Any]:
        """What the process holds: the models loaded, the queue, the rounds run."""
        models = {}
        for task, pipe in (("translation", self.pipeline), ("summary", self.__dict__.get("summarizing"))):
            user = pipe.__dict__.get("translator" if task == "translation" else "summarizer") if pipe else None
            engine = getattr(user, "_engine", None)
            models[task] = engine.describe() if engine is not None else None
        t = self.thread
        return {"models": models, "waiting": t.waiting, "max_queue": t.max_queue, "batches": t.batches, "requests": t.requests}

    def close(self, timeout: float | None = None) -> None:
        """Answer the text requests queued, close the memory (on the thread that opened it), stop."""
        self.thread.stop(timeout)

    def _close_pipelines(self) -> None:
        for pipe in (self.pipeline, self.__dict__.get("summarizing")):
            if pipe is not None:
                pipe.close()

    # -- on the model thread ---------------------------------------------------------------------

    @cached_property
    def summarizing(self) -> Pipeline:
        """The summarize pipeline; it shares this process's translation model and memory."""
        from ..pipeline import Pipeline

        base = self.pipeline
        pipe = Pipeline(dataclasses.replace(base.options, task="summarize"), base.config)
        pipe.__dict__["memory"] = base.memory  # cached properties: one memory, one translation model
        if base.translation_profile is not None:
            pipe.__dict__["translator"] = base.translator
        return pipe

    def process(self, path: Path, name: str, task: str, progress: Progress | None = None) -> DocumentResult:
        """One uploaded document through the pipeline of `task` (translate | summarize)."""
        doc = read_upload(path, name, self.serve.max_upload_bytes)
        pipe = self.summarizing if task == "summarize" else self.pipeline
        pipe.check_language(doc)
        [result] = pipe.run([doc], progress)
        return result

    def _run_batch(self, requests: list[TranslateParams]) -> list[TextAnswer | Exception]:
        """Answer a batch of /translate requests with one translate_many call (and one
        translate_units call for the HTML ones); a request's own bad input fails only that request."""
        prepared: list[list[_Text] | Exception] = []
        for params in requests:
            try:
                prepared.append([self._prepare(text, params) for text in params.texts])
            except (ApiError, InputError) as exc:
                prepared.append(exc)
        todo = [t for texts in prepared if isinstance(texts, list) for t in texts if t.lang == SOURCE_LANG]
        plain = [t for t in todo if t.html is None]
        lines = [line for t in plain for line in (t.lines or []) if line.strip()]
        if lines:
            done = iter(self.translator.translate_many(lines))
            for t in plain:
                t.result = "\n".join(next(done).text if line.strip() else line for line in t.lines or [])
        marked = [t for t in todo if t.html is not None]
        if marked:
            self._translate_html(marked)
        answers: list[TextAnswer | Exception] = []
        for params, texts in zip(requests, prepared):
            if isinstance(texts, Exception):
                answers.append(texts)
                continue
            alternatives = [self._alternatives(t, params.alternatives) if params.alternatives and t.html is None
                            and t.lang == SOURCE_LANG else [] for t in texts]
            answers.append(TextAnswer([t.result for t in texts], [t.detection for t in texts], alternatives))
        return answers

    @property
    def translator(self):
        return self.pipeline.translator

    def _prepare(self, text: str, params: TranslateParams) -> _Text:
        """A text's language (detected for source=auto), and its HTML units or lines."""
        item = _Text(text, result=text)
        if not text.strip():
            return dataclasses.replace(item, lang=TARGET_LANG)
        if params.html:
            item.html = _read_html(text)
            if item.html is None:  # markup without text: nothing to translate
                item.lang = TARGET_LANG
                return item
        if params.source == "auto":
            shown = _html_backend().to_text(item.html) if item.html is not None else text
            found = detect(shown)
            if found.reliable and found.lang not in (SOURCE_LANG, TARGET_LANG):
                raise ApiError(400, f"{found.lang} is not supported")
            item.lang = TARGET_LANG if found.reliable and found.lang == TARGET_LANG else SOURCE_LANG
            item.detection = (item.lang, found.confidence if found.lang == item.lang else 0.0)
        else:
            item.lang = params.source
            item.detection = (params.source, 1.0)
        check_pair(item.lang, params.target)
        if item.html is None:
            item.lines = text.split("\n")
        return item

    def _translate_html(self, texts: list[_Text]) -> None:
        backend = _html_backend()
        done = self.translator.translate_units([t.html.units for t in texts])
        for t, units in zip(texts, done):
            out = backend.write(t.html, units.units).decode("utf-8")
            t.result = out if _is_whole_page(t.text) else _body_of(out)

    def _alternatives(self, item: _Text, n: int) -> list[str]:
        """Up to `n` other translations of `item`, from the engine's n-best list, never repeating
        the main one: each line as one model input (its protected spans masked and restored)."""
        lines = item.lines or []
        main = item.result.split("\n")
        per_line = [self._nbest_line(line, n + 1) if line.strip() else [] for line in lines]
        out: list[str] = []
        for k in range(n + 1):
            joined = "\n".join(opts[k] if k < len(opts) else m for opts, m in zip(per_line, main))
            if joined != item.result and joined not in out:
                out.append(joined)
        return out[:n]

    def _nbest_line(self, line: str, n: int) -> list[str]:
        translator = self.translator
        engine = translator.engine
        text = " ".join(line.split())
        if engine.count_tokens([translator.prefix + text])[0] > translator.limit:
            return []  # a line the model takes in parts: no whole-line alternatives
        faithful = translator.faithful
        protect_options = faithful.protect if faithful is not None else None
        if protect_options is None:
            return engine.generate_nbest([translator.prefix + text], translator.generation, n)[0]
        from ..faithful.protect import protect, restore

        glossary = faithful.options.glossary
        masked = protect(text, protect_options, glossary.terms(text) if glossary is not None else ())
        hyps = engine.generate_nbest([translator.prefix + masked.masked], translator.generation, n)[0]
        return [restore(h, masked, fallback="drop").text for h in hyps]


def _html_backend() -> Any:
    from ..formats.registry import backend_for

    return backend_for("html")


def _read_html(text: str) -> Any:
    """The HTML backend's units of `text` (a fragment or a page); None when it holds no text."""
    try:
        return _html_backend().read(text.encode("utf-8"), "<q>")
    except InputError as exc:
        if exc.reason == "skipped-no-text":
            return None
        raise ApiError(400, f"Invalid request: {str(exc).removeprefix('<q>: ')}") from None


def _is_whole_page(text: str) -> bool:
    head = text[:2048].lower()
    return "<html" in head or "<body" in head or "<!doctype" in head


def _body_of(page: str) -> str:
    """The inner HTML of a page's body: what a fragment sent in comes back as."""
    from bs4 import BeautifulSoup

    body = BeautifulSoup(page, "lxml").body
    return body.decode_contents(formatter="minimal") if body is not None else page


def display_name(filename: str | None) -> str:
    """An uploaded file's name fit to show and to offer as a download name: its last path part,
    without control characters or quotes, at most 120 characters. Never used on disk."""
    base = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if c.isprintable() and c not in '"<>|*?:').strip().lstrip(".")
    if len(base) > 120:
        stem, dot, suffix = base.rpartition(".")
        base = (stem[: 119 - len(suffix)] + dot + suffix) if dot and len(suffix) < 16 else base[:120]
    return base or "document"


def read_upload(path: Path, name: str, max_bytes: int) -> Document:
    """Read an upload saved at `path` (a private name with the right suffix) as the document
    `name`: errors name `name`, never the path on disk."""
    from ..formats.document import read_document

    try:
        doc = read_document(path, max_bytes=max_bytes)
    except InputError as exc:
        message = str(exc).removeprefix(f"{exc.path}: ").replace(str(path), name)
        raise InputError(name, message, exc.reason) from None
    return dataclasses.replace(doc, source=name)


def answer_json(params: TranslateParams, answer: TextAnswer) -> dict[str, Any]:
    """A /translate answer in LibreTranslate's shape (lists for a list q)."""
    from .libretranslate import detection

    def one(values: Sequence[Any]) -> Any:
        return list(values) if params.batch else values[0]

    out: dict[str, Any] = {"translatedText": one(answer.translations)}
    if params.source == "auto":
        out["detectedLanguage"] = one([detection(lang, conf) for lang, conf in answer.detections])
    if params.alternatives > 0:
        out["alternatives"] = one(answer.alternatives)
    return out
