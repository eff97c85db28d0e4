"""Provenance: every figure one click from its page.  Absolute source paths, page links in the
views and checks, and `show`, which renders a row's page region with its box outlined."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import duckdb
import numpy as np
import pytest
from PIL import Image

import tests.pdf_fixtures as fx
from pipeline.analysis.links import page_link
from pipeline.analysis.show import HIGHLIGHT
from tests.conftest import ROOT, corpus_dir, query, run_cli

NAME = "培训考核合格率"
_WS = re.compile(r"\s+")


def _pdf(path: Path, indicators=fx.INDICATORS) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return fx.build(
        path,
        [
            fx.line("表4-1"),
            fx.title("项目支出绩效目标表"),
            fx.line("（2023年度）    单位：万元"),
            fx.project_table(
                "中小学教师全员培训经费",
                "某市教师发展中心",
                "2450.00",
                "1378.68",
                "1071.32",
                indicators=indicators,
            ),
        ],
    )


def _relative(path: Path) -> str:
    """`path` as a user in the repository folder would type it (run_cli runs there)."""
    return os.path.relpath(path, ROOT)


@pytest.fixture
def extracted(tmp_path, db_path) -> tuple[Path, Path]:
    pdf = _pdf(tmp_path / "docs" / "项目 表#1.pdf")  # a space and a '#' that a link must encode
    run_cli("extract", _relative(pdf), "--db", db_path, "--quiet", check=True)
    return pdf, db_path


def test_page_link_is_the_file_uri_with_the_page():
    assert page_link("/a b/烟台#局.pdf", 3) == "file:///a%20b/%E7%83%9F%E5%8F%B0%23%E5%B1%80.pdf#page=3"
    assert page_link("/a/x.pdf", None) == "file:///a/x.pdf"
    assert page_link(None, 2) is None
    assert page_link("relative/x.pdf", 2) is None  # names no file once the run's folder is gone


def test_source_path_is_absolute_and_views_link_to_the_page(extracted):
    pdf, db = extracted
    ((path,),) = query(db, "SELECT source_path FROM documents")
    assert path == os.path.abspath(pdf)
    run_cli("query", "SELECT 1", "--db", db, check=True)  # adds the analysis views if needed
    rows = query(
        db, "SELECT indicator_id, table_id, seq, page, bbox, source_link FROM v_indicators ORDER BY seq"
    )
    assert len(rows) == len(fx.INDICATORS)
    for indicator_id, table_id, seq, page, bbox, link in rows:
        assert indicator_id == f"{table_id}#{seq}"
        assert page == 1 and len(bbox) == 4
        assert link == pdf.resolve().as_uri() + "#page=1" == page_link(path, 1)
    ((tlink,),) = query(db, "SELECT source_link FROM v_tables")
    assert tlink == page_link(path, 1)
    assert {r[0] for r in query(db, "SELECT source_link FROM v_budget")} == {tlink}


def test_a_database_with_relative_paths_resumes_without_duplicates(extracted):
    """A database of an earlier version kept the path as typed; the rerun records the absolute
    path on the same row and extracts nothing again."""
    pdf, db = extracted
    con = duckdb.connect(str(db))
    con.execute("UPDATE documents SET source_path = ?, source_file = NULL", [_relative(pdf)])
    before = con.execute("SELECT doc_id, extracted_at FROM documents").fetchall()
    n_ind = con.execute("SELECT count(*) FROM indicators").fetchall()[0][0]
    con.close()
    proc = run_cli("extract", _relative(pdf), "--db", db, check=True)
    assert "unchanged 1" in proc.stderr, proc.stderr
    assert query(db, "SELECT doc_id, extracted_at FROM documents") == before  # not extracted again
    assert query(db, "SELECT source_path FROM documents") == [(os.path.abspath(pdf),)]
    assert query(db, "SELECT count(*) FROM indicators") == [(n_ind,)]
    # named absolutely, or after --force: still one document, its rows replaced
    run_cli("extract", pdf, "--db", db, "--quiet", "--force", check=True)
    assert query(db, "SELECT count(*) FROM documents") == [(1,)]
    assert query(db, "SELECT count(*) FROM indicators") == [(n_ind,)]


def test_show_outlines_the_row_whose_name_is_inside_the_box(extracted, tmp_path):
    pdf, db = extracted
    ((ident, bbox, page),) = query(
        db, "SELECT table_id || '#' || seq, bbox, page FROM indicators WHERE name = ?", [NAME]
    )
    out = tmp_path / "row.png"
    proc = run_cli("show", ident, "--db", db, "--out", out, check=True)
    assert NAME in proc.stdout and "#page=1" in proc.stdout and str(out) in proc.stdout
    # the text layer inside the stored box spells the row's name
    import pdfplumber

    with pdfplumber.open(pdf) as doc:
        inside = doc.pages[page - 1].crop(tuple(bbox)).extract_text()
    assert NAME in _WS.sub("", inside)
    # the picture outlines a box; read back what is inside it
    assert NAME in _text_in_highlight(out, tmp_path)


def _text_in_highlight(png: Path, tmp_path: Path) -> str:
    """What OCR reads inside the red outline of a `show` picture (which must have one, with some
    of the page above and below it)."""
    img = np.asarray(Image.open(png).convert("RGB")).astype(int)
    red = (np.abs(img - np.array(HIGHLIGHT)).sum(axis=2) < 60).nonzero()
    assert red[0].size > 100, "no highlight drawn"
    top, bottom, left, right = red[0].min(), red[0].max(), red[1].min(), red[1].max()
    assert img.shape[0] > bottom - top + 40  # some context above and below the row
    return _ocr(Image.open(png).convert("RGB").crop((left + 4, top + 4, right - 4, bottom - 4)), tmp_path)


@pytest.mark.parametrize("source", ["scanned PDF", "PNG image"])
def test_show_outlines_an_ocr_row(tmp_path, db_path, source):
    """Boxes of OCR'd rows are in the points of the page as the file shows it."""
    import pypdfium2 as pdfium

    pdf = _pdf(tmp_path / "text.pdf")
    if source == "scanned PDF":
        scan = fx.scanned_copy(pdf, tmp_path / "scan.pdf")
    else:
        doc = pdfium.PdfDocument(str(pdf))
        scan = tmp_path / "scan.png"
        doc[0].render(scale=200 / 72).to_pil().convert("L").save(scan, dpi=(200, 200))
        doc.close()
    run_cli("extract", scan, "--db", db_path, "--quiet", check=True)
    rows = query(
        db_path, "SELECT table_id || '#' || seq FROM indicators WHERE name = ? AND bbox IS NOT NULL", [NAME]
    )
    assert rows, query(db_path, "SELECT name FROM indicators")
    out = tmp_path / "row.png"
    run_cli("show", rows[0][0], "--db", db_path, "--out", out, check=True)
    assert NAME in _text_in_highlight(out, tmp_path)


