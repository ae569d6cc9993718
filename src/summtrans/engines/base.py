"""The seq2seq engine interface shared by translation and summarization.

An engine turns a batch of source texts into target texts ("encode, generate, decode"). It owns
tokenization, batching and the model; callers see plain strings. Adapters: `transformers`
(reference), `ctranslate2` (fast CPU/GPU inference) and `echo` (identity, for tests and dry runs).
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import EngineError, UsageError

ENGINES = ("auto", "transformers", "ctranslate2", "echo")
"""Engine names: `auto` picks ctranslate2 for the architectures it converts, else transformers."""
DEVICES = ("auto", "cpu", "cuda", "mps")
"""Device names: `auto` picks cuda (or mps, transformers only) when present, else cpu."""

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int], None]
"""Called with the number of texts just finished."""
LENGTH_CAP = ("max_length_factor", "max_length_slack")
"""GenerationOptions fields the engines apply per batch themselves (not generate() arguments)."""


@dataclass(frozen=True)
class GenerationOptions:
    """Decoding settings. `None` means: use the model's own generation config."""

    num_beams: int | None = None  # beam size; 1 is greedy search
    max_new_tokens: int | None = None  # hard cap on generated tokens per text
    min_length: int | None = None  # minimum output length in tokens (as in transformers)
    length_penalty: float | None = None  # >1 favours longer beams, <1 shorter ones
    no_repeat_ngram_size: int | None = None  # forbid repeating n-grams of this size (0 = off)
    repetition_penalty: float | None = None  # >1 discourages repeated tokens
    early_stopping: bool | None = None  # stop beam search when num_beams candidates are done
    max_length_factor: float | None = None  # per batch, new tokens ≤ ceil(factor × longest input + slack)
    max_length_slack: int | None = None  # tokens added to that cap (None: 0)

    def merged(self, **overrides: Any) -> GenerationOptions:
        """A copy where every override that is not None replaces the current value."""
        return dataclasses.replace(self, **{k: v for k, v in overrides.items() if v is not None})

    def as_dict(self) -> dict[str, Any]:
        """The decoding settings that are set (not None), the length cap's fields left out."""
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None and k not in LENGTH_CAP}

    def length_cap(self, input_tokens: int) -> int | None:
        """The per-batch cap on new tokens for a longest input of `input_tokens` (None: no factor)."""
        if self.max_length_factor is None:
            return None
        return math.ceil(self.max_length_factor * input_tokens + (self.max_length_slack or 0))


@dataclass(frozen=True)
class EngineOptions:
    """How an engine runs a model."""

    engine: str = "auto"  # one of ENGINES
    device: str = "auto"  # one of DEVICES
    compute_type: str | None = None  # ctranslate2: int8, float16, …; transformers: float32/float16/bfloat16
    max_batch_tokens: int = 4096  # token budget per batch (source tokens, padded; ctranslate2 on CPU: ≤ 1024 // beams)
    threads: int | None = None  # CPU threads in all; None = one per core
    local_files_only: bool = False  # never touch the network (also set by HF_HUB_OFFLINE=1)
    revision: str | None = None  # hub commit, tag or branch of the model (None: the default branch)


class Engine(ABC):
    """A loaded seq2seq model behind a uniform interface."""

    name: str = "base"  # adapter name, e.g. "transformers"
    caps_length: bool = False  # applies GenerationOptions.max_length_factor per batch (else callers group inputs)
    model_id: str  # the hub id or local path the model was loaded from
    max_input_tokens: int  # the model's input limit in tokens, special tokens included
    _minimum_clamped: bool = False  # clamp_minimum has logged

    @abstractmethod
    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Source-side token counts (special tokens included) as the model will see them."""

    @abstractmethod
    def generate(
        self,
        texts: Sequence[str],
        options: GenerationOptions,
        progress: ProgressCallback | None = None,
    ) -> list[str]:
        """Generate one output per input, in input order. Inputs must fit `max_input_tokens`."""

    def generate_nbest(self, texts: Sequence[str], options: GenerationOptions, n: int) -> list[list[str]]:
        """Up to `n` hypotheses per input, best first (beam search widened to `n`). This default
        has only the best one; engines with an n-best list override it."""
        return [[out] for out in self.generate(texts, options)]

    def describe(self) -> dict[str, Any]:
        """What ran: for JSON output and journals."""
        return {"engine": self.name, "model": self.model_id}

    def clamp_minimum(self, minimum: int, maximum: int) -> int:
        """`minimum` new tokens, never above `maximum`: a model whose generation config asks for a
        minimum length (``min_new_tokens``, ``min_length``) above the length cap of a short input
        would fail (ctranslate2) or warn (transformers) on it. Logged once per engine (debug)."""
        if minimum <= maximum:
            return minimum
        if not self._minimum_clamped:
            self._minimum_clamped = True
            log.debug("%s: a minimum output length of %d tokens lowered to the cap of %d (and to each "
                      "later cap below it)", self.model_id, minimum, maximum)
        return maximum

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release model memory."""


