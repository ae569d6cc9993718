"""models.yaml: the shipped file is valid, and every kind of mistake is one clear error."""

from __future__ import annotations

import pytest

from summtrans.errors import ConfigError, UsageError
from summtrans.models.config import LENGTHS, load_config, parse_config

GOOD = """
defaults:
  translation: tr
  summarization: su
profiles:
  tr:
    task: translation
    model: some/model
    generation: {num_beams: 2, max_new_tokens: 100}
  su:
    task: summarization
    model: /tmp/x
    prefix: "summarize: "
    engine: transformers
    compute_type: float32
    max_input_tokens: 300
    generation: {length_penalty: 2, early_stopping: true, min_length: 0}
"""


def write(tmp_path, text):
    p = tmp_path / "models.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_shipped_models_yaml_is_valid():
    cfg = load_config()
    assert cfg.defaults == {"translation": "opus-mt-de-en", "summarization": "distilbart-cnn-12-6"}
    assert cfg.profiles["opus-mt-de-en"].model == "Helsinki-NLP/opus-mt-de-en"
    assert cfg.profiles["distilbart-cnn-12-6"].model == "sshleifer/distilbart-cnn-12-6"
    assert cfg.profiles["bart-large-cnn"].model == "facebook/bart-large-cnn"
    assert cfg.profiles["t5-small"].prefix == "summarize: "
    assert {p.task for p in cfg.profiles.values()} == {"translation", "summarization"}


def test_good_config_parses_types(tmp_path):
    cfg = load_config(write(tmp_path, GOOD))
    su = cfg.profiles["su"]
    assert su.generation.length_penalty == 2.0 and isinstance(su.generation.length_penalty, float)
    assert su.generation.early_stopping is True
    assert su.max_input_tokens == 300 and su.engine == "transformers" and su.compute_type == "float32"
    assert cfg.profiles["tr"].generation.as_dict() == {"num_beams": 2, "max_new_tokens": 100}


def test_env_var_selects_config(tmp_path, monkeypatch):
    monkeypatch.setenv("SUMMTRANS_CONFIG", str(write(tmp_path, GOOD)))
    assert load_config().defaults["translation"] == "tr"


@pytest.mark.parametrize(
    "old, new, key, expected",
    [
        ("    generation: {num_beams: 2, max_new_tokens: 100}", "    generation: {num_beams: two}", "profiles.tr.generation.num_beams", "an integer >= 1"),
        ("    generation: {num_beams: 2, max_new_tokens: 100}", "    generation: {beams: 2}", "profiles.tr.generation.beams", "no such key"),
        ("    task: translation", "    task: translate", "profiles.tr.task", "one of translation, summarization"),
        ("    model: some/model\n", "", "profiles.tr.model", "required"),
        ("    engine: transformers", "    engine: onnx", "profiles.su.engine", "one of auto"),
        ("    max_input_tokens: 300", "    max_input_tokens: -3", "profiles.su.max_input_tokens", "an integer >= 8"),
        ("    prefix: \"summarize: \"", "    prefix: 5", "profiles.su.prefix", "a string"),
        ("    generation: {length_penalty: 2, early_stopping: true, min_length: 0}", "    generation: {early_stopping: 1}", "profiles.su.generation.early_stopping", "true or false"),
        ("  translation: tr\n", "  translation: nope\n", "defaults.translation", "the name of a profile"),
        ("  summarization: su\n", "  summarization: tr\n", "defaults.summarization", "a summarization profile"),
        ("    compute_type: float32", "    compute_type: fp8", "profiles.su.compute_type", "one of auto"),
        ("    model: /tmp/x", "    model: /tmp/x\n    colour: red", "profiles.su.colour", "no such key"),
    ],
)
def test_errors_name_file_key_and_expectation(tmp_path, old, new, key, expected):
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new))
    with pytest.raises(ConfigError) as err:
        load_config(path)
    msg = str(err.value)
    assert str(path) in msg and key in msg and expected in msg
    assert "\n" not in msg


def test_unknown_top_level_key_and_wrong_shapes(tmp_path):
    with pytest.raises(ConfigError, match=r"models\.yaml: extras: expected no such key"):
        parse_config({"profiles": {"a": {"task": "translation", "model": "m"}}, "extras": 1})
    with pytest.raises(ConfigError, match="top level: expected a mapping, got a list"):
        parse_config([1, 2])
    with pytest.raises(ConfigError, match="profiles: expected a mapping, got nothing"):
        parse_config({"profiles": None})


def test_invalid_yaml_and_missing_file(tmp_path):
    with pytest.raises(ConfigError, match=r"invalid YAML \(line \d+\)"):
        load_config(write(tmp_path, "profiles:\n  a: [unclosed\n"))
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.yaml")


