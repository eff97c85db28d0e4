"""Text-layer PDFs: lattice reconstruction, page triage, rebuilt rows (reportlab fixtures)."""

from __future__ import annotations

from extractors.lattice import build_tables
from pipeline.extract import extract_document
from tests import pdf_fixtures as fx


def test_lattice_spans_from_missing_rules():
    # 3x3 lattice; the rule between (0,0) and (1,0) is missing → one cell spanning two rows
    hs = [(0, 0, 90), (30, 30, 90), (60, 0, 90), (90, 0, 90)]
    vs = [(0, 0, 90), (30, 0, 90), (60, 0, 90), (90, 0, 90)]
    (table,) = build_tables(hs, vs)
    first = next(c for c in table.cells if (c.row, c.col) == (0, 0))
    assert (first.rowspan, first.colspan) == (2, 1)
    assert len(table.cells) == 8


def test_lattice_merges_double_rules_and_separates_tables():
    hs = [(0, 0, 50), (0.8, 0, 50), (20, 0, 50), (40, 0, 50), (100, 0, 50), (120, 0, 50)]
    vs = [(0, 0, 40), (25, 0, 40), (50, 0, 40), (0, 100, 120), (30, 100, 120), (50, 100, 120)]
    tables = build_tables(hs, vs)
    assert len(tables) == 2
    assert len(tables[0].ys) == 3 and len(tables[0].xs) == 3


def test_lattice_closes_columns_cut_by_a_page_break():
    """Page-cut table: the left columns' cells go on to the next page, so only their verticals
    are drawn; the rules closing the right columns close them too."""
    vs = [(x, 0, 90) for x in (0, 30, 60, 90, 120)]
    hs = [(0, 60, 120), (30, 60, 120), (60, 60, 120), (90, 60, 120)]
    (table,) = build_tables(hs, vs)
    assert table.xs == [0, 30, 60, 90, 120]
    left = sorted((c.col, c.rowspan) for c in table.cells if c.col < 2)
    assert left == [(0, 3), (1, 3)]  # one cell per left column, over every row
    # a vertical that crosses the rule's line is a real column border: nothing is closed past it
    vs2 = [(0, -30, 120), *vs[1:]]
    (t2,) = build_tables(hs, vs2)
    assert t2.xs == [30, 60, 90, 120]


def test_project_table_with_merged_labels_and_separate_value_columns(tmp_path):
    path = fx.build(
        tmp_path / "p.pdf",
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
                narrow_level2=True,
            ),
        ],
    )
    doc = extract_document(path)
    assert (doc.status, doc.source_format, doc.pages) == ("ok", "pdf", 1), doc.error
    (t,) = doc.tables
    assert (t.kind, t.year, t.project, t.department, t.unit) == (
        "project",
        2023,
        "中小学教师全员培训经费",
        "某市教育局",
        "某市教师发展中心",
    )
    assert [float(x) for x in (t.budget_total_wan, t.budget_fiscal_wan, t.budget_other_wan)] == [
        2450,
        1378.68,
        1071.32,
    ]
    assert t.goal == "组织开展教师全员培训，提升教育教学能力。"
    got = [
        (i.level1, i.level2, i.name, i.value_raw, i.comparator, i.value_num, i.unit, i.value_text, i.page)
        for i in t.indicators
    ]
    assert got == [
        ("产出指标", "数量指标", "培训教师人次", "≥2800人次", ">=", 2800, "人次", None, 1),
        ("产出指标", "数量指标", "举办专题培训班(期)", "≥7", ">=", 7, "期", None, 1),
        ("产出指标", "质量指标", "培训考核合格率", "＞95%", ">", 95, "%", None, 1),
        ("产出指标", "时效指标", "项目完工时间", "12月底前", None, None, None, "12月底前", 1),
        ("成本指标", "经济成本指标", "人均培训成本(元/人)", "≤800", "<=", 800, "元/人", None, 1),
        ("效益指标", "社会效益指标", "教师教育教学能力", "有效提升", None, None, None, "有效提升", 1),
        ("满意度指标", "服务对象满意度指标", "参训教师满意度", ">=92%", ">=", 92, "%", None, 1),
    ]
    assert all(not i.level_inferred for i in t.indicators)
    assert all(i.bbox is not None for i in t.indicators)


