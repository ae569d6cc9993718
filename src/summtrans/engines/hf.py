"""The reference engine: any Hugging Face seq2seq model through transformers' `generate()`."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from ..errors import EngineError, ModelLoadError
from .base import BeamEngine, EngineOptions, GenerationOptions, ProgressCallback, input_too_long, token_budget_batches

log = logging.getLogger(__name__)

_DTYPES = {"float32": "float32", "float16": "float16", "bfloat16": "bfloat16", "auto": None, None: None}


def pick_device(device: str) -> str:
    """Resolve `auto` to the best device present."""
    import torch

    if device != "auto":
        if device == "cuda" and not torch.cuda.is_available():
            raise ModelLoadError("--device cuda was asked for, but no CUDA device is available")
        if device == "mps" and not torch.backends.mps.is_available():
            raise ModelLoadError("--device mps was asked for, but MPS is not available")
        return device
    if torch.cuda.is_available():
        return "cuda"
    if torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def model_input_limit(tokenizer, config) -> int:
    """The model's input limit: the smaller of the tokenizer's and the position table's."""
    limits = [n for n in (getattr(tokenizer, "model_max_length", None),) if isinstance(n, int) and 0 < n < 100_000]
    positions = getattr(config, "max_position_embeddings", None) or getattr(config, "n_positions", None)
    if isinstance(positions, int) and positions > 0:
        limits.append(positions)
    return min(limits) if limits else 512


class _LengthNoticeFilter(logging.Filter):
    """Drops transformers' notice that a profile's max_new_tokens overrides the model's max_length:
    that is what a profile is for, and the notice would repeat on every batch."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "seem to have been set" not in record.getMessage()


class TransformersEngine(BeamEngine):
    name = "transformers"
    caps_length = True

    def __init__(self, model_dir: Path, model_id: str, options: EngineOptions) -> None:
        import torch
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # our own progress reporting is the one users see
        generation_log = logging.getLogger("transformers.generation.utils")
        if not any(isinstance(f, _LengthNoticeFilter) for f in generation_log.filters):
            generation_log.addFilter(_LengthNoticeFilter())

        self.model_id = model_id
        self.options = options
        self.device = pick_device(options.device)
        if options.threads:
            torch.set_num_threads(options.threads)
        if options.compute_type not in _DTYPES:
            raise ModelLoadError(
                f"compute type '{options.compute_type}' is not supported by the transformers engine "
                "(use float32, float16 or bfloat16)"
            )
        dtype_name = _DTYPES[options.compute_type]
        if dtype_name is None:
            dtype_name = "float16" if self.device == "cuda" else "float32"
        self.dtype = getattr(torch, dtype_name)
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
            model = AutoModelForSeq2SeqLM.from_pretrained(str(model_dir), dtype=self.dtype)
        except Exception as exc:
            raise ModelLoadError(f"cannot load model '{model_id}': {exc}") from exc
        self.model = model.to(self.device).eval()
        self.max_input_tokens = model_input_limit(self.tokenizer, model.config)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        return [len(ids) for ids in self.tokenizer(list(texts), add_special_tokens=True)["input_ids"]]

    def _generate(
        self, texts: Sequence[str], options: GenerationOptions, progress: ProgressCallback | None, n: int = 1
    ) -> list[list[str]]:
        import torch

        texts = list(texts)
        results: list[list[str]] = [[""] for _ in texts]
        kwargs = options.as_dict()
        # Beam search runs num_beams hypotheses per input: the budget covers them all. On CPU,
        # smaller batches are faster too (measured: a 1024-token budget 1.4x a 4096 one, beam 4).
        beams = kwargs.get("num_beams") or getattr(self.model.generation_config, "num_beams", None) or 1
        if n > 1:  # an n-best list: beam search at least n wide, n sequences returned per input
            beams = max(beams, n)
            kwargs = {**kwargs, "num_beams": beams, "num_return_sequences": n}
        budget = max(self.options.max_batch_tokens // beams, 1)
        for batch in token_budget_batches(self.count_tokens(texts), budget):
            enc = self.tokenizer([texts[i] for i in batch], return_tensors="pt", padding=True)
            width = enc["input_ids"].shape[1]
            if width > self.max_input_tokens:
                raise input_too_long(width, self)
            enc = {k: v.to(self.device) for k, v in enc.items()}
            try:
                with torch.inference_mode():
                    out = self.model.generate(**enc, **self._capped(kwargs, options, width))
            except (RuntimeError, ValueError) as exc:  # out of memory, invalid generation settings, …
                raise EngineError(f"model '{self.model_id}' failed on the transformers engine: {exc}") from exc
            decoded = [text.strip() for text in self.tokenizer.batch_decode(out, skip_special_tokens=True)]
            for k, i in enumerate(batch):
                results[i] = decoded[k * n : (k + 1) * n]
            if progress:
                progress(len(batch))
        return results

    def _capped(self, kwargs: dict, options: GenerationOptions, longest: int) -> dict:
        """`kwargs` with max_new_tokens lowered to the length cap for a batch whose longest input
        has `longest` tokens (never above the profile's or the model's own limit), and the model's
        minimum length (generation config or profile) never above that maximum."""
        gen = self.model.generation_config
        top = kwargs.get("max_new_tokens") or (getattr(gen, "max_length", None) or 21) - 1
        cap = options.length_cap(longest)
        if cap is not None:
            top = max(1, min(top, cap))
            kwargs = {**kwargs, "max_new_tokens": top}
        # transformers: min_new_tokens wins over min_length, which counts the decoder start token
        minimum = getattr(gen, "min_new_tokens", None)
        if minimum is None:
            minimum = (kwargs.get("min_length") or getattr(gen, "min_length", None) or 0) - 1
        if minimum > top:
            kwargs = {k: v for k, v in kwargs.items() if k != "min_length"}
            kwargs["min_new_tokens"] = self.clamp_minimum(minimum, top)
        return kwargs

    def describe(self):
        return {"engine": self.name, "model": self.model_id, "device": self.device, "dtype": str(self.dtype).removeprefix("torch.")}

    def close(self) -> None:
        del self.model
