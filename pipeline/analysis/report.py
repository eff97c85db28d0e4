"""`python -m pipeline report`: one self-contained HTML page of charts, the tables behind them and the checks.

The page has no JavaScript and loads nothing: charts are inline SVG (see `charts.py`), styles
are inline, text is escaped. Its only links are to its own sections and to source pages
(`file://…#page=N`): every chart label, table row and check links to the PDF page its figure
comes from (for an aggregate, to a named representative row: the lowest target, the largest
table …).  A ranking longer than `CHART_ROWS` draws its strongest and its weakest ends (which
end is "strong" follows the concept's direction); the table under it lists every row.
It reads the analysts' views `v_indicators` and `v_tables` (`pipeline/analysis/views.sql`) and
the `documents`, `target_tables`, `indicators` and `checks` tables.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

import duckdb

from pipeline.analysis import charts, report_views
from pipeline.analysis.concepts import direction
from pipeline.analysis.report_html import (
    REF_INDICATOR,
    REF_TABLE,
    Ref,
    dept_labels,
    gap,
    has_column,
    pct,
    spread,
    table,
    wan,
)
from pipeline.analysis.report_html import rows as _rows
from pipeline.analysis.report_views import Chart, figure

UNCLASSIFIED = "未归类"
CHART_ROWS = 40  # bars drawn per ranking: the strongest 20 and the weakest 20; the table lists all

DIMENSIONS: dict[str, str] = {
    "quantity": "数量",
    "quality": "质量",
    "timeliness": "时效",
    "cost": "成本",
    "social_cost": "社会成本",
    "ecological_cost": "生态成本",
    "economic_benefit": "经济效益",
    "social_benefit": "社会效益",
    "ecological_benefit": "生态效益",
    "sustainability": "可持续影响",
    "satisfaction": "满意度",
}

# The three cross-checks analysts asked for come first, listed even when none was raised.
KEY_CHECKS: dict[str, str] = {
    "cost_above_budget": "成本 target (≤N万元) above its table's budget",
    "total_vs_lines": "department table whose 合计 ≠ Σ budget lines",
    "value_unparsed": "indicator value that could not be parsed (kept as text)",
}
OTHER_CHECKS: dict[str, str] = {
    "total_vs_parts": "合计 ≠ 财政拨款 + 其他资金",
    "line_total_vs_parts": "budget line total ≠ its parts",
    "level_mismatch": "printed 一级/二级 labels disagree with the taxonomy",
    "level_unknown": "二级指标 label not in the taxonomy",
    "share_above_100": "a % target above 100% (as printed, e.g. ≥1100%)",
    "table_missed": "page where a target table's title or header was seen but no table was extracted",
    "no_indicators": "target table without indicator rows (goal-only lists excepted)",
    "level1_outside_taxonomy": "一级指标 labels outside the standard taxonomy",
    "project_listed_twice": "projects printed in two project lists of one document (sum budgets once)",
}
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}

CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei",
 "Helvetica Neue",Arial,sans-serif;color:#222;margin:0;background:#fafafa}
main{max-width:1200px;margin:0 auto;padding:24px 20px 60px;background:#fff}
h1{font-size:24px;margin:0 0 4px} h2{font-size:19px;margin:36px 0 8px;border-bottom:2px solid #ddd;padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px} p.meta{color:#666;font-size:13px;margin:0 0 16px}
.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{border:1px solid #ddd;border-radius:6px;padding:8px 12px;min-width:120px}
.card b{display:block;font-size:22px} .card span{font-size:12px;color:#555}
figure.chart{margin:12px 0 6px;break-inside:avoid} figure.chart svg{max-width:100%;height:auto;display:block}
figcaption{font-size:13px;color:#444;margin:4px 0 8px}
table{border-collapse:collapse;font-size:12px;margin:6px 0 14px;width:100%}
th,td{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f2f2f2} td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
details summary{cursor:pointer;font-size:13px;color:#333}
svg text{font-size:12px;fill:#333} svg .tick{font-size:11px;fill:#666} svg .note{fill:#444}
svg .inbar{fill:#fff;font-size:11px} svg .value{font-size:11px;fill:#333}
svg .grid{stroke:#e6e6e6;stroke-width:1} svg .empty{fill:#888;font-size:14px}
.none{color:#777;font-size:13px}
td.id{font-family:monospace;font-size:10px;word-break:break-all;color:#555;min-width:12em}
div.scroll{max-height:460px;overflow:auto;margin:6px 0 14px;border:1px solid #eee}
div.scroll table{margin:0} div.scroll thead th{position:sticky;top:0;z-index:1}
a.src{color:#1a5fa8;text-decoration:none} a.src:hover{text-decoration:underline}
svg a.src text{fill:#1a5fa8} svg .gap{stroke:#bbb;stroke-dasharray:4 3;fill:#777;font-size:11px}
svg text.gap{stroke:none} nav.toc{font-size:13px;margin:4px 0 8px} nav.toc a{margin-right:12px}
@media print{body{background:#fff} main{padding:0}}
"""


