"""summtrans eval: BLEU/chrF with signatures, ROUGE for summaries, reference-free checks."""

from __future__ import annotations

import json

import pytest

from summtrans.errors import InputError, UsageError
from summtrans.evaluate import evaluate, evaluate_files

REFS = ["A man in a red hat is standing next to the car.", "Two dogs are playing in the snow."]
SRCS = ["Ein Mann mit einem roten Hut steht neben dem Auto.", "Zwei Hunde spielen im Schnee."]


def test_identical_hypothesis_scores_100_with_signatures():
    report = evaluate(REFS, REFS)
    assert report.score("BLEU") == pytest.approx(100.0)
    assert report.score("chrF") == pytest.approx(100.0)
    sigs = {s.name: s.signature for s in report.scores}
    assert sigs["BLEU"].startswith("nrefs:1|") and "version:" in sigs["BLEU"]
    assert "nc:6" in sigs["chrF"]


def test_a_worse_hypothesis_scores_lower():
    good = evaluate(REFS, REFS).score("BLEU")
    worse = evaluate(["A man next to a car.", "Dogs play."], REFS).score("BLEU")
    assert worse < good


@pytest.mark.slow  # importing rouge-score (nltk) takes seconds on a busy machine
def test_summaries_get_rouge():
    report = evaluate(["The city bought three new buses."], ["The city has bought three buses."], kind="summary")
    assert [s.name for s in report.scores] == ["ROUGE-1", "ROUGE-2", "ROUGE-L"]
    assert 50 < report.score("ROUGE-1") < 100
    assert report.score("BLEU") is None


def test_reference_free_checks_against_the_source():
    hyps = ["A man in a red hat is standing next to the car.", "two two two two two two two"]
    srcs = [SRCS[0] + " Mehr unter https://x.de am 15.03.2024 für 3,50 €.", SRCS[1]]
    report = evaluate(hyps, srcs=srcs)
    kinds = [(w.segment, w.kind) for w in report.quality.warnings]
    assert (1, "repetition") in kinds
    assert (0, "span-missing") in kinds and (0, "number-missing") in kinds
    assert report.quality.spans.checked == 3 and report.quality.spans.missing == 3
    data = report.to_dict()
    json.dumps(data)
    assert data["quality"]["warnings"]["repetition"] == 1
    assert {"segment": 1, "kind": "repetition", "detail": "'two' 4+ times in a row"} in data["warnings"]
    assert "spans    0/3 kept" in report.render()


def test_summary_checks_flag_invented_figures():
    report = evaluate(["The city spent 5,000 euros."], srcs=["The city spent 1,250 euros on buses and trams."], kind="summary")
    assert [(w.kind, w.detail) for w in report.quality.warnings] == [("invented-number", "5000")]


def test_files_and_errors(tmp_path):
    hyp, ref = tmp_path / "hyp.txt", tmp_path / "ref.txt"
    hyp.write_text("\n".join(REFS) + "\n", encoding="utf-8")
    ref.write_text("\n".join(REFS) + "\n", encoding="utf-8")
    assert evaluate_files(hyp, ref).lines == 2
    ref.write_text(REFS[0] + "\n", encoding="utf-8")
    with pytest.raises(UsageError, match="the reference has 1 lines"):
        evaluate_files(hyp, ref)
    with pytest.raises(InputError, match="not found"):
        evaluate_files(tmp_path / "missing.txt", ref)
    with pytest.raises(UsageError, match="unknown kind"):
        evaluate(REFS, REFS, kind="poem")


def test_without_reference_only_checks_run():
    report = evaluate(["go go go go go go"])
    assert report.scores == () and [w.kind for w in report.quality.warnings] == ["repetition"]
    assert "warnings repetition 1" in report.render()
