"""summtrans serve's HTTP API through Starlette's TestClient: LibreTranslate's shapes, status codes
and error strings, uploads and their limits, CORS, API keys, document jobs.

The engines are the echo engine or small doubles, so what reaches the engine (and how the answer
is put together from it) can be checked exactly.
"""

from __future__ import annotations

import io
import json
import threading
import time
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx")

from starlette.testclient import TestClient  # noqa: E402
from test_formats_cli import encrypted_pdf  # noqa: E402
from test_formats_office import make_docx, rezip, xxe  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from summtrans.cli.app import app as cli_app  # noqa: E402
from summtrans.engines.base import EchoEngine  # noqa: E402
from summtrans.pipeline import Pipeline, PipelineOptions  # noqa: E402
from summtrans.serve import ServeOptions, create_app  # noqa: E402
from summtrans.serve.service import Service  # noqa: E402
from summtrans.translate import Translator  # noqa: E402

pytestmark = pytest.mark.timeout(60)

GERMAN = "Der Mann liest heute ein spannendes Buch im Garten."
ENGLISH = "The man is reading an exciting book in the garden today, as he does every morning."


class NBestEcho(EchoEngine):
    """Echo with an n-best list: the text, then upper and lower case (the echo engine's
    translator has no guards, so what the engine returns is what the API answers)."""

    def generate_nbest(self, texts, options, n):
        self.calls.append(list(texts))
        return [[t, t.upper(), t.lower(), t][:n] for t in texts]


class Failing(EchoEngine):
    def generate(self, texts, options, progress=None):
        if any("KAPUTT" in t for t in texts):
            raise RuntimeError("the engine broke")
        return super().generate(texts, options, progress)


def make_service(tmp_path: Path, engine: EchoEngine | None = None, **serve) -> tuple[Service, ServeOptions, EchoEngine]:
    options = ServeOptions(state_dir=tmp_path / "state", **serve)
    pipeline = Pipeline(PipelineOptions(engine="echo", memory=False))
    engine = engine or EchoEngine()
    pipeline.__dict__["translator"] = Translator(engine, faithful=pipeline.faithful_options(pipeline.translation_profile))
    return Service(serve=options, pipeline=pipeline), options, engine


@pytest.fixture
def served(tmp_path: Path):
    """(client, engine) factory: `served(engine=…, **ServeOptions)`; every client closed after the test."""
    clients = []

    def make(engine: EchoEngine | None = None, **serve):
        service, options, engine = make_service(tmp_path, engine, **serve)
        client = TestClient(create_app(service, options))
        client.__enter__()
        clients.append(client)
        return client, engine

    yield make
    for c in clients:
        c.__exit__(None, None, None)


@pytest.fixture
def client(served):
    return served()[0]


def err(response) -> tuple[int, str]:
    assert response.headers["content-type"].startswith("application/json")
    return response.status_code, response.json()["error"]


# -- /translate --------------------------------------------------------------------------------


def test_translate_form_and_json_go_through_the_engine(served) -> None:
    client, engine = served()
    r = client.post("/translate", data={"q": GERMAN, "source": "de", "target": "en"})
    assert r.status_code == 200 and r.json() == {"translatedText": GERMAN}
    assert [GERMAN] in engine.calls
    r = client.post("/translate", json={"q": GERMAN, "source": "DE", "target": "EN", "format": "text"})
    assert r.json() == {"translatedText": GERMAN}


def test_list_in_list_out_in_order_with_empty_elements(served) -> None:
    client, engine = served()
    q = ["Erster Satz hier.", "", "Zweiter Satz dort.", "Dritter Satz."]
    r = client.post("/translate", json={"q": q, "source": "de", "target": "en"})
    assert r.json() == {"translatedText": q}
    assert "" not in [t for call in engine.calls for t in call]  # the empty one never reaches the engine


def test_line_breaks_are_translated_line_by_line(served) -> None:
    client, engine = served()
    r = client.post("/translate", data={"q": "Erste Zeile\r\nZweite Zeile\n\nDritte", "source": "de", "target": "en"})
    assert r.json()["translatedText"] == "Erste Zeile\nZweite Zeile\n\nDritte"
    sent = [t for call in engine.calls for t in call]
    assert {"Erste Zeile", "Zweite Zeile", "Dritte"} <= set(sent) and not any("\n" in t for t in sent)


