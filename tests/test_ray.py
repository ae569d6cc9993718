"""--executor ray (summtrans.executors): the same outputs, journal and resume as local runs.

The Ray tests share one local Ray instance (``ray.init(num_cpus=2)``, started once for the module)
and mostly run ONE worker actor holding one CPU: two CPU-holding actors on a 2-core machine can
starve everything else. The tests of groups shared between workers run two, on the echo engine
or the tiny Marian, and wait for both CPUs to come back. Each has a hard timeout
(pytest-timeout), so a hang fails instead of stalling CI.
"""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from summtrans.batch import JOURNAL_NAME, BatchOptions, run_batch
from summtrans.cli.app import app
from summtrans.errors import EngineError, ModelLoadError
from summtrans.executors import ExecutorOptions, make_executor, ray_executor
from summtrans.formats.document import Document
from summtrans.models.config import Config, load_config, parse_config
from summtrans.pipeline import Pipeline, PipelineOptions

cli = CliRunner()
RAY_TEST_TIMEOUT = 240  # seconds, set-up included (a first Ray start takes 5-15 s on a busy machine)


# --------------------------------------------------------------------------- helpers


def make_tree(root: Path, files: dict[str, bytes]) -> Path:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def make_docs(root: Path, n: int, extra: dict[str, str] | None = None) -> Path:
    files = {f"d{i:03d}.txt": f"Dokument {i}. Die Straße ist schön, sagt Jürgen.\n".encode() for i in range(n)}
    files.update({k: v.encode() for k, v in (extra or {}).items()})
    return make_tree(root, files)


def journal_lines(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (out / JOURNAL_NAME).read_text(encoding="utf-8").splitlines()]


def comparable(out: Path) -> list[str]:
    """The journal's lines without what differs from run to run (timings, the clock), sorted.

    Sorted: a Ray run reads ahead (up to workers × in_flight groups), so a skipped file's line
    can come before the lines of groups still in flight; each line is the same.
    """
    lines = [{k: v for k, v in e.items() if k not in ("timings", "finished")} for e in journal_lines(out)]
    return sorted(json.dumps(e, sort_keys=True) for e in lines)


def tree_bytes(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file() and p.name != JOURNAL_NAME
            and not p.name.startswith(".summtrans")}


def ray_executor_for(pipeline: Pipeline, **options: Any) -> ray_executor.RayExecutor:
    options.setdefault("workers", 1)
    ex = make_executor(pipeline, ExecutorOptions(kind="ray", **options))
    assert isinstance(ex, ray_executor.RayExecutor)
    return ex


class FlakyPipeline(Pipeline):
    """A pipeline with test hooks, built the same way in the Ray worker (pickled by value).

    ``BOOM`` in a document: its group raises. ``KILL <marker>``: the worker process dies, once
    (it creates the marker first). ``POISON``: the worker process dies every time.
    """

    def run(self, docs, progress=None):
        for d in docs:
            if "BOOM" in d.text:
                raise EngineError("the engine choked")
            if "POISON" in d.text:
                os._exit(1)
            m = re.search(r"KILL (\S+)", d.text)
            if m and not os.path.exists(m.group(1)):
                Path(m.group(1)).touch()
                os._exit(1)
        return super().run(docs, progress)


class PidPipeline(FlakyPipeline):
    """Notes which processes ran each document: a line with the pid in ``<where>/<source>`` per run,
    and each model load in ``<where>/loads`` (see `noting_pids`)."""

    where = ""

    def load(self):
        with open(Path(self.where, "loads"), "a", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()}\n")
        return super().load()

    def run(self, docs, progress=None):
        for d in docs:
            with open(Path(self.where, d.source), "a", encoding="utf-8") as fh:
                fh.write(f"{os.getpid()}\n")
        return super().run(docs, progress)


def noting_pids(where: Path) -> type[Pipeline]:
    """A `PidPipeline` writing into `where` (a class of its own: it travels to the workers by value)."""
    return type("PidPipeline", (PidPipeline,), {"where": str(where)})


def echo_pipeline(cls: type[Pipeline] = Pipeline, **options: Any) -> Pipeline:
    return cls(PipelineOptions(engine="echo", **options), load_config())


