"""The resolution of a page image, from the image itself.

A scan's stated resolution (the PDF page box around its image, or the dpi tag of an image
file) is often wrong: img2pdf, ImageMagick and phone apps wrap an image without a resolution
as 72 or 96 dpi, so a 300 dpi A4 scan becomes a page 3x too large; a tag may say 72 for any
scan.  Every OCR threshold is a physical size (a ruling is longer than 0.25 in, a sign is
under 0.3 in), so it must come from the true resolution:

1. the stated resolution, when it makes the image a standard paper size (±4%), made exact
   by that paper's size;
2. else the stated resolution, when the page it gives is of a plausible size (3-17.5 in:
   a cropped scan; a page 2-3x too large is not);
3. else the standard paper size of the image's own shape, the commonest first (a √2 image
   is A4, not A3 or A5: text height cannot tell them apart, it varies as much by document);
4. else (a photo wrapped without its resolution) the measured height of the text;
5. else an A4 page.
"""

from __future__ import annotations

import cv2
import numpy as np

# Standard paper sizes in inches (short side, long side); earlier entries win ties of shape.
PAPERS: tuple[tuple[str, float, float], ...] = (
    ("A4", 8.27, 11.69),
    ("A3", 11.69, 16.54),
    ("A5", 5.83, 8.27),
    ("Letter", 8.5, 11.0),
    ("B5", 7.17, 10.12),
    ("B4", 10.12, 14.33),
    ("16K", 7.24, 10.24),
    ("8K", 10.24, 14.49),
    ("Legal", 8.5, 14.0),
)
SIZE_TOLERANCE = 0.04  # a stated size this close to a paper size is that paper
SHAPE_TOLERANCE = 0.03  # an image this close to a paper's aspect ratio has its shape
TEXT_HEIGHT_IN = 0.14  # ink height of a CJK character of body text (10-11 pt), in inches
MIN_DPI, MAX_DPI = 50.0, 1200.0
MIN_PAGE_IN, MAX_PAGE_IN = 3.0, 17.5  # long side of a plausible page (a slip … A3)


def paper_of(w_in: float, h_in: float, tol: float = SIZE_TOLERANCE) -> str | None:
    """Name of the standard paper a page of this size (inches, either orientation) is."""
    short, long = sorted((w_in, h_in))
    for name, ps, pl in PAPERS:
        if abs(short / ps - 1) <= tol and abs(long / pl - 1) <= tol:
            return name
    return None


def shape_candidates(w_px: int, h_px: int) -> list[tuple[str, float]]:
    """(paper, dpi) for every standard paper with the image's aspect ratio."""
    short, long = sorted((w_px, h_px))
    aspect = long / max(short, 1)
    return [
        (name, long / pl)
        for name, ps, pl in PAPERS
        if abs(aspect / (pl / ps) - 1) <= SHAPE_TOLERANCE and MIN_DPI <= long / pl <= MAX_DPI
    ]


def text_height_px(gray: np.ndarray) -> float | None:
    """Typical height in pixels of the characters on a page image (None: too little text).

    Ink blobs of character shape and size are measured (lines and specks are not); CJK
    characters break into parts, and whole characters are the taller blobs, so the upper
    quartile of the heights is taken."""
    h, w = gray.shape[:2]
    f = min(1.0, 1600.0 / max(h, w))
    small = (
        cv2.resize(gray, (max(1, int(w * f)), max(1, int(h * f))), interpolation=cv2.INTER_AREA)
        if f < 1
        else gray
    )
    block = max(15, (min(small.shape[:2]) // 60) | 1)
    bw = cv2.adaptiveThreshold(small, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 15)
    n, _, stats, _ = cv2.connectedComponentsWithStats(bw, connectivity=8)
    if n < 2:
        return None
    bw_, bh = stats[1:, 2].astype(float), stats[1:, 3].astype(float)
    long_side = max(small.shape[:2])
    ok = (bh >= 5) & (bh <= 0.05 * long_side) & (bw_ >= 0.3 * bh) & (bw_ <= 1.6 * bh)
    if ok.sum() < 30:
        return None
    return float(np.percentile(bh[ok], 75)) / f


def text_dpi(gray: np.ndarray) -> float | None:
    """Resolution implied by the text height (body text assumed; a rough figure, ±30%)."""
    th = text_height_px(gray)
    if th is None:
        return None
    dpi = th / TEXT_HEIGHT_IN
    return dpi if MIN_DPI <= dpi <= MAX_DPI else None


def page_dpi(gray: np.ndarray, stated: float | None = None) -> tuple[float, str]:
    """(dpi, how it was decided) for a page image; `stated` is what the file says, if anything."""
    h, w = gray.shape[:2]
    ok = stated is not None and MIN_DPI <= stated <= MAX_DPI
    paper = paper_of(w / stated, h / stated) if ok else None
    if paper:  # the paper's own size, not the rounded page box: every wrapping agrees
        long_in = next(pl for name, _ps, pl in PAPERS if name == paper)
        return max(w, h) / long_in, "stated"
    if ok and MIN_PAGE_IN <= max(w, h) / stated <= MAX_PAGE_IN:
        return stated, "stated"
    cands = shape_candidates(w, h)
    if cands:
        return cands[0][1], f"paper {cands[0][0]}"
    measured = text_dpi(gray)
    if measured is not None:
        return measured, "text height"
    return max(h, w) / PAPERS[0][2], "paper A4 (assumed)"
