"""Comparison signs standing alone in a cell (`≥`, `≤`, `=`, `>`, `<`, `<=`, `>=`), read
from the shape of their strokes.

Both engines fail on a lone sign: PP-OCRv4 reads `≥` as `=`, `2` or `M`, Tesseract reads
nothing (measured on the 指标性质 columns of the dev scans).  The shapes are simple and
survive blur: a bar is a band of rows dark across the sign's width; a chevron is a V on
its side whose middle rows are dark on the side it points to.  Grey levels are used, not a
binarisation (at 150 dpi a `≥` binarises into one blob).
"""

from __future__ import annotations

import numpy as np

SIGNS = {"≥", "≤", "=", ">", "<", "<=", ">="}


def _darkness(gray: np.ndarray) -> np.ndarray:
    g = gray.astype(np.float32)
    d = np.clip(np.percentile(g, 90) - g, 0, None)
    top = d.max()
    return d / top if top > 0 else d


def _trim(d: np.ndarray, level: float = 0.3) -> np.ndarray:
    ys, xs = np.nonzero(d >= level)
    if len(ys) == 0:
        return d[:0, :0]
    return d[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) of runs of True."""
    out, start = [], None
    for i, v in enumerate(list(mask) + [False]):
        if v and start is None:
            start = i
        elif not v and start is not None:
            out.append((start, i))
            start = None
    return out


def _chevron(part: np.ndarray) -> str | None:
    """'>' or '<': the middle rows are dark on the side the sign points to, the top and
    bottom rows on the other side, and the open side's middle is light."""
    h, w = part.shape
    if h < 4 or w < 3 or not (0.4 <= h / w <= 2.5):
        return None
    cols = np.arange(w, dtype=np.float32)

    def centre(rows: np.ndarray) -> float | None:
        m = rows.sum(axis=0)
        return float((m * cols).sum() / m.sum()) if m.sum() > 0 else None

    k = max(1, h // 4)
    half = max(1, k // 2)
    mid = part[max(0, h // 2 - half) : h // 2 + half + (h % 2)]
    ct, cb, cm = centre(part[:k]), centre(part[h - k :]), centre(mid)
    if ct is None or cb is None or cm is None:
        return None
    outer = (ct + cb) / 2
    if abs(ct - cb) > 0.3 * w or abs(cm - outer) < 0.3 * (w - 1):
        return None
    q = max(1, w // 4)
    edge = mid[:, :q] if cm > outer else mid[:, w - q :]
    if edge.mean() > 0.35:
        return None
    return ">" if cm > outer else "<"


def _one(d: np.ndarray) -> str | None:
    """One printed sign (trimmed darkness)."""
    h, w = d.shape
    if h < 3 or w < 3:
        return None
    cover = (d >= 0.4).mean(axis=1)  # share of the width that is dark, per row
    mean = d.mean(axis=1)
    wide = cover >= 0.75
    # the bar under a chevron, or the lower bar of '=': the last run of wide rows
    runs = _runs(wide)
    if runs and runs[-1][1] >= h - 1 and runs[-1][0] > 0:
        b0, b1 = runs[-1]
        bar = float(mean[b0:b1].max())
        above = mean[:b0]
        valley = int(np.argmin(above[::-1]))  # nearest lightest row above the bar
        v = b0 - 1 - valley
        if above[v] <= 0.7 * bar and v > 0:
            upper = _trim(d[:v])
            ucover = (upper >= 0.4).mean(axis=1) if upper.size else np.zeros(1)
            if ucover.max() >= 0.75 and ucover.min() >= 0.6 and upper.shape[1] >= 0.7 * w:
                return "="  # two bars
            c = _chevron(upper)
            if c:
                return "≥" if c == ">" else "≤"
    return _chevron(d)


def read_sign(gray: np.ndarray) -> str | None:
    """The comparison sign(s) in a small grey crop of a cell's ink, else None."""
    d = _trim(_darkness(gray))
    h, w = d.shape
    if h < 3 or w < 3 or w > 4 * h:
        return None
    # signs side by side (`<=`): split at empty columns
    cols = (d >= 0.35).any(axis=0)
    parts = [d[:, a:b] for a, b in _runs(cols) if b - a >= 2]
    if len(parts) > 2:
        parts = [d[:, a:b] for a, b in _runs(cols)]
        parts = [p for p in parts if p.shape[1] >= 2]
    signs = [_one(_trim(p)) for p in parts]
    if not signs or any(s is None for s in signs):
        return None
    text = "".join(s for s in signs if s)
    return text if text in SIGNS else None
