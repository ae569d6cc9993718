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

Modules: `device` (device, compute type, threads), `cache` (where conversions live), `tokenizer`
(lean tokenizers), `engine` (the runtime) and `convert` (the conversion: the only module that
imports torch and transformers, loaded only when a model must be converted).
"""

from __future__ import annotations

from .cache import cache_dir, cache_key, cached_conversion
from .device import IncompatibleModelError, resolve_compute_type, resolve_device, thread_layout
from .engine import CTranslate2Engine

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
