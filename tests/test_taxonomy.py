"""Printed label variants → the standard taxonomy, dimensions, names without codes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pipeline.normalize import taxonomy
from pipeline.normalize.names import cents, parse_amount, strip_code, to_wan


@pytest.mark.parametrize(
    ("l1", "l2", "expected"),
    [
        ("产出指标", "数量指标", ("产出指标", "数量指标", "quantity")),
        ("产出指标", "成本指标", ("产出指标", "成本指标", "cost")),
        ("成本指标", "经济成本", ("成本指标", "经济成本指标", "cost")),
        ("成本指标", "经济成本指\n标", ("成本指标", "经济成本指标", "cost")),
        ("成本指标", "成本指标", ("成本指标", "经济成本指标", "cost")),
        ("效益指标", "社会效益", ("效益指标", "社会效益指标", "social_benefit")),
        ("效益指标", "环境效益指标", ("效益指标", "生态效益指标", "ecological_benefit")),
        ("效益指标", "可持续影响", ("效益指标", "可持续影响指标", "sustainability")),
        (None, "11-数量指标", ("产出指标", "数量指标", "quantity")),
        ("4 1 - 经 济 成本指标", None, ("成本指标", "经济成本指标", "cost")),
        ("满意度指标", "满意度指标", ("满意度指标", "服务对象满意度指标", "satisfaction")),
        ("满意度指标", "社会公众或服务对象满意度指标", ("满意度指标", "服务对象满意度指标", "satisfaction")),
        ("满意度指标", "服务对象满意度", ("满意度指标", "服务对象满意度指标", "satisfaction")),
        ("产出指标", "进度指标", ("产出指标", "时效指标", "timeliness")),
        ("履职效能", "管理效率", ("履职效能", "管理效率", None)),
    ],
)
def test_standardize(l1, l2, expected):
    assert taxonomy.standardize(l1, l2) == expected


def test_printed_level1_that_does_not_own_the_level2_is_corrected():
    # a merged 产出指标 cell printed over 社会效益 rows
    assert taxonomy.standardize("产出指标", "社会效益指标")[0] == "效益指标"
    assert not taxonomy.belongs("产出指标", "社会效益指标")
    assert taxonomy.belongs("产出指标", "成本指标")
    assert taxonomy.belongs("成本指标", "成本指标")


def test_split_packed_levels():
    assert taxonomy.split_packed("产出指标数量指标北京市行政执法资格考试人数") == (
        "产出指标",
        "数量指标",
        "北京市行政执法资格考试人数",
    )
    assert taxonomy.split_packed("成本指标经济成本指标劳务费") == ("成本指标", "经济成本指标", "劳务费")
    assert taxonomy.split_packed("满意度指标服务对象满意度指标参会满意度") == (
        "满意度指标",
        "服务对象满意度指标",
        "参会满意度",
    )


def test_recognise_rejects_names():
    assert taxonomy.recognise("社会效益显著提升的项目") is None
    assert taxonomy.recognise("群众满意度") is None
    assert taxonomy.recognise("数量指标").standard == "数量指标"


@pytest.mark.parametrize(
    ("printed", "name"),
    [
        ("342004-义乌市交通运输局", "义乌市交通运输局"),
        ("[ 305010] 涿州市教育局", "涿州市教育局"),
        ("涿州市教育局（305010）", "涿州市教育局"),
        ("266_烟台市交通运输局", "烟台市交通运输局"),
        ("337007内蒙古自治区卫生健康委员会", "内蒙古自治区卫生健康委员会"),
        ("11000022T00000042 5969-工业和信息化优化营商环境类项目", "工业和信息化优化营商环境类项目"),
        ("2019年义务教育薄弱环节改善项目", "2019年义务教育薄弱环节改善项目"),
        ("2024-2026年数字政府项目", "2024-2026年数字政府项目"),
        ("12345政务服务便民热线", "12345政务服务便民热线"),
        ("GZIT2022-SM-051103", "GZIT2022-SM-051103"),
        ("烟台市住房和城乡建设 局", "烟台市住房和城乡建设局"),
        ("Smart City 智慧 城市", "Smart City 智慧城市"),
    ],
)
def test_strip_code(printed, name):
    assert strip_code(printed) == name


def test_amounts():
    assert parse_amount("4,837.25") == Decimal("4837.25")
    assert parse_amount("１２３.４") == Decimal("123.4")
    assert parse_amount("合计") is None
    assert to_wan(Decimal("23427600.00"), unit_is_yuan=True) == Decimal("2342.76")
    assert to_wan(Decimal("590242.670510"), unit_is_yuan=False) == Decimal("590242.67")


def test_one_money_rounding_half_away_from_zero():
    """Amounts are rounded once, as DuckDB casts to DECIMAL(18,2): 12250 元 is 1.23 万元
    (banker's rounding would store 1.22), whether rebuilt or loaded from another source."""
    assert to_wan(Decimal("12250"), unit_is_yuan=True) == Decimal("1.23")
    assert to_wan(Decimal("1.225"), unit_is_yuan=False) == Decimal("1.23")
    assert cents(Decimal("-1.225")) == Decimal("-1.23")
    assert cents(float("nan")) is None and cents("∞") is None and cents(2.5) == Decimal("2.50")
