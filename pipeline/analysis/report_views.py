"""The report's per-region and per-concept views, and the figure frame every chart shares."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from html import escape
from typing import Any

import duckdb

from pipeline.analysis import charts
from pipeline.analysis.concepts import CONCEPTS, direction
from pipeline.analysis.report_html import (
    REF_INDICATOR,
    REF_TABLE,
    Ref,
    gap,
    has_column,
    num,
    pct,
    rows,
    spread,
    table,
    wan,
)

UNKNOWN_REGION = "（未知地区）"
DIRECTION_NAME = {"higher": "higher is better ↑", "lower": "lower is better ↓"}
UNIT_MIX = 4  # units named per concept; the rest are counted
SATISFACTION_SHARE = (
    "concept = 'satisfaction' AND unit = '%' AND comparator IN ('>=', '>', '=', 'range') "
    "AND value_num BETWEEN 0 AND 100"
)


@dataclass
class Chart:
    """A chart with the complete table behind it."""

    key: str
    title: str
    caption: str
    svg: str
    headers: list[str]
    rows: list[list[Any]]
    numeric: set[int] = field(default_factory=set)


def figure(chart: Chart) -> str:
    """The chart's section: the SVG, its caption and its table (all rows, scrollable)."""
    empty = ' data-empty="1"' if not chart.rows else ""
    body = (
        table(chart.headers, chart.rows, chart.numeric, scroll=True)
        if chart.rows
        else '<p class="none">No data.</p>'
    )
    return (
        f'<section id="chart-{chart.key}"><h3>{escape(chart.title)}</h3>'
        f'<figure class="chart" data-chart="{chart.key}"{empty}>{chart.svg}'
        f"<figcaption>{escape(chart.caption)}</figcaption></figure>"
        f"<details open><summary>Table behind the chart ({len(chart.rows)} rows)</summary>{body}</details>"
        "</section>"
    )


def regions(con: duckdb.DuckDBPyConnection, chart_rows: int) -> Chart:
    """Each region: documents, departments, tables, indicators, budget, satisfaction, quantified share,
    checks; charted as the quantified share (highest first), linked to a first qualitative target."""
    r = f"coalesce(region, '{UNKNOWN_REGION}')"
    found = rows(
        con,
        f"""WITH tab AS (
                SELECT {r} AS reg, any_value(region_level) AS lvl, count(DISTINCT doc_id) AS docs,
                       count(DISTINCT department) AS deps, count(*) AS tabs,
                       arg_min({REF_TABLE}, table_id) AS first_ref
                FROM v_tables GROUP BY 1),
            dep AS (
                SELECT {r} AS reg, department, year,
                       CASE WHEN count(budget_total_wan) FILTER (kind = 'department') > 0
                            THEN sum(budget_total_wan) FILTER (kind = 'department')
                            ELSE sum(budget_total_wan) FILTER (kind = 'project') END AS w
                FROM v_tables GROUP BY ALL),
            bud AS (SELECT reg, sum(w) AS w FROM dep GROUP BY 1),
            ind AS (
                SELECT {r} AS reg, count(*) AS n, count(comparator) AS quant,
                       median(value_num) FILTER ({SATISFACTION_SHARE}) AS sat_med,
                       min(value_num) FILTER ({SATISFACTION_SHARE}) AS sat_min,
                       arg_min({REF_INDICATOR}, row(value_num, table_id, seq)) FILTER ({SATISFACTION_SHARE}) AS sat_ref,
                       coalesce(arg_min({REF_INDICATOR}, row(table_id, seq)) FILTER (comparator IS NULL),
                                arg_min({REF_INDICATOR}, row(table_id, seq))) AS qual_ref
                FROM v_indicators GROUP BY 1),
            chk AS (
                SELECT {r} AS reg, count(*) AS n FROM checks JOIN v_tables USING (table_id) GROUP BY 1)
            SELECT tab.reg, lvl, docs, deps, tabs, coalesce(ind.n, 0), coalesce(quant, 0), bud.w,
                   sat_med, sat_min, coalesce(chk.n, 0), sat_ref, qual_ref, first_ref
            FROM tab LEFT JOIN ind USING (reg) LEFT JOIN bud USING (reg) LEFT JOIN chk USING (reg)
            ORDER BY coalesce(quant / nullif(ind.n, 0), -1) DESC, ind.n DESC NULLS LAST, tab.reg""",
    )
    idx = charts.ends(list(range(len(found))), chart_rows, gap("regions"))
    drawn = [found[i] for i in idx if isinstance(i, int)]
    refs = [Ref.of(f[12], "first qualitative target" if f[5] > f[6] else "first target") for f in found]

    svg = charts.stacked_hbar(
        [found[i][0] if isinstance(i, int) else i for i in idx],
        [
            ("quantified 定量", charts.QUANTIFIED, spread(idx, [float(f[6]) for f in drawn])),
            ("qualitative 定性", charts.QUALITATIVE, spread(idx, [float(f[5] - f[6]) for f in drawn])),
        ],
        aria="quantified share per region",
        links=[(refs[i].href, refs[i].title) if isinstance(i, int) and refs[i] else (None, "") for i in idx],
    )
    body = [
        [
            reg,
            lvl or "",
            docs,
            deps,
            tabs,
            n,
            f"{100 * quant / n:.1f}%" if n else "",
            wan(w),
            pct(med),
            pct(lo),
            chk,
            Ref.of(sat_ref, "lowest satisfaction target") or Ref.of(first_ref, "first table"),
        ]
        for reg, lvl, docs, deps, tabs, n, quant, w, med, lo, chk, sat_ref, _q, first_ref in found
    ]
    return Chart(
        "region",
        "Regions · 地区: quantified share and key figures",
        "Per region (as table_context names it): documents, departments, tables, indicators, budget (Σ per "
        "department of its department-table 合计, else of its project tables), the median and lowest "
        "satisfaction target in % and the checks raised. Bars: share of quantified indicators, highest first; "
        "each name links to the region's first qualitative target, the table's last column to its lowest "
        "satisfaction target (else its first table).",
        svg,
        [
            "region 地区",
            "level",
            "documents",
            "departments",
            "tables",
            "indicators",
            "quantified share",
            "budget 万元",
            "median 满意度",
            "lowest 满意度",
            "checks",
            "lowest 满意度 target (else first table) · source page",
        ],
        body,
        {2, 3, 4, 5, 6, 7, 8, 9, 10},
    )


