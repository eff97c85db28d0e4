"""Text-layer PDF pages: opening (with repair), and reading a page's characters and ruling
segments with PDFium into the shared page model (`reader.read_page` → `extractors.page`).

The PDF reader (`extractors.pdf_file`) triages the pages, sends scanned ones to
`extractors.ocr` and builds grids from both with `extractors.grids`.
"""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2 as pdfium

from extractors.pdf.repair import repaired
from pipeline.errors import ExtractionError


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
