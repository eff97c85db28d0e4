"""Two OCR engines behind one interface: an image in, recognised characters with boxes out.

Both engines get the whole page image once (no OCR call per cell).  They return
`Glyph`s: one per character where the engine gives character boxes (RapidOCR), else one per
character of a word with the word's box split evenly (Tesseract); coordinates are pixels of
the image passed in, top-left origin.
"""

from __future__ import annotations

import functools
import html
import os
import re
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from pipeline.errors import ExtractionError

DEFAULT_ENGINE = "rapidocr"
ENGINE_ENV = "PERF_TARGETS_OCR_ENGINE"
DET_MAX_SIDE = 1600  # long side of the page copy RapidOCR detects text on (~140 dpi for A4)


@dataclass
class Glyph:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    conf: float  # 0..1


class OcrEngine(Protocol):
    name: str

    @property
    def version(self) -> str: ...

    def read(self, image: np.ndarray) -> list[Glyph]:
        """Characters of a page image (grey or RGB uint8)."""
        ...

    def read_lines(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        """(text, confidence) of small single-line grey crops, in one engine call."""
        ...


_CINFO = re.compile(
    r"<span class=.ocrx_cinfo. title=.x_bboxes (-?\d+) (-?\d+) (-?\d+) (-?\d+); x_conf ([\d.]+).>(.*?)</span>"
)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def split_word(text: str, box: tuple[float, float, float, float], conf: float) -> list[Glyph]:
    """A word's box shared among its characters: a CJK character gets a full share, a run of
    Latin letters and digits one glyph (they stay together in one cell anyway)."""
    x0, top, x1, bottom = box
    parts = re.findall(r"[\u3400-\u9fff\uf900-\ufaff]|[^\u3400-\u9fff\uf900-\ufaff]+", text)
    if not parts:
        return []
    weights = [1.0 if _CJK.match(p) else 0.55 * len(p) for p in parts]
    total = sum(weights)
    out, x = [], x0
    for p, w in zip(parts, weights, strict=True):
        dx = (x1 - x0) * w / total
        out.append(Glyph(p, x, top, x + dx, bottom, conf))
        x += dx
    return out


class TesseractEngine:
    """Tesseract 5 LSTM with the chi_sim model (Debian tesseract-ocr-chi-sim)."""

    name = "tesseract"

    def __init__(self, lang: str = "chi_sim", psm: int | None = None):
        import pytesseract

        self._tess = pytesseract
        self.lang = lang
        self.psm = psm or int(os.environ.get("PERF_TARGETS_OCR_TESS_PSM", "6"))
        try:
            langs = set(pytesseract.get_languages(config=""))
        except (pytesseract.TesseractNotFoundError, OSError):
            raise ExtractionError(
                "OCR engine tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-chi-sim)"
            ) from None
        if lang not in langs:
            raise ExtractionError(
                f"tesseract has no '{lang}' language data (apt-get install tesseract-ocr-chi-sim)"
            )

    @functools.cached_property
    def version(self) -> str:
        return f"tesseract-{self._tess.get_tesseract_version()}-{self.lang}-psm{self.psm}"

    def read(self, image: np.ndarray) -> list[Glyph]:
        """Characters with their own boxes and confidences, from hOCR with character boxes
        (the word boxes of image_to_data overlap and scramble CJK character order)."""
        config = f"--oem 1 --psm {self.psm} -c preserve_interword_spaces=1 -c hocr_char_boxes=1"
        hocr = self._tess.image_to_pdf_or_hocr(image, lang=self.lang, extension="hocr", config=config)
        out: list[Glyph] = []
        for m in _CINFO.finditer(hocr.decode("utf-8", "replace")):
            text = html.unescape(m.group(6)).strip()
            if text:
                x0, y0, x1, y1 = (float(m.group(k)) for k in range(1, 5))
                out.append(Glyph(text, x0, y0, x1, y1, float(m.group(5)) / 100.0))
        return out

    def read_lines(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        """Crops stacked in one column, far apart, read in one Tesseract run."""
        if not crops:
            return []
        sheet, bands = stack(crops)
        config = "--oem 1 --psm 4 -c preserve_interword_spaces=1"
        data = self._tess.image_to_data(
            sheet, lang=self.lang, config=config, output_type=self._tess.Output.DICT
        )
        found: list[list[tuple[int, str, float]]] = [[] for _ in crops]
        for text, conf, x, y, h in zip(
            data["text"], data["conf"], data["left"], data["top"], data["height"], strict=True
        ):
            text = (text or "").strip()
            if not text or float(conf) < 0:
                continue
            cy = y + h / 2
            for k, (b0, b1) in enumerate(bands):
                if b0 <= cy <= b1:
                    found[k].append((x, text, float(conf) / 100.0))
                    break
        out = []
        for words in found:
            words.sort()
            out.append(("".join(w[1] for w in words), min((w[2] for w in words), default=0.0)))
        return out


def stack(crops: list[np.ndarray], gap: int = 40) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Grey crops one under the other on a white sheet; returns the sheet and each crop's rows."""
    width = max(c.shape[1] for c in crops) + 2 * gap
    height = sum(c.shape[0] for c in crops) + gap * (len(crops) + 1)
    sheet = np.full((height, width), 255, np.uint8)
    bands, y = [], gap
    for c in crops:
        h, w = c.shape[:2]
        sheet[y : y + h, gap : gap + w] = c
        bands.append((y - gap // 2, y + h + gap // 2))
        y += h + gap
    return sheet, bands


class RapidEngine:
    """PP-OCRv4 detection + recognition through onnxruntime (models ship in the wheel)."""

    name = "rapidocr"

    def __init__(self, det_max_side: int | None = None):
        try:
            from rapidocr_onnxruntime import RapidOCR
        except ImportError as e:  # e.g. cv2 without libGL
            raise ExtractionError(f"OCR engine rapidocr cannot be loaded: {e}") from None
        self.det_max_side = det_max_side or int(os.environ.get("PERF_TARGETS_OCR_DET_SIDE", DET_MAX_SIDE))
        # Text is found on a reduced copy of the page (time and memory grow with its area) and
        # read from crops of the full-resolution page (max_side_len: no downscaling there).
        # A batch worker is one of several processes sharing the cores (the pool sets
        # OMP_NUM_THREADS=1): onnxruntime then keeps to one thread instead of one per core.
        threads = int(os.environ.get("OMP_NUM_THREADS", "0") or 0)
        extra = {"intra_op_num_threads": threads, "inter_op_num_threads": threads} if threads > 0 else {}
        self._ocr = RapidOCR(
            max_side_len=10000,
            print_verbose=False,
            det_limit_type="max",
            det_limit_side_len=self.det_max_side,
            **extra,
        )

    @functools.cached_property
    def version(self) -> str:
        from importlib.metadata import version

        return f"rapidocr-{version('rapidocr-onnxruntime')}-ppocrv4-det{self.det_max_side}"

    def read(self, image: np.ndarray) -> list[Glyph]:
        if image.ndim == 2:
            image = np.stack([image] * 3, axis=-1)
        res, _ = self._ocr(image, use_cls=False, return_word_box=True)
        out: list[Glyph] = []
        for item in res or []:
            box, text, score = item[0], item[1], float(item[2])
            boxes = item[3] if len(item) > 3 else None
            chars = item[4] if len(item) > 4 else None
            confs = item[5] if len(item) > 5 else None
            if boxes and chars and len(boxes) == len(chars):
                for b, ch, cf in zip(boxes, chars, confs or [score] * len(chars), strict=False):
                    xs = [p[0] for p in b]
                    ys = [p[1] for p in b]
                    if ch.strip():
                        out.append(Glyph(ch, min(xs), min(ys), max(xs), max(ys), float(cf)))
            else:
                xs = [p[0] for p in box]
                ys = [p[1] for p in box]
                out.extend(split_word(text, (min(xs), min(ys), max(xs), max(ys)), score))
        return out

    def read_lines(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        """Recognition only (no detection) on each crop, batched."""
        if not crops:
            return []
        rgb = [np.stack([c] * 3, axis=-1) if c.ndim == 2 else c for c in crops]
        res, _ = self._ocr.text_rec(rgb)
        return [(str(r[0]), float(r[1])) for r in res]


_ENGINES = {"tesseract": TesseractEngine, "rapidocr": RapidEngine}


def get_engine(name: str | None = None) -> OcrEngine:
    """An engine by name (default: $PERF_TARGETS_OCR_ENGINE or rapidocr), loaded once per process."""
    name = (name or os.environ.get(ENGINE_ENV) or DEFAULT_ENGINE).lower()
    if name not in _ENGINES:
        raise ExtractionError(f"unknown OCR engine '{name}' (choose {', '.join(_ENGINES)})")
    return _load(name)


@functools.cache
def _load(name: str) -> OcrEngine:
    return _ENGINES[name]()