def test_auto_detects_and_english_comes_back_untouched(served) -> None:
    client, engine = served()
    r = client.post("/translate", json={"q": [GERMAN, ENGLISH], "source": "auto", "target": "en"})
    body = r.json()
    assert body["translatedText"] == [GERMAN, ENGLISH]
    assert [d["language"] for d in body["detectedLanguage"]] == ["de", "en"]
    assert all(50 < d["confidence"] <= 100 for d in body["detectedLanguage"])
    assert ENGLISH not in [t for call in engine.calls for t in call]
    r = client.post("/translate", data={"q": ENGLISH, "source": "en", "target": "en"})
    assert r.json() == {"translatedText": ENGLISH} and "detectedLanguage" not in r.json()


def test_html_keeps_markup_and_sends_the_sentence_whole(served) -> None:
    client, engine = served()
    q = '<p>Der Mann <b>liest</b> ein <a href="x.html">Buch</a>.</p>'
    r = client.post("/translate", data={"q": q, "source": "de", "target": "en", "format": "html"})
    assert r.json()["translatedText"] == q
    assert "Der Mann liest ein Buch." in [t for call in engine.calls for t in call]


def test_alternatives_come_from_the_nbest_list_never_repeating_the_main_one(served) -> None:
    client, _ = served(engine=NBestEcho())
    text = "Der Hund schläft"
    r = client.post("/translate", data={"q": text, "source": "de", "target": "en", "alternatives": "3"})
    assert r.json() == {"translatedText": text, "alternatives": [text.upper(), text.lower()]}
    r = client.post("/translate", json={"q": [text, "Die Katze"], "source": "de", "target": "en", "alternatives": 1})
    assert r.json()["alternatives"] == [[text.upper()], ["DIE KATZE"]]
    r = client.post("/translate", data={"q": text, "source": "de", "target": "en", "alternatives": "0"})
    assert "alternatives" not in r.json()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Invalid request: missing q parameter"),
        ({"q": "", "source": "de", "target": "en"}, "Invalid request: missing q parameter"),
        ({"q": "Hallo"}, "Invalid request: missing source parameter"),
        ({"q": "Hallo", "target": "en"}, "Invalid request: missing source parameter"),
        ({"q": "Hallo", "source": "de"}, "Invalid request: missing target parameter"),
        ({"q": "Hallo", "source": "zz", "target": "en"}, "zz is not supported"),
        ({"q": "Hallo", "source": "de", "target": "zz"}, "zz is not supported"),
        ({"q": "Hallo", "source": "de", "target": "en", "format": "xml"}, "xml format is not supported"),
        ({"q": "Hallo", "source": "de", "target": "en", "alternatives": "abc"},
         "Invalid request: alternatives parameter is not a number"),
        ({"q": "Hallo", "source": "de", "target": "en", "alternatives": "4"},
         "Invalid request: alternatives parameter must be <= 3"),
        ({"q": "Hallo", "source": "en", "target": "de"}, "German (de) is not available as a target language from English (en)"),
    ],
)
def test_translate_errors_are_libretranslates(client, data, message) -> None:
    assert err(client.post("/translate", data=data)) == (400, message)
    assert err(client.post("/translate", json=data)) == (400, message)


def test_json_that_is_not_an_object_or_not_json(client) -> None:
    for body in (b"[1, 2]", b'"q"', b"null"):
        r = client.post("/translate", content=body, headers={"content-type": "application/json"})
        assert err(r) == (400, "Invalid JSON format")
    r = client.post("/translate", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]


def test_char_limit(served) -> None:
    client, _ = served(char_limit=300)
    ok = client.post("/translate", data={"q": "a" * 300, "source": "de", "target": "en"})
    assert ok.status_code == 200
    r = client.post("/translate", json={"q": ["kurz", "a" * 301], "source": "de", "target": "en"})
    assert err(r) == (400, "Invalid request: request (301) exceeds text limit (300)")


