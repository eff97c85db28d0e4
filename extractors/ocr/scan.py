"""PDF pages without a usable text layer: choose them, triage them by a cheap OCR pass, and
turn the chosen ones into grids by a full OCR pass."""

from __future__ import annotations

import logging
import os

import pypdfium2 as pdfium

from extractors.ocr.engines import get_engine
from extractors.ocr.grids import ocr_page_grids
from extractors.ocr.page import OcrPage, analyse
from extractors.ocr.quality import Verdict, judge
from extractors.ocr.render import image_cover, path_objects, render_page
from pipeline.errors import ExtractionError
from pipeline.model import Grid

log = logging.getLogger("pipeline")

OCR_DPI = int(os.environ.get("PERF_TARGETS_OCR_DPI", "200"))
TRIAGE_DPI = int(os.environ.get("PERF_TARGETS_OCR_TRIAGE_DPI", "200"))


def page_verdict(pdf: pdfium.PdfDocument, i: int, text: str) -> Verdict:
    """Whether page `i`'s text layer is usable (see extractors.ocr.quality)."""
    w, h = pdf[i].get_size()
    cover = image_cover(pdf, i)
    verdict = judge(text, cover, w * h)
    if not verdict.usable and verdict.reason == "no text":  # blank, or drawn as outlines?
        verdict = judge(text, cover, w * h, paths=path_objects(pdf, i))
    return verdict


class ScannedPages:
    """Per-page choice between text layer and OCR for one PDF.

    `texts` are the page texts for triage: the text layer where usable, else a quick OCR
    reading.  `grids(i)` gives the grids of an OCR page; failures become `notes`."""

    def __init__(self, pdf: pdfium.PdfDocument, texts: list[str]):
        self.pdf = pdf
        self.texts = list(texts)
        self.notes: list[str] = []
        self.ocr_done: set[int] = set()
        self._pages: dict[int, OcrPage | None] = {}
        self.verdicts = [page_verdict(pdf, i, text) for i, text in enumerate(texts)]
        for i, v in enumerate(self.verdicts):
            if not v.usable:
                self.texts[i] = self._triage_text(i)

    def needs_ocr(self, i: int) -> bool:
        return not self.verdicts[i].usable

    @property
    def ocr_pages(self) -> int:
        return len(self.ocr_done)

    def _ocr(self, i: int, dpi: int) -> OcrPage | None:
        key = i if dpi == OCR_DPI else -1 - i
        if key in self._pages:
            return self._pages[key]
        try:
            engine = get_engine()
            page = analyse(render_page(self.pdf, i, dpi), dpi, i + 1, engine)
        except ExtractionError as e:
            self._note(i, str(e))
            page = None
        except Exception as e:  # noqa: BLE001 - one broken page never stops a document
            log.debug("OCR failed on page %d", i + 1, exc_info=True)
            self._note(i, f"{type(e).__name__}: {e}")
            page = None
        if page is None:
            self._pages[key] = self._pages[-1 - i if key == i else i] = None
            return None
        self.ocr_done.add(i)
        self._pages[key] = page
        return page

    def _note(self, i: int, msg: str) -> None:
        first = msg.strip().splitlines()[0][:200] if msg.strip() else "unknown error"
        self.notes.append(f"page {i + 1}: OCR failed ({first})")

    def _triage_text(self, i: int) -> str:
        """The page's text after the OCR repairs (a title one character off still counts)."""
        page = self._ocr(i, TRIAGE_DPI)
        if page is None:
            return ""
        return "\n".join(c.text for g in ocr_page_grids(page) for c in g.cells)

    def grids(self, i: int) -> list[Grid]:
        page = self._ocr(i, OCR_DPI)
        return ocr_page_grids(page) if page else []