def memory(tmp_path: Path, name: str) -> dict[str, str]:
    """A translation memory of its own for one run: runs compared must both start empty."""
    return {"memory_path": str(tmp_path / f"memory-{name}.sqlite3")}


def marian_config(tiny_marian: Path) -> Config:
    return parse_config({"profiles": {
        "tiny": {"task": "translation", "model": str(tiny_marian), "engine": "transformers",
                 "generation": {"num_beams": 1, "max_new_tokens": 8}},
        "unused": {"task": "summarization", "model": str(tiny_marian)},
    }})


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def ray_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One local Ray for the module: 2 CPUs, quiet, its own cache; this module's classes travel by value."""
    ray = pytest.importorskip("ray")
    saved = os.environ.get("SUMMTRANS_CACHE_DIR")
    os.environ["SUMMTRANS_CACHE_DIR"] = str(tmp_path_factory.mktemp("ray-workers-cache"))  # the workers inherit it
    try:
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
    finally:
        if saved is None:
            os.environ.pop("SUMMTRANS_CACHE_DIR", None)
        else:
            os.environ["SUMMTRANS_CACHE_DIR"] = saved
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])  # FlakyPipeline in the worker
    try:
        yield ray
    finally:
        ray.shutdown()


def wait_for_free_cpus(ray: Any, n: float = 2.0, timeout: float = 30.0) -> float:
    """Actors of a finished run release their CPUs; wait until the instance has `n` free again."""
    deadline = time.monotonic() + timeout
    while (free := ray.available_resources().get("CPU", 0.0)) < n and time.monotonic() < deadline:
        time.sleep(0.2)
    return free


# --------------------------------------------------------------------------- fast: options and errors


def test_ray_missing_is_one_line_and_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ray_executor, "ray_available", lambda: False)
    inp = make_docs(tmp_path / "in", 2)
    result = cli.invoke(app, ["translate", str(inp), "-o", str(tmp_path / "out"), "--engine", "echo", "--executor", "ray"])
    assert result.exit_code == 2
    assert result.stderr == 'Error: --executor ray needs Ray: pip install "summtrans[ray]"\n'
    assert not (tmp_path / "out").exists()


def test_ray_options_need_the_ray_executor(tmp_path: Path) -> None:
    inp = make_docs(tmp_path / "in", 1)
    result = cli.invoke(app, ["translate", str(inp), "-o", str(tmp_path / "out"), "--engine", "echo", "--workers", "2"])
    assert result.exit_code == 2 and result.stderr == "Error: --workers needs --executor ray\n"
    result = cli.invoke(app, ["translate", str(inp / "d000.txt"), "--engine", "echo", "--executor", "ray"])
    assert result.exit_code == 2 and "runs folder jobs" in result.stderr


def test_gpu_workers_run_cuda_float16_and_the_journal_says_so() -> None:
    base = PipelineOptions(engine="ctranslate2")
    gpu = ExecutorOptions(kind="ray", gpus_per_worker=0.5).pipeline_options(base)
    assert (gpu.device, gpu.compute_type) == ("cuda", "float16")
    assert ExecutorOptions(kind="ray", gpus_per_worker=0.5).pipeline_options(PipelineOptions(compute_type="int8_float16")).compute_type == "int8_float16"
    cpu = ExecutorOptions(kind="ray", cpus_per_worker=2.5).pipeline_options(base)
    assert (cpu.device, cpu.compute_type, cpu.threads) == ("auto", None, 2)  # threads: the CPUs it holds
    assert ExecutorOptions(kind="ray").pipeline_options(PipelineOptions(threads=3)).threads == 3
    assert ExecutorOptions().pipeline_options(base) == base  # local: as given


def doc(text: str, name: str = "d.txt") -> Document:
    return Document(source=name, text=text, encoding="utf-8", n_bytes=len(text.encode()), sha256="0" * 64)


