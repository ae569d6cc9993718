"""What is done to a page image before the engine reads it. Each step was kept because it
measured better on rendered German letters (ad-hoc ablations while writing it, then
benchmarks/ocr.py: plain Tesseract → summtrans, CER and exact-token recall), and runs only where
its condition holds:

- grey; Tesseract's own Otsu binarization is kept (its Sauvola measured worse on a photo, 1.3 % →
  4.9 % CER);
- page finding (a sheet on a darker desk: a phone photo): the sheet is cut out and its perspective
  undone; corners are the extremes of the bright region along the diagonals (numpy and Pillow: no
  OpenCV). Tesseract reads a photo's words well without it, but the layout does not: converging
  table columns scrambled the rows, the page number stood outside the margin (9.6 % → 0.3 % on a
  steep photo, the same words);
- fax aspect ratio: 204×98 dpi pixels made square (amounts and the IBAN were lost: recall 80 % → 100 %);
- text size: text smaller than 11 pt at ~200 dpi is enlarged to its 300 dpi size (100 dpi scan:
  0.6 % → 0.3 %), very large text is reduced (speed);
- specks: a 3×3 median filter where a median changes many pixels (salt-and-pepper: 12.1 % → 0.2 %;
  on clean pages it costs a little, so only there), at the scan's own size;
- deskew: the angle (±15°) that makes the ink's row profile sharpest (the layout needs straight rows);
- ruling lines taken out: a table's rules touching its rows made Tesseract drop whole rows of
  amounts on a noisy 150 dpi scan (9.5 % → 2.1 %; with all steps 14.2 % → 1.9 %).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

__all__ = ["Prepared", "prepare"]

# Line heights as `measure` sees them: the dense part of a text line, about the x-height plus a bit.
TARGET_LINE = 35.0  # px: 11 pt text at 300 dpi, which Tesseract reads best
MIN_LINE = 24.0  # px: lower lines (11 pt under ~200 dpi) are enlarged to TARGET_LINE
MAX_LINE = 80.0  # px: higher lines are reduced to 2 × TARGET_LINE (speed)
MAX_SCALE = 4.0  # never enlarge more than this (a thumbnail stays unreadable)
NOISE_SHARE = 0.005  # share of pixels a 3×3 median changes by > 60 grey levels: a noisy scan
MIN_SKEW = 0.5  # degrees: a smaller skew is left alone
MAX_SKEW = 15.0  # degrees searched either way
RULE_LINES = 7  # a straight ink run this many text-line heights long is a rule (table border), not text
RULE_CONTRAST = 40  # this much darker than the paper around is ink for finding rules (a light rule breaks at Otsu's)
_PROFILE_SIZE = 1000  # px: the long side of the copy the skew and line height are measured on


@dataclass
class Prepared:
    """A page image ready for the engine."""

    image: Any  # PIL image, mode L
    dpi: float  # pixels per inch of `image` (measured from the text size where the file does not say)
    skew: float  # degrees it was turned back by
    scale: float  # how much it was enlarged (> 1) or reduced
    denoised: bool
    ruled: int  # pixels of ruling lines removed (table rules, underlines)
    flattened: bool = False  # a sheet was found on a darker background and its perspective undone


def prepare(image: Any, dpi: tuple[float, float] | None = None) -> Prepared:
    """Grey, square pixels, readable text size, no specks, straight lines."""
    from PIL import Image

    grey = image.convert("L")
    dpi = (float(dpi[0]), float(dpi[1])) if dpi and len(dpi) == 2 else None  # TIFF gives IFDRational
    quad = find_page(grey)
    if quad is not None:  # a sheet on a desk (a phone photo): cut out, perspective undone
        grey = flatten_page(grey, quad)
    if dpi and dpi[0] > 0 and dpi[1] > 0 and abs(dpi[0] / dpi[1] - 1) > 0.1:  # a fax: 204×98 dpi
        grey = grey.resize((grey.width, round(grey.height * dpi[0] / dpi[1])), Image.BICUBIC)
    skew, line = measure(grey)
    scale = 1.0
    if line and line < MIN_LINE:
        scale = min(TARGET_LINE / line, MAX_SCALE)
    elif line and line > MAX_LINE:
        scale = 2 * TARGET_LINE / line
    native = grey
    if scale != 1.0:
        grey = native.resize((round(native.width * scale), round(native.height * scale)), Image.LANCZOS)
    # Specks are counted at the readable size (small text at its own size looks like specks) and
    # removed at the scan's own (enlarged, a speck is too big for a 3×3 median).
    denoised = noise_share(grey) > NOISE_SHARE
    if denoised:
        from PIL import ImageFilter

        grey = native.filter(ImageFilter.MedianFilter(3))
        if scale != 1.0:
            grey = grey.resize((round(native.width * scale), round(native.height * scale)), Image.LANCZOS)
    if abs(skew) >= MIN_SKEW:
        grey = grey.rotate(skew, resample=Image.BICUBIC, expand=True, fillcolor=_paper(grey))
    grey, ruled = remove_rules(grey, round(RULE_LINES * TARGET_LINE * (scale if line is None else line * scale / TARGET_LINE)))
    file_dpi = dpi[0] if dpi and 100 <= dpi[0] <= 1200 else None
    if file_dpi is not None:
        page_dpi = file_dpi * scale
    elif line:
        page_dpi = 300 * line * scale / TARGET_LINE
    else:
        page_dpi = 300.0
    return Prepared(grey, page_dpi, skew if abs(skew) >= MIN_SKEW else 0.0, scale, denoised, ruled, quad is not None)


def _paper(grey: Any) -> int:
    """The page's background grey (for the corners a rotation uncovers)."""
    histogram = grey.histogram()
    return max(range(128, 256), key=lambda v: histogram[v])


