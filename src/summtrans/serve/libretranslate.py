"""LibreTranslate's API surface: reading a request's parameters, checking them in LibreTranslate's
order, and its English error strings (its clients show them to people, its tests pin several).

Nothing here touches a model: the routes (`app`) hand the checked parameters to the service.
Only German → English is translated; English → English comes back as it was sent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..formats.document import MARKDOWN_SUFFIXES
from ..language.detect import LANGUAGE_NAMES, SOURCE_LANG, TARGET_LANG

__all__ = [
    "ApiError",
    "LANGUAGES",
    "FileParams",
    "TranslateParams",
    "api_key_of",
    "detect_params",
    "file_params",
    "frontend_settings",
    "languages",
    "read_params",
    "supported_suffixes",
    "translate_params",
]

# code → targets; the only pair translated is de → en (en → en returns the text as sent).
LANGUAGES: dict[str, tuple[str, ...]] = {SOURCE_LANG: (TARGET_LANG,), TARGET_LANG: (TARGET_LANG,)}
FORMATS = ("text", "html")


class ApiError(Exception):
    """A request the API refuses: its status code and LibreTranslate's message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def missing(name: str) -> ApiError:
    return ApiError(400, f"Invalid request: missing {name} parameter")


@dataclass(frozen=True)
class TranslateParams:
    """A checked /translate request."""

    texts: tuple[str, ...]  # q, or its one string
    batch: bool  # q was a list: the answer has lists
    source: str  # de | en | auto
    target: str  # en
    html: bool  # format=html
    alternatives: int  # other translations asked for (0: none, and no "alternatives" key)


@dataclass(frozen=True)
class FileParams:
    """A checked /translate_file request (the upload itself stays with the route)."""

    source: str
    target: str
    suffix: str  # the upload's suffix, lower case, one of supported_suffixes()


def supported_suffixes() -> tuple[str, ...]:
    """Every suffix summtrans reads: the format backends' and plain text and markdown."""
    from ..formats.registry import SUFFIXES

    return (".txt", *MARKDOWN_SUFFIXES, *SUFFIXES)


def is_json(content_type: str | None) -> bool:
    """As Flask's ``request.is_json``: application/json or any ``+json`` type."""
    mime = (content_type or "").split(";")[0].strip().lower()
    return mime == "application/json" or (mime.startswith("application/") and mime.endswith("+json"))


def parse_json(body: bytes) -> dict[str, Any]:
    """A JSON body's object; anything else is LibreTranslate's ``Invalid JSON format``."""
    try:
        data = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "Invalid JSON format") from None
    if not isinstance(data, dict):
        raise ApiError(400, "Invalid JSON format")
    return data


def read_params(json_body: dict[str, Any] | None, form: Mapping[str, Any], query: Mapping[str, str]) -> dict[str, Any]:
    """The request's parameters: the JSON object, else the form over the query string (Flask's ``values``)."""
    if json_body is not None:
        return dict(json_body)
    params: dict[str, Any] = dict(query)
    params.update({k: v for k, v in form.items()})
    return params


def api_key_of(params: Mapping[str, Any], authorization: str | None) -> str | None:
    """The key sent as ``api_key`` (form or JSON) or as ``Authorization: Bearer KEY``."""
    key = params.get("api_key")
    if isinstance(key, str) and key:
        return key
    if authorization and authorization[:7].lower() == "bearer ":
        return authorization[7:].strip() or None
    return None


def _code(value: Any) -> str | None:
    """A language code as LibreTranslate reads it: lower case; None when absent or empty."""
    if value is None or value == "":
        return None
    return str(value).strip().lower() or None


def _pair(params: Mapping[str, Any]) -> tuple[str, str]:
    """The source and target codes, each required (source first, as LibreTranslate checks them)."""
    source = _code(params.get("source"))
    if source is None:
        raise missing("source")
    target = _code(params.get("target"))
    if target is None:
        raise missing("target")
    return source, target


