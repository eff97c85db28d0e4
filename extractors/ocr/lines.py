"""Ruling lines of a page image (OpenCV morphology) as segments for the lattice builder."""

from __future__ import annotations

import cv2
import numpy as np

from extractors.lattice import Segment


def find_rulings(bw: np.ndarray, dpi: float) -> tuple[list[Segment], list[Segment]]:
    """Horizontal and vertical ruling segments in pixels: (y, x0, x1) and (x, y0, y1).

    `bw` is the ink mask (255 = ink).  A ruling is a run of ink longer than any character
    stroke: horizontally 0.25 inch (1.5 CJK characters at 12pt), vertically 0.17 inch (a
    12pt character is 0.15 inch tall; one-line cells are 0.2 inch and taller)."""
    min_len = max(8, int(dpi * 0.25))
    min_vlen = max(8, int(dpi * 0.17))
    # close 1-2px gaps of scanned lines before opening
    hmask = cv2.morphologyEx(bw, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 1)))
    hmask = cv2.morphologyEx(hmask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (min_len, 1)))
    vmask = cv2.morphologyEx(bw, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 5)))
    vmask = cv2.morphologyEx(vmask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, min_vlen)))
    thick = max(3, int(dpi / 25))  # rulings are thin; a filled bar is not a ruling
    hs = [(y + h / 2, float(x), float(x + w)) for x, y, w, h in _boxes(hmask) if h <= max(thick, w / 60)]
    vs = [(x + w / 2, float(y), float(y + h)) for x, y, w, h in _boxes(vmask) if w <= max(thick, h / 60)]
    return hs, vs


def _boxes(mask: np.ndarray) -> list[tuple[int, int, int, int]]:
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    return [tuple(int(v) for v in stats[i, :4]) for i in range(1, n)]


def erase_rulings(gray: np.ndarray, bw: np.ndarray, dpi: float) -> np.ndarray:
    """The page with its ruling lines painted paper-white (OCR reads cell text, not borders)."""
    min_len = max(8, int(dpi * 0.25))
    min_vlen = max(8, int(dpi * 0.17))
    h = cv2.morphologyEx(bw, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (min_len, 1)))
    v = cv2.morphologyEx(bw, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, min_vlen)))
    lines = cv2.dilate(cv2.bitwise_or(h, v), np.ones((3, 3), np.uint8))
    out = gray.copy()
    out[lines > 0] = 255
    return out
