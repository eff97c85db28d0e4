"""Targets for one concept side by side, by department, region, category or year.

Targets are compared in one canonical unit (`unit_std` of v_indicators: `元/人月` and
`元/人·月` are one unit, 元 and 万元 are both 万元 with the value scaled).  Nothing is dropped
silently: the targets left out — in another unit, with a number but no unit, or qualitative —
are counted in `Comparison.excluded`, and the command prints them after the table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from pipeline.analysis.concepts import CONCEPTS, direction
from pipeline.normalize.canonical_units import canonical

GROUPS = {
    "department": "department",
    "region": "region",
    "year": "CAST(year AS VARCHAR)",
    "category": "department_category",
}
# --sort: which groups come first.  weakest/strongest follow the concept's direction (a low
# satisfaction target is weak, a low error-rate ceiling strong); low/high are plain numeric order.
SORTS = ("strongest", "weakest", "high", "low")


class CompareError(Exception):
    """Bad arguments: an unknown concept, grouping, sort or unit."""


@dataclass
class Comparison:
    """The table (`columns`, `rows`), the unit compared, and what was left out of it."""

    columns: list[str]
    rows: list[tuple]
    concept: str
    unit: str | None
    direction: str | None
    sort: str
    excluded: dict = field(default_factory=dict)

    def note(self) -> str:
        """What the table leaves out, in one paragraph for people ('' when nothing is)."""
        ex = self.excluded
        parts = []
        if ex.get("other_units"):
            units = ", ".join(f"{u['unit']} {u['targets']}" for u in ex["other_units"][:12])
            more = len(ex["other_units"]) - 12
            parts.append(
                f"{_n(sum(u['targets'] for u in ex['other_units']))} in other units "
                f"({units}{f', … {more} more units' if more > 0 else ''})"
            )
        if ex.get("no_unit"):
            parts.append(f"{_n(ex['no_unit'])} with a number but no unit")
        if ex.get("qualitative"):
            parts.append(f"{_n(ex['qualitative'])} qualitative (no number)")
        merged = [p for p in ex.get("unit_spellings", []) if p["printed"] != self.unit]
        lines = []
        if parts:
            lines.append(f"left out of the comparison in {self.unit or '(no unit)'}: " + "; ".join(parts))
        if merged:
            spellings = ", ".join(f"{p['printed']} {p['targets']}" for p in merged)
            lines.append(f"compared in {self.unit} after converting: {spellings}")
        return "\n".join(lines)

    def as_json(self) -> dict:
        return {
            "concept": self.concept,
            "unit": self.unit,
            "direction": self.direction,
            "sort": self.sort,
            "rows": [dict(zip(self.columns, r, strict=True)) for r in self.rows],
            "excluded": self.excluded,
        }


def compare(
    con: duckdb.DuckDBPyConnection,
    concept: str,
    by: str = "department",
    *,
    year: int | None = None,
    unit: str | None = None,
    region: str | None = None,
    category: str | None = None,
    department: str | None = None,
    sort: str | None = None,
) -> Comparison:
    """One row per group: tables and indicators carrying the concept, how many are quantified,
    how many of those are in the compared unit, and the spread of those targets (min, median,
    max, most common).  The unit is the concept's most common canonical unit unless `unit` is
    given.  `region` matches region, province, city or county; `department` is a substring."""
    if concept not in CONCEPTS:
        raise CompareError(f"unknown concept {concept!r}; known: {', '.join(CONCEPTS)}")
    if by not in GROUPS:
        raise CompareError(f"cannot group by {by!r}; use one of: {', '.join(GROUPS)}")
    way = direction(concept)
    sort = sort or ("strongest" if way else "high")
    if sort not in SORTS:
        raise CompareError(f"cannot sort {sort!r}; use one of: {', '.join(SORTS)}")
    cond, params = _filters(concept, year, region, category, department)
    if unit is not None:
        std = canonical(unit)
        unit = std.unit if std else None
    else:
        top = con.execute(
            f"SELECT unit_std FROM v_indicators WHERE {cond} AND value_num_std IS NOT NULL "
            "AND unit_std IS NOT NULL GROUP BY unit_std ORDER BY count(*) DESC, unit_std LIMIT 1",
            params,
        ).fetchall()
        unit = top[0][0] if top else None
    key = GROUPS[by]
    sql = f"""
        WITH c AS (SELECT *, {key} AS grp FROM v_indicators WHERE {cond}),
        q AS (SELECT * FROM c WHERE value_num_std IS NOT NULL AND unit_std IS NOT DISTINCT FROM ?),
        spread AS (
            SELECT grp, min(value_num_std) AS min, median(value_num_std) AS median,
                   max(value_num_std) AS max, count(*) AS compared
            FROM q GROUP BY grp
        ),
        targets AS (SELECT grp, comparator, value_num_std, count(*) AS n FROM q GROUP BY ALL),
        usual AS (  -- the most common target; on a tie the lower one
            SELECT grp, first(comparator ORDER BY n DESC, value_num_std, comparator) AS comparator,
                   first(value_num_std ORDER BY n DESC, value_num_std, comparator) AS value
            FROM targets GROUP BY grp
        )
        SELECT
            coalesce(c.grp, '(unknown)') AS {by},
            count(DISTINCT c.table_id) AS tables,
            count(*) AS indicators,
            count(c.comparator) AS quantified,
            coalesce(any_value(s.compared), 0) AS compared,
            ? AS unit,
            any_value(s.min) AS min,
            any_value(s.median) AS median,
            any_value(s.max) AS max,
            any_value(u.comparator) AS most_common,
            any_value(u.value) AS most_common_value
        FROM c
        LEFT JOIN spread s ON s.grp IS NOT DISTINCT FROM c.grp
        LEFT JOIN usual u ON u.grp IS NOT DISTINCT FROM c.grp
        GROUP BY c.grp
        ORDER BY median {_order(sort, way)} NULLS LAST, indicators DESC, 1
    """
    cur = con.execute(sql, [*params, unit, unit])
    columns = [d[0] for d in cur.description]
    columns = columns[:-1]
    rows = [tuple(r[:-2]) + (_target(r[-2], r[-1], unit),) for r in cur.fetchall()]
    excluded = _excluded(con, cond, params, unit)
    return Comparison(columns, rows, concept, unit, way, sort, excluded)


def _filters(
    concept: str, year: int | None, region: str | None, category: str | None, department: str | None
) -> tuple[str, list]:
    where, params = ["concept = ?"], [concept]
    if year is not None:
        where.append("year = ?")
        params.append(year)
    if region:
        where.append("? IN (region, province, city, county)")
        params.append(region)
    if category:
        where.append("department_category = ?")
        params.append(category)
    if department:
        where.append("contains(department, ?)")
        params.append(department)
    return " AND ".join(where), params


def _order(sort: str, way: str | None) -> str:
    """SQL order of the medians: strongest first is the highest median for a higher-is-better
    concept and the lowest for a lower-is-better one."""
    if sort in ("high", "low"):
        return "DESC" if sort == "high" else "ASC"
    strongest_high = way != "lower"
    return "DESC" if (sort == "strongest") == strongest_high else "ASC"


def _excluded(con: duckdb.DuckDBPyConnection, cond: str, params: list, unit: str | None) -> dict:
    """Targets of the concept not in the table, by reason; and the printed spellings that were
    converted into the compared unit."""
    other = con.execute(
        f"""SELECT unit_std, count(*) AS n FROM v_indicators
            WHERE {cond} AND value_num IS NOT NULL AND unit_std IS NOT NULL
              AND unit_std IS DISTINCT FROM ?
            GROUP BY unit_std ORDER BY n DESC, unit_std""",
        [*params, unit],
    ).fetchall()
    no_unit, qualitative = con.execute(
        f"""SELECT count(*) FILTER (value_num IS NOT NULL AND unit_std IS NULL),
                   count(*) FILTER (value_num IS NULL)
            FROM v_indicators WHERE {cond}""",
        params,
    ).fetchone()
    if unit is None:  # the table compared numbers with no unit: those are not left out
        no_unit = 0
    spellings = con.execute(
        f"""SELECT unit, count(*) AS n FROM v_indicators
            WHERE {cond} AND value_num IS NOT NULL AND unit_std = ?
            GROUP BY unit ORDER BY n DESC, unit""",
        [*params, unit],
    ).fetchall()
    return {
        "other_units": [{"unit": u, "targets": n} for u, n in other],
        "no_unit": no_unit,
        "qualitative": qualitative,
        "unit_spellings": [{"printed": u, "targets": n} for u, n in spellings],
    }


def _n(count: int) -> str:
    return f"{count} target{'' if count == 1 else 's'}"


def _target(comparator: str | None, value: float | None, unit: str | None) -> str | None:
    """(`>=`, 95.0, `%`) → `>=95%`."""
    if comparator is None or value is None:
        return None
    return f"{comparator}{value:.10g}{unit or ''}"
