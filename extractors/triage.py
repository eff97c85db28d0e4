"""Which pages may hold target tables: a fast vocabulary test on each page's text layer.

Positive evidence: indicator vocabulary, target-table titles (`…绩效目标表`, `…项目支出绩效表`)
and the header of a goal-only project list (项目名称 … 绩效目标).  Negative evidence: the
columns of an evaluation (实际完成值, 偏差原因, 自评得分 …), which mark 绩效自评表 pages.
"""

from __future__ import annotations

import re

from pipeline.normalize.titles import TARGET_TITLE
from pipeline.normalize.vocabulary import EVALUATION_WORDS, INDICATOR_WORDS, LIST_HEADER


def score(text: str) -> int:
    s = re.sub(r"\s+", "", text)
    n = sum(w in s for w in INDICATOR_WORDS)
    if TARGET_TITLE.search(s):  # 绩效目标表, 绩效目标申报表, 项目支出绩效表 …
        n += 2
    if LIST_HEADER.search(s):
        n += 2
    return n - 2 * sum(w in s for w in EVALUATION_WORDS)


def candidate_pages(texts: list[str]) -> list[int]:
    """0-based indexes of pages to analyse: pages with target vocabulary, and the page after
    each (a table continued without a header may carry no vocabulary at all)."""
    hits = {i for i, t in enumerate(texts) if score(t) >= 2}
    more = {i + 1 for i in hits if i + 1 < len(texts) and texts[i + 1].strip()}
    return sorted(hits | more)