def measure(grey: Any) -> tuple[float, float | None]:
    """(skew in degrees to turn the image by, median text-line height in pixels) of a grey page;
    the height is None where no text lines are seen."""
    import numpy as np

    factor = min(1.0, _PROFILE_SIZE / max(grey.size))
    small = grey.resize((max(1, round(grey.width * factor)), max(1, round(grey.height * factor))))
    from PIL import ImageFilter

    a = np.asarray(small, dtype=np.float32)
    paper = np.asarray(small.filter(ImageFilter.MaxFilter(7)), dtype=np.float32)  # the paper around each pixel
    ink = paper - a > np.maximum(0.3 * paper, 25)  # darker than its paper: a desk or a shadow is not ink
    ys, xs = np.nonzero(ink)
    if len(ys) < 50:
        return 0.0, None
    xs = xs - xs.mean()
    ys = ys - ys.mean()

    def profile(degrees: float) -> Any:
        theta = math.radians(degrees)
        rows = ys * math.cos(theta) - xs * math.sin(theta)
        return np.bincount((rows - rows.min()).astype(np.int64))

    def sharpness(degrees: float) -> float:
        h = profile(degrees).astype(np.float64)
        return float((h * h).sum())

    best = max(np.arange(-MAX_SKEW, MAX_SKEW + 0.01, 0.5), key=sharpness)
    best = max(np.arange(best - 0.5, best + 0.51, 0.05), key=sharpness)
    return float(best), _line_height(profile(float(best)), factor)


def _line_height(rows: Any, per_pixel: float) -> float | None:
    """The median height of the bands of rows with ink (text lines), in pixels of the full image."""
    import numpy as np

    if rows.max() == 0:
        return None
    base = np.percentile(rows, 20)  # ink between the lines: specks
    inked = rows > base + 0.15 * (np.percentile(rows, 90) - base)
    edges = np.flatnonzero(np.diff(np.concatenate(([0], inked.astype(np.int8), [0]))))
    heights = (edges[1::2] - edges[::2]) / per_pixel
    heights = heights[heights * per_pixel >= 2]  # specks
    return float(np.median(heights)) if len(heights) >= 3 else None