def input_budget(engine: Engine, max_input_tokens: int | None = None, prefix: str = "") -> int:
    """Tokens left for the text in one model input: the model's limit (or a lower profile limit)
    less what the prefix (e.g. T5's "summarize: ") costs."""
    limit = engine.max_input_tokens if max_input_tokens is None else min(max_input_tokens, engine.max_input_tokens)
    with_prefix, empty = engine.count_tokens([prefix, ""])
    limit -= with_prefix - empty
    if limit <= max(empty, 1):  # special tokens (and the prefix) alone fill it: no room for a word
        raise UsageError(
            f"model '{engine.model_id}': an input limit of {limit} tokens"
            f"{f' after the prefix {prefix!r}' if prefix else ''} leaves no room for text"
        )
    return limit


class BeamEngine(Engine):
    """An engine that decodes n-best lists (transformers, CTranslate2): `generate` keeps the best
    hypothesis of each input, `generate_nbest` up to `n`."""

    def generate(
        self, texts: Sequence[str], options: GenerationOptions, progress: ProgressCallback | None = None
    ) -> list[str]:
        return [hyps[0] for hyps in self._generate(texts, options, progress)]

    def generate_nbest(self, texts: Sequence[str], options: GenerationOptions, n: int) -> list[list[str]]:
        return self._generate(texts, options, None, max(n, 1))

    @abstractmethod
    def _generate(
        self, texts: Sequence[str], options: GenerationOptions, progress: ProgressCallback | None, n: int = 1
    ) -> list[list[str]]:
        """Up to `n` hypotheses per input, best first, in input order."""


class EngineUser:
    """Base of `Translator` and `Summarizer`: `engine` is an engine, or a zero-argument loader
    called on first use (a run the translation memory answers wholly loads no model). The memory
    key then names the engine actually loaded (``auto`` may fall back to transformers)."""

    def __init__(self, engine: Engine | Callable[[], Engine], generation: GenerationOptions | None, prefix: str,
                 max_input_tokens: int | None, memory: Any, memory_context: Any) -> None:
        self._engine, self._loader = (engine, None) if isinstance(engine, Engine) else (None, engine)
        self.generation = generation or GenerationOptions()
        self.prefix = prefix
        self.max_input_tokens = max_input_tokens
        self.memory = memory if memory_context is not None else None  # memory.Memory
        self.memory_context = memory_context  # memory.MemoryContext
        if self._engine is not None:
            _ = self.limit  # an impossible input limit fails at once

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            assert self._loader is not None
            self._engine = self._loader()
            ctx = self.memory_context
            if ctx is not None and ctx.engine != self._engine.name:  # e.g. auto fell back to transformers
                self.memory_context = dataclasses.replace(ctx, engine=self._engine.name, compute_type="")
        return self._engine

    @functools.cached_property
    def limit(self) -> int:
        """Tokens for the text in one model input (`input_budget`)."""
        return input_budget(self.engine, self.max_input_tokens, self.prefix)


def input_too_long(tokens: int, engine: Engine) -> EngineError:
    """The error for an input over the model's limit (callers split inputs to fit, so a bug)."""
    limit = engine.max_input_tokens
    return EngineError(f"an input of {tokens} tokens exceeds the {limit}-token limit of '{engine.model_id}'")


def token_budget_batches(lengths: Sequence[int], max_batch_tokens: int, max_batch_size: int = 256) -> list[list[int]]:
    """Group indices into batches sorted by length, each within the padded token budget.

    The padded cost of a batch is ``len(batch) * longest``. Sorting by length keeps padding low;
    a single text longer than the budget still gets a batch of its own.
    """
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:
        longest = max(lengths[i], 1)  # sorted ascending: the newcomer is the longest
        if current and ((len(current) + 1) * longest > max_batch_tokens or len(current) >= max_batch_size):
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches


class EchoEngine(Engine):
    """Identity engine: returns its input. Tokens are whitespace-separated words (+1 for EOS).

    Serves tests and `--engine echo` dry runs; `calls` records every batch it was given.
    """

    name = "echo"

    def __init__(self, model_id: str = "echo", max_input_tokens: int = 512, prefix: str = "") -> None:
        self.model_id = model_id
        self.max_input_tokens = max_input_tokens
        self.prefix = prefix
        self.calls: list[list[str]] = []

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(t.split()) + 1 for t in texts]

    def generate(self, texts, options, progress=None):
        texts = list(texts)
        for n in self.count_tokens(texts):
            if n > self.max_input_tokens:
                raise input_too_long(n, self)
        self.calls.append(texts)
        if progress:
            progress(len(texts))
        return [self.prefix + t for t in texts]