def _spelled(name: str, text: str) -> bool:
    """Whether `text` holds the characters of `name` in order (other text may come between)."""
    it = iter(text)
    return all(ch in it for ch in name)


def _ocr(image: Image.Image, tmp_path: Path) -> str:
    """What tesseract reads in the picture (Chinese), whitespace removed."""
    if (
        subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True).stdout.find("chi_sim")
        < 0
    ):
        pytest.skip("tesseract with chi_sim is not installed")
    big = image.resize((image.width * 2, image.height * 2))
    src = tmp_path / "crop.png"
    big.save(src)
    proc = subprocess.run(
        ["tesseract", str(src), "-", "-l", "chi_sim", "--psm", "6"], capture_output=True, text=True
    )
    return _WS.sub("", proc.stdout)


def test_show_a_table_and_clear_errors(extracted, tmp_path):
    pdf, db = extracted
    ((tid, doc_id),) = query(db, "SELECT table_id, doc_id FROM target_tables")
    out = tmp_path / "t.png"
    proc = run_cli("show", f"{doc_id[:8]}#1", "--db", db, "--out", out, check=True)  # short form
    assert tid in proc.stdout and "中小学教师全员培训经费" in proc.stdout
    assert Image.open(out).size[0] > 500
    for bad, why in [
        ("nonsense", "not a table or indicator id"),
        ("ffffffff#1", "no document"),
        (f"{doc_id[:8]}#9", "no table"),
        (f"{doc_id[:8]}#1#99", "no indicator 99"),
    ]:
        proc = run_cli("show", bad, "--db", db, "--out", tmp_path / "x.png")
        assert proc.returncode == 2 and why in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    # the file moved away: the row is still printed, and the message says why there is no picture
    pdf.rename(pdf.with_name("moved.pdf"))
    proc = run_cli("show", f"{tid}#3", "--db", db, "--out", tmp_path / "m.png")
    assert proc.returncode == 1 and NAME in proc.stdout
    assert "moved or missing" in proc.stderr and "Traceback" not in proc.stderr


def test_show_a_row_of_a_text_dump_has_no_page(tmp_path, db_path):
    dump = tmp_path / "d.txt"
    dump.write_text(
        "项目支出绩效目标表\n(2021 年)\n项目名称\t社区矫正经费\n主管部门\t某县司法局\n"
        "年度绩效指标\t一级指标\t二级指标\t三级指标\t指标值\n\t产出指标\t数量指标\t矫正对象人数\t≥650人\n",
        encoding="utf-8",
    )
    run_cli("extract", dump, "--db", db_path, "--quiet", check=True)
    ((tid,),) = query(db_path, "SELECT table_id FROM target_tables")
    proc = run_cli("show", f"{tid}#1", "--db", db_path, "--out", tmp_path / "x.png")
    assert proc.returncode == 0 and "矫正对象人数" in proc.stdout
    assert "no page to render" in proc.stderr and not (tmp_path / "x.png").exists()


