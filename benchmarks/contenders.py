"""Benchmark contenders, one per process: ``python benchmarks/contenders.py NAME SPEC.json``.

`run.py` launches each contender in a fresh interpreter so that peak RSS (``ru_maxrss`` of this
process) and start-up costs belong to that contender alone. The parent passes the wall-clock time
at which it launched the process in ``BENCH_T0``; a contender reports, as one JSON line prefixed
with ``@@RESULT`` on stdout:

- ``load_s``: launch → model loaded (imports included), ``work_s``: the timed work,
- ``first_output_s``: launch → the first finished output (segment or summary),
- ``outputs``: the number of inputs done, ``tokens``: generated target tokens, counted from the
  model's own output ids (not re-tokenized text) and ``token_counts``: their distinct per-output
  values, so that the fixed-length contract is checked rather than assumed,
- ``threads``: the thread layout it ran with, ``peak_rss_mb``: ``ru_maxrss`` at the end.

Token counting convention (the same for every contender): the decoder start token and the final
end-of-sequence token are not counted; everything else the decoder produced (BART's forced
``<s>`` included) is. transformers runs with ``max_new_tokens = min_length = N + 1`` (its
``min_length`` counts the decoder start token; the last step is the forced EOS), CTranslate2 with
``min_decoding_length = max_decoding_length = N`` — both give exactly N tokens per output.

Imports are done lazily inside each contender so that nothing but the contender's own stack is
loaded (e.g. the CTranslate2 contenders never import torch unless the product does).
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

T0 = float(os.environ.get("BENCH_T0") or time.time())


def since_launch() -> float:
    return time.time() - T0


class FirstOutput:
    """A duck-typed `summtrans.progress.Progress`: remembers when the first output was finished."""

    def __init__(self) -> None:
        self.first: float | None = None
        self.done = 0
        self.total = 0

    def mark(self) -> None:
        if self.first is None:
            self.first = since_launch()

    # the Progress interface the Translator / Summarizer use
    def add_total(self, n: int) -> None:
        self.total += n

    def advance(self, n: int = 1, failed: int = 0) -> None:
        self.done += n
        if n:
            self.mark()

    def set_description(self, description: str) -> None:
        pass

    def set_note(self, note: str) -> None:
        pass

    def message(self, text: str, level: int = 30) -> None:
        pass


class TokenCounter:
    """Per-output generated-token counts (see the module docstring for the convention)."""

    def __init__(self) -> None:
        self.counts: list[int] = []

    def add_hf(self, out, pad_id: int, eos_id: int) -> None:
        """`out` is generate()'s ids tensor: drop the start column, padding and the final EOS."""
        for row in out.tolist():
            body = [t for t in row[1:] if t != pad_id]  # Marian's start token is <pad>, never generated
            if body and body[-1] == eos_id:
                body = body[:-1]
            self.counts.append(len(body))

    def add_ct2(self, hypothesis: list[str]) -> None:
        self.counts.append(len(hypothesis))

    def summary(self) -> dict:
        return {"tokens": sum(self.counts), "token_counts": sorted(set(self.counts))}


# --------------------------------------------------------------------------------------------
# Helpers shared by the contenders
# --------------------------------------------------------------------------------------------


def torch_threads() -> dict:
    import torch

    return {"torch_intra_op": torch.get_num_threads(), "torch_inter_op": torch.get_num_interop_threads()}


def hf_fixed_length(n: int) -> dict:
    """transformers generate() kwargs that give exactly `n` tokens + the forced EOS."""
    return {"num_beams": 4, "max_new_tokens": n + 1, "min_length": n + 1}


def product_options(n: int):
    from summtrans.engines import GenerationOptions

    return GenerationOptions(num_beams=4, max_new_tokens=n + 1, min_length=n + 1)


def instrument_engine(engine, counter: TokenCounter) -> None:
    """Count generated tokens inside a summtrans engine without changing what it does."""
    if engine.name == "transformers":
        model = engine.model
        original = model.generate
        pad, eos = model.generation_config.pad_token_id, model.generation_config.eos_token_id
        eos = eos[0] if isinstance(eos, list) else eos

        def generate(*args, **kwargs):
            out = original(*args, **kwargs)
            counter.add_hf(out, pad, eos)
            return out

        model.generate = generate
    elif engine.name == "ctranslate2":
        engine.translator = _CountingTranslator(engine.translator, counter)
    else:
        raise ValueError(f"cannot instrument engine {engine.name}")


class _CountingFuture:
    def __init__(self, future, counter: TokenCounter) -> None:
        self._future, self._counter, self._seen = future, counter, False

    def result(self):
        res = self._future.result()
        if not self._seen:
            self._seen = True
            self._counter.add_ct2(res.hypotheses[0])
        return res


