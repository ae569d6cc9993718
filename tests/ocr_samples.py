"""German letters rendered with PIL at 300 dpi, and degraded copies (skew, noise, JPEG, low dpi,
fax, phone photo), for the OCR tests and benchmarks/ocr.py. The truth is the text as drawn."""

from __future__ import annotations

import io
import math
import random
import subprocess
from dataclasses import dataclass
from functools import lru_cache

DPI = 300
A4 = (2480, 3508)  # pixels at 300 dpi
MARGIN = 236  # 2 cm

# One letter: (kind, text). kind: "head" (bold, bigger), "line", "para" (wrapped), "table"
# (cells separated by "|"), "gap". Every number, date and IBAN is exact-token checked.
LETTER: list[tuple[str, str]] = [
    ("small", "Jobcenter Köln · Luxemburger Straße 121 · 50939 Köln"),
    ("gap", ""),
    ("line", "Frau Jutta Müßig"),
    ("line", "Gießener Weg 14a"),
    ("line", "51105 Köln"),
    ("gap", ""),
    ("right", "Köln, den 12.03.2025"),
    ("right", "Aktenzeichen: 327-BG-4471/25"),
    ("gap", ""),
    ("head", "Änderungsbescheid über Leistungen zur Sicherung des Lebensunterhalts"),
    ("gap", ""),
    ("para", "Sehr geehrte Frau Müßig,"),
    ("para", "aufgrund Ihrer Mitteilung vom 03.02.2025 über die Änderung Ihres Einkommens werden die "
             "Leistungen für den Zeitraum vom 01.04.2025 bis 30.09.2025 neu berechnet. Für die Monate "
             "April bis September ergibt sich ein monatlicher Anspruch in Höhe von 1.234,56 EUR."),
    ("para", "Bitte überweisen Sie den zu viel gezahlten Betrag von 487,20 EUR bis zum 15.04.2025 auf "
             "das folgende Konto:"),
    ("line", "IBAN: DE89 3704 0044 0532 0130 00"),
    ("line", "BIC: COBADEFFXXX"),
    ("gap", ""),
    ("table", "Monat|Regelbedarf|Unterkunft|Gesamt"),
    ("table", "April 2025|563,00 EUR|671,56 EUR|1.234,56 EUR"),
    ("table", "Mai 2025|563,00 EUR|671,56 EUR|1.234,56 EUR"),
    ("table", "Juni 2025|563,00 EUR|598,30 EUR|1.161,30 EUR"),
    ("gap", ""),
    ("para", "Gegen diesen Bescheid kann innerhalb eines Monats nach Bekanntgabe Widerspruch erhoben "
             "werden. Der Widerspruch ist schriftlich oder zur Niederschrift beim Jobcenter Köln einzulegen. "
             "Größere Beträge werden nicht in bar ausgezahlt."),
    ("para", "Mit freundlichen Grüßen"),
    ("line", "Im Auftrag"),
    ("line", "Weiß"),
]
FOOTER = "Seite 1 von 1"
# Tokens that must come through exactly (amounts, dates, IBAN, reference, umlaut/ß words).
EXACT_TOKENS = (
    "12.03.2025", "327-BG-4471/25", "03.02.2025", "01.04.2025", "30.09.2025", "1.234,56", "487,20",
    "15.04.2025", "DE89", "3704", "0044", "0532", "0130", "563,00", "671,56", "598,30", "1.161,30",
    "Müßig", "Gießener", "Änderungsbescheid", "Größere", "Grüßen", "Weiß", "überweisen", "Straße",
)


@dataclass
class Rendered:
    image: object  # PIL.Image.Image, greyscale, 300 dpi
    truth: str  # the text as drawn, line by line (table cells separated by one space)
    lines: list[str]


