"""Table type end to end, on PDFs built here: goal-only project lists are target tables (one per
row), 绩效自评表 are not — as text PDFs and as scans."""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal

import pytest

from pipeline.extract import extract_document
from tests import pdf_fixtures as pf

SELF_EVALUATION = [
    ["项目名称", "社区养老服务", "<", "<", "<", "<", "<"],
    ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "得分", "偏差原因分析及改进措施"],
    ["产出指标", "数量指标", "服务老年人数", "≥500人", "520人", "20", ""],
    ["^", "质量指标", "服务合格率", "≥95%", "97%", "20", ""],
    ["效益指标", "社会效益指标", "老年人生活质量", "有效提升", "已提升", "20", ""],
    ["满意度指标", "服务对象满意度指标", "老年人满意度", "≥90%", "93%", "10", ""],
]
TARGET = [
    ["项目名称", "社区养老服务", "<", "<"],
    ["年度资金总额", "300.00", "<", "<"],
    ["年度绩效目标", "为社区老年人提供助餐助浴服务。", "<", "<"],
    ["一级指标", "二级指标", "三级指标", "指标值"],
    ["产出指标", "数量指标", "服务老年人数", "≥500人"],
    ["^", "质量指标", "服务合格率", "≥95%"],
    ["满意度指标", "服务对象满意度指标", "老年人满意度", "≥90%"],
]


def _self_evaluation_pdf(path):
    widths = [55, 70, 100, 60, 60, 40, 90]
    return pf.build(
        path, [pf.title("2025年度项目支出绩效自评表"), pf.spacer(), pf.rows_table(SELF_EVALUATION, widths)]
    )


def _target_pdf(path):
    return pf.build(
        path, [pf.title("2026年项目支出绩效目标表"), pf.spacer(), pf.rows_table(TARGET, [80, 110, 160, 90])]
    )


def test_self_evaluation_text_pdf_yields_no_target_table(tmp_path):
    doc = extract_document(_self_evaluation_pdf(tmp_path / "自评.pdf"))
    assert (doc.status, doc.tables) == ("no_tables", [])


def _chinese_font() -> bool:
    """PDFium renders the tests' (unembedded) Chinese text only with a Chinese system font."""
    if not shutil.which("fc-list"):
        return False
    out = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout
    return bool(out.strip())


@pytest.mark.skipif(not _chinese_font(), reason="no Chinese font to render the scan (make sysdeps-test)")
def test_self_evaluation_scan_yields_no_target_table_while_a_target_scan_does(tmp_path):
    evaluation = pf.scanned_copy(_self_evaluation_pdf(tmp_path / "a.pdf"), tmp_path / "自评扫描.pdf")
    target = pf.scanned_copy(_target_pdf(tmp_path / "b.pdf"), tmp_path / "目标扫描.pdf")
    got = extract_document(evaluation)
    assert got.ocr_pages == 1 and got.tables == [], [t.project for t in got.tables]
    ok = extract_document(target)
    assert ok.ocr_pages == 1 and [t.project for t in ok.tables] == ["社区养老服务"]


def test_goal_only_list_pdf_gives_a_table_per_row_across_pages(tmp_path):
    goal = "完成年度工作任务，保障各项业务正常开展，" * 12
    rows = [
        ["单位名称", "项目名称", "金额", "绩效目标"],
        ["**", "**", "**", "**"],
        ["合计", "", "1,500.00", ""],
    ]
    rows += [[f"某市某中心{k}", f"业务项目{k}", "100.00", f"{k}号项目：{goal}"] for k in range(1, 16)]
    story = [
        pf.title("表11：2026年市级部门项目支出绩效表"),
        pf.line("部门名称：某市某局"),
        pf.line("单位：万元"),
        pf.rows_table(rows, [90, 90, 60, 270]),
        pf.page_break(),
        pf.title("表12：2026年市级部门政府采购预算表"),
        pf.rows_table([["单位名称", "项目名称", "金额"], ["某市某局", "办公设备", "10.00"]], [120, 120, 80]),
    ]
    doc = extract_document(pf.build(tmp_path / "2026年某市某局部门预算.pdf", story))
    assert [t.project for t in doc.tables] == [f"业务项目{k}" for k in range(1, 16)]
    assert {t.department for t in doc.tables} == {"某市某局"}
    assert all(t.budget_total_wan == Decimal("100.00") and t.indicators == [] for t in doc.tables)
    assert doc.tables[-1].page_last > doc.tables[0].page_first  # the list ran over several pages
    assert all(t.goal and t.goal.endswith("正常开展，") and t.goal.count("号项目") == 1 for t in doc.tables)
    assert not [c for c in doc.checks if c.check == "table_missed"]


GOAL_LIST_ROWS = [
    ["表11 2026年市级部门项目支出绩效表"],
    ["部门名称：某市某局", None, None, "单位：万元"],
    ["单位名称", "项目名称", "金额", "绩效目标"],
    ["合计", None, 300, None],
    ["某市某局", "信息化运维", 200, "保障系统运行。"],
    ["某市某中心", "设备维护", 100, "完成设备维护。"],
]
GOAL_LIST_TABLES = [
    ("某市某局", "信息化运维", Decimal("200.00"), "保障系统运行。", "某市某局"),
    ("某市某中心", "设备维护", Decimal("100.00"), "完成设备维护。", "某市某局"),
]


def test_goal_only_list_in_a_spreadsheet_and_a_text_dump(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    for r in GOAL_LIST_ROWS:
        wb.active.append(r)
    wb.save(tmp_path / "list.xlsx")
    dump = "\n".join("\t".join("" if c is None else str(c) for c in r) for r in GOAL_LIST_ROWS)
    (tmp_path / "list.txt").write_text(dump, encoding="utf-8")
    for name in ("list.xlsx", "list.txt"):
        doc = extract_document(tmp_path / name)
        got = [(t.unit, t.project, t.budget_total_wan, t.goal, t.department) for t in doc.tables]
        assert got == GOAL_LIST_TABLES, name
