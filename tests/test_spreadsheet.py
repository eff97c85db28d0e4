"""Spreadsheets: merged ranges become spans; numbers come out as displayed."""

from __future__ import annotations

import pytest

from extractors.spreadsheet import render_number
from pipeline.extract import extract_document

ROWS = [
    ["项目支出绩效目标表", None, None, None],
    ["（2021年度）", None, None, None],
    ["项目名称", "高标准农田建设", None, None],
    ["主管部门", "某县农业农村局", "实施单位", "某县农技推广中心"],
    ["项目资金（万元）", "年度资金总额", 1940, None],
    [None, "其中：财政拨款", 1900.5, None],
    [None, "其他资金", 39.5, None],
    ["年度绩效目标", "新建高标准农田两万亩。", None, None],
    ["一级指标", "二级指标", "三级指标", "指标值"],
    ["产出指标", "数量指标", "新建高标准农田面积", "≥20,000亩"],
    [None, "质量指标", "工程验收合格率", 1.0],
    ["效益指标", "可持续影响指标", "工程设施使用年限", "≥15年"],
    ["满意度指标", "服务对象满意度指标", "农户满意度", "≥90%"],
]
MERGES = ["A1:D1", "A2:D2", "B3:D3", "A5:A7", "C5:D5", "C6:D6", "C7:D7", "B8:D8", "A10:A11"]


def check_table(doc):
    assert doc.status == "ok", doc.error
    (t,) = doc.tables
    assert (t.kind, t.year, t.project, t.department, t.unit) == (
        "project",
        2021,
        "高标准农田建设",
        "某县农业农村局",
        "某县农技推广中心",
    )
    assert [float(x) for x in (t.budget_total_wan, t.budget_fiscal_wan, t.budget_other_wan)] == [
        1940,
        1900.5,
        39.5,
    ]
    got = [(i.level1, i.level2, i.name, i.comparator, i.value_num, i.unit) for i in t.indicators]
    assert got == [
        ("产出指标", "数量指标", "新建高标准农田面积", ">=", 20000, "亩"),
        ("产出指标", "质量指标", "工程验收合格率", "=", 100, "%"),
        ("效益指标", "可持续影响指标", "工程设施使用年限", ">=", 15, "年"),
        ("满意度指标", "服务对象满意度指标", "农户满意度", ">=", 90, "%"),
    ]


def test_xlsx_with_merged_cells(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "项目绩效目标"
    for r, row in enumerate(ROWS, start=1):
        for c, v in enumerate(row, start=1):
            if v is not None:
                ws.cell(r, c, v)
    ws.cell(11, 4).number_format = "0%"
    for rng in MERGES:
        ws.merge_cells(rng)
    other = wb.create_sheet("收支总表")
    other.append(["项目", "预算数"])
    other.append(["一般公共预算拨款收入", 7188.33])
    path = tmp_path / "book.xlsx"
    wb.save(path)
    doc = extract_document(path)
    assert doc.source_format == "xlsx"
    check_table(doc)


def test_xls_with_merged_cells(tmp_path):
    xlwt = pytest.importorskip("xlwt")
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("项目绩效目标")
    merged = set()
    import openpyxl.utils.cell as cu

    for rng in MERGES:
        (c0, r0, c1, r1) = cu.range_boundaries(rng)
        ws.write_merge(r0 - 1, r1 - 1, c0 - 1, c1 - 1, ROWS[r0 - 1][c0 - 1])
        merged.update((r, c) for r in range(r0 - 1, r1) for c in range(c0 - 1, c1))
    pct = xlwt.easyxf(num_format_str="0%")
    for r, row in enumerate(ROWS):
        for c, v in enumerate(row):
            if v is not None and (r, c) not in merged:
                ws.write(r, c, v, pct if (r, c) == (10, 3) else xlwt.Style.default_style)
    path = tmp_path / "book.xls"
    wb.save(str(path))
    doc = extract_document(path)
    assert doc.source_format == "xls"
    check_table(doc)


@pytest.mark.parametrize(
    ("value", "fmt", "shown"),
    [
        (0.95, "0%", "95%"),
        (0.955, "0.0%", "95.5%"),
        (1669.25, "#,##0.00", "1,669.25"),
        (53903200, "#,##0.00", "53,903,200.00"),
        (12, "General", "12"),
        (12.5, "General", "12.5"),
        (1234567, "#,##0", "1,234,567"),
    ],
)
def test_numbers_as_displayed(value, fmt, shown):
    assert render_number(value, fmt) == shown
