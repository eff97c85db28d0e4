"""Which pages may hold target tables: a fast vocabulary test on each page's text layer.

Positive evidence: indicator vocabulary, target-table titles (`…绩效目标表`, `…项目支出绩效表`)
and the header of a goal-only project list (项目名称 … 绩效目标).  Negative evidence: the
columns of an evaluation (实际完成值, 偏差原因, 自评得分 …), which mark 绩效自评表 pages.
"""

from __future__ import annotations

import re

from pipeline.rebuild.classify import TARGET_TITLE

_WORDS = (
    "一级指标",
    "二级指标",
    "三级指标",
    "指标值",
    "目标值",
    "产出指标",
    "效益指标",
    "满意度指标",
    "数量指标",
    "质量指标",
    "时效指标",
    "成本指标",
    "绩效指标",
)
# the header of a goal-only project list: 项目(名称) | 金额 | 绩效目标
_LIST_HEADER = re.compile(r"项目.{0,30}(金额|预算数|总计|合计|资金).{0,40}绩效目标|绩效目标.{0,20}项目名称")
_EVALUATION = (
    "实际完成值",
    "实际完成情况",
    "偏差原因",
    "自评得分",
    "自评分",
    "全年执行数",
    "未完成原因",
)


def score(text: str) -> int:
    s = re.sub(r"\s+", "", text)
    n = sum(w in s for w in _WORDS)
    if TARGET_TITLE.search(s):  # 绩效目标表, 绩效目标申报表, 项目支出绩效表 …
        n += 2
    if _LIST_HEADER.search(s):
        n += 2
    return n - 2 * sum(w in s for w in _EVALUATION)


def candidate_pages(texts: list[str]) -> list[int]:
    """0-based indexes of pages to analyse: pages with target vocabulary, and the page after
    each (a table continued without a header may carry no vocabulary at all)."""
    hits = {i for i, t in enumerate(texts) if score(t) >= 2}
    more = {i + 1 for i in hits if i + 1 < len(texts) and texts[i + 1].strip()}
    return sorted(hits | more)
