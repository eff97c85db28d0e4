"""An OCR'd page → grids (the text-PDF grid builder), with OCR confidence and repairs."""

from __future__ import annotations

from extractors.ocr.page import OcrChar, OcrPage
from extractors.ocr.repair import repair_grids
from extractors.pdf.grids import page_grids
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
    return repair_grids(grids)
