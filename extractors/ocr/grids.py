"""An OCR'd page → grids (the shared grid builder, as for a text PDF), with OCR confidence and repairs."""

from __future__ import annotations

from extractors.grids import page_grids
from extractors.ocr.page import OcrChar, OcrPage
from extractors.ocr.repair import repair_grids
from pipeline.model import Grid


def ocr_page_grids(page: OcrPage) -> list[Grid]:
    grids = page_grids(page.content)
    chars = [c for c in page.content.chars if isinstance(c, OcrChar)]
    for g in grids:
        for cell in g.cells:
            if cell.bbox is None or not cell.text.strip():
                continue
            x0, y0, x1, y1 = cell.bbox
            confs = [
                c.conf for c in chars if x0 - 1 <= c.anchor[0] <= x1 + 1 and y0 - 1 <= c.anchor[1] <= y1 + 1
            ]
            if confs:
                cell.confidence = round(min(confs), 4)
    if abs(page.frame_scale - 1.0) > 1e-6:  # boxes in the file's own frame (provenance)
        f = page.frame_scale
        for g in grids:
            g.bbox = _scaled(g.bbox, f)
            for cell in g.cells:
                cell.bbox = _scaled(cell.bbox, f)
    return repair_grids(grids)


def _scaled(
    box: tuple[float, float, float, float] | None, f: float
) -> tuple[float, float, float, float] | None:
    return None if box is None else (box[0] * f, box[1] * f, box[2] * f, box[3] * f)
