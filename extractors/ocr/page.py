"""One page image → the `PageContent` the text-PDF reader produces (OCR characters with
boxes in points of the physical page, ruling segments found in the image), so `page_grids`
rebuilds its tables exactly as for a text PDF.

Steps: resolution from the image → red seal ink out → upright (text lines read both ways) →
level (skew) → ruling lines (seal strokes out, broken ones bridged) → lines erased → text
lines found → glance (short lines) → [read_all says no: stop] → the rest read → second look
→ characters and segments scaled from pixels to points.  Boxes are in the frame of the
upright, levelled page; `frame_scale` takes them to the file's own frame.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from extractors.lattice import Segment, chain, join_spans
from extractors.ocr import cache
from extractors.ocr.cleanup import estimate_skew, ink, red_mask, remove_red, rotate_quarter, rotate_small
from extractors.ocr.engines import Glyph, OcrEngine, box_ratio, engine_for
from extractors.ocr.lines import bridge, connected, erase_rulings, find_rulings, not_through_text
from extractors.ocr.orient import upright_rotation
from extractors.ocr.rescue import rescue, spots
from extractors.ocr.resolution import page_dpi
from extractors.page import Char, PageContent
from pipeline.settings import Settings


def _steps_version() -> str:
    """Hash of the code of every step: a cached result of other code is never reused."""
    here = Path(__file__).resolve().parent
    h = hashlib.sha256()
    names = (
        "cleanup.py",
        "engines.py",
        "lines.py",
        "orient.py",
        "page.py",
        "rescue.py",
        "resolution.py",
        "symbols.py",
    )
    for name in names:
        h.update((here / name).read_bytes())
    h.update((here.parent / "lattice.py").read_bytes())  # rescue builds its tables with it
    return h.hexdigest()[:16]


STEPS_VERSION = _steps_version()
BRIDGE_GAP = 0.3  # inches: pieces of a ruling broken by a seal, a fold or faint ink are joined
GLANCE_RATIO = 20.0  # a glance reads text lines up to this many heights long (prose is longer)
MIN_READ_DPI = 200.0  # a coarser scan is read from a copy at this resolution
DET_DPI = Settings.ocr_det_dpi  # text is found at this resolution (the default of the setting)


@dataclass
class OcrChar(Char):
    conf: float = 1.0

    @property
    def anchor(self) -> tuple[float, float]:
        """The centre: an OCR box is the ink's (widened evenly, see `_char`), so the centre
        is where the character is; the start the text-PDF rule uses lies in the margin."""
        return self.cx, self.cy


@dataclass
class OcrPage:
    content: PageContent
    rotation: int = 0  # counter-clockwise degrees applied to make the page upright
    skew: float = 0.0
    seconds: float = 0.0
    cached: bool = False
    engine: str = ""
    dpi: float = 0.0  # the resolution the page was read at (from the image itself)
    frame_scale: float = 1.0  # file units per point: boxes x this are in the file's own frame
    partial: bool = False  # only glanced at: the short text lines read, no second look
    notes: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(c.text for c in self.content.chars)


def analyse(
    rgb: np.ndarray,
    dpi: float | None,
    number: int,
    engine: OcrEngine,
    orient: bool = True,
    cache_dir: Path | None = None,
    read_all: Callable[[OcrPage], bool] | None = None,
    det_dpi: float = DET_DPI,
) -> OcrPage:
    """OCR one page image (RGB or grey uint8); `number` is 1-based.  `dpi` is the resolution
    the file states for the image (None: none); the one used is decided from the image
    itself (see `resolution.page_dpi`).  Results are cached in `cache_dir` (None: not).

    With `read_all`, the page is first glanced at: its text lines up to GLANCE_RATIO long
    (cells, titles, headings; not running prose) are read, and `read_all` decides from that
    partial page (`partial` True) whether the rest is read too."""
    start = time.perf_counter()
    parts = (rgb.shape, dpi, engine.version, orient, STEPS_VERSION, float(det_dpi))
    key = cache.page_key(np.ascontiguousarray(rgb).tobytes(), *parts)
    glance_key = cache.page_key(np.ascontiguousarray(rgb).tobytes(), *parts, "glance")
    if cache_dir is not None:
        for k in (key, glance_key) if read_all else (key,):
            hit = cache.load(cache_dir, k)
            if hit is not None:
                page = _from_json(hit, number)
                if page.partial and read_all(page):
                    break  # the glance said: read it all (from scratch)
                page.seconds, page.cached = time.perf_counter() - start, True
                return page
    gray = remove_red(rgb)
    seal = red_mask(rgb) if rgb.ndim == 3 else None
    seal = seal.astype(np.uint8) * 255 if seal is not None and seal.any() else None
    true_dpi, _how = page_dpi(gray, dpi)
    frame = true_dpi / dpi if dpi else 1.0
    if true_dpi < 0.9 * MIN_READ_DPI:  # small signs are read better from a finer copy
        if seal is not None:
            seal = scale_to(seal, true_dpi, MIN_READ_DPI)
        gray, true_dpi = scale_to(gray, true_dpi, MIN_READ_DPI), MIN_READ_DPI
    rotation = 0
    if orient:
        rotation = upright_rotation(erase_rulings(gray, ink(gray), true_dpi), true_dpi, engine)[0]
    gray = rotate_quarter(gray, rotation)
    skew = estimate_skew(gray)
    gray = rotate_small(gray, skew)
    bw = ink(gray)
    px = true_dpi / 72.0
    hs, vs = find_rulings(bw, true_dpi)
    if seal is not None:  # what remains of a seal's strokes is no ruling
        seal = rotate_small(255 - rotate_quarter(seal, rotation), skew) < 128
        hs, vs = not_seal(hs, seal, horizontal=True), not_seal(vs, seal, horizontal=False)
    hs, vs = snap(hs, 3.0 * px, 6.0 * px), snap(vs, 3.0 * px, 6.0 * px)
    gap = BRIDGE_GAP * true_dpi
    hs, vs = bridge(hs, vs, gap, 3.0 * px, gap), bridge(vs, hs, gap, 3.0 * px, gap)
    hs, vs = connected(hs, vs, 3.0 * px, 2.0 * true_dpi)
    clean = erase_rulings(gray, bw, true_dpi)
    reader = LineReader(engine, clean, true_dpi, det_dpi)

    def page_of(glyphs: list[Glyph], partial: bool) -> OcrPage:
        k = 1.0 / px
        content = PageContent(
            number=number,
            width=gray.shape[1] * k,
            height=gray.shape[0] * k,
            chars=[_char(g, k) for g in glyphs],
            horizontals=[(p * k, a * k, b * k) for p, a, b in hs],
            verticals=[(p * k, a * k, b * k) for p, a, b in vs],
            bad_chars=0,
        )
        return OcrPage(
            content, rotation, skew, engine=engine.name, dpi=true_dpi, frame_scale=frame, partial=partial
        )

    if read_all is not None and reader.can_glance:
        page = page_of(reader.read(GLANCE_RATIO), partial=True)
        if not read_all(page):
            cache.store(cache_dir, glance_key, _to_json(page))
            page.seconds = time.perf_counter() - start
            return page
    glyphs = reader.read()
    boxes = [(g.x0, g.top, g.x1, g.bottom) for g in glyphs if g.conf >= 0.8]
    hs, vs = connected(*not_through_text(hs, vs, boxes), 3.0 * px, 2.0 * true_dpi)
    glyphs = rescue(engine, clean, glyphs, true_dpi, spots(hs, vs, glyphs, ink(clean), true_dpi))
    page = page_of(glyphs, partial=False)
    cache.store(cache_dir, key, _to_json(page))
    page.seconds = time.perf_counter() - start
    return page


def analyse_with(
    settings: Settings,
    rgb: np.ndarray,
    dpi: float | None,
    number: int,
    read_all: Callable[[OcrPage], bool] | None = None,
) -> OcrPage:
    """`analyse` with the engine, detection resolution and page cache the settings name."""
    return analyse(
        rgb,
        dpi,
        number,
        engine_for(settings),
        cache_dir=cache.cache_dir(settings.ocr_cache),
        read_all=read_all,
        det_dpi=settings.ocr_det_dpi,
    )


class LineReader:
    """The text lines of a cleaned page, found once and read in parts: `read(ratio)` reads
    the lines up to that length (in line heights) not yet read; `read()` all the rest.
    Text is found on the inked part of the page only (margins cost detection time and hold
    nothing), at `det_dpi`, and read from the full-resolution page.  An engine without separate
    detection reads the whole page at once."""

    def __init__(self, engine: OcrEngine, clean: np.ndarray, dpi: float, det_dpi: float = DET_DPI):
        self.engine, self.clean, self.dpi, self.det_dpi = engine, clean, dpi, det_dpi
        self.can_glance = hasattr(engine, "detect")
        self._boxes: list[np.ndarray] | None = None
        self._read: dict[int, list[Glyph]] = {}

    def _find(self) -> list[np.ndarray]:
        if self._boxes is None:
            x0, y0, x1, y1 = ink_box(self.clean, int(0.1 * self.dpi))
            self._boxes = []
            if x1 > x0 and y1 > y0:
                found = self.engine.detect(self.clean[y0:y1, x0:x1], min(1.0, self.det_dpi / self.dpi))
                self._boxes = [b + np.array([x0, y0], np.float32) for b in found]
        return self._boxes

    def read(self, max_ratio: float | None = None) -> list[Glyph]:
        if not self.can_glance:
            if -1 not in self._read:
                self._read[-1] = self.engine.read(self.clean)
            return list(self._read[-1])
        boxes = self._find()
        todo = [
            k
            for k, b in enumerate(boxes)
            if k not in self._read and (max_ratio is None or box_ratio(b) <= max_ratio)
        ]
        for k, glyphs in zip(todo, self.engine.recognize(self.clean, [boxes[k] for k in todo]), strict=True):
            self._read[k] = glyphs
        return [g for k in sorted(self._read) for g in self._read[k]]


def not_seal(segs: list[Segment], seal: np.ndarray, horizontal: bool) -> list[Segment]:
    """Ruling segments not drawn in seal ink: a segment whose line lies mostly (over 60%) on
    red-ink pixels is a stroke of a seal (a table ruling under a seal runs on past it)."""
    out = []
    h, w = seal.shape
    for pos, a, b in segs:
        p, lo, hi = int(round(pos)), max(0, int(a)), int(b) + 1
        line = (
            seal[min(max(p, 0), h - 1), lo : min(hi, w)]
            if horizontal
            else seal[lo : min(hi, h), min(max(p, 0), w - 1)]
        )
        near = line if line.size else np.zeros(1, bool)
        if near.mean() <= 0.6:
            out.append((pos, a, b))
    return out


def scale_to(gray: np.ndarray, dpi: float, target: float) -> np.ndarray:
    """A grey page image resampled from `dpi` to `target` dpi (enlarged bilinearly, as PDFium
    renders: bicubic overshoot darkens the JPEG noise around strokes)."""
    f = target / dpi
    size = (max(1, round(gray.shape[1] * f)), max(1, round(gray.shape[0] * f)))
    return cv2.resize(gray, size, interpolation=cv2.INTER_LINEAR if f > 1 else cv2.INTER_AREA)


def ink_box(gray: np.ndarray, margin: int) -> tuple[int, int, int, int]:
    """Box of everything darker than paper on a page (with a margin), in pixels."""
    dark = gray < max(0, int(np.percentile(gray, 90)) - 60)
    rows, cols = np.flatnonzero(dark.any(axis=1)), np.flatnonzero(dark.any(axis=0))
    if not len(rows):
        return 0, 0, 0, 0
    h, w = gray.shape[:2]
    return (
        max(0, int(cols[0]) - margin),
        max(0, int(rows[0]) - margin),
        min(w, int(cols[-1]) + 1 + margin),
        min(h, int(rows[-1]) + 1 + margin),
    )


def _char(g: Glyph, k: float) -> OcrChar:
    """A glyph in points.  A CJK glyph's ink box is widened to its advance (about its
    height): narrow ink (`一`, `川`) would otherwise read as a gap, and a gap as a space."""
    x0, x1 = g.x0, g.x1
    h = g.bottom - g.top
    if len(g.text) == 1 and "\u3400" <= g.text <= "\u9fff" and x1 - x0 < 0.85 * h:
        cx = (x0 + x1) / 2
        x0, x1 = cx - 0.425 * h, cx + 0.425 * h
    return OcrChar(g.text, x0 * k, g.top * k, x1 * k, g.bottom * k, None, g.conf)


def snap(segs: list[Segment], tol: float, gap: float) -> list[Segment]:
    """Scanned rulings are wobbly and broken: segments within `tol` of one line get its
    mean position, and pieces of one line less than `gap` apart are joined."""
    out: list[Segment] = []
    for group in chain(sorted(segs), tol, key=lambda s: s[0]):
        pos = sum(s[0] * (s[2] - s[1]) for s in group) / max(sum(s[2] - s[1] for s in group), 1e-6)
        out.extend(join_spans(pos, sorted((s[1], s[2]) for s in group), gap))
    return out


def _to_json(page: OcrPage) -> dict:
    c = page.content
    return {
        "width": c.width,
        "height": c.height,
        "chars": [[ch.text, ch.x0, ch.top, ch.x1, ch.bottom, ch.conf] for ch in c.chars],
        "h": c.horizontals,
        "v": c.verticals,
        "rotation": page.rotation,
        "skew": page.skew,
        "engine": page.engine,
        "dpi": page.dpi,
        "frame_scale": page.frame_scale,
        "partial": page.partial,
    }


def _from_json(d: dict, number: int) -> OcrPage:
    chars = [OcrChar(t, x0, y0, x1, y1, None, cf) for t, x0, y0, x1, y1, cf in d["chars"]]
    content = PageContent(
        number, d["width"], d["height"], chars, [tuple(s) for s in d["h"]], [tuple(s) for s in d["v"]], 0
    )
    return OcrPage(
        content,
        d["rotation"],
        d["skew"],
        engine=d["engine"],
        dpi=d["dpi"],
        frame_scale=d["frame_scale"],
        partial=d["partial"],
    )