@pytest.mark.parametrize(("method", "path"), [("GET", "/translate"), ("POST", "/languages"), ("GET", "/detect"),
                                              ("POST", "/health"), ("POST", "/spec"), ("GET", "/translate_file")])
def test_wrong_method_is_405(client, method, path) -> None:
    r = client.request(method, path)
    assert r.status_code == 405 and "error" in r.json()


def test_a_failing_request_does_not_stop_the_server(served) -> None:
    client, _ = served(engine=Failing())
    r = client.post("/translate", data={"q": "KAPUTT ist das", "source": "de", "target": "en"})
    assert r.status_code == 500 and "the engine broke" in r.json()["error"]
    r = client.post("/translate", data={"q": "Alles gut", "source": "de", "target": "en"})
    assert r.json() == {"translatedText": "Alles gut"}


# -- the other LibreTranslate endpoints ---------------------------------------------------------


def test_detect_languages_settings_suggest_health(client) -> None:
    r = client.post("/detect", data={"q": GERMAN})
    assert r.status_code == 200 and r.json()[0]["language"] == "de" and 90 <= r.json()[0]["confidence"] <= 100
    assert client.post("/detect", json={"q": ENGLISH}).json()[0]["language"] == "en"
    assert err(client.post("/detect")) == (400, "Invalid request: missing q parameter")
    langs = client.get("/languages").json()
    assert {(lang["code"], lang["name"]) for lang in langs} == {("de", "German"), ("en", "English")}
    assert next(lang for lang in langs if lang["code"] == "de")["targets"] == ["en"]
    settings = client.get("/frontend/settings").json()
    assert {"apiKeys", "charLimit", "filesTranslation", "frontendTimeout", "keyRequired", "language", "suggestions",
            "supportedFilesFormat"} <= set(settings)
    assert settings["charLimit"] == -1 and settings["apiKeys"] is False and settings["keyRequired"] is False
    assert {".docx", ".pdf", ".txt", ".md", ".srt", ".html"} <= set(settings["supportedFilesFormat"])
    assert err(client.post("/suggest", data={"q": "a", "s": "b", "source": "de", "target": "en"})) == (
        403, "Suggestions are disabled on this server.")
    assert client.get("/health").json() == {"status": "ok"}
    assert client.get("/spec").json()["paths"]["/translate"]["post"]
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/v1/documents" in docs.text and "<script" not in docs.text


# -- API keys and CORS ------------------------------------------------------------------------


def test_api_keys(served) -> None:
    client, _ = served(api_keys=frozenset({"k1", "k2"}))
    data = {"q": "Hallo", "source": "de", "target": "en"}
    assert err(client.post("/translate", data=data)) == (403, "Invalid API key")
    assert err(client.post("/translate", data={**data, "api_key": "nope"})) == (403, "Invalid API key")
    assert err(client.post("/detect", data={"q": "Hallo"})) == (403, "Invalid API key")
    assert client.post("/translate", data={**data, "api_key": "k1"}).status_code == 200
    assert client.post("/translate", json={**data, "api_key": "k2"}).status_code == 200
    assert client.post("/translate", data=data, headers={"Authorization": "Bearer k2"}).status_code == 200
    settings = client.get("/frontend/settings").json()
    assert settings["apiKeys"] is True and settings["keyRequired"] is True


def test_without_keys_a_key_sent_is_ignored(client) -> None:
    r = client.post("/translate", data={"q": "Hallo", "source": "de", "target": "en", "api_key": "whatever"})
    assert r.status_code == 200


