"""Image files (.png, .jpg, .tif): each picture (each frame of a multi-page TIFF) is one
page, OCR'd like a scanned PDF page."""

from __future__ import annotations

import logging
from pathlib import Path

from extractors.base import Reader
from extractors.ocr.engines import engine_for
from extractors.ocr.grids import ocr_page_grids
from extractors.ocr.page import analyse_with
from extractors.ocr.render import load_images, reduce
from pipeline.errors import ExtractionError, one_line
from pipeline.model import SourceDocument

log = logging.getLogger("pipeline")


class ImageReader(Reader):
    kinds = ("image",)

    def read(self, path: Path) -> SourceDocument:
        pages = load_images(path)
        engine_for(self.settings)  # an engine that cannot load fails the document at once
        grids, notes, texts = [], [], []
        for k, (rgb, dpi) in enumerate(pages):
            try:
                rgb, dpi = reduce(rgb, dpi)  # read at the image's own resolution
                page = analyse_with(self.settings, rgb, dpi, k + 1)
            except ExtractionError as e:
                notes.append(f"page {k + 1}: OCR failed ({e})")
                continue
            except Exception as e:  # noqa: BLE001 - one broken page never stops a document
                log.debug("OCR failed on page %d of %s", k + 1, path, exc_info=True)
                notes.append(f"page {k + 1}: OCR failed ({type(e).__name__}: {one_line(str(e), 200)})")
                continue
            texts.append(page.text)
            grids.extend(ocr_page_grids(page))
        if not texts:
            raise ExtractionError(notes[0] if len(notes) == 1 else f"OCR failed on every page ({notes[0]})")
        return SourceDocument(
            grids=grids,
            source_format="image",
            pages=len(pages),
            ocr_pages=len(texts),
            notes=notes,
            heading=texts[0][:300],
        )
