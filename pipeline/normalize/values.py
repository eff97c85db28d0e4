"""The 指标值 grammar: a printed target value → comparator, number(s), unit or text.

See the grammar table in the data contract.  `parse_value` never raises: whatever it
cannot read as a number with a comparator becomes a qualitative value (`value_text`).

* A value is numeric only when what follows its number is empty or a unit of
  `pipeline.normalize.units` (measure words and the shapes built from them), or the cell of
  the table's own 度量单位 column.  `3个片区各类服务机构` and `≥50家企业` are text.
* 以上/以下/以内 are comparators, never part of a unit; with a sign in front they must agree
  with it (`≥98%以上` is >= 98 %, `达到95%以上` is >= 95 %, `≤5%以上` is text).
* Dates and periods are text: a year with 年 (`2021年`, `2021年全年`, `2026年底`,
  `2025年12月`, `2021-2025年`), a printed date (`2026-12-31`, `20261130日`), a deadline
  (`12月底前`, `6月30日前`, `年底前`).  A bare year (`=2026`, `2026.12`) is a date only when
  the name asks for a point in time (年份, 日期, 时间, 时点, 节点, or ending in 年度/期限/年)
  and the name gives no unit; otherwise it stays a number.
* Durations stay numeric (`3年`, `≤12个月`, `≤15个工作日`, `24小时`), and so does a month
  with a sign (`≤12月`, `=6月`): the table printed a comparator and a unit, and the number
  compares the same way whether it counts months or names the deadline month.
* 指标性质 `定量` is a kind, not a sign: `定量` + `200` + `件` is `200件`, read as `=`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.normalize.text import fold_width, squash
from pipeline.normalize.units import is_declared_unit, is_unit

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"

# Worded comparators, longest first so 大于等于 wins over 大于.
_WORD_PREFIX: list[tuple[str, str]] = [
    ("大于或等于", ">="),
    ("大于等于", ">="),
    ("不低于", ">="),
    ("不少于", ">="),
    ("不小于", ">="),
    ("至少", ">="),
    ("高于或等于", ">="),
    ("小于或等于", "<="),
    ("小于等于", "<="),
    ("不超过", "<="),
    ("不高于", "<="),
    ("不多于", "<="),
    ("不大于", "<="),
    ("最多", "<="),
    ("控制在", "<="),
    ("大于", ">"),
    ("高于", ">"),
    ("超过", ">"),
    ("多于", ">"),
    ("小于", "<"),
    ("低于", "<"),
    ("少于", "<"),
    ("等于", "="),
    ("达到", "="),
    ("达", "="),
]
_WORD_SUFFIX: list[tuple[str, str]] = [
    ("及以上", ">="),
    ("以上", ">="),
    ("及以下", "<="),
    ("以下", "<="),
    ("以内", "<="),
    ("之内", "<="),
    ("内", "<="),
]
_SYMBOL = [
    (">=", ">="),
    ("=>", ">="),
    ("≥", ">="),
    ("<=", "<="),
    ("=<", "<="),
    ("≤", "<="),
    (">", ">"),
    ("<", "<"),
    ("==", "="),
    ("=", "="),
]
# Qualifiers printed in front of a comparator that do not change its meaning (每年≥20场).
_QUALIFIER = re.compile(
    r"^(每年|全年|年均|年度|本年|当年|每月|月均|每季度|每日|日均|每天|每周|每次|每批|"
    r"平均|累计|合计|总计|共计|人均|户均|约|共|完成|实现)"
)
_RANGE_SEP = r"(?:-|~|～|〜|至|—|–|－|到)"
_PAREN_UNIT = re.compile(r"[（(]\s*([^()（）]{1,8}?)\s*[)）]\s*$")
_NOT_NAME_UNIT = re.compile(r"年度|累计|含|不含|预计|试行|暂定|\d|以上|以下|以内|季度|全年|本级|个人|单位")

# Dates and periods are text, never numbers: a year followed by 年 (2021年, 2021年全年,
# 2026年底, 2025年12月, 2021-2025年), a printed date (2026-12-31, 2026.12.31, 20261130日).
_YEAR = r"(?:19|20)\d{2}"
_MONTH = r"(?:0?[1-9]|1[0-2])"
_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_DATE = re.compile(
    rf"(?<![\d.]){_YEAR}(?:年|[-./]{_MONTH}[-./]{_DAY}(?![\d.])|(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])[日号])"
)
# A bare year (=2026, 2026.12) is read as a date only when the name asks for a point in time.
_TIME_NAME = re.compile(r"年份|日期|时间|时点|节点|(?:年度|期限|年)$")
_BARE_YEAR = re.compile(rf"{_YEAR}(?:\.{_MONTH})?|{_YEAR}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])")

QUALITATIVE_NATURE = {"定性"}
QUANTITATIVE_NATURE = {"定量"}  # numeric, no sign of its own: read as `=`
_OTHER_UNIT = {"其他", "无", "/", "-", "—"}


@dataclass(frozen=True)
class ParsedValue:
    raw: str
    comparator: str | None
    value_num: float | None
    value_max: float | None
    unit: str | None
    value_text: str | None

    @property
    def is_numeric(self) -> bool:
        return self.comparator is not None


def _num(s: str) -> float:
    return float(s.replace(",", ""))


def normalize_unit(u: str | None) -> str | None:
    """Unit as printed, half-width, without spaces; `百分比` stays a word, `％` becomes `%`."""
    if not u:
        return None
    u = re.sub(r"\s+", "", fold_width(u))
    return u or None


def unit_from_name(name: str | None) -> str | None:
    """A trailing parenthesized unit of an indicator name: `人民调解案件数(件)` → `件`."""
    if not name:
        return None
    m = _PAREN_UNIT.search(fold_width(name).strip())
    if not m:
        return None
    u = re.sub(r"\s+", "", m.group(1))
    if not u or _NOT_NAME_UNIT.search(u) or not is_unit(u) or len(u) > 6:
        return None
    return u


def _strip_wrappers(s: str) -> str:
    s = s.strip().rstrip("。.;；,，")
    while len(s) >= 2 and s[0] in "(（[【" and s[-1] in ")）]】":
        s = s[1:-1].strip()
    return s


def _comparator_prefix(s: str) -> tuple[str | None, str]:
    for word, comp in _WORD_PREFIX:
        if s.startswith(word):
            return comp, s[len(word) :]
    for sym, comp in _SYMBOL:
        if s.startswith(sym):
            return comp, s[len(sym) :]
    return None, s


def _unit_ok(u: str, declared: str | None) -> bool:
    """Empty, a unit of the lexicon/shape grammar, or the table's own 度量单位 cell."""
    return not u or is_unit(u) or u == declared


