"""Conversion of a Hugging Face checkpoint into the cache: the only ct2 code that imports torch
and transformers. It runs once per model and compute type, under a file lock, into a temporary
directory renamed into place when complete."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import socket
import tempfile
import time
from pathlib import Path
from typing import Any

from ...errors import ModelLoadError
from .cache import FORMAT_VERSION, METADATA_FILE, read_metadata, sanitize, source_identity
from .device import IncompatibleModelError
from .tokenizer import load_tokenizer

log = logging.getLogger(__name__)

TMP_PREFIX = ".tmp-"
# Architectures whose decoder CTranslate2 starts from a zero embedding instead of the start token's.
_ZERO_START_TYPES = frozenset({"marian"})
# Post-norm vs pre-norm for converters that read `normalize_before`, a key transformers 5 dropped.
_NORMALIZE_BEFORE = {"bart": False, "marian": False, "mbart": True, "pegasus": True}
_NORMALIZE_EMBEDDING = {"bart": True, "mbart": True, "pegasus": False}
# transformers' generate() defaults for the settings we map (GenerationConfig leaves them None).
_HF_DEFAULTS: dict[str, Any] = {
    "max_length": 20,
    "min_length": 0,
    "num_beams": 1,
    "length_penalty": 1.0,
    "no_repeat_ngram_size": 0,
    "repetition_penalty": 1.0,
    "early_stopping": False,
}
# Text that exercises the tokenizer at conversion: the lean tokenizer must reproduce transformers'.
_PROBES = [
    "Ein Mann mit einem orangefarbenen Hut, der etwas anstarrt.",
    "Die Größe des Gebäudes beträgt 1.234,5 Quadratmeter – „ein Rekord“, sagte Frau Müller-Lüdenscheidt!",
    "  Zwei  Leerzeichen,\tein Tab\nund eine neue Zeile.  ",
    "The quick brown fox jumps over the lazy dog (e.g. 3 times) & doesn't stop: 100% sure?",
    "Übermäßig große Öl- und Ärger-Straße; Maße: 5×3 m², ca. 42 °C … ok 🙂",
    "",
]


def _host() -> str:
    return sanitize(socket.gethostname()).replace("-", "_")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists but belongs to someone else
        return True
    return True


def _clean_stale_temp_dirs(root: Path, max_age_s: float = 24 * 3600) -> None:
    """Remove leftovers of killed conversions: their process (on this host) is gone, or they are old."""
    try:
        entries = list(root.iterdir())
    except OSError:
        return
    now = time.time()
    for entry in entries:
        if not entry.name.startswith(TMP_PREFIX) or not entry.is_dir():
            continue
        match = re.search(r"-host(.+)-pid(\d+)-[^-]*$", entry.name)
        mine = match is not None and match.group(1) == _host()
        try:
            old = now - entry.stat().st_mtime > max_age_s
        except OSError:
            continue
        if old or (mine and not _pid_alive(int(match.group(2)))):
            log.debug("removing stale conversion directory %s", entry)
            shutil.rmtree(entry, ignore_errors=True)



def _incompatible_pad_row(model_id: str, max_abs: float) -> IncompatibleModelError:
    return IncompatibleModelError(
        f"model '{model_id}' cannot run on the ctranslate2 engine: its decoder start (<pad>) embedding "
        f"is not zero (max |value| {max_abs:.3g}), but CTranslate2 starts Marian decoders from a zero "
        "embedding, as OPUS-MT checkpoints do, so its translations would differ. "
        "Use --engine transformers for this model."
    )


def check_start_embedding(model_dir: Path, model_id: str) -> None:
    """Raise IncompatibleModelError when a Marian model's decoder start embedding row is not zero.

    Reads the one row from safetensors with numpy (no torch). Checkpoints without safetensors are
    checked after loading, during conversion.
    """
    try:
        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if config.get("model_type") not in _ZERO_START_TYPES:
        return
    start = config.get("decoder_start_token_id", config.get("pad_token_id"))
    if not isinstance(start, int):
        return
    index = model_dir / "model.safetensors.index.json"
    if index.is_file():
        weight_map = json.loads(index.read_text(encoding="utf-8")).get("weight_map", {})
    elif (model_dir / "model.safetensors").is_file():
        weight_map = None
    else:
        return
    from safetensors import safe_open

    names = ("model.decoder.embed_tokens.weight", "model.shared.weight")
    for name in names:
        file = model_dir / (weight_map.get(name, "") if weight_map is not None else "model.safetensors")
        if not file.is_file():
            continue
        try:
            with safe_open(str(file), framework="numpy") as f:
                if name not in f.keys():
                    continue
                row = f.get_slice(name)[start : start + 1]
        except Exception:  # e.g. bfloat16, which numpy cannot hold: checked after loading instead
            log.debug("cannot read %s from %s with numpy", name, file, exc_info=True)
            continue
        max_abs = float(abs(row.astype("float32")).max()) if row.size else 0.0
        if max_abs > 1e-6:
            raise _incompatible_pad_row(model_id, max_abs)


def convert(model_dir: Path, model_id: str, compute_type: str, target: Path) -> Path:
    """Convert `model_dir` into `target` once, and return `target`.

    A file lock beside `target` makes concurrent conversions of one model wait for the first and
    reuse its result; the conversion runs in a temp dir renamed into place when complete, so an
    interrupted one never leaves an entry that looks finished.
    """
    check_start_embedding(model_dir, model_id)
    root = target.parent
    try:
        root.mkdir(parents=True, exist_ok=True)
        lock = _lock(root / f"{target.name}.lock", model_id)
    except OSError as exc:
        raise ModelLoadError(f"cannot write the CTranslate2 cache {root}: {exc}") from exc
    try:
        if read_metadata(target) is not None:
            log.info("%s was converted by another process meanwhile; using that conversion", model_id)
            return target
        _clean_stale_temp_dirs(root)
        return _convert_atomically(model_dir, model_id, compute_type, target)
    finally:
        lock.release()


def _lock(path: Path, model_id: str):
    """Acquire the conversion lock at `path`, waiting (and saying so) while another process holds it."""
    from filelock import FileLock, Timeout

    lock = FileLock(str(path))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        log.info("waiting for another process converting %s…", model_id)
        lock.acquire()
    return lock


def _convert_atomically(model_dir: Path, model_id: str, compute_type: str, target: Path) -> Path:
    root = target.parent
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{target.name}-host{_host()}-pid{os.getpid()}-", dir=root))
    except OSError as exc:
        raise ModelLoadError(f"cannot write the CTranslate2 cache {root}: {exc}") from exc
    log.info("converting %s to CTranslate2 %s (one-time)…", model_id, compute_type)
    started = time.monotonic()
    try:
        meta = _convert_into(model_dir, model_id, compute_type, tmp)
        meta["conversion_seconds"] = round(time.monotonic() - started, 2)
        _write_json(tmp / METADATA_FILE, meta)  # last: marks the directory complete
        try:
            os.rename(tmp, target)
        except OSError:
            # A broken leftover is replaced; a finished rival (where the file system ignores locks) is used.
            if read_metadata(target) is None:
                shutil.rmtree(target, ignore_errors=True)
                os.rename(tmp, target)
            else:
                log.debug("%s was converted concurrently; using that conversion", model_id)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, ModelLoadError) or not isinstance(exc, Exception):
            raise
        raise ModelLoadError(f"cannot convert '{model_id}' to CTranslate2: {exc}") from exc
    finally:
        if tmp.exists() and tmp != target:
            shutil.rmtree(tmp, ignore_errors=True)
    log.info("done in %.1f s (%s)", time.monotonic() - started, target)
    return target


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _convert_into(model_dir: Path, model_id: str, compute_type: str, out: Path) -> dict[str, Any]:
    from ctranslate2 import __version__ as ct2_version
    from ctranslate2.converters import TransformersConverter
    from transformers.utils import logging as hf_logging

    from ..hf import model_input_limit

    hf_logging.disable_progress_bar()  # the conversion's own log lines are the progress shown

    class _Converter(TransformersConverter):
        model = None
        tokenizer = None

        def load_model(self, model_class, model_name_or_path, **kwargs):
            model = super().load_model(model_class, model_name_or_path, **kwargs)
            model_type = getattr(model.config, "model_type", "")
            # transformers 5 no longer carries these keys; CTranslate2's BART family loaders read them.
            if model_type in _NORMALIZE_BEFORE and not hasattr(model.config, "normalize_before"):
                model.config.normalize_before = _NORMALIZE_BEFORE[model_type]
            if model_type in _NORMALIZE_EMBEDDING and not hasattr(model.config, "normalize_embedding"):
                model.config.normalize_embedding = _NORMALIZE_EMBEDDING[model_type]
            start = getattr(model.config, "decoder_start_token_id", None)
            if model_type in _ZERO_START_TYPES and isinstance(start, int):
                row = model.get_decoder().embed_tokens.weight[start]
                max_abs = float(row.abs().max())
                if max_abs > 1e-6:
                    raise _incompatible_pad_row(model_id, max_abs)
            self.model = model
            return model

        def load_tokenizer(self, tokenizer_class, model_name_or_path, **kwargs):
            self.tokenizer = super().load_tokenizer(tokenizer_class, model_name_or_path, **kwargs)
            return self.tokenizer

    converter = _Converter(str(model_dir))
    converter.convert(str(out), quantization=compute_type, force=True)
    model, hf_tok = converter.model, converter.tokenizer
    vocab = _converted_vocabulary(out)
    tokenizer_meta = _save_tokenizer(hf_tok, out)
    meta: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "model_id": model_id,
        "model_type": model.config.model_type,
        "source": str(model_dir),
        "identity": (source_identity(model_id, model_dir) or ("", ""))[1],
        "compute_type": compute_type,
        "ctranslate2_version": ct2_version,
        "converted_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "max_input_tokens": model_input_limit(hf_tok, model.config),
        "tokenizer": tokenizer_meta,
        "generation": _generation_defaults(model, hf_tok, vocab),
    }
    _verify_tokenizer(hf_tok, out, tokenizer_meta, model_id)
    return meta


def _converted_vocabulary(out: Path) -> set[str]:
    for name in ("shared_vocabulary.json", "target_vocabulary.json"):
        if (out / name).is_file():
            return set(json.loads((out / name).read_text(encoding="utf-8")))
    for name in ("shared_vocabulary.txt", "target_vocabulary.txt"):
        if (out / name).is_file():
            return set((out / name).read_text(encoding="utf-8").split("\n"))
    return set()


def _effective_cleanup(hf_tok) -> bool:
    """Whether transformers' decode() applies clean_up_tokenization for this tokenizer."""
    if not getattr(hf_tok, "clean_up_tokenization_spaces", False):
        return False
    backend = getattr(hf_tok, "backend_tokenizer", None)
    if backend is not None and type(backend.model).__name__ == "BPE":
        return bool(getattr(hf_tok, "clean_up_tokenization_spaces_for_bpe_even_though_it_will_corrupt_output", False))
    return True