class _CountingTranslator:
    """Forwards to a ctranslate2.Translator; counts the tokens of every first hypothesis."""

    def __init__(self, translator, counter: TokenCounter) -> None:
        self._translator, self._counter = translator, counter

    def translate_batch(self, *args, **kwargs):
        out = self._translator.translate_batch(*args, **kwargs)
        if kwargs.get("asynchronous"):
            return [_CountingFuture(f, self._counter) for f in out]
        for res in out:
            self._counter.add_ct2(res.hypotheses[0])
        return out

    def __getattr__(self, name):
        return getattr(self._translator, name)


# --------------------------------------------------------------------------------------------
# Translation contenders
# --------------------------------------------------------------------------------------------


def t_naive(spec: dict) -> dict:
    """(a) One generate() per sentence, as a user writes it by hand."""
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(spec["model"])
    model = AutoModelForSeq2SeqLM.from_pretrained(spec["model"])
    load_s = since_launch()
    counter, first = TokenCounter(), FirstOutput()
    gen = hf_fixed_length(spec["n_tokens"])
    pad, eos = model.generation_config.pad_token_id, model.generation_config.eos_token_id
    outputs = []
    start = time.perf_counter()
    for sentence in spec["inputs"]:
        out = model.generate(**tok(sentence, return_tensors="pt"), **gen)
        counter.add_hf(out, pad, eos)
        outputs.append(tok.decode(out[0], skip_special_tokens=True))
        first.mark()
    work_s = time.perf_counter() - start
    return {"load_s": load_s, "work_s": work_s, "first_output_s": first.first, "outputs": len(outputs),
            **counter.summary(), "threads": torch_threads(), "sample": outputs[0]}


def t_sorted(spec: dict) -> dict:
    """(b) Length-sorted batches within a padded token budget, plain transformers."""
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(spec["model"])
    model = AutoModelForSeq2SeqLM.from_pretrained(spec["model"]).eval()
    load_s = since_launch()
    counter, first = TokenCounter(), FirstOutput()
    gen = hf_fixed_length(spec["n_tokens"])
    pad, eos = model.generation_config.pad_token_id, model.generation_config.eos_token_id
    texts = spec["inputs"]
    budget = spec["max_batch_tokens"]
    start = time.perf_counter()
    lengths = [len(ids) for ids in tok(texts)["input_ids"]]
    order = sorted(range(len(texts)), key=lambda i: lengths[i])
    batches, current = [], []
    for i in order:  # ascending: the newcomer is the longest of its batch
        if current and (len(current) + 1) * lengths[i] > budget:
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    outputs = [""] * len(texts)
    for batch in batches:
        enc = tok([texts[i] for i in batch], return_tensors="pt", padding=True)
        with torch.inference_mode():
            out = model.generate(**enc, **gen)
        counter.add_hf(out, pad, eos)
        for i, text in zip(batch, tok.batch_decode(out, skip_special_tokens=True)):
            outputs[i] = text
        first.mark()
    work_s = time.perf_counter() - start
    return {"load_s": load_s, "work_s": work_s, "first_output_s": first.first, "outputs": len(outputs),
            **counter.summary(), "threads": torch_threads(), "batches": len(batches),
            "max_batch_tokens": budget, "sample": outputs[order[0]]}


def _summtrans_translate(spec: dict, engine_name: str) -> dict:
    from summtrans.engines import EngineOptions, load_engine
    from summtrans.translate import Translator

    opts = EngineOptions(engine=engine_name, compute_type=spec.get("compute_type"),
                         max_batch_tokens=spec["max_batch_tokens"], local_files_only=True)
    engine = load_engine(spec["model"], opts)
    translator = Translator(engine, product_options(spec["n_tokens"]))
    load_s = since_launch()
    counter, first = TokenCounter(), FirstOutput()
    instrument_engine(engine, counter)
    start = time.perf_counter()
    results = translator.translate_many(spec["inputs"], progress=first)
    work_s = time.perf_counter() - start
    inputs = sum(s.parts for r in results for s in r.segments)
    info = engine.describe()
    threads = info.get("threads") or torch_threads()
    return {"load_s": load_s, "work_s": work_s, "first_output_s": first.first, "outputs": len(results),
            "model_inputs": inputs, **counter.summary(), "threads": threads, "engine": info,
            "sample": results[0].text}


def t_summtrans_hf(spec: dict) -> dict:
    """(c) summtrans Translator on the transformers engine."""
    return _summtrans_translate(spec, "transformers")


