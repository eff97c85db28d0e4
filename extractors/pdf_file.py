"""PDF files: pages are triaged by vocabulary; text-layer pages are read with PDFium
(`extractors.pdf`), pages without a usable text layer are OCR'd (`extractors.ocr`); both give
the same page model, whose ruled tables and running text `extractors.grids` turns into `Grid`s
with page and box provenance.
"""

from __future__ import annotations

from pathlib import Path

import pdfplumber

from extractors.base import Reader
from extractors.grids import page_grids
from extractors.pdf import open_pdf
from extractors.pdf.reader import page_text, read_page
from extractors.triage import candidate_pages
from pipeline.errors import ExtractionError
from pipeline.model import Grid, SourceDocument


def _runs_to_foot(grids: list[Grid], height: float) -> bool:
    return any(g.kind == "table" and g.bbox is not None and g.bbox[3] >= 0.75 * height for g in grids)


class PdfReader(Reader):
    kinds = ("pdf",)

    def read(self, path: Path) -> SourceDocument:
        from extractors.ocr.scan import ScannedPages  # OCR stack (OpenCV, engines) loaded on demand

        pdf, source = open_pdf(path)
        try:
            n = len(pdf)
            if n == 0:
                raise ExtractionError("PDF has no pages")
            texts = [page_text(pdf, i) for i in range(n)]
            # pages without a usable text layer are OCR'd (a quick pass for triage, a full one for tables)
            scans = ScannedPages(pdf, texts, self.settings)
            grids = []
            todo = candidate_pages(scans.texts)
            with pdfplumber.open(source) as plumber_doc:
                k = 0
                while k < len(todo):
                    i = todo[k]
                    k += 1
                    if scans.needs_ocr(i):
                        grids.extend(scans.grids(i))
                        continue
                    page = read_page(pdf, i, plumber_doc=plumber_doc)
                    found = page_grids(page)
                    grids.extend(found)
                    # a table that runs to the foot of the page may go on over the next pages, which
                    # need not carry any target vocabulary (a long list without its header)
                    nxt = i + 1
                    if (
                        nxt < n
                        and nxt not in todo
                        and scans.texts[nxt].strip()
                        and _runs_to_foot(found, page.height)
                    ):
                        todo.insert(k, nxt)
            return SourceDocument(
                grids=grids,
                source_format="pdf",
                pages=n,
                heading=scans.texts[0][:300],
                ocr_pages=scans.ocr_pages,
                notes=scans.notes,
            )
        finally:
            pdf.close()
