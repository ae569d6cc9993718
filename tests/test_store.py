"""Model management: pull (hub mocked), list, remove, bundle → import, hostile bundles, revision pins."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path
from types import SimpleNamespace

import pytest
import typer
from helpers import install_in_hub_cache
from typer.testing import CliRunner

from summtrans.cli.models import register
from summtrans.errors import ConfigError, ModelLoadError, UsageError
from summtrans.models import store
from summtrans.models.bundles import MANIFEST, bundle, import_bundle
from summtrans.models.config import parse_config
from summtrans.models.hub import cached_snapshot, hub_cache_dir, resolve_model

COMMIT = "c0ffee" + "0" * 34
COMMIT2 = "beef" + "1" * 36
REPO = "org/tiny"


def _config(**extra) -> object:
    body = {"task": "translation", "model": REPO, **extra}
    return parse_config({"profiles": {"tiny": body}}, "test.yaml")


def _fake_model(path: Path, weights: bytes = b"\x00weights" * 100) -> Path:
    """A model folder that is only files (no conversion possible): enough for the cache plumbing."""
    path.mkdir(parents=True)
    (path / "config.json").write_text(json.dumps({"model_type": "fake"}))
    (path / "model.safetensors").write_bytes(weights)
    (path / "sub").mkdir()
    (path / "sub" / "vocab.txt").write_text("a\nb\n")
    return path


def _hf_home() -> Path:
    return Path(os.environ["HF_HOME"])


@pytest.fixture
def cached_fake(tmp_path: Path) -> Path:
    """A fake model installed in the test's (empty) HF_HOME as org/tiny@COMMIT."""
    return install_in_hub_cache(_fake_model(tmp_path / "src"), _hf_home(), REPO, COMMIT)


@pytest.fixture
def fresh_caches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point HF_HOME and SUMMTRANS_CACHE_DIR at empty folders (the machine the bundle goes to)."""
    target = tmp_path / "target"
    monkeypatch.setenv("HF_HOME", str(target / "hf"))
    monkeypatch.setenv("SUMMTRANS_CACHE_DIR", str(target / "summtrans"))
    return target


# --------------------------------------------------------------------------------------------
# revision
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["", "two words", "../up", "a..b", 7, True, "-x"])
def test_revision_rejected(value):
    with pytest.raises(ConfigError, match=r"test\.yaml: profiles\.tiny\.revision: expected a hub commit hash"):
        _config(revision=value)


@pytest.mark.parametrize("value", ["v1.0", COMMIT, "refs/pr/1", "main"])
def test_revision_accepted(value):
    assert _config(revision=value).profiles["tiny"].revision == value


def test_revision_selects_snapshot(tmp_path, cached_fake):
    other = install_in_hub_cache(_fake_model(tmp_path / "v2", b"other"), tmp_path / "x", REPO, COMMIT2)
    repo = store.repo_folder(REPO)
    (repo / "snapshots" / COMMIT2).symlink_to(other, target_is_directory=True)
    (repo / "refs" / "v2").write_text(COMMIT2)
    assert cached_snapshot(REPO) == cached_fake
    assert cached_snapshot(REPO, "v2").name == COMMIT2
    assert resolve_model(REPO, revision="v2", local_files_only=True).name == COMMIT2
    (status,) = store.list_models(_config(revision="v2"))
    assert (status.revision, status.commit, status.downloaded) == ("v2", COMMIT2, True)
    (status,) = store.list_models(_config(revision="v3"))
    assert (status.commit, status.downloaded) == (None, False)


# --------------------------------------------------------------------------------------------
# pull
# --------------------------------------------------------------------------------------------


def _git_blob(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@pytest.fixture
def fake_hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """huggingface_hub's model_info/snapshot_download replaced: a 'remote' repo served from a folder."""
    import huggingface_hub
    from huggingface_hub.hf_api import BlobLfsInfo, RepoSibling

    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    remote = _fake_model(tmp_path / "remote")
    (remote / "tf_model.h5").write_bytes(b"not wanted")
    calls: dict[str, list] = {"model_info": [], "snapshot_download": []}
    lfs = {"model.safetensors"}

    def siblings():
        out = []
        for p in sorted(remote.rglob("*")):
            if p.is_file():
                data, rel = p.read_bytes(), p.relative_to(remote).as_posix()
                sha = hashlib.sha256(data).hexdigest()
                out.append(RepoSibling(rel, len(data), _git_blob(data), BlobLfsInfo(len(data), sha, 100) if rel in lfs else None))
        return out

    def model_info(self, repo_id, *, revision=None, files_metadata=False, timeout=None, **kw):
        calls["model_info"].append((repo_id, revision, files_metadata))
        return SimpleNamespace(sha=COMMIT, siblings=siblings())

    def snapshot_download(repo_id, *, revision=None, cache_dir=None, allow_patterns=None, **kw):
        calls["snapshot_download"].append((repo_id, revision, Path(cache_dir)))
        snap = Path(cache_dir) / ("models--" + repo_id.replace("/", "--")) / "snapshots" / revision
        for p in remote.rglob("*"):
            rel = p.relative_to(remote).as_posix()
            if p.is_file() and any(__import__("fnmatch").fnmatch(rel, pat) for pat in allow_patterns):
                (snap / rel).parent.mkdir(parents=True, exist_ok=True)
                (snap / rel).write_bytes(p.read_bytes())
        (snap.parents[1] / "refs").mkdir(exist_ok=True)
        (snap.parents[1] / "refs" / "main").write_text(revision)
        return str(snap)

    monkeypatch.setattr(huggingface_hub.HfApi, "model_info", model_info)
    monkeypatch.setattr(huggingface_hub, "snapshot_download", snapshot_download)
    return SimpleNamespace(remote=remote, calls=calls)