@lru_cache(maxsize=1)
def font_path(bold: bool = False) -> str:
    """DejaVu Sans from fontconfig (a Unicode font with umlauts and ß)."""
    name = "DejaVuSans-Bold" if bold else "DejaVuSans"
    try:
        path = subprocess.run(["fc-match", "-f", "%{file}", name], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        path = ""
    return path or f"/usr/share/fonts/truetype/dejavu/{name}.ttf"


def _font(pt: float, bold: bool = False):
    from PIL import ImageFont

    return ImageFont.truetype(font_path(bold), round(pt / 72 * DPI))


def _wrap(draw, text: str, font, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if draw.textlength(trial, font=font) <= width or not line:
            line = trial
        else:
            lines.append(line)
            line = word
    return lines + [line] if line else lines


def render_letter(letter: list[tuple[str, str]] = LETTER, *, pt: float = 11, footer: str | None = FOOTER) -> Rendered:
    """The letter on an A4 page at 300 dpi; the truth is its lines in reading order."""
    from PIL import Image, ImageDraw

    img = Image.new("L", A4, 255)
    draw = ImageDraw.Draw(img)
    body, small, head = _font(pt), _font(pt * 0.75), _font(pt * 1.1, bold=True)
    step = round(pt / 72 * DPI * 1.45)
    width = A4[0] - 2 * MARGIN
    y, truth = MARGIN, []
    for kind, text in letter:
        if kind == "gap":
            y += step
            continue
        if kind == "table":
            cells = text.split("|")
            col = width // len(cells)
            for i, cell in enumerate(cells):
                draw.text((MARGIN + i * col, y), cell, font=body, fill=0)
            draw.line((MARGIN, y + step - 8, MARGIN + width, y + step - 8), fill=0, width=3)
            truth.append(" ".join(cells))
            y += step + 6
            continue
        font = {"small": small, "head": head}.get(kind, body)
        for line in _wrap(draw, text, font, width) if kind in ("para", "head") else [text]:
            x = MARGIN + width - draw.textlength(line, font=font) if kind == "right" else MARGIN
            draw.text((x, y), line, font=font, fill=0)
            truth.append(line)
            y += step
        if kind == "para":
            y += step // 2
    if footer:
        foot = _font(pt * 0.9)
        fw = draw.textlength(footer, font=foot)
        draw.text(((A4[0] - fw) / 2, A4[1] - MARGIN), footer, font=foot, fill=0)
    img.info["dpi"] = (DPI, DPI)
    return Rendered(img, "\n".join(truth), truth)


# --------------------------------------------------------------------------------------------
# Degradations
# --------------------------------------------------------------------------------------------


def skewed(img, degrees: float):
    return img.rotate(degrees, resample=3, expand=True, fillcolor=255)


def noisy(img, amount: float = 0.03, seed: int = 1):
    """Salt and pepper on `amount` of the pixels, and a mild grey haze."""
    import numpy as np

    rng = np.random.default_rng(seed)
    a = np.asarray(img.convert("L"), dtype=np.int16).copy()
    a = a + rng.normal(0, 18, a.shape).astype(np.int16)
    mask = rng.random(a.shape)
    a[mask < amount / 2] = 0
    a[mask > 1 - amount / 2] = 255
    from PIL import Image

    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "L")


def jpeg(img, quality: int = 60) -> bytes:
    buf = io.BytesIO()
    img.convert("L").save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def scaled(img, dpi: int):
    """The page as scanned at `dpi` (dpi recorded in the image's info)."""
    w, h = img.size
    small = img.resize((round(w * dpi / DPI), round(h * dpi / DPI)), resample=4)
    small.info["dpi"] = (dpi, dpi)
    return small


def fax(img) -> bytes:
    """A fax: 204×98 dpi, one bit per pixel, Group 4 TIFF (what a fax server stores)."""
    w, h = img.size
    small = img.resize((round(w * 204 / DPI), round(h * 98 / DPI)), resample=4)
    bw = small.point(lambda v: 255 if v > 150 else 0).convert("1")
    buf = io.BytesIO()
    bw.save(buf, "TIFF", compression="group4", dpi=(204, 98))
    return buf.getvalue()


def photo(img, seed: int = 3, quality: int = 85) -> bytes:
    """A phone photo: the page on a darker desk, in perspective, slightly rotated, unevenly lit,
    soft, 12 MP-ish (4032×3024 scaled down to about 2000 px tall), JPEG. RGB."""
    import numpy as np
    from PIL import Image, ImageFilter

    rng = random.Random(seed)
    page = img.convert("RGB")
    pw, ph = page.size
    W, H = 2300, 3000
    scale = 0.78 * H / ph
    # Where the page corners land in the photo (a trapezoid: the top farther away).
    cx, cy = W / 2, H / 2
    hw, hh = pw * scale / 2, ph * scale / 2
    jitter = lambda: rng.uniform(-25, 25)  # noqa: E731
    corners = [
        (cx - hw * 0.90 + jitter(), cy - hh + jitter()),  # top left
        (cx + hw * 0.90 + jitter(), cy - hh + 30 + jitter()),  # top right
        (cx + hw + jitter(), cy + hh + jitter()),  # bottom right
        (cx - hw + 15 + jitter(), cy + hh - 20 + jitter()),  # bottom left
    ]
    coeffs = _perspective_coeffs(corners, [(0, 0), (pw, 0), (pw, ph), (0, ph)])
    desk = Image.new("RGB", (W, H), (92, 74, 60))
    warped = page.transform((W, H), Image.PERSPECTIVE, coeffs, resample=Image.BICUBIC, fillcolor=(0, 0, 0))
    mask = Image.new("L", page.size, 255).transform((W, H), Image.PERSPECTIVE, coeffs, resample=Image.BICUBIC)
    desk.paste(warped, (0, 0), mask)
    a = np.asarray(desk, dtype=np.float32)
    yy, xx = np.mgrid[0:H, 0:W]
    light = 0.72 + 0.28 * (1 - ((xx - W * 0.7) ** 2 + (yy - H * 0.2) ** 2) / (W**2 + H**2))
    a = a * light[..., None] * np.array([1.0, 0.97, 0.9])  # warm light, brighter top right
    a += np.random.default_rng(seed).normal(0, 4, a.shape)
    out = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "RGB").filter(ImageFilter.GaussianBlur(1.1))
    buf = io.BytesIO()
    out.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def _perspective_coeffs(dst: list[tuple[float, float]], src: list[tuple[float, float]]) -> list[float]:
    """PIL's PERSPECTIVE coefficients mapping output points `dst` to input points `src`."""
    import numpy as np

    rows = []
    for (x, y), (u, v) in zip(dst, src):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    b = np.array([c for pt in src for c in pt], dtype=float)
    return list(np.linalg.solve(np.array(rows, dtype=float), b))


