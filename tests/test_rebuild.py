"""The rebuilder called directly on small built documents, one layout per test.

Each document is a handful of grids (see tests/grid_fixtures.py), so a test shows the
layout it pins down: table type, column roles, boundaries, metadata orientation,
goal-only lists and tables that print no levels.
"""

from __future__ import annotations

from decimal import Decimal

from pipeline.model import Table
from pipeline.normalize.assemble import normalize_document
from pipeline.rebuild.tables import find_tables
from tests.grid_fixtures import document, flat, lines, table


def tables_of(*grids, path: str = "2026年某市某局部门预算.pdf") -> list[Table]:
    doc = document(*grids)
    return normalize_document(find_tables(doc), path, doc.heading)


def names(t: Table) -> list[str]:
    return [i.name for i in t.indicators]


# --- indicator blocks used by several tests --------------------------------------------------
HEADER = ["一级指标", "二级指标", "三级指标", "指标值"]
BLOCK = [
    ["产出指标", "数量指标", "培训人次", "≥2800人次"],
    ["^", "质量指标", "考核合格率", "≥95%"],
    ["^", "时效指标", "完成时间", "12月底前"],
    ["效益指标", "社会效益指标", "能力提升", "有效提升"],
    ["满意度指标", "服务对象满意度指标", "参训满意度", "≥90%"],
]


def project_meta(name: str, total: str = "100", unit: str = "某中心") -> list[list[str]]:
    return [
        ["项目名称", name, "<", "<"],
        ["主管部门", "某市某局", "实施单位", unit],
        ["年度资金总额", total, "<", "<"],
        ["年度绩效目标", f"{name}的年度目标。", "<", "<"],
    ]


# --- 1. table type ---------------------------------------------------------------------------
def test_self_evaluation_table_is_not_a_target_table_even_with_a_project_row():
    rows = [
        ["项目名称", "某项目", "<", "<", "<", "<"],
        ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "得分"],
        ["产出指标", "数量指标", "培训人次", "≥2800", "2900", "10"],
        ["^", "质量指标", "合格率", "≥95%", "97%", "10"],
    ]
    assert tables_of(lines("2025年度项目支出绩效自评表"), table(rows)) == []
    # without its title the header alone decides
    assert tables_of(table(rows)) == []


def test_rows_under_a_rejected_title_start_nothing():
    rows = [["专项名称", "某专项", "<"], ["预期目标", "实际完成情况", "<"], ["完成培训", "已完成", "<"]]
    assert tables_of(lines("部门整体支出绩效自评表"), table(rows)) == []


def test_department_self_evaluation_goal_columns_reject_the_table():
    rows = [
        ["部门名称", "某市某局", "<"],
        ["年度总体目标", "预期目标", "实际完成情况"],
        ["^", "完成全年任务", "已完成"],
        *[r[:3] for r in BLOCK],
    ]
    assert tables_of(lines("部门整体支出绩效目标表"), table(rows)) == []


def test_budget_table_with_project_columns_but_no_goal_is_not_a_target_table():
    rows = [
        ["单位名称", "项目名称", "总计", "一般公共预算"],
        ["某市某局", "信息化运维", "120.00", "120.00"],
        ["某市某局", "执法办案", "80.00", "80.00"],
    ]
    assert tables_of(lines("表10：2026年市级部门项目支出预算表"), table(rows)) == []


# --- 5. goal-only project lists --------------------------------------------------------------
def _goal_list_doc():
    header = ["单位名称", "项目名称", "金额", "绩效目标"]
    p1 = table(
        [
            header,
            ["**", "**", "**", "**"],
            ["合计", "", "1,300.50", ""],
            ["某市某局", "信息化运维", "1,000.00", "保障信息系统稳定运行。"],
            ["某市某中心（某市某站）", "设备维护", "200.50", "完成设备维护，确保"],
        ],
        page=7,
    )
    p2 = table(
        [
            ["", "", "", "设备全年正常运行。"],
            ["某市某中心（某市某站）", "科普宣传", "100.00", ""],
            ["", "", "1,300.50", ""],
        ],
        page=8,
        top=40,
    )
    return [
        lines("表11", "2026年市级部门项目支出绩效表", ["507-某市某局", "万元"], page=7),
        p1,
        lines("8", page=7, top=560),
        p2,
    ]


