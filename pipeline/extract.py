"""One document, end to end: sniff → read → find tables → rebuild → normalize.

`extract_document` never raises for a bad input: it returns a `DocumentResult` whose
status is `failed` with a one-line reason.  It is the unit of work that the batch
runner sends to worker processes, with the run's `Settings`.
"""

from __future__ import annotations

import logging
import os
import re
import time
from pathlib import Path

from extractors import reader_for, sniff
from pipeline.errors import ExtractionError, one_line
from pipeline.files import NotRegularFile, check_regular, sha256_file
from pipeline.model import DocumentResult
from pipeline.normalize.assemble import normalize_document
from pipeline.normalize.checks import document_checks
from pipeline.rebuild.tables import TableFinder
from pipeline.settings import Settings

log = logging.getLogger("pipeline")


def extract_document(
    path: str | Path, doc_id: str | None = None, settings: Settings | None = None
) -> DocumentResult:
    """Extract one file.  Never raises for bad input; the result carries status and error.
    `settings` None: from the environment, as the command line reads them (`SettingsError`
    for a variable that cannot be used)."""
    path = Path(path)
    settings = settings or Settings.from_env(os.environ)
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
        error = str(e) if isinstance(e, NotRegularFile) else f"cannot read the file: {e.strerror or e}"
        return DocumentResult.failed(
            path, error, doc_id=doc_id, seconds=time.perf_counter() - start, settings=settings.record()
        )
    try:
        if size == 0:
            raise ExtractionError("empty file")
        fmt = sniff(path)
        source = reader_for(fmt, settings).read(path)
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
        tables, status, error = [], "failed", one_line(str(e)) or "unreadable"
    except Exception as e:  # noqa: BLE001 - one broken file never stops a batch
        log.debug("internal error on %s", path, exc_info=True)
        tables, status, error = [], "failed", f"internal error: {type(e).__name__}: {one_line(str(e))}"
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
        settings=settings.record(),
    )