def test_pull_downloads_and_verifies(fake_hub):
    (r,) = store.pull([], _config(revision="v1.0"), convert=False, progress=False)
    assert fake_hub.calls["model_info"] == [(REPO, "v1.0", True)]
    assert fake_hub.calls["snapshot_download"] == [(REPO, COMMIT, hub_cache_dir())]
    assert (r.commit, r.files) == (COMMIT, 3)  # tf_model.h5 is not among the allowed patterns
    assert r.size_bytes == sum(p.stat().st_size for p in fake_hub.remote.rglob("*") if p.is_file() and p.suffix != ".h5")
    assert not (r.path / "tf_model.h5").exists()


@pytest.mark.parametrize("victim", ["model.safetensors", "config.json"])  # LFS sha256, git blob id
def test_pull_refuses_tampered_download(fake_hub, monkeypatch, victim):
    import huggingface_hub

    real = huggingface_hub.snapshot_download

    def corrupting(*args, **kwargs):
        snap = Path(real(*args, **kwargs))
        (snap / victim).write_bytes(b"tampered")
        return str(snap)

    monkeypatch.setattr(huggingface_hub, "snapshot_download", corrupting)
    with pytest.raises(ModelLoadError, match=f"{victim} does not match the hub's checksum") as exc:
        store.pull([], _config(), convert=False, progress=False)
    assert "\n" not in str(exc.value)


def test_pull_unreachable_hub(fake_hub, monkeypatch):
    import huggingface_hub

    def down(self, *a, **k):
        raise ConnectionError("Name or service not known\nmore lines")

    monkeypatch.setattr(huggingface_hub.HfApi, "model_info", down)
    with pytest.raises(ModelLoadError, match=r"the hub could not be reached \(Name or service not known\)") as exc:
        store.pull([], _config(), convert=False)
    assert "\n" not in str(exc.value)


