"""The page of `summtrans serve` in a real browser (Debian's chromium and chromium-driver, driven by
Selenium with their paths: no browser download). Skips where they are not installed.

Typing translates; a docx dropped in comes back side by side with a highlighted warning and a
download; a document holding `<script>` stays text; the labels switch to German; the page fits a
phone's width. Screenshots go to the test's tmp dir (``page.png``, ``phone.png``).
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("uvicorn")
selenium = pytest.importorskip("selenium")

from test_formats_office import make_docx  # noqa: E402

from summtrans.engines.base import EchoEngine  # noqa: E402
from summtrans.pipeline import Pipeline, PipelineOptions  # noqa: E402
from summtrans.serve import ServeOptions, create_app  # noqa: E402
from summtrans.serve.service import Service  # noqa: E402
from summtrans.translate import Translator  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")

ENGLISH = {
    "Der Mann liest ein Buch.": "The man reads a book.",
    "Ein Bericht über Wohnungen": "A report on flats",
}


class Dictionary(EchoEngine):
    """A 'model' that knows a few sentences, loops on any sentence with 'Schleife' (the guards
    flag it) and upper-cases the rest. Not named echo: the faithful layer's guards are on."""

    name = "dictionary"

    def generate(self, texts, options, progress=None):
        out = super().generate(texts, options, progress)
        return ["loop " * 12 if "Schleife" in t else ENGLISH.get(t.strip(), t.upper()) for t in out]


@pytest.fixture
def page_server(tmp_path: Path):
    if not (CHROMIUM and DRIVER):
        pytest.skip("chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)")
    import uvicorn

    options = ServeOptions(state_dir=tmp_path / "state")
    pipeline = Pipeline(PipelineOptions(memory=False, engine="echo"))  # echo: the summaries (the translator is set below)
    pipeline.__dict__["translator"] = Translator(Dictionary(), faithful=pipeline.faithful_options(pipeline.translation_profile))
    app = create_app(Service(serve=options, pipeline=pipeline), options)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(30)


@pytest.fixture
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service as DriverService

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1400", "--lang=en-US"):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=DriverService(executable_path=DRIVER), options=opts)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def wait_for(condition, timeout: float = 20.0, what: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_page_in_a_real_browser(page_server: str, browser, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    by_css = lambda sel: browser.find_elements(By.CSS_SELECTOR, sel)  # noqa: E731
    browser.get(page_server + "/")
    wait_for(lambda: browser.find_element(By.ID, "formats").text, what="the settings")
    assert ".docx" in browser.find_element(By.ID, "formats").text

    # keyboard: Tab reaches the text box, the task choice and the file picker
    from selenium.webdriver.common.action_chains import ActionChains

    reached = []
    browser.find_element(By.TAG_NAME, "body").click()
    for _ in range(12):
        ActionChains(browser).send_keys(Keys.TAB).perform()
        reached.append(browser.switch_to.active_element.get_attribute("id") or browser.switch_to.active_element.tag_name)
    assert {"source-text", "files"} <= set(reached)

    # translate as you type
    box = browser.find_element(By.ID, "source-text")
    box.send_keys("Der Mann liest ein Buch.")
    wait_for(lambda: browser.find_element(By.ID, "target-text").text == "The man reads a book.", what="the typed translation")
    box.send_keys(" Er sitzt dabei im Garten.")  # long enough for a language detection
    wait_for(lambda: "Detected: de" in browser.find_element(By.ID, "text-status").text, what="the detected language")

    # a docx: both columns, a highlighted warning, the download
    docx_path = tmp_path / "bericht.docx"
    import docx

    d = docx.Document(__import__("io").BytesIO(make_docx()))
    d.add_paragraph("Diese Schleife kommt nie zu Ende.")
    d.save(docx_path)
    browser.find_element(By.ID, "files").send_keys(str(docx_path))
    wait_for(lambda: by_css("li.job.done"), 60, "the docx job")
    wait_for(lambda: by_css("#segments tbody tr"), what="the result table")
    rows = [[c.text for c in r.find_elements(By.TAG_NAME, "td")] for r in by_css("#segments tbody tr")]
    assert ["1", "Ein Bericht über Wohnungen", "A report on flats"] in rows
    warned = by_css("#segments tbody tr.warn")
    assert warned and any("Schleife" in r.text for r in warned)
    assert by_css("#segments tbody tr.warn .badge")[0].text
    href = browser.find_element(By.CSS_SELECTOR, "#downloads a").get_attribute("href")
    with urllib.request.urlopen(href, timeout=10) as r:
        body = r.read()
    assert r.status == 200 and body[:2] == b"PK"
    browser.save_screenshot(str(tmp_path / "page.png"))

    # a document with markup stays text
    evil = tmp_path / "skript.txt"
    evil.write_text('Achtung <script>window.pwned = 1</script> und <img src=x onerror="window.pwned = 2"> Ende.\n')
    browser.find_element(By.ID, "files").send_keys(str(evil))
    wait_for(lambda: len(by_css("li.job.done")) == 2, 60, "the script job")
    by_css("li.job.done button")[1].click()
    wait_for(lambda: browser.find_element(By.ID, "result-heading").text == "skript.txt", what="the script result")
    cells = " ".join(c.text for c in by_css("#segments tbody td"))
    assert "<script>window.pwned = 1</script>" in cells
    assert browser.execute_script("return window.pwned === undefined && document.querySelectorAll('#result img, #result script').length === 0")

    # a letter summarized: the key facts on top, amounts written as English writes money
    letter = tmp_path / "bescheid.txt"
    letter.write_text(
        "Jobcenter Berlin Mitte\n\nBerlin, 02.03.2026\n\nSehr geehrte Frau Mustermann,\n\n"
        "der Regelbedarf beträgt 563,00 €. Bitte reichen Sie die Kontoauszüge bis spätestens 31. März 2026 ein.\n\n"
        "Mit freundlichen Grüßen\nIhr Jobcenter\n", encoding="utf-8")
    browser.find_element(By.CSS_SELECTOR, "input[name=task][value=summarize]").click()
    browser.find_element(By.ID, "files").send_keys(str(letter))
    wait_for(lambda: len(by_css("li.job.done")) == 3, 60, "the letter job")
    by_css("li.job.done button")[2].click()
    wait_for(lambda: browser.find_element(By.ID, "facts").is_displayed(), what="the key facts")
    facts = browser.find_element(By.ID, "facts").text
    assert "2026-03-31" in facts and "€563.00" in facts and "Jobcenter Berlin Mitte" in facts
    assert browser.find_element(By.ID, "facts").location["y"] < browser.find_element(By.ID, "segments").location["y"]

    # German labels
    browser.find_element(By.CSS_SELECTOR, "[data-ui-lang=de]").click()
    assert browser.find_element(By.ID, "text-heading").text == "Text übersetzen"
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "de"

    # a phone's width: nothing wider than the screen
    browser.set_window_size(390, 844)
    time.sleep(0.3)
    assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
    browser.save_screenshot(str(tmp_path / "phone.png"))
