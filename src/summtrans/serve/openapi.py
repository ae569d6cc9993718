"""The API's OpenAPI description (``/openapi.json``, ``/spec``) and a plain page of it (``/docs``).

Written by hand, small: LibreTranslate's endpoints as its clients use them, and our documents API.
The page is rendered here, escaped, with no script and nothing from another site.
"""

from __future__ import annotations

import html
from functools import cache
from typing import Any

from .. import __version__

__all__ = ["docs_page", "openapi"]

_ERROR = {"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _form(required: list[str], props: dict[str, Any], files: bool = False) -> dict[str, Any]:
    schema = {"type": "object", "required": required, "properties": props}
    kinds = ["multipart/form-data"] if files else ["application/x-www-form-urlencoded", "application/json"]
    return {"required": True, "content": {k: {"schema": schema} for k in kinds}}


def _ok(description: str, schema: dict[str, Any] | None = None, media: str = "application/json") -> dict[str, Any]:
    return {"description": description, **({"content": {media: {"schema": schema}}} if schema else {})}


def _op(summary: str, description: str, responses: dict[str, Any], body: dict[str, Any] | None = None,
        params: list[dict[str, Any]] | None = None, tag: str = "LibreTranslate") -> dict[str, Any]:
    op: dict[str, Any] = {"summary": summary, "description": description, "tags": [tag], "responses": responses}
    if body:
        op["requestBody"] = body
    if params:
        op["parameters"] = params
    return op


_KEY = {"api_key": {"type": "string", "description": "API key (or Authorization: Bearer KEY); needed when the server has keys"}}
_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}