def test_pull_offline_for_real():
    """HF_HUB_OFFLINE=1 (set for every test): no network attempt, the one-line error, exit 2."""
    with pytest.raises(ModelLoadError, match="offline mode is on") as exc:
        store.pull([], _config(), convert=False)
    assert exc.value.exit_code == 2 and "\n" not in str(exc.value)
    r = CliRunner().invoke(_app(), ["models", "pull", "org/absent", "--no-convert"])
    assert r.exit_code == 2
    assert r.stderr.startswith("Error: model 'org/absent' is not in the local cache") and r.stderr.count("\n") == 1


def test_pull_offline_keeps_cached_copy(cached_fake):
    (r,) = store.pull(["tiny"], _config(), convert=True)
    assert r.path == cached_fake and r.files == 0 and r.conversion is None
    assert "offline" in r.note and "transformers engine" in r.note  # model type 'fake'


def test_unknown_reference():
    with pytest.raises(ConfigError, match="unknown model 'nope'"):
        store.pull(["nope"], _config())


# --------------------------------------------------------------------------------------------
# list and remove (CLI wiring included)
# --------------------------------------------------------------------------------------------


def _app() -> typer.Typer:
    """The app as cli.py registers these commands."""
    app = typer.Typer(rich_markup_mode=None)
    register(app)
    return app


def test_list_json(cached_fake, tmp_path):
    cfg = tmp_path / "m.yaml"
    cfg.write_text(f"profiles:\n  tiny: {{task: translation, model: {REPO}}}\n  other: {{task: translation, model: org/absent}}\n")
    r = CliRunner().invoke(_app(), ["models", "list", "--config", str(cfg), "--format", "json"])
    assert r.exit_code == 0, r.output
    rows = {m["profile"]: m for m in json.loads(r.stdout)["models"]}
    assert rows["tiny"]["downloaded"] and rows["tiny"]["commit"] == COMMIT and rows["tiny"]["default"]
    assert rows["tiny"]["size_bytes"] == sum(p.stat().st_size for p in cached_fake.rglob("*") if p.is_file())
    assert not rows["other"]["downloaded"] and rows["other"]["converted"] == []


def test_rm_asks_then_removes(cached_fake, tmp_path):
    conv = store.ct2_cache_dir() / "org--tiny-000000000000-int8"
    conv.mkdir(parents=True)
    (conv / "summtrans.json").write_text(json.dumps({"model_id": REPO}))
    r = CliRunner().invoke(_app(), ["models", "rm", REPO], input="n\n")
    assert r.exit_code == 1 and cached_fake.exists()
    r = CliRunner().invoke(_app(), ["models", "rm", REPO, "--yes"])
    assert r.exit_code == 0, r.output
    assert not store.repo_folder(REPO).exists() and not conv.exists()
    r = CliRunner().invoke(_app(), ["models", "rm", REPO, "--yes"])
    assert r.exit_code == 2 and "nothing on disk" in r.stderr