def test_goal_only_list_gives_one_project_table_per_row():
    got = tables_of(*_goal_list_doc())
    assert [(t.unit, t.project, t.budget_total_wan) for t in got] == [
        ("某市某局", "信息化运维", Decimal("1000.00")),
        ("某市某中心（某市某站）", "设备维护", Decimal("200.50")),
        ("某市某中心（某市某站）", "科普宣传", Decimal("100.00")),
    ]
    assert {t.kind for t in got} == {"project"}
    assert {t.department for t in got} == {"某市某局"}
    assert {t.year for t in got} == {2026}
    assert got[1].goal == "完成设备维护，确保设备全年正常运行。"  # joined across the page break
    assert got[2].goal is None
    assert all(t.indicators == [] and t.budget_fiscal_wan is None for t in got)
    assert (got[1].page_first, got[1].page_last) == (7, 8)


def test_goal_list_with_combined_unit_project_column_and_codes():
    rows = [
        ["单位编码", "单位（项目）名称", "项目金额", "项目绩效目标"],
        ["101", "某市某局", "300.00", ""],
        ["", "执法装备购置", "200.00", "购置执法装备一批。"],
        ["", "业务培训", "100.00", "培训执法人员500人次。"],
        ["102", "某市某中心", "50.00", ""],
        ["", "系统运维", "50.00", "系统可用率99%。"],
    ]
    got = tables_of(lines("2026年重点项目绩效目标表", "单位：万元"), table(rows))
    assert [(t.unit, t.project, t.budget_total_wan) for t in got] == [
        ("某市某局", "执法装备购置", Decimal("200.00")),
        ("某市某局", "业务培训", Decimal("100.00")),
        ("某市某中心", "系统运维", Decimal("50.00")),
    ]


# --- 3. boundaries ----------------------------------------------------------------------------
def test_bare_table_label_and_repeated_page_header_continue_the_open_table():
    title = "2026年项目支出绩效目标表"
    meta = project_meta("信息化运维")
    p1 = [lines("表5", title, page=1), table([*meta, HEADER, *BLOCK[:3]], page=1)]
    # page 2 repeats label, title, the project row and the header
    p2 = [
        lines("表5", title, page=2),
        table([meta[0], HEADER, *[["产出指标" if r[0] == "^" else r[0], *r[1:]] for r in BLOCK[3:]]], page=2),
    ]
    got = tables_of(*p1, *p2)
    assert len(got) == 1
    assert names(got[0]) == ["培训人次", "考核合格率", "完成时间", "能力提升", "参训满意度"]
    assert (got[0].page_first, got[0].page_last) == (1, 2)


def test_two_row_header_reprinted_on_each_page_never_becomes_indicators():
    head = [["绩效指标", "<", "<", "指标值"], ["一级指标", "二级指标", "三级指标", "^"]]
    p1 = table([*project_meta("设备购置"), *head, *BLOCK[:2]], page=1)
    p2 = table([*head, *BLOCK[2:]], page=2)
    got = tables_of(lines("项目支出绩效目标表"), p1, p2)
    assert len(got) == 1
    assert names(got[0]) == ["培训人次", "考核合格率", "完成时间", "能力提升", "参训满意度"]


def test_same_title_tables_in_a_row_split_on_their_own_name_and_amount_blocks():
    title = "2026年转移支付绩效目标表"

    def one(name, total, page):
        rows = [
            ["转移支付名称", name, "<", "<"],
            ["资金总额", total, "<", "<"],
            HEADER,
            *BLOCK[:2],
        ]
        return [lines(title, page=page), table(rows, page=page)]

    got = tables_of(*one("农村公路养护补助", "500", 1), *one("客运站运营补助", "300", 2))
    assert [(t.project, t.budget_total_wan) for t in got] == [
        ("农村公路养护补助", Decimal("500")),
        ("客运站运营补助", Decimal("300")),
    ]


# --- 4. metadata in either orientation --------------------------------------------------------
def test_keys_over_values_and_total_wordings():
    rows = [
        ["部门名称", "某市某局", "<"],
        ["资金总额", "一般公共预算", "整体绩效目标"],
        ["1,500.00", "1,200.00", "全面履行部门职责。"],
        ["一级指标", "二级指标", "三级指标", "指标值"],
        *BLOCK[:2],
    ]
    (t,) = tables_of(lines("2026年部门整体支出绩效目标表"), table(rows))
    assert (t.kind, t.department) == ("department", "某市某局")
    assert (t.budget_total_wan, t.budget_fiscal_wan) == (Decimal("1500.00"), Decimal("1200.00"))
    assert t.goal == "全面履行部门职责。"


