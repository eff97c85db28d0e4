"""One document, end to end: sniff → read → find tables → rebuild → normalize.

`extract_document` never raises for a bad input: it returns a `DocumentResult` whose
status is `failed` with a one-line reason.  It is the unit of work that the batch
runner sends to worker processes.
"""

from __future__ import annotations

import importlib
import logging
import re
import time
from pathlib import Path

from pipeline.assemble import normalize_document
from pipeline.checks import document_checks
from pipeline.errors import ExtractionError
from pipeline.files import NotRegularFile, check_regular, open_regular, sha256_file
from pipeline.model import DocumentResult, SourceDocument
from pipeline.paths import name_digest
from pipeline.rebuild.tables import TableFinder

log = logging.getLogger("pipeline")

# format → module of `extractors` with `extract(path) -> SourceDocument`
EXTRACTORS = {
    "text": "extractors.text_dump",
    "pdf": "extractors.pdf",
    "xlsx": "extractors.spreadsheet",
    "xls": "extractors.spreadsheet",
    "image": "extractors.image",
}
SUPPORTED_SUFFIXES = {
    ".txt",
    ".csv",
    ".tsv",
    ".pdf",
    ".xlsx",
    ".xls",
    ".png",
    ".jpg",
    ".jpeg",
    ".tif",
    ".tiff",
}


def sniff(path: Path) -> str:
    """The input kind, from the file's first bytes (not its name)."""
    with open_regular(path) as fh:
        head = fh.read(2048)
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        with open_regular(path) as fh:
            body = fh.read(1 << 16)
        if b"xl/" in body:
            return "xlsx"
        if b"word/" in body:
            return "docx"
        # a damaged workbook: its name is the only hint left
        return "xlsx" if path.suffix.lower() in (".xlsx", ".xlsm") else "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls"
    if (
        head.startswith(b"\x89PNG")
        or head.startswith(b"\xff\xd8\xff")
        or head[:4] in (b"II*\x00", b"MM\x00*")
    ):
        return "image"
    low = head.lstrip()[:200].lower()
    if low.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in low:
        return "html"
    return "text"


def read_source(path: Path, fmt: str) -> SourceDocument:
    module = EXTRACTORS.get(fmt)
    if module is None:
        reasons = {
            "html": "an HTML page, not a document (saved web page?)",
            "docx": "a Word document: not supported yet (save it as PDF)",
            "zip": "a zip archive, not a document (unpack it first)",
        }
        raise ExtractionError(reasons.get(fmt, f"unsupported format: {fmt}"))
    return importlib.import_module(module).extract(path)


def extract_document(path: str | Path, doc_id: str | None = None) -> DocumentResult:
    """Extract one file.  Never raises for bad input; the result carries status and error."""
    path = Path(path)
    start = time.perf_counter()
    fmt = "unknown"
    pages = ocr_pages = None
    heading = None
    doc_checks = []
    try:
        st = path.stat()
        check_regular(st.st_mode)
        size = st.st_size
        doc_id = doc_id or sha256_file(path)
    except OSError as e:
        return DocumentResult(
            doc_id=doc_id or name_digest(path),
            source_path=str(path),
            source_format=fmt,
            pages=None,
            ocr_pages=None,
            status="failed",
            error=str(e) if isinstance(e, NotRegularFile) else f"cannot read the file: {e.strerror or e}",
            seconds=time.perf_counter() - start,
        )
    try:
        if size == 0:
            raise ExtractionError("empty file")
        fmt = sniff(path)
        source = read_source(path, fmt)
        fmt, pages, ocr_pages = source.source_format, source.pages, source.ocr_pages
        heading = re.sub(r"\s+", "", source.heading)[:200] or None
        finder = TableFinder(source)
        raws = finder.run()
        tables = normalize_document(raws, str(path), source.heading)
        doc_checks = document_checks([(s.page, s.what, s.text) for s in finder.unexplained()], tables)
        status = "ok" if tables else "no_tables"
        error = None if tables else "no performance-target table found"
        if tables and source.notes:
            status, error = "partial", "; ".join(source.notes)[:500]
    except ExtractionError as e:
        tables, status, error = [], "failed", _one_line(str(e)) or "unreadable"
    except Exception as e:  # noqa: BLE001 - one broken file never stops a batch
        log.debug("internal error on %s", path, exc_info=True)
        tables, status, error = [], "failed", f"internal error: {type(e).__name__}: {_one_line(str(e))}"
    return DocumentResult(
        doc_id=doc_id,
        source_path=str(path),
        source_format=fmt,
        pages=pages,
        ocr_pages=ocr_pages,
        status=status,
        error=error,
        tables=tables,
        seconds=time.perf_counter() - start,
        size_bytes=size,
        heading=heading,
        checks=doc_checks,
    )


def _one_line(s: str) -> str:
    return s.strip().splitlines()[0][:300] if s.strip() else ""
