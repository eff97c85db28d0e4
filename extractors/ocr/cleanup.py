"""Page-image clean-up before line finding and OCR: red seal ink out, upright, level."""

from __future__ import annotations

import cv2
import numpy as np


def red_mask(rgb: np.ndarray) -> np.ndarray:
    """Pixels of red ink (seals, red stamps), including dark red where the seal covers black
    text: strongly saturated hues near red."""
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    h, s = hsv[..., 0], hsv[..., 1]
    r = rgb[..., 0].astype(np.int16)
    gb = np.maximum(rgb[..., 1], rgb[..., 2]).astype(np.int16)
    return ((h <= 12) | (h >= 160)) & (s >= 60) & (r - gb >= 40)


SEAL_GAIN = 2.5


def remove_red(rgb: np.ndarray) -> np.ndarray:
    """Grey page with red seal ink turned to paper.

    Where red ink is, the red channel is read instead of the grey: in it seal ink is nearly
    as bright as paper, while black text under the seal stays darker than the seal.  That
    difference is stretched (`SEAL_GAIN`) so the text under a seal keeps its strokes."""
    if rgb.ndim == 2:
        return rgb
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    mask = red_mask(rgb)
    if mask.sum() < 50:
        return gray
    red = rgb[..., 0].astype(np.float32)
    v = rgb.max(axis=2)
    pure = mask & (v >= np.percentile(v[mask], 50))
    seal = float(np.median(red[pure]))  # the red channel of seal ink on paper
    paper = float(np.percentile(gray, 90))
    near = cv2.dilate(mask.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    out = gray.copy()
    shade = paper - np.maximum(0.0, seal - red[near]) * SEAL_GAIN
    out[near] = np.clip(shade, 0, 255).astype(np.uint8)
    return out


def rotate_quarter(img: np.ndarray, degrees: int) -> np.ndarray:
    """Rotate counter-clockwise by a multiple of 90°."""
    k = (degrees // 90) % 4
    return np.ascontiguousarray(np.rot90(img, k=k)) if k else img


def rotate_small(gray: np.ndarray, degrees: float) -> np.ndarray:
    """Rotate counter-clockwise by a small angle about the centre, paper-white fill."""
    if abs(degrees) < 0.05:
        return gray
    h, w = gray.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)


def ink(gray: np.ndarray) -> np.ndarray:
    """Binary ink mask (255 = ink): adaptive threshold, robust to uneven scan lighting."""
    block = max(15, (min(gray.shape[:2]) // 60) | 1)
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 15)


def estimate_skew(gray: np.ndarray, max_angle: float = 5.0) -> float:
    """Skew in degrees (counter-clockwise rotation that levels the page), by maximising the
    sharpness of the row profile of the ink.  Works on tables and on running text."""
    h, w = gray.shape[:2]
    scale = 800.0 / max(h, w)
    small = cv2.resize(gray, (max(1, int(w * scale)), max(1, int(h * scale))), interpolation=cv2.INTER_AREA)
    bw = ink(small)
    if bw.mean() < 0.5:  # blank page
        return 0.0

    def sharpness(angle: float) -> float:
        rot = rotate_small(255 - bw, angle)  # rotate_small fills white: invert around it
        prof = (255 - rot).sum(axis=1, dtype=np.float64)
        return float(np.square(np.diff(prof)).sum())

    best = 0.0
    for step, span in ((0.5, max_angle), (0.1, 0.5), (0.02, 0.1)):
        cands = np.arange(best - span, best + span + 1e-9, step)
        best = float(max(cands, key=sharpness))
    return best