def test_a_group_is_cut_into_consecutive_parts_of_about_equal_text() -> None:
    split = ray_executor.split_group
    group = [doc("x" * 500, f"d{i}") for i in range(12)]  # 6,000 characters
    parts = split(group, 2, min_chars=1000)
    assert [[d.source for d in p] for p in parts] == [[f"d{i}" for i in range(6)], [f"d{i}" for i in range(6, 12)]]
    assert [len(p) for p in split(group, 4, min_chars=1000)] == [3, 3, 3, 3]
    assert [len(p) for p in split(group, 8, min_chars=1000)] == [2, 2, 2, 2, 2, 2]  # none under 1,000 characters
    assert split(group, 2, min_chars=6001) == [group]  # too short to share
    assert split(group, 1, min_chars=1) == [group]
    assert split(group[:3], 8, min_chars=1) == [[d] for d in group[:3]]  # one document at least per part

    # Uneven documents: the parts hold about equal text, in the group's order, every document once.
    sizes = [3000, 100, 100, 100, 900, 1000, 800, 2000, 50, 50]
    uneven = [doc("y" * n, f"u{i}") for i, n in enumerate(sizes)]
    parts = split(uneven, 3, min_chars=1)
    assert [d for p in parts for d in p] == uneven and all(parts)
    assert [sum(len(d.text) for d in p) for p in parts] == [3000, 2200, 2900]  # each cut nearest to a third
    one_big = [doc("z" * 9000, "big")] + [doc("z", f"s{i}") for i in range(3)]
    assert [len(p) for p in split(one_big, 2, min_chars=1)] == [1, 3]


# --------------------------------------------------------------------------- Ray runs


@pytest.mark.slow
@pytest.mark.timeout(RAY_TEST_TIMEOUT)
def test_echo_outputs_and_journal_equal_local(tmp_path: Path, ray_session: Any) -> None:
    inp = make_docs(tmp_path / "in", 9, {"sub/leer.txt": "", "sub/ä ö.md": "# Titel\n\nÄpfel und *Öl*.\n"})
    options = dict(group_docs=3, quiet=True)
    local = run_batch([inp], echo_pipeline(**memory(tmp_path, "local")), BatchOptions(output_dir=tmp_path / "local", **options))
    pipe = echo_pipeline(**memory(tmp_path, "ray"))
    ex = ray_executor_for(pipe)
    remote = run_batch([inp], pipe, BatchOptions(output_dir=tmp_path / "ray", **options), ex)
    assert (remote.exit_code, remote.counts, remote.processed) == (local.exit_code, local.counts, local.processed) == (
        0, {**local.counts, "ok": 10, "skipped-empty": 1}, 10)
    assert ex.stats["groups"] == 4 and ex.stats["worker_deaths"] == 0
    assert tree_bytes(tmp_path / "ray") == tree_bytes(tmp_path / "local")
    assert comparable(tmp_path / "ray") == comparable(tmp_path / "local")
    assert wait_for_free_cpus(ray_session) == 2.0  # close() killed the actor


@pytest.mark.slow
@pytest.mark.timeout(RAY_TEST_TIMEOUT)
def test_two_workers_share_a_group_and_the_run_equals_local(tmp_path: Path, ray_session: Any) -> None:
    """One group (a small folder) runs on both workers, in two consecutive halves; a failing document
    in one half fails the group, which is retried document by document as locally: the outputs,
    the journal (its lines of outputs being written included) and the report are a local run's."""
    sentence = "Die Straße ist schön, sagt Jürgen, und der Zug kommt heute später an. "
    texts = {f"d{i:03d}.txt": f"Dokument {i}. " + sentence * 8 + "\n" for i in range(10)}  # ~600 characters each
    texts["d007.txt"] = "Hier steht BOOM. " + sentence * 8 + "\n"
    inp = make_tree(tmp_path / "in", {k: v.encode() for k, v in texts.items()})
    options = dict(quiet=True)  # one group: 10 documents, ~6,000 characters
    local = run_batch([inp], echo_pipeline(FlakyPipeline, memory=False), BatchOptions(output_dir=tmp_path / "local", **options))
    pids = tmp_path / "pids"
    pids.mkdir()
    pipe = echo_pipeline(noting_pids(pids), memory=False)
    ex = ray_executor_for(pipe, workers=2)
    remote = run_batch([inp], pipe, BatchOptions(output_dir=tmp_path / "ray", **options), ex)
    assert (remote.exit_code, remote.counts, remote.failures) == (local.exit_code, local.counts, local.failures) == (
        1, {**local.counts, "ok": 9, "failed": 1}, [("d007.txt", "the engine choked")])
    assert tree_bytes(tmp_path / "ray") == tree_bytes(tmp_path / "local")
    assert comparable(tmp_path / "ray") == comparable(tmp_path / "local")
    assert ex.stats["groups"] == 1 + 10 and ex.stats["parts"] == 1 + 9  # the group (two parts, one failed), then one by one
    loads = (pids / "loads").read_text().split()
    runs = {p.name: p.read_text().split() for p in pids.iterdir() if p.name != "loads"}
    assert sorted(runs) == sorted(texts) and all(len(r) == 2 for r in runs.values())  # the group's run, the retry
    first, second = {runs[f"d{i:03d}.txt"][0] for i in range(5)}, {runs[f"d{i:03d}.txt"][0] for i in range(5, 10)}
    assert len(first) == len(second) == 1 and first != second  # each half on one worker, the other's
    assert sorted(loads) == sorted(first | second)  # each worker loaded the models once, for its 6 runs or so
    assert wait_for_free_cpus(ray_session) == 2.0


