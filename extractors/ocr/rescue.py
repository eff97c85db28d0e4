"""Second look at table cells where the page pass found no text, or only one or two unsure
characters, but the image shows ink.

Text detectors skip lone symbols (a `≥` alone in a 指标性质 cell) and misread them (`≤` as
`<`).  Such cells are read again, all in one recognition call.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from extractors.lattice import Segment, build_tables
from extractors.ocr.engines import Glyph, OcrEngine, split_word, suspect
from extractors.ocr.symbols import SIGNS, read_sign

MAX_CROPS = 400
SIGN_CONFIDENCE = 0.8  # a shape reading: below the engines' typical 0.95+ for clean text
UNSURE = 0.9
MIN_CONFIDENCE = 0.6


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
                sure = min(glyphs[i].conf for i in found) >= UNSURE and not suspect(text)
                if len(text) > 2 or sure:
                    continue
            ix0, iy0, ix1, iy1 = int(x0) + pad, int(y0) + pad, int(x1) - pad, int(y1) - pad
            if ix1 - ix0 < 4 or iy1 - iy0 < 4:
                continue
            n, _, stats, _ = cv2.connectedComponentsWithStats(bw[iy0:iy1, ix0:ix1], connectivity=8)
            blobs = [stats[i] for i in range(1, n) if stats[i, 3] >= min_h or stats[i, 2] >= min_h]
            if not blobs:
                continue
            bx0, by0, bx1, by1 = _cluster(blobs)
            out.append(Spot((ix0 + bx0, iy0 + by0, ix0 + bx1, iy0 + by1), found))
    return out[:MAX_CROPS]


def _cluster(blobs: list[np.ndarray]) -> tuple[int, int, int, int]:
    """Box of the largest blob and of the blobs near it (specks and remnants of rulings at
    the cell's edge are left out)."""
    blobs = sorted(blobs, key=lambda b: -int(b[4]))
    x0, y0, w, h = (int(v) for v in blobs[0][:4])
    x1, y1 = x0 + w, y0 + h
    grown = True
    while grown:
        grown = False
        reach = 0.6 * max(y1 - y0, 4)
        for b in blobs[1:]:
            bx0, by0, bx1, by1 = int(b[0]), int(b[1]), int(b[0] + b[2]), int(b[1] + b[3])
            if bx0 >= x0 and by0 >= y0 and bx1 <= x1 and by1 <= y1:
                continue
            if bx0 <= x1 + reach and bx1 >= x0 - reach and by0 <= y1 + reach and by1 >= y0 - reach:
                x0, y0, x1, y1 = min(x0, bx0), min(y0, by0), max(x1, bx1), max(y1, by1)
                grown = True
    return x0, y0, x1, y1


def context_sample(glyphs: list[Glyph], gray: np.ndarray) -> tuple[str, np.ndarray] | None:
    """A number the page pass read with confidence (2-4 digits on one line), cut from the page.

    A recogniser reads a lone `≥` badly but `≥120` well: a sign is read again with this
    number written after it, and the number is taken off the result."""
    runs: list[list[Glyph]] = []
    for g in sorted(glyphs, key=lambda g: (round(g.top), g.x0)):
        if not g.text.isdigit() or g.conf < 0.95:
            continue
        last = runs[-1][-1] if runs else None
        h = g.bottom - g.top
        if last and abs(last.top - g.top) < 0.2 * h and 0 <= g.x0 - last.x1 < 0.5 * h:
            runs[-1].append(g)
        else:
            runs.append([g])
    for run in runs:
        text = "".join(g.text for g in run)
        if 2 <= len(text) <= 4:
            x0, y0 = int(min(g.x0 for g in run)), int(min(g.top for g in run))
            x1, y1 = int(max(g.x1 for g in run)) + 1, int(max(g.bottom for g in run)) + 1
            return text, np.ascontiguousarray(gray[y0:y1, x0:x1])
    return None


def _before(sample: tuple[str, np.ndarray], gray: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """The spot at page scale, centred on the sample's height, followed by the sample."""
    text, img = sample
    h = img.shape[0]
    x0, y0, x1, y1 = box
    cy = (y0 + y1) // 2
    top = max(0, cy - h // 2)
    crop = gray[top : top + h, max(0, x0 - 2) : x1 + 2]
    if crop.shape[0] < h:
        crop = np.vstack([crop, np.full((h - crop.shape[0], crop.shape[1]), 255, np.uint8)])
    bg = int(np.percentile(gray, 90))
    gap = np.full((h, max(2, h // 6)), bg, np.uint8)
    return np.hstack([gap, crop, gap, img, gap])


def rescue(
    engine: OcrEngine, gray: np.ndarray, glyphs: list[Glyph], dpi: float, todo: list[Spot]
) -> list[Glyph]:
    """The page's glyphs with the spots read again; a new reading replaces the old one.

    A small spot is first read as a sign: with a number after it (see `context_sample`),
    then by its shape.  Otherwise, or failing that, its crop is read alone, and kept when
    the engine is sure enough of it.  All crops go to the engine in one call."""
    if not todo:
        return glyphs
    sample = context_sample(glyphs, gray)
    max_sign = 0.3 * dpi  # a sign is at most ~20pt wide
    crops: list[np.ndarray] = []
    jobs: list[tuple[Spot, str]] = []
    for spot in todo:
        x0, y0, x1, y1 = spot.box
        small = x1 - x0 <= max_sign and y1 - y0 <= max_sign
        if small and sample is not None:
            crops.append(_before(sample, gray, spot.box))
            jobs.append((spot, "context"))
        m = max(4, (y1 - y0) // 3)
        crops.append(np.ascontiguousarray(gray[max(0, y0 - m) : y1 + m, max(0, x0 - m) : x1 + m]))
        jobs.append((spot, "alone"))
    readings: dict[int, dict[str, tuple[str, float]]] = {}
    for (spot, how), (text, conf) in zip(jobs, engine.read_lines(crops), strict=True):
        readings.setdefault(id(spot), {})[how] = (text.strip(), conf)
    drop: set[int] = set()
    added: list[Glyph] = []
    for spot in todo:
        got = readings.get(id(spot), {})
        text, conf = _decide(spot, got, sample, gray, glyphs, max_sign)
        if text:
            added.extend(split_word(text, spot.box, conf))
            drop.update(spot.found)
    return [g for i, g in enumerate(glyphs) if i not in drop] + added


def _decide(
    spot: Spot,
    got: dict[str, tuple[str, float]],
    sample: tuple[str, np.ndarray] | None,
    gray: np.ndarray,
    glyphs: list[Glyph],
    max_sign: float,
) -> tuple[str, float]:
    if "context" in got and sample is not None:
        text, conf = got["context"]
        if text.endswith(sample[0]) and text[: -len(sample[0])] in SIGNS and conf >= MIN_CONFIDENCE:
            return text[: -len(sample[0])], conf
    x0, y0, x1, y1 = spot.box
    if x1 - x0 <= max_sign and y1 - y0 <= max_sign:
        sign = read_sign(gray[y0:y1, x0:x1])
        if sign:
            return sign, SIGN_CONFIDENCE
    text, conf = got.get("alone", ("", 0.0))
    old = min((glyphs[i].conf for i in spot.found), default=0.0)
    if text and conf >= max(old, MIN_CONFIDENCE):
        return text, conf
    return "", 0.0
