"""Exports for analysts: the joined 指标 / 项目与预算 / 检查 sheets (Chinese headers, autofilter,
frozen header, fitted widths, numbers as numbers, links to the source page), CSVs with a UTF-8
BOM, and `query --xlsx` / `--out`, each read back from the files a user would open."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

import tests.pdf_fixtures as fx
from tests.conftest import query, run_cli
from tests.test_batch import SEED, extract

RAW = [
    "documents",
    "target_tables",
    "budget_lines",
    "indicators",
    "checks",
    "table_context",
    "indicator_concepts",
]
JOINED = ["指标", "项目与预算", "预算明细", "检查"]
BOM = b"\xef\xbb\xbf"


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    """A two-page PDF (a department table on page 1, a project table on page 2) and the seed text
    dump with its 合计 changed, so that checks are raised."""
    tmp = tmp_path_factory.mktemp("excel")
    folder = tmp / "in"
    folder.mkdir()
    parts = [
        fx.title("部门(单位)整体支出绩效目标表"),
        fx.line("(2023 年)"),
        *fx.department_table(),
        fx.page_break(),
        fx.title("项目支出绩效目标表"),
        fx.line("（2023年度）"),
        fx.project_table("学生资助补助经费", "某市第一中学", "1489.00", "1335.52", "153.48"),
    ]
    fx.build(folder / "doc.pdf", parts)
    text = SEED.read_text(encoding="utf-8").replace("2789.45\t2789.45", "2799.45\t2789.45", 1)
    (folder / "seed.txt").write_text(text, encoding="utf-8")
    path = tmp / "t.duckdb"
    proc = extract(folder, "--db", path, "-q")
    assert proc.returncode == 0, proc.stderr
    return path


@pytest.fixture(scope="module")
def workbook(db, tmp_path_factory):
    out = tmp_path_factory.mktemp("xlsx")
    proc = run_cli("export", "--format", "xlsx", "--out", out, "--db", db)
    assert proc.returncode == 0, proc.stderr
    return load_workbook(out / "targets.xlsx")


def table(ws) -> tuple[list[str], list[dict]]:
    header = [c.value for c in ws[1]]
    return header, [dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2)]


def test_sheets_come_joined_first_then_raw(workbook):
    assert workbook.sheetnames == JOINED + RAW


def test_indicator_sheet_is_one_formatted_row_per_indicator(workbook, db):
    ws = workbook["指标"]
    header, rows = table(ws)
    for h in ["年度", "地区", "部门", "部门类别", "表类别", "项目", "实施单位", "一级指标", "二级指标", "三级指标",
              "指标值", "比较符", "数值", "上限", "单位", "文字值", "维度", "概念", "预算总额(万元)", "页码",
              "文件", "链接"]:  # fmt: skip
        assert h in header, h
    assert header.index("部门") < header.index("项目") < header.index("三级指标") < header.index("文件")
    # every indicator once, with its name
    names = query(db, "SELECT name FROM v_indicators ORDER BY ALL")
    assert sorted(r["三级指标"].value for r in rows) == [n for (n,) in names]
    # formatting: bold header, filter over the whole sheet, header and 年度/地区/部门 frozen
    assert all(c.font.b for c in ws[1])
    assert ws.auto_filter.ref == f"A1:{get_column_letter(len(header))}{len(rows) + 1}"
    assert ws.freeze_panes == "D2"
    width = {h: ws.column_dimensions[get_column_letter(i)].width for i, h in enumerate(header, 1)}
    assert width["三级指标"] > width["年度"] >= 6
    assert width["三级指标"] <= 40
    longest = max(len(r["三级指标"].value) for r in rows)
    assert width["三级指标"] >= min(2 * longest, 40)  # Chinese characters counted double
    # numbers are numbers; codes are shown in Chinese
    quantified = [r for r in rows if r["数值"].value is not None]
    assert quantified and all(r["数值"].data_type == "n" for r in quantified)
    assert all(isinstance(r["年度"].value, int) and r["年度"].value == r["年度"].value for r in rows)
    assert {r["表类别"].value for r in rows} == {"部门整体", "项目"}
    assert {r["维度"].value for r in rows} >= {"数量", "满意度"}
    assert {r["比较符"].value for r in rows} & {"≥", "＝"}
    budget = {r["预算总额(万元)"].value for r in rows if r["项目"].value == "学生资助补助经费"}
    assert budget == {1489.0}


def test_indicator_rows_link_to_their_page(workbook, db):
    header, rows = table(workbook["指标"])
    pdf = Path(query(db, "SELECT source_path FROM documents WHERE source_format = 'pdf'")[0][0])
    page2 = [r for r in rows if r["文件"].value == "doc.pdf" and r["页码"].value == 2]
    assert page2, "no indicator read off page 2"
    for r in page2:
        link = r["链接"]
        assert link.hyperlink is not None and link.value == "第2页"
        assert link.hyperlink.target == pdf.resolve().as_uri() + "#page=2"
    text_rows = [r for r in rows if r["文件"].value == "seed.txt"]
    assert text_rows and all(r["页码"].value is None for r in text_rows)
    assert all(r["链接"].hyperlink.target.endswith("/seed.txt") for r in text_rows)  # no page: the file


def test_table_sheet_has_budget_goal_and_pages(workbook, db):
    ws = workbook["项目与预算"]
    header, rows = table(ws)
    assert len(rows) == query(db, "SELECT count(*) FROM target_tables")[0][0]
    (project,) = [r for r in rows if r["项目"].value == "学生资助补助经费"]
    assert project["实施单位"].value == "某市第一中学"
    assert (project["预算总额(万元)"].value, project["财政拨款(万元)"].value, project["其他资金(万元)"].value) == (
        1489.0, 1335.52, 153.48,
    )  # fmt: skip
    assert project["预算总额(万元)"].number_format == "#,##0.00"
    assert project["起始页"].value == 2 and project["链接"].hyperlink.target.endswith("doc.pdf#page=2")
    assert "教师全员培训" in project["年度目标"].value
    n = query(db, "SELECT count(*) FROM indicators i JOIN target_tables t USING (table_id) WHERE t.project = ?",
              ["学生资助补助经费"])[0][0]  # fmt: skip
    assert project["指标数"].value == n > 0
    assert ws.auto_filter.ref == f"A1:{get_column_letter(len(header))}{len(rows) + 1}"


def test_budget_line_sheet_lists_the_department_tasks(workbook, db):
    ws = workbook["预算明细"]
    header, rows = table(ws)
    lines = query(db, "SELECT task, total_wan FROM budget_lines ORDER BY ALL")
    assert sorted((r["任务名称"].value, r["总额(万元)"].value) for r in rows) == [
        (t, float(v)) for t, v in lines
    ]
    civil = [r for r in rows if r["部门"].value == "某市民政局"]
    assert [r["任务名称"].value for r in civil] == ["低保资金", "养老服务"]
    assert all(r["链接"].hyperlink.target.endswith("doc.pdf#page=1") for r in civil)
    assert (
        ws.freeze_panes == "D2"
        and ws.auto_filter.ref == f"A1:{get_column_letter(len(header))}{len(rows) + 1}"
    )


def test_check_sheet_names_department_page_and_file(workbook, db):
    header, rows = table(workbook["检查"])
    assert len(rows) == query(db, "SELECT count(*) FROM checks")[0][0]
    lines = [r for r in rows if r["检查"].value == "total_vs_lines"]
    assert lines, [r["检查"].value for r in rows]
    assert lines[0]["部门"].value == "库尔勒市司法局" and lines[0]["文件"].value == "seed.txt"
    assert lines[0]["级别"].value in {"错误", "警告", "提示"}
    assert header[:3] == ["级别", "检查", "说明"] and "页码" in header and "链接" in header


def test_raw_sheets_are_formatted_too(workbook, db):
    ws = workbook["indicators"]
    header, rows = table(ws)
    assert header[:3] == ["table_id", "seq", "level1"]
    assert len(rows) == query(db, "SELECT count(*) FROM indicators")[0][0]
    assert (
        ws.freeze_panes == "A2"
        and ws.auto_filter.ref == f"A1:{get_column_letter(len(header))}{len(rows) + 1}"
    )


def test_csv_files_carry_a_bom_and_the_joined_tables(db, tmp_path):
    proc = run_cli("export", "--format", "csv", "--out", tmp_path, "--db", db)
    assert proc.returncode == 0, proc.stderr
    for name in [*JOINED, *RAW]:
        assert (tmp_path / f"{name}.csv").read_bytes().startswith(BOM), name
    joined = pd.read_csv(tmp_path / "指标.csv", encoding="utf-8-sig")
    assert list(joined.columns[:3]) == ["年度", "地区", "部门"]
    assert len(joined) == query(db, "SELECT count(*) FROM indicators")[0][0]
    assert joined["数值"].dtype.kind == "f" and joined["年度"].dtype.kind == "i"
    pdf_rows = joined[joined["文件"] == "doc.pdf"]
    assert all(link.startswith("file://") and link.endswith(f"#page={p}")
               for link, p in zip(pdf_rows["链接"], pdf_rows["页码"].astype(int), strict=True))  # fmt: skip
    raw = pd.read_csv(tmp_path / "target_tables.csv", encoding="utf-8-sig")
    assert raw.columns[0] == "table_id"  # the BOM is not part of the first header
    assert {"某市民政局", "库尔勒市司法局"} <= set(raw["department"])


def test_query_writes_a_formatted_workbook_and_a_bom_csv(db, tmp_path):
    sql = (
        "SELECT department AS 部门, name AS 指标, value_num AS 数值, "
        "'file:///x/a.pdf#page=' || coalesce(page, 1) AS 链接 FROM v_indicators ORDER BY table_id, seq"
    )
    xlsx, csv_out = tmp_path / "q.xlsx", tmp_path / "q.csv"
    proc = run_cli("query", sql, "--db", db, "--xlsx", xlsx, "--out", csv_out)
    assert proc.returncode == 0, proc.stderr
    n = query(db, "SELECT count(*) FROM indicators")[0][0]
    assert f"{n} rows written to {xlsx}" in proc.stdout
    ws = load_workbook(xlsx)["查询"]
    header, rows = table(ws)
    assert header == ["部门", "指标", "数值", "链接"] and len(rows) == n
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:D{n + 1}" and ws["A1"].font.b
    assert any(r["数值"].data_type == "n" and r["数值"].value is not None for r in rows)
    assert rows[0]["链接"].hyperlink.target.startswith("file:///x/a.pdf#page=")
    assert csv_out.read_bytes().startswith(BOM)
    assert list(pd.read_csv(csv_out, encoding="utf-8-sig").columns) == header
    # stdout CSV stays as it was: no BOM
    proc = run_cli("query", "SELECT 1 AS a", "--db", db, "--csv")
    assert proc.stdout == "a\n1\n"
    proc = run_cli("query", "SELECT 1", "--db", db, "--xlsx", tmp_path / "missing" / "q.xlsx")
    assert proc.returncode == 2 and "cannot write" in proc.stderr and "Traceback" not in proc.stderr


def test_a_view_column_added_later_shows_up_under_its_chinese_header(db, tmp_path):
    """The sheet spec names columns other parts add to the views (direction, project_code …):
    absent, they are left out; present, they appear."""
    from pipeline.store.sheets import INDICATORS, rows

    copy = tmp_path / "t.duckdb"
    shutil.copy(db, copy)
    con = duckdb.connect(str(copy))
    try:
        con.execute("ALTER VIEW v_indicators RENAME TO v_indicators_base")
        con.execute("CREATE VIEW v_indicators AS SELECT * EXCLUDE (direction, project_code) "
                    "FROM v_indicators_base")  # fmt: skip
        cols, _ = rows(con, INDICATORS)
        assert not {"方向", "项目编码"} & {c.header for c in cols}
        con.execute("CREATE OR REPLACE VIEW v_indicators AS SELECT * EXCLUDE (direction, project_code), "
                    "'lower' AS direction, 'P-1' AS project_code FROM v_indicators_base")  # fmt: skip
        cols, body = rows(con, INDICATORS)
        headers = [c.header for c in cols]
        first = dict(zip(headers, next(body), strict=True))
    finally:
        con.close()
    assert first["方向"] == "越低越好" and first["项目编码"] == "P-1"
    assert headers.index("项目编码") == headers.index("项目") + 1


def test_links_past_excels_limit_become_their_address_and_widths_count_chinese_double(tmp_path):
    from openpyxl import Workbook

    from pipeline.store.xlsxwrite import Link, widths, write_sheet

    wb = Workbook(write_only=True)
    body = [[f"第{i}行", Link(f"file:///x/a.pdf#page={i}", f"第{i}页")] for i in range(1, 4)]
    assert write_sheet(wb, "s", ["名称", "链接"], body, col_widths=[10, 12], max_links=2) == 3
    wb.save(tmp_path / "s.xlsx")
    ws = load_workbook(tmp_path / "s.xlsx")["s"]
    cells = [ws.cell(r, 2) for r in range(2, 5)]
    assert [c.hyperlink.target if c.hyperlink else None for c in cells] == [
        "file:///x/a.pdf#page=1", "file:///x/a.pdf#page=2", None,
    ]  # fmt: skip
    assert cells[2].value == "file:///x/a.pdf#page=3"
    assert widths(["名称", "id"], [["四个汉字", "abcd"]]) == [10, 6]  # 8 + 2; header 2 + 2 → min 6
