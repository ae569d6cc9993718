"""Sanity checks for tests/factory.py: the tiny models load, generate and convert like hub ones."""

from __future__ import annotations

import json
from pathlib import Path

import factory
import pytest

SAMPLE = "Die Straße ist schön. The quick brown fox."
GERMAN = [
    "Das ist ein Test.",
    "Die Straße ist schön.",
    "Grüß Gott, „Herr Müller“!",
    "Zwei Männer sitzen vor einem Café und lesen Zeitung.",
    "Der Bürgermeister hat am Montag erklärt, dass 25 Menschen gekommen sind.",
    "The quick brown fox jumps over the lazy dog.",
]
N_STEPS = 8  # greedy decoding steps compared between engines


def _load(model_dir: Path):
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    return AutoTokenizer.from_pretrained(model_dir), AutoModelForSeq2SeqLM.from_pretrained(model_dir)


def _convert(model_dir: Path, out_dir: Path, quantization: str) -> Path:
    import ctranslate2

    ctranslate2.converters.TransformersConverter(str(model_dir)).convert(str(out_dir), quantization=quantization)
    return out_dir


def _greedy_tokens(tok, model, ct2_dir: Path, texts: list[str], *, target_prefix: str | None = None):
    """Greedy output pieces of transformers and of CTranslate2 (float32), first N_STEPS-1 of each.

    transformers forces EOS at the last allowed step (forced_eos_token_id) and returns the
    decoder start token; CTranslate2 does neither, so both are trimmed before comparing.
    """
    import ctranslate2

    translator = ctranslate2.Translator(str(ct2_dir), device="cpu", compute_type="float32")
    hf_out, ct2_out = [], []
    for text in texts:
        enc = tok([text], return_tensors="pt")
        ids = model.generate(
            **enc, num_beams=1, do_sample=False, max_new_tokens=N_STEPS, min_length=0, no_repeat_ngram_size=0
        )[0].tolist()
        pieces = tok.convert_ids_to_tokens(ids[1:])
        if pieces and pieces[-1] == tok.eos_token:
            pieces = pieces[:-1]
        result = translator.translate_batch(
            [tok.convert_ids_to_tokens(enc["input_ids"][0].tolist())],
            beam_size=1,
            max_decoding_length=N_STEPS,
            target_prefix=[[target_prefix]] if target_prefix else None,
        )[0]
        hf_out.append(pieces[: N_STEPS - 1])
        ct2_out.append(result.hypotheses[0][: N_STEPS - 1])
    return hf_out, ct2_out


@pytest.fixture(scope="module")
def ct2_float32(tiny_models_dir, tmp_path_factory):
    """name -> float32 CTranslate2 conversion of that tiny model (converted once per module)."""
    root = tmp_path_factory.mktemp("ct2-float32")
    done: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in done:
            done[name] = _convert(tiny_models_dir / name, root / name, "float32")
        return done[name]

    return get


# --------------------------------------------------------------------------------------------


def test_corpus_is_deterministic_and_german():
    corpus = factory.german_english_corpus()
    assert corpus == factory.german_english_corpus()
    assert 300 <= len(corpus) <= 2000
    text = "\n".join(corpus)
    for needle in ("ä", "ö", "ü", "ß", "Ü", "„", "“", '"', "?", "!", "2"):
        assert needle in text
    assert len({w for line in corpus for w in line.split()}) > 800


@pytest.mark.parametrize(
    ("name", "tokenizer_class", "special_ids", "max_len"),
    [
        ("marian", "MarianTokenizer", {"eos": 0, "unk": 1, "pad": 799}, 512),
        ("bart", "RobertaTokenizer", {"bos": 0, "pad": 1, "eos": 2, "unk": 3, "mask": 799}, 1024),
        ("t5", "T5Tokenizer", {"pad": 0, "eos": 1, "unk": 2}, 512),
    ],
)
@pytest.mark.filterwarnings("ignore:Unfeasible length constraints")  # BART's min_length=56
def test_tiny_model_loads_tokenizes_and_generates(tiny_models_dir, name, tokenizer_class, special_ids, max_len):
    model_dir = tiny_models_dir / name
    tok, model = _load(model_dir)
    assert type(tok).__name__ == tokenizer_class
    for kind, expected in special_ids.items():
        assert getattr(tok, f"{kind}_token_id") == expected, kind
    assert tok.model_max_length == max_len
    assert json.loads((model_dir / "tokenizer_config.json").read_text())["model_max_length"] == max_len

    # one id per embedding row, no more, no fewer
    assert len(tok) == model.config.vocab_size == model.get_output_embeddings().weight.shape[0]
    if name != "t5":
        assert model.config.max_position_embeddings == max_len

    ids = tok(SAMPLE)["input_ids"]
    pieces = tok.convert_ids_to_tokens(ids)
    assert tok.unk_token not in pieces
    assert len(pieces) <= 3 * len(SAMPLE.split())  # real subwords, not characters
    assert ids[-1] == tok.eos_token_id
    if name == "bart":
        assert ids[0] == tok.bos_token_id
    assert tok.decode(ids, skip_special_tokens=True) == SAMPLE

    out = model.generate(**tok(["Das ist ein Test."], return_tensors="pt"), max_new_tokens=5)
    assert 2 <= out.shape[1] <= 6
    assert out[0, 0].item() == model.config.decoder_start_token_id