def _number_unit(s: str, declared: str | None) -> tuple[float, str] | None:
    m = re.fullmatch(rf"({_NUM})(.*)", s)
    if not m or not _unit_ok(m.group(2), declared):
        return None
    return _num(m.group(1)), m.group(2)


def _with_suffix(s: str, declared: str | None) -> tuple[str, float, str] | None:
    """`95%以上`, `3天内`: number + unit + a worded comparator at the end."""
    for word, comp in _WORD_SUFFIX:
        if s.endswith(word):
            nu = _number_unit(s[: -len(word)], declared)
            return (comp, nu[0], nu[1]) if nu else None
    return None


def _merge(prefix: str, suffix: str) -> str | None:
    """One comparator from a sign and a trailing word: `≥98%以上` is >=, `达到95%以上` is >=;
    contradicting ones (`≤5%以上`) give None."""
    if prefix == suffix or prefix == "=":
        return suffix
    if suffix == ">=" and prefix == ">" or suffix == "<=" and prefix == "<":
        return prefix
    return None


def _parse_core(s: str, declared: str | None = None) -> tuple[str, float, float | None, str] | None:
    """Parse a compact, folded value.  Returns (comparator, num, max, unit) or None.
    `declared` is the unit of a separate 度量单位 column, accepted as printed."""
    # Range: 90%-95%, 40公斤～60公斤, 90至100%
    m = re.fullmatch(rf"({_NUM})([^\d\-~～〜至—–－到]{{0,6}}?){_RANGE_SEP}({_NUM})(.*)", s)
    if m:
        u1, u2 = m.group(2), m.group(4)
        if _unit_ok(u1, declared) and _unit_ok(u2, declared) and (not u1 or not u2 or u1 == u2):
            lo, hi = _num(m.group(1)), _num(m.group(3))
            if lo <= hi:
                return "range", lo, hi, u2 or u1
    comp, rest = _comparator_prefix(s)
    if comp is None:
        q = _QUALIFIER.match(s)
        if q:
            comp, rest = _comparator_prefix(s[q.end() :])
            if comp is None:
                rest = s[q.end() :]
    if comp is not None:
        nu = _number_unit(rest, declared)
        if nu:
            return comp, nu[0], None, nu[1]
        sx = _with_suffix(rest, declared)
        merged = _merge(comp, sx[0]) if sx else None
        return (merged, sx[1], None, sx[2]) if sx and merged else None
    sx = _with_suffix(s, declared)
    if sx:
        return sx[0], sx[1], None, sx[2]
    nu = _number_unit(rest, declared)
    if nu:
        return "=", nu[0], None, nu[1]
    return _after_short_subject(s, declared)