def png(img) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG", dpi=img.info.get("dpi", (DPI, DPI)))
    return buf.getvalue()


def variants(rendered: Rendered) -> dict[str, bytes]:
    """Each kind of input the benchmark and tests read: file bytes by name (with suffix)."""
    img = rendered.image
    return {
        "clean.png": png(img),
        "skew2-noise-jpeg60-150dpi.jpg": jpeg(noisy(scaled(skewed(img, 2.0), 150)), 60),
        "lowdpi-100.png": png(scaled(img, 100)),
        "fax.tif": fax(img),
        "photo.jpg": photo(img),
    }


# --------------------------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------------------------


def levenshtein(a: str, b: str) -> int:
    """Edit distance (insertions, deletions, substitutions), O(len(a)·len(b)) in two rows."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def cer(truth: str, text: str) -> float:
    """Character error rate over the texts with whitespace runs folded to one space."""
    t, o = " ".join(truth.split()), " ".join(text.split())
    return levenshtein(t, o) / max(len(t), 1)


def token_recall(text: str, tokens: tuple[str, ...] = EXACT_TOKENS) -> float:
    """The share of `tokens` found as whole words in `text` (punctuation around a word allowed)."""
    words = {w.strip(".,:;()") for w in text.split()} | set(text.split())
    return sum(t in words for t in tokens) / len(tokens)


def missing_tokens(text: str, tokens: tuple[str, ...] = EXACT_TOKENS) -> list[str]:
    words = {w.strip(".,:;()") for w in text.split()} | set(text.split())
    return [t for t in tokens if t not in words]


__all__ = ["EXACT_TOKENS", "LETTER", "Rendered", "cer", "fax", "jpeg", "levenshtein", "noisy", "photo",
           "png", "render_letter", "scaled", "skewed", "token_recall", "variants", "math"]


def render_lines(lines: list[str], *, pt: float = 14, width: int = 1600, dpi: int = DPI, top: int = 120):
    """A small page (a note, a receipt) with `lines` of text: quick to OCR."""
    from PIL import Image, ImageDraw

    font = _font(pt * dpi / DPI)
    step = round(pt / 72 * dpi * 1.5)
    img = Image.new("L", (width, top * 2 + step * len(lines)), 255)
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        draw.text((100, top + i * step), line, font=font, fill=0)
    img.info["dpi"] = (dpi, dpi)
    return img


# Two pages of one letter with a running header and page numbers, and a word hyphenated at a line end.
PAGE_ONE = [
    ("small", "Finanzamt Köln-Mitte · Steuernummer 214/5678/9012"),
    ("gap", ""),
    ("para", "Sehr geehrter Herr Weiß,"),
    ("para", "für das Jahr 2024 wird die Einkommensteuer auf 3.456,78 EUR festgesetzt. Die Zahlung ist "
             "bis zum 28.02.2025 fällig."),
    ("line", "Gegen diesen Bescheid ist der Ein-"),
    ("line", "spruch innerhalb eines Monats zulässig."),
]
PAGE_TWO = [
    ("small", "Finanzamt Köln-Mitte · Steuernummer 214/5678/9012"),
    ("gap", ""),
    ("para", "Die Erstattung von 612,40 EUR wird auf Ihr Konto überwiesen."),
    ("para", "Mit freundlichen Grüßen"),
]


def md_text(markdown: str) -> str:
    """The words of summtrans's markdown output: table pipes, separator rows, heading marks and
    the low-confidence line out."""
    import re

    lines = [ln for ln in markdown.splitlines()
             if not re.fullmatch(r"\|(?:\s*---\s*\|)+", ln.strip()) and not ln.startswith("*Read by OCR")]
    return re.sub(r"(?m)^#+ |\|", " ", "\n".join(lines))
