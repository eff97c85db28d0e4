"""Second look at table cells where the page pass found no text, or only one or two unsure
characters, but the image shows ink.

Text detectors skip lone symbols (a `≥` alone in a 指标性质 cell) and misread them (`≤` as
`<`).  Such cells are read again: a comparison sign by its shape (extractors.ocr.symbols),
anything else by one recognition call over the crops of all of them.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from extractors.lattice import Segment, build_tables
from extractors.ocr.engines import Glyph, OcrEngine, split_word
from extractors.ocr.symbols import read_sign

MAX_CROPS = 400
SIGN_CONFIDENCE = 0.8  # a shape reading: below the engines' typical 0.95+ for clean text
UNSURE = 0.9


@dataclass
class Spot:
    box: tuple[int, int, int, int]  # the ink in the cell, pixels
    found: list[int]  # indexes of the glyphs the page pass read there


def spots(
    hs: list[Segment], vs: list[Segment], glyphs: list[Glyph], bw: np.ndarray, dpi: float
) -> list[Spot]:
    """Table cells worth a second look.  `bw` is the ink mask with ruling lines removed."""
    px = dpi / 72.0
    tables = build_tables(hs, vs, tol=2.0 * px, min_cell=4.0 * px)
    centres = np.array([((g.x0 + g.x1) / 2, (g.top + g.bottom) / 2) for g in glyphs]).reshape(-1, 2)
    min_h = 3.0 * px  # an ink blob lower than 3pt is dirt or a remnant of a ruling
    pad = int(round(2.0 * px))
    out = []
    for t in tables:
        for cell in t.cells:
            x0, y0, x1, y1 = cell.bbox
            inside = (
                (centres[:, 0] >= x0) & (centres[:, 0] <= x1) & (centres[:, 1] >= y0) & (centres[:, 1] <= y1)
            )
            found = [int(i) for i in np.flatnonzero(inside)]
            if found:
                text = "".join(glyphs[i].text for i in found)
                if len(text) > 2 or min(glyphs[i].conf for i in found) >= UNSURE:
                    continue
            ix0, iy0, ix1, iy1 = int(x0) + pad, int(y0) + pad, int(x1) - pad, int(y1) - pad
            if ix1 - ix0 < 4 or iy1 - iy0 < 4:
                continue
            n, _, stats, _ = cv2.connectedComponentsWithStats(bw[iy0:iy1, ix0:ix1], connectivity=8)
            blobs = [stats[i] for i in range(1, n) if stats[i, 3] >= min_h or stats[i, 2] >= min_h]
            if not blobs:
                continue
            bx0 = min(int(b[0]) for b in blobs)
            by0 = min(int(b[1]) for b in blobs)
            bx1 = max(int(b[0] + b[2]) for b in blobs)
            by1 = max(int(b[1] + b[3]) for b in blobs)
            out.append(Spot((ix0 + bx0, iy0 + by0, ix0 + bx1, iy0 + by1), found))
    return out[:MAX_CROPS]


def rescue(
    engine: OcrEngine, gray: np.ndarray, bw: np.ndarray, glyphs: list[Glyph], dpi: float, todo: list[Spot]
) -> list[Glyph]:
    """The page's glyphs with the spots read again: a new reading replaces the old one when it
    is a sign read by shape, or when the engine is surer of it."""
    drop: set[int] = set()
    added: list[Glyph] = []
    crops, rest = [], []
    max_sign = 0.3 * dpi  # a sign is at most ~20pt wide
    for spot in todo:
        x0, y0, x1, y1 = spot.box
        if x1 - x0 <= max_sign and y1 - y0 <= max_sign:
            sign = read_sign(bw[y0:y1, x0:x1])
            if sign:
                added.extend(split_word(sign, spot.box, SIGN_CONFIDENCE))
                drop.update(spot.found)
                continue
        m = max(4, (y1 - y0) // 3)
        crops.append(np.ascontiguousarray(gray[max(0, y0 - m) : y1 + m, max(0, x0 - m) : x1 + m]))
        rest.append(spot)
    for spot, (text, conf) in zip(rest, engine.read_lines(crops), strict=True):
        text = text.strip()
        old = min((glyphs[i].conf for i in spot.found), default=0.3)
        if text and conf >= max(old, 0.3):
            added.extend(split_word(text, spot.box, conf))
            drop.update(spot.found)
    return [g for i, g in enumerate(glyphs) if i not in drop] + added