def test_implementation_period_amount_stands_for_the_total_when_no_annual_one_is_printed():
    rows = [
        ["项目名称", "道路养护", "<", "<"],
        ["实施期资金总额", "900", "<", "<"],
        ["项目实施期目标", "完成道路养护。", "<", "<"],
        HEADER,
        *BLOCK[:2],
    ]
    (t,) = tables_of(lines("项目支出绩效目标表"), table(rows))
    assert t.budget_total_wan == Decimal("900")
    assert t.goal == "完成道路养护。"


def test_carry_over_is_not_other_funds():
    rows = [
        ["项目名称", "道路养护", "<", "<"],
        ["金额合计", "150", "<", "<"],
        ["其中：财政拨款", "100", "<", "<"],
        ["上年结转", "50", "<", "<"],
        HEADER,
        *BLOCK[:2],
    ]
    (t,) = tables_of(lines("项目支出绩效目标表"), table(rows))
    assert (t.budget_total_wan, t.budget_fiscal_wan, t.budget_other_wan) == (
        Decimal("150"),
        Decimal("100"),
        None,
    )


def test_goal_row_after_an_empty_key_is_kept():
    rows = [
        ["项目名称", "道路养护", "<", "<"],
        ["项目资金", "年度资金总额", "100", "<"],
        ["^", "其他资金", "", "<"],
        ["年度绩效目标", "完成道路养护100公里。", "<", "<"],
        HEADER,
        *BLOCK[:2],
    ]
    (t,) = tables_of(lines("项目支出绩效目标表"), table(rows))
    assert t.goal == "完成道路养护100公里。"
    assert t.budget_total_wan == Decimal("100")


# --- 2. column roles from header words and contents ---------------------------------------------
def test_comparator_column_with_quantitative_and_qualitative_types():
    rows = [
        *project_meta("执法办案"),
        ["一级指标", "二级指标", "三级指标", "指标值类型", "指标值", "计量单位"],
        ["产出指标", "数量指标", "办案数量", "定量", "200", "件"],
        ["^", "质量指标", "结案率", "≥", "95", "%"],
        ["^", "成本指标", "办案成本", "≤", "50", "万元"],
        ["效益指标", "社会效益指标", "社会秩序", "定性", "持续改善", ""],
    ]
    (t,) = tables_of(lines("项目支出绩效目标表"), table(rows))
    got = [(i.comparator, i.value_num, i.unit, i.value_text) for i in t.indicators]
    assert got == [
        ("=", 200, "件", None),
        (">=", 95, "%", None),
        ("<=", 50, "万元", None),
        (None, None, None, "持续改善"),
    ]


def test_sign_and_unit_columns_are_read_from_their_contents_whatever_their_header():
    rows = [
        *project_meta("执法办案"),
        ["一级指标", "二级指标", "三级指标", "指标方向值", "目标", "量纲"],
        ["产出指标", "数量指标", "办案数量", "≥", "200", "件"],
        ["^", "质量指标", "结案率", "≥", "95", "%"],
        ["^", "时效指标", "办结时限", "≤", "30", "天"],
    ]
    (t,) = tables_of(lines("项目支出绩效目标表"), table(rows))
    got = [(i.comparator, i.value_num, i.unit) for i in t.indicators]
    assert got == [(">=", 200, "件"), (">=", 95, "%"), ("<=", 30, "天")]


def test_scoring_rule_remark_and_weight_columns():
    rows = [
        *project_meta("执法办案"),
        ["一级指标", "二级指标", "三级指标", "指标值", "分值", "评（扣）分标准", "备注"],
        ["产出指标", "数量指标", "办案数量", "≥200件", "20", "每少10件扣2分", ""],
        ["^", "质量指标", "结案率", "≥95%", "20", "低于95%不得分", "全年"],
    ]
    (t,) = tables_of(lines("项目支出绩效目标表"), table(rows))
    assert [(i.name, i.value_num, i.weight) for i in t.indicators] == [
        ("办案数量", 200, 20),
        ("结案率", 95, 20),
    ]


