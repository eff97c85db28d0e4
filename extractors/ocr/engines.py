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

import cv2
import numpy as np

from pipeline.errors import ExtractionError
from pipeline.settings import Settings

# the defaults are the settings' (pipeline/settings.py), declared there once
DEFAULT_ENGINE = Settings.ocr_engine
TESS_PSM = Settings.ocr_tess_psm  # Tesseract page segmentation: one uniform block of text
DET_MAX_SIDE = Settings.ocr_det_side  # long side of the page copy RapidOCR detects text on (~140 dpi for A4)
REC_SHORT = 320 / 48  # crops narrower than this (width:height) are packed several to a line
TEXT_SCORE = 0.5  # lines read with less confidence are dropped (RapidOCR's default)


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

    def __init__(self, lang: str = "chi_sim", psm: int = TESS_PSM):
        import pytesseract

        self._tess = pytesseract
        self.lang = lang
        self.psm = psm
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
    """PP-OCRv4 detection + recognition through onnxruntime (models ship in the wheel).

    Detection and recognition are separate steps (`detect`, `recognize`), so a page can be
    glanced at (its short lines read for triage) and read in full later from the same boxes."""

    name = "rapidocr"

    def __init__(self, det_max_side: int = DET_MAX_SIDE):
        try:
            from rapidocr_onnxruntime import RapidOCR
        except ImportError as e:  # e.g. cv2 without libGL
            raise ExtractionError(f"OCR engine rapidocr cannot be loaded: {e}") from None
        self.det_max_side = det_max_side
        # Text is found on a reduced copy of the page (time and memory grow with its area; see
        # `detect`) and read from crops of the full-resolution page.
        # A batch worker is one of several processes sharing the cores (the pool sets
        # OMP_NUM_THREADS=1): onnxruntime then keeps to one thread instead of one per core.
        threads = int(os.environ.get("OMP_NUM_THREADS", "0") or 0)
        extra = {"intra_op_num_threads": threads, "inter_op_num_threads": threads} if threads > 0 else {}
        self._ocr = RapidOCR(max_side_len=10000, print_verbose=False, **extra)

    @functools.cached_property
    def version(self) -> str:
        from importlib.metadata import version

        return f"rapidocr-{version('rapidocr-onnxruntime')}-ppocrv4-det{self.det_max_side}-pack{REC_SHORT}-{PACK_RATIO}-{PACK_GAP}"

    def read(self, image: np.ndarray) -> list[Glyph]:
        image = _rgb(image)
        return [g for line in self.recognize(image, self.detect(image)) for g in line]

    def detect(self, image: np.ndarray, scale: float | None = None) -> list[np.ndarray]:
        """Text-line boxes (4x2 corner points, pixels of `image`), top to bottom.  With
        `scale`, text is found on a copy resized by it (area-averaged); else on a copy whose
        long side is at most `det_max_side`."""
        image = _rgb(image)
        det = self._ocr.text_det
        if scale is None:
            scale = min(1.0, self.det_max_side / max(image.shape[:2]))
        small = image
        if scale < 1.0:
            size = (max(32, round(image.shape[1] * scale)), max(32, round(image.shape[0] * scale)))
            small = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
        # the detector then only rounds the copy's sides to multiples of 32
        det.limit_type, det.limit_side_len = "min", 32
        boxes, _ = self._ocr.auto_text_det(small)
        if boxes is None:
            return []
        fx, fy = image.shape[1] / small.shape[1], image.shape[0] / small.shape[0]
        return [np.asarray(b, np.float32) * np.array([fx, fy], np.float32) for b in boxes]

    def recognize(self, image: np.ndarray, boxes: list[np.ndarray]) -> list[list[Glyph]]:
        """Characters of each given text-line box, with their own boxes and confidences.

        The recogniser pads every crop of a batch to at least 320 px (a 6.7:1 line); most
        table cells hold 1-4 characters, so read alone that padding is most of the work.
        Short crops are therefore read side by side, several to a line with paper between them
        (see `pack`), and each character goes back to the crop it lies in; longer lines are
        read at their own width."""
        out: list[list[Glyph]] = [[] for _ in boxes]
        if not boxes:
            return out
        image = _rgb(image)
        crops = self._ocr.get_crop_img_list(image, [b.copy() for b in boxes])
        short, wide = [], []
        for i, (box, crop) in enumerate(zip(boxes, crops, strict=True)):
            upright = _box_size(box)[0] >= _box_size(box)[1]  # a vertical box's crop is turned
            (short if upright and crop.shape[1] < REC_SHORT * crop.shape[0] else wide).append(i)
        if wide:
            res = self._rec([crops[i] for i in wide], True, own_width=True, batch=1)
            res = self._ocr.cal_rec_boxes([crops[i] for i in wide], [boxes[i].copy() for i in wide], res)
            for i, item in zip(wide, res, strict=True):
                out[i] = _glyphs(boxes[i], item)
        if short:
            packed = self._read_packed([crops[i] for i in short], [boxes[i] for i in short])
            for i, glyphs in zip(short, packed, strict=True):
                out[i] = glyphs
        return out

    def _read_packed(self, crops: list[np.ndarray], boxes: list[np.ndarray]) -> list[list[Glyph]]:
        sheets, spans = pack(crops)
        res = self._rec(sheets, True, own_width=True)
        frames = [
            np.array([[0, 0], [s.shape[1], 0], [s.shape[1], s.shape[0]], [0, s.shape[0]]]) for s in sheets
        ]
        res = self._ocr.cal_rec_boxes(sheets, [f.astype(np.float32) for f in frames], res)
        found: list[list[tuple[float, float, str, float]]] = [[] for _ in crops]
        for sheet_spans, item in zip(spans, res, strict=True):
            for wb, ch, cf in zip(item[2], item[3], item[4] or [item[1]] * len(item[3]), strict=False):
                if not ch.strip():
                    continue
                x0, x1 = min(p[0] for p in wb), max(p[0] for p in wb)
                k, a, b = min(sheet_spans, key=lambda s, c=(x0 + x1) / 2: _outside(c, s[1], s[2]))
                found[k].append(((x0 - a) / (b - a), (x1 - a) / (b - a), ch, float(cf)))
        # A sign before a number, or alone, is read as a letter (`N95%`, `N`) now and then on a
        # packed line; such crops are read again alone, with the padding the model knows.
        again = [k for k, chars in enumerate(found) if suspect("".join(c[2] for c in chars))]
        for k, (text, conf) in zip(again, self.read_lines([crops[k] for k in again]), strict=True):
            text = text.strip()
            found[k] = [(i / len(text), (i + 1) / len(text), ch, conf) for i, ch in enumerate(text)]
        out: list[list[Glyph]] = []
        for box, chars in zip(boxes, found, strict=True):
            out.append([])
            if not chars or sum(c[3] for c in chars) / len(chars) < TEXT_SCORE:
                continue
            for u0, u1, ch, cf in chars:
                (ax, at), (bx, bt) = _along(box, 0, max(0.0, u0)), _along(box, 0, min(1.0, u1))
                ab, bb = _along(box, 3, max(0.0, u0))[1], _along(box, 3, min(1.0, u1))[1]
                out[-1].append(Glyph(ch, min(ax, bx), min(at, bt), max(ax, bx), max(ab, bb), cf))
        return out

    def _rec(
        self, crops: list[np.ndarray], word_box: bool = False, own_width: bool = False, batch: int = 0
    ) -> list:
        """Recognition of crops; `own_width`: no padding to the recogniser's 320 px minimum;
        `batch`: crops per engine call (0: RapidOCR's 6).  A batch is padded to its widest
        crop: lines of very different lengths are cheaper one at a time."""
        rec = self._ocr.text_rec
        full, size = rec.rec_image_shape, rec.rec_batch_num
        if own_width:
            rec.rec_image_shape = [full[0], full[1], full[1]]
        rec.rec_batch_num = batch or size
        try:
            res, _ = rec(crops, word_box)
        finally:
            rec.rec_image_shape, rec.rec_batch_num = full, size
        return res

    def read_lines(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        """Recognition only (no detection) on each crop, batched (with the usual padding: a
        lone sign is read as it was trained)."""
        if not crops:
            return []
        return [(str(r[0]), float(r[1])) for r in self._rec([_rgb(c) for c in crops])]


PACK_HEIGHT = 48  # the recogniser's input height
PACK_RATIO = 10.0  # a packed line is about this long (width:height)
PACK_GAP = 0.25  # paper between two crops, in line heights


def pack(crops: list[np.ndarray]) -> tuple[list[np.ndarray], list[list[tuple[int, int, int]]]]:
    """Short crops side by side on lines of paper, scaled to the recogniser's height; returns
    the lines and, per line, (crop index, x0, x1) of each crop on it."""
    h = PACK_HEIGHT
    gap = int(PACK_GAP * h)
    rows: list[list[tuple[int, int]]] = []
    width = 0
    for i, c in enumerate(crops):
        w = max(1, round(c.shape[1] * h / max(c.shape[0], 1)))
        if rows and rows[-1] and width + w > PACK_RATIO * h:
            rows.append([])
            width = 0
        if not rows:
            rows.append([])
        rows[-1].append((i, w))
        width += w + gap
    sheets, spans = [], []
    for row in rows:
        sheet = np.full((h, sum(w for _, w in row) + gap * (len(row) + 1), 3), 255, np.uint8)
        x, where = gap, []
        for i, w in row:
            sheet[:, x : x + w] = cv2.resize(crops[i], (w, h), interpolation=cv2.INTER_AREA)
            where.append((i, x, x + w))
            x += w + gap
        sheets.append(sheet)
        spans.append(where)
    return sheets, spans


_SUSPECT = re.compile(r"^[A-Z]{1,2}$|^[A-Z](?=\d)")


def suspect(text: str) -> bool:
    """A reading that looks like a misread comparison sign: a lone capital letter (or two),
    or one directly before a number."""
    return bool(_SUSPECT.match(text.replace(" ", "")))


def _outside(c: float, a: float, b: float) -> float:
    return 0.0 if a <= c <= b else min(abs(c - a), abs(c - b))


def box_ratio(box: np.ndarray) -> float:
    """Length to height of a text-line box."""
    w, h = _box_size(box)
    return max(w, h) / max(min(w, h), 1e-6)


def _box_size(box: np.ndarray) -> tuple[float, float]:
    return float(np.linalg.norm(box[0] - box[1])), float(np.linalg.norm(box[0] - box[3]))


def _along(box: np.ndarray, edge: int, u: float) -> tuple[float, float]:
    """The point a share `u` along a box's top edge (`edge` 0: corners 0→1) or bottom edge
    (`edge` 3: corners 3→2)."""
    a, b = box[edge], box[1 if edge == 0 else 2]
    return float(a[0] + u * (b[0] - a[0])), float(a[1] + u * (b[1] - a[1]))


def _glyphs(box: np.ndarray, item: list) -> list[Glyph]:
    """Glyphs of one recognised line (RapidOCR's text, score, word boxes, words, confidences)."""
    text, score = item[0], float(item[1])
    if score < TEXT_SCORE:
        return []
    wboxes, chars, confs = item[2], item[3], item[4]
    if wboxes and chars and len(wboxes) == len(chars):
        out = []
        for b, ch, cf in zip(wboxes, chars, confs or [score] * len(chars), strict=False):
            xs = [p[0] for p in b]
            ys = [p[1] for p in b]
            if ch.strip():
                out.append(Glyph(ch, min(xs), min(ys), max(xs), max(ys), float(cf)))
        return out
    xs = [float(p[0]) for p in box]
    ys = [float(p[1]) for p in box]
    return split_word(text, (min(xs), min(ys), max(xs), max(ys)), score)


def _rgb(image: np.ndarray) -> np.ndarray:
    return np.stack([image] * 3, axis=-1) if image.ndim == 2 else image


_ENGINES = {"tesseract": TesseractEngine, "rapidocr": RapidEngine}


def get_engine(
    name: str = DEFAULT_ENGINE, psm: int = TESS_PSM, det_max_side: int = DET_MAX_SIDE
) -> OcrEngine:
    """An engine by name with its options (`psm` for Tesseract, `det_max_side` for RapidOCR),
    loaded once per process."""
    name = name.lower()
    if name == "tesseract":
        return _load(name, ("psm", psm))
    if name == "rapidocr":
        return _load(name, ("det_max_side", det_max_side))
    raise ExtractionError(f"unknown OCR engine '{name}' (choose {', '.join(_ENGINES)})")


def engine_for(settings: Settings) -> OcrEngine:
    """The engine the settings name, with their options."""
    return get_engine(settings.ocr_engine, psm=settings.ocr_tess_psm, det_max_side=settings.ocr_det_side)


@functools.cache
def _load(name: str, option: tuple[str, int]) -> OcrEngine:
    return _ENGINES[name](**dict([option]))