@dataclass
class ReportSummary:
    """What a report holds, for the CLI's one line and for tests."""

    path: Path
    bytes: int = 0
    documents: int = 0
    tables: int = 0
    indicators: int = 0
    departments: int = 0
    chart_rows: dict[str, int] = field(default_factory=dict)
    checks: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        """One line: the path and what it holds."""
        charts_ = ", ".join(f"{k} {v}" for k, v in self.chart_rows.items())
        return (
            f"{self.path}: {self.documents} documents, {self.tables} tables, {self.indicators} indicators, "
            f"{self.departments} departments; charts ({charts_} rows); "
            f"{sum(self.checks.values())} checks; {self.bytes:,} bytes"
        )


TOC = (
    '<nav class="toc"><a href="#headline">Overview</a><a href="#charts">Charts</a>'
    '<a href="#regions">Regions 地区</a><a href="#concepts">Concepts 概念</a>'
    '<a href="#checks">Checks 检查</a></nav>'
)


def build_report(
    con: duckdb.DuckDBPyConnection, out_path: str | Path, title: str | None = None
) -> ReportSummary:
    """Write the HTML report for the database behind `con` to `out_path`."""
    out = Path(out_path)
    summary = ReportSummary(path=out)
    title = title or "预算绩效目标 · 分析报告 (budget performance targets)"
    parts: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body><main>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="meta">{escape(_meta_line(con))}</p>',
    ]
    parts.append(TOC)
    parts.append(_headline(con, summary))
    parts.append('<h2 id="charts">Charts</h2>')
    for chart in (_satisfaction(con), _budget(con), _dimension(con), _quantified(con)):
        summary.chart_rows[chart.key] = len(chart.rows)
        parts.append(figure(chart))
    regions = report_views.regions(con, CHART_ROWS)
    summary.chart_rows["region"] = len(regions.rows)
    parts.append('<h2 id="regions">Regions · 地区</h2>' + figure(regions))
    parts.append(report_views.concepts(con))
    parts.append(_checks(con, summary))
    parts.append("</main></body></html>\n")
    html = "\n".join(parts)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    summary.bytes = out.stat().st_size
    return summary


# -- pieces ---------------------------------------------------------------------------------


def _meta_line(con: duckdb.DuckDBPyConnection) -> str:
    files = [Path(r[2]).name for r in _rows(con, "PRAGMA database_list") if r[2]]
    when = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    return f"database {files[0] if files else '(in memory)'} · generated {when}"


