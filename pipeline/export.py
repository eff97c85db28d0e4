"""Export the database: Parquet partitioned by year, CSV, or one Excel workbook.

Parquet layout (hive partitioning, read by DuckDB, Spark, pyarrow, polars …):

    OUT/documents.parquet                         one row per input file
    OUT/target_tables/year=2020/data_0.parquet   tables of that budget year
    OUT/indicators/year=2020/data_0.parquet      rows of those tables, with their year
    OUT/budget_lines/…, OUT/checks/…             same
    OUT/table_context/…, OUT/indicator_concepts/… region, category and concept of each table /
                                                  indicator (join on table_id, seq)
    (a NULL year is the partition year=__HIVE_DEFAULT_PARTITION__, as Spark writes it)

Outputs are written aside and swapped in (`pipeline/outdir.py`): a failed export leaves the
previous one whole, and nothing in OUT that an export did not write is deleted.  Text that a
spreadsheet would run as a formula stays text: a string cell in xlsx, a leading `'` in CSV.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from pipeline.dberrors import open_error
from pipeline.load import has_relation
from pipeline.outdir import NotOurs, check_replaceable, staging, swap_in
from pipeline.paths import display
from pipeline.storage import is_storage_failure, reason

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
# CSV text that a spreadsheet would evaluate: =…, @…, a tab or CR first, +…/-… unless a number
_FORMULA_SQL = (
    r"CASE WHEN regexp_matches({c}, '^[=@\t\r]') OR (regexp_matches({c}, '^[+-].') "
    r"AND NOT regexp_matches({c}, '^[+-]?[0-9]+([.][0-9]+)?%?$')) THEN chr(39) || {c} ELSE {c} END"
)


# tables whose rows carry a page → that column; the link is built as the views' page_link macro
_PAGE_COLUMN = {"target_tables": "page_first", "indicators": "page"}
_LINK_SQL = (
    "CASE WHEN d.source_path LIKE '/%' THEN 'file://' || replace(url_encode(d.source_path), '%2F', '/') "
    "|| coalesce('#page=' || {page}, '') END"
)


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
        msg = open_error(e)
        if "in use" in msg:
            msg = "it is being written by another process (wait for the extraction to finish)"
        raise ExportError(f"cannot open {db}: {msg}") from None
    try:
        missing = [t for t in CONTRACT if not has_relation(con, t)]
        if missing:
            raise ExportError(f"{db} is not an extraction database (no table {missing[0]})")
        tables = [t for t in TABLES if t in CONTRACT or has_relation(con, t)]
        names = _names(fmt, tables)
        out.mkdir(parents=True, exist_ok=True)
        check_replaceable(out, names)
        writer = {"parquet": _parquet, "csv": _csv, "xlsx": _xlsx}[fmt]
        with staging(out) as stage:
            written = writer(con, stage, tables)
            swap_in(stage, out, names)
        return [(str(out / rel), n) for rel, n in written]
    except NotOurs as e:
        raise ExportError(str(e)) from None
    except OSError as e:
        raise ExportError(f"cannot write in {display(out)}: {reason(e)}") from None
    except duckdb.Error as e:
        if is_storage_failure(e) and "Could not read" not in str(e):
            raise ExportError(f"cannot write in {display(out)}: {reason(e)}") from None
        raise ExportError(f"cannot read {db}: {open_error(e)}") from None
    finally:
        con.close()


def _names(fmt: str, tables: list[str]) -> list[str]:
    """What an export puts in OUT: a file per table, a folder per partitioned table, or one workbook."""
    if fmt == "xlsx":
        return ["targets.xlsx"]
    if fmt == "csv":
        return [f"{t}.csv" for t in tables]
    return ["documents.parquet" if t == "documents" else t for t in tables]


def _query(table: str, with_year: bool = False) -> str:
    """All rows of a table in a stable order; child tables get their table's year; rows with a
    page get `source_link` (`file:///…#page=N`, see pipeline/analysis/links.py)."""
    order = TABLES[table]
    if table in _PAGE_COLUMN:
        link = _LINK_SQL.format(page=f"c.{_PAGE_COLUMN[table]}")
        year = ", t.year" if with_year and table != "target_tables" else ""
        join = " LEFT JOIN target_tables t ON c.table_id = t.table_id" if year else ""
        order = ", ".join(f"c.{col.strip()}" for col in order.split(","))
        return (
            f"SELECT c.*{year}, {link} AS source_link FROM {table} c{join} "
            f"LEFT JOIN documents d ON d.doc_id = split_part(c.table_id, '#', 1) ORDER BY {order}"
        )
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
    """Into the empty folder `out`; returns (path relative to it, rows) per table."""
    written = []
    for table in tables:
        if table == "documents":
            rel = "documents.parquet"
            options = "FORMAT parquet, COMPRESSION zstd"
        else:
            rel = table
            options = "FORMAT parquet, COMPRESSION zstd, PARTITION_BY (year)"
        query, n = _query(table, with_year=True), _count(con, table)
        if n == 0 and table != "documents":
            # no rows, no partitions: one empty file keeps the schema readable (year=NULL partition)
            out.joinpath(rel, _NULL_PARTITION).mkdir(parents=True)
            rel = f"{table}/{_NULL_PARTITION}/data_0.parquet"
            query, options = f"SELECT * EXCLUDE (year) FROM ({query})", "FORMAT parquet"
        con.execute(f"COPY ({query}) TO {_literal(out / rel)} ({options})")
        written.append((rel, n))
    return written


def _csv(con: duckdb.DuckDBPyConnection, out: Path, tables: list[str]) -> list[tuple[str, int]]:
    written = []
    for table in tables:
        rel = f"{table}.csv"
        query = _formulas_as_text(con, _query(table))
        con.execute(f"COPY ({query}) TO {_literal(out / rel)} (FORMAT csv, HEADER)")
        written.append((rel, _count(con, table)))
    return written


def _formulas_as_text(con: duckdb.DuckDBPyConnection, query: str) -> str:
    """`query` with `'` before each text value that a spreadsheet would run as a formula."""
    select = []
    for name, typ, *_ in con.execute(f"DESCRIBE {query}").fetchall():
        c = '"' + name.replace('"', '""') + '"'
        select.append(f"{_FORMULA_SQL.format(c=c)} AS {c}" if typ == "VARCHAR" else c)
    return f"SELECT {', '.join(select)} FROM ({query})"


def _xlsx(con: duckdb.DuckDBPyConnection, out: Path, tables: list[str]) -> list[tuple[str, int]]:
    """One workbook, a sheet per table (continued on `name (2)` past Excel's row limit)."""
    from openpyxl import Workbook

    rel = "targets.xlsx"
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
                ws.append([_cell(ws, v) for v in row])
                rows_in_sheet += 1
                total += 1
        if ws is None:
            _sheet(wb, table, header)
    buffer = io.BytesIO()  # zipped in memory: openpyxl cleans up after a failed write noisily
    wb.save(buffer)
    (out / rel).write_bytes(buffer.getbuffer())
    return [(rel, total)]


def _sheet(wb: Any, title: str, header: list[str]) -> Any:
    ws = wb.create_sheet(title)
    ws.freeze_panes = "A2"
    ws.append(header)
    return ws


def _cell(ws: Any, v: Any) -> Any:
    """A value Excel accepts: text without control characters and within the cell limit; text
    starting with `=` as a text cell (openpyxl would write a live formula)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(v, bytes):
        v = display(v)  # source_file: the path's bytes
    if isinstance(v, str):
        v = ILLEGAL_CHARACTERS_RE.sub("", v)[:_EXCEL_MAX_CELL]
        if v.startswith("="):
            cell = WriteOnlyCell(ws, value=v)
            cell.data_type = "s"
            return cell
        return v
    if isinstance(v, list | tuple | dict):
        return str(v)
    if isinstance(v, bool | int | float | Decimal | dt.datetime | dt.date) or v is None:
        return v
    return str(v)
