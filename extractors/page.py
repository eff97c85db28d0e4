"""The page model every reader produces: characters with boxes and ruling segments.

A text-layer PDF page (`extractors.pdf.reader`) and an OCR'd page image
(`extractors.ocr.page`) both become a `PageContent`; `extractors.grids` rebuilds its tables
and running text the same way whichever produced it.  Coordinates are in points, top-left
origin, in the displayed (upright) page frame.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from extractors.lattice import Segment

BBox = tuple[float, float, float, float]  # x0, top, x1, bottom


def union(boxes: Iterable[tuple[float, ...] | None]) -> BBox | None:
    """The smallest box holding every given box (None entries skipped); None when there is none."""
    known = [b for b in boxes if b is not None]
    if not known:
        return None
    return (
        min(b[0] for b in known),
        min(b[1] for b in known),
        max(b[2] for b in known),
        max(b[3] for b in known),
    )


@dataclass
class Char:
    """A glyph with its box.  `clip` is the box of the clip region it is drawn in, when that
    region is small (a table cell): text overflowing a cell stays that cell's text."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    clip: tuple[float, float, float, float] | None = None

    @property
    def anchor(self) -> tuple[float, float]:
        """The point that decides which cell the glyph belongs to."""
        if self.clip is not None:
            cl = self.clip
            if not (cl[0] <= self.cx <= cl[2] and cl[1] <= self.cy <= cl[3]):
                return (cl[0] + cl[2]) / 2, (cl[1] + cl[3]) / 2
        # a glyph that overflows a cell's right border belongs to the cell it starts in
        return min(self.cx, self.x0 + 1.0), self.cy

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass
class PageContent:
    number: int  # 1-based
    width: float
    height: float
    chars: list[Char]
    horizontals: list[Segment]
    verticals: list[Segment]
    bad_chars: int  # characters PDFium could not map to Unicode
