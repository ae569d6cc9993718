"""`summtrans serve` as a process on a free loopback port, driven by the real LibreTranslate client
(`libretranslatepy`) and by plain HTTP: the shapes its clients rely on, bad inputs, 24 parallel
requests on one model, API keys, CORS, SIGTERM, and a document job that survives a killed server.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytest.importorskip("uvicorn")
pytest.importorskip("starlette")
libretranslatepy = pytest.importorskip("libretranslatepy")

from test_formats_office import make_docx  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

REPO = Path(__file__).resolve().parents[1]
GERMAN = "Der Mann liest heute ein spannendes Buch im Garten."


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A `summtrans serve` process on 127.0.0.1; its stderr in a file."""

    def __init__(self, tmp: Path, *args: str, state: Path | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tmp / f"serve-{self.port}.log"
        env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "OMP_NUM_THREADS": "1"}
        cmd = [sys.executable, "-m", "summtrans", "serve", "--port", str(self.port),
               "--state-dir", str(state or tmp / "state"), *args]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=self.log.open("wb"), env=env, cwd=tmp)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited {self.proc.returncode}: {self.log.read_text()}")
            try:
                if get(self.url + "/health")[1] == {"status": "ok"}:
                    return
            except OSError:
                time.sleep(0.1)
        self.kill()
        raise AssertionError(f"server did not start: {self.log.read_text()}")

    def stop(self) -> int:
        """SIGTERM, as a service manager stops it; its exit status."""
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(30)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stderr(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def server_factory(tmp_path: Path):
    servers: list[Server] = []

    def start(*args: str, state: Path | None = None) -> Server:
        servers.append(Server(tmp_path, *args, state=state))
        return servers[-1]

    yield start
    for s in servers:
        s.kill()


def request(url: str, data: bytes | None = None, headers: dict | None = None, method: str | None = None):
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read(), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read(), dict(e.headers)


def get(url: str):
    status, body, _ = request(url)
    return status, json.loads(body)


def post_json(url: str, payload: dict, headers: dict | None = None):
    status, body, h = request(url, json.dumps(payload).encode(), {"Content-Type": "application/json", **(headers or {})})
    return status, json.loads(body), h


def post_form(url: str, fields: dict):
    status, body, _ = request(url, urllib.parse.urlencode(fields).encode())
    return status, json.loads(body)


def multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for k, v in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
    for k, (name, data) in files.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"; filename="{name}"\r\n'
                  "Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def raw_get(port: int, path: str) -> int:
    """GET with the path sent exactly as written (no client-side normalization)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path)
    status = conn.getresponse().status
    conn.close()
    return status


def test_libretranslate_client_and_plain_http(server_factory) -> None:
    server = server_factory("--engine", "echo", "--no-memory")
    lt = libretranslatepy.LibreTranslateAPI(server.url)
    assert lt.translate(GERMAN, "de", "en") == GERMAN
    assert lt.detect(GERMAN)[0]["language"] == "de"
    assert {lang["code"] for lang in lt.languages()} == {"de", "en"}
    with pytest.raises(urllib.error.HTTPError) as exc:
        lt.translate(GERMAN, "de", "zz")
    assert exc.value.code == 400 and json.loads(exc.value.read()) == {"error": "zz is not supported"}

    status, body, _ = post_json(server.url + "/translate", {"q": ["Eins ist hier.", "", "Zwei"], "source": "de", "target": "en"})
    assert (status, body) == (200, {"translatedText": ["Eins ist hier.", "", "Zwei"]})
    status, body, _ = post_json(server.url + "/translate", {"q": "<p>Der <b>Mann</b> liest.</p>", "source": "de",
                                                            "target": "en", "format": "html"})
    assert body == {"translatedText": "<p>Der <b>Mann</b> liest.</p>"}
    status, body, _ = post_json(server.url + "/translate", {"q": GERMAN, "source": "auto", "target": "en", "alternatives": 2})
    assert body["alternatives"] == [] and body["detectedLanguage"]["language"] == "de"  # echo has no n-best list

    data, ctype = multipart({"source": "de", "target": "en"}, {"file": ("bericht.docx", make_docx())})
    status, body, _ = request(server.url + "/translate_file", data, {"Content-Type": ctype})
    url = json.loads(body)["translatedFileUrl"]
    assert status == 200 and url.startswith(server.url + "/download_file/") and url.endswith(".bericht_en.docx")
    status, content, headers = request(url)
    import docx

    assert status == 200 and "attachment" in headers["content-disposition"]
    assert "Ein Bericht über Wohnungen" in [p.text for p in docx.Document(io.BytesIO(content)).paragraphs]

    # bad inputs: each its error, and the server goes on
    assert post_form(server.url + "/translate", {"source": "de", "target": "en"}) == (
        400, {"error": "Invalid request: missing q parameter"})
    assert post_form(server.url + "/translate", {"q": "a", "source": "de", "target": "en", "format": "xml"}) == (
        400, {"error": "xml format is not supported"})
    status, body, _ = request(server.url + "/translate", b"[1]", {"Content-Type": "application/json"})
    assert (status, json.loads(body)) == (400, {"error": "Invalid JSON format"})
    assert request(server.url + "/translate")[0] == 405
    assert raw_get(server.port, "/download_file/..") == 400
    assert raw_get(server.port, "/download_file/../../etc/passwd") >= 400
    data, ctype = multipart({"source": "de", "target": "en"}, {"file": ("kaputt.docx", b"PK\x03\x04 broken")})
    status, body, _ = request(server.url + "/translate_file", data, {"Content-Type": ctype})
    assert status == 400 and json.loads(body)["error"].startswith("kaputt.docx: ")
    # CORS off: no header for a page of another site
    _, _, headers = post_json(server.url + "/translate", {"q": "a", "source": "de", "target": "en"}, {"Origin": "https://x.example"})
    assert "access-control-allow-origin" not in {k.lower() for k in headers}
    assert lt.translate("Noch ein Satz.", "de", "en") == "Noch ein Satz."
    assert server.stop() == 0


def test_parallel_requests_share_one_model(server_factory, tiny_marian: Path) -> None:
    server = server_factory("-m", str(tiny_marian), "--engine", "ctranslate2", "--no-memory", "--num-beams", "1")
    sentences = [f"Der Mann liest {n} Bücher im Garten." for n in range(24)]

    def ask(q: str):
        return post_json(server.url + "/translate", {"q": q, "source": "de", "target": "en"})

    with ThreadPoolExecutor(24) as pool:
        answers = list(pool.map(ask, sentences))
    assert all(status == 200 and isinstance(body["translatedText"], str) and body["translatedText"]
               for status, body, _ in answers)
    # one model loaded for the process, and the 24 requests took fewer engine rounds than requests
    assert server.stderr().count("loading translation model") == 1
    status, stats = get(server.url + "/v1/status")
    assert stats["models"]["translation"]["engine"] == "ctranslate2"
    assert stats["requests"] == 24 and stats["batches"] < 24
    assert server.stop() == 0


def test_api_key_and_cors_on(server_factory, tmp_path: Path) -> None:
    keys = tmp_path / "keys.txt"
    keys.write_text("# team keys\nfile-key\n")
    server = server_factory("--engine", "echo", "--no-memory", "--api-key", "k1", "--api-keys", str(keys),
                            "--cors-origin", "https://intranet.example")
    lt = libretranslatepy.LibreTranslateAPI(server.url, api_key="k1")
    assert lt.translate(GERMAN, "de", "en") == GERMAN
    assert libretranslatepy.LibreTranslateAPI(server.url, api_key="file-key").translate("Hallo", "de", "en") == "Hallo"
    with pytest.raises(urllib.error.HTTPError) as exc:
        libretranslatepy.LibreTranslateAPI(server.url, api_key="wrong").translate(GERMAN, "de", "en")
    assert exc.value.code == 403 and json.loads(exc.value.read()) == {"error": "Invalid API key"}
    status, body, headers = post_json(server.url + "/translate", {"q": "a", "source": "de", "target": "en"},
                                      {"Origin": "https://intranet.example"})
    assert status == 403 and headers["access-control-allow-origin"] == "https://intranet.example"
    status, _, headers = request(server.url + "/translate", method="OPTIONS",
                                 headers={"Origin": "https://intranet.example", "Access-Control-Request-Method": "POST"})
    assert status == 204 and headers["access-control-allow-methods"] == "GET, POST"
    assert get(server.url + "/frontend/settings")[1]["keyRequired"] is True
    assert server.stop() == 0


def test_a_document_job_survives_a_killed_server(server_factory, tmp_path: Path, tiny_marian: Path) -> None:
    state = tmp_path / "jobs"
    # The first server loads a real model on the job's first use (seconds): killed before it finishes.
    first = server_factory("-m", str(tiny_marian), "--engine", "transformers", "--no-memory", state=state)
    data, ctype = multipart({"task": "translate"}, {"file": ("brief.txt", "Sehr geehrte Frau Weber, bitte zahlen Sie.".encode())})
    status, body, _ = request(first.url + "/v1/documents", data, {"Content-Type": ctype})
    assert status == 202
    job_id = json.loads(body)["jobs"][0]["id"]
    assert get(f"{first.url}/v1/documents/{job_id}")[1]["status"] in ("queued", "running")
    first.proc.send_signal(signal.SIGKILL)
    first.proc.wait(10)
    second = server_factory("--engine", "echo", "--no-memory", state=state)
    deadline = time.monotonic() + 30
    while (status := get(f"{second.url}/v1/documents/{job_id}")[1])["status"] not in ("done", "failed"):
        assert time.monotonic() < deadline, status
        time.sleep(0.1)
    assert status["status"] == "done", status
    code, text, _ = request(status["downloads"]["document"])
    assert code == 200 and text.decode() == "Sehr geehrte Frau Weber, bitte zahlen Sie."
    assert second.stop() == 0