def test_marian_layout_mirrors_opus_mt(tiny_marian, shared_dir):
    from safetensors import safe_open

    files = {p.name for p in tiny_marian.iterdir()}
    assert {"config.json", "generation_config.json", "model.safetensors", "source.spm", "target.spm",
            "vocab.json", "tokenizer_config.json"} <= files
    vocab = json.loads((tiny_marian / "vocab.json").read_text(encoding="utf-8"))
    pad = len(vocab) - 1
    assert (vocab["</s>"], vocab["<unk>"], vocab["<pad>"]) == (0, 1, pad)
    assert sorted(vocab.values()) == list(range(len(vocab)))

    config = json.loads((tiny_marian / "config.json").read_text())
    assert config["decoder_start_token_id"] == config["pad_token_id"] == pad
    assert (config["eos_token_id"], config["forced_eos_token_id"]) == (0, 0)
    assert config["activation_function"] == "swish" and config["scale_embedding"] is True
    assert config["share_encoder_decoder_embeddings"] is True and config["vocab_size"] == len(vocab)
    generation = json.loads((tiny_marian / "generation_config.json").read_text())
    assert generation["bad_words_ids"] == [[pad]]
    assert generation["max_length"] == 512

    with safe_open(str(tiny_marian / "model.safetensors"), "pt") as f:
        shared = f.get_tensor("model.shared.weight")
    assert shared[pad].abs().sum().item() == 0.0
    assert shared[pad - 1].abs().sum().item() > 0.0

    reference = shared_dir / "models" / "mini-marian-de-en" / "config.json"
    if reference.is_file():  # same fields as the real trained model in ../shared
        assert set(json.loads(reference.read_text())) <= set(config)


def test_builders_are_deterministic(tmp_path, tiny_models_dir):
    for name, build in (("marian", factory.build_marian), ("bart", factory.build_bart), ("t5", factory.build_t5)):
        again = build(tmp_path / name)
        for path in (tiny_models_dir / name).iterdir():
            assert (again / path.name).read_bytes() == path.read_bytes(), f"{name}/{path.name}"
    other = factory.build_marian(tmp_path / "seed1", seed=1)
    assert (other / "model.safetensors").read_bytes() != (tmp_path / "marian" / "model.safetensors").read_bytes()


def test_vocab_is_padded_when_corpus_is_small(tmp_path):
    from transformers import AutoTokenizer

    corpus = ["Das ist ein kleiner Test.", "Noch ein Satz über die Straße."] * 3
    marian = factory.build_marian(tmp_path / "marian", vocab_size=400, corpus=corpus)
    bart = factory.build_bart(tmp_path / "bart", vocab_size=400, corpus=corpus)
    t5 = factory.build_t5(tmp_path / "t5", vocab_size=400, corpus=corpus, extra_ids=3)
    for model_dir in (marian, bart, t5):
        tok = AutoTokenizer.from_pretrained(model_dir)
        assert len(tok) == 400, model_dir.name
        assert factory.DUMMY_TOKEN.format(0) in tok.get_vocab()
        assert json.loads((model_dir / "config.json").read_text())["vocab_size"] == 400
    assert AutoTokenizer.from_pretrained(bart).mask_token_id == 399
    assert AutoTokenizer.from_pretrained(marian).pad_token_id == 399
    assert AutoTokenizer.from_pretrained(t5).convert_tokens_to_ids("<extra_id_2>") == 399


