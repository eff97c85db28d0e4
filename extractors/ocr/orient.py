"""Page orientation (0/90/180/270°) from Tesseract's orientation and script detection."""

from __future__ import annotations

import re

import cv2
import numpy as np

OSD_DPI = 150  # measured: OSD is right on every dev scan turned 0/90/180/270 at 150 dpi, not at 100
MIN_CONFIDENCE = 1.5


def upright_rotation(gray: np.ndarray, dpi: float) -> tuple[int, float]:
    """(counter-clockwise degrees that make the page upright, OSD confidence).  Returns 0 when
    OSD is unsure or finds too little text."""
    import pytesseract

    img = gray
    if dpi > OSD_DPI * 1.1:
        f = OSD_DPI / dpi
        img = cv2.resize(gray, (int(gray.shape[1] * f), int(gray.shape[0] * f)), interpolation=cv2.INTER_AREA)
    try:
        out = pytesseract.image_to_osd(img, config=f"--psm 0 --dpi {OSD_DPI}")
    except pytesseract.TesseractError:
        return 0, 0.0  # too few characters
    rot = re.search(r"Rotate:\s*(\d+)", out)
    conf = re.search(r"Orientation confidence:\s*([\d.]+)", out)
    if not rot or not conf:
        return 0, 0.0
    c = float(conf.group(1))
    if c < MIN_CONFIDENCE:
        return 0, c
    # Tesseract reports the clockwise rotation that makes the text upright
    return (-int(rot.group(1))) % 360, c