def _save_tokenizer(hf_tok, out: Path) -> dict[str, Any]:
    """Write the files the lean tokenizer needs; return how to use them."""
    common = {"clean_up_tokenization_spaces": _effective_cleanup(hf_tok), "class": type(hf_tok).__name__}
    if hasattr(hf_tok, "spm_source") and hasattr(hf_tok, "encoder"):  # MarianTokenizer (sentencepiece)
        if getattr(hf_tok, "separate_vocabs", False):
            # CTranslate2's Marian loader registers the source vocabulary for both sides.
            raise IncompatibleModelError(
                "the ctranslate2 engine cannot convert Marian models with separate source and target "
                "vocabularies (use --engine transformers)"
            )
        source_spm, target_spm = (Path(f) for f in hf_tok.spm_files)
        shutil.copyfile(source_spm, out / "source.spm")
        shutil.copyfile(target_spm, out / "target.spm")
        _write_json(out / "vocab.json", hf_tok.encoder)
        added = []
        for token in getattr(hf_tok, "_added_tokens_decoder", {}).values():
            added.append(
                {
                    "content": str(token),
                    "lstrip": bool(getattr(token, "lstrip", False)),
                    "rstrip": bool(getattr(token, "rstrip", False)),
                    "single_word": bool(getattr(token, "single_word", False)),
                }
            )
        return {
            **common,
            "kind": "marian",
            "eos_token": str(hf_tok.eos_token),
            "unk_token": str(hf_tok.unk_token),
            "special_tokens": [str(t) for t in hf_tok.all_special_tokens],
            "added_tokens": added,
            # transformers decodes with the source model unless the vocabularies are separate
            "decode_with": "target" if getattr(hf_tok, "separate_vocabs", False) else "source",
        }
    backend = getattr(hf_tok, "backend_tokenizer", None)
    if backend is None:
        raise IncompatibleModelError(
            f"the ctranslate2 engine cannot tokenize with {type(hf_tok).__name__} without transformers "
            "(use --engine transformers)"
        )
    data = json.loads(backend.to_str())
    data["truncation"] = None  # transformers sets these per call; the saved state must not leak in
    data["padding"] = None
    _write_json(out / "tokenizer.json", data)
    return {**common, "kind": "tokenizers"}


