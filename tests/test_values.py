"""The 指标值 grammar of the data contract: one test per grammar row, plus properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.normalize.units import is_unit
from pipeline.normalize.values import join_columns, looks_numeric, parse_value, unit_from_name


def parsed(raw, **kw):
    v = parse_value(raw, **kw)
    return v.comparator, v.value_num, v.value_max, v.unit, v.value_text


@pytest.mark.parametrize("raw", ["100%", "=100%", "＝100%", "﹦100%", "达到100%", "等于100%", "１００％"])
def test_equal_forms(raw):
    assert parsed(raw) == ("=", 100, None, "%", None)


def test_bare_count_with_unit():
    assert parsed("200件") == ("=", 200, None, "件", None)


@pytest.mark.parametrize(
    "raw", ["≥95%", "≧95%", ">=95%", "不低于95%", "不少于95%", "大于等于95%", "95%以上", "≥ 95 ％", "＞＝95%"]
)
def test_at_least_forms(raw):
    assert parsed(raw) == (">=", 95, None, "%", None)


@pytest.mark.parametrize(
    "raw",
    ["≤992万元", "≦992万元", "<=992万元", "不超过992万元", "不高于992万元", "992万元以内", "小于等于992万元"],
)
def test_at_most_forms(raw):
    assert parsed(raw) == ("<=", 992, None, "万元", None)


@pytest.mark.parametrize("raw", [">90%", "＞90%", "大于90%", "高于90%"])
def test_greater_forms(raw):
    assert parsed(raw) == (">", 90, None, "%", None)


@pytest.mark.parametrize("raw", ["<5%", "＜5%", "小于5%", "低于5%"])
def test_less_forms(raw):
    assert parsed(raw) == ("<", 5, None, "%", None)


@pytest.mark.parametrize("raw", ["90%-95%", "90%～95%", "90%至95%", "90 %-95%", "90-95%"])
def test_ranges(raw):
    assert parsed(raw) == ("range", 90, 95, "%", None)


@pytest.mark.parametrize(
    "raw",
    ["有效", "效果显著", "长期", "逐步提高", "12月底前", "10月底前完成", "6月30日前", "年底前",
     "2026年底", "2025年12月", "2026年12月31日前", "2026.12.31前"],
)  # fmt: skip
def test_qualitative(raw):
    assert parsed(raw) == (None, None, None, None, raw)


def test_separate_nature_value_unit_columns():
    v = parse_value("95", nature="≥", unit="%")
    assert (v.raw, v.comparator, v.value_num, v.unit) == ("≥95%", ">=", 95, "%")
    v = parse_value("100", nature="＝", unit="%")
    assert (v.raw, v.comparator, v.value_num) == ("＝100%", "=", 100)


def test_qualitative_nature_column_drops_other_unit():
    v = parse_value("优良中低差", nature="定性", unit="其他")
    assert (v.raw, v.comparator, v.value_num, v.unit, v.value_text) == (
        "优良中低差",
        None,
        None,
        None,
        "优良中低差",
    )


def test_full_width_digits_and_thousands_separators():
    assert parsed("≤４５４．１３万元") == ("<=", 454.13, None, "万元", None)
    assert parsed("1,200万元") == ("=", 1200, None, "万元", None)
    assert parsed("≥ 78,000 米") == (">=", 78000, None, "米", None)


def test_unit_from_parenthesized_name():
    assert parsed("≥1000", name="人民调解案件数(件)") == (">=", 1000, None, "件", None)
    assert parsed("≤500", name="补贴（元/件）") == ("<=", 500, None, "元/件", None)
    # a parenthesized qualifier is not a unit
    assert parse_value("≥2", name="服务企业次数（年度）").unit is None
    assert unit_from_name("路面修补面积( 平方米)") == "平方米"


def test_value_unit_wins_over_name_unit():
    assert parsed("≥5个", name="数量(件)") == (">=", 5, None, "个", None)


def test_comparator_inside_name_is_not_the_value():
    v = parse_value("≤4000元", name="距离≥90km的补贴")
    assert (v.comparator, v.value_num, v.unit) == ("<=", 4000, "元")


def test_prefixes_parentheses_and_leading_equals():
    assert parsed("每年≥20场") == (">=", 20, None, "场", None)
    assert parsed("全年≥10000家次") == (">=", 10000, None, "家次", None)
    assert parsed("(=100%)") == ("=", 100, None, "%", None)
    assert parsed("=一年") == (None, None, None, None, "一年")


def test_two_quantities_stay_text():
    raw = "项目立项数量≥400个；项目终验数量≥400个。"
    assert parsed(raw) == (None, None, None, None, raw)
    assert looks_numeric(raw)


def test_units_as_printed():
    assert parse_value("≥2座（处）").unit == "座(处)"
    assert parse_value("≥11个（台、套、件、辆）").unit == "个(台、套、件、辆)"
    assert parse_value("≤180元/人.天").unit == "元/人.天"
    assert parse_value("≤14元/m2/月").unit == "元/m2/月"
    assert parse_value("＜5‰").unit == "‰"
    assert parse_value("≤0起").comparator == "<="


def test_join_columns():
    assert join_columns("≥", "95", "%") == "≥95%"
    assert join_columns("定性", "优", "其他") == "优"
    assert join_columns(None, "≥95%", None) == "≥95%"


# -- properties -------------------------------------------------------------------------------

_COMPARATORS = {"≥": ">=", "≤": "<=", ">": ">", "<": "<", "=": "=", "大于等于": ">=", "不超过": "<=", "": "="}
_UNITS = ["%", "万元", "件", "平方米", "人次", "个", "公里", "元/人", ""]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_parse_never_raises(text):
    v = parse_value(text)
    assert v.comparator in (None, ">=", "<=", ">", "<", "=", "range")
    if v.comparator is None:
        assert v.value_num is None


@settings(max_examples=300, deadline=None)
@given(
    comp=st.sampled_from(sorted(_COMPARATORS)),
    number=st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False),
    unit=st.sampled_from(_UNITS),
    thousands=st.booleans(),
)
def test_generated_values_round_trip(comp, number, unit, thousands):
    text = f"{number:,}" if thousands else f"{number}"
    v = parse_value(f"{comp}{text}{unit}")
    assert v.comparator == _COMPARATORS[comp]
    assert v.value_num == pytest.approx(float(number))
    assert v.unit == (unit or None)


@settings(max_examples=200, deadline=None)
@given(lo=st.integers(0, 1000), span=st.integers(0, 1000), unit=st.sampled_from(["%", "公斤", "万元"]))
def test_generated_ranges_round_trip(lo, span, unit):
    v = parse_value(f"{lo}{unit}-{lo + span}{unit}")
    assert (v.comparator, v.value_num, v.value_max, v.unit) == ("range", lo, lo + span, unit)


def test_short_subject_before_the_only_comparison():
    assert parsed("全市数量≥11173场") == (">=", 11173, None, "场", None)
    assert parsed("投诉率≤5%") == ("<=", 5, None, "%", None)
    # two comparisons, or a clause, stay text
    assert parsed("较上一年下降或≤14.5/10万")[0] is None
    assert parsed("≤资金下达后2日")[0] is None


# -- units come from a lexicon and its shapes (issue 10, item 7) ----------------------------


@pytest.mark.parametrize(
    "unit",
    [
        "个", "件", "人次", "万元", "亿元", "千元", "%", "‰", "平方米", "㎡", "m2", "km²", "km", "公里",
        "个工作日", "个月", "小时", "分钟", "季度", "元/人·月", "元/(人·月)", "次/年", "万元/公里",
        "人次/年", "元/件", "元/m2/月", "元/人.天", "个(台、套、件、辆)", "座(处)", "台/套", "人、户",
        "万", "亿条", "万人次", "家/个/批次", "元每千字", "万元/每项目", "/人/年", "微克/立方米",
        "Mbps", "百分比", "比值",
    ],
)  # fmt: skip
def test_units_of_the_lexicon(unit):
    assert is_unit(unit)


@pytest.mark.parametrize(
    "text",
    ["个片区各类服务机构", "个片区", "家企业", "个村", "栋楼", "年全年", "月底前", "%以上", "%支持",
     "月30日前", "条(中亚、中俄)", "人数", ""],
)  # fmt: skip
def test_not_units(text):
    assert not is_unit(text)


@pytest.mark.parametrize(
    "raw",
    ["3个片区各类服务机构", "完成3个片区", "≥50家企业", "≥230个村", "≥158栋楼", "100%支持",
     "=5条（中亚、中俄、中欧）", "≥50人数"],
)  # fmt: skip
def test_number_followed_by_words_is_text(raw):
    assert parsed(raw) == (None, None, None, None, raw.lstrip("="))


@pytest.mark.parametrize(
    "raw",
    ["2021年", "2021年全年", "≥2021年", "2021-2025年", "2021年-2025年", "2026年内", "≤20261130日",
     "＝20261125日"],
)  # fmt: skip
def test_dates_and_periods_are_text(raw):
    assert parsed(raw) == (None, None, None, None, raw.lstrip("=＝"))


@pytest.mark.parametrize(
    ("raw", "name"),
    [("=2021", "项目完成年度"), ("2026", "项目完成时间"), ("≤2026", "验收日期"), ("2026.12", "完工时点"),
     ("2021-2025", "实施年份"), ("2027", "规划期限")],
)  # fmt: skip
def test_bare_year_with_a_time_name_is_text(raw, name):
    assert parsed(raw, name=name) == (None, None, None, None, raw.lstrip("="))


@pytest.mark.parametrize(
    ("raw", "name", "expected"),
    [
        ("=2021", None, ("=", 2021, None, None, None)),
        ("2026", "采购数量", ("=", 2026, None, None, None)),
        ("2026", "完成时间(分钟)", ("=", 2026, None, "分钟", None)),
        ("≥2000人次", "培训时间", (">=", 2000, None, "人次", None)),
    ],
)
def test_bare_year_otherwise_stays_a_number(raw, name, expected):
    """Pins: without a time name a bare year is a number, as before."""
    assert parsed(raw, name=name) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("3年", ("=", 3, None, "年", None)),
        ("≤12个月", ("<=", 12, None, "个月", None)),
        ("≤15个工作日", ("<=", 15, None, "个工作日", None)),
        ("24小时", ("=", 24, None, "小时", None)),
        ("1年内", ("<=", 1, None, "年", None)),
        ("≤12月", ("<=", 12, None, "月", None)),
        ("＝6月", ("=", 6, None, "月", None)),
    ],
)
def test_durations_and_signed_months_stay_numeric(raw, expected):
    """Pins the decision: durations and a month with a sign (≤12月) stay numeric."""
    assert parsed(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("≥98%以上", (">=", 98, None, "%", None)),
        ("达到95%以上", (">=", 95, None, "%", None)),
        ("≥3个及以上", (">=", 3, None, "个", None)),
        (">90%以上", (">", 90, None, "%", None)),
        ("≤3天以内", ("<=", 3, None, "天", None)),
        ("等于5万元以下", ("<=", 5, None, "万元", None)),
        ("≤5%以上", (None, None, None, None, "≤5%以上")),
    ],
)
def test_sign_and_trailing_comparator_word(raw, expected):
    assert parsed(raw) == expected


@pytest.mark.parametrize(
    ("raw", "unit"),
    [("≥325人、户", "人、户"), ("≥1500万", "万"), ("≥10亿条", "亿条"), ("≤2000元/(人·月)", "元/(人·月)"),
     ("≤2.2比值", "比值"), ("≥100百分比", "百分比")],
)  # fmt: skip
def test_compound_units(raw, unit):
    """`人、户` is new; the others pin shapes the lexicon must keep accepting."""
    assert parse_value(raw).unit == unit


def test_name_unit_must_be_a_unit():
    assert parse_value("≥0.95", name="监测数据与标准方法相关性（比对平台）").unit is None
    assert unit_from_name("运营补贴覆盖范围（全市各区）") is None
    assert unit_from_name("户厕改造补助标准(元/户)") == "元/户"


def test_unit_column_is_the_unit_as_printed():
    v = parse_value("50", nature="≥", unit="人数")
    assert (v.raw, v.comparator, v.value_num, v.unit) == ("≥50人数", ">=", 50, "人数")
    v = parse_value("14", nature="＝", unit="个（台、套、")
    assert (v.comparator, v.value_num, v.unit) == ("=", 14, "个(台、套、")
    # a year is a date even when the table prints 年 in its unit column
    v = parse_value("2026", nature="＝", unit="年")
    assert (v.raw, v.comparator, v.value_text) == ("＝2026年", None, "2026年")
    # page furniture in the unit column is not a unit
    assert parse_value("3", nature="≥", unit="第39页，共40页").comparator is None


def test_quantitative_nature_is_numeric_without_sign():
    assert join_columns("定量", "200", "件") == "200件"
    v = parse_value("200", nature="定量", unit="件")
    assert (v.raw, v.comparator, v.value_num, v.unit, v.value_text) == ("200件", "=", 200, "件", None)
    v = parse_value("≥95", nature="定量", unit="%")
    assert (v.raw, v.comparator, v.value_num, v.unit) == ("≥95%", ">=", 95, "%")
