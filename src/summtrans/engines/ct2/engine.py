"""The CTranslate2 engine: runs a finished conversion (no torch, no transformers)."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ...errors import EngineError, ModelLoadError
from ..base import BeamEngine, EngineOptions, GenerationOptions, ProgressCallback, input_too_long, token_budget_batches
from .cache import cache_dir, cache_key, read_metadata
from .device import resolve_compute_type, resolve_device, thread_layout
from .tokenizer import load_tokenizer

_BATCHES_PER_WORKER = 4  # sub-batches queued per worker so that no worker idles at the tail
# On CPU a batch holds at most this many hypothesis tokens (inputs x beams x longest input, in
# source tokens). Activations (attention caches, logits) grow with them, CPU speed hardly does:
# at beam 4 a 4096-token budget held 2.5-6x the decoding memory for the same time (benchmarks/rss.py).
CPU_BATCH_HYPOTHESIS_TOKENS = 1024


class CTranslate2Engine(BeamEngine):
    name = "ctranslate2"
    caps_length = True

    def __init__(self, path: Path, model_id: str, options: EngineOptions) -> None:
        import ctranslate2

        meta = read_metadata(path)
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
            self.tokenizer = load_tokenizer(path, meta["tokenizer"])
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
        if read_metadata(target) is None:
            from .convert import convert  # the only path that imports torch and transformers

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
            "min_decoding_length": max(0, self.clamp_minimum(min_decoding, max_decoding)),
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

    def _plan_batches(self, lengths: list[int], beams: int = 1) -> list[list[int]]:
        """Length-sorted sub-batches within the token budget (on CPU also within
        CPU_BATCH_HYPOTHESIS_TOKENS), enough of them to keep every worker busy."""
        budget = self.options.max_batch_tokens
        if self.device == "cpu":
            budget = min(budget, max(1, CPU_BATCH_HYPOTHESIS_TOKENS // beams))
        if self.inter_threads > 1:
            longest = max(lengths)
            share = math.ceil(sum(max(n, 1) for n in lengths) / (self.inter_threads * _BATCHES_PER_WORKER))
            budget = min(budget, max(longest, share))
        return token_budget_batches(lengths, budget)

    def _generate(
        self, texts: Sequence[str], options: GenerationOptions, progress: ProgressCallback | None, n: int = 1
    ) -> list[list[str]]:
        texts = list(texts)
        if not texts:
            return []
        sources = self.tokenizer.encode_batch(texts)
        lengths = [len(s) for s in sources]
        for length in lengths:
            if length > self.max_input_tokens:
                raise input_too_long(length, self)
        kwargs = self._decoding_options(options)
        if n > 1:  # an n-best list: beam search at least n wide
            kwargs.update(beam_size=max(kwargs["beam_size"], n), num_hypotheses=n)
        results: list[list[str]] = [[""] for _ in texts]
        batches = self._plan_batches(lengths, kwargs["beam_size"])
        if kwargs["max_decoding_length"] < 1:  # nothing but the forced end token fits
            if progress:
                progress(len(texts))
            return results
        bos = self.defaults.get("forced_bos_token")

        def submit(batch: list[int]):
            prefix = [[bos] for _ in batch] if bos else None
            try:
                return self.translator.translate_batch(
                    [sources[i] for i in batch], prefix, asynchronous=True, **self._capped(kwargs, options, batch, lengths)
                )
            except Exception as exc:  # CTranslate2 reports failures (out of memory, …) as RuntimeError
                raise self._failure(exc) from exc

        def collect(batch: list[int], futures) -> None:
            for i, future in zip(batch, futures):
                try:
                    hypotheses = future.result().hypotheses
                except Exception as exc:
                    raise self._failure(exc) from exc
                results[i] = [self.tokenizer.decode(h).strip() for h in hypotheses[:n]]
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

    def _capped(self, kwargs: dict[str, Any], options: GenerationOptions, batch: list[int], lengths: list[int]) -> dict[str, Any]:
        """`kwargs` with max_decoding_length lowered to the length cap of the batch's longest input,
        and min_decoding_length to that cap (CTranslate2 refuses a minimum above the maximum)."""
        cap = options.length_cap(max(lengths[i] for i in batch))
        if cap is None:
            return kwargs
        cap -= 1 if self.defaults.get("forced_eos") else 0  # as in _decoding_options
        top = max(1, min(kwargs["max_decoding_length"], cap))
        low = self.clamp_minimum(kwargs["min_decoding_length"], top)
        return {**kwargs, "max_decoding_length": top, "min_decoding_length": low}

    def _failure(self, exc: Exception) -> EngineError:
        return EngineError(f"model '{self.model_id}' failed on the ctranslate2 engine: {exc or type(exc).__name__}")

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