def noise_share(grey: Any) -> float:
    """The share of pixels of a central crop that a 3×3 median filter changes by more than 60 grey
    levels: specks on the paper (clean scans ~0.002, salt-and-pepper ~0.02)."""
    import numpy as np
    from PIL import ImageFilter

    w, h = grey.size
    side = min(800, w // 2, h // 2)
    if side < 16:
        return 0.0
    crop = grey.crop((w // 4, h // 4, w // 4 + side, h // 4 + side))
    a = np.asarray(crop, dtype=np.int16)
    m = np.asarray(crop.filter(ImageFilter.MedianFilter(3)), dtype=np.int16)
    return float((np.abs(a - m) > 60).mean())


def remove_rules(grey: Any, length: int) -> tuple[Any, int]:
    """`grey` without its straight horizontal and vertical rules (ink runs of at least `length`
    pixels, gaps of a few pixels bridged, one pixel off the row allowed), and how many pixels went."""
    import numpy as np
    from PIL import Image

    a = np.asarray(grey)
    ink = a < _paper_map(grey) - RULE_CONTRAST
    mask = _runs(ink, length) | _runs(np.ascontiguousarray(ink.T), length).T
    if not mask.any():
        return grey, 0
    grown = mask.copy()  # the rule's blurred edges, where they are ink too
    grown[1:] |= mask[:-1]
    grown[:-1] |= mask[1:]
    grown[:, 1:] |= mask[:, :-1]
    grown[:, :-1] |= mask[:, 1:]
    out = a.copy()
    out[grown] = _paper(grey)
    return Image.fromarray(out, "L"), int(grown.sum())


def _runs(ink: Any, length: int) -> Any:
    """Ink pixels on horizontal runs of at least `length` (rows ±1 pooled, gaps under 3 px bridged)."""
    import numpy as np

    h, w = ink.shape
    if w < length:
        return np.zeros_like(ink)
    band = ink.copy()
    band[1:] |= ink[:-1]
    band[:-1] |= ink[1:]
    smear = _sums(band, 7, 7) >= 13
    full = _sums(smear, 0, length - 1) == length  # the `length` pixels from x on are all ink
    covered = _sums(full, length - 1, 0) > 0  # … for some window holding x
    return (_sums(covered, 7, 7) > 0) & ink  # the ends the smear shortened


def _sums(a: Any, before: int, after: int) -> Any:
    """Per pixel, the sum of `a` over [x - before, x + after] along each row (outside counts 0)."""
    import numpy as np

    h, w = a.shape
    c = np.zeros((h, w + before + after + 1), dtype=np.int32)
    np.cumsum(a, axis=1, out=c[:, before + 1 : before + 1 + w])
    c[:, before + 1 + w :] = c[:, before + w : before + w + 1]
    return c[:, before + after + 1 :] - c[:, :w]


def _paper_map(grey: Any) -> Any:
    """The paper's brightness around each pixel (a desk, a shadow, uneven light): the brightest
    grey nearby, taken on a small copy and enlarged."""
    import numpy as np
    from PIL import Image, ImageFilter

    small = grey.resize((max(1, grey.width // 8), max(1, grey.height // 8)), Image.BOX)
    paper = small.filter(ImageFilter.MaxFilter(9)).filter(ImageFilter.BoxBlur(4)).resize(grey.size, Image.BILINEAR)
    return np.asarray(paper, dtype=np.int16)


def find_page(grey: Any) -> list[tuple[float, float]] | None:
    """The four corners (top left, top right, bottom right, bottom left) of a sheet of paper lying
    on a darker surface (a phone photo), or None where no such sheet is seen (a scan: paper to the
    edges). The sheet: the pixels brighter than Otsu's threshold on a small copy; its corners: the
    extreme points along the diagonals."""
    import numpy as np

    factor = min(1.0, _PROFILE_SIZE / max(grey.size))
    small = grey.resize((max(1, round(grey.width * factor)), max(1, round(grey.height * factor))))
    a = np.asarray(small)
    paper = a > _otsu(a)
    h, w = paper.shape
    border = np.concatenate([paper[0], paper[-1], paper[:, 0], paper[:, -1]])
    if border.mean() > 0.5 or paper.mean() < 0.3:  # paper to the edges (a scan), or no sheet
        return None
    ys, xs = np.nonzero(paper)
    corners = [np.argmin(xs + ys), np.argmax(xs - ys), np.argmax(xs + ys), np.argmin(xs - ys)]
    quad = [(float(xs[i]) / factor, float(ys[i]) / factor) for i in corners]
    area = 0.5 * abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(quad, quad[1:] + quad[:1])))
    return quad if area > 0.3 * grey.width * grey.height else None


def flatten_page(grey: Any, quad: list[tuple[float, float]]) -> Any:
    """The sheet inside `quad` as a flat rectangle (perspective undone), desk cut away."""
    import numpy as np
    from PIL import Image

    (tl, tr, br, bl) = quad
    dist = lambda p, q: float(np.hypot(p[0] - q[0], p[1] - q[1]))  # noqa: E731
    width = round(max(dist(tl, tr), dist(bl, br)))
    height = round(max(dist(tl, bl), dist(tr, br)))
    rows, rhs = [], []
    for (x, y), (u, v) in zip([(0, 0), (width, 0), (width, height), (0, height)], quad):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs += [u, v]
    coeffs = np.linalg.solve(np.array(rows, dtype=float), np.array(rhs, dtype=float))
    return grey.transform((width, height), Image.PERSPECTIVE, tuple(coeffs), resample=Image.BICUBIC)


def _otsu(a: Any) -> int:
    import numpy as np

    hist = np.bincount(a.ravel(), minlength=256).astype(np.float64)
    weight = np.cumsum(hist)
    mass = np.cumsum(hist * np.arange(256))
    below, above = weight[:-1], weight[-1] - weight[:-1]
    ok = (below > 0) & (above > 0)
    between = np.zeros(255)
    between[ok] = (mass[-1] * below[ok] / weight[-1] - mass[:-1][ok]) ** 2 / (below[ok] * above[ok])
    return int(np.argmax(between))