@pytest.mark.slow
@pytest.mark.timeout(RAY_TEST_TIMEOUT)
def test_segment_counts_of_ray_groups_reach_the_run_meter_as_locally(tmp_path: Path, ray_session: Any) -> None:
    inp = make_docs(tmp_path / "in", 6)
    options = dict(group_docs=2, quiet=True)
    local = run_batch([inp], echo_pipeline(**memory(tmp_path, "local")), BatchOptions(output_dir=tmp_path / "local", **options))
    pipe = echo_pipeline(**memory(tmp_path, "ray"))
    ex = ray_executor_for(pipe)  # as the CLI makes it: no progress of its own
    remote = run_batch([inp], pipe, BatchOptions(output_dir=tmp_path / "ray", **options), ex)
    assert remote.processed == local.processed == 6
    assert remote.segments == local.segments > 0  # the summary's "segments/s" and the progress note
    assert wait_for_free_cpus(ray_session) == 2.0


@pytest.mark.slow
@pytest.mark.timeout(RAY_TEST_TIMEOUT)
def test_tiny_marian_equal_local_and_each_resumes_the_other(tmp_path: Path, ray_session: Any, tiny_marian: Path) -> None:
    config = marian_config(tiny_marian)
    inp = make_docs(tmp_path / "in", 6)
    opts = dict(group_docs=2, quiet=True)
    pipe = Pipeline(PipelineOptions(model="tiny", **memory(tmp_path, "ray")), config)
    remote = run_batch([inp], pipe, BatchOptions(output_dir=tmp_path / "ray", **opts), ray_executor_for(pipe))
    local = run_batch([inp], Pipeline(PipelineOptions(model="tiny", **memory(tmp_path, "local")), config),
                      BatchOptions(output_dir=tmp_path / "local", **opts))
    assert remote.exit_code == local.exit_code == 0 and remote.processed == 6
    assert tree_bytes(tmp_path / "ray") == tree_bytes(tmp_path / "local")
    assert comparable(tmp_path / "ray") == comparable(tmp_path / "local")

    # A local re-run of the Ray run's OUTDIR loads no model; a Ray re-run of the local one starts no Ray.
    again = run_batch([inp], Pipeline(PipelineOptions(model="tiny"), config), BatchOptions(output_dir=tmp_path / "ray", **opts))
    assert again.resumed == 6 and again.processed == 0
    pipe = Pipeline(PipelineOptions(model="tiny"), config)
    ex = ray_executor_for(pipe)
    again = run_batch([inp], pipe, BatchOptions(output_dir=tmp_path / "local", **opts), ex)
    assert again.resumed == 6 and ex.stats["groups"] == 0 and ex.slots == []

    # A changed document: the Ray re-run does exactly that one.
    (inp / "d004.txt").write_text("Ein neuer Text.\n", encoding="utf-8")
    pipe = Pipeline(PipelineOptions(model="tiny"), config)
    again = run_batch([inp], pipe, BatchOptions(output_dir=tmp_path / "local", **opts), ray_executor_for(pipe))
    assert again.resumed == 5 and again.processed == 1
    assert [e["path"] for e in journal_lines(tmp_path / "local")[-1:]] == ["d004.txt"]


