"""The 一级/二级 indicator taxonomy: printed label variants → standard labels and `dimension`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.normalize.text import compact

OUTPUT, COST, BENEFIT, SATISFACTION = "产出指标", "成本指标", "效益指标", "满意度指标"
LEVEL1 = (OUTPUT, COST, BENEFIT, SATISFACTION)
# 一级 labels of the department-overall vocabulary some templates use instead (kept as printed)
DEPARTMENT_LEVEL1 = ("履职效能", "管理效率", "运行成本", "社会效应", "可持续发展能力")

# standard level2 → (standard level1, dimension); 成本指标 as a level2 is the pre-2021 placement.
LEVEL2: dict[str, tuple[str, str]] = {
    "数量指标": (OUTPUT, "quantity"),
    "质量指标": (OUTPUT, "quality"),
    "时效指标": (OUTPUT, "timeliness"),
    "成本指标": (OUTPUT, "cost"),
    "经济成本指标": (COST, "cost"),
    "社会成本指标": (COST, "social_cost"),
    "生态环境成本指标": (COST, "ecological_cost"),
    "经济效益指标": (BENEFIT, "economic_benefit"),
    "社会效益指标": (BENEFIT, "social_benefit"),
    "生态效益指标": (BENEFIT, "ecological_benefit"),
    "可持续影响指标": (BENEFIT, "sustainability"),
    "服务对象满意度指标": (SATISFACTION, "satisfaction"),
}
# Order in which templates print level2 blocks (used to recover displaced labels).
ORDER = list(LEVEL2)

# Printed stems (label without 指标 suffix, codes and spaces) → standard level2.
_LEVEL2_STEMS: dict[str, str] = {
    "数量": "数量指标",
    "质量": "质量指标",
    "时效": "时效指标",
    "进度": "时效指标",
    "时间": "时效指标",
    "经济成本": "经济成本指标",
    "社会成本": "社会成本指标",
    "生态环境成本": "生态环境成本指标",
    "环境成本": "生态环境成本指标",
    "生态成本": "生态环境成本指标",
    "经济效益": "经济效益指标",
    "社会效益": "社会效益指标",
    "生态效益": "生态效益指标",
    "环境效益": "生态效益指标",
    "生态环境效益": "生态效益指标",
    "可持续影响": "可持续影响指标",
    "可持续发展": "可持续影响指标",
    "可持续": "可持续影响指标",
    "服务对象满意度": "服务对象满意度指标",
    "社会公众或服务对象满意度": "服务对象满意度指标",
    "社会公众满意度": "服务对象满意度指标",
    "服务对象和社会公众满意度": "服务对象满意度指标",
}
_LEVEL1_STEMS = {"产出": OUTPUT, "效益": BENEFIT}
# Stems that are a level1 or a level2 depending on the table (成本, 满意度).
_AMBIGUOUS_STEMS = {"成本": "成本指标", "满意度": "满意度指标"}

_CODE = re.compile(r"^[\(（]?\d{1,3}[\)）]?\s*[-－—_.、．]?\s*")
_SUFFIX = re.compile(r"(指标|类指标)$")


@dataclass(frozen=True)
class Label:
    """A recognised printed label.  `level` is 1, 2, or 0 when it can be either (成本指标, 满意度指标)."""

    printed: str
    standard: str
    level: int


def _stem(text: str) -> str:
    s = compact(text)
    s = s.strip(":：;；,，。")
    s = _CODE.sub("", s)
    s = re.sub(r"[\s:：]", "", s)
    return _SUFFIX.sub("", s)


def recognise(text: str | None) -> Label | None:
    """The taxonomy label a cell prints, or None when the text is not a standard label."""
    if not text:
        return None
    s = compact(text)
    if len(s) > 22 or not s:
        return None
    stem = _stem(s)
    if stem in _LEVEL2_STEMS:
        return Label(text, _LEVEL2_STEMS[stem], 2)
    if stem in _LEVEL1_STEMS:
        return Label(text, _LEVEL1_STEMS[stem], 1)
    if stem in _AMBIGUOUS_STEMS:
        return Label(text, _AMBIGUOUS_STEMS[stem], 0)
    return None


def dimension(level2: str | None) -> str | None:
    if level2 in LEVEL2:
        return LEVEL2[level2][1]
    return None


def parent(level2: str | None) -> str | None:
    if level2 in LEVEL2:
        return LEVEL2[level2][0]
    return None


def standardize(
    level1_raw: str | None, level2_raw: str | None, cost_is_level1: bool = False
) -> tuple[str | None, str | None, str | None]:
    """Printed labels of one row → (level1, level2, dimension).

    `cost_is_level1` says the table prints 成本指标 as a 一级 with 经济/社会/生态环境成本 under it,
    so a bare 成本指标 in the 二级 column means 经济成本指标.  Labels outside the taxonomy (department
    vocabularies such as 履职效能) are kept as printed with dimension None.
    """
    l1 = recognise(level1_raw)
    l2 = recognise(level2_raw)
    if l1 is not None and l1.level == 2 and l2 is None and not level2_raw:
        l1, l2, level2_raw = None, l1, level1_raw  # a 二级 label printed where the 一级 goes
        level1_raw = None
    level1 = l1.standard if l1 else (compact(level1_raw) or None)
    level2: str | None
    if l2 is None:
        level2 = compact(level2_raw) or None
    elif l2.standard == "满意度指标":
        level2 = "服务对象满意度指标"
    elif l2.standard == "成本指标":
        level2 = "经济成本指标" if (cost_is_level1 or (l1 and l1.standard == COST)) else "成本指标"
    elif l2.level == 1:
        level2 = None  # a level1 label printed in the 二级 column says nothing about the level2
    else:
        level2 = l2.standard
    if level2 in LEVEL2:
        level1 = LEVEL2[level2][0]
    elif l1 and l1.standard == "满意度指标" and level2 is None:
        level2 = "服务对象满意度指标"
        level1 = SATISFACTION
    return level1, level2, dimension(level2)


def belongs(level1: str | None, level2: str | None) -> bool:
    """Whether a printed level1 is the taxonomy parent of the level2 (unknown vocabularies pass)."""
    l1 = recognise(level1)
    if l1 is None or level2 not in LEVEL2:
        return True
    expected = LEVEL2[level2][0]
    if l1.standard == expected:
        return True
    return level2 == "成本指标" and l1.standard == COST


def split_packed(text: str) -> tuple[str | None, str | None, str]:
    """Split a cell that packs level1, level2 and the name into one string
    (`产出指标数量指标北京市行政执法资格考试人数`).  Returns (level1, level2, rest)."""
    s = compact(text)
    level1 = level2 = None
    used = 0
    for cand in ("产出指标", "成本指标", "效益指标", "满意度指标"):
        if s.startswith(cand):
            level1, used = cand, len(cand)
            break
    stems = sorted(list(_LEVEL2_STEMS) + ["成本", "满意度"], key=len, reverse=True)
    for stem in stems:
        if s[used:].startswith(stem + "指标"):
            level2 = stem + "指标"
            used += len(stem) + 2
            break
    # the name as printed: skip as many non-space characters of the original as were consumed
    k = 0
    for pos, ch in enumerate(text):
        if k == used:
            return level1, level2, text[pos:].strip()
        if not ch.isspace():
            k += 1
    return level1, level2, ""
