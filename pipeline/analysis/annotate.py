"""Fill the derived tables (table_context, indicator_concepts) and create the analysts' views.

Run by the batch runner after each extraction run, and by `connect()` when it finds a database
without them.  Only rows that are new, or whose rules changed (a new version), are computed, so
a rerun over a large database costs little.  Everything happens in one transaction.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from importlib import resources

import duckdb
import pyarrow as pa

from pipeline.analysis.concepts import CONCEPTS_VERSION, classify, direction
from pipeline.analysis.departments import categorize
from pipeline.analysis.places import locate
from pipeline.normalize.canonical_units import UNITS_VERSION, canonical

log = logging.getLogger(__name__)

# Bump when places.py or departments.py change what they return.
CONTEXT_VERSION = "3"

VIEWS = ("v_tables", "v_indicators", "v_budget", "v_checks")


# indicator_concepts holds concepts and canonical units: either's rules changing redoes it
_INDICATOR_VERSION = f"{CONCEPTS_VERSION}+units{UNITS_VERSION}"


def _views_sql() -> str:
    return resources.files("pipeline.analysis").joinpath("views.sql").read_text(encoding="utf-8")


def fingerprint() -> str:
    """What the analysis layer of this version looks like: the views and the rules' versions.
    A database whose stored fingerprint differs is refreshed when it is opened (`api.connect`)."""
    text = "\n".join((_views_sql(), CONTEXT_VERSION, _INDICATOR_VERSION))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def is_current(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the views and derived tables were made by this version: the fingerprint stored by
    the last refresh, and on v_indicators itself (a view replaced since, by hand or by an older
    version, lacks it)."""
    try:  # fetchall: a result left half-read would block the connection's next relation (con.sql)
        rows = con.execute("SELECT fingerprint FROM analysis_state").fetchall()
        views = con.execute(
            "SELECT comment FROM duckdb_views() WHERE NOT internal AND view_name = 'v_indicators'"
        ).fetchall()
    except duckdb.CatalogException:
        return False
    return bool(rows) and rows[0][0] == fingerprint() and bool(views) and views[0][0] == rows[0][0]


def refresh(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """Annotate what is not annotated yet and (re)create the views.  Returns (tables, indicators)
    annotated by this call."""
    con.execute("BEGIN TRANSACTION")
    try:
        n_tables = _refresh_context(con)
        n_indicators = _refresh_concepts(con)
        con.execute(_views_sql())
        con.execute("CREATE OR REPLACE TABLE analysis_state AS SELECT ? AS fingerprint", [fingerprint()])
        con.execute(f"COMMENT ON VIEW v_indicators IS '{fingerprint()}'")
        con.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(duckdb.Error):  # a fatal error (full disk) has ended it already
            con.execute("ROLLBACK")
        raise
    if n_tables or n_indicators:
        log.info("annotated %d tables and %d indicators", n_tables, n_indicators)
    return n_tables, n_indicators


def _drop_stale(con: duckdb.DuckDBPyConnection, table: str, version: str) -> None:
    """Rows made by other rules are made again.  (Rows of a replaced document go with it: the
    loader deletes them in the document's transaction.)"""
    con.execute(f"DELETE FROM {table} WHERE version IS DISTINCT FROM ?", [version])


def _refresh_context(con: duckdb.DuckDBPyConnection) -> int:
    _drop_stale(con, "table_context", CONTEXT_VERSION)
    todo = con.execute(
        """SELECT t.table_id, t.department, t.title, d.source_path, d.heading
           FROM target_tables t JOIN documents d USING (doc_id)
           ANTI JOIN table_context c ON c.table_id = t.table_id"""
    ).fetchall()
    rows = []
    for table_id, department, title, path, heading in todo:
        r = locate(department, title, path, heading)
        category, category_rule = categorize(department)
        rows.append(
            {
                "table_id": table_id,
                "region": r.region,
                "region_level": r.level,
                "province": r.province,
                "city": r.city,
                "county": r.county,
                "region_rule": r.rule,
                "department_category": category,
                "category_rule": category_rule,
                "version": CONTEXT_VERSION,
            }
        )
    _insert(con, "table_context", rows)
    return len(rows)


def _refresh_concepts(con: duckdb.DuckDBPyConnection) -> int:
    _drop_stale(con, "indicator_concepts", _INDICATOR_VERSION)
    todo = con.execute(
        """SELECT i.table_id, i.seq, i.name, i.dimension, i.unit, i.comparator
           FROM indicators i ANTI JOIN indicator_concepts k ON k.table_id = i.table_id AND k.seq = i.seq"""
    ).fetchall()
    rows = []
    for table_id, seq, name, dimension, unit, comparator in todo:
        concept, rule = classify(name, dimension, unit, comparator)
        std = canonical(unit)
        rows.append(
            {
                "table_id": table_id,
                "seq": seq,
                "concept": concept,
                "concept_rule": rule,
                "unit_std": std.unit if std else None,
                "unit_factor": std.factor if std else None,
                "direction": direction(concept),
                "version": _INDICATOR_VERSION,
            }
        )
    _insert(con, "indicator_concepts", rows)
    return len(rows)


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> None:
    if not rows:
        return
    batch = pa.Table.from_pylist(rows)
    con.register("_annotate_batch", batch)
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _annotate_batch")
    finally:
        con.unregister("_annotate_batch")
