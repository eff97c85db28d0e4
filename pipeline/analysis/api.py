"""Python API for notebooks: `pipeline.connect(db)` and `pipeline.indicators(db, **filters)`."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from pipeline.analysis.annotate import VIEWS, is_current, refresh
from pipeline.store.db import has_relation, open_db
from pipeline.store.errors import StoreError, classify

log = logging.getLogger(__name__)


def connect(db: str | Path, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection on which v_indicators, v_budget and v_tables exist; a StoreError (one
    line naming the file and the reason) when the database cannot be opened or is not one.

    A database written by an older version lacks the views (or has older ones) or the annotation
    tables: they are added (which needs one write) before the connection is handed out."""
    path = Path(db)
    con = open_db(path, read_only=read_only, require=("target_tables",))
    try:
        needs_views = not all(has_relation(con, v) for v in VIEWS)
        stale = not needs_views and not is_current(con)
    except duckdb.Error as e:
        con.close()
        raise StoreError.of(e, path, "read", read_only=read_only) from e
    if stale:  # views of an earlier version: brought up to date if the file can be written
        con.close()
        con = _refreshed(path, read_only)
    if needs_views:
        con.close()
        try:
            with open_db(path, read_only=False) as w:
                refresh(w)
        except duckdb.Error as e:
            raise StoreError.of(e, path, "add the analysis views to") from e
        con = open_db(path, read_only=read_only, require=("v_indicators",))
    return con


def _refreshed(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    """The database after a refresh of its views and derived tables; as it was when it cannot be
    written (a read-only file, another writer), which still answers queries on the older views."""
    try:
        with open_db(path, read_only=False) as w:
            refresh(w)
    except (StoreError, duckdb.Error, OSError) as e:
        log.warning("%s: views of an earlier version kept (cannot update them: %s)", path, classify(e)[1])
    return open_db(path, read_only=read_only)


# filter keyword → column of v_indicators; a list value means "any of"
FILTERS = (
    "year", "region", "province", "city", "county", "department", "department_category",
    "kind", "project", "project_code", "level1", "level2", "dimension", "concept", "comparator",
    "unit", "direction", "unit_std",
)  # fmt: skip


def indicators(db: str | Path, **filters: Any) -> pd.DataFrame:
    """v_indicators as a DataFrame, filtered by column values, e.g.
    `indicators(db, concept="satisfaction", year=2026, department_category=["司法", "公安"])`.
    `name_like="%满意%"` filters names with SQL LIKE."""
    where, params = [], []
    for key, value in filters.items():
        if key == "name_like":
            where.append("name LIKE ?")
            params.append(value)
            continue
        if key not in FILTERS:
            raise TypeError(f"unknown filter {key!r}; use one of: {', '.join(FILTERS)}, name_like")
        if isinstance(value, list | tuple | set):
            values = list(value)
            where.append(f"{key} IN ({', '.join('?' * len(values))})")
            params.extend(values)
        elif value is None:
            where.append(f"{key} IS NULL")
        else:
            where.append(f"{key} = ?")
            params.append(value)
    sql = "SELECT * FROM v_indicators"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY table_id, seq"
    with connect(db) as con:
        return con.execute(sql, params).df()