@cache
def openapi() -> dict[str, Any]:
    text = {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
    paths = {
        "/translate": {"post": _op(
            "Translate text",
            "German to English (English to English returns the text as sent). q a string or a list (list in, list out).",
            {"200": _ok("Translation", {"$ref": "#/components/schemas/Translation"}), "400": _ERROR, "403": _ERROR,
             "413": _ERROR, "429": _ERROR, "500": _ERROR},
            _form(["q", "source", "target"], {
                "q": {**text, "description": "Text(s) to translate; line breaks: translated line by line"},
                "source": {"type": "string", "example": "de", "description": "de, en or auto"},
                "target": {"type": "string", "example": "en"},
                "format": {"type": "string", "enum": ["text", "html"], "default": "text"},
                "alternatives": {"type": "integer", "default": 0, "maximum": 3,
                                 "description": "How many other translations (from the engine's n-best list)"},
                **_KEY,
            }))},
        "/detect": {"post": _op("Detect the language", "Best first; confidence 0–100.",
                                {"200": _ok("Detections", {"type": "array", "items": {"$ref": "#/components/schemas/Detection"}}),
                                 "400": _ERROR, "403": _ERROR},
                                _form(["q"], {"q": {"type": "string"}, **_KEY}))},
        "/languages": {"get": _op("Supported languages", "Codes, names and targets.", {"200": _ok("Languages", {
            "type": "array", "items": {"type": "object", "properties": {
                "code": {"type": "string"}, "name": {"type": "string"}, "targets": {"type": "array", "items": {"type": "string"}}}}})})},
        "/translate_file": {"post": _op(
            "Translate a file",
            "Any format summtrans reads (docx, odt, pptx, pdf, html, srt, txt, md…); answers with a download URL.",
            {"200": _ok("Download URL", {"type": "object", "properties": {"translatedFileUrl": {"type": "string"}}}),
             "400": _ERROR, "403": _ERROR, "413": _ERROR},
            _form(["file", "source", "target"], {"file": {"type": "string", "format": "binary"},
                                                 "source": {"type": "string"}, "target": {"type": "string"}, **_KEY}, files=True))},
        "/download_file/{filename}": {"get": _op("Download a translated file", "The URL /translate_file answered.",
                                                 {"200": _ok("The document", {"type": "string", "format": "binary"},
                                                             "application/octet-stream"), "400": _ERROR, "404": _ERROR},
                                                 params=[{"name": "filename", "in": "path", "required": True, "schema": {"type": "string"}}])},
        "/frontend/settings": {"get": _op("Server settings", "LibreTranslate's frontend settings.", {"200": _ok("Settings")})},
        "/suggest": {"post": _op("Suggest a translation", "Disabled: always 403.", {"403": _ERROR})},
        "/health": {"get": _op("Health check", "", {"200": _ok("ok", {"type": "object"})})},
        "/v1/documents": {"post": _op(
            "Queue documents", "One job per file; jobs live on disk and survive a restart.",
            {"202": _ok("Jobs", {"type": "object", "properties": {"jobs": {"type": "array", "items": {"$ref": "#/components/schemas/Job"}}}}),
             "400": _ERROR, "403": _ERROR, "413": _ERROR},
            _form(["file"], {"file": {"type": "array", "items": {"type": "string", "format": "binary"}},
                             "task": {"type": "string", "enum": ["translate", "summarize"], "default": "translate"}, **_KEY},
                  files=True), tag="Documents")},
        "/v1/documents/{id}": {"get": _op("A job's status", "Progress while it runs; download links when done.",
                                          {"200": _ok("Job", {"$ref": "#/components/schemas/Job"}), "404": _ERROR},
                                          params=[_ID], tag="Documents")},
        "/v1/documents/{id}/{kind}": {"get": _op(
            "A finished job's file",
            "document: the translated document; summary: the summary (text); record: the JSON record of `summtrans -f json`.",
            {"200": _ok("The file"), "404": _ERROR},
            params=[_ID, {"name": "kind", "in": "path", "required": True,
                          "schema": {"type": "string", "enum": ["document", "summary", "record"]}}], tag="Documents")},
        "/v1/status": {"get": _op("Server status", "Models loaded, queue, batches run.", {"200": _ok("Status")}, tag="Documents")},
    }
    detection = {"type": "object", "properties": {"confidence": {"type": "number"}, "language": {"type": "string"}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "summtrans", "version": __version__,
                 "description": "German to English translation and summaries; LibreTranslate-compatible."},
        "paths": paths,
        "components": {"schemas": {
            "Error": {"type": "object", "properties": {"error": {"type": "string"}}},
            "Detection": detection,
            "Translation": {"type": "object", "properties": {
                "translatedText": text, "detectedLanguage": detection,
                "alternatives": {"type": "array", "items": {"type": "string"}}}},
            "Job": {"type": "object", "properties": {
                "id": {"type": "string"}, "name": {"type": "string"}, "task": {"type": "string"},
                "status": {"type": "string", "enum": ["queued", "running", "done", "failed"]},
                "progress": {"type": "object"}, "error": {"type": "string"}, "downloads": {"type": "object"}}},
        }},
    }


def docs_page(spec: dict[str, Any]) -> str:
    """A readable page of `spec`: each endpoint, its parameters and answers (no script)."""
    e = html.escape
    rows = []
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            props: dict[str, Any] = {}
            for media in (op.get("requestBody") or {}).get("content", {}).values():
                props = media["schema"].get("properties", {})
                break
            params = [p["name"] for p in op.get("parameters", [])] + list(props)
            codes = ", ".join(op["responses"])
            rows.append(
                f"<section><h2><code>{e(method.upper())} {e(path)}</code></h2><p>{e(op['summary'])}. {e(op['description'])}</p>"
                + (f"<p>Parameters: {', '.join(f'<code>{e(p)}</code>' for p in params)}</p>" if params else "")
                + f"<p>Answers: {e(codes)}</p></section>"
            )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><meta name='viewport' content='width=device-width'>"
        "<title>summtrans API</title><link rel='stylesheet' href='/static/style.css'></head><body class='docs'>"
        f"<h1>summtrans API</h1><p>{e(spec['info']['description'])} The machine-readable description: "
        "<a href='/openapi.json'>/openapi.json</a>. Errors are <code>{\"error\": \"…\"}</code>.</p>"
        + "".join(rows) + "</body></html>"
    )
