"""The one way to open the database: `open_db`.  Whatever goes wrong (no such file, in use by
another process, damaged, disk full, not a targets database) is a `StoreError` whose message is
one line naming the file and the reason."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb

from pipeline.store.columns import CONTRACT, ddl
from pipeline.store.errors import MISSING, NO_SUCH_DATABASE, NOT_TARGETS, StoreError

__all__ = ["CONTRACT", "StoreError", "has_relation", "open_db"]


def open_db(
    path: str | os.PathLike[str],
    *,
    read_only: bool = True,
    create: bool = False,
    require: Iterable[str] = (),
    config: dict[str, Any] | None = None,
) -> duckdb.DuckDBPyConnection:
    """A connection on the database file `path` (use it as a context manager, or close it).

    read_only: DuckDB's read-only mode (others may read at the same time).  Otherwise the schema
        is brought up to date (tables and columns added since the file was written).
    create: make the file (and its folder) when missing; else a missing file is a StoreError.
    require: tables or views that must exist (a targets database), else a StoreError.
    config: DuckDB configuration options (the query sandbox turns external access off).
    """
    if create and read_only:
        raise ValueError("a database is created for writing: create=True needs read_only=False")
    if not create and not Path(path).is_file():
        raise StoreError(path, NO_SUCH_DATABASE, kind=MISSING)
    try:
        if create:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(path), read_only=read_only, config=dict(config or {}))
    except (duckdb.Error, OSError) as e:
        raise StoreError.of(e, path, read_only=read_only) from e
    try:
        if not read_only:
            con.execute(ddl())
        for name in require:
            if not has_relation(con, name):
                raise StoreError(path, f"not a targets database (no table {name})", kind=NOT_TARGETS)
    except StoreError:
        _close(con)
        raise
    except (duckdb.Error, OSError) as e:
        _close(con)
        raise StoreError.of(e, path, read_only=read_only) from e
    return con


def has_relation(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether the database holds a table or view of this name."""
    sql = "SELECT count(*) FROM information_schema.tables WHERE table_name = ?"
    return con.execute(sql, [name]).fetchall()[0][0] > 0


def _close(con: duckdb.DuckDBPyConnection) -> None:
    with contextlib.suppress(duckdb.Error):  # after a fatal error the file is closed already
        con.close()
