"""The 指标值 grammar: a printed target value → comparator, number(s), unit or text.

See the grammar table in the data contract.  `parse_value` never raises: whatever it
cannot read as a number with a comparator becomes a qualitative value (`value_text`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.normalize.text import fold_width, squash

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
_UNIT_CHARS = r"A-Za-z0-9%‰℃°㎡㎞²³/·.*×()\u3400-\u9fff"
_UNIT = re.compile(rf"^[{_UNIT_CHARS}]{{1,12}}$")
# Alternatives listed in parentheses after a unit: 个（台、套、件、辆）
_UNIT_ALTERNATIVES = re.compile(r"\(([\u3400-\u9fff]{1,3}(?:[、/][\u3400-\u9fff]{1,3}){1,6})\)$")
# Words that make "number + text" a time phrase or a sentence, not a unit.
_NOT_UNIT = re.compile(r"前|后|底|之|完成|左右|以来|起|开始|的|和|或|；|;|，|,|。|及|内")
_UNIT_OK_WITH = re.compile(r"^(起|件起|万起)$")  # 起 is a count unit (≤0起) when it stands alone
_PAREN_UNIT = re.compile(r"[（(]\s*([^()（）]{1,8}?)\s*[)）]\s*$")
_NOT_NAME_UNIT = re.compile(r"年度|累计|含|不含|预计|试行|暂定|\d|以上|以下|以内|季度|全年|本级|个人|单位")

QUALITATIVE_NATURE = {"定性"}
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


def _unit_like(u: str) -> bool:
    if not u:
        return True
    if len(u) > 24:
        return False
    if _UNIT_OK_WITH.match(u):
        return True
    alternatives = _UNIT_ALTERNATIVES.search(u)
    if alternatives and alternatives.start() > 0:
        u = u[: alternatives.start()]
    if not _UNIT.match(u) or _NOT_UNIT.search(u):
        return False
    if re.search(r"(?<![A-Za-z])\d", u):  # digits only as powers of a Latin unit (m2, km2)
        return False
    return u.count("(") == u.count(")")


def unit_from_name(name: str | None) -> str | None:
    """A trailing parenthesized unit of an indicator name: `人民调解案件数(件)` → `件`."""
    if not name:
        return None
    m = _PAREN_UNIT.search(fold_width(name).strip())
    if not m:
        return None
    u = re.sub(r"\s+", "", m.group(1))
    if not u or _NOT_NAME_UNIT.search(u) or not _unit_like(u) or len(u) > 6:
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


def _number_unit(s: str) -> tuple[float, str] | None:
    m = re.fullmatch(rf"({_NUM})(.*)", s)
    if not m:
        return None
    unit = m.group(2)
    if not _unit_like(unit):
        return None
    return _num(m.group(1)), unit


def _parse_core(s: str) -> tuple[str, float, float | None, str] | None:
    """Parse a compact, folded value.  Returns (comparator, num, max, unit) or None."""
    # Range: 90%-95%, 40公斤～60公斤, 90至100%
    m = re.fullmatch(rf"({_NUM})([^\d\-~～〜至—–－到]{{0,6}}?){_RANGE_SEP}({_NUM})(.*)", s)
    if m:
        u1, u2 = m.group(2), m.group(4)
        if _unit_like(u1) and _unit_like(u2) and (not u1 or not u2 or u1 == u2):
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
        nu = _number_unit(rest)
        if nu:
            return comp, nu[0], None, nu[1]
        return None
    for word, scomp in _WORD_SUFFIX:
        if s.endswith(word):
            nu = _number_unit(s[: -len(word)])
            if nu:
                return scomp, nu[0], None, nu[1]
            return None
    nu = _number_unit(rest)
    if nu:
        return "=", nu[0], None, nu[1]
    return _after_short_subject(s)


_SYMBOL_ANYWHERE = re.compile(r">=|=>|<=|=<|≥|≤|>|<|=")
_SUBJECT = re.compile(r"^[\u4e00-\u9fffA-Za-z“”《》()]{1,10}$")


def _after_short_subject(s: str) -> tuple[str, float, float | None, str] | None:
    """`全市数量≥11173场`, `投诉率≤5%`: a short subject before the one comparator sign of the
    value.  Values with two comparisons or with a clause (`；`, `或`) stay text."""
    signs = list(_SYMBOL_ANYWHERE.finditer(s))
    if len(signs) != 1:
        return None
    subject = s[: signs[0].start()]
    if not _SUBJECT.match(subject) or re.search(r"或|且|和|及|较|比", subject):
        return None
    comp, rest = _comparator_prefix(s[signs[0].start() :])
    nu = _number_unit(rest) if comp else None
    return (comp, nu[0], None, nu[1]) if nu else None


def join_columns(nature: str | None, value: str | None, unit: str | None) -> str:
    """value_raw for layouts with separate 指标性质 / 指标值 / 度量单位 columns."""
    nature = squash(nature)
    value = squash(value)
    unit = squash(unit)
    if nature in QUALITATIVE_NATURE or not value:
        return value
    prefix = "" if not nature or value.startswith(nature) else nature
    suffix = "" if not unit or unit in _OTHER_UNIT or value.endswith(unit) else unit
    return f"{prefix}{value}{suffix}"


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
    core = _parse_core(s)
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
