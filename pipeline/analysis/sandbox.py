"""`python -m pipeline query`: exactly one read-only statement on a connection that can touch
nothing but its own database file.

The connection is read-only, has external access disabled (no `COPY … TO`, `read_text`,
`read_csv`, `glob`, `ATTACH`, extensions) and its configuration locked (no `SET` to undo that);
the statement must be a single SELECT / WITH / VALUES / FROM / DESCRIBE / SHOW / SUMMARIZE
or an EXPLAIN of one.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from pipeline.errors import one_line
from pipeline.store.db import open_db

_EXPLAIN = re.compile(r"^\s*EXPLAIN\s+(ANALY[SZ]E\s+)?", re.IGNORECASE)
_CONFIG = {"enable_external_access": False, "autoload_known_extensions": False}


class QueryRefused(Exception):
    """The SQL is not one read-only statement; the message is the one-line reason."""


def check(sql: str) -> None:
    """Accept exactly one read-only statement, else raise QueryRefused."""
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as e:
        raise QueryRefused(one_line(e)) from None
    if not statements:
        raise QueryRefused("no SQL statement given")
    if len(statements) > 1:
        raise QueryRefused(f"one statement at a time ({len(statements)} given, separated by ';')")
    st = statements[0]
    if st.type == duckdb.StatementType.EXPLAIN:
        inner = _EXPLAIN.sub("", st.query, count=1)
        if inner == st.query:
            raise QueryRefused("cannot read this EXPLAIN statement")
        check(inner)
        return
    if st.type != duckdb.StatementType.SELECT:
        raise QueryRefused(
            f"only read-only queries are run (SELECT, WITH, DESCRIBE, SHOW, EXPLAIN), not {st.type.name}"
        )


def open_sandboxed(db: str | Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection on `db` with external access off and the configuration locked
    (a StoreError when it cannot be opened)."""
    con = open_db(db, read_only=True, config=_CONFIG)
    con.execute("SET lock_configuration = true")
    return con


def run(db: str | Path, sql: str) -> tuple[list[str], list[tuple]]:
    """Column names and rows of one read-only statement on `db`."""
    check(sql)
    con = open_sandboxed(db)
    try:
        cur = con.execute(sql)
        columns = [d[0] for d in cur.description] if cur.description else []
        return columns, cur.fetchall() if columns else []
    finally:
        con.close()