def _headline(con: duckdb.DuckDBPyConnection, summary: ReportSummary) -> str:
    statuses = _rows(con, "SELECT status, count(*) FROM documents GROUP BY 1 ORDER BY 2 DESC, 1")
    kinds = dict(_rows(con, "SELECT kind, count(*) FROM target_tables GROUP BY 1"))
    summary.documents = sum(n for _, n in statuses)
    summary.tables = sum(kinds.values())
    summary.indicators = _rows(con, "SELECT count(*) FROM indicators")[0][0]
    summary.departments = _rows(con, "SELECT count(DISTINCT department) FROM target_tables")[0][0]
    regions = _rows(
        con,
        "SELECT count(DISTINCT region) FROM (SELECT region FROM v_indicators UNION ALL SELECT region FROM v_budget)",
    )[0][0]
    years = [
        y for (y,) in _rows(con, "SELECT DISTINCT year FROM target_tables WHERE year IS NOT NULL ORDER BY 1")
    ]
    status_text = ", ".join(f"{s or '?'} {n}" for s, n in statuses) or "none"
    kind_text = ", ".join(f"{k or '?'} {n}" for k, n in sorted(kinds.items(), key=lambda kv: str(kv[0])))
    cards = [
        ("documents", f"{summary.documents:,}", status_text),
        ("target tables", f"{summary.tables:,}", kind_text or "none"),
        ("indicators", f"{summary.indicators:,}", "三级指标"),
        ("departments", f"{summary.departments:,}", "部门"),
        ("regions", f"{regions:,}", "地区"),
        ("years", ", ".join(map(str, years)) or "—", f"{len(years)} budget year(s)"),
    ]
    items = "".join(
        f'<div class="card" data-figure="{escape(key)}"><b>{escape(value)}</b>'
        f"<span>{escape(key)} · {escape(sub)}</span></div>"
        for key, value, sub in cards
    )
    return f'<h2>Overview</h2><section class="cards" id="headline">{items}</section>'


def _strong_first(rows_: list[tuple], key: Callable[[tuple], Any], concept: str | None) -> list[tuple]:
    """Rows ordered strongest first by `key`, following the concept's direction (higher by default)."""
    return sorted(rows_, key=key, reverse=direction(concept) != "lower")


def _satisfaction(con: duckdb.DuckDBPyConnection) -> Chart:
    where = (
        "concept = 'satisfaction' AND unit = '%' AND comparator IN ('>=', '>', '=', 'range') "
        "AND value_num BETWEEN 0 AND 100"
    )
    # weakest target of a department: the lowest when higher is better, else the highest
    lower = direction("satisfaction") == "lower"
    weakest = f"arg_{'max' if lower else 'min'}({REF_INDICATOR}, row(value_num, table_id, seq))"
    rows = _rows(
        con,
        f"""SELECT department, region, any_value(department_category), count(*),
                   median(value_num), min(value_num), max(value_num),
                   mode(value_raw ORDER BY value_raw), {weakest}
            FROM v_indicators WHERE {where}
            GROUP BY department, region ORDER BY 4 DESC, 1, 2""",
    )
    rows = _strong_first(rows, lambda r: (r[4], r[5]), "satisfaction")
    left_out = _rows(
        con,
        f"""SELECT count(*) FILTER (comparator IS NULL),
                   count(*) FILTER (comparator IS NOT NULL AND coalesce(unit, '') <> '%'),
                   count(*) FILTER (unit = '%' AND value_num > 100),
                   count(*) FILTER (comparator IN ('<', '<=') AND unit = '%'),
                   count(*) FILTER ({where})
            FROM v_indicators WHERE concept = 'satisfaction'""",
    )[0]
    labels = dept_labels(rows)
    what = "highest target" if lower else "lowest target"
    refs = [Ref.of(r[8], what) for r in rows]
    bars = [
        charts.Bar(
            label=lab,
            value=float(med),
            color=charts.SATISFACTION,
            marker=float(lo),
            note=f"中位 {pct(med)} · 最低 {pct(lo)} · n={n}",
            href=ref.href if ref else None,
            link_title=ref.title if ref else "",
        )
        for lab, ref, (_, _, _, n, med, lo, *_rest) in zip(labels, refs, rows, strict=True)
    ]
    svg = charts.hbar(
        charts.ends(bars, CHART_ROWS, gap("departments")),
        aria="satisfaction targets by department",
        fmt=lambda v: f"{v:g}%",
        vmax=100,
        legend_items=[
            ("median target 中位目标值", charts.SATISFACTION),
            ("lowest 最低", charts.SATISFACTION_MIN),
        ],
        marker_color=charts.SATISFACTION_MIN,
    )
    qual, other_unit, over, upper, charted = left_out
    caption = (
        f"满意度 targets printed as a lower bound or exact share in % (≥95%, 95%, 90%–95%): per department the "
        f"median bar and the lowest target (tick), highest median first. {charted} indicators charted"
    )
    skipped = [
        (qual, "qualitative"),
        (other_unit, "in other units (分, 次 …)"),
        (over, "above 100% (see check share_above_100)"),
        (upper, "upper bounds (≤…%)"),
    ]
    if any(n for n, _ in skipped):
        caption += "; left out: " + ", ".join(f"{n} {why}" for n, why in skipped if n)
    caption += f". {_ends_note(len(bars), 'departments')} Each name links to the page of its {what}."
    table_rows = [
        [lab, region or "", cat or "", n, pct(med), pct(lo), pct(hi), common or "", ref]
        for lab, ref, (_, region, cat, n, med, lo, hi, common, _r) in zip(labels, refs, rows, strict=True)
    ]
    return Chart(
        "satisfaction",
        "Satisfaction targets across departments · 满意度目标值",
        caption,
        svg,
        [
            "department 部门",
            "region 地区",
            "category 类别",
            "indicators",
            "median",
            "min",
            "max",
            "most common value",
            f"{what} · source page",
        ],
        table_rows,
        {3, 4, 5, 6},
    )


