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
from pipeline.model import SourceDocument


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
        with pdfplumber.open(source) as plumber_doc:
            for i in candidate_pages(scans.texts):
                if scans.needs_ocr(i):
                    grids.extend(scans.grids(i))
                else:
                    grids.extend(page_grids(read_page(pdf, i, plumber_doc=plumber_doc)))
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