@pytest.mark.slow
@pytest.mark.timeout(RAY_TEST_TIMEOUT)
def test_tiny_marian_group_shared_by_two_workers_equals_local(tmp_path: Path, ray_session: Any, tiny_marian: Path) -> None:
    """A real model: a group cut in two (each half batched on its own) translates as the whole group does locally."""
    config = marian_config(tiny_marian)
    sentences = ["Die Straße ist schön, sagt Jürgen.", "Der Zug kommt heute später an.", "Wir haben keine Zeit.",
                 "Das Wetter in Wien war gestern sehr kalt und windig."]
    names = ["Anna", "Jürgen", "Maria", "Peter", "Lena", "Otto", "Sophie", "Karl", "Emma", "Felix", "Ida"]
    cities = ["Wien", "Graz", "Linz", "Bern"]
    said = [f"{names[n % 11]} meint in {cities[n // 44]}: {sentences[n // 11 % 4]}" for n in range(160)]  # all different
    inp = make_tree(tmp_path / "in", {f"d{i:02d}.txt": " ".join(said[20 * i:20 * i + 20]).encode() for i in range(8)})
    # one group of ~9,000 characters: each half is batched on its own, with other sentences than the whole
    local = run_batch([inp], Pipeline(PipelineOptions(model="tiny", memory=False), config),
                      BatchOptions(output_dir=tmp_path / "local", quiet=True))
    pipe = Pipeline(PipelineOptions(model="tiny", memory=False), config)
    ex = ray_executor_for(pipe, workers=2)
    remote = run_batch([inp], pipe, BatchOptions(output_dir=tmp_path / "ray", quiet=True), ex)
    assert remote.exit_code == local.exit_code == 0 and remote.processed == 8
    assert (ex.stats["groups"], ex.stats["parts"]) == (1, 2)
    assert tree_bytes(tmp_path / "ray") == tree_bytes(tmp_path / "local")
    assert comparable(tmp_path / "ray") == comparable(tmp_path / "local")
    assert wait_for_free_cpus(ray_session) == 2.0


@pytest.mark.slow
@pytest.mark.timeout(RAY_TEST_TIMEOUT)
def test_a_failing_document_is_recorded_as_locally_and_the_run_goes_on(tmp_path: Path, ray_session: Any) -> None:
    inp = make_docs(tmp_path / "in", 5, {"d002.txt": "Hier steht BOOM.\n"})
    opts = dict(group_docs=5, quiet=True)
    local = run_batch([inp], echo_pipeline(FlakyPipeline, **memory(tmp_path, "local")), BatchOptions(output_dir=tmp_path / "local", **opts))
    pipe = echo_pipeline(FlakyPipeline, **memory(tmp_path, "ray"))
    remote = run_batch([inp], pipe, BatchOptions(output_dir=tmp_path / "ray", **opts), ray_executor_for(pipe))
    assert remote.exit_code == local.exit_code == 1
    assert remote.failures == local.failures == [("d002.txt", "the engine choked")]
    assert comparable(tmp_path / "ray") == comparable(tmp_path / "local")
    assert tree_bytes(tmp_path / "ray") == tree_bytes(tmp_path / "local")


@pytest.mark.slow
@pytest.mark.timeout(RAY_TEST_TIMEOUT)
def test_a_worker_killed_mid_run_loses_no_document(tmp_path: Path, ray_session: Any) -> None:
    marker = tmp_path / "killed-once"
    inp = make_docs(tmp_path / "in", 8, {"d003.txt": f"Der Arbeiter stirbt hier: KILL {marker}\n"})
    pipe = echo_pipeline(FlakyPipeline)
    ex = ray_executor_for(pipe)
    report = run_batch([inp], pipe, BatchOptions(output_dir=tmp_path / "once", group_docs=2, quiet=True), ex)
    assert marker.exists() and ex.stats["worker_deaths"] >= 1 and ex.stats["resent"] >= 1
    assert report.exit_code == 0 and report.counts["ok"] == 8  # resent to the restarted worker: all done
    assert sorted(e["path"] for e in journal_lines(tmp_path / "once") if "path" in e) == [f"d{i:03d}.txt" for i in range(8)]

    # A document that kills its worker every time: failed after its second try, the others done.
    inp = make_docs(tmp_path / "in2", 6, {"d001.txt": "Gift: POISON\n"})
    pipe = echo_pipeline(FlakyPipeline)
    report = run_batch([inp], pipe, BatchOptions(output_dir=tmp_path / "poison", group_docs=3, quiet=True), ray_executor_for(pipe))
    assert report.exit_code == 1
    assert [path for path, _ in report.failures] == ["d001.txt"]
    assert report.failures[0][1].startswith("the Ray worker died twice while processing it")
    entries = {e["path"]: e for e in journal_lines(tmp_path / "poison") if "path" in e}
    assert {k: e["status"] for k, e in entries.items()} == {f"d{i:03d}.txt": "failed" if i == 1 else "ok" for i in range(6)}
    assert entries["d001.txt"]["stage"] == "model"