def _ends_note(n: int, what: str) -> str:
    """What a ranking's drawing shows of its `n` rows."""
    if n <= CHART_ROWS:
        return f"All {n} {what} drawn."
    half = (CHART_ROWS + 1) // 2
    return (
        f"Of {n} {what} the first {half} and the last {CHART_ROWS - half} are drawn "
        f"(the dashed row stands for the {n - CHART_ROWS} between); the table lists all {n}."
    )


def _budget(con: duckdb.DuckDBPyConnection) -> Chart:
    rows = _rows(
        con,
        f"""WITH agg AS (
               SELECT department, region, year,
                      sum(budget_total_wan) FILTER (kind = 'department') AS dep_wan,
                      count(*) FILTER (kind = 'department') AS dep_n,
                      count(budget_total_wan) FILTER (kind = 'department') AS dep_known,
                      sum(budget_total_wan) FILTER (kind = 'project') AS proj_wan,
                      count(*) FILTER (kind = 'project') AS proj_n,
                      arg_max({REF_TABLE}, row(budget_total_wan, table_id))
                          FILTER (kind = 'department' AND budget_total_wan IS NOT NULL) AS dep_ref,
                      arg_max({REF_TABLE}, row(budget_total_wan, table_id))
                          FILTER (kind = 'project' AND budget_total_wan IS NOT NULL) AS proj_ref,
                      arg_min({REF_TABLE}, table_id) AS first_ref
               FROM v_tables GROUP BY ALL)
           SELECT department, region, year,
                  CASE WHEN dep_known > 0 THEN 'department' WHEN proj_wan IS NOT NULL THEN 'project' END,
                  CASE WHEN dep_known > 0 THEN dep_wan ELSE proj_wan END AS wan,
                  dep_n, dep_wan, proj_n, proj_wan,
                  CASE WHEN dep_known > 0 THEN dep_ref WHEN proj_wan IS NOT NULL THEN proj_ref ELSE first_ref END
           FROM agg ORDER BY wan DESC NULLS LAST, department, year""",
    )
    years = {r[2] for r in rows}
    labels = [
        lab if len(years) <= 1 else f"{lab} · {y or '?'}"
        for lab, y in zip(dept_labels(rows), [r[2] for r in rows], strict=True)
    ]
    basis_name = {"department": "部门整体表合计", "project": "项目表合计"}
    ref_name = {"department": "largest department table", "project": "largest project table"}
    refs = [Ref.of(r[9], ref_name.get(r[3] or "", "first table")) for r in rows]
    bars = [
        charts.Bar(
            label=lab,
            value=float(w),
            color=charts.BUDGET_DEPARTMENT if basis == "department" else charts.BUDGET_PROJECT,
            note=f"{float(w):,.0f} 万元 · {basis_name[basis]}",
            href=ref.href if ref else None,
            link_title=ref.title if ref else "",
        )
        for lab, ref, (_, _, _, basis, w, *_rest) in zip(labels, refs, rows, strict=True)
        if w is not None
    ]
    svg = charts.hbar(
        charts.ends(bars, CHART_ROWS, gap("departments", "the largest and the smallest")),
        aria="budget by department",
        fmt=lambda v: f"{v:,.0f}",
        legend_items=[
            ("department table total 部门整体表合计", charts.BUDGET_DEPARTMENT),
            ("sum of project tables 项目表合计 (no department total)", charts.BUDGET_PROJECT),
        ],
    )
    table_rows = [
        [
            lab,
            region or "",
            year or "",
            basis_name.get(basis or "", "no budget printed"),
            wan(w),
            dep_n,
            wan(dw),
            proj_n,
            wan(pw),
            ref,
        ]
        for lab, ref, (_, region, year, basis, w, dep_n, dw, proj_n, pw, _r) in zip(
            labels, refs, rows, strict=True
        )
    ]
    return Chart(
        "budget",
        "Budget by department · 部门预算 (万元)",
        "The department table's 合计 where a department table with a total exists, otherwise the sum of the "
        "department's project tables (the colour says which). Project tables usually cover only part of a "
        "department's budget, so the two bases are not comparable one to one. Largest first. "
        f"{_ends_note(len(bars), 'departments with a budget')} Each name links to the page of its largest "
        "table of that basis.",
        svg,
        [
            "department 部门",
            "region 地区",
            "year",
            "basis 口径",
            "budget 万元",
            "department tables",
            "department total 万元",
            "project tables",
            "project total 万元",
            "largest table · source page",
        ],
        table_rows,
        {4, 5, 6, 7, 8},
    )


