"""Readers: each kind of input file → one `SourceDocument` (see `base.Reader`).

`sniff` names a file's kind from its first bytes; `reader_for(kind)` returns the reader
registered for it.  Reader modules are imported on first use, so a worker that only reads
text dumps never loads the PDF or OCR stack.

Layout: `page` (the page model: characters with boxes, ruling segments), `lattice` (ruling
segments → cells with spans), `layout` and `grids` (a page → grids of table cells and running
text), `triage` (which pages may hold target tables); `pdf/` reads text-layer pages with
PDFium, `ocr/` turns page images into the same page model; `pdf_file`, `image`,
`spreadsheet` and `text_dump` are the readers.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from extractors.base import Reader
from pipeline.errors import ExtractionError
from pipeline.files import open_regular
from pipeline.settings import Settings

# kind (as `sniff` names it) → "module:class" of its reader
READERS: dict[str, str] = {
    "text": "extractors.text_dump:TextDumpReader",
    "pdf": "extractors.pdf_file:PdfReader",
    "xlsx": "extractors.spreadsheet:SpreadsheetReader",
    "xls": "extractors.spreadsheet:SpreadsheetReader",
    "image": "extractors.image:ImageReader",
}
# kinds that are recognised but never read, with the reason given
UNSUPPORTED = {
    "html": "an HTML page, not a document (saved web page?)",
    "docx": "a Word document: not supported yet (save it as PDF)",
    "zip": "a zip archive, not a document (unpack it first)",
}


def reader_modules() -> list[str]:
    """The modules of all registered readers (a worker pool preloads them)."""
    return list(dict.fromkeys(target.partition(":")[0] for target in READERS.values()))


def reader_for(kind: str, settings: Settings | None = None) -> Reader:
    """The reader registered for a kind of file, made with `settings` (None: the defaults);
    `ExtractionError` for a kind none reads."""
    target = READERS.get(kind)
    if target is None:
        raise ExtractionError(UNSUPPORTED.get(kind, f"unsupported format: {kind}"))
    module, _, name = target.partition(":")
    cls = getattr(importlib.import_module(module), name)
    if not (isinstance(cls, type) and issubclass(cls, Reader)) or kind not in cls.kinds:
        raise TypeError(f"{target} is not a Reader of {kind!r} files")
    return cls(settings)


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
