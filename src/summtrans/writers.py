"""Output writers, a registry keyed by format name.

A writer renders `DocumentResult`s (see `records`) as text, names the output file of a document
(`Writer.output_name`) and gives its content (`Writer.document_output`): for ``report.txt``

============  ==========================  ====================================
format        translate                   summarize
============  ==========================  ====================================
auto          as text; a formatted input  as text; a formatted input
              keeps its format:           ``report.summary.md``
              ``report.en.docx``,
              ``report.en.pdf``,
              ``report.en.md`` (URL)
text          ``report.en.txt``           ``report.summary.txt``
              (``report.en.md`` for .md)
markdown      ``report.en.md``            ``report.summary.md``
json          ``report.json``             ``report.json``
jsonl         ``report.jsonl`` (a folder run writes one combined file instead)
============  ==========================  ====================================

``auto`` (the default) renders text on standard output; a URL's output is named by its last path
segment (`formats.url.url_stem`). With ``auto``, one formatted input and ``-o FILE``, the file's
suffix picks the output (`file_writer`): the input's own output suffix gives the formatted copy,
``.txt``/``.md``/``.json``/``.jsonl`` that text format; any other suffix is a usage error.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .formats.document import MARKDOWN_SUFFIXES, format_of
from .records import DocumentResult, display_name, to_json

__all__ = ["AUTO", "DEFAULT_FORMAT", "FORMATS", "TEXT_SUFFIXES", "WRITERS", "Writer", "file_writer", "get_writer"]

AUTO = "auto"  # the input's own format for a formatted document's file output, else text
DEFAULT_FORMAT = AUTO  # the one default of -f / --format


def _body(rec: DocumentResult, summary_only: bool, heading: Callable[[str], str], markdown: bool) -> str:
    facts = _facts(rec, heading, markdown)
    if not rec.summarized:
        translation = rec.translation or ""
        return f"{translation.rstrip()}\n\n{facts}" if facts else translation
    assert rec.summary is not None
    if summary_only:
        return f"{facts}\n{rec.summary}" if facts else rec.summary
    parts = []
    if rec.translation is not None:
        parts.append(f"{heading('Translation')}\n\n{rec.translation.strip()}\n")
    if facts:  # above the summary: deadlines, amounts, references read from the German letter
        parts.append(facts)
    parts.append(f"{heading('Summary')}\n\n{rec.summary.strip()}\n")
    return "\n".join(parts)


def _facts(rec: DocumentResult, heading: Callable[[str], str], markdown: bool) -> str:
    """The key facts section ("" without facts); in text output without markdown's ``**``."""
    if rec.facts is None:
        return ""
    from .facts import render_markdown

    section = render_markdown(rec.facts, heading=heading("Key facts"))
    return section if markdown else section.replace("**", "")


def render_text(records: Sequence[DocumentResult], summary_only: bool = False) -> str:
    many = len(records) > 1
    out = []
    for rec in records:
        body = _body(rec, summary_only, lambda h: f"== {h} ==", False).rstrip("\n") + "\n"
        out.append(f"==> {display_name(rec.source)} <==\n{body}" if many else body)
    return "\n".join(out)


def render_markdown(records: Sequence[DocumentResult], summary_only: bool = False) -> str:
    out = []
    for rec in records:
        body = _body(rec, summary_only, lambda h: f"## {h}", True).rstrip("\n") + "\n"
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
        """The output file name for input file (or URL) `name` (table above); `whole` keeps its extension."""
        from .formats.registry import backend_for
        from .formats.url import is_url, url_stem

        fmt = format_of(name) if self.name == AUTO else None
        if is_url(name):
            stem = url_stem(name)
        else:
            stem = name if whole or "." not in name.lstrip(".") else name.rsplit(".", 1)[0]
        if self.name in ("json", "jsonl"):
            return f"{stem}.{self.name}"
        kind = "summary" if task == "summarize" or summary_only else "en"
        backend = backend_for(fmt) if fmt is not None else None
        if backend is not None:
            return f"{stem}.{kind}.md" if kind == "summary" else f"{stem}.en{backend.output_suffix_for(name)}"
        if self.name == "markdown" or (task == "translate" and name.lower().endswith(MARKDOWN_SUFFIXES)):
            return f"{stem}.{kind}.md"  # a translated markdown file is markdown
        return f"{stem}.{kind}.txt"

    def document_output(self, result: DocumentResult, summary_only: bool = False) -> str | bytes:
        """One document's output file: the translated document's bytes (auto, a formatted input,
        translate), a formatted input's summary as markdown (auto), else the text `render` gives."""
        if self.name == AUTO and result.format is not None:
            if result.output_bytes is not None and not result.summarized:
                return result.output_bytes
            return render_markdown([result], summary_only)
        return self.render([result], summary_only)


WRITERS: dict[str, Writer] = {
    AUTO: Writer(AUTO, render_text),
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


# `-f auto` with one formatted input and `-o FILE`: these suffixes ask for a text format instead.
TEXT_SUFFIXES = {".txt": "text", ".md": "markdown", ".json": "json", ".jsonl": "jsonl"}


def file_writer(
    writer: Writer, source: str, target: str | os.PathLike[str], task: str, summary_only: bool = False
) -> Writer:
    """The writer for one input's output file `target`: `writer`, unless it is ``auto`` and `source`
    is a formatted document; then `target`'s suffix decides (module docstring). Raises UsageError
    for a suffix that is neither the input's own output suffix nor a text one."""
    from .errors import UsageError
    from .formats.registry import backend_for

    fmt = format_of(source)
    if writer.name != AUTO or fmt is None:
        return writer
    backend = backend_for(fmt)
    if backend is None:
        return writer
    own = ".md" if task == "summarize" or summary_only else backend.output_suffix_for(os.fspath(source))
    suffix = os.path.splitext(os.fspath(target))[1].lower()
    if suffix == own:
        return writer
    if suffix in TEXT_SUFFIXES:
        return WRITERS[TEXT_SUFFIXES[suffix]]
    raise UsageError(
        f"{os.fspath(target)}: with -f auto a {fmt} input is written as {own} (the translated document)"
        f" or as text ({', '.join(TEXT_SUFFIXES)}), not as '{suffix or 'no suffix'}'; rename the output or pass -f"
    )