def _dimension(con: duckdb.DuckDBPyConnection) -> Chart:
    counted = _rows(
        con,
        f"SELECT dimension, count(*), arg_min({REF_INDICATOR}, row(table_id, seq)) FROM v_indicators GROUP BY 1",
    )
    counts = {d: n for d, n, _ in counted}
    examples = {d: Ref.of(ref, "first indicator") for d, _, ref in counted}
    order = [d for d in DIMENSIONS if d in counts] + sorted(
        str(d) for d in counts if d is not None and d not in DIMENSIONS
    )
    if None in counts:
        order.append(None)
    total = sum(counts.values()) or 1
    names = [UNCLASSIFIED if d is None else DIMENSIONS.get(d, d) for d in order]
    svg = charts.vbar(
        [(name, float(counts[d])) for name, d in zip(names, order, strict=True)],
        aria="indicators by dimension",
        color=charts.DIMENSION,
        links=[(r.href, r.title) if r else (None, "") for r in (examples[d] for d in order)],
    )
    table_rows = [
        [name, d or "NULL", counts[d], f"{100 * counts[d] / total:.1f}%", examples[d]]
        for name, d in zip(names, order, strict=True)
    ]
    return Chart(
        "dimension",
        "Indicators by dimension · 指标维度",
        "三级指标 counted by harmonised dimension (2020 and 2021+ templates mapped onto one taxonomy); "
        f"{UNCLASSIFIED} = labels that map onto no standard dimension. Each name links to an example: "
        "the dimension's first indicator.",
        svg,
        ["dimension 维度", "code", "indicators", "share", "first indicator · source page"],
        table_rows,
        {2, 3},
    )