def _ids_to_tokens(hf_tok, ids: Any) -> list[str]:
    if ids is None:
        return []
    ids = ids if isinstance(ids, (list, tuple)) else [ids]
    return [str(t) for t in hf_tok.convert_ids_to_tokens([int(i) for i in ids])]


def _generation_defaults(model, hf_tok, vocab: set[str]) -> dict[str, Any]:
    """The generation settings transformers' generate() would use for this model, in tokens."""
    gen = model.generation_config
    cfg = model.config

    def get(name: str) -> Any:
        value = getattr(gen, name, None)
        if value is None:
            value = getattr(cfg, name, None) if name in ("forced_bos_token_id", "forced_eos_token_id") else None
        return _HF_DEFAULTS.get(name) if value is None else value

    eos_ids = gen.eos_token_id if gen.eos_token_id is not None else cfg.eos_token_id
    eos_tokens = [t for t in _ids_to_tokens(hf_tok, eos_ids) if t in vocab]
    suppress = []
    for seq in getattr(gen, "bad_words_ids", None) or []:
        tokens = _ids_to_tokens(hf_tok, seq)
        if tokens and all(t in vocab for t in tokens):  # e.g. Marian's <pad>: not in the converted vocab
            suppress.append(tokens)
    forced_bos = _ids_to_tokens(hf_tok, get("forced_bos_token_id"))
    return {
        "num_beams": int(get("num_beams")),
        "max_length": getattr(gen, "max_length", None),  # None: transformers' default of 20 new tokens
        "max_new_tokens": getattr(gen, "max_new_tokens", None),
        "min_length": int(get("min_length")),
        "min_new_tokens": getattr(gen, "min_new_tokens", None),
        "length_penalty": float(get("length_penalty")),
        "no_repeat_ngram_size": int(get("no_repeat_ngram_size")),
        "repetition_penalty": float(get("repetition_penalty")),
        "early_stopping": get("early_stopping"),
        "bad_words_ids": getattr(gen, "bad_words_ids", None),
        "suppress_sequences": suppress,
        "forced_bos_token": forced_bos[0] if forced_bos and forced_bos[0] in vocab else None,
        "forced_eos": get("forced_eos_token_id") is not None,
        "eos_tokens": eos_tokens,
        "decoder_start_token_id": getattr(gen, "decoder_start_token_id", None) or getattr(cfg, "decoder_start_token_id", None),
    }


def _verify_tokenizer(hf_tok, out: Path, tokenizer_meta: dict[str, Any], model_id: str) -> None:
    """The lean tokenizer must give transformers' ids and text, or the conversion is refused."""
    lean = load_tokenizer(out, tokenizer_meta)
    vocab = hf_tok.get_vocab()
    for text in _PROBES:
        expected = hf_tok(text, add_special_tokens=True)["input_ids"]
        got = [vocab.get(t, hf_tok.unk_token_id) for t in lean.encode_batch([text])[0]]
        decoded_expected = hf_tok.decode(expected, skip_special_tokens=True)
        decoded = lean.decode(hf_tok.convert_ids_to_tokens(expected))
        if got != expected or decoded != decoded_expected:
            raise IncompatibleModelError(
                f"the ctranslate2 engine cannot reproduce the tokenizer of '{model_id}' "
                f"({type(hf_tok).__name__}) on {text!r}; use --engine transformers"
            )
