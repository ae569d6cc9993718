"""Output writers, a registry keyed by format name.

A writer renders `DocumentResult`s (see `records`) as text and names the output file of a
document (`Writer.output_name`): for ``report.txt``

============  ==========================  ====================================
format        translate                   summarize
============  ==========================  ====================================
text          ``report.en.txt``           ``report.summary.txt``
              (``report.en.md`` for .md)
markdown      ``report.en.md``            ``report.summary.md``
json          ``report.json``             ``report.json``
jsonl         ``report.jsonl`` (a folder run writes one combined file instead)
============  ==========================  ====================================
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .documents import MARKDOWN_SUFFIXES
from .records import DocumentResult, display_name, to_json

__all__ = ["FORMATS", "WRITERS", "Writer", "get_writer"]


def _body(rec: DocumentResult, summary_only: bool, heading: Callable[[str], str]) -> str:
    if not rec.summarized:
        return rec.translation or ""
    assert rec.summary is not None
    if summary_only:
        return rec.summary
    parts = []
    if rec.translation is not None:
        parts.append(f"{heading('Translation')}\n\n{rec.translation.strip()}\n")
    parts.append(f"{heading('Summary')}\n\n{rec.summary.strip()}\n")
    return "\n".join(parts)


def render_text(records: Sequence[DocumentResult], summary_only: bool = False) -> str:
    many = len(records) > 1
    out = []
    for rec in records:
        body = _body(rec, summary_only, lambda h: f"== {h} ==").rstrip("\n") + "\n"
        out.append(f"==> {display_name(rec.source)} <==\n{body}" if many else body)
    return "\n".join(out)


def render_markdown(records: Sequence[DocumentResult], summary_only: bool = False) -> str:
    out = []
    for rec in records:
        body = _body(rec, summary_only, lambda h: f"## {h}").rstrip("\n") + "\n"
        title = display_name(rec.source) if rec.source != "-" else "stdin"
        out.append(f"# {title}\n\n{body}" if len(records) > 1 or rec.summarized else body)
    return "\n".join(out)


def render_json(records: Sequence[DocumentResult], summary_only: bool = False) -> str:
    data = [r.to_dict(summary_only) for r in records]
    return to_json(data[0] if len(data) == 1 else data, indent=2) + "\n"


def render_jsonl(records: Sequence[DocumentResult], summary_only: bool = False) -> str:
    return "".join(to_json(r.to_dict(summary_only)) + "\n" for r in records)


@dataclass(frozen=True)
class Writer:
    name: str
    render: Callable[[Sequence[DocumentResult], bool], str]  # (results, summary_only) -> text
    combined: bool = False  # a folder run writes one file for all documents (jsonl)

    def output_name(self, name: str, task: str, summary_only: bool = False, *, whole: bool = False) -> str:
        """The output file name for input file `name` (table above); `whole` keeps its extension."""
        stem = name if whole or "." not in name.lstrip(".") else name.rsplit(".", 1)[0]
        if self.name in ("json", "jsonl"):
            return f"{stem}.{self.name}"
        kind = "summary" if task == "summarize" or summary_only else "en"
        if self.name == "markdown" or (task == "translate" and name.lower().endswith(MARKDOWN_SUFFIXES)):
            return f"{stem}.{kind}.md"  # a translated markdown file is markdown
        return f"{stem}.{kind}.txt"


WRITERS: dict[str, Writer] = {
    "text": Writer("text", render_text),
    "markdown": Writer("markdown", render_markdown),
    "json": Writer("json", render_json),
    "jsonl": Writer("jsonl", render_jsonl, combined=True),
}
FORMATS = tuple(WRITERS)  # the one list of output format names (CLI choices derive from it)


def get_writer(name: str) -> Writer:
    from .errors import UsageError

    try:
        return WRITERS[name]
    except KeyError:
        raise UsageError(f"unknown format '{name}' (choose from {', '.join(WRITERS)})") from None