def test_cors_is_off_by_default(client) -> None:
    r = client.post("/translate", data={"q": "Hallo", "source": "de", "target": "en"}, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers
    pre = client.options("/translate", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in pre.headers


def test_cors_any_origin_on_answers_errors_and_preflight(served) -> None:
    client, _ = served(cors_origins=("*",))
    origin = {"Origin": "https://site.example"}
    for r in (client.post("/translate", data={"q": "Hallo", "source": "de", "target": "en"}, headers=origin),
              client.post("/translate", data={}, headers=origin), client.get("/languages")):
        assert r.headers["access-control-allow-origin"] == "*"
        assert r.headers["access-control-allow-headers"] == "Authorization, Content-Type"
        assert r.headers["access-control-allow-methods"] == "GET, POST"
    pre = client.options("/translate", headers={**origin, "Access-Control-Request-Method": "POST"})
    assert pre.status_code == 204 and pre.headers["access-control-allow-origin"] == "*"


def test_cors_listed_origin_only(served) -> None:
    client, _ = served(cors_origins=("https://intranet.example",))
    ok = client.get("/languages", headers={"Origin": "https://intranet.example"})
    assert ok.headers["access-control-allow-origin"] == "https://intranet.example"
    other = client.get("/languages", headers={"Origin": "https://other.example"})
    assert "access-control-allow-origin" not in other.headers


# -- files ------------------------------------------------------------------------------------


def test_translate_file_docx_round_trip(client) -> None:
    r = client.post("/translate_file", data={"source": "de", "target": "en"},
                    files={"file": ("Bericht über Wohnungen.docx", make_docx())})
    assert r.status_code == 200, r.text
    url = r.json()["translatedFileUrl"]
    assert url.startswith("http://testserver/download_file/") and url.endswith(".Bericht über Wohnungen_en.docx")
    token = url.rsplit("/", 1)[1].split(".", 1)[0]
    assert len(token) >= 22
    d = client.get(url)
    assert d.status_code == 200 and "attachment" in d.headers["content-disposition"]
    assert "Bericht%20%C3%BCber%20Wohnungen_en.docx" in d.headers["content-disposition"]
    import docx

    text = " ".join(p.text for p in docx.Document(io.BytesIO(d.content)).paragraphs)
    assert "Ich habe jedoch nur eine Wohnung gefunden" in text  # echo: the German comes back, rebuilt


def test_translate_file_errors(client, tmp_path: Path) -> None:
    form = {"source": "de", "target": "en"}
    assert err(client.post("/translate_file", data=form, files={"file": ("x.exe", b"MZ")})) == (
        400, "Invalid request: file format not supported")
    r = client.post("/translate_file", data=form, files={"other": ("x.txt", b"Hallo")})
    assert err(r) == (400, "Invalid request: missing file parameter")
    assert err(client.post("/translate_file", data={"target": "en"}, files={"file": ("x.txt", b"Hallo")})) == (
        400, "Invalid request: missing source parameter")
    code, message = err(client.post("/translate_file", data=form, files={"file": ("kaputt.docx", b"not a zip")}))
    assert code == 400 and message.startswith("kaputt.docx: ") and "\n" not in message
    bomb = rezip(make_docx(), {"bomb.xml": b"\0" * (4 << 20)})
    code, message = err(client.post("/translate_file", data=form, files={"file": ("bombe.docx", bomb)}))
    assert code == 400 and "zip bomb" in message
    code, message = err(client.post("/translate_file", data=form, files={"file": ("geheim.pdf", encrypted_pdf())}))
    assert (code, message) == (400, "geheim.pdf: encrypted PDF: a password is needed")


def test_xxe_upload_does_not_leak_a_local_file(client, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET-4711")
    data = make_docx()
    body = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    body = body.split("?>", 1)[1].replace("Lesen Sie ", "Lesen Sie &xxe; ")
    r = client.post("/translate_file", data={"source": "de", "target": "en"},
                    files={"file": ("x.docx", rezip(data, {"word/document.xml": xxe(secret, body)}))})
    if r.status_code == 200:
        out = client.get(r.json()["translatedFileUrl"]).content
        zf = zipfile.ZipFile(io.BytesIO(out))
        assert all(b"TOPSECRET" not in zf.read(n) for n in zf.namelist())
    else:
        assert r.status_code == 400 and "TOPSECRET" not in r.text


def test_download_path_tricks_never_give_a_file(client) -> None:
    # (httpx resolves a literal "/download_file/.." to "/" itself; the process test sends it raw)
    for path in ("/download_file/%2E%2E", "/download_file/..%2Fjobs.sqlite3",
                 "/download_file/jobs.sqlite3", "/download_file/%2Fetc%2Fpasswd",
                 "/download_file/AAAAAAAAAAAAAAAAAAAAAAAA.x.txt", "/download_file/..%5C..%5Cjobs.sqlite3",
                 "/v1/documents/..%2F..%2Fjobs.sqlite3/record", "/v1/documents/AAAAAAAAAAAAAAAAAAAAAAAA/record"):
        r = client.get(path)
        assert r.status_code >= 400, path
        assert b"SQLite" not in r.content and b"root:" not in r.content
    assert err(client.get("/download_file/%2E%2E")) == (400, "Invalid filename")


def test_upload_cap_by_length_and_while_streaming(served) -> None:
    client, _ = served(max_upload_mb=0.01)  # 10 KiB
    big = b"Ein Satz. " * 2000  # 20 KB
    r = client.post("/translate_file", data={"source": "de", "target": "en"}, files={"file": ("x.txt", big)})
    assert err(r)[0] == 413 and "upload limit" in err(r)[1]

    def chunks():  # no Content-Length: refused while it streams
        for _ in range(40):
            yield b"q=" + b"a" * 1000 if _ == 0 else b"a" * 1000

    r = client.post("/translate", content=chunks(), headers={"content-type": "application/x-www-form-urlencoded"})
    assert err(r)[0] == 413
    assert client.post("/translate", data={"q": "Hallo", "source": "de", "target": "en"}).status_code == 200


# -- the queue and batching ---------------------------------------------------------------------


def test_full_queue_is_429_and_the_server_recovers(served) -> None:
    client, _ = served(max_queue=1)
    service = client.app.app.state.api.service  # BodyLimit → Starlette
    gate = threading.Event()
    service.thread.call(gate.wait)  # the model thread is busy with a "document"
    time.sleep(0.05)
    first: dict = {}
    t = threading.Thread(target=lambda: first.update(r=client.post("/translate", data={"q": "Eins", "source": "de", "target": "en"})))
    t.start()
    deadline = time.monotonic() + 10
    while service.thread.waiting < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    r = client.post("/translate", data={"q": "Zwei", "source": "de", "target": "en"})
    assert r.status_code == 429 and r.json()["error"].startswith("Slowdown: ")
    gate.set()
    t.join(10)
    assert first["r"].json() == {"translatedText": "Eins"}
    assert client.post("/translate", data={"q": "Drei", "source": "de", "target": "en"}).status_code == 200


def test_concurrent_requests_share_engine_calls(served) -> None:
    client, engine = served()
    service = client.app.app.state.api.service
    gate = threading.Event()
    service.thread.call(gate.wait)
    time.sleep(0.05)
    results: dict[int, dict] = {}

    def ask(i: int) -> None:
        results[i] = client.post("/translate", data={"q": f"Satz Nummer {i}", "source": "de", "target": "en"}).json()

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(24)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 10
    while service.thread.waiting < 24 and time.monotonic() < deadline:
        time.sleep(0.01)
    gate.set()
    for t in threads:
        t.join(10)
    assert results == {i: {"translatedText": f"Satz Nummer {i}"} for i in range(24)}
    calls = [c for c in engine.calls if any(t.startswith("Satz Nummer") for t in c)]
    assert len(calls) == 1 and len(calls[0]) == 24  # 24 requests, one engine call


# -- our documents API ----------------------------------------------------------------------------


def wait_done(client, job_id: str, timeout: float = 20) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.get(f"/v1/documents/{job_id}").json()
        if status["status"] in ("done", "failed"):
            return status
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} not finished: {status}")


def test_documents_jobs_downloads_and_the_record_is_that_of_json_output(client, tmp_path: Path) -> None:
    letter = ("Sehr geehrte Frau Weber,\n\nbitte zahlen Sie 120,00 EUR bis zum 15.03.2026.\n\n"
              "Mit freundlichen Grüßen\nIhre Stadtwerke\n")  # a letter: the record has key facts
    r = client.post("/v1/documents", data={"task": "summarize"},
                    files=[("file", ("brief.txt", letter.encode())), ("file", ("bericht.docx", make_docx()))])
    assert r.status_code == 202
    jobs = r.json()["jobs"]
    assert [j["name"] for j in jobs] == ["brief.txt", "bericht.docx"] and len({j["id"] for j in jobs}) == 2
    done = [wait_done(client, j["id"]) for j in jobs]
    assert [d["status"] for d in done] == ["done", "done"]
    assert set(done[1]["downloads"]) == {"document", "summary", "record"}
    record = client.get(done[0]["downloads"]["record"]).json()
    assert record["summary"] == client.get(done[0]["downloads"]["summary"]).text.strip()
    src = tmp_path / "brief.txt"
    src.write_text(letter, encoding="utf-8")
    cli = CliRunner().invoke(cli_app, ["summarize", str(src), "--engine", "echo", "--no-memory", "-f", "json", "-q"])
    expected = json.loads(cli.stdout)
    assert set(record) == set(expected) and record["translation"] == expected["translation"]
    assert record["facts"] == expected["facts"] and record["facts"]["deadlines"][0]["date"] == "2026-03-15"
    assert record["source"] == "brief.txt"
    doc = client.get(done[1]["downloads"]["document"])
    assert 'filename="bericht_en.docx"' in doc.headers["content-disposition"]


def test_documents_errors(client) -> None:
    assert err(client.post("/v1/documents", data={"task": "translate"})) == (400, "Invalid request: missing file parameter")
    assert err(client.post("/v1/documents", data={"task": "dance"}, files={"file": ("a.txt", b"Hallo")}))[0] == 400
    assert err(client.get("/v1/documents/AAAAAAAAAAAAAAAAAAAAAAAA")) == (404, "No such document job")
    r = client.post("/v1/documents", files={"file": ("leer.txt", b"   \n")})
    assert err(r) == (400, "leer.txt: empty document")


def test_upload_names_never_reach_the_file_system(client, tmp_path: Path) -> None:
    r = client.post("/v1/documents", files={"file": ("../../../../tmp/evil\x00name.txt", b"Ein Satz hier.")})
    assert r.status_code == 202
    job = r.json()["jobs"][0]
    assert job["name"].startswith("evil") and job["name"].endswith(".txt") and "/" not in job["name"]
    state = tmp_path / "state"
    names = {p.name for p in state.rglob("*")}
    assert not any("evil" in n for n in names)
    assert not Path("/tmp/evil").exists()


def test_job_store_resumes_unfinished_jobs_and_deletes_expired_ones(tmp_path: Path) -> None:
    from summtrans.serve.jobs import JobStore, Jobs

    service, _, _ = make_service(tmp_path)
    store = JobStore(tmp_path / "jobs")
    upload = tmp_path / "u.txt"
    upload.write_text("Ein Satz hier.\n")
    job = store.create("translate", "brief.txt", ".txt", upload)
    store.update(job.id, status="running")  # as a killed server left it
    again = JobStore(tmp_path / "jobs")  # a new process over the same folder
    assert again.get(job.id).status == "running" and again.input_path(job).read_text() == "Ein Satz hier.\n"
    jobs = Jobs(again, service, keep_hours=1)
    assert jobs.resume() == 1
    jobs.future(job.id).result(20) if jobs.future(job.id) else None
    done = again.get(job.id)
    assert done.status == "done" and again.output_path(done, "document").read_text() == "Ein Satz hier.\n"
    again.update(job.id, finished=time.time() - 2 * 3600)
    assert jobs.sweep() == 1 and again.get(job.id) is None and not again.folder(job.id).exists()
    service.close(5)


def test_the_page_names_every_warning_kind_in_both_languages():
    """The page shows warnings by their label: every kind the records can carry has one, in English
    and in German (a kind without one would show as its raw name)."""
    import re

    from summtrans.faithful.quality import WARNING_KINDS
    from summtrans.serve.app import STATIC

    script = (STATIC / "app.js").read_text(encoding="utf-8")
    en, de = script.split("\n  de: {", 1)
    for kind in WARNING_KINDS:
        assert re.search(rf'"w-{re.escape(kind)}":', en), f"no English label for {kind}"
        assert re.search(rf'"w-{re.escape(kind)}":', de), f"no German label for {kind}"
