"""Comparison signs standing alone in a cell (`≥`, `≤`, `=`, `>`, `<`, `<=`), read from the
shape of their strokes.

Both engines fail on a lone sign: PP-OCRv4 reads `≥` as `=` or `M`, Tesseract reads nothing
(measured on the 指标性质 column of the dev scans).  The shapes are simple: bars are flat
strokes, a chevron is a V on its side whose point shows the direction.
"""

from __future__ import annotations

import cv2
import numpy as np


def _components(mask: np.ndarray) -> list[tuple[int, int, int, int, np.ndarray]]:
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    out = []
    for i in range(1, n):
        x, y, w, h, area = (int(v) for v in stats[i])
        if area >= 4:
            out.append((x, y, w, h, (labels[y : y + h, x : x + w] == i)))
    return out


def _is_bar(w: int, h: int, sub: np.ndarray) -> bool:
    return w >= 4 and h <= max(2, 0.35 * w) and sub.mean() >= 0.5


def _chevron(sub: np.ndarray) -> str | None:
    """'>' or '<' for a V on its side: ink at both ends of one side, ink at the middle of
    the other side, no ink in the middle of the open side."""
    h, w = sub.shape
    if h < 5 or w < 4 or not (0.5 <= h / w <= 2.5):
        return None
    third = max(1, h // 3)
    top, mid, bot = sub[:third], sub[third : h - third], sub[h - third :]
    cols = np.arange(w)

    def cx(part: np.ndarray) -> float | None:
        m = part.sum(axis=0)
        return float((m * cols).sum() / m.sum()) if m.sum() else None

    ct, cm, cb = cx(top), cx(mid), cx(bot)
    if ct is None or cm is None or cb is None:
        return None
    outer = (ct + cb) / 2
    if abs(cm - outer) < 0.25 * w:
        return None
    # the open side's middle is empty
    rows = slice(h // 2 - max(1, h // 8), h // 2 + max(1, h // 8) + 1)
    edge = slice(0, max(1, w // 4)) if cm > outer else slice(w - max(1, w // 4), w)
    if sub[rows, edge].mean() > 0.2:
        return None
    return ">" if cm > outer else "<"


def _glyph(comps: list[tuple[int, int, int, int, np.ndarray]]) -> str | None:
    """One sign made of vertically stacked components."""
    comps = sorted(comps, key=lambda c: c[1])
    if len(comps) == 1:
        x, y, w, h, sub = comps[0]
        return _chevron(sub)
    if len(comps) == 2:
        (x0, y0, w0, h0, s0), (x1, y1, w1, h1, s1) = comps
        if _is_bar(w0, h0, s0) and _is_bar(w1, h1, s1) and 0.7 <= w0 / w1 <= 1.4:
            return "="
        if _is_bar(w1, h1, s1):
            c = _chevron(s0)
            if c:
                return "≥" if c == ">" else "≤"
    return None


def read_sign(mask: np.ndarray) -> str | None:
    """The comparison sign(s) drawn in a small ink mask (True/255 = ink), else None."""
    comps = _components((mask > 0).astype(np.uint8))
    if not comps or len(comps) > 6:
        return None
    # group components that overlap horizontally: one printed sign each
    comps.sort(key=lambda c: c[0])
    groups: list[list] = []
    for c in comps:
        if groups:
            gx1 = max(g[0] + g[2] for g in groups[-1])
            if c[0] < gx1 - 0.2 * c[2]:
                groups[-1].append(c)
                continue
        groups.append([c])
    signs = [_glyph(g) for g in groups]
    if any(s is None for s in signs):
        return None
    text = "".join(signs)
    return text if text in {"≥", "≤", "=", ">", "<", "<=", ">=", "==", "<>"} - {"==", "<>"} else None
