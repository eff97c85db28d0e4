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


def connected(
    hs: list[Segment], vs: list[Segment], tol: float, long: float
) -> tuple[list[Segment], list[Segment]]:
    """Rulings that belong to a table: a vertical meets two horizontals (at its ends or
    across), a horizontal meets two verticals; a ruling longer than `long` stays.  Strokes
    of large or bold characters pass the length test but meet nothing."""
    for _ in range(2):
        vs = [v for v in vs if v[2] - v[1] >= long or _meets(v, hs, tol) >= 2]
        hs = [h for h in hs if h[2] - h[1] >= long or _meets(h, vs, tol) >= 2]
    return hs, vs


def _meets(seg: Segment, others: list[Segment], tol: float) -> int:
    """How many perpendicular segments `seg` touches or crosses."""
    pos, a, b = seg
    return sum(1 for o in others if a - tol <= o[0] <= b + tol and o[1] - tol <= pos <= o[2] + tol)


LONG_RULING = 2.5  # a ruling this many text heights long is a border (no stroke is)


def not_through_text(
    hs: list[Segment], vs: list[Segment], boxes: list[tuple[float, float, float, float]]
) -> tuple[list[Segment], list[Segment]]:
    """Drop 'rulings' no longer than a line of text that the text runs across: strokes of
    characters that filled a low row or a large title.  A cell border has padding on both
    sides; here the characters on either side are as close as those of one word.  A ruling
    longer than LONG_RULING text heights is kept either way: no character stroke is that long,
    while approximate character boxes often reach over the ends of a border."""

    def across_v(v: Segment) -> bool:
        x, y0, y1 = v
        left = right = None
        for b in boxes:
            h = b[3] - b[1]
            if min(y1, b[3]) - max(y0, b[1]) <= 0.5 * h or y1 - y0 > 2.5 * h:
                continue  # a ruling longer than a line of text is a border whatever crosses it
            if b[0] + 0.15 * (b[2] - b[0]) < x < b[2] - 0.15 * (b[2] - b[0]):
                return True  # through the middle of a character
            if b[2] <= x + 0.15 * h and x - b[2] < 0.6 * h:
                left = b if left is None or b[2] > left[2] else left
            if b[0] >= x - 0.15 * h and b[0] - x < 0.6 * h:
                right = b if right is None or b[0] < right[0] else right
        if left is None or right is None:
            return False
        h = max(left[3] - left[1], right[3] - right[1])
        return right[0] - left[2] < 0.25 * h and abs((left[1] + left[3]) - (right[1] + right[3])) < 0.5 * h

    def through_h(h: Segment) -> bool:
        y, x0, x1 = h
        for bx0, by0, bx1, by1 in boxes:
            hh = by1 - by0
            if x1 - x0 > LONG_RULING * hh:
                continue  # longer than a few characters: a border, whatever boxes overlap its ends
            if by0 + 0.25 * hh < y < by1 - 0.25 * hh and min(x1, bx1) - max(x0, bx0) > 0.5 * (bx1 - bx0):
                return True
        return False

    return [h for h in hs if not through_h(h)], [v for v in vs if not across_v(v)]


def bridge(
    segs: list[Segment], across: list[Segment], max_gap: float, tol: float, min_piece: float
) -> list[Segment]:
    """Pieces of one broken ruling joined: collinear segments (within `tol`), each at least
    `min_piece` long, less than `max_gap` apart, of which one is anchored at its outer end (a
    perpendicular ruling stands there, as at a table's border).  Strokes of the characters
    in a cell are anchored nowhere; a gap that ends at a perpendicular ruling is where a
    merged cell's border is missing, not a break: both stay apart."""
    out = [s for s in segs if s[2] - s[1] < min_piece]
    n_short = len(out)
    for seg in sorted(s for s in segs if s[2] - s[1] >= min_piece):
        pos, a, b = seg
        for k in range(len(out) - 1, n_short - 1, -1):
            p, a0, b0 = out[k]
            if abs(p - pos) > tol or a < a0:
                continue
            gap = a - b0
            if gap <= 0:
                out[k] = ((p + pos) / 2, a0, max(b0, b))
                break
            anchored = _ends_at(across, a0, p, tol) or _ends_at(across, b, pos, tol)
            at_crossing = _ends_at(across, b0, p, tol) or _ends_at(across, a, pos, tol)
            if gap <= max_gap and anchored and not at_crossing:
                out[k] = ((p + pos) / 2, a0, max(b0, b))
                break
        else:
            out.append(seg)
    return out


def _ends_at(across: list[Segment], at: float, pos: float, tol: float) -> bool:
    """Whether a perpendicular ruling stands at `at` and reaches the line at `pos`."""
    return any(abs(c - at) <= tol and s0 - tol <= pos <= s1 + tol for c, s0, s1 in across)
