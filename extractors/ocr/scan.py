"""PDF pages without a usable text layer: each is glanced at once (its short text lines
read) and read in full only when the page triage may pick it; its repaired text goes to the
triage and, when the page is chosen, its grids to the rebuilder.

The OCR stack (OpenCV, engines) is imported on first use: a machine where it cannot load
still reads text PDFs, and its scanned pages are noted as failed."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

import pypdfium2 as pdfium

from extractors.ocr.quality import Verdict, judge
from extractors.ocr.render import image_cover, page_image, path_objects
from extractors.triage import score
from pipeline.errors import ExtractionError, one_line
from pipeline.model import Grid

if TYPE_CHECKING:
    from extractors.ocr.page import OcrPage
    from pipeline.settings import Settings

log = logging.getLogger("pipeline")


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
    reading.  Pages are OCR'd in order, each first glanced at (its short text lines read);
    only a page the triage may pick (its vocabulary, or the page after one that has it) is
    read in full.  `grids(i)` gives the grids of an OCR page (read in full on demand);
    failures become `notes`.  Pages that are not one image are rendered at the `ocr_dpi`
    setting; `settings` also name the engine and the page cache."""

    def __init__(self, pdf: pdfium.PdfDocument, texts: list[str], settings: Settings):
        self.pdf = pdf
        self.settings = settings
        self.texts = list(texts)
        self.notes: list[str] = []
        self._grids: dict[int, list[Grid] | None] = {}
        self._partial: set[int] = set()
        self.verdicts = [page_verdict(pdf, i, text) for i, text in enumerate(texts)]
        prev_hit = False
        for i, v in enumerate(self.verdicts):
            if not v.usable:
                self._read(i, glance=prev_hit)
            prev_hit = score(self.texts[i]) >= 2

    def needs_ocr(self, i: int) -> bool:
        return not self.verdicts[i].usable

    @property
    def ocr_pages(self) -> int:
        """Pages whose text came from OCR (glanced at or read in full)."""
        return sum(1 for g in self._grids.values() if g is not None)

    @property
    def glanced(self) -> int:
        """Pages only glanced at (the triage ruled them out)."""
        return len(self._partial)

    def grids(self, i: int) -> list[Grid]:
        if i in self._partial:
            self._partial.discard(i)
            self._grids.pop(i, None)
        return self._read(i) or []

    def _read(self, i: int, glance: bool | None = None) -> list[Grid] | None:
        """OCR page `i` (once).  `glance`: None reads it in full; else it is glanced at and
        read in full when its glance has target vocabulary, or when `glance` is True (the
        page before it had)."""
        if i not in self._grids:
            want = None if glance is None else (lambda page, after=glance: after or _hit(page))
            page = self._ocr(i, want)
            self._grids[i] = None if page is None else self._page_grids(page)
            if page is not None:
                self.texts[i] = _text(self._grids[i])
                if page.partial:
                    self._partial.add(i)
        return self._grids[i]

    @staticmethod
    def _page_grids(page: OcrPage) -> list[Grid]:
        from extractors.ocr.grids import ocr_page_grids

        return ocr_page_grids(page)

    def _ocr(self, i: int, read_all: Callable[[OcrPage], bool] | None) -> OcrPage | None:
        try:
            from extractors.ocr.page import analyse_with

            rgb, dpi = page_image(self.pdf, i, self.settings.ocr_dpi)
            return analyse_with(self.settings, rgb, dpi, i + 1, read_all=read_all)
        except ExtractionError as e:
            self._note(i, str(e))
        except Exception as e:  # noqa: BLE001 - one broken page never stops a document
            log.debug("OCR failed on page %d", i + 1, exc_info=True)
            self._note(i, f"{type(e).__name__}: {e}")
        return None

    def _note(self, i: int, msg: str) -> None:
        self.notes.append(f"page {i + 1}: OCR failed ({one_line(msg, 200) or 'unknown error'})")


def _text(grids: list[Grid] | None) -> str:
    return "\n".join(c.text for g in grids or [] for c in g.cells)


def _hit(page: OcrPage) -> bool:
    """Whether a glanced-at page has the triage's target vocabulary."""
    from extractors.ocr.grids import ocr_page_grids

    return score(_text(ocr_page_grids(page))) >= 2