def test_info_json_and_completion():
    r = CliRunner().invoke(_app(), ["info", "--format", "json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["packages"]["summtrans"] and data["cpu_cores"] >= 1
    assert data["hub_cache"] == str(hub_cache_dir()) and data["config"].endswith("models.yaml")
    r = CliRunner().invoke(_app(), ["completion", "bash"])
    assert r.exit_code == 0 and "_SUMMTRANS_COMPLETE" in r.stdout


@pytest.mark.parametrize("argv", [["models", "list"], ["models", "--help"], ["models", "pull", "--help"]])
def test_light_model_commands_import_no_torch(argv):
    code = (
        "import sys, typer\nfrom summtrans.cli.models import models_app\n"
        "app = typer.Typer()\napp.add_typer(models_app, name='models')\n"
        f"try:\n    app({argv!r})\nexcept SystemExit as e:\n    assert e.code in (0, None), e.code\n"
        "heavy = [m for m in ('torch', 'transformers', 'ctranslate2', 'numpy') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


# --------------------------------------------------------------------------------------------
# bundle → import
# --------------------------------------------------------------------------------------------


def test_bundle_import_round_trip(cached_fake, tmp_path, monkeypatch):
    out = tmp_path / "b.tar"
    result = bundle(out, [], _config())
    assert [(m.model, m.commit, m.files) for m in result.models] == [(REPO, COMMIT, 3)]
    with tarfile.open(out) as tar:
        manifest = json.loads(tar.extractfile(MANIFEST).read())
        assert all(m.isreg() for m in tar.getmembers())
    assert manifest["models"][0]["files"]["sub/vocab.txt"] == hashlib.sha256(b"a\nb\n").hexdigest()
    monkeypatch.setenv("HF_HOME", str(tmp_path / "empty-hf"))
    imported = import_bundle(out)
    assert imported.files == 3
    repo = store.repo_folder(REPO)
    assert (repo / "refs" / "main").read_text() == COMMIT
    link = repo / "snapshots" / COMMIT / "sub" / "vocab.txt"
    assert link.is_symlink() and link.read_text() == "a\nb\n"
    assert link.resolve().parent == (repo / "blobs").resolve()
    from huggingface_hub import try_to_load_from_cache

    assert try_to_load_from_cache(REPO, "sub/vocab.txt", cache_dir=hub_cache_dir()) == str(link)
    assert not list(hub_cache_dir().glob(".summtrans-import-*"))
    assert import_bundle(out).files == 3  # again: idempotent
    # huggingface_hub on its own (reading HF_HOME at import, as from_pretrained does) finds it too.
    code = f"from huggingface_hub import try_to_load_from_cache as t; print(t({REPO!r}, 'config.json'))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ})
    assert proc.stdout.strip() == str(repo / "snapshots" / COMMIT / "config.json"), proc.stderr


def test_bundle_and_import_commands_list_the_same_models(cached_fake, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    import summtrans.models.config
    from summtrans.cli.app import app

    monkeypatch.setattr(summtrans.models.config, "load_config", lambda path=None: _config())
    out = tmp_path / "b.tar"
    packed = CliRunner().invoke(app, ["models", "bundle", str(out)])
    assert packed.exit_code == 0, packed.output
    monkeypatch.setenv("HF_HOME", str(tmp_path / "empty-hf"))
    imported = CliRunner().invoke(app, ["models", "import", str(out)])
    assert imported.exit_code == 0, imported.output
    line = f"{REPO}@{COMMIT[:12]}: 3 files"
    assert packed.stdout.splitlines()[0] == imported.stdout.splitlines()[0] == line


def test_import_respects_hf_hub_cache(cached_fake, tmp_path, monkeypatch):
    out = bundle(tmp_path / "b.tar", [], _config()).path
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub-cache"))
    assert import_bundle(out).hub_cache == tmp_path / "hub-cache"
    assert cached_snapshot(REPO) == tmp_path / "hub-cache" / "models--org--tiny" / "snapshots" / COMMIT


def test_bundle_refuses_missing_model():
    with pytest.raises(UsageError, match=r"not downloaded: run `summtrans models pull tiny` first"):
        bundle("x.tar", [], _config())


def _tar(path: Path, members: list[tuple[tarfile.TarInfo, bytes | None]]) -> Path:
    with tarfile.open(path, "w") as tar:
        for info, data in members:
            if data is not None:
                info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def _file(name: str, data: bytes) -> tuple[tarfile.TarInfo, bytes]:
    return tarfile.TarInfo(name), data


def _manifest(files: dict[str, bytes]) -> bytes:
    hashes = {k: hashlib.sha256(v).hexdigest() for k, v in files.items()}
    return json.dumps({"format": 1, "models": [{"model": REPO, "revision": None, "commit": COMMIT, "files": hashes}]}).encode()


_PREFIX = f"hub/models--org--tiny/snapshots/{COMMIT}/"


def _link(name: str, target: str, kind: bytes = tarfile.SYMTYPE) -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info, None


def _device(name: str) -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type, info.devmajor, info.devminor = tarfile.CHRTYPE, 1, 3
    return info, None


_GOOD = {"config.json": b"{}"}


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ([_file("/tmp/summtrans-evil", b"x")], "/tmp/summtrans-evil: absolute path in the archive"),
        ([_file("../outside/evil", b"x")], r"\.\./outside/evil: path leaves the archive \('\.\.'\)"),
        ([_file(_PREFIX + "../../../../../outside/evil", b"x")], r"path leaves the archive"),
        ([_link(_PREFIX + "config.json", "../../../../../../outside/evil")], "link pointing outside the archive"),
        ([_link(_PREFIX + "config.json", "/etc/passwd")], "link pointing outside the archive"),
        ([_link(_PREFIX + "config.json", "/etc/passwd", tarfile.LNKTYPE)], "link pointing outside the archive"),
        ([_link(_PREFIX + "x", "config.json")], "links are not allowed in a bundle"),
        ([_device(_PREFIX + "null")], "device or special file in the archive"),
        ([_file(_PREFIX + "config.json", b"{}"), _file(_PREFIX + "extra.bin", b"x")], "a file the manifest does not list"),
        ([_file(_PREFIX + "config.json", b"{tampered}")], r"config\.json: checksum mismatch"),
        ([], r"config\.json: listed in the manifest but missing from the archive"),
    ],
)
def test_hostile_bundles_refused(tmp_path, monkeypatch, fresh_caches, members, message):
    archive = _tar(tmp_path / "evil.tar", [_file(MANIFEST, _manifest(_GOOD)), *members])
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)  # relative escapes would land beside it
    with pytest.raises(UsageError, match=message) as exc:
        import_bundle(archive)
    assert str(exc.value).startswith(f"{archive}: ") and "\n" not in str(exc.value)
    assert not (tmp_path / "outside").exists() and not Path("/tmp/summtrans-evil").exists()
    written = [p for p in fresh_caches.rglob("*") if p.is_file() or p.is_symlink()]
    assert written == [] and not list(cwd.iterdir())


@pytest.mark.parametrize("bad", ["../x", "/abs", "a/../../b"])
def test_manifest_paths_refused(tmp_path, fresh_caches, bad):
    archive = _tar(tmp_path / "evil.tar", [_file(MANIFEST, _manifest({bad: b"x"}))])
    with pytest.raises(UsageError, match=f"{MANIFEST}: .*bad file name"):
        import_bundle(archive)


def test_not_a_bundle(tmp_path):
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"definitely not a tar archive" * 40)
    with pytest.raises(UsageError, match="junk.tar: not a tar archive"):
        import_bundle(junk)
    with pytest.raises(UsageError, match=r"no manifest\.json"):
        import_bundle(_tar(tmp_path / "empty.tar", [_file("hello.txt", b"x")]))


