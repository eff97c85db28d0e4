"""Units of measure for 指标值: a lexicon of measure words and the shapes built from them.

A unit is what may follow the number of a numeric target value.  It is either

* a *word*: an optional multiplier (十 百 千 万 亿, `万人次`, `亿元`, a bare `万`) in front of
  one lexicon entry or two run together (`台套`, `册件`, `人次`, `个月`), or a Latin/metric
  symbol (`km`, `m2`, `km²`, `Mbps`, `m/s`);
* a word with alternatives in parentheses or after `、`: `座(处)`, `个(台、套、件、辆)`, `人、户`;
* a rate: a word (or nothing, `2100/人/年`) followed by per-parts introduced by `/` or `每`,
  each part a word or a short noun, parts joined by `.` `·` `*` `×`:
  `元/人·月`, `元/(人·月)`, `次/年`, `万元/公里`, `元/生.月`, `万元/每项目`, `元每千字`.

Anything else after a number (`个片区各类服务机构`, `年全年`, `月底前`) is not a unit, so the
value is qualitative text.  Qualifiers such as 以上/以下/以内 belong to the comparator grammar
(`pipeline.normalize.values`) and are never part of a unit.
"""

from __future__ import annotations

import re
from functools import lru_cache


def _words(spaced: str) -> tuple[str, ...]:
    return tuple(spaced.split())


# Measure words (classifiers) used for counts of things, people, events and documents.
COUNT_WORDS = _words(
    "个 件 次 人 名 位 户 家 所 项 场 期 批 台 套 辆 艘 架 列 张 份 篇 册 本 部 条 处 座 栋 幢 间 "
    "层 块 片 株 棵 丛 只 头 匹 尾 枚 颗 粒 根 支 把 盏 面 幅 副 双 对 组 类 种 款 门 科 节 课 "
    "堂 集 卷 页 版 字 首 段 封 盒 箱 袋 包 瓶 桶 罐 车 船 趟 轮 届 班 站 点 宗 起 例 单 笔 "
    "票 床 口 眼 孔 路 级 星 档 遍 回 岁 倍 分 核 帧 道 章 "
    "批次 场次 班次 人次 件次 户次 家次 台次 架次 车次 站次 篇次 频次 课次 校次 所次 项次"
)
# Money.
MONEY_WORDS = _words("元 角 美元 欧元 港元 日元 英镑")
# Time: durations and (deliberately, see values.py) month numbers such as ≤12月.
TIME_WORDS = _words(
    "秒 分钟 小时 时 天 日 周 星期 月 季度 季 年 学年 学期 工作日 自然日 学时 课时 工时 "
    "台班 个月 个工作日 个自然日 个小时 个星期 个季度 个学期"
)
# Length, area, volume, weight, energy, data, ratios.
PHYSICAL_WORDS = _words(
    "米 千米 公里 厘米 毫米 延米 延长米 平方米 平米 平方 平方公里 平方千米 公顷 亩 "
    "立方米 立方 方 升 毫升 吨 千克 公斤 克 斤 毫克 微克 千瓦 千瓦时 度 瓦 兆瓦 兆瓦时 伏 千伏 "
    "分贝 摄氏度 标准箱 标箱 吨标准煤 吨标煤 百分比 比值 百分点 个百分点 ％ % ‰ ‱ ℃ ° ㎡ ㎞ ㎏ ㎎ ㎜ ㎝ ㎥ ㎾"
)
# Multipliers that may stand in front of any word, or alone (`≥1500万`).
_MULTIPLIER = r"(?:[十百千万亿]{1,3})"
# Latin and metric symbols: km, m2, km², Mbps, TB, kWh, μg, TEU.
_LATIN = r"(?:[A-Za-zμ]{1,5}[23²³]?)"

LEXICON: frozenset[str] = frozenset(COUNT_WORDS + MONEY_WORDS + TIME_WORDS + PHYSICAL_WORDS)


def _alternation(words: frozenset[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=1)
def _unit_regex() -> re.Pattern[str]:
    base = f"(?:{_alternation(LEXICON)})"
    # One word: multiplier + one or two lexicon entries, a bare multiplier, or a Latin symbol.
    word = f"(?:{_MULTIPLIER}?{base}{base}?|{_MULTIPLIER}|{_LATIN})"
    # Alternatives: 座(处), 个(台、套、件、辆), 人、户
    alts = rf"(?:\({word}(?:[、/,]{word}){{0,7}}\)|(?:、{word}){{1,4}})"
    numerator = f"(?:{word}{alts}?)"
    # A per-part: a word or a short noun (人, 生, 项目), several joined by . · * ×
    part = rf"(?:{word}|[\u4e00-\u9fff]{{1,2}})"
    parts = rf"(?:{part}(?:[.·*×]{part}){{0,2}})"
    per = rf"(?:(?:/每|/|每)(?:{parts}|\({parts}\)))"
    return re.compile(rf"(?:{numerator}{per}{{0,3}}|{per}{{1,3}})")


def is_unit(text: str) -> bool:
    """True when `text` (folded to half-width, no spaces) is a unit of measure."""
    if not text or len(text) > 24:
        return False
    return _unit_regex().fullmatch(text) is not None


_DECLARED_BAD = re.compile(r"\d|[，,；;。:：]|前|后|底|之|完成|以上|以下|以内|左右")


def is_declared_unit(text: str) -> bool:
    """A cell of a separate 度量单位 column that can serve as the unit although it is not in the
    lexicon (`人数`, `每例`, `案件数`): short, no digits, no clause or deadline words."""
    return bool(text) and len(text) <= 10 and not _DECLARED_BAD.search(text)
