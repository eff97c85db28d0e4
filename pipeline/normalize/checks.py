"""Consistency checks on a normalized table, stored in the `checks` table."""

from __future__ import annotations

import re
from decimal import Decimal

from pipeline.model import Check, Indicator, Table
from pipeline.normalize import taxonomy
from pipeline.normalize.values import ParsedValue, looks_numeric

_CENT = Decimal("0.01")
# money units a cost target is printed in → factor to 万元
# shares that cannot pass 100%: 满意度, 合格率, 完成率 … (growth rates can, and are not listed)
_SHARE = re.compile(
    r"满意|合格率|完成率|覆盖率|及时率|通过率|达标率|准确率|知晓率|执行率|出勤率|参与率|利用率|使用率|运行率|完好率|办结率"
)
_TO_WAN = {"万元": 1.0, "元": 1e-4, "千元": 0.1, "亿元": 1e4}


def _off(a: Decimal, b: Decimal, terms: int) -> bool:
    """Amounts printed to the cent may differ by rounding, one cent per summed term."""
    return abs(a - b) > _CENT * max(1, terms)


def table_checks(t: Table, values: list[ParsedValue]) -> list[Check]:
    out: list[Check] = []
    totals = [ln.total_wan for ln in t.budget_lines]
    if t.budget_total_wan is not None and totals and all(x is not None for x in totals):
        s = sum(totals, Decimal(0))
        if _off(s, t.budget_total_wan, len(totals)):
            out.append(
                Check(
                    "total_vs_lines",
                    "warning",
                    f"合计 {t.budget_total_wan} ≠ Σ budget lines {s} ({len(totals)} lines)",
                )
            )
    if None not in (t.budget_total_wan, t.budget_fiscal_wan, t.budget_other_wan):
        s = t.budget_fiscal_wan + t.budget_other_wan
        if _off(s, t.budget_total_wan, 2):
            out.append(
                Check(
                    "total_vs_parts",
                    "warning",
                    f"总额 {t.budget_total_wan} ≠ 财政拨款 {t.budget_fiscal_wan} + 其他资金 {t.budget_other_wan}",
                )
            )
    for ln in t.budget_lines:
        if None not in (ln.total_wan, ln.fiscal_wan, ln.other_wan) and _off(
            ln.fiscal_wan + ln.other_wan, ln.total_wan, 2
        ):
            out.append(
                Check(
                    "line_total_vs_parts",
                    "warning",
                    f"line {ln.line_no} {ln.task}: 总额 {ln.total_wan} ≠ {ln.fiscal_wan} + {ln.other_wan}",
                )
            )
    outside: list[str] = []
    for ind, v in zip(t.indicators, values, strict=True):
        if v.comparator is None and looks_numeric(v.raw):
            out.append(
                Check(
                    "value_unparsed",
                    "warning",
                    f"indicator {ind.seq} {ind.name}: value {v.raw!r} kept as text",
                    **_at(ind),
                )
            )
        if ind.level1_raw and ind.level2 and not taxonomy.belongs(ind.level1_raw, ind.level2):
            out.append(
                Check(
                    "level_mismatch",
                    "warning",
                    f"indicator {ind.seq} {ind.name}: 二级 {ind.level2} is not under printed 一级 {ind.level1_raw}",
                    **_at(ind),
                )
            )
        if ind.level2 is None and t.levels_printed:
            out.append(
                Check(
                    "level_unknown", "warning", f"indicator {ind.seq} {ind.name}: no 二级 label", **_at(ind)
                )
            )
        if ind.level1 is not None and ind.level1 not in taxonomy.LEVEL1 + taxonomy.DEPARTMENT_LEVEL1:
            outside.append(ind.level1)
        if v.unit == "%" and v.value_num is not None and v.value_num > 100 and _SHARE.search(ind.name or ""):
            out.append(
                Check(
                    "share_above_100",
                    "warning",
                    f"indicator {ind.seq} {ind.name}: target {v.raw} is a share above 100% (as printed)",
                    **_at(ind),
                )
            )
        over = _cost_over_budget(ind.level2, v, t.budget_total_wan)
        if over is not None:
            out.append(
                Check(
                    "cost_above_budget",
                    "warning",
                    f"indicator {ind.seq} {ind.name}: cost target {v.raw}"
                    + (f" (= {over:g} 万元)" if v.unit != "万元" else "")
                    + f" exceeds the table's budget {t.budget_total_wan} 万元",
                    **_at(ind),
                )
            )
    if outside:
        labels = "、".join(dict.fromkeys(outside))
        out.append(
            Check(
                "level1_outside_taxonomy",
                "warning",
                f"{len(outside)} indicators under 一级 labels outside the standard taxonomy: {labels[:200]}",
            )
        )
    if not t.indicators and not t.goal_list:
        out.append(Check("no_indicators", "warning", "table has no indicator rows"))
    if t.year is None:
        out.append(Check("no_year", "warning", "budget year not found"))
    return out


def _at(ind: Indicator) -> dict[str, int | None]:
    """Where a check about one indicator points: its page and seq."""
    return {"page": ind.page, "seq": ind.seq}


def _cost_over_budget(level2: str | None, v: ParsedValue, budget_wan: Decimal | None) -> float | None:
    """A 成本 target of the form ≤N (万元, 元 …) whose N is above the table's whole budget: the
    N in 万元, else None."""
    if budget_wan is None or budget_wan <= 0 or v.value_num is None or v.comparator not in ("<=", "<", "="):
        return None
    if taxonomy.dimension(level2) != "cost" or v.unit not in _TO_WAN:
        return None
    wan = v.value_num * _TO_WAN[v.unit]
    return wan if wan > float(budget_wan) + 0.01 else None


def document_checks(missed: list[tuple[int, str, str]], tables: list[Table]) -> list[Check]:
    """Self-audit of a whole document: pages where a target table announced itself (a title over
    a ruled table, or a header row of indicator columns) but no table was extracted; projects
    listed in two goal-only lists (a budget list with a 绩效目标 column and a 重点项目 list)."""
    out = [
        Check(
            "table_missed",
            "warning",
            f"page {page}: {'title' if what == 'title' else 'target-table header'} {text!r}"
            " seen, but no table was extracted from this page",
            page=page,
        )
        for page, what, text in missed
    ]
    seen: dict[tuple, int] = {}
    for t in tables:
        if t.goal_list and t.project:
            key = (t.project, t.budget_total_wan)
            seen[key] = seen.get(key, 0) + 1
    repeated = [k for k, n in seen.items() if n > 1]
    if repeated:
        examples = "、".join(p for p, _ in repeated[:3])
        out.append(
            Check(
                "project_listed_twice",
                "info",
                f"{len(repeated)} projects appear with the same amount in two project lists (e.g. {examples}):"
                " add up budgets over one list only",
            )
        )
    return out
