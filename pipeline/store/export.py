"""Export the database: Parquet partitioned by year, CSV, or one Excel workbook.

Parquet layout (hive partitioning, read by DuckDB, Spark, pyarrow, polars …):

    OUT/documents.parquet                         one row per input file
    OUT/target_tables/year=2020/data_0.parquet   tables of that budget year
    OUT/indicators/year=2020/data_0.parquet      rows of those tables, with their year
    OUT/budget_lines/…, OUT/checks/…             same
    OUT/table_context/…, OUT/indicator_concepts/… region, category and concept of each table /
                                                  indicator (join on table_id, seq)
    (a NULL year is the partition year=__HIVE_DEFAULT_PARTITION__, as Spark writes it)

CSV and xlsx are for spreadsheets: they start with the analyst's joined tables of
`pipeline/store/sheets.py` (指标, 项目与预算, 预算明细, 检查: Chinese headers, file name, page link),
then hold every raw table.  CSV files carry a UTF-8 byte-order mark, so that Excel reads them
as UTF-8; xlsx sheets are formatted by `pipeline/store/xlsxwrite.py`.

Outputs are written aside and swapped in (`pipeline/store/outdir.py`): a failed export leaves the
previous one whole, and nothing in OUT that an export did not write is deleted.  Text that a
spreadsheet would run as a formula stays text: a string cell in xlsx, a leading `'` in CSV.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb

from pipeline.paths import display
from pipeline.store.db import CONTRACT, has_relation, open_db
from pipeline.store.errors import StoreError, is_storage_failure, reason
from pipeline.store.outdir import NotOurs, check_replaceable, staging, swap_in
from pipeline.store.sheets import SHEETS
from pipeline.store.sheets import rows as sheet_rows
from pipeline.store.xlsxwrite import SAMPLE_ROWS, Link, widths, write_sheet

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
FORMATS = ("parquet", "csv", "xlsx")
_NULL_PARTITION = "year=__HIVE_DEFAULT_PARTITION__"  # how DuckDB and Spark name a NULL year
# CSV text that a spreadsheet would evaluate: =…, @…, a tab or CR first, +…/-… unless a number
_FORMULA_SQL = (
    r"CASE WHEN regexp_matches({c}, '^[=@\t\r]') OR (regexp_matches({c}, '^[+-].') "
    r"AND NOT regexp_matches({c}, '^[+-]?[0-9]+([.][0-9]+)?%?$')) THEN chr(39) || {c} ELSE {c} END"
)

_FORMULA_START = re.compile(r"^[=@\t\r]")
_SIGNED = re.compile(r"^[+-].")
_SIGNED_NUMBER = re.compile(r"^[+-]?[0-9]+([.][0-9]+)?%?$")
BOM = "\ufeff".encode()
JOINED_CSV = tuple(f"{sheet.name}.csv" for sheet in SHEETS)


# tables whose rows carry a page → that column; the link is built as the views' page_link macro
_PAGE_COLUMN = {"target_tables": "page_first", "indicators": "page"}
_LINK_SQL = (
    "CASE WHEN d.source_path LIKE '/%' THEN 'file://' || replace(url_encode(d.source_path), '%2F', '/') "
    "|| coalesce('#page=' || {page}, '') END"
)


class ExportError(Exception):
    """An export that cannot be written (the output folder, the format); the message is the
    one-line reason.  A database that cannot be read is a StoreError."""


def export(db: str | Path, out: str | Path, fmt: str) -> list[tuple[str, int]]:
    """Write every contract table of `db` into folder `out`; returns (path written, rows).
    Raises StoreError when the database cannot be read, ExportError when `out` cannot be written."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    out = Path(out)
    con = open_db(db, read_only=True, require=CONTRACT)
    try:
        if fmt != "parquet" and not has_relation(con, "v_indicators"):
            con.close()  # a database of an older version: the joined sheets read the views
            from pipeline.analysis.api import connect

            con = connect(db)
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
        raise StoreError.of(e, db, "read", read_only=True) from None
    finally:
        con.close()