@pytest.mark.slow
@pytest.mark.timeout(RAY_TEST_TIMEOUT)
def test_a_model_that_cannot_load_stops_the_run_at_start(tmp_path: Path, ray_session: Any) -> None:
    config = parse_config({"profiles": {
        "gone": {"task": "translation", "model": str(tmp_path / "no-such-model"), "engine": "transformers"},
        "unused": {"task": "summarization", "model": str(tmp_path / "no-such-model")},
    }})
    inp = make_docs(tmp_path / "in", 2)
    pipe = Pipeline(PipelineOptions(model="gone"), config)
    with pytest.raises(ModelLoadError, match="on Ray worker"):
        run_batch([inp], pipe, BatchOptions(output_dir=tmp_path / "out", quiet=True), ray_executor_for(pipe))
    journal = tmp_path / "out" / JOURNAL_NAME
    assert not journal.exists() or not any("path" in e for e in journal_lines(tmp_path / "out"))
    assert wait_for_free_cpus(ray_session) == 2.0


@pytest.mark.slow
@pytest.mark.timeout(RAY_TEST_TIMEOUT)
def test_sigint_on_the_driver_stops_the_cluster_work_and_a_rerun_does_the_rest(
    tmp_path: Path, ray_session: Any, tiny_marian: Path
) -> None:
    sentences = " ".join(f"Der Zug Nummer {i} kommt heute später an, sagte der Sprecher der Bahn." for i in range(30))
    inp = make_tree(tmp_path / "in", {f"doc{i:02d}.txt": f"{i}: {sentences}\n".encode() for i in range(60)})  # 10 per group
    out = tmp_path / "out"
    cfg = tmp_path / "models.yaml"
    cfg.write_text(
        f"profiles:\n  tiny:\n    task: translation\n    model: {tiny_marian}\n    engine: transformers\n"
        f"    generation:\n      num_beams: 1\n      max_new_tokens: 8\n"
        f"  unused:\n    task: summarization\n    model: {tiny_marian}\n",
        encoding="utf-8",
    )
    address = ray_session.get_runtime_context().gcs_address  # join the module's Ray: no second start-up
    args = ["translate", str(inp), "-o", str(out), "--config", str(cfg), "--model", "tiny",
            "--executor", "ray", "--ray-address", address, "--workers", "1"]
    proc = subprocess.Popen([sys.executable, "-m", "summtrans", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not ((out / JOURNAL_NAME).is_file() and b'"path"' in (out / JOURNAL_NAME).read_bytes()):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "no document finished in time"
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 130, stderr.decode()
    first = [e for e in journal_lines(out) if "path" in e]  # every line valid JSON
    assert 0 < len(first) < 60 and all(e["status"] == "ok" for e in first)
    done = {e["path"] for e in first}
    assert {p.name.replace(".en.txt", ".txt") for p in out.glob("*.en.txt")} == done  # no output without its line
    assert wait_for_free_cpus(ray_session) == 2.0  # the driver killed its worker on the way out

    rerun = cli.invoke(app, [*args[:-6], "--quiet", "--executor", "ray", "--workers", "1"])  # in-process: this Ray
    assert rerun.exit_code == 0, rerun.stderr
    second = [e for e in journal_lines(out) if "path" in e][len(first):]
    assert sorted(e["path"] for e in second) == sorted({f"doc{i:02d}.txt" for i in range(60)} - done)
    assert len(list(out.glob("*.en.txt"))) == 60