def t_summtrans_ct2(spec: dict) -> dict:
    """(d) summtrans Translator on the ctranslate2 engine (int8), conversion already cached."""
    return _summtrans_translate(spec, "ctranslate2")


def t_ct2_raw(spec: dict) -> dict:
    """(e) ctranslate2.Translator.translate_batch on pre-tokenized input: the engine's ceiling.

    Same converted model and thread layout as (d). Tokenization is done before the clock starts.
    After a small warm-up batch, each batching setting in ``spec["ct2_batchings"]`` translates
    every input once; the best one is the result (the others are reported too).
    """
    import ctranslate2
    import sentencepiece as spm

    conv = Path(spec["ct2_dir"])
    inter, intra = spec["ct2_threads"]
    translator = ctranslate2.Translator(str(conv), device="cpu", compute_type=spec["compute_type"],
                                        inter_threads=inter, intra_threads=intra)
    sp = spm.SentencePieceProcessor(model_file=str(conv / "source.spm"))
    load_s = since_launch()
    sources = [sp.encode(t, out_type=str) + ["</s>"] for t in spec["inputs"]]
    n = spec["n_tokens"]
    kw = dict(beam_size=4, min_decoding_length=n, max_decoding_length=n, return_end_token=False, max_input_length=0)
    first = FirstOutput()
    translator.translate_batch(sources[:8], **kw)  # warm-up
    first.mark()
    # Diagnostic: the sub-batch budget summtrans' _plan_batches would pick for these inputs.
    lengths = [len(s) for s in sources]
    share = -(-sum(lengths) // (inter * 4))
    product_budget = min(spec["max_batch_tokens"], max(max(lengths), share))
    runs = []
    best = None
    for batch_type, size in [*spec["ct2_batchings"], ["tokens", product_budget]]:
        counter = TokenCounter()
        start = time.perf_counter()
        results = translator.translate_batch(sources, max_batch_size=size, batch_type=batch_type, **kw)
        work_s = time.perf_counter() - start
        for r in results:
            counter.add_ct2(r.hypotheses[0])
        run = {"batch_type": batch_type, "max_batch_size": size, "work_s": work_s, **counter.summary()}
        run["product_like"] = [batch_type, size] == ["tokens", product_budget]
        runs.append(run)
        if run["product_like"]:
            continue  # a diagnostic, not a candidate for the ceiling
        if best is None or work_s < best["work_s"]:
            best = run
    return {"load_s": load_s, "work_s": best["work_s"], "first_output_s": first.first, "outputs": len(sources),
            "tokens": best["tokens"], "token_counts": best["token_counts"],
            "threads": {"inter": inter, "intra": intra}, "batchings": runs,
            "best_batching": [best["batch_type"], best["max_batch_size"]]}


# --------------------------------------------------------------------------------------------
# Summarization contenders
# --------------------------------------------------------------------------------------------


def s_hf(spec: dict) -> dict:
    """Plain transformers: one generate() per article (as the summarization pipeline does)."""
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(spec["model"])
    model = AutoModelForSeq2SeqLM.from_pretrained(spec["model"]).eval()
    load_s = since_launch()
    counter, first = TokenCounter(), FirstOutput()
    gen = hf_fixed_length(spec["n_tokens"])
    pad, eos = model.generation_config.pad_token_id, model.generation_config.eos_token_id
    outputs = []
    start = time.perf_counter()
    for article in spec["inputs"]:
        enc = tok(article, return_tensors="pt", truncation=True, max_length=1024)
        out = model.generate(**enc, **gen)
        counter.add_hf(out, pad, eos)
        outputs.append(tok.decode(out[0], skip_special_tokens=True))
        first.mark()
    work_s = time.perf_counter() - start
    return {"load_s": load_s, "work_s": work_s, "first_output_s": first.first, "outputs": len(outputs),
            **counter.summary(), "threads": torch_threads(), "sample": outputs[0][:200]}


def _summtrans_summarize(spec: dict, engine_name: str) -> dict:
    from summtrans.engines import EngineOptions, load_engine
    from summtrans.summarize import Summarizer

    opts = EngineOptions(engine=engine_name, compute_type=spec.get("compute_type"),
                         max_batch_tokens=spec["max_batch_tokens"], local_files_only=True)
    engine = load_engine(spec["model"], opts)
    summarizer = Summarizer(engine, product_options(spec["n_tokens"]))
    load_s = since_launch()
    counter, first = TokenCounter(), FirstOutput()
    instrument_engine(engine, counter)
    start = time.perf_counter()
    results = summarizer.summarize_many(spec["inputs"], progress=first)
    work_s = time.perf_counter() - start
    info = engine.describe()
    return {"load_s": load_s, "work_s": work_s, "first_output_s": first.first, "outputs": len(results),
            "chunks": [r.chunks for r in results], "rounds": [r.rounds for r in results], **counter.summary(),
            "threads": info.get("threads") or torch_threads(), "engine": info, "sample": results[0].text[:200]}


def s_summtrans_hf(spec: dict) -> dict:
    return _summtrans_summarize(spec, "transformers")


def s_summtrans_ct2(spec: dict) -> dict:
    return _summtrans_summarize(spec, "ctranslate2")


# --------------------------------------------------------------------------------------------
# Quality (mini-marian on Multi30k): hypotheses only; run.py scores them
# --------------------------------------------------------------------------------------------


def _quality(spec: dict, runs: list[tuple[str, str, str | None, int]]) -> dict:
    from summtrans.engines import EngineOptions, GenerationOptions, load_engine
    from summtrans.translate import Translator

    out: dict = {"hypotheses": {}, "seconds": {}}
    for key, engine_name, compute_type, beams in runs:
        engine = load_engine(spec["model"], EngineOptions(engine=engine_name, compute_type=compute_type,
                                                          local_files_only=True))
        start = time.perf_counter()
        hyps = Translator(engine, GenerationOptions(num_beams=beams)).translate_segments(spec["inputs"])
        out["seconds"][key] = time.perf_counter() - start
        out["hypotheses"][key] = hyps
        out.setdefault("engines", {})[key] = engine.describe()
        engine.close()
    return out


def q_hf(spec: dict) -> dict:
    return _quality(spec, [("transformers-beam4", "transformers", None, 4),
                           ("transformers-greedy", "transformers", None, 1)])


def q_ct2(spec: dict) -> dict:
    return _quality(spec, [("ct2-int8-beam4", "ctranslate2", "int8", 4),
                           ("ct2-float32-greedy", "ctranslate2", "float32", 1)])


# --------------------------------------------------------------------------------------------
# Preparation (not timed): build the random-weight models, convert them, count input tokens
# --------------------------------------------------------------------------------------------


def prepare(spec: dict) -> dict:
    """Build missing models (cached), convert them to CTranslate2 through the product, count tokens.

    Models are written to a temporary directory and renamed when complete, so an interrupted
    build is redone. Conversions go to the product's cache (``SUMMTRANS_CACHE_DIR``, which
    run.py points into ``benchmarks/.models``); a cached conversion is reused.
    """
    import shutil

    sys.path.insert(0, spec["tests_dir"])
    import factory

    from summtrans.engines import EngineOptions, load_engine
    from summtrans.engines.ct2 import thread_layout

    builders = {"opus": factory.build_opus_mt_like, "distilbart": factory.build_distilbart_like}
    out: dict = {"built": {}, "conversions": {}, "token_counts": {}}
    for key, path in spec["models"].items():
        final = Path(path)
        if not (final / "model.safetensors").is_file():
            tmp = final.with_name(".tmp-" + final.name)
            shutil.rmtree(tmp, ignore_errors=True)
            started = time.perf_counter()
            builders[key](tmp)
            shutil.rmtree(final, ignore_errors=True)
            tmp.rename(final)
            out["built"][key] = round(time.perf_counter() - started, 1)
    for key, model, compute_type in spec["conversions"]:
        started = time.perf_counter()
        engine = load_engine(model, EngineOptions(engine="ctranslate2", compute_type=compute_type, local_files_only=True))
        out["conversions"][f"{key}:{compute_type}"] = {"path": str(engine.path), "seconds": round(time.perf_counter() - started, 1)}
        if key in spec["count"]:
            out["token_counts"][key] = engine.count_tokens(spec["count"][key])
        engine.close()
    out["ct2_threads"] = list(thread_layout("cpu"))
    return out


CONTENDERS = {f.__name__: f for f in (t_naive, t_sorted, t_summtrans_hf, t_summtrans_ct2, t_ct2_raw,
                                      s_hf, s_summtrans_hf, s_summtrans_ct2, q_hf, q_ct2, prepare)}


def main() -> None:
    name, spec_path = sys.argv[1], sys.argv[2]
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    result = CONTENDERS[name](spec)
    result["modules"] = {m: m in sys.modules for m in ("torch", "transformers", "ctranslate2")}
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["peak_rss_mb"] = usage.ru_maxrss / 1024  # KiB on Linux
    result["rusage"] = {"user_s": round(usage.ru_utime, 2), "system_s": round(usage.ru_stime, 2),
                        "minor_faults": usage.ru_minflt, "major_faults": usage.ru_majflt}
    result["ended_s"] = since_launch()
    sys.stdout.write("@@RESULT " + json.dumps(result, ensure_ascii=False) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
