"""PDF pages without a usable text layer: each is OCR'd once; its repaired text goes to the
page triage and, when the page is chosen, its grids to the rebuilder.

The OCR stack (OpenCV, engines) is imported on first use: a machine where it cannot load
still reads text PDFs, and its scanned pages are noted as failed."""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

import pypdfium2 as pdfium

from extractors.ocr.quality import Verdict, judge
from extractors.ocr.render import image_cover, native_dpi, path_objects, render_dpi, render_page
from pipeline.errors import ExtractionError
from pipeline.model import Grid

if TYPE_CHECKING:
    from extractors.ocr.page import OcrPage

log = logging.getLogger("pipeline")

OCR_DPI = int(os.environ.get("PERF_TARGETS_OCR_DPI", "200"))  # pages that are not one image


def page_verdict(pdf: pdfium.PdfDocument, i: int, text: str) -> Verdict:
    """Whether page `i`'s text layer is usable (see extractors.ocr.quality)."""
    w, h = pdf.get_page_size(i)
    # the image share matters only for a page with little text (see quality.judge)
    sparse = sum(not c.isspace() for c in text) < w * h / 1000
    cover = image_cover(pdf, i) if sparse else 0.0
    verdict = judge(text, cover, w * h)
    if not verdict.usable and verdict.reason == "no text":  # blank, or drawn as outlines?
        verdict = judge(text, cover, w * h, paths=path_objects(pdf, i))
    return verdict


class ScannedPages:
    """Per-page choice between text layer and OCR for one PDF.

    `texts` are the page texts for triage: the text layer where usable, else the OCR
    reading.  `grids(i)` gives the grids of an OCR page; failures become `notes`."""

    def __init__(self, pdf: pdfium.PdfDocument, texts: list[str]):
        self.pdf = pdf
        self.texts = list(texts)
        self.notes: list[str] = []
        self._grids: dict[int, list[Grid] | None] = {}
        self.verdicts = [page_verdict(pdf, i, text) for i, text in enumerate(texts)]
        for i, v in enumerate(self.verdicts):
            if not v.usable:
                grids = self._read(i)
                self.texts[i] = "\n".join(c.text for g in grids or [] for c in g.cells)

    def needs_ocr(self, i: int) -> bool:
        return not self.verdicts[i].usable

    @property
    def ocr_pages(self) -> int:
        """Pages whose text came from OCR."""
        return sum(1 for g in self._grids.values() if g is not None)

    def grids(self, i: int) -> list[Grid]:
        return self._read(i) or []

    def _read(self, i: int) -> list[Grid] | None:
        if i not in self._grids:
            page = self._ocr(i)
            self._grids[i] = None if page is None else self._page_grids(page)
        return self._grids[i]

    @staticmethod
    def _page_grids(page: OcrPage) -> list[Grid]:
        from extractors.ocr.grids import ocr_page_grids

        return ocr_page_grids(page)

    def _ocr(self, i: int) -> OcrPage | None:
        try:
            from extractors.ocr.engines import get_engine
            from extractors.ocr.page import analyse

            dpi = render_dpi(native_dpi(self.pdf, i), OCR_DPI)
            return analyse(render_page(self.pdf, i, dpi), dpi, i + 1, get_engine())
        except ExtractionError as e:
            self._note(i, str(e))
        except Exception as e:  # noqa: BLE001 - one broken page never stops a document
            log.debug("OCR failed on page %d", i + 1, exc_info=True)
            self._note(i, f"{type(e).__name__}: {e}")
        return None

    def _note(self, i: int, msg: str) -> None:
        first = msg.strip().splitlines()[0][:200] if msg.strip() else "unknown error"
        self.notes.append(f"page {i + 1}: OCR failed ({first})")