# --- 6. levels not printed ----------------------------------------------------------------------
def test_table_without_level_columns_keeps_levels_null_and_infers_dimension():
    rows = [
        ["绩效指标", "指标性质", "指标值", "计量单位"],
        ["培训人次", "≥", "2800", "人次"],
        ["项目成本", "≤", "50", "万元"],
        ["服务对象满意度", "≥", "90", "%"],
    ]
    (t,) = tables_of(lines("表十一 2026年项目支出绩效目标表"), table([*project_meta("培训"), *rows]))
    assert [(i.level1, i.level2, i.level1_raw, i.level2_raw) for i in t.indicators] == [(None,) * 4] * 3
    assert [i.dimension for i in t.indicators][1:] == ["cost", "satisfaction"]
    assert all(i.level_inferred for i in t.indicators)


def test_blank_level2_is_filled_within_its_printed_level1_only():
    rows = [
        *project_meta("培训"),
        HEADER,
        ["产出指标", "数量指标", "培训人次", "≥2800人次"],
        ["^", "^", "培训班期数", "≥7期"],
        ["效益指标", "", "能力提升", "有效提升"],
    ]
    (t,) = tables_of(lines("项目支出绩效目标表"), table(rows))
    assert [(i.level1, i.level2) for i in t.indicators] == [
        ("产出指标", "数量指标"),
        ("产出指标", "数量指标"),
        ("效益指标", None),
    ]


def test_level_cell_cut_at_a_page_foot_continues_from_the_next_page():
    p1 = table(
        [
            *project_meta("培训"),
            HEADER,
            ["产出指标", "数量指标", "培训人次", "≥2800人次"],
            ["^", "", "考核合格率", "≥95%"],  # the 质量指标 cell begins here; its text fell on page 2
        ],
        page=1,
    )
    p2 = table([["产出指标", "质量指标", "结业率", "≥98%"]], page=2, top=40)
    (t,) = tables_of(lines("项目支出绩效目标表"), p1, p2)
    assert [i.level2 for i in t.indicators] == ["数量指标", "质量指标", "质量指标"]


def test_flattened_dump_still_recovers_displaced_levels():
    rows = [
        ["项目名称", "培训"],
        HEADER,
        ["产出指标", "数量指标", "培训人次", "≥2800人次"],
        ["", "", "考核合格率", "≥95%"],
        ["", "质量指标", "结业率", "≥98%"],
        ["满意度指标", "服务对象满意度指标", "参训满意度", "≥90%"],
    ]
    (t,) = tables_of(lines("项目支出绩效目标表"), flat(rows))
    assert [i.level1 for i in t.indicators] == ["产出指标"] * 3 + ["满意度指标"]
    assert [i.level2 for i in t.indicators][1:3] == ["质量指标", "质量指标"]


def test_project_cut_by_a_page_break_stays_one_table():
    meta = project_meta("信息化运维")
    # page 1: the metadata; page 2: the title again, the project row again, then the indicators
    p1 = [lines("项目支出绩效目标表", page=1), table(meta, page=1)]
    p2 = [lines("项目支出绩效目标表", page=2), table([meta[0], HEADER, *BLOCK], page=2)]
    (t,) = tables_of(*p1, *p2)
    assert (t.project, t.budget_total_wan, t.goal) == ("信息化运维", Decimal("100"), "信息化运维的年度目标。")
    assert len(t.indicators) == 5 and (t.page_first, t.page_last) == (1, 2)


def test_continuation_page_without_header_under_a_title_printed_twice():
    title = "政策和项目预算绩效目标表"
    p1 = [lines(title, "(2026年度)", page=1), table([*project_meta("运行保障"), HEADER, *BLOCK[:2]], page=1)]
    p2 = [
        lines(title, "(2026年度)", title, page=2),
        table([["产出指标", "时效指标", "完成时间", "12月底前"]], page=2),
    ]
    (t,) = tables_of(*p1, *p2)
    assert names(t) == ["培训人次", "考核合格率", "完成时间"]


def test_goal_list_with_split_amount_header_and_serial_numbers():
    rows = [
        ["序号", "单位名称", "项目名称", "项目金额", "<", "<", "绩效目标"],
        ["^", "^", "^", "合计", "财政拨款", "其他资金", "^"],
        ["1", "某市某局", "执法装备购置", "200.00", "150.00", "50.00", "购置执法装备一批。"],
        ["2", "某市某中心", "系统运维", "50.00", "50.00", "0.00", "系统可用率99%。"],
    ]
    got = tables_of(lines("2026年部门项目支出绩效表", "部门名称：某市某局", "单位：万元"), table(rows))
    assert [
        (t.unit, t.project, t.budget_total_wan, t.budget_fiscal_wan, t.budget_other_wan) for t in got
    ] == [
        ("某市某局", "执法装备购置", Decimal("200.00"), Decimal("150.00"), Decimal("50.00")),
        ("某市某中心", "系统运维", Decimal("50.00"), Decimal("50.00"), Decimal("0.00")),
    ]
    assert {t.department for t in got} == {"某市某局"}


