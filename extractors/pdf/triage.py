"""Which pages may hold target tables: a fast vocabulary test on each page's text layer."""

from __future__ import annotations

import re

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
_TITLE = re.compile(r"绩效目标(表|申报表|填报表)")


def score(text: str) -> int:
    s = re.sub(r"\s+", "", text)
    n = sum(w in s for w in _WORDS)
    if _TITLE.search(s):
        n += 2
    return n


def candidate_pages(texts: list[str]) -> list[int]:
    """0-based indexes of pages to analyse: pages with target vocabulary, and the page after
    each (a table continued without a header may carry no vocabulary at all)."""
    hits = {i for i, t in enumerate(texts) if score(t) >= 2}
    more = {i + 1 for i in hits if i + 1 < len(texts) and texts[i + 1].strip()}
    return sorted(hits | more)