def test_checks_carry_the_page_of_their_row(tmp_path, db_path):
    inds = [*fx.INDICATORS[:-1], ("满意度指标", "服务对象满意度指标", "参训教师满意度", ">=", "1100", "%")]
    pdf = _pdf(tmp_path / "c.pdf", indicators=inds)
    run_cli("extract", pdf, "--db", db_path, "--quiet", check=True)
    rows = query(db_path, "SELECT page, seq FROM checks WHERE \"check\" = 'share_above_100'")
    assert rows == [(1, len(inds))]
    proc = run_cli("checks", "--db", db_path, check=True)
    line = next(ln for ln in proc.stdout.splitlines() if "share_above_100" in ln)
    assert " p.1: " in line and page_link(os.path.abspath(pdf), 1) in line
    run_cli("query", "SELECT 1", "--db", db_path, check=True)
    ((link,),) = query(db_path, "SELECT source_link FROM v_checks WHERE \"check\" = 'share_above_100'")
    assert link == page_link(os.path.abspath(pdf), 1)


def test_real_pdf_rows_hold_their_name_inside_their_box(tmp_path, db_path):
    """On a real text-layer disclosure, the stored box of an indicator encloses its name.  (The
    box spans the row's name and value cells, whose lines interleave when read across: the name's
    characters are checked in order, not as one run.)"""
    import pdfplumber

    real = corpus_dir("real")
    pdf = min(real.glob("*.pdf"), key=lambda p: p.stat().st_size)
    run_cli("extract", pdf, "--db", db_path, "--quiet", check=True)
    rows = query(
        db_path,
        "SELECT name, page, bbox FROM indicators WHERE bbox IS NOT NULL AND length(name) >= 4 ORDER BY table_id, seq",
    )
    assert len(rows) >= 10
    sample = rows[:: max(1, len(rows) // 40)]
    found = 0
    with pdfplumber.open(pdf) as doc:
        for name, page, bbox in sample:
            p = doc.pages[page - 1]
            x0, top, x1, bottom = bbox
            assert bottom - top < 0.5 * p.height and x1 - x0 < p.width  # a row's box, not the page
            # boxes are measured from the page's top-left corner; pdfplumber keeps the page box's origin
            ox, oy = p.bbox[0], p.bbox[1]
            box = (
                ox + max(0, x0 - 1),
                oy + max(0, top - 1),
                ox + min(p.width, x1 + 1),
                oy + min(p.height, bottom + 1),
            )
            text = _WS.sub("", p.crop(box).extract_text() or "")
            found += _spelled(_WS.sub("", name), text)
    assert found >= 0.9 * len(sample), f"{found} of {len(sample)} names inside their boxes"


def test_exports_carry_the_page_link(extracted, tmp_path):
    import csv

    import pyarrow.dataset as ds

    pdf, db = extracted
    link = page_link(os.path.abspath(pdf), 1)
    run_cli("export", "--format", "csv", "--out", tmp_path / "csv", "--db", db, check=True)
    for table in ("indicators", "target_tables"):
        with open(tmp_path / "csv" / f"{table}.csv", encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
        assert rows and {r["source_link"] for r in rows} == {link}, table
    run_cli("export", "--format", "parquet", "--out", tmp_path / "pq", "--db", db, check=True)
    ind = ds.dataset(tmp_path / "pq" / "indicators", format="parquet", partitioning="hive").to_table()
    assert set(ind["source_link"].to_pylist()) == {link} and ind["year"].to_pylist()[0] == 2023
    assert all(len(b) == 4 for b in ind["bbox"].to_pylist())


def test_a_database_of_an_older_version_gets_the_new_columns(extracted):
    """Views made by an older views.sql are remade on opening; checks without a page column are
    listed with their table's first page."""
    pdf, db = extracted
    con = duckdb.connect(str(db))
    con.execute("CREATE OR REPLACE VIEW v_indicators AS SELECT table_id, seq, name FROM indicators")
    con.execute("ALTER TABLE checks DROP COLUMN page")
    con.execute("ALTER TABLE checks DROP COLUMN seq")
    con.execute("INSERT INTO checks SELECT table_id, 'no_year', 'warning', 'old check' FROM target_tables")
    con.close()
    proc = run_cli("checks", "--db", db, check=True)
    assert "p.1: " in proc.stdout and page_link(os.path.abspath(pdf), 1) in proc.stdout
    proc = run_cli("query", "SELECT count(source_link) FROM v_indicators", "--db", db, "--csv", check=True)
    assert proc.stdout.split() == ["count(source_link)", str(len(fx.INDICATORS))]
