"""Walking a page's objects through PDFium's C API directly.

pypdfium2's `get_objects()` wraps every object in Python objects; on table pages with
thousands of glyph and line objects that wrapping costs more than the reading itself.
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterator

import pypdfium2.raw as raw

Box = tuple[float, float, float, float]


def walk(page_raw, max_depth: int = 4) -> Iterator[tuple[object, int]]:
    """(object handle, object type) for every object of a page, descending into forms."""
    for i in range(raw.FPDFPage_CountObjects(page_raw)):
        yield from _walk(raw.FPDFPage_GetObject(page_raw, i), max_depth)


def _walk(obj, depth: int) -> Iterator[tuple[object, int]]:
    kind = raw.FPDFPageObj_GetType(obj)
    yield obj, kind
    if kind == raw.FPDF_PAGEOBJ_FORM and depth > 0:
        for j in range(raw.FPDFFormObj_CountObjects(obj)):
            yield from _walk(raw.FPDFFormObj_GetObject(obj, j), depth - 1)


class Reader:
    """Reusable ctypes buffers for bounds and matrices."""

    def __init__(self):
        self._l, self._b, self._r, self._t = (ctypes.c_float() for _ in range(4))
        self._m = raw.FS_MATRIX()

    def bounds(self, obj) -> Box:
        """(left, bottom, right, top) in PDF user space."""
        raw.FPDFPageObj_GetBounds(obj, self._l, self._b, self._r, self._t)
        return self._l.value, self._b.value, self._r.value, self._t.value

    def matrix(self, obj) -> tuple[float, float, float, float, float, float]:
        raw.FPDFPageObj_GetMatrix(obj, self._m)
        m = self._m
        return m.a, m.b, m.c, m.d, m.e, m.f


def count(page_raw, kind: int, cap: int = 1_000_000) -> int:
    """Objects of one type on a page (counting stops at `cap`)."""
    n = 0
    for _, k in walk(page_raw):
        if k == kind:
            n += 1
            if n >= cap:
                break
    return n


def image_area(page_raw, width: float, height: float) -> float:
    """Area of the page covered by image objects (overlaps not subtracted)."""
    rd = Reader()
    area = 0.0
    for obj, k in walk(page_raw):
        if k == raw.FPDF_PAGEOBJ_IMAGE:
            left, bottom, right, top = rd.bounds(obj)
            area += max(0.0, min(right, width) - max(left, 0.0)) * max(
                0.0, min(top, height) - max(bottom, 0.0)
            )
    return area
