"""Output writers, a registry keyed by format name.

A writer turns result records (see `Pipeline.run`) into text. File names for outputs in a folder
are chosen by `batch.output_name`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

Record = dict[str, Any]


@dataclass(frozen=True)
class Writer:
    name: str
    render: Callable[[Sequence[Record], bool], str]  # (records, summary_only) -> text
    combined: bool = False  # one file for all documents (jsonl)


def _body(rec: Record, summary_only: bool, heading: Callable[[str], str]) -> str:
    if "summary" not in rec:
        return rec["translation"] or ""
    if summary_only:
        return rec["summary"]
    parts = []
    if rec.get("translation") is not None:
        parts.append(f"{heading('Translation')}\n\n{rec['translation'].strip()}\n")
    parts.append(f"{heading('Summary')}\n\n{rec['summary'].strip()}\n")
    return "\n".join(parts)


def render_text(records: Sequence[Record], summary_only: bool = False) -> str:
    many = len(records) > 1
    out = []
    for rec in records:
        body = _body(rec, summary_only, lambda h: f"== {h} ==").rstrip("\n") + "\n"
        out.append(f"==> {rec['source']} <==\n{body}" if many else body)
    return "\n".join(out)


def render_markdown(records: Sequence[Record], summary_only: bool = False) -> str:
    out = []
    for rec in records:
        body = _body(rec, summary_only, lambda h: f"## {h}").rstrip("\n") + "\n"
        title = rec["source"] if rec["source"] != "-" else "stdin"
        out.append(f"# {title}\n\n{body}" if len(records) > 1 or "summary" in rec else body)
    return "\n".join(out)


def _public(rec: Record, summary_only: bool) -> Record:
    if summary_only and "summary" in rec:
        return {k: v for k, v in rec.items() if k not in ("translation", "segments")}
    return rec


def render_json(records: Sequence[Record], summary_only: bool = False) -> str:
    data: Any = [_public(r, summary_only) for r in records]
    if len(records) == 1:
        data = data[0]
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def render_jsonl(records: Sequence[Record], summary_only: bool = False) -> str:
    return "".join(json.dumps(_public(r, summary_only), ensure_ascii=False) + "\n" for r in records)


WRITERS: dict[str, Writer] = {
    "text": Writer("text", render_text),
    "markdown": Writer("markdown", render_markdown),
    "json": Writer("json", render_json),
    "jsonl": Writer("jsonl", render_jsonl, combined=True),
}


def get_writer(name: str) -> Writer:
    from .errors import UsageError

    try:
        return WRITERS[name]
    except KeyError:
        raise UsageError(f"unknown format '{name}' (choose from {', '.join(WRITERS)})") from None
