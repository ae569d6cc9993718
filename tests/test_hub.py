"""hub.resolve_model on local directories: what a model directory lacks is named in one line."""

from __future__ import annotations

import pytest

from summtrans.errors import ModelLoadError
from summtrans.models.hub import resolve_model


@pytest.mark.parametrize(
    "files, missing",
    [
        ([], "no config.json"),
        (["config.json"], "no weights (*.safetensors or pytorch_model*.bin) and no tokenizer files"),
        (["config.json", "model.safetensors"], "no tokenizer files (tokenizer.json, *.spm, *.model, vocab.json or vocab.txt)"),
        (["config.json", "source.spm"], "no weights (*.safetensors or pytorch_model*.bin)"),
    ],
)
def test_incomplete_model_dir(tmp_path, files, missing):
    for name in files:
        (tmp_path / name).write_text("{}", encoding="utf-8")
    with pytest.raises(ModelLoadError) as err:
        resolve_model(str(tmp_path))
    assert missing in str(err.value) and str(tmp_path) in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("files", [["model.safetensors", "tokenizer.json"], ["pytorch_model.bin", "spiece.model"]])
def test_complete_model_dir(tmp_path, files):
    for name in ["config.json", *files]:
        (tmp_path / name).write_text("{}", encoding="utf-8")
    assert resolve_model(str(tmp_path)) == tmp_path


def test_tiny_models_pass_the_check(tiny_marian, tiny_bart, tiny_t5):
    for path in (tiny_marian, tiny_bart, tiny_t5):
        assert resolve_model(str(path)) == path


def test_missing_directory(tmp_path):
    with pytest.raises(ModelLoadError, match="does not exist"):
        resolve_model(str(tmp_path / "nope"))


def test_a_file_is_not_a_model_directory(tmp_path):
    path = tmp_path / "bericht.txt"
    path.write_text("Hallo", encoding="utf-8")
    with pytest.raises(ModelLoadError, match="is a file, not a model directory"):
        resolve_model(str(path))
