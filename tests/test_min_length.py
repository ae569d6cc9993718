"""A model whose generation config asks for a minimum length above the length cap of a short input:
the minimum is lowered to the cap (logged once), and no document fails for it, on either engine."""

from __future__ import annotations

import json
import logging
import shutil
import warnings
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summtrans.cli.app import app
from summtrans.engines import GenerationOptions
from summtrans.engines.base import EchoEngine

runner = CliRunner()


def test_the_minimum_is_lowered_to_the_maximum_and_logged_once(caplog):
    engine = EchoEngine()
    with caplog.at_level(logging.DEBUG, logger="summtrans.engines"):
        assert engine.clamp_minimum(5, 20) == 5
        assert not caplog.records
        assert engine.clamp_minimum(40, 20) == 20
        assert engine.clamp_minimum(40, 12) == 12
    assert len([r for r in caplog.records if "minimum output length" in r.getMessage()]) == 1


def test_ctranslate2_minimum_never_above_the_cap_of_a_batch():
    from summtrans.engines.ct2.engine import CTranslate2Engine

    engine = CTranslate2Engine.__new__(CTranslate2Engine)  # the option mapping only: no model loaded
    engine.model_id = "m"
    for defaults in ({"min_new_tokens": 40, "max_length": 512}, {"min_length": 41, "max_length": 512, "forced_eos": True}):
        engine.defaults = defaults
        options = GenerationOptions(max_length_factor=2.0, max_length_slack=10)
        kwargs = engine._capped(engine._decoding_options(options), options, [0], [3])
        assert kwargs["max_decoding_length"] < 40
        assert kwargs["min_decoding_length"] == kwargs["max_decoding_length"]
        long = engine._capped(engine._decoding_options(options), options, [0], [100])
        assert long["min_decoding_length"] == 40  # a long input keeps the model's minimum
    engine.defaults = {"min_new_tokens": 40, "max_new_tokens": 20}  # the model's own limits disagree, no cap
    assert engine._decoding_options(GenerationOptions())["min_decoding_length"] == 20


def _with_minimum(tiny_marian: Path, folder: Path, **generation) -> Path:
    """A copy of the tiny Marian whose generation_config.json also says `generation`."""
    shutil.copytree(tiny_marian, folder)
    config = folder / "generation_config.json"
    config.write_text(json.dumps({**json.loads(config.read_text(encoding="utf-8")), **generation}), encoding="utf-8")
    return folder


def _translate_one_word(model: Path, engine: str, tmp_path: Path) -> str:
    source = tmp_path / "one.txt"
    source.write_text("Hallo.\n", encoding="utf-8")
    out = tmp_path / f"one-{engine}.json"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        r = runner.invoke(app, ["translate", str(source), "-m", str(model), "--engine", engine, "--source-lang", "de",
                                "--no-memory", "-f", "json", "-o", str(out), "-q"])
    assert r.exit_code == 0, r.output
    assert not [w for w in caught if "length constraints" in str(w.message)]  # transformers: "Unfeasible length constraints"
    return json.loads(out.read_text(encoding="utf-8"))["translation"]


@pytest.mark.slow
@pytest.mark.parametrize("generation", [{"min_new_tokens": 40}, {"min_length": 40}], ids=["min_new_tokens", "min_length"])
@pytest.mark.parametrize("engine", ["transformers", "ctranslate2"])
def test_a_model_with_a_minimum_length_translates_a_one_word_sentence(tiny_marian, tmp_path, generation, engine):
    model = _with_minimum(tiny_marian, tmp_path / "model", **generation)
    assert _translate_one_word(model, engine, tmp_path).strip()
