"""Image files as one-page documents, scanned and mixed PDFs end to end (real OCR)."""

from __future__ import annotations

import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from extractors.ocr import cache
from pipeline.extract import extract_document
from tests.conftest import corpus_dir, query, run_cli, score


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "ocr-cache"))


def _dev(prefix: str) -> Path:
    return next(p for p in corpus_dir("dev").glob(f"{prefix}_*") if p.suffix == ".pdf")


def _page_image(pdf_path: Path, index: int, dpi: int = 200) -> np.ndarray:
    import pypdfium2 as pdfium

    from extractors.ocr.render import render_page

    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        return render_page(pdf, index, dpi)
    finally:
        pdf.close()


def test_png_page_is_a_document_with_its_table(tmp_path):
    """A project table page (rendered from a text PDF, turned 90° and stamped) saved as PNG."""
    img = _page_image(_dev("07"), 3)
    seal = img.copy()
    cv2.circle(seal, (900, 700), 160, (220, 40, 40), 12)
    img = np.ascontiguousarray(np.rot90(np.minimum(img, seal), 1))
    path = tmp_path / "scan.png"
    Image.fromarray(img).save(path, dpi=(200, 200))
    doc = extract_document(path)
    assert doc.status == "ok", doc.error
    assert (doc.source_format, doc.pages, doc.ocr_pages) == ("image", 1, 1)
    (table,) = doc.tables
    assert table.kind == "project" and table.project == "公共文化场馆免费开放经费"
    assert len(table.indicators) >= 9
    assert all(i.ocr_confidence is not None and 0 < i.ocr_confidence <= 1 for i in table.indicators)
    assert {i.level1 for i in table.indicators} >= {"产出指标", "效益指标", "满意度指标"}


def test_multipage_tiff_reads_every_frame(tmp_path):
    first = Image.fromarray(_page_image(_dev("07"), 3, dpi=150))
    second = Image.fromarray(_page_image(_dev("07"), 0, dpi=150))
    path = tmp_path / "two.tif"
    first.save(path, save_all=True, append_images=[second], dpi=(150, 150))
    doc = extract_document(path)
    assert (doc.pages, doc.ocr_pages) == (2, 2)
    assert doc.status == "ok" and len(doc.tables) == 1


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "image"),
        ("cut.jpg", b"\xff\xd8\xff\xe0" + b"JFIF" * 10, "image"),
    ],
)
def test_bad_images_fail_with_one_line(tmp_path, name, data, reason):
    path = tmp_path / name
    path.write_bytes(data)
    doc = extract_document(path)
    assert doc.status == "failed"
    assert reason in doc.error and "\n" not in doc.error and "Traceback" not in doc.error


def test_tiny_image_fails_clearly(tmp_path):
    path = tmp_path / "icon.png"
    Image.new("RGB", (40, 30), "white").save(path)
    doc = extract_document(path)
    assert doc.status == "failed" and "too small" in doc.error


def test_failed_ocr_page_leaves_a_partial_document(tmp_path, monkeypatch):
    """A text page with a target table and a scanned page whose OCR fails (no such engine):
    the document still comes out, status partial, with the page named in the error."""
    import pypdfium2 as pdfium

    out = pdfium.PdfDocument.new()
    for src, index in ((_dev("07"), 3), (_dev("09"), 1)):
        pdf = pdfium.PdfDocument(str(src))
        out.import_pages(pdf, [index])
        pdf.close()
    path = tmp_path / "mixed.pdf"
    out.save(str(path))
    out.close()
    monkeypatch.setenv("PERF_TARGETS_OCR_ENGINE", "no-such-engine")
    doc = extract_document(path)
    assert doc.status == "partial"
    assert "page 2: OCR failed" in doc.error and "no-such-engine" in doc.error
    assert len(doc.tables) == 1


@pytest.mark.slow
def test_scanned_and_mixed_dev_documents_score(tmp_path, monkeypatch):
    """The dev scans (09-13) and mixed documents (14-16), extracted by the CLI and scored by
    the shared scorer against the project's targets."""
    dev = corpus_dir("dev")
    gold = tmp_path / "gold"
    docs = tmp_path / "docs"
    gold.mkdir()
    docs.mkdir()
    shutil.copy(dev / "manifest.csv", gold)
    for n in range(9, 17):
        src = _dev(f"{n:02d}")
        shutil.copy(src, docs)
        shutil.copy(f"{src}.gold.json", gold)
    db = tmp_path / "t.duckdb"
    run_cli("extract", docs, "--db", db, "-q", "--timeout", "0", "--max-memory-mb", "0", check=True)
    figures = score(gold, db)
    assert figures["by_variant"]["scan"]["f1"] >= 0.93, figures["stdout"]
    assert figures["by_variant"]["mixed"]["f1"] >= 0.95, figures["stdout"]
    ocr = dict(query(db, "select regexp_extract(source_path, '(\\d\\d)_', 1), ocr_pages from documents"))
    assert ocr["09"] == 3 and ocr["14"] == 1