_SYMBOL_ANYWHERE = re.compile(r">=|=>|<=|=<|≥|≤|>|<|=")
_SUBJECT = re.compile(r"^[\u4e00-\u9fffA-Za-z“”《》()]{1,10}$")


def _after_short_subject(s: str, declared: str | None) -> tuple[str, float, float | None, str] | None:
    """`全市数量≥11173场`, `投诉率≤5%`: a short subject before the one comparator sign of the
    value.  Values with two comparisons or with a clause (`；`, `或`) stay text."""
    signs = list(_SYMBOL_ANYWHERE.finditer(s))
    if len(signs) != 1:
        return None
    subject = s[: signs[0].start()]
    if not _SUBJECT.match(subject) or re.search(r"或|且|和|及|较|比", subject):
        return None
    comp, rest = _comparator_prefix(s[signs[0].start() :])
    nu = _number_unit(rest, declared) if comp else None
    return (comp, nu[0], None, nu[1]) if nu else None


def join_columns(nature: str | None, value: str | None, unit: str | None) -> str:
    """value_raw for layouts with separate 指标性质 / 指标值 / 度量单位 columns.  A 定性 row is
    its value alone; a 定量 nature is a kind, not a sign, so it is not printed in front."""
    nature = squash(nature)
    value = squash(value)
    unit = squash(unit)
    if nature in QUALITATIVE_NATURE or not value:
        return value
    prefix = "" if not nature or nature in QUANTITATIVE_NATURE or value.startswith(nature) else nature
    suffix = "" if not unit or unit in _OTHER_UNIT or value.endswith(unit) else unit
    return f"{prefix}{value}{suffix}"


def _declared_unit(unit: str | None) -> str | None:
    u = normalize_unit(squash(unit))
    return u if u and u not in _OTHER_UNIT and is_declared_unit(u) else None


def is_date(s: str, name: str | None = None) -> bool:
    """True when a folded, compact value is a date or period (text), not a quantity: a year
    with 年 or a full printed date anywhere; a bare year (`=2026`, `2026.12`, `20261130`) only
    when the indicator's name asks for a point in time (年份, 日期, 时间, 完成年度, 期限 …)."""
    if _DATE.search(s):
        return True
    if not name:
        return False
    bare = re.sub(r"^(?:>=|<=|[=≥≤<>])", "", s)
    if not re.fullmatch(rf"(?:{_BARE_YEAR.pattern})(?:{_RANGE_SEP}(?:{_BARE_YEAR.pattern}))?", bare):
        return False
    stem = _PAREN_UNIT.sub("", re.sub(r"\s+", "", fold_width(name)))
    return bool(_TIME_NAME.search(stem)) and unit_from_name(name) is None


def parse_value(
    raw: str | None, name: str | None = None, nature: str | None = None, unit: str | None = None
) -> ParsedValue:
    """Parse one 指标值.  `nature` and `unit` are the separate 指标性质/度量单位 columns, if any;
    `name` supplies a unit from a trailing parenthesized unit when the value has none."""
    printed = join_columns(nature, raw, unit) if (nature or unit) else squash(raw)
    text = printed
    if not printed:
        return ParsedValue(printed, None, None, None, None, None)
    if squash(nature) in QUALITATIVE_NATURE:
        return ParsedValue(printed, None, None, None, None, _qualitative(printed))
    s = re.sub(r"\s+", "", fold_width(printed))
    s = _strip_wrappers(s)
    core = None if is_date(s, name) else _parse_core(s, _declared_unit(unit))
    if core is None:
        return ParsedValue(printed, None, None, None, None, _qualitative(text))
    comp, lo, hi, u = core
    u = normalize_unit(u) or unit_from_name(name)
    return ParsedValue(printed, comp, lo, hi, u, None)


def _qualitative(text: str) -> str:
    """Text of a qualitative value: a leading `=` (＝一年) is not part of it."""
    t = text.strip()
    t = re.sub(r"^[=＝﹦]\s*", "", t)
    return t


def looks_numeric(raw: str | None) -> bool:
    """True when a value carries a comparator sign and a digit: worth a check if it did not parse."""
    if not raw:
        return False
    s = fold_width(raw)
    return bool(re.search(r"\d", s) and re.search(r"[≥≤<>=]", s))