# --------------------------------------------------------------------------------------------
# The real thing: a tiny Marian, converted, bundled, imported, run offline without converting
# --------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_round_trip_translates_offline_without_converting(tiny_marian, tmp_path, monkeypatch):
    install_in_hub_cache(tiny_marian, _hf_home(), REPO, COMMIT)
    cfg = _config()
    (pulled,) = store.pull([], cfg)  # offline: converts the cached copy
    assert pulled.conversion is not None and pulled.compute_type == "int8"
    (status,) = store.list_models(cfg)
    assert status.converted == ("int8",) and status.size_bytes > 0
    out = bundle(tmp_path / "tiny.tar", ["tiny"], cfg)
    assert out.models[0].compute_types == ("int8",)

    monkeypatch.setenv("HF_HOME", str(tmp_path / "air-gapped" / "hf"))
    monkeypatch.setenv("SUMMTRANS_CACHE_DIR", str(tmp_path / "air-gapped" / "summtrans"))
    assert store.list_models(cfg)[0].downloaded is False
    import_bundle(out.path)
    assert store.list_models(cfg)[0].converted == ("int8",)

    from summtrans.engines import EngineOptions, GenerationOptions, load_engine
    from summtrans.engines.ct2 import convert

    def no_conversion(*args, **kwargs):
        raise AssertionError("converted again after import")

    monkeypatch.setattr(convert, "convert", no_conversion)
    engine = load_engine(REPO, EngineOptions(local_files_only=True))
    assert engine.name == "ctranslate2" and str(engine.path).startswith(str(tmp_path / "air-gapped"))
    assert len(engine.generate(["Hallo Welt."], GenerationOptions(max_new_tokens=4))) == 1
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(REPO, cache_dir=str(hub_cache_dir()), local_files_only=True)
    assert tok("Hallo Welt.")["input_ids"]

    from summtrans.cli.app import app

    yaml = tmp_path / "m.yaml"
    yaml.write_text(f"profiles:\n  tiny: {{task: translation, model: {REPO}, generation: {{max_new_tokens: 4}}}}\n")
    doc = tmp_path / "brief.txt"
    doc.write_text("Hallo Welt.", encoding="utf-8")
    r = CliRunner().invoke(app, ["translate", str(doc), "--offline", "--config", str(yaml), "-q"])
    assert r.exit_code == 0 and r.stdout.strip(), r.output


