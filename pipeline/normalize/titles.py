"""Which kind of table a title line or a header row announces.

Three signals decide whether rows belong to a target table (绩效目标表: department,
project, or a goal-only project list): the title, the set of header words, and the
contents of the columns (see `columns.py`).  This module holds the first two:

- `title_verdict`: a line is the title of a target table, of a 绩效自评表 / evaluation /
  monitoring table (rejected, with everything printed under it), or no title of either;
- `self_evaluation_row`: a row whose cells are the columns of an evaluation (年度指标值
  beside 实际完成值, 得分, 偏差原因; 预期目标 beside 实际完成情况): the table it heads is
  never a target table, whatever its title said.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pipeline.normalize.text import compact

TARGET, SELF_EVALUATION = "target", "self_evaluation"

# `表11：`, `表11.`, `附表3-1`, `表十一`, `(一)` in front of a title: the table's label
_LABEL = re.compile(r"^(附?表\s*[\d一二三四五六七八九十]+(?:[-—－]\d+)*)\s*[:：.．、]?\s*")
_BARE_LABEL = re.compile(r"^(附?表\s*[\d一二三四五六七八九十]+(?:[-—－]\d+)*)[:：.．、]?$")
_ORDINAL = re.compile(r"^[(（]?[一二三四五六七八九十\d]{1,3}[)）.、．]\s*")
# a target table's title ends with its table word (a year or unit note may follow); page
# triage looks for the same words
TARGET_TITLE = _TARGET = re.compile(r"绩效(?:目标|指标)?(?:[\u4e00-\u9fff]{0,4}?)表")
# without its table word a title needs its year: `2026年重点项目绩效目标` (a bare `整体绩效目标` is a key)
_TARGET_NO_TABLE_WORD = re.compile(r"20\d\d年.{2,40}绩效(目标|指标)(申报|填报)?$")
_EVALUATION = re.compile(r"自评|评价|决算|完成情况|执行情况|监控|绩效运行|预计完成|评分|打分|考核")
# prose, tables of contents, attachments notes — never titles
_NOT_TITLE = re.compile(
    r"[。，；]|详见|见附|附件\d*[:：]|\.{4,}|…{2,}|·{4,}|说明|公开$|编制|批复|填报说明|注[:：]"
)
_DEPARTMENT = re.compile(r"整体")


@dataclass(frozen=True)
class TitleVerdict:
    verdict: str  # TARGET | SELF_EVALUATION
    kind: str | None = None  # department | project, for TARGET
    label: str | None = None  # 表11, 附表3-1: the label printed in front of the title


def table_label(text: str) -> str | None:
    """The label a title line starts with (`表11：…` → `表11`)."""
    m = _LABEL.match(compact(text))
    return re.sub(r"\s+", "", m.group(1)) if m else None


def bare_label(text: str) -> str | None:
    """A line that is only a table label (`表11`, `附表3-1`): no title words."""
    m = _BARE_LABEL.match(compact(text))
    return m.group(1) if m else None


@lru_cache(maxsize=1 << 14)
def title_verdict(text: str) -> TitleVerdict | None:
    """The verdict on a line that may be a table title, or None for anything else."""
    s = compact(text)
    if len(s) < 5 or len(s) > 90 or _NOT_TITLE.search(s):
        return None
    label = table_label(s)
    core = _ORDINAL.sub("", _LABEL.sub("", s))
    m = _TARGET.search(core) or _TARGET_NO_TABLE_WORD.search(core)
    if m is not None:
        if len(core) - m.end() > 24:  # a title ends at its table word (a year or unit note may follow)
            return None
        if _EVALUATION.search(core):
            return TitleVerdict(SELF_EVALUATION, label=label)
        kind = "department" if _DEPARTMENT.search(core) else "project"
        return TitleVerdict(TARGET, kind, label)
    if _EVALUATION.search(core) and core.endswith("表") and "绩效" in core:
        return TitleVerdict(SELF_EVALUATION, label=label)
    return None


# --- header rows of evaluations ---------------------------------------------------------------
_EVALUATION_STRONG = re.compile(
    r"^(实际完成值|实际完成指标值|实际值|全年实际值|实际完成数|完成值|实际完成情况|目标实际完成情况|"
    r"实际完成|全年实际完成情况|自评得分|自评分|自评分数|自评结果|评价得分|偏差原因.*|未完成原因.*|"
    r"原因分析.*|全年执行数|实际执行数|执行数|1-\d+月执行情况|\d+-\d+月执行情况|全年预计完成情况|"
    r"预计完成情况|预计到年底完成情况)$"
)
_EVALUATION_WEAK = re.compile(
    r"^(得分|执行率|预算执行率|执行情况|完成情况|是否完成|完成率|年初预算数|全年预算数)$"
)
_PAREN = re.compile(r"[(（][^()（）]{0,12}[)）]")


@lru_cache(maxsize=1 << 16)
def _header_word(text: str) -> str:
    return _PAREN.sub("", compact(text)).strip(":：")


# the strong words again, for OCR readings with one character wrong (实际完戚值)
_STRONG_WORDS = (
    "实际完成值",
    "实际完成情况",
    "目标实际完成情况",
    "偏差原因分析及改进措施",
    "全年执行数",
    "自评得分",
)


def _near_strong(word: str) -> bool:
    return any(
        len(word) == len(w) and sum(a != b for a, b in zip(word, w, strict=True)) == 1 for w in _STRONG_WORDS
    )


def self_evaluation_row(texts: list[str]) -> bool:
    """A row laid out like the header (or funding row) of an evaluation table."""
    if len(texts) < 2:
        return False
    words = [_header_word(t) for t in texts]
    strong = sum(bool(_EVALUATION_STRONG.match(w)) or _near_strong(w) for w in words)
    weak = sum(bool(_EVALUATION_WEAK.match(w)) for w in words)
    return strong >= 1 or weak >= 2
