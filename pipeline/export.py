"""Export the database: Parquet partitioned by year, CSV, or one Excel workbook.

Parquet layout (hive partitioning, read by DuckDB, Spark, pyarrow, polars …):

    OUT/documents.parquet                         one row per input file
    OUT/target_tables/year=2020/data_0.parquet   tables of that budget year
    OUT/indicators/year=2020/data_0.parquet      rows of those tables, with their year
    OUT/budget_lines/…, OUT/checks/…             same
    OUT/table_context/…, OUT/indicator_concepts/… region, category and concept of each table /
                                                  indicator (join on table_id, seq)
    (a NULL year is the partition year=__HIVE_DEFAULT_PARTITION__, as Spark writes it)
"""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from pipeline.load import has_relation

# table → ORDER BY that makes exports reproducible
TABLES = {
    "documents": "source_path, doc_id",
    "target_tables": "table_id",
    "budget_lines": "table_id, line_no",
    "indicators": "table_id, seq",
    "checks": 'table_id, "check", detail',
    # derived by pipeline/analysis: region, department category, indicator concepts
    "table_context": "table_id",
    "indicator_concepts": "table_id, seq",
}
CONTRACT = ("documents", "target_tables", "budget_lines", "indicators", "checks")
FORMATS = ("parquet", "csv", "xlsx")
_NULL_PARTITION = "year=__HIVE_DEFAULT_PARTITION__"  # how DuckDB and Spark name a NULL year
_EXCEL_MAX_ROWS = 1_048_576
_EXCEL_MAX_CELL = 32_767


class ExportError(Exception):
    """An export that cannot be done; the message is the one-line reason."""


def export(db: str | Path, out: str | Path, fmt: str) -> list[tuple[str, int]]:
    """Write every contract table of `db` into folder `out`; returns (path written, rows)."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    if not Path(db).is_file():
        raise ExportError(f"no database at {db}")
    out = Path(out)
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error as e:
        msg = str(e).splitlines()[0]
        if "lock" in msg.lower():
            msg = "it is being written by another process (wait for the extraction to finish)"
        raise ExportError(f"cannot open {db}: {msg}") from None
    try:
        missing = [t for t in CONTRACT if not has_relation(con, t)]
        if missing:
            raise ExportError(f"{db} is not an extraction database (no table {missing[0]})")
        out.mkdir(parents=True, exist_ok=True)
        tables = [t for t in TABLES if t in CONTRACT or has_relation(con, t)]
        writer = {"parquet": _parquet, "csv": _csv, "xlsx": _xlsx}[fmt]
        return writer(con, out, tables)
    except OSError as e:
        raise ExportError(f"cannot write in {out}: {e.strerror or e}") from None
    finally:
        con.close()


def _query(table: str, with_year: bool = False) -> str:
    """All rows of a table in a stable order; child tables get their table's year."""
    order = TABLES[table]
    if not with_year or table in ("documents", "target_tables"):
        return f"SELECT * FROM {table} ORDER BY {order}"
    order = ", ".join(f"c.{col.strip()}" for col in order.split(","))
    return (
        f"SELECT c.*, t.year FROM {table} c LEFT JOIN target_tables t ON c.table_id = t.table_id "
        f"ORDER BY {order}"
    )


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]


def _parquet(con: duckdb.DuckDBPyConnection, out: Path, tables: list[str]) -> list[tuple[str, int]]:
    written = []
    for table in tables:
        if table == "documents":
            target = out / "documents.parquet"
            options = "FORMAT parquet, COMPRESSION zstd"
        else:
            target = out / table
            if target.exists():
                shutil.rmtree(target)  # a partition of an earlier export must not linger
            options = "FORMAT parquet, COMPRESSION zstd, PARTITION_BY (year)"
        query, n = _query(table, with_year=True), _count(con, table)
        if n == 0 and table != "documents":
            # no rows, no partitions: one empty file keeps the schema readable (year=NULL partition)
            target.joinpath(_NULL_PARTITION).mkdir(parents=True)
            target = target / _NULL_PARTITION / "data_0.parquet"
            query, options = f"SELECT * EXCLUDE (year) FROM ({query})", "FORMAT parquet"
        con.execute(f"COPY ({query}) TO {_literal(target)} ({options})")
        written.append((str(target), n))
    return written


def _csv(con: duckdb.DuckDBPyConnection, out: Path, tables: list[str]) -> list[tuple[str, int]]:
    written = []
    for table in tables:
        target = out / f"{table}.csv"
        con.execute(f"COPY ({_query(table)}) TO {_literal(target)} (FORMAT csv, HEADER)")
        written.append((str(target), _count(con, table)))
    return written


def _xlsx(con: duckdb.DuckDBPyConnection, out: Path, tables: list[str]) -> list[tuple[str, int]]:
    """One workbook, a sheet per table (continued on `name (2)` past Excel's row limit)."""
    from openpyxl import Workbook

    target = out / "targets.xlsx"
    wb = Workbook(write_only=True)
    total = 0
    for table in tables:
        cur = con.execute(_query(table))
        header = [d[0] for d in cur.description]
        part, rows_in_sheet, ws = 1, 0, None
        while batch := cur.fetchmany(10_000):
            for row in batch:
                if ws is None or rows_in_sheet >= _EXCEL_MAX_ROWS - 1:
                    ws = _sheet(wb, table if part == 1 else f"{table} ({part})", header)
                    part, rows_in_sheet = part + 1, 0
                ws.append([_cell(v) for v in row])
                rows_in_sheet += 1
                total += 1
        if ws is None:
            _sheet(wb, table, header)
    wb.save(target)
    return [(str(target), total)]


def _sheet(wb: Any, title: str, header: list[str]) -> Any:
    ws = wb.create_sheet(title)
    ws.freeze_panes = "A2"
    ws.append(header)
    return ws


def _cell(v: Any) -> Any:
    """A value Excel accepts: text without control characters and within the cell limit."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(v, str):
        return ILLEGAL_CHARACTERS_RE.sub("", v)[:_EXCEL_MAX_CELL]
    if isinstance(v, list | tuple | dict):
        return str(v)
    if isinstance(v, bool | int | float | Decimal | dt.datetime | dt.date) or v is None:
        return v
    return str(v)