def _quantified(con: duckdb.DuckDBPyConnection) -> Chart:
    rows = _rows(
        con,
        f"""SELECT department, region, count(*) AS n, count(comparator) AS quant,
                   count(*) - count(comparator) AS qual,
                   coalesce(arg_min({REF_INDICATOR}, row(table_id, seq)) FILTER (comparator IS NULL),
                            arg_min({REF_INDICATOR}, row(table_id, seq)))
            FROM v_indicators GROUP BY department, region
            ORDER BY quant / n DESC, n DESC, department""",
    )
    labels = dept_labels(rows)
    refs = [Ref.of(r[5], "first qualitative target" if r[4] else "first target") for r in rows]
    idx = charts.ends(list(range(len(rows))), CHART_ROWS, gap("departments"))
    shown = [rows[i] for i in idx if isinstance(i, int)]
    svg = charts.stacked_hbar(
        [labels[i] if isinstance(i, int) else i for i in idx],
        [
            (
                "quantified 定量 (≥, ≤, =, range)",
                charts.QUANTIFIED,
                spread(idx, [float(r[3]) for r in shown]),
            ),
            ("qualitative 定性", charts.QUALITATIVE, spread(idx, [float(r[4]) for r in shown])),
        ],
        aria="qualitative vs quantified share per department",
        links=[(refs[i].href, refs[i].title) if isinstance(i, int) and refs[i] else (None, "") for i in idx],
    )
    table_rows = [
        [lab, region or "", n, quant, qual, f"{100 * quant / n:.1f}%" if n else "", ref]
        for lab, ref, (_, region, n, quant, qual, _r) in zip(labels, refs, rows, strict=True)
    ]
    return Chart(
        "quantified",
        "Quantified vs qualitative targets · 定量与定性指标",
        "Share of each department's 三级指标 whose value parses to a comparator and number (quantified) "
        "versus a text value such as 有效 or 逐步提高 (qualitative, comparator NULL); highest share first. "
        f"{_ends_note(len(rows), 'departments')} Each name links to the page of its first qualitative target.",
        svg,
        [
            "department 部门",
            "region 地区",
            "indicators",
            "quantified",
            "qualitative",
            "quantified share",
            "first qualitative target · source page",
        ],
        table_rows,
        {2, 3, 4, 5},
    )


def _checks(con: duckdb.DuckDBPyConnection, summary: ReportSummary) -> str:
    counts = _rows(con, 'SELECT "check", severity, count(*) FROM checks GROUP BY 1, 2')
    by_check: dict[str, dict[str, int]] = {}
    for check, sev, n in counts:
        by_check.setdefault(check, {})[sev] = n
    summary.checks = {c: sum(v.values()) for c, v in by_check.items()}
    names = list(KEY_CHECKS) + sorted(c for c in by_check if c not in KEY_CHECKS)
    described: Callable[[str], str] = lambda c: KEY_CHECKS.get(c) or OTHER_CHECKS.get(c, "")  # noqa: E731
    severities = sorted(
        {s for v in by_check.values() for s in v}, key=lambda s: (SEVERITY_ORDER.get(s, 9), s)
    )
    overview = table(
        ["check", "what it means", *severities, "total"],
        [
            [c, described(c), *[by_check.get(c, {}).get(s, 0) for s in severities], summary.checks.get(c, 0)]
            for c in names
        ],
        set(range(2, 3 + len(severities))),
    )
    parts = [
        '<h2 id="checks">Cross-checks · 一致性检查</h2><section id="checks-list">',
        f"<p>{sum(summary.checks.values())} problems recorded in the <code>checks</code> table "
        '(query it: <code>SELECT * FROM checks WHERE "check" = …</code>). Every one is listed below with a '
        "link to its page in the source file.</p>",
        overview,
    ]
    # a check's own page once the checks table has one, else its table's first page
    page = "coalesce(c.page, t.page_first)" if has_column(con, "checks", "page") else "t.page_first"
    detail_rows = _rows(
        con,
        f"""SELECT c."check", c.severity, t.department, t.project, c.detail, c.table_id,
                   {{'src': d.source_path, 'page': {page}, 'name': NULL,
                     'value': NULL}}
            FROM checks c LEFT JOIN target_tables t USING (table_id) LEFT JOIN documents d USING (doc_id)
            ORDER BY c."check", c.table_id, c.detail""",
    )
    for c in names:
        found = [r for r in detail_rows if r[0] == c]
        head = f'<h3 id="check-{escape(c)}">{escape(c)} · {summary.checks.get(c, 0)}</h3>'
        if described(c):
            head += f'<p class="none">{escape(described(c))}</p>'
        if not found:
            parts.append(head + '<p class="none">None found.</p>')
            continue
        parts.append(
            head
            + f"<details{' open' if c in KEY_CHECKS else ''}><summary>{len(found)} rows</summary>"
            + table(
                ["severity", "department 部门", "project 项目", "source page", "detail", "table_id"],
                [
                    [sev, dep, proj, Ref.of(ref, "table of the check"), detail, tid]
                    for _, sev, dep, proj, detail, tid, ref in found
                ],
                ids={5},
                scroll=True,
            )
            + "</details>"
        )
    parts.append("</section>")
    return "\n".join(parts)