def _names(fmt: str, tables: list[str]) -> list[str]:
    """What an export puts in OUT: a file per table, a folder per partitioned table, or one workbook."""
    if fmt == "xlsx":
        return ["targets.xlsx"]
    if fmt == "csv":
        return [*JOINED_CSV, *(f"{t}.csv" for t in tables)]
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
    """The joined tables (指标.csv, …) and a file per raw table, each UTF-8 with a byte-order
    mark: Excel (a Chinese Windows one too) then reads it as UTF-8."""
    written = []
    for sheet in SHEETS:
        rel = f"{sheet.name}.csv"
        cols, body = sheet_rows(con, sheet)
        with open(out / rel, "w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow([c.header for c in cols])
            n = 0
            for row in body:
                w.writerow([_csv_value(v) for v in row])
                n += 1
        written.append((rel, n))
    for table in tables:
        rel = f"{table}.csv"
        query = _formulas_as_text(con, _query(table))
        raw = out / f".{rel}.raw"
        con.execute(f"COPY ({query}) TO {_literal(raw)} (FORMAT csv, HEADER)")
        with open(raw, "rb") as src, open(out / rel, "wb") as dst:
            dst.write(BOM)
            shutil.copyfileobj(src, dst, 1 << 20)
        raw.unlink()
        written.append((rel, _count(con, table)))
    return written


def write_csv(path: str | Path, header: list[str], rows: list) -> None:
    """A result as a CSV file for Excel: UTF-8 with a BOM, formulas as text."""
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows([_csv_value(v) for v in r] for r in rows)


def _csv_value(v: Any) -> Any:
    """A joined-table value for CSV: a link as its address, formulas as text (as `_FORMULA_SQL`)."""
    if isinstance(v, Link):
        v = v.target
    if isinstance(v, bytes):
        v = display(v)
    if isinstance(v, str) and (_FORMULA_START.match(v) or (_SIGNED.match(v) and not _SIGNED_NUMBER.match(v))):
        return "'" + v
    return v


def _formulas_as_text(con: duckdb.DuckDBPyConnection, query: str) -> str:
    """`query` with `'` before each text value that a spreadsheet would run as a formula."""
    select = []
    for name, typ, *_ in con.execute(f"DESCRIBE {query}").fetchall():
        c = '"' + name.replace('"', '""') + '"'
        select.append(f"{_FORMULA_SQL.format(c=c)} AS {c}" if typ == "VARCHAR" else c)
    return f"SELECT {', '.join(select)} FROM ({query})"


def _xlsx(con: duckdb.DuckDBPyConnection, out: Path, tables: list[str]) -> list[tuple[str, int]]:
    """One workbook: the analyst's joined sheets (指标, …) first, then a sheet per raw table
    (continued on `name (2)` past Excel's row limit), each formatted by `xlsxwrite`."""
    from openpyxl import Workbook

    rel = "targets.xlsx"
    wb = Workbook(write_only=True)
    total = 0
    for sheet in SHEETS:
        cols, body = sheet_rows(con, sheet)
        total += _write(wb, sheet.name, [c.header for c in cols], body, [c.width for c in cols],
                        [c.number_format for c in cols], sheet.frozen_cols)  # fmt: skip
    for table in tables:
        cur = con.execute(_query(table))
        header = [d[0] for d in cur.description]
        total += _write(wb, table, header, _fetch(cur), [], [], 0)
    buffer = io.BytesIO()  # zipped in memory: openpyxl cleans up after a failed write noisily
    wb.save(buffer)
    (out / rel).write_bytes(buffer.getbuffer())
    return [(rel, total)]


def _write(
    wb: Any,
    title: str,
    header: list[str],
    body: Iterator[Any],
    caps: list[float],
    formats: list[str | None],
    frozen_cols: int,
) -> int:
    """One formatted sheet, its widths measured on its first rows."""
    sample = list(itertools.islice(body, SAMPLE_ROWS))
    return write_sheet(
        wb,
        title,
        header,
        itertools.chain(sample, body),
        col_widths=widths(header, sample, caps),
        number_formats=formats,
        frozen_cols=frozen_cols,
    )


def _fetch(cur: duckdb.DuckDBPyConnection) -> Iterator[tuple]:
    while batch := cur.fetchmany(10_000):
        yield from batch
