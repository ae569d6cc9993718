"""What bounds a run's memory: CTranslate2 batches on CPU, the language detector's tables, the
modules the ctranslate2 path imports. The peak RSS figures themselves are in benchmarks/rss.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from lang_samples import DUTCH, FRENCH

from summtrans.engines import EngineOptions, GenerationOptions, load_engine
from summtrans.engines.ct2 import engine as ct2_engine
from summtrans.language import detect

WORDS = "der Hund läuft schnell über die grüne Wiese am Fluss und bellt laut".split()
TEXTS = [" ".join(WORDS[: 2 + i % 12]) + f" {i}." for i in range(32)]  # 4 to 16 words


class _Recorder:
    """Stands in for a ctranslate2.Translator and records each batch it is given."""

    def __init__(self, translator):
        self.translator = translator
        self.batches: list[tuple[int, int, int]] = []  # (inputs, longest in tokens, beam size)

    def translate_batch(self, source, *args, **kwargs):
        self.batches.append((len(source), max(len(s) for s in source), kwargs["beam_size"]))
        return self.translator.translate_batch(source, *args, **kwargs)


@pytest.fixture
def ct2_marian(tiny_marian, tmp_path_factory, monkeypatch):
    """The tiny Marian on ctranslate2, one CPU worker (so only the budget splits batches)."""
    monkeypatch.setenv("SUMMTRANS_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "footprint-cache"))
    options = EngineOptions(engine="ctranslate2", device="cpu", compute_type="float32", threads=1)
    engine = load_engine(str(tiny_marian), options)
    recorder = _Recorder(engine.translator)
    engine.translator = recorder
    return engine, recorder


@pytest.mark.slow
def test_cpu_batches_stay_within_the_hypothesis_token_budget(ct2_marian):
    engine, recorder = ct2_marian
    budget = ct2_engine.CPU_BATCH_HYPOTHESIS_TOKENS
    assert len(TEXTS) * max(engine.count_tokens(TEXTS)) <= budget  # one batch, padded, without beams
    engine.generate(TEXTS, GenerationOptions(num_beams=4, max_new_tokens=8))
    beam_batches = list(recorder.batches)
    assert len(beam_batches) > 2 and sum(n for n, _, _ in beam_batches) == len(TEXTS)
    assert all(beams == 4 and n * beams * longest <= budget for n, longest, beams in beam_batches)
    recorder.batches.clear()
    engine.generate(TEXTS, GenerationOptions(num_beams=1, max_new_tokens=8))
    assert [n for n, _, _ in recorder.batches] == [len(TEXTS)]  # greedy: four times the inputs fit


@pytest.mark.slow
def test_the_budget_splits_batches_without_changing_outputs(ct2_marian, monkeypatch):
    engine, recorder = ct2_marian
    greedy = GenerationOptions(num_beams=1, max_new_tokens=8)
    monkeypatch.setattr(ct2_engine, "CPU_BATCH_HYPOTHESIS_TOKENS", 64)
    split = engine.generate(TEXTS, greedy)
    assert len(recorder.batches) > 5 and all(n * longest <= 64 for n, longest, _ in recorder.batches)
    monkeypatch.setattr(ct2_engine, "CPU_BATCH_HYPOTHESIS_TOKENS", 10**6)
    recorder.batches.clear()
    assert engine.generate(TEXTS, greedy) == split
    assert len(recorder.batches) == 1


@pytest.mark.slow
def test_a_single_long_input_still_gets_a_batch_of_its_own(ct2_marian):
    engine, recorder = ct2_marian
    long_text = " ".join(WORDS * 15)  # over 1024 // 4 tokens, within the 512-token limit
    n = engine.count_tokens([long_text])[0]
    assert n * 4 > ct2_engine.CPU_BATCH_HYPOTHESIS_TOKENS
    out = engine.generate([long_text, "Das ist ein Test."], GenerationOptions(num_beams=4, max_new_tokens=4))
    assert len(out) == 2 and sorted(recorder.batches) == [(1, engine.count_tokens(["Das ist ein Test."])[0], 4), (1, n, 4)]


def _arrays(obj) -> list[np.ndarray]:
    """numpy arrays held by the identifier's slots (and tuples in them)."""
    found, todo = [], [getattr(obj, slot, None) for slot in type(obj).__slots__]
    while todo:
        item = todo.pop()
        if isinstance(item, np.ndarray):
            found.append(item)
        elif isinstance(item, tuple):
            todo.extend(item)
    return found


def test_the_detector_holds_only_its_languages_tables():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = detect._identifier()
    arrays = _arrays(ident)
    assert arrays and all(a.shape[-1] == len(detect.LANGUAGE_NAMES) for a in arrays)
    # …and classifies exactly like py3langid's own restricted identifier.
    reference = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    reference.set_languages(list(detect.LANGUAGE_NAMES))
    assert any(a.shape[-1] > len(detect.LANGUAGE_NAMES) for a in _arrays(reference))  # what we avoid
    texts = [*FRENCH, *DUTCH, *TEXTS[:5], "The quick brown fox jumps over the lazy dog.", "Ein Mann mit Hut."]
    assert [ident.classify(t) for t in texts] == [reference.classify(t) for t in texts]


@pytest.mark.slow
def test_the_cli_on_ctranslate2_imports_neither_torch_nor_transformers(tiny_marian, tmp_path):
    env = {**os.environ, "SUMMTRANS_CACHE_DIR": str(tmp_path / "cache")}
    src = tmp_path / "brief.txt"
    src.write_text("Der Hund läuft schnell über die grüne Wiese.\nEin Mann mit Hut steht am Fluss.\n", encoding="utf-8")
    args = ["translate", str(src), "-m", str(tiny_marian), "--engine", "ctranslate2", "--no-memory", "-q", "-o"]
    warm = subprocess.run([sys.executable, "-m", "summtrans", *args, str(tmp_path / "warm.txt")],
                          env=env, capture_output=True, text=True, timeout=300)  # converts (torch) once
    assert warm.returncode == 0, warm.stderr
    script = (
        "import json, sys\n"
        "from summtrans.cli.app import main\n"
        f"sys.argv = ['summtrans', *{[*args, str(tmp_path / 'out.txt')]!r}]\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "heavy = ('torch', 'transformers', 'tokenizers', 'safetensors', 'summtrans.engines.ct2.convert')\n"
        "print(json.dumps({'heavy': [m for m in heavy if m in sys.modules], 'ct2': 'ctranslate2' in sys.modules}))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result == {"heavy": [], "ct2": True}
    assert (tmp_path / "out.txt").read_text(encoding="utf-8").strip()