def _echo_run_journal(tmp_path: Path, extra: str, key: str) -> list[dict]:
    """Translate one document with the echo engine and profile tiny (REPO plus `extra` fields);
    the journal's entries that carry `key`."""
    from summtrans.cli.app import app

    fields = ", ".join(x for x in (f"model: {REPO}", extra) if x)
    cfg = tmp_path / "m.yaml"
    cfg.write_text(f"profiles:\n  tiny: {{task: translation, {fields}}}\n")
    docs = tmp_path / "in"
    docs.mkdir()
    (docs / "a.txt").write_text("Hallo Welt.", encoding="utf-8")
    r = CliRunner().invoke(app, ["translate", str(docs), "-o", str(tmp_path / "out"), "--engine", "echo", "--config", str(cfg), "-q"])
    assert r.exit_code == 0, r.output
    (journal,) = (tmp_path / "out").glob("*journal*")
    return [json.loads(x) for x in journal.read_text().splitlines() if f'"{key}"' in x]


def test_revision_carried_into_settings_and_journal(tmp_path):
    from summtrans.pipeline import Pipeline, PipelineOptions

    assert "revision" not in Pipeline(PipelineOptions(engine="echo"), _config()).settings()["translation"]
    assert Pipeline(PipelineOptions(engine="echo"), _config(revision="v1.0")).settings()["translation"]["revision"] == "v1.0"
    lines = _echo_run_journal(tmp_path, "revision: v1.0", "settings")
    assert lines and all(x["settings"]["pipeline"]["translation"]["revision"] == "v1.0" for x in lines)


def test_resolved_commit_in_records_and_journal_not_in_settings(tmp_path, cached_fake):
    from summtrans.pipeline import Pipeline, PipelineOptions

    pinned = Pipeline(PipelineOptions(engine="echo"), _config())
    assert pinned.models() == {"translation": f"{REPO}@{COMMIT}", "summary": None}
    assert COMMIT not in json.dumps(pinned.settings())  # a new upstream commit does not redo a folder
    local = Pipeline(PipelineOptions(engine="echo"), parse_config({"profiles": {"d": {"task": "translation", "model": str(cached_fake)}}}, "t.yaml"))
    assert local.models()["translation"] == str(cached_fake)  # a directory has no commit
    absent = Pipeline(PipelineOptions(engine="echo"), _config(revision="v9"))
    assert absent.models()["translation"] == REPO  # not on disk at that revision: nothing resolved yet
    lines = _echo_run_journal(tmp_path, "", "models")
    assert lines and all(x["models"]["translation"] == f"{REPO}@{COMMIT}" for x in lines)
