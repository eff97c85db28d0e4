"""Canonical units: one spelling per unit, and money scaled to one magnitude.

`canonical("元/人*月")` → `Canonical("元/人·月", 1.0, "money_rate")`;
`canonical("元")` → `Canonical("万元", 0.0001, "money")`.  A value in the printed unit times
`factor` is the value in `unit`.  The rules are general, not a list of printed strings:

* width and separators: full-width forms folded, spaces dropped, the joiners of a compound
  denominator (`.` `*` `×` `・` `/` or nothing: `人月`) written as `·`, `每` and `/每` as `/`,
  brackets around a denominator removed (`元/(人·月)`);
* spellings of one unit merged: `㎡ m² m2 平米 平方` → `平方米`, `千米 km` → `公里`, `日` → `天`,
  `h 时 个小时` → `小时`, `min` → `分钟`, `％ 百分比` → `%`, `‰` → `%` ×0.1 …  Different magnitudes of time
  (天 vs 工作日, 月 vs 个月) stay apart: they do not mean the same span;
* money: a total is given in 万元 (元 ×0.0001, 千元 ×0.1, 亿元 ×10000), as the budget columns
  are; a rate (`…/人`) in 元, the magnitude unit costs are printed in (`万元/人` ×10000);
* a 万/亿 multiplier on a count or a physical quantity is multiplied out (`万人次` → `人次`
  ×10000, `万亩` → `亩`); a bare `万` is left as printed;
* count words stay distinct: 个, 项, 件, 次, 人次 … count different things.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pipeline.normalize.text import fold_width
from pipeline.normalize.units import COUNT_WORDS, LEXICON

# Bump when the rules below change what `canonical` returns: stored canonical units are redone.
UNITS_VERSION = "1"


def _set(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


# spelling → canonical spelling, for one unit word (applied after width folding)
SYNONYMS: dict[str, str] = {
    # area
    "㎡": "平方米", "m²": "平方米", "m2": "平方米", "M2": "平方米", "平米": "平方米", "平方": "平方米",
    "平方千米": "平方公里", "km²": "平方公里", "km2": "平方公里", "㎢": "平方公里",
    # length
    "千米": "公里", "km": "公里", "KM": "公里", "Km": "公里", "㎞": "公里", "延长米": "延米",
    "m": "米", "㎝": "厘米", "cm": "厘米", "㎜": "毫米", "mm": "毫米",
    # volume, weight, energy
    "立方": "立方米", "m³": "立方米", "m3": "立方米", "㎥": "立方米", "方": "立方米",
    "千克": "公斤", "kg": "公斤", "㎏": "公斤", "㎎": "毫克", "mg": "毫克",
    "kw": "千瓦", "kW": "千瓦", "KW": "千瓦", "㎾": "千瓦", "kwh": "千瓦时", "kWh": "千瓦时",
    "KWH": "千瓦时", "吨标煤": "吨标准煤", "标箱": "标准箱", "TEU": "标准箱",
    # time (spellings only; 工作日, 个月 and 学时 keep their own meaning)
    "日": "天", "自然日": "天", "个自然日": "天", "个工作日": "工作日",
    "时": "小时", "个小时": "小时", "h": "小时", "H": "小时", "小时数": "小时",
    "min": "分钟", "s": "秒", "星期": "周", "个星期": "周",
    "季": "季度", "个季度": "季度", "个学期": "学期",
    # ratios
    "％": "%", "百分比": "%", "个百分点": "百分点",
}  # fmt: skip

# money word → factor to 万元
_MONEY_TO_WAN = {"元": 1e-4, "十元": 1e-3, "百元": 1e-2, "千元": 0.1, "万元": 1.0, "十万元": 10.0,
                 "百万元": 100.0, "千万元": 1000.0, "亿元": 1e4, "万亿元": 1e8}  # fmt: skip
_PER_MILLE = {"‰": 0.1, "‱": 0.01}
# multipliers multiplied out of counts and physical quantities
_MULTIPLIER = {"万": 1e4, "亿": 1e8, "十万": 1e5, "百万": 1e6, "千万": 1e7}
_PHYSICAL_BASES = _set("平方米 平方公里 公里 米 亩 公顷 吨 公斤 立方米 千瓦 千瓦时 标准箱 吨标准煤 册 字")
_TIME = _set("秒 分钟 小时 天 工作日 周 月 个月 季度 年 学年 学期 学时 课时 工时")
_AREA_ETC = _PHYSICAL_BASES | _set("厘米 毫米 延米 毫克 千克 克 升 毫升 兆瓦")
_PERSON = _set("人 人次 名 位 生 学生 员工 职工 人员")

_JOINERS = re.compile(r"[.·*×・･•‧∙⋅/]+")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Canonical:
    """A unit in its canonical spelling; `factor` converts a value printed in the source unit."""

    unit: str
    factor: float
    family: str  # money, money_rate, percent, time, count, physical, rate, other


def _word(w: str) -> str:
    return SYNONYMS.get(w, w)


def _split_words(text: str) -> list[str] | None:
    """`人月` → [`人`, `月`], `平米天` → [`平米`, `天`]: a word followed by a span of time, run
    together.  None when the text is one word itself (`人次`, `点位`) or not of that shape."""
    if text in LEXICON or text in SYNONYMS:
        return None
    for i in range(1, len(text)):
        head, tail = text[:i], text[i:]
        if (head in LEXICON or head in SYNONYMS) and _word(tail) in _TIME:
            return [head, tail]
    return None


def _denominator(text: str) -> list[str]:
    """The words of a per-part: `(人·月)`, `人.月`, `人*月`, `人月`, `人/月` → [`人`, `月`]."""
    text = text.strip("()[]（）")
    words: list[str] = []
    for part in _JOINERS.split(text):
        if not part:
            continue
        if part.startswith("每"):
            part = part[1:] or part
        if part.startswith("个") and len(part) > 1 and part[1:] in LEXICON:
            part = part[1:]  # 元/个月 → per 月, 元/个人 → per 人
        split = _split_words(part)
        words.extend(_word(w) for w in (split or [part]))
    if len(words) == 2 and "".join(words) in COUNT_WORDS:
        return ["".join(words)]  # 元/人·次 is 元/人次
    # per year per person is per person-year: spans of time go last (stable for the rest)
    return sorted(words, key=lambda w: w in _TIME)


def _numerator(word: str) -> tuple[str, float, str]:
    """(canonical word, factor, family) of a unit with no per-part."""
    w = _word(word)
    if w in _MONEY_TO_WAN:
        return "万元", _MONEY_TO_WAN[w], "money"
    if w in _PER_MILLE:  # 4‰ is 0.4%
        return "%", _PER_MILLE[w], "percent"
    if w in ("%", "百分点"):
        return w, 1.0, "percent"
    for prefix, factor in sorted(_MULTIPLIER.items(), key=lambda kv: -len(kv[0])):
        base = _word(w[len(prefix) :]) if w.startswith(prefix) and len(w) > len(prefix) else None
        if base and (base in COUNT_WORDS or base in _PHYSICAL_BASES or base in _TIME):
            family = "count" if base in COUNT_WORDS else "time" if base in _TIME else "physical"
            return base, factor, family
    if w in _TIME:
        return w, 1.0, "time"
    if w in COUNT_WORDS:
        return w, 1.0, "count"
    if w in _AREA_ETC:
        return w, 1.0, "physical"
    return w, 1.0, "other"


@lru_cache(maxsize=65536)
def canonical(unit: str | None) -> Canonical | None:
    """The canonical spelling of a printed unit and the factor to it; None for no unit."""
    if not unit:
        return None
    u = _SPACES.sub("", fold_width(unit)).replace("／", "/")
    if not u:
        return None
    u = re.sub(r"/?每", "/", u) if not u.startswith("每") else "/" + u[1:]
    head, sep, rest = u.partition("/")
    if not sep:
        word, factor, family = _numerator(head)
        return Canonical(word, factor, family)
    per = _denominator(rest)
    if not head:  # `/人` alone: a rate of nothing named
        return Canonical("/" + "·".join(per), 1.0, "rate")
    word, factor, family = _numerator(head)
    if family == "money":  # a unit cost: in 元
        word, factor, family = "元", factor * 1e4, "money_rate"
    else:
        family = "rate"
    return Canonical(f"{word}/{'·'.join(per)}", factor, family)


def is_per_person(unit: str | None) -> bool:
    """A money rate whose first per-part is a person (`元/人`, `万元/人·年`, `元/生.月`)."""
    c = canonical(unit)
    if c is None or c.family != "money_rate":
        return False
    first = c.unit.split("/", 1)[1].split("·", 1)[0]
    return first in _PERSON