def test_profile_lookup(tmp_path):
    cfg = load_config(write(tmp_path, GOOD))
    assert cfg.profile(None, "translation").name == "tr"
    assert cfg.profile("org/other-model", "translation").model == "org/other-model"
    assert cfg.profile("google-t5/t5-base", "summarization").prefix == "summarize: "
    with pytest.raises(ConfigError, match="'su' .* is a summarization model, not a translation model"):
        cfg.profile("su", "translation")
    with pytest.raises(ConfigError, match=r"unknown translation profile 'tx' \(known: tr\)"):
        cfg.profile("tx", "translation")


@pytest.mark.parametrize("ref", ["tr-", "opus-mt-de-enn", "t5-small", "org/"])
def test_mistyped_profile_lists_known_ones_instead_of_the_hub(tmp_path, ref):
    cfg = load_config(write(tmp_path, GOOD.replace("  tr:", "  opus-mt-de-en:").replace("translation: tr", "translation: opus-mt-de-en")))
    with pytest.raises(ConfigError) as err:
        cfg.profile(ref, "translation")
    msg = str(err.value)
    assert msg.startswith(f"unknown translation profile '{ref}' (known: opus-mt-de-en)")
    assert "org/name" in msg and "\n" not in msg
    if ref == "opus-mt-de-enn":
        assert msg.endswith("did you mean 'opus-mt-de-en'?")


def test_hub_ids_and_paths_become_ad_hoc_profiles(tmp_path, monkeypatch):
    cfg = load_config(write(tmp_path, GOOD))
    for ref in ["Helsinki-NLP/opus-mt-de-fr", "./missing-dir", "/no/such/dir", "~/models/x", "a/b/c"]:
        assert cfg.profile(ref, "translation").model == ref  # hub.resolve_model reports missing ones
    (tmp_path / "local-model").mkdir()
    monkeypatch.chdir(tmp_path)
    assert cfg.profile("local-model", "translation").model == "local-model"


@pytest.mark.parametrize("ref", ["", "  "])
def test_empty_model_name_is_a_usage_error(tmp_path, ref):
    cfg = load_config(write(tmp_path, GOOD))
    with pytest.raises(UsageError, match="empty model name"):
        cfg.profile(ref, "summarization")


def test_config_that_is_not_utf8_names_file_and_offset(tmp_path):
    path = tmp_path / "models.yaml"
    data = GOOD.replace("    model: some/model", "    model: some/model\n    description: Gr\u00fc\u00dfe").encode("latin-1")
    path.write_bytes(data)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    offset = data.index("ü".encode("latin-1"))
    assert str(err.value) == f"{path}: not UTF-8 text (byte 0xfc at offset {offset}); save it as UTF-8"


def test_config_with_bom_is_fine(tmp_path):
    path = tmp_path / "models.yaml"
    path.write_bytes(GOOD.encode("utf-8-sig"))
    assert load_config(path).defaults["translation"] == "tr"


@pytest.mark.parametrize(
    "old, new, key, lines",
    [
        ("    model: some/model\n", "    model: some/model\n    model: other/model\n", "profiles.tr.model", (8, 9)),
        ("  su:\n", "  tr: {task: translation, model: x/y}\n  su:\n", "profiles.tr", (6, 10)),
        ("defaults:\n", "defaults:\n  translation: tr\n", "defaults.translation", (3, 4)),
        ("{num_beams: 2, max_new_tokens: 100}", "{num_beams: 2, num_beams: 3}", "profiles.tr.generation.num_beams", (9, 9)),
    ],
)
def test_duplicate_keys_are_errors(tmp_path, old, new, key, lines):
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(err.value) == f"{path}: {key}: duplicate key (lines {lines[0]} and {lines[1]}); each key may appear once"


@pytest.mark.parametrize(
    "text",
    ["profiles: " + "[" * 600 + "]" * 600 + "\n", "profiles:\n" + "".join("  " * i + "a:\n" for i in range(1, 600))],
    ids=["flow", "block"],
)
def test_deeply_nested_yaml_is_one_error(tmp_path, text):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match="nested too deeply"):
        load_config(path)


def test_merge_keys_may_override(tmp_path):
    text = "profiles:\n  base: &b {task: translation, model: a/b}\n  other:\n    <<: *b\n    model: c/d\n"
    cfg = load_config(write(tmp_path, text))
    assert cfg.profiles["other"].model == "c/d" and cfg.profiles["base"].model == "a/b"


def test_lengths_are_ordered():
    assert LENGTHS["short"].max_new_tokens < LENGTHS["medium"].max_new_tokens < LENGTHS["long"].max_new_tokens


def test_config_with_one_task_only():
    cfg = parse_config({"profiles": {"a": {"task": "translation", "model": "m/m"}}}, "x.yaml")
    assert cfg.profile(None, "translation").name == "a"
    with pytest.raises(ConfigError, match="x.yaml: no summarization profile to use by default"):
        cfg.profile(None, "summarization")
