"""Canonical indicator concepts: what an indicator measures, whatever its wording.

Indicator names are segmented with jieba, helped by a user dictionary of the domain's words
(taxonomy labels and common indicator terms, `DOMAIN_WORDS`).  Ordered rules then map the
tokens — with the indicator's dimension and unit where the words alone are not enough — to
a concept.  The first rule that matches decides; its name is kept beside the concept so an
analyst can see why.  An indicator no rule covers gets no concept (NULL): a missing concept is
better than a wrong one.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

from pipeline.normalize import taxonomy
from pipeline.normalize.canonical_units import is_per_person


def _words(text: str) -> tuple[str, ...]:
    """A vocabulary written as space-separated words."""
    return tuple(text.split())


# concept id → what it means (shown to analysts by `compare` and the docs)
CONCEPTS: dict[str, str] = {
    "satisfaction": "beneficiary / service-object satisfaction (满意度)",
    "complaints": "complaints (投诉率, 投诉件数)",
    "awareness_rate": "public awareness (知晓率)",
    "budget_execution_rate": "budget execution / spending progress (预算执行率, 资金支出完成率)",
    "timeliness_rate": "share done on time (及时率, 按时完成率)",
    "completion_rate": "completion rate (完成率, 办结率)",
    "coverage_rate": "coverage (覆盖率, 普及率)",
    "pass_rate": "pass / acceptance rate (合格率, 验收通过率, 达标率)",
    "accuracy_rate": "accuracy (准确率, 正确率)",
    "error_rate": "errors and defects, lower is better (差错率, 错误率, 不合格率)",
    "availability_rate": "systems and equipment in working order (正常运行率, 完好率, 在线率)",
    "failure_rate": "breakdowns, lower is better (故障率, 停机率)",
    "incident_rate": "adverse events, lower is better (事故率, 发生率, 违法率, 返工率, 流失率, 空置率)",
    "utilization_rate": "utilization (利用率, 使用率)",
    "response_time": "time to respond or repair (响应时间, 修复时间)",
    "handling_rate": "share of incidents handled (响应率, 处置率, 修复率)",
    "service_life": "years the output keeps working (使用年限)",
    "deadline": "when the work is done (完成时间, 实施期限)",
    "budget_control": "cost / budget ceiling (成本, 预算控制)",
    "cost_per_person": "money per person, in a per-person unit (元/人, 元/人·月, 万元/人·年)",
    "unit_cost": "cost per other unit or subsidy standard (单价, 单位成本, 补贴标准, 元/次)",
    "beneficiaries": "people or units who benefit (受益人数, 惠及)",
    "participation_rate": "attendance / participation (出勤率, 参与率)",
    "output_count": "count of outputs (次, 人, 场, 个, 项 …)",
    "output_quantity": "physical amount of outputs (平方米, 公里, 吨 …)",
}

# concept id → which way is better: "higher" (satisfaction, rates of success) or "lower" (costs,
# complaints, time to respond).  Concepts with no direction (counts, deadlines) are absent.
DIRECTION: dict[str, str] = {
    "satisfaction": "higher",
    "complaints": "lower",
    "awareness_rate": "higher",
    "budget_execution_rate": "higher",
    "timeliness_rate": "higher",
    "completion_rate": "higher",
    "coverage_rate": "higher",
    "pass_rate": "higher",
    "accuracy_rate": "higher",
    "error_rate": "lower",
    "availability_rate": "higher",
    "failure_rate": "lower",
    "incident_rate": "lower",
    "utilization_rate": "higher",
    "response_time": "lower",
    "handling_rate": "higher",
    "budget_control": "lower",
    "participation_rate": "higher",
}


def direction(concept: str | None) -> str | None:
    """ "higher" or "lower" (which way a target of this concept is more ambitious), else None."""
    return DIRECTION.get(concept or "")


# Words the segmenter must keep whole: indicator terms and taxonomy labels.
DOMAIN_WORDS = _words(
    "满意度 满意率 满意程度 投诉率 知晓率 知晓度 执行率 支出率 完成率 完成度 办结率 结案率 落实率 建成率 "
    "及时率 准时率 及时性 按时完成率 按期完成率 覆盖率 覆盖面 普及率 合格率 通过率 达标率 优良率 "
    "准确率 正确率 准确性 差错率 错误率 误差率 出错率 失误率 不合格率 运行率 正常运行率 可用率 在线率 完好率 故障率 停机率 可用性 "
    "事故率 发生率 违法率 返工率 流失率 空置率 超支率 发病率 复发率 死亡率 辍学率 失业率 "
    "利用率 使用率 响应时间 修复时间 处置时间 到场时间 恢复时间 解决时间 处理时间 到达时间 响应率 修复率 处置率 排除率 解决率 "
    "出勤率 参与率 参与度 到课率 参训率 实施期 执行期 服务期 "
    "单价 人均 均价 单位成本 补贴标准 补助标准 "
    "使用年限 使用寿命 受益人数 受益人次 受益对象 服务人次 执行进度 支出进度 预算控制 成本控制 控制率 控制数"
)

_COUNT_UNITS = frozenset(
    _words(
        "个 次 人 人次 件 场 场次 项 台 套 家 户 所 篇 期 册 份 本 部 批 辆 名 天 日 课时 学时 门 类 条 张 处 座 "
        "支 头 只 棵 株 间 床 宗 起 单 个数 次数 人数 篇数 户数 家数 项目 班 班次"
    )
)
_QUANTITY_UNITS = frozenset(
    _words(
        "平方米 ㎡ 平米 万平方米 公里 千米 米 km 吨 万吨 亩 万亩 公顷 立方米 万立方米 m3 m² 千瓦 兆瓦 GB TB"
    )
)
_MONEY_UNITS = frozenset({"元", "万元", "千元", "亿元", "元/人", "元/次"})


@dataclass(frozen=True)
class Rule:
    """One mapping: any of `tokens` (and, if given, any of `with_tokens`) → `concept`."""

    concept: str
    name: str
    tokens: frozenset[str] = frozenset()
    with_tokens: frozenset[str] = frozenset()
    dimensions: frozenset[str] | None = None
    not_dimensions: frozenset[str] = frozenset()
    units: frozenset[str] | None = None
    comparators: frozenset[str] | None = None
    per_unit: bool = False  # the unit is a rate such as 元/人, 万元/天
    per_person: bool = False  # the unit is money per person (元/人, 元/人·月)
    not_tokens: frozenset[str] = frozenset()  # none of these words may be in the name

    def match(self, toks: set[str], dimension: str | None, unit: str | None, comparator: str | None) -> bool:
        if self.tokens and not (self.tokens & toks):
            return False
        if self.with_tokens and not (self.with_tokens & toks):
            return False
        if self.not_tokens & toks:
            return False
        if self.dimensions is not None and dimension not in self.dimensions:
            return False
        if dimension in self.not_dimensions:
            return False
        if self.units is not None and unit not in self.units:
            return False
        if self.per_unit and "/" not in (unit or ""):
            return False
        if self.per_person and not is_per_person(unit):
            return False
        return self.comparators is None or comparator in self.comparators


def _f(words: str) -> frozenset[str]:
    return frozenset(_words(words))


_MONEY_WORDS = _f("预算 资金 支出 经费 财政 资金支出 总支出")
_ON_TIME = _f("按时 按期 如期 及时 准时 按计划 按进度")
_BENEFITS = frozenset(
    {"economic_benefit", "social_benefit", "ecological_benefit", "sustainability", "satisfaction"}
)
# a target to bring a bad rate down (发生率下降) is a success measure, not the bad rate itself
_DOWN = _f("下降 降低 减少 降幅 下降率 降低率 减少率 减幅 压降")
_NONE = _f("无 零 不出 没有")
_COUNT_WORDS = _f("数量 人数 次数 场次 人次 个数 件数 户数 天数 期数 班次 篇数 项数 台数 套数")

RULES: tuple[Rule, ...] = (
    Rule("satisfaction", "token 满意度", _f("满意度 满意率 满意程度 满意")),
    Rule("awareness_rate", "token 知晓率", _f("知晓率 知晓度 知晓")),
    Rule("budget_execution_rate", "token 执行率", _f("执行率 支出率 预算执行率")),
    Rule("budget_execution_rate", "完成率/进度 of money", _f("完成率 执行进度 支出进度 进度"), _MONEY_WORDS),
    Rule("timeliness_rate", "token 及时率", _f("及时率 准时率 及时性 按时完成率 按期完成率")),
    Rule("timeliness_rate", "on time + 率", _ON_TIME, _f("完成率 率 结题率 办结率 发放率 到位率 下达率")),
    Rule("completion_rate", "token 完成率", _f("完成率 完成度 办结率 结案率 落实率 建成率 完成比例")),
    Rule("coverage_rate", "token 覆盖率", _f("覆盖率 覆盖面 普及率")),
    Rule("pass_rate", "token 合格率", _f("合格率 通过率 达标率 优良率 合格 达标")),
    # 无差错率, 零差错率, 无故障率: the share without errors or failures (higher is better)
    Rule("accuracy_rate", "无 + 差错率", _f("差错率 错误率 出错率 失误率"), _NONE),
    Rule("availability_rate", "无 + 故障率", _f("故障率 停机率"), _NONE),
    Rule("error_rate", "token 差错率", _f("差错率 错误率 误差率 出错率 失误率 不合格率"), not_tokens=_DOWN),
    Rule("accuracy_rate", "token 准确率", _f("准确率 正确率 准确性 准确")),
    Rule("failure_rate", "token 故障率", _f("故障率 停机率"), not_tokens=_DOWN),
    Rule("availability_rate", "token 运行率", _f("运行率 正常运行率 可用率 在线率 完好率 可用性")),
    Rule(
        "incident_rate",
        "token 事故率",
        _f("事故率 发生率 违法率 返工率 流失率 空置率 超支率 发病率 复发率 死亡率 辍学率 失业率"),
        not_tokens=_DOWN,
    ),
    Rule("utilization_rate", "token 利用率", _f("利用率 使用率 使用效率")),
    Rule(
        "response_time",
        "token 响应时间",
        _f("响应时间 修复时间 处置时间 到场时间 恢复时间 解决时间 处理时间 到达时间"),
    ),
    Rule("response_time", "respond + 时间", _f("响应 修复 处置 恢复 解决 处理 到场"), _f("时间 时限 时长")),
    Rule("handling_rate", "token 响应率", _f("响应率 修复率 处置率 排除率 解决率")),
    Rule("complaints", "token 投诉", _f("投诉率 投诉")),
    Rule("participation_rate", "token 出勤率", _f("出勤率 参与率 参与度 到课率 参训率 出勤")),
    Rule(
        "service_life",
        "token 使用年限",
        _f("使用年限 使用寿命 年限"),
    ),
    Rule(
        "service_life",
        "sustainability + 期限",
        _f("期限 时间 时长 期"),
        dimensions=frozenset({"sustainability"}),
    ),
    Rule(
        "deadline",
        "timeliness + 时间",
        _f("时间 期限 时限 周期 实施期 执行期 服务期 完成时间 前期 日期 节点"),
        dimensions=frozenset({"timeliness"}),
    ),
    Rule("cost_per_person", "money per person", not_dimensions=_BENEFITS, per_person=True),
    Rule(
        "unit_cost",
        "cost + 单价/标准",
        _f("单价 标准 补贴标准 补助标准 发放标准 人均 均价 单位成本 每 每个 每人 每次 每页 每场 每户"),
        dimensions=frozenset({"cost"}),
    ),
    Rule("unit_cost", "cost + per-unit unit", dimensions=frozenset({"cost"}), per_unit=True),
    Rule("budget_control", "dimension cost", dimensions=frozenset({"cost"})),
    Rule(
        "budget_control",
        "token 成本",
        _f("成本 成本控制 预算控制 控制数 控制率 总成本"),
        not_dimensions=_BENEFITS,
    ),
    Rule(
        "budget_control",
        "money ceiling",
        units=_MONEY_UNITS,
        not_dimensions=_BENEFITS,
        comparators=frozenset({"<=", "<"}),
    ),
    Rule("beneficiaries", "token 受益", _f("受益 惠及 受益人数 受益人次 受益对象 服务人次 受惠")),
    Rule("output_count", "quantity + count unit", dimensions=frozenset({"quantity"}), units=_COUNT_UNITS),
    Rule("output_count", "quantity + count word", _COUNT_WORDS, dimensions=frozenset({"quantity"})),
    Rule(
        "output_quantity", "quantity + amount unit", dimensions=frozenset({"quantity"}), units=_QUANTITY_UNITS
    ),
)

# Bump when DOMAIN_WORDS or RULES change: stored concepts of an older version are recomputed.
CONCEPTS_VERSION = "4"


@cache
def _tokenizer():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    tk.initialize()
    for word in (*DOMAIN_WORDS, *_taxonomy_words()):
        tk.add_word(word, freq=200000)
    return tk


def _taxonomy_words() -> Iterable[str]:
    yield from taxonomy.LEVEL1
    yield from taxonomy.LEVEL2


_PUNCT = re.compile(r"[\s\u3000，,。；;、：:（）()【】\[\]“”\"'《》<>≥≤=＝%％\-—/]+")


@lru_cache(maxsize=262144)
def tokens(name: str) -> tuple[str, ...]:
    """jieba tokens of an indicator name (punctuation dropped)."""
    return tuple(t for t in _tokenizer().lcut(_PUNCT.sub(" ", name), HMM=False) if t.strip())


def classify(
    name: str | None, dimension: str | None = None, unit: str | None = None, comparator: str | None = None
) -> tuple[str | None, str | None]:
    """(concept, rule name) for one indicator, or (None, None) when no rule covers it."""
    if not name:
        return None, None
    toks = set(tokens(name))
    for rule in RULES:
        if rule.match(toks, dimension, unit, comparator):
            return rule.concept, rule.name
    return None, None
