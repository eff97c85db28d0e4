"""Table-type vocabulary and page triage: titles, evaluation headers, negative evidence."""

from __future__ import annotations

import pytest

from extractors.triage import candidate_pages, score
from pipeline.normalize.titles import SELF_EVALUATION, TARGET, bare_label, self_evaluation_row, title_verdict


@pytest.mark.parametrize(
    ("text", "verdict", "kind"),
    [
        ("部门整体支出绩效目标表", TARGET, "department"),
        ("表11：2026年市级部门项目支出绩效表", TARGET, "project"),
        ("预算13表 部门整体支出绩效目标表", TARGET, "department"),
        ("2026年重点项目绩效目标", TARGET, "project"),
        ("某某项目绩效目标申报表（2026年度）", TARGET, "project"),
        ("2025年度项目支出绩效自评表", SELF_EVALUATION, None),
        ("部门整体支出绩效评价表", SELF_EVALUATION, None),
        ("项目绩效目标执行监控表", SELF_EVALUATION, None),
    ],
)
def test_title_verdicts(text, verdict, kind):
    v = title_verdict(text)
    assert v is not None and (v.verdict, v.kind) == (verdict, kind)


@pytest.mark.parametrize(
    "text",
    [
        "整体绩效目标",
        "年度绩效目标",
        "项目支出预算表",
        "详见附件绩效目标表",
        "表11.2026年市级部门项目支出绩效表......24",
    ],
)
def test_keys_budget_tables_and_contents_lines_are_not_target_titles(text):
    v = title_verdict(text)
    assert v is None or v.verdict != TARGET


def test_labels():
    assert title_verdict("表11：2026年市级部门项目支出绩效表").label == "表11"
    assert bare_label("表11") == "表11" and bare_label("附表3-1") == "附表3-1"
    assert bare_label("表11 项目支出绩效表") is None


@pytest.mark.parametrize(
    ("texts", "evaluation"),
    [
        (["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"], True),
        (["年度总体目标", "预期目标", "实际完成情况"], True),
        (["项目名称", "自评分数"], True),
        (["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"], True),
        (["一级指标", "二级指标", "三级指标", "指标值", "分值", "评（扣）分标准"], False),
        (["产出指标", "质量指标", "预算执行率", "≥95%"], False),
    ],
)
def test_evaluation_rows(texts, evaluation):
    assert self_evaluation_row(texts) is evaluation


def test_triage_weighs_goal_lists_up_and_evaluations_down():
    goal_list = "表11：2026年市级部门项目支出绩效表 单位名称 项目名称 金额 绩效目标 某局 运维 100.00 保障运行"
    evaluation = "一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分 偏差原因分析及改进措施"
    target = "一级指标 二级指标 三级指标 指标值 产出指标 数量指标"
    assert score(goal_list) >= 2 and score(target) >= 2 and score(evaluation) < 2
    assert candidate_pages(["封面", target, "续页", evaluation, "其他"]) == [1, 2]


def test_evaluation_words_misread_by_ocr_still_reject():
    assert self_evaluation_row(["一级指标", "三级指标", "年度指标值", "实际完戚值"])
    assert not self_evaluation_row(["一级指标", "三级指标", "年度指标值", "计量单位"])


def test_scoring_titles_are_evaluations():
    assert title_verdict("项目支出绩效评分表").verdict == SELF_EVALUATION
    assert title_verdict("部门绩效考核表").verdict == SELF_EVALUATION
