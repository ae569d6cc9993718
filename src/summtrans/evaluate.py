"""`summtrans eval`: score outputs against references, and check them without one.

Translations get BLEU and chrF (sacrebleu, with its signature, so scores are comparable across
runs); summaries get ROUGE-1/2/L F1 (rouge-score, stemmed). With the source (`--src`), the
reference-free checks of `guards` and `protect` run too: loops, length ratio, untranslated or
German output, numbers and protected spans missing; for summaries, figures not in the source.
Files are read line by line (one segment or one summary a line), the lines of HYP, REF and SRC
pair up.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError, UsageError
from .faithful.guards import number_warnings, problems, repetition, summary_problems
from .faithful.protect import SPAN_KINDS, check_spans
from .faithful.quality import Checked, QualityReport, QualityWarning

EVAL_KINDS = ("translation", "summary")
# Spans checked by eval (numbers are counted on their own; glossary terms need the glossary).
_CHECKED_SPANS = tuple(k for k in SPAN_KINDS if k not in ("term", "number"))


@dataclass(frozen=True)
class Score:
    """One metric over the whole file."""

    name: str  # BLEU, chrF, ROUGE-1, ROUGE-2, ROUGE-L
    value: float  # 0-100
    signature: str = ""  # sacrebleu's signature; "" for ROUGE (the settings are in `name`'s docs)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "value": round(self.value, 2), "signature": self.signature}


@dataclass(frozen=True)
class EvalReport:
    """What `summtrans eval` prints."""

    kind: str  # translation | summary
    lines: int  # segments (or summaries) scored
    scores: tuple[Score, ...] = ()  # empty without a reference
    quality: QualityReport = field(default_factory=QualityReport)
    checked_source: bool = False  # the reference-free checks against the source ran

    def score(self, name: str) -> float | None:
        return next((s.value for s in self.scores if s.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "lines": self.lines,
            "scores": [s.to_dict() for s in self.scores],
            "quality": self.quality.to_dict(),
            "warnings": self.quality.warnings_list(),
        }

    def render(self) -> str:
        """The plain-text report."""
        out = [f"{self.kind}: {self.lines} lines"]
        for s in self.scores:
            out.append(f"{s.name:8} {s.value:6.2f}" + (f"  ({s.signature})" if s.signature else ""))
        q = self.quality
        if self.checked_source:
            out.append(f"numbers  {q.numbers.checked - q.numbers.missing}/{q.numbers.checked} kept")
            out.append(f"spans    {q.spans.checked - q.spans.missing}/{q.spans.checked} kept")
        counts = q.counts
        out.append("warnings " + (", ".join(f"{k} {n}" for k, n in counts.items()) if counts else "none"))
        return "\n".join(out)


def _bleu_chrf(hyps: Sequence[str], refs: Sequence[str]) -> list[Score]:
    from sacrebleu.metrics import BLEU, CHRF

    scores = []
    for name, metric in (("BLEU", BLEU()), ("chrF", CHRF())):
        result = metric.corpus_score(list(hyps), [list(refs)])
        scores.append(Score(name, float(result.score), str(metric.get_signature())))
    return scores


def _rouge(hyps: Sequence[str], refs: Sequence[str]) -> list[Score]:
    from rouge_score import rouge_scorer

    names = {"rouge1": "ROUGE-1", "rouge2": "ROUGE-2", "rougeL": "ROUGE-L"}
    scorer = rouge_scorer.RougeScorer(list(names), use_stemmer=True)
    totals = dict.fromkeys(names, 0.0)
    for hyp, ref in zip(hyps, refs):
        for key, value in scorer.score(ref, hyp).items():
            totals[key] += value.fmeasure
    n = max(len(hyps), 1)
    return [Score(label, 100 * totals[key] / n) for key, label in names.items()]


def _checks(kind: str, hyps: Sequence[str], srcs: Sequence[str] | None) -> tuple[QualityReport, bool]:
    warnings: list[QualityWarning] = []
    numbers, spans = Checked(), Checked()
    if srcs is None:  # nothing to compare with: loops only
        for i, hyp in enumerate(hyps):
            loop = repetition(hyp)
            if loop:
                warnings.append(QualityWarning(i, "repetition", loop))
        return QualityReport(tuple(warnings)), False
    for i, (hyp, src) in enumerate(zip(hyps, srcs)):
        if kind == "summary":
            warnings += [QualityWarning(i, w.kind, w.detail) for w in summary_problems(hyp, src)]
            continue
        warnings += [QualityWarning(i, k, d) for k, d in problems(src, hyp)]
        checked, lost = number_warnings(i, src, hyp)
        numbers += Checked(checked, len(lost))
        warnings += lost
        checked, gone = check_spans(src, hyp, _CHECKED_SPANS)
        spans += Checked(checked, len(gone))
        warnings += [QualityWarning(i, "span-missing", f"{k}: {text}") for k, text in gone]
    return QualityReport(tuple(warnings), numbers, spans), True


def evaluate(
    hyps: Sequence[str],
    refs: Sequence[str] | None = None,
    srcs: Sequence[str] | None = None,
    kind: str = "translation",
) -> EvalReport:
    """Score `hyps` against `refs` and check them against `srcs` (all line-aligned).

    For summaries `srcs` is the text summarized (the translation): its figures are the ones a
    summary may use.
    """
    if kind not in EVAL_KINDS:
        raise UsageError(f"unknown kind '{kind}' (choose from {', '.join(EVAL_KINDS)})")
    for name, other in (("reference", refs), ("source", srcs)):
        if other is not None and len(other) != len(hyps):
            raise UsageError(f"the {name} has {len(other)} lines, the hypothesis {len(hyps)}")
    scores: list[Score] = []
    if refs is not None:
        scores = _rouge(hyps, refs) if kind == "summary" else _bleu_chrf(hyps, refs)
    quality, checked = _checks(kind, hyps, srcs)
    return EvalReport(kind, len(hyps), tuple(scores), quality, checked)


def read_lines(path: str | os.PathLike) -> list[str]:
    """The lines of a UTF-8 text file (without line ends; a final empty line dropped)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(str(p), "file not found", "failed") from None
    except UnicodeDecodeError:
        raise InputError(str(p), "not UTF-8 text", "failed") from None
    except OSError as exc:
        raise InputError(str(p), f"cannot read: {exc.strerror}", "failed") from None
    return text.splitlines()


def evaluate_files(
    hyp: str | os.PathLike,
    ref: str | os.PathLike | None = None,
    src: str | os.PathLike | None = None,
    kind: str = "translation",
) -> EvalReport:
    """What `summtrans eval HYP --ref REF [--src SRC] [--kind summary]` calls."""
    return evaluate(read_lines(hyp), read_lines(ref) if ref else None, read_lines(src) if src else None, kind)
