"""Page orientation (0/90/180/270°) from the page's own text lines, read by the OCR engine.

1. Axis: characters smeared together along the rows form text lines of one character's
   height on an upright (or upside-down) page; on a turned page they smear into blocks.
   The page is turned when the columns hold clearly more text line than the rows.
2. Direction: a dozen text lines are cut out and read twice, as they are and turned 180°;
   the engine is far surer of the upright reading.

No Tesseract OSD (0.8-1.3 s a page): the line boxes cost milliseconds and the dozen lines a
fraction of a second of recognition.
"""

from __future__ import annotations

import cv2
import numpy as np

from extractors.ocr.cleanup import ink

WORK_DPI = 100  # the profiles and line boxes are found on a copy at this resolution
AXIS_MARGIN = 1.2  # the columns must hold this much more text line to call the page turned
MAX_LINES = 12
FIRST_LINES = 4  # lines read first; the rest only when these leave it open
LINE_CHARS = 6  # a line is cut to this many characters
SURE_GAIN = 0.25
MIN_LINES = 2
MIN_GAIN = 0.08  # mean confidence the upright reading must win by (else: left as is)


def line_length(bw: np.ndarray, text_px: float) -> int:
    """Total length of the horizontal text lines an ink mask shows (see `line_boxes`)."""
    return sum(b[2] - b[0] for b in _lines(bw, text_px))


def _lines(bw: np.ndarray, text_px: float) -> list[tuple[int, int, int, int]]:
    """Boxes (x0, y0, x1, y1) of horizontal text lines in an ink mask: characters smeared
    together along the line; boxes of text height and at least three characters long.
    Turned text smears into blocks (its lines are closer than a character's height)."""
    k = max(3, int(round(0.8 * text_px)))
    smear = cv2.morphologyEx(bw, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, 1)))
    n, _, stats, _ = cv2.connectedComponentsWithStats(smear, connectivity=8)
    out = []
    for x, y, w, h, _area in stats[1:]:
        if 0.5 * text_px <= h <= 2.5 * text_px and w >= 3 * h:
            out.append((int(x), int(y), int(x + w), int(y + h)))
    return out


def line_boxes(bw: np.ndarray, text_px: float) -> list[tuple[int, int, int, int]]:
    """The longest text lines (at most MAX_LINES), cut to LINE_CHARS characters."""
    out = sorted(_lines(bw, text_px), key=lambda b: b[0] - b[2])[:MAX_LINES]
    return [(x0, y0, min(x1, x0 + LINE_CHARS * (y1 - y0)), y1) for x0, y0, x1, y1 in out]


def upright_rotation(gray: np.ndarray, dpi: float, engine) -> tuple[int, float]:
    """(counter-clockwise degrees that make the page upright, confidence gain) for a page
    whose ruling lines are erased.  0 when the page has too few lines to tell."""
    f = min(1.0, WORK_DPI / dpi)
    small = gray
    if f < 1.0:
        small = cv2.resize(
            gray, (int(gray.shape[1] * f), int(gray.shape[0] * f)), interpolation=cv2.INTER_AREA
        )
    bw = ink(small)
    if bw.mean() < 0.3:  # blank
        return 0, 0.0
    text_px = 0.14 * dpi * f
    turned = np.ascontiguousarray(np.rot90(bw, 1))
    base = 90 if line_length(turned, text_px) > AXIS_MARGIN * line_length(bw, text_px) else 0
    if base:
        bw = turned
        gray = np.ascontiguousarray(np.rot90(gray, 1))
    boxes = line_boxes(bw, text_px)
    if len(boxes) < MIN_LINES:
        return base, 0.0
    up = down = 0.0
    n = 0
    for part in (boxes[:FIRST_LINES], boxes[FIRST_LINES:]):
        if not part:
            break
        read = engine.read_lines([c for b in part for c in _both(gray, b, f)])
        up += sum(r[1] for r in read[0::2])
        down += sum(r[1] for r in read[1::2])
        n += len(part)
        if abs(up - down) / n >= SURE_GAIN:
            break
    gain = abs(up - down) / n
    if gain < MIN_GAIN:
        return base, gain
    return (base if up > down else base + 180) % 360, gain


def _both(gray: np.ndarray, box: tuple[int, int, int, int], f: float) -> list[np.ndarray]:
    """A text line cut from the full-resolution page, as it is and turned 180°."""
    x0, y0, x1, y1 = box
    m = 0.15 * (y1 - y0)
    crop = gray[
        int(max(0, (y0 - m) / f)) : int((y1 + m) / f) + 1, int(max(0, (x0 - m) / f)) : int((x1 + m) / f) + 1
    ]
    return [np.ascontiguousarray(crop), np.ascontiguousarray(crop[::-1, ::-1])]
