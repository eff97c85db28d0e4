"""Low-level page reading with PDFium: characters with boxes and ruling segments.

PDFium is a C library: reading a page this way is an order of magnitude faster than
pdfminer (which pdfplumber builds on) and decodes many fonts that lack a ToUnicode map.
All coordinates are returned in the *displayed* page frame (page rotation applied),
top-left origin, in PDF points.
"""

from __future__ import annotations

import ctypes
import re

import pypdfium2 as pdfium
import pypdfium2.raw as raw

from extractors import objects
from extractors.lattice import Segment
from extractors.page import Char, PageContent


class _Frame:
    """Maps PDF user space (bottom-left origin) to the displayed, rotated, top-left frame."""

    def __init__(self, page: pdfium.PdfPage):
        self.w, self.h = page.get_size()
        left, bottom, right, top = page.get_bbox()
        self.ox, self.oy = left, bottom
        self.w, self.h = right - left, top - bottom
        self.rot = page.get_rotation() % 360

    @property
    def size(self) -> tuple[float, float]:
        return (self.h, self.w) if self.rot in (90, 270) else (self.w, self.h)

    def point(self, x: float, y: float) -> tuple[float, float]:
        x, y = x - self.ox, y - self.oy
        if self.rot == 90:
            return y, x
        if self.rot == 180:
            return self.w - x, y
        if self.rot == 270:
            return self.h - y, self.w - x
        return x, self.h - y

    def box(self, left: float, bottom: float, right: float, top: float) -> tuple[float, float, float, float]:
        (ax, ay), (bx, by) = self.point(left, bottom), self.point(right, top)
        return min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)


def _clip_box(obj, frame: _Frame, pt: tuple[ctypes.c_float, ctypes.c_float]) -> tuple[float, ...] | None:
    """Box of an object's innermost clip path (the one a table cell sets), in the display frame.
    Outer clip paths are page- or table-sized; off-page glyphs are dropped separately."""
    cp = raw.FPDFPageObj_GetClipPath(obj)
    if not cp:
        return None
    n = raw.FPDFClipPath_CountPaths(cp)
    if n <= 0:
        return None
    x, y = pt
    xs, ys = [], []
    count = raw.FPDFClipPath_CountPathSegments(cp, n - 1)
    # a rectangle (4 or 5 segments): two opposite corners give its box
    for j in (0, 2) if count in (4, 5) else range(count):
        seg = raw.FPDFClipPath_GetPathSegment(cp, n - 1, j)
        if seg and raw.FPDFPathSegment_GetPoint(seg, x, y):
            xs.append(x.value)
            ys.append(y.value)
    if not xs:
        return None
    return frame.box(min(xs), min(ys), max(xs), max(ys))


def _overflows(clip: tuple[float, ...], x0: float, y0: float, x1: float, y1: float) -> bool:
    """Whether a glyph outside its clip box is text running over the box's edge: on the box's
    row band (a long line), or within three lines below or above it (wrapped text)."""
    if y0 < clip[3] and y1 > clip[1]:
        return True
    gap = max(clip[1] - y1, y0 - clip[3])
    return x0 < clip[2] and x1 > clip[0] and gap <= 3 * (y1 - y0)


def read_chars(page: pdfium.PdfPage, frame: _Frame) -> tuple[list[Char], int]:
    """Visible characters.  Glyphs outside their clip region are not shown on the page: those
    clipped by a page-sized region are dropped (text of a cell continued from another page);
    those clipped by a cell-sized region keep belonging to that cell when they overflow it
    (they share its row band, or run a few lines past its bottom or top), and are dropped
    when they lie elsewhere."""
    tp = page.get_textpage()
    pw, ph = frame.size
    page_area = pw * ph
    pt = (ctypes.c_float(), ctypes.c_float())
    clips: dict[int, tuple[float, ...] | None] = {}
    try:
        n = tp.count_chars()
        chars: list[Char] = []
        bad = 0
        seen: set[tuple[str, int, int]] = set()
        for i in range(n):
            code = raw.FPDFText_GetUnicode(tp.raw, i)
            if code in (0, 0xFFFE, 0xFFFF) or 0xE000 <= code <= 0xF8FF or code == 0xFFFD:
                bad += 1
                continue
            ch = chr(code)
            if ch in "\r\n\x02" or ch.isspace():
                continue
            if raw.FPDFText_IsGenerated(tp.raw, i):
                continue
            left, bottom, right, top = tp.get_charbox(i, loose=True)
            if right <= left and top <= bottom:
                continue
            x0, y0, x1, y1 = frame.box(left, bottom, right, top)
            key = (ch, round(x0), round(y0))
            if key in seen:  # fake bold: the same glyph drawn twice
                continue
            cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
            if not (0 <= cx <= pw and 0 <= cy <= ph):
                continue  # off the page
            obj = raw.FPDFText_GetTextObject(tp.raw, i)
            clip = None
            if obj:
                addr = ctypes.addressof(obj.contents)
                if addr not in clips:
                    clips[addr] = _clip_box(obj, frame, pt)
                clip = clips[addr]
            if clip is not None and not (clip[0] <= cx <= clip[2] and clip[1] <= cy <= clip[3]):
                if (clip[2] - clip[0]) * (clip[3] - clip[1]) > 0.25 * page_area:
                    continue  # hidden by a page-sized clip
                if not _overflows(clip, x0, y0, x1, y1):
                    continue  # hidden, and away from its cell: not text overflowing it
            else:
                clip = None
            seen.add(key)
            chars.append(Char(ch, x0, y0, x1, y1, clip))
        return chars, bad
    finally:
        tp.close()


