"""Targets for one concept side by side, by department, region or year."""

from __future__ import annotations

import duckdb

from pipeline.analysis.concepts import CONCEPTS

GROUPS = {
    "department": "department",
    "region": "region",
    "year": "CAST(year AS VARCHAR)",
    "category": "department_category",
}


class CompareError(Exception):
    """Bad arguments: an unknown concept or grouping."""


def compare(
    con: duckdb.DuckDBPyConnection, concept: str, by: str, year: int | None = None, unit: str | None = None
) -> tuple[list[str], list[tuple]]:
    """One row per group: how many tables and indicators carry the concept, how many are
    quantified, and the spread of the targets in one unit (the concept's most common unit unless
    `unit` is given) — values in different units are never mixed."""
    if concept not in CONCEPTS:
        raise CompareError(f"unknown concept {concept!r}; known: {', '.join(CONCEPTS)}")
    if by not in GROUPS:
        raise CompareError(f"cannot group by {by!r}; use one of: {', '.join(GROUPS)}")
    where, params = ["concept = ?"], [concept]
    if year is not None:
        where.append("year = ?")
        params.append(year)
    cond = " AND ".join(where)
    if unit is None:
        top = con.execute(
            f"SELECT unit FROM v_indicators WHERE {cond} AND value_num IS NOT NULL AND unit IS NOT NULL "
            "GROUP BY unit ORDER BY count(*) DESC, unit LIMIT 1",
            params,
        ).fetchall()
        unit = top[0][0] if top else None
    key = GROUPS[by]
    sql = f"""
        WITH c AS (SELECT *, {key} AS grp FROM v_indicators WHERE {cond}),
        q AS (SELECT * FROM c WHERE value_num IS NOT NULL AND unit IS NOT DISTINCT FROM ?),
        spread AS (
            SELECT grp, min(value_num) AS min, median(value_num) AS median, max(value_num) AS max
            FROM q GROUP BY grp
        ),
        targets AS (SELECT grp, comparator, value_num, count(*) AS n FROM q GROUP BY ALL),
        usual AS (  -- the most common target; on a tie the lower one
            SELECT grp, first(comparator || CAST(value_num AS VARCHAR) ORDER BY n DESC, value_num, comparator)
                AS most_common
            FROM targets GROUP BY grp
        )
        SELECT
            coalesce(c.grp, '(unknown)') AS {by},
            count(DISTINCT c.table_id) AS tables,
            count(*) AS indicators,
            count(c.comparator) AS quantified,
            ? AS unit,
            any_value(s.min) AS min,
            any_value(s.median) AS median,
            any_value(s.max) AS max,
            any_value(u.most_common) AS most_common
        FROM c
        LEFT JOIN spread s ON s.grp IS NOT DISTINCT FROM c.grp
        LEFT JOIN usual u ON u.grp IS NOT DISTINCT FROM c.grp
        GROUP BY c.grp
        ORDER BY median DESC NULLS LAST, indicators DESC, 1
    """
    cur = con.execute(sql, [*params, unit, unit])
    columns = [d[0] for d in cur.description]
    rows = [tuple(r[:-1]) + (_target(r[-1], unit),) for r in cur.fetchall()]
    return columns, rows


def _target(text: str | None, unit: str | None) -> str | None:
    """`>=95.0` → `>=95%`."""
    if not text:
        return None
    head = text.rstrip("0123456789.")
    num = float(text[len(head) :])
    return f"{head}{num:g}{unit or ''}"
