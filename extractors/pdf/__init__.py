"""Text-layer PDFs: triage pages by vocabulary, rebuild ruled tables from vector lines.

read (PDFium chars + ruling segments) → lattice tables → `Grid`s with page and box
provenance, plus the running-text lines around them (titles, year lines, unit notes).
"""

from __future__ import annotations

import io
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium

from extractors.pdf.grids import page_grids
from extractors.pdf.reader import page_text, read_page
from extractors.pdf.repair import repaired
from extractors.pdf.triage import candidate_pages
from pipeline.errors import ExtractionError
from pipeline.model import Grid, SourceDocument


def open_pdf(path: Path) -> tuple[pdfium.PdfDocument, str | io.BytesIO]:
    """The document, and what pdfplumber should open: the path, or the repaired bytes of a
    damaged PDF that qpdf could rebuild."""
    try:
        return pdfium.PdfDocument(str(path)), str(path)
    except pdfium.PdfiumError as e:
        msg = str(e).lower()
        if "password" in msg:
            raise ExtractionError("encrypted PDF (password required)") from None
        data = repaired(path)
        if data is not None:
            try:
                return pdfium.PdfDocument(data), io.BytesIO(data)
            except pdfium.PdfiumError:
                pass
        if "format" in msg or "file" in msg:
            raise ExtractionError("damaged or truncated PDF (cannot be parsed or repaired)") from None
        raise ExtractionError(f"unreadable PDF ({e})") from None


def _runs_to_foot(grids: list[Grid], height: float) -> bool:
    return any(g.kind == "table" and g.bbox is not None and g.bbox[3] >= 0.75 * height for g in grids)


def extract(path: Path) -> SourceDocument:
    from extractors.ocr.scan import ScannedPages  # OCR stack (OpenCV, engines) loaded on demand

    pdf, source = open_pdf(path)
    try:
        n = len(pdf)
        if n == 0:
            raise ExtractionError("PDF has no pages")
        texts = [page_text(pdf, i) for i in range(n)]
        # pages without a usable text layer are OCR'd (a quick pass for triage, a full one for tables)
        scans = ScannedPages(pdf, texts)
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