def test_tables_among_other_budget_tables_and_across_pages(tmp_path):
    many = fx.INDICATORS * 6  # long enough to run onto the next page
    parts = [
        fx.title("某市教育局2023年项目支出预算表"),
        fx.distractor_table(),
        fx.page_break(),
        fx.title("部门(单位)整体支出绩效目标表"),
        fx.line("(2023 年)"),
        *fx.department_table(),
        fx.page_break(),
        fx.title("项目支出绩效目标表"),
        fx.line("（2023年度）"),
        fx.project_table("学生资助补助经费", "某市第一中学", "1489.00", "1335.52", "153.48", indicators=many),
    ]
    path = fx.build(tmp_path / "doc.pdf", parts)
    doc = extract_document(path)
    assert doc.status == "ok", doc.error
    assert [t.kind for t in doc.tables] == ["department", "project"]
    dept, proj = doc.tables
    assert (dept.department, dept.year, float(dept.budget_total_wan)) == ("某市民政局", 2023, 300)
    assert [(ln.task, float(ln.total_wan)) for ln in dept.budget_lines] == [
        ("低保资金", 200),
        ("养老服务", 100),
    ]
    assert [i.level2 for i in dept.indicators] == [
        "数量指标",
        "质量指标",
        "社会效益指标",
        "服务对象满意度指标",
    ]
    assert proj.page_first == 3 and proj.page_last >= 4
    assert len(proj.indicators) == len(many)
    assert [i.name for i in proj.indicators] == [x[2] for x in many]
    assert len({i.page for i in proj.indicators}) >= 2
    assert [i.level2 for i in proj.indicators] == [x[1] for x in many]


def test_table_without_ruling_lines_is_read_by_text_alignment(tmp_path):
    path = fx.build(
        tmp_path / "b.pdf",
        [
            fx.title("项目支出绩效目标表"),
            fx.line("（2022年度）"),
            fx.line("项目名称：教师培训项目"),
            fx.spacer(),
            fx.borderless_table(),
        ],
    )
    doc = extract_document(path)
    assert doc.status == "ok", doc.error
    (t,) = doc.tables
    assert (t.year, t.project) == (2022, "教师培训项目")
    got = [(i.level1, i.level2, i.name, i.value_raw) for i in t.indicators]
    assert got == [
        ("产出指标", "数量指标", "培训教师人次", "≥2800人次"),
        ("产出指标", "质量指标", "培训考核合格率", "＞95%"),
        ("效益指标", "社会效益指标", "教师教育教学能力", "有效提升"),
        ("满意度指标", "服务对象满意度指标", "参训教师满意度", "≥92%"),
    ]


def test_a_project_merged_over_several_amount_blocks_gives_one_table_per_block(tmp_path):
    """Each block under one merged project name has its own amounts, goal and indicators: one
    table each (budget and targets stay together), all named after the project."""
    out = ("产出指标", "数量指标", "培训人次", "≥", "50", "人次")
    sat = ("满意度指标", "服务对象满意度指标", "参训人员满意度", "≥", "95", "%")
    cost = ("成本指标", "经济成本指标", "设备购置成本", "≤", "20", "万元")
    projects = [
        (
            "11000026T000003741899-业务能力提升培训项目",
            [
                ("10.000000", "10.000000", "", "开展业务培训", [out, sat]),
                ("20.000000", "15.000000", "5.000000", "购置培训设备", [out, cost, sat]),
            ],
        ),
        (
            "11000026T000003741900-办公设备购置项目",
            [("5.000000", "5.000000", "", "更新办公设备", [cost, sat])],
        ),
    ]
    path = fx.build(
        tmp_path / "list.pdf",
        [fx.title("项目支出绩效目标表"), fx.line("金额单位：万元"), fx.project_list_table(projects)],
    )
    doc = extract_document(path)
    assert doc.status == "ok", doc.error
    got = [(t.project, float(t.budget_total_wan), t.goal, len(t.indicators)) for t in doc.tables]
    assert got == [
        ("业务能力提升培训项目", 10.0, "开展业务培训", 2),
        ("业务能力提升培训项目", 20.0, "购置培训设备", 3),
        ("办公设备购置项目", 5.0, "更新办公设备", 2),
    ]
    assert [float(x) for x in (doc.tables[1].budget_fiscal_wan, doc.tables[1].budget_other_wan)] == [15, 5]


def test_hidden_glyphs_far_from_their_clip_box_are_not_overflow():
    from extractors.pdf.reader import _overflows

    cell = (100.0, 50.0, 200.0, 70.0)  # x0, top, x1, bottom
    assert _overflows(cell, 210, 55, 220, 65)  # a long line running past the right border
    assert _overflows(cell, 120, 80, 130, 90)  # wrapped text a line below the cell
    assert not _overflows(cell, 120, 400, 130, 410)  # a copy drawn far down the page
    assert not _overflows(cell, 20, 300, 30, 310)