def read_segments(
    page: pdfium.PdfPage, frame: _Frame, max_thickness: float = 3.0
) -> tuple[list[Segment], list[Segment]]:
    """Axis-aligned ruling segments drawn by path objects (stroked lines, thin filled
    rectangles, and the sides of cell rectangles)."""
    hs: list[Segment] = []
    vs: list[Segment] = []
    x, y = ctypes.c_float(), ctypes.c_float()
    rd = objects.Reader()
    for obj, kind in objects.walk(page.raw):
        if kind != raw.FPDF_PAGEOBJ_PATH:
            continue
        left, bottom, right, top = rd.bounds(obj)
        x0, y0, x1, y1 = frame.box(left, bottom, right, top)
        w, h = x1 - x0, y1 - y0
        if w <= max_thickness and h > max_thickness:
            vs.append(((x0 + x1) / 2, y0, y1))
            continue
        if h <= max_thickness and w > max_thickness:
            hs.append(((y0 + y1) / 2, x0, x1))
            continue
        if w <= max_thickness and h <= max_thickness:
            continue
        # A larger path: walk its segments (rectangles, polylines, whole grids in one path).
        ma, mb, mc, md, me, mf = rd.matrix(obj)
        n = raw.FPDFPath_CountSegments(obj)
        pts: list[tuple[float, float]] = []
        start: tuple[float, float] | None = None
        for i in range(n):
            seg = raw.FPDFPath_GetPathSegment(obj, i)
            raw.FPDFPathSegment_GetPoint(seg, x, y)
            px = ma * x.value + mc * y.value + me
            py = mb * x.value + md * y.value + mf
            p = frame.point(px, py)
            kind = raw.FPDFPathSegment_GetType(seg)
            if kind == raw.FPDF_SEGMENT_MOVETO or not pts:
                start = p
                pts = [p]
            else:
                _add_line(pts[-1], p, hs, vs)
                pts.append(p)
            if raw.FPDFPathSegment_GetClose(seg) and start is not None:
                _add_line(p, start, hs, vs)
    return hs, vs


def _add_line(a: tuple[float, float], b: tuple[float, float], hs: list[Segment], vs: list[Segment]) -> None:
    (ax, ay), (bx, by) = a, b
    if abs(ay - by) <= 0.5 and abs(ax - bx) > 0.5:
        hs.append(((ay + by) / 2, min(ax, bx), max(ax, bx)))
    elif abs(ax - bx) <= 0.5 and abs(ay - by) > 0.5:
        vs.append(((ax + bx) / 2, min(ay, by), max(ay, by)))


# Latin base-14 fonts are never embedded and are decoded fine; a CJK font that is not
# embedded makes PDFium drop some glyphs (seen: single-character lines of STSong-Light).
_BASE14 = re.compile(r"^(Times|Helvetica|Arial|Courier|Symbol|ZapfDingbats)", re.I)


def has_unembedded_cjk_font(page: pdfium.PdfPage) -> bool:
    buf = ctypes.create_string_buffer(128)
    seen: set[int] = set()
    for obj, kind in objects.walk(page.raw):
        if kind != raw.FPDF_PAGEOBJ_TEXT:
            continue
        font = raw.FPDFTextObj_GetFont(obj)
        if not font:
            continue
        key = ctypes.cast(font, ctypes.c_void_p).value or 0
        if key in seen:
            continue
        seen.add(key)
        if raw.FPDFFont_GetIsEmbedded(font):
            continue
        raw.FPDFFont_GetBaseFontName(font, buf, len(buf))
        if not _BASE14.match(buf.value.decode("latin-1", "replace")):
            return True
    return False


def pdfminer_chars(plumber_page, frame: _Frame) -> list[Char]:
    """Characters as pdfminer decodes them (slower; used where PDFium is known to drop glyphs)."""
    out: list[Char] = []
    for c in plumber_page.chars:
        t = c.get("text") or ""
        if not t or t.isspace():
            continue
        x0, y0, x1, y1 = frame.box(
            c["x0"] + frame.ox, c["y0"] + frame.oy, c["x1"] + frame.ox, c["y1"] + frame.oy
        )
        out.append(Char(t, x0, y0, x1, y1))
    return out


def read_page(
    pdf: pdfium.PdfDocument, index: int, with_segments: bool = True, plumber_doc=None
) -> PageContent:
    """A page's characters and ruling segments.  `plumber_doc` (an open pdfplumber PDF) is
    the fallback decoder for pages whose fonts PDFium is known to mishandle."""
    page = pdf[index]
    try:
        frame = _Frame(page)
        chars, bad = read_chars(page, frame)
        if plumber_doc is not None and has_unembedded_cjk_font(page):
            # compare the two decoders on this page and keep the better one
            alt = pdfminer_chars(plumber_doc.pages[index], frame)
            alt_bad = sum(1 for c in alt if c.text.startswith("(cid:") or c.text == "\ufffd")
            if alt_bad <= bad and len(alt) - alt_bad >= len(chars):
                chars, bad = [c for c in alt if not c.text.startswith("(cid:")], alt_bad
        hs, vs = read_segments(page, frame) if with_segments else ([], [])
        w, h = frame.size
        return PageContent(index + 1, w, h, chars, hs, vs, bad)
    finally:
        page.close()


def page_text(pdf: pdfium.PdfDocument, index: int) -> str:
    """The page's text in reading order (fast; for triage)."""
    page = pdf[index]
    try:
        tp = page.get_textpage()
        try:
            return tp.get_text_range()
        finally:
            tp.close()
    finally:
        page.close()
