"""The fast engine: Hugging Face seq2seq checkpoints converted once to CTranslate2.

The first load of a model converts it with CTranslate2's Transformers converter into a cache
directory (``$SUMMTRANS_CACHE_DIR/ct2`` or ``~/.cache/summtrans/ct2``), quantized to the compute
type it will run with, next to copies of its tokenizer files and a ``summtrans.json`` that records
the input limit and the model's generation defaults. Every later load reads only that directory:
neither torch nor transformers is imported (tokenization runs on ``sentencepiece`` for Marian and
on ``tokenizers`` for BART, T5, Pegasus and mBART).

Generation options mean what they mean on the transformers engine: ``max_new_tokens`` counts new
tokens including a forced end token, ``min_length`` counts the decoder start token, forced BOS
tokens become a target prefix, ``bad_words_ids`` become suppressed sequences. Under greedy search
at float32 both engines give the same text.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import re
import shutil
import socket
import tempfile
import time
from collections import deque
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import ModelLoadError
from ..hub import cached_snapshot
from .base import Engine, EngineOptions, GenerationOptions, ProgressCallback, token_budget_batches

log = logging.getLogger(__name__)

__all__ = [
    "CTranslate2Engine",
    "IncompatibleModelError",
    "cache_dir",
    "cache_key",
    "cached_conversion",
    "resolve_compute_type",
    "resolve_device",
    "thread_layout",
]

FORMAT_VERSION = 1  # bump when the layout of a conversion directory changes: old entries are ignored
METADATA_FILE = "summtrans.json"  # written last: a directory without it is not a finished conversion
_TMP_PREFIX = ".tmp-"
_MAX_INTER_THREADS = 4  # parallel CPU workers; beyond this extra cores go to intra-op threads
_BATCHES_PER_WORKER = 4  # sub-batches queued per worker so that no worker idles at the tail
_SPIECE_UNDERLINE = "▁"
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


class IncompatibleModelError(ModelLoadError):
    """The ctranslate2 engine cannot run this model (or this device) faithfully.

    `load_engine` with engine ``auto`` falls back to the transformers engine on this error; with
    engine ``ctranslate2`` it is reported to the user.
    """


# --------------------------------------------------------------------------------------------
# Device, compute type, threads
# --------------------------------------------------------------------------------------------


def resolve_device(device: str) -> str:
    """`auto` → cuda when CTranslate2 sees a CUDA device, else cpu. mps is not supported."""
    import ctranslate2

    if device == "mps":
        raise IncompatibleModelError(
            "the ctranslate2 engine does not support --device mps (use --engine transformers, or --device cpu)"
        )
    cuda = ctranslate2.get_cuda_device_count() > 0
    if device == "auto":
        return "cuda" if cuda else "cpu"
    if device == "cuda" and not cuda:
        raise ModelLoadError("--device cuda was asked for, but CTranslate2 sees no CUDA device")
    if device not in ("cpu", "cuda"):
        raise ModelLoadError(f"unknown device '{device}' (choose from auto, cpu, cuda, mps)")
    return device


def resolve_compute_type(compute_type: str | None, device: str) -> str:
    """None/`auto` → int8 on CPU, float16 on CUDA; an explicit type must be supported there."""
    import ctranslate2

    supported = set(ctranslate2.get_supported_compute_types(device))
    if compute_type in (None, "auto"):
        preferred = ("float16", "float32") if device == "cuda" else ("int8", "float32")
        return next(c for c in preferred if c in supported or c == "float32")
    if compute_type not in supported:
        raise ModelLoadError(
            f"compute type '{compute_type}' is not supported by ctranslate2 on {device} "
            f"(choose from {', '.join(sorted(supported))})"
        )
    return compute_type


def _cpu_count() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def thread_layout(device: str, threads: int | None = None) -> tuple[int, int]:
    """(inter_threads, intra_threads) for CTranslate2.

    On CPU, parallel workers with one or few threads each beat one worker with many threads for
    batch translation (measured 1.6x on 2 cores): up to 4 workers, as many as leave at most ~15%
    of the cores idle. On CUDA one worker; ``threads`` then only sizes the
    CPU-side thread pool.
    """
    if device != "cpu":
        return 1, max(0, threads or 0)
    total = max(1, threads or _cpu_count())
    candidates = range(min(total, _MAX_INTER_THREADS), 1, -1)  # more workers first
    for inter in candidates:  # the most workers that leave at most ~15% of the cores idle
        if total % inter <= 0.15 * total:
            return inter, total // inter
    inter = min(candidates, key=lambda n: total % n, default=1)  # else the fewest idle cores
    return inter, total // inter


# --------------------------------------------------------------------------------------------
# Conversion cache
# --------------------------------------------------------------------------------------------


def cache_dir() -> Path:
    """Where conversions live: ``$SUMMTRANS_CACHE_DIR/ct2`` or ``~/.cache/summtrans/ct2``."""
    root = os.environ.get("SUMMTRANS_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "summtrans")
    return Path(root) / "ct2"


def _sanitize(name: str) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", name.replace("/", "--")).strip("._-")
    return name[:80] or "model"


def _local_fingerprint(model_dir: Path) -> str:
    """Names, sizes and modification times of a local model's files (fast; no content is read)."""
    h = hashlib.sha256()
    files = sorted(
        p for p in model_dir.rglob("*") if p.is_file() and not any(s.startswith(".") for s in p.relative_to(model_dir).parts)
    )
    for path in files:
        st = path.stat()
        h.update(f"{path.relative_to(model_dir).as_posix()}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return "files:" + h.hexdigest()


def _source_identity(model_ref: str, model_dir: Path | None) -> tuple[str, str] | None:
    """(display name, identity) of a model: a hub id with its revision, or a local dir's fingerprint."""
    path = Path(model_ref).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            return None
        return path.resolve().name, _local_fingerprint(path)
    snapshot = model_dir if model_dir is not None else cached_snapshot(model_ref)
    if snapshot is None:
        return None
    return model_ref, f"hub:{model_ref}@{Path(snapshot).name}"  # a hub snapshot dir is named by its commit


def cache_key(model_ref: str, compute_type: str, model_dir: Path | None = None) -> str | None:
    """``<sanitized-id>-<hash12>-<compute_type>``, or None when the model is not available locally."""
    ident = _source_identity(model_ref, model_dir)
    if ident is None:
        return None
    name, identity = ident
    digest = hashlib.sha256(f"summtrans-ct2-v{FORMAT_VERSION}\0{identity}".encode()).hexdigest()[:12]
    return f"{_sanitize(name)}-{digest}-{compute_type}"


def _read_metadata(path: Path) -> dict[str, Any] | None:
    try:
        meta = json.loads((path / METADATA_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_VERSION or not (path / "model.bin").is_file():
        return None
    return meta


def cached_conversion(model_ref: str, options: EngineOptions) -> Path | None:
    """The finished conversion of `model_ref` for `options`, or None. Imports neither torch nor transformers."""
    try:
        device = resolve_device(options.device)
        compute_type = resolve_compute_type(options.compute_type, device)
    except ModelLoadError:
        return None  # the regular load path reports it
    key = cache_key(model_ref, compute_type)
    if key is None:
        return None
    path = cache_dir() / key
    return path if _read_metadata(path) is not None else None


def _host() -> str:
    return _sanitize(socket.gethostname()).replace("-", "_")


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
        if not entry.name.startswith(_TMP_PREFIX) or not entry.is_dir():
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


# --------------------------------------------------------------------------------------------
# Marian start-embedding check
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Conversion (imports torch and transformers; runs once per model and compute type)
# --------------------------------------------------------------------------------------------


def convert(model_dir: Path, model_id: str, compute_type: str, target: Path) -> Path:
    """Convert `model_dir` into `target` atomically: a temp dir beside it, renamed when complete."""
    check_start_embedding(model_dir, model_id)
    root = target.parent
    root.mkdir(parents=True, exist_ok=True)
    _clean_stale_temp_dirs(root)
    tmp = Path(tempfile.mkdtemp(prefix=f"{_TMP_PREFIX}{target.name}-host{_host()}-pid{os.getpid()}-", dir=root))
    log.info("converting %s to CTranslate2 %s (one-time)…", model_id, compute_type)
    started = time.monotonic()
    try:
        meta = _convert_into(model_dir, model_id, compute_type, tmp)
        meta["conversion_seconds"] = round(time.monotonic() - started, 2)
        _write_json(tmp / METADATA_FILE, meta)  # last: marks the directory complete
        try:
            os.rename(tmp, target)
        except OSError:
            if _read_metadata(target) is None:  # a broken leftover, not a finished rival conversion
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

    from .hf import model_input_limit

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
        "identity": (_source_identity(model_id, model_dir) or ("", ""))[1],
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
    lean = _load_tokenizer(out, tokenizer_meta)
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


# --------------------------------------------------------------------------------------------
# Lean tokenizers (no transformers)
# --------------------------------------------------------------------------------------------


def _clean_up_tokenization(text: str) -> str:
    """transformers' clean_up_tokenization."""
    for a, b in ((" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"),
                 (" 'm", "'m"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re")):  # fmt: skip
        text = text.replace(a, b)
    return text


class _MarianTokenizer:
    """MarianTokenizer's encode/decode on sentencepiece alone."""

    def __init__(self, path: Path, meta: dict[str, Any]) -> None:
        import sentencepiece as spm

        self.source = spm.SentencePieceProcessor(model_file=str(path / "source.spm"))
        target = spm.SentencePieceProcessor(model_file=str(path / "target.spm"))
        self.decoder = target if meta.get("decode_with") == "target" else self.source
        self.eos = meta["eos_token"]
        self.special = set(meta["special_tokens"])
        self.cleanup = bool(meta.get("clean_up_tokenization_spaces"))
        self.added = {t["content"]: t for t in meta.get("added_tokens", [])}
        for token in self.special:
            self.added.setdefault(token, {"content": token, "lstrip": False, "rstrip": False, "single_word": False})
        alternatives = sorted(self.added, key=len, reverse=True)
        self.splitter = re.compile("(" + "|".join(re.escape(t) for t in alternatives) + ")") if alternatives else None

    def _split(self, text: str) -> list[str]:
        """transformers' split on added tokens, with their lstrip/rstrip/single_word rules."""
        if self.splitter is None:
            return [text]
        parts = self.splitter.split(text)  # odd positions are added tokens
        for i in range(1, len(parts), 2):
            info = self.added[parts[i]]
            if info["rstrip"] and i + 1 < len(parts):
                parts[i + 1] = parts[i + 1].lstrip()
            if info["lstrip"]:
                parts[i - 1] = parts[i - 1].rstrip()
            if info["single_word"]:
                if parts[i - 1] and parts[i - 1][-1] != " ":
                    parts[i - 1] += parts[i]
                    parts[i] = ""
                elif i + 1 < len(parts) and parts[i + 1] and parts[i + 1][0] != " ":
                    parts[i + 1] = parts[i] + parts[i + 1]
                    parts[i] = ""
        return parts

    def encode(self, text: str) -> list[str]:
        tokens: list[str] = []
        for part in self._split(text):
            if not part:
                continue
            if part in self.added:
                tokens.append(part)
                continue
            if part.startswith(">>") and (end := part.find("<<")) != -1:  # target language code
                tokens.append(part[: end + 2])
                part = part[end + 2 :]
            tokens.extend(self.source.encode(part, out_type=str))
        tokens.append(self.eos)
        return tokens

    def encode_batch(self, texts: Sequence[str]) -> list[list[str]]:
        return [self.encode(t) for t in texts]

    def decode(self, tokens: Sequence[str]) -> str:
        pieces = [t for t in tokens if t not in self.special]
        text = self.decoder.decode_pieces(pieces).replace(_SPIECE_UNDERLINE, " ").strip()
        return _clean_up_tokenization(text) if self.cleanup else text


class _FastTokenizer:
    """A transformers fast tokenizer's encode/decode on the `tokenizers` library alone."""

    def __init__(self, path: Path, meta: dict[str, Any]) -> None:
        from tokenizers import Tokenizer

        self.tok = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tok.no_truncation()
        self.tok.no_padding()
        self.cleanup = bool(meta.get("clean_up_tokenization_spaces"))

    def encode_batch(self, texts: Sequence[str]) -> list[list[str]]:
        return [e.tokens for e in self.tok.encode_batch(list(texts), add_special_tokens=True)]

    def decode(self, tokens: Sequence[str]) -> str:
        ids = [i for i in (self.tok.token_to_id(t) for t in tokens) if i is not None]
        text = self.tok.decode(ids, skip_special_tokens=True)
        return _clean_up_tokenization(text) if self.cleanup else text


def _load_tokenizer(path: Path, meta: dict[str, Any]) -> _MarianTokenizer | _FastTokenizer:
    if meta.get("kind") == "marian":
        return _MarianTokenizer(path, meta)
    if meta.get("kind") == "tokenizers":
        return _FastTokenizer(path, meta)
    raise ModelLoadError(f"unknown tokenizer kind {meta.get('kind')!r} in {path / METADATA_FILE}")


# --------------------------------------------------------------------------------------------
# The engine
# --------------------------------------------------------------------------------------------


class CTranslate2Engine(Engine):
    name = "ctranslate2"

    def __init__(self, path: Path, model_id: str, options: EngineOptions) -> None:
        import ctranslate2

        meta = _read_metadata(path)
        if meta is None:
            raise ModelLoadError(f"{path} is not a finished summtrans CTranslate2 conversion")
        self.path = path
        self.model_id = model_id
        self.options = options
        self.meta = meta
        self.device = resolve_device(options.device)
        self.compute_type = resolve_compute_type(options.compute_type, self.device)
        self.inter_threads, self.intra_threads = thread_layout(self.device, options.threads)
        try:
            self.translator = ctranslate2.Translator(
                str(path),
                device=self.device,
                compute_type=self.compute_type,
                inter_threads=self.inter_threads,
                intra_threads=self.intra_threads,
            )
            self.tokenizer = _load_tokenizer(path, meta["tokenizer"])
        except ModelLoadError:
            raise
        except Exception as exc:
            raise ModelLoadError(f"cannot load the CTranslate2 conversion of '{model_id}' ({path}): {exc}") from exc
        self.max_input_tokens = int(meta["max_input_tokens"])
        self.defaults: dict[str, Any] = meta["generation"]

    @classmethod
    def from_converted(cls, path: Path, model_id: str, options: EngineOptions) -> CTranslate2Engine:
        """Load a finished conversion directory (the fast path: no torch, no transformers)."""
        return cls(Path(path), model_id, options)

    @classmethod
    def from_model_dir(cls, model_dir: Path, model_id: str, options: EngineOptions) -> CTranslate2Engine:
        """Load a Hugging Face checkpoint directory, converting it first unless already cached."""
        device = resolve_device(options.device)
        compute_type = resolve_compute_type(options.compute_type, device)
        model_dir = Path(model_dir)
        key = cache_key(model_id, compute_type, None if Path(model_id).expanduser().is_dir() else model_dir)
        if key is None:
            raise ModelLoadError(f"model directory {model_dir} has no config.json")
        target = cache_dir() / key
        if _read_metadata(target) is None:
            convert(model_dir, model_id, compute_type, target)
        return cls(target, model_id, options)

    # -- encoding --------------------------------------------------------------------------

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        return [len(t) for t in self.tokenizer.encode_batch(list(texts))]

    def _decoding_options(self, options: GenerationOptions) -> dict[str, Any]:
        """Map transformers-style options (over the model's defaults) onto translate_batch()."""
        d = self.defaults
        pick = lambda value, default: default if value is None else value  # noqa: E731

        forced_eos = bool(d.get("forced_eos"))
        max_new = options.max_new_tokens if options.max_new_tokens is not None else d.get("max_new_tokens")
        if max_new is None:
            max_length = d.get("max_length")
            max_new = 20 if max_length is None else max_length - 1  # max_length counts the decoder start
        # transformers spends the last step on a forced end token, which we do not return anyway.
        max_decoding = int(max_new) - (1 if forced_eos else 0)
        if options.min_length is not None:
            min_decoding = options.min_length - 1  # transformers' min_length counts the decoder start
        elif d.get("min_new_tokens") is not None:
            min_decoding = int(d["min_new_tokens"])
        else:
            min_decoding = int(d.get("min_length") or 0) - 1
        kwargs: dict[str, Any] = {
            "beam_size": max(1, int(pick(options.num_beams, d.get("num_beams") or 1))),
            "max_decoding_length": max_decoding,
            "min_decoding_length": max(0, min(min_decoding, max_decoding)),
            "length_penalty": float(pick(options.length_penalty, d.get("length_penalty", 1.0))),
            "no_repeat_ngram_size": int(pick(options.no_repeat_ngram_size, d.get("no_repeat_ngram_size", 0))),
            "repetition_penalty": float(pick(options.repetition_penalty, d.get("repetition_penalty", 1.0))),
            "return_scores": False,
            "return_end_token": False,
            "max_input_length": 0,  # inputs are checked against max_input_tokens instead of truncated
        }
        if d.get("eos_tokens"):
            kwargs["end_token"] = list(d["eos_tokens"])
        if d.get("suppress_sequences"):
            kwargs["suppress_sequences"] = [list(s) for s in d["suppress_sequences"]]
        return kwargs

    def _plan_batches(self, lengths: list[int]) -> list[list[int]]:
        """Length-sorted sub-batches within the token budget, enough of them to keep every worker busy."""
        budget = self.options.max_batch_tokens
        if self.inter_threads > 1:
            longest = max(lengths)
            share = math.ceil(sum(max(n, 1) for n in lengths) / (self.inter_threads * _BATCHES_PER_WORKER))
            budget = min(budget, max(longest, share))
        return token_budget_batches(lengths, budget)

    def generate(
        self, texts: Sequence[str], options: GenerationOptions, progress: ProgressCallback | None = None
    ) -> list[str]:
        texts = list(texts)
        if not texts:
            return []
        sources = self.tokenizer.encode_batch(texts)
        lengths = [len(s) for s in sources]
        for n in lengths:
            if n > self.max_input_tokens:
                raise ValueError(f"input of {n} tokens exceeds {self.max_input_tokens}")
        kwargs = self._decoding_options(options)
        results: list[str] = [""] * len(texts)
        batches = self._plan_batches(lengths)
        if kwargs["max_decoding_length"] < 1:  # nothing but the forced end token fits
            if progress:
                progress(len(texts))
            return results
        bos = self.defaults.get("forced_bos_token")

        def submit(batch: list[int]):
            prefix = [[bos] for _ in batch] if bos else None
            return self.translator.translate_batch([sources[i] for i in batch], prefix, asynchronous=True, **kwargs)

        def collect(batch: list[int], futures) -> None:
            for i, future in zip(batch, futures):
                results[i] = self.tokenizer.decode(future.result().hypotheses[0]).strip()
            if progress:
                progress(len(batch))

        # Keep a few batches in flight per worker; collect in submission order so progress is steady.
        in_flight: deque = deque()
        window = 2 * self.inter_threads
        for batch in batches:
            in_flight.append((batch, submit(batch)))
            if len(in_flight) >= window:
                collect(*in_flight.popleft())
        while in_flight:
            collect(*in_flight.popleft())
        return results

    def describe(self) -> dict[str, Any]:
        return {
            "engine": self.name,
            "model": self.model_id,
            "device": self.device,
            "compute_type": self.compute_type,
            "conversion": str(self.path),
            "threads": {"inter": self.inter_threads, "intra": self.intra_threads},
        }

    def close(self) -> None:
        translator = getattr(self, "translator", None)
        if translator is not None:
            del self.translator