def concepts(con: duckdb.DuckDBPyConnection) -> str:
    """Each concept: indicators, departments, unit mix, and in its main unit the median/min/max with
    links to the weakest and strongest target (by the concept's direction)."""
    std = has_column(con, "v_indicators", "unit_std") and has_column(con, "v_indicators", "value_num_std")
    unit, value = ("unit_std", "value_num_std") if std else ("unit", "value_num")
    base = f"""SELECT concept, coalesce({unit}, '') AS u, {value} AS v, department, region,
                      {REF_INDICATOR} AS ref,
                      table_id, seq
               FROM v_indicators WHERE concept IS NOT NULL"""
    mix: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for concept, u, n in rows(
        con,
        f"SELECT concept, u, count(*) FROM ({base}) WHERE v IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2",
    ):
        mix[concept].append((u, n))
    found = rows(
        con,
        f"""WITH q AS ({base}),
            main AS (SELECT concept, mode(u) AS mu FROM q WHERE v IS NOT NULL GROUP BY 1)
            SELECT q.concept, count(*), count(DISTINCT (department, region)), count(v), main.mu,
                   count(v) FILTER (u = main.mu),
                   median(v) FILTER (u = main.mu), min(v) FILTER (u = main.mu), max(v) FILTER (u = main.mu),
                   arg_min(ref, row(v, table_id, seq)) FILTER (u = main.mu AND v IS NOT NULL),
                   arg_max(ref, row(v, table_id, seq)) FILTER (u = main.mu AND v IS NOT NULL)
            FROM q LEFT JOIN main USING (concept) GROUP BY q.concept, main.mu ORDER BY 2 DESC, 1""",
    )
    unassigned = rows(con, "SELECT count(*) FROM v_indicators WHERE concept IS NULL")[0][0]
    body = []
    for concept, n, deps, quant, mu, n_main, med, lo, hi, lo_ref, hi_ref in found:
        way = direction(concept)
        low, high = Ref.of(lo_ref, "lowest target"), Ref.of(hi_ref, "highest target")
        weakest, strongest = (high, low) if way == "lower" else (low, high)
        units = mix.get(concept, [])
        mix_text = " · ".join(f"{u or '(no unit)'} {k}" for u, k in units[:UNIT_MIX])
        if len(units) > UNIT_MIX:
            mix_text += f" · {len(units) - UNIT_MIX} more units {sum(k for _, k in units[UNIT_MIX:])}"
        body.append(
            [
                concept,
                CONCEPTS.get(concept, ""),
                DIRECTION_NAME.get(way or "", "—"),
                n,
                deps,
                quant,
                mix_text,
                "" if mu is None else (mu or "(no unit)"),
                n_main,
                num(med),
                num(lo),
                num(hi),
                weakest,
                strongest,
            ]
        )
    if unassigned:
        body.append(
            [
                "（no concept）",
                "no rule matched the name",
                "—",
                unassigned,
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                None,
                None,
            ]
        )
    unit_note = "canonical units (unit_std, value_num_std)" if std else "units as printed (unit, value_num)"
    headers = [
        "concept 概念",
        "what it measures",
        "direction",
        "indicators",
        "departments",
        "quantified",
        "unit mix (quantified)",
        "main unit",
        "in main unit",
        "median",
        "min",
        "max",
        "weakest target (no direction: lowest) · source page",
        "strongest target (no direction: highest) · source page",
    ]
    return (
        '<h2 id="concepts">Concepts · 指标概念</h2><section id="concept-list">'
        f'<p class="none">Each concept with its indicators and departments, the mix of {unit_note} among its '
        "quantified targets, and the median / min / max over the targets in its main unit only (other units "
        "are not mixed in: compare them in the unit mix). Weakest and strongest follow the concept's "
        "direction — for a higher-is-better concept the weakest target is the lowest.</p>"
        + table(headers, body, {3, 4, 5, 8, 9, 10, 11}, scroll=True)
        + "</section>"
    )