@pytest.mark.slow
@pytest.mark.parametrize("name", ["marian", "bart", "t5"])
def test_ctranslate2_int8_conversion_runs(tiny_models_dir, tmp_path, name):
    import ctranslate2
    from transformers import AutoTokenizer

    out = _convert(tiny_models_dir / name, tmp_path / "ct2", "int8")
    tok = AutoTokenizer.from_pretrained(tiny_models_dir / name)
    translator = ctranslate2.Translator(str(out), device="cpu")
    tokens = tok.convert_ids_to_tokens(tok("Das ist ein Test.")["input_ids"])
    result = translator.translate_batch([tokens], max_decoding_length=5)
    assert 1 <= len(result[0].hypotheses[0]) <= 5


@pytest.mark.slow
@pytest.mark.parametrize(("name", "prefix"), [("marian", None), ("bart", "<s>"), ("t5", None)])
def test_ctranslate2_float32_greedy_matches_transformers(tiny_models_dir, ct2_float32, name, prefix):
    # BART: transformers forces <s> as the first generated token (forced_bos_token_id=0);
    # CTranslate2 needs it as a target prefix.
    tok, model = _load(tiny_models_dir / name)
    hf_out, ct2_out = _greedy_tokens(tok, model, ct2_float32(name), GERMAN, target_prefix=prefix)
    assert hf_out == ct2_out
    assert len({tuple(p) for p in hf_out}) >= 3  # outputs depend on the input (input_sensitive)


@pytest.mark.slow
def test_marian_pad_row_must_be_zero_for_ctranslate2(tiny_marian, ct2_float32, tmp_path):
    """CTranslate2 starts the Marian decoder from a zero vector instead of the <pad> embedding."""
    zeroed_tok, zeroed_model = _load(tiny_marian)
    zeroed_hf, zeroed_ct2 = _greedy_tokens(zeroed_tok, zeroed_model, ct2_float32("marian"), GERMAN)

    raw_dir = factory.build_marian(tmp_path / "raw", zero_pad_row=False)
    raw_tok, raw_model = _load(raw_dir)
    assert raw_model.get_input_embeddings().weight[raw_tok.pad_token_id].abs().sum().item() > 0
    raw_hf, raw_ct2 = _greedy_tokens(raw_tok, raw_model, _convert(raw_dir, tmp_path / "ct2-raw", "float32"), GERMAN)

    assert zeroed_hf == zeroed_ct2
    assert raw_ct2 == zeroed_ct2  # the converter drops the pad row: CTranslate2 cannot tell them apart
    assert raw_hf != raw_ct2  # ...but transformers decodes from the random pad embedding


def test_shared_corpus_reads_shared_dir(shared_dir):
    lines = factory.shared_corpus(shared_dir, max_lines=50)
    if not (shared_dir / "corpus").is_dir():
        assert lines == []
        pytest.skip("../shared not available")
    assert len(lines) == 50 and all(line.strip() for line in lines)


def test_mini_marian_fixture_points_at_a_model(mini_marian):
    assert (mini_marian / "source.spm").is_file()


@pytest.mark.slow
@pytest.mark.parametrize("which", ["opus_mt", "distilbart"])
def test_real_architecture_builders(tmp_path, which):
    import ctranslate2
    from transformers import AutoConfig, AutoTokenizer

    if which == "opus_mt":
        model_dir = factory.build_opus_mt_like(tmp_path / which)
        expected = dict(d_model=512, encoder_layers=6, decoder_layers=6, encoder_attention_heads=8,
                        encoder_ffn_dim=2048, vocab_size=58101, max_position_embeddings=512)
    else:
        model_dir = factory.build_distilbart_like(tmp_path / which)
        expected = dict(d_model=1024, encoder_layers=12, decoder_layers=6, encoder_attention_heads=16,
                        encoder_ffn_dim=4096, vocab_size=50264, max_position_embeddings=1024)
    config = AutoConfig.from_pretrained(model_dir)
    assert {k: getattr(config, k) for k in expected} == expected
    tok = AutoTokenizer.from_pretrained(model_dir)
    assert len(tok) == expected["vocab_size"]
    assert tok.model_max_length == expected["max_position_embeddings"]
    out = _convert(model_dir, tmp_path / "ct2", "int8")
    tokens = tok.convert_ids_to_tokens(tok("Das ist ein Test.")["input_ids"])
    (hypothesis,) = ctranslate2.Translator(str(out)).translate_batch([tokens], max_decoding_length=5)[0].hypotheses
    assert len(hypothesis) <= 5 and set(hypothesis) <= set(tok.get_vocab())