def translate_params(params: Mapping[str, Any], *, char_limit: int, max_alternatives: int) -> TranslateParams:
    """Check /translate's parameters in LibreTranslate's order: q, source, target (missing),
    alternatives, the character limit, the languages, the format, the pair."""
    q = params.get("q")
    if not q:
        raise missing("q")
    source, target = _pair(params)
    try:
        alternatives = max(0, int(params.get("alternatives") or 0))
    except (TypeError, ValueError):
        raise ApiError(400, "Invalid request: alternatives parameter is not a number") from None
    if alternatives > max_alternatives:
        raise ApiError(400, f"Invalid request: alternatives parameter must be <= {max_alternatives}")
    batch = isinstance(q, list)
    texts = q if batch else [q]
    if not all(isinstance(t, str) for t in texts):
        raise ApiError(400, "Invalid request: q must be a string or a list of strings")
    texts = ["\n".join(t.splitlines()) for t in texts]  # line ends as \n, as LibreTranslate counts them
    if char_limit != -1:
        for text in texts:
            if len(text) > char_limit:
                raise ApiError(400, f"Invalid request: request ({len(text)}) exceeds text limit ({char_limit})")
    if source != "auto" and source not in LANGUAGES:
        raise ApiError(400, f"{source} is not supported")
    if target not in LANGUAGES:
        raise ApiError(400, f"{target} is not supported")
    fmt = params.get("format") or "text"
    if fmt not in FORMATS:
        raise ApiError(400, f"{fmt} format is not supported")
    if source != "auto":
        check_pair(source, target)
    return TranslateParams(tuple(texts), batch, source, target, fmt == "html", alternatives)


def check_pair(source: str, target: str) -> None:
    """LibreTranslate's error for a pair it has no model for (here: anything but de → en, en → en)."""
    if target not in LANGUAGES.get(source, ()):
        raise ApiError(
            400,
            f"{language_name(target)} ({target}) is not available as a target language from "
            f"{language_name(source)} ({source})",
        )


def detect_params(params: Mapping[str, Any]) -> str:
    q = params.get("q")
    if not q:
        raise missing("q")
    if isinstance(q, list):  # LibreTranslate detects a list as one text
        q = "\n".join(str(t) for t in q)
    if not isinstance(q, str):
        raise ApiError(400, "Invalid request: q must be a string or a list of strings")
    return q


def file_params(params: Mapping[str, Any], filename: str | None) -> FileParams:
    """Check /translate_file's parameters in LibreTranslate's order (the file part first)."""
    if filename is None:
        raise missing("file")
    source, target = _pair(params)
    if filename == "":
        raise ApiError(400, "Invalid request: empty file")
    suffix = suffix_of(filename)
    if suffix not in supported_suffixes():
        raise ApiError(400, "Invalid request: file format not supported")
    if source != "auto" and source not in LANGUAGES:
        raise ApiError(400, f"{source} is not supported")
    if target not in LANGUAGES:
        raise ApiError(400, f"{target} is not supported")
    if source != "auto":
        check_pair(source, target)
    return FileParams(source, target, suffix)


def suffix_of(filename: str) -> str:
    """The suffix of an uploaded file's name, lower case ('' without one); never a path."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    dot = base.rfind(".")
    return base[dot:].lower() if dot > 0 else ""


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


def languages() -> list[dict[str, Any]]:
    """GET /languages."""
    return [{"code": code, "name": language_name(code), "targets": list(targets)} for code, targets in LANGUAGES.items()]


def detection(lang: str, confidence: float) -> dict[str, Any]:
    """LibreTranslate's detected-language object (confidence 0–100)."""
    return {"confidence": round(confidence * 100, 1), "language": lang}


def frontend_settings(*, char_limit: int, frontend_timeout: int, keys: bool) -> dict[str, Any]:
    """GET /frontend/settings, with LibreTranslate's keys."""
    return {
        "apiKeys": keys,
        "charLimit": char_limit,
        "filesTranslation": True,
        "frontendTimeout": frontend_timeout,
        "keyRequired": keys,
        "language": {
            "source": {"code": "auto", "name": "Auto Detect"},
            "target": {"code": TARGET_LANG, "name": language_name(TARGET_LANG)},
        },
        "suggestions": False,
        "supportedFilesFormat": list(supported_suffixes()),
    }
