"""Consistency checks on a normalized table, stored in the `checks` table."""

from __future__ import annotations

from decimal import Decimal

from pipeline.model import Check, Table
from pipeline.normalize import taxonomy
from pipeline.normalize.values import ParsedValue, looks_numeric

_CENT = Decimal("0.01")


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
    for ind, v in zip(t.indicators, values, strict=True):
        if v.comparator is None and looks_numeric(v.raw):
            out.append(
                Check(
                    "value_unparsed",
                    "warning",
                    f"indicator {ind.seq} {ind.name}: value {v.raw!r} kept as text",
                )
            )
        if ind.level1_raw and ind.level2 and not taxonomy.belongs(ind.level1_raw, ind.level2):
            out.append(
                Check(
                    "level_mismatch",
                    "warning",
                    f"indicator {ind.seq} {ind.name}: 二级 {ind.level2} is not under printed 一级 {ind.level1_raw}",
                )
            )
        if ind.level2 is None:
            out.append(Check("level_unknown", "warning", f"indicator {ind.seq} {ind.name}: no 二级 label"))
    if not t.indicators:
        out.append(Check("no_indicators", "warning", "table has no indicator rows"))
    if t.year is None:
        out.append(Check("no_year", "warning", "budget year not found"))
    return out