def test_key_project_list_under_a_narrative_heading_is_read_without_a_title():
    rows = [
        ["项目", "预算数（单位：万元）", "绩效目标"],
        ["公共交通财政补贴", "300,000", "安排专项资金对公交企业进行补贴。"],
        ["机构运行辅助经费", "560", "进一步完善执法辅助人员管理。"],
    ]
    doc = [lines("七、重点项目预算绩效目标情况", "2026年，本部门重点项目绩效目标情况如下："), table(rows)]
    got = tables_of(*doc)
    assert [(t.project, t.budget_total_wan) for t in got] == [
        ("公共交通财政补贴", Decimal("300000")),
        ("机构运行辅助经费", Decimal("560")),
    ]


def test_budget_table_with_an_empty_goal_column_is_not_a_goal_list():
    rows = [
        ["单位名称", "项目名称", "金额", "绩效目标"],
        ["某市某局", "信息化运维", "120.00", ""],
        ["某市某局", "执法办案", "80.00", ""],
        ["某市某局", "设备购置", "30.00", ""],
    ]
    assert tables_of(lines("项目支出预算表"), table(rows)) == []


def test_indicator_header_without_any_title_starts_a_table_with_the_metadata_above_it():
    rows = [*project_meta("道路养护"), HEADER, *BLOCK[:2]]
    (t,) = tables_of(lines("附件3"), table(rows))
    assert (t.kind, t.project, t.budget_total_wan) == ("project", "道路养护", Decimal("100"))
    assert names(t) == ["培训人次", "考核合格率"]


def test_missed_tables_are_reported_by_the_self_audit():
    from pipeline.rebuild.tables import TableFinder

    # a title over a ruled table whose columns the rebuilder cannot read: a sighting, no table
    rows = [["考核内容", "考核标准"], ["培训", "≥10次"]]
    finder = TableFinder(document(lines("项目支出绩效目标表", page=3), table(rows, page=3)))
    assert finder.run() == []
    assert [(s.page, s.what) for s in finder.unexplained()] == [(3, "title")]


def test_project_list_with_unlabelled_indicator_rows():
    """表十一-style: each project's name, amount and goal merged over its indicator rows, which
    print no 一级/二级 (绩效指标 | 指标性质 | 指标值 | 计量单位)."""
    rows = [
        ["项目名称", "金额", "绩效目标", "绩效指标", "指标性质", "指标值", "计量单位"],
        ["道路养护", "500.00", "养护道路120公里。", "养护道路里程", "≥", "120", "公里"],
        ["^", "^", "^", "养护成本", "≤", "500", "万元"],
        ["^", "^", "^", "群众满意度", "≥", "90", "%"],
        ["路灯维修", "80.00", "维修路灯300盏。", "维修路灯数量", "≥", "300", "盏"],
        ["^", "^", "^", "维修及时率", "≥", "95", "%"],
    ]
    got = tables_of(lines("2026年项目支出绩效目标表"), table(rows))
    assert [(t.project, t.budget_total_wan, len(t.indicators)) for t in got] == [
        ("道路养护", Decimal("500.00"), 3),
        ("路灯维修", Decimal("80.00"), 2),
    ]
    first = got[0].indicators
    assert [(i.level1, i.level2, i.comparator, i.value_num, i.unit) for i in first] == [
        (None, None, ">=", 120, "公里"),
        (None, None, "<=", 500, "万元"),
        (None, None, ">=", 90, "%"),
    ]
    assert [i.dimension for i in first][1:] == ["cost", "satisfaction"]


def test_department_table_whose_title_does_not_say_整体():
    rows = [
        ["部门名称", "某市某局", "<", "<"],
        ["年度绩效目标", "全面履行部门职责。", "<", "<"],
        HEADER,
        *BLOCK[:2],
    ]
    (t,) = tables_of(lines("2026年部门绩效目标表"), table(rows))
    assert (t.kind, t.department, t.project) == ("department", "某市某局", None)
