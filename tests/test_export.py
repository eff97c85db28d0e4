"""`python -m pipeline export`: Parquet partitioned by year, CSV, Excel — each read back."""

from __future__ import annotations

import csv
import subprocess
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow.dataset as ds
import pytest
from openpyxl import load_workbook

from tests.conftest import run_cli
from tests.test_batch import extract, make_corpus

TABLES = [
    "documents", "target_tables", "budget_lines", "indicators", "checks", "table_context", "indicator_concepts",
]  # fmt: skip


def export(*args: object) -> subprocess.CompletedProcess:
    return run_cli("export", *args)


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    """A database of 2020 and 2021 tables, and a failed document (no tables)."""
    tmp = tmp_path_factory.mktemp("export")
    folder = tmp / "in"
    for p in make_corpus(folder, 3) + make_corpus(folder, 2, start=3):
        if p.name >= "dept_0003":
            p.write_text(p.read_text(encoding="utf-8").replace("(2020 年)", "(2021 年)"), encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    path = tmp / "t.duckdb"
    proc = extract(folder, "--db", path, "--jobs", "2", "-q")
    assert proc.returncode == 0, proc.stderr
    return path


def rows(db: Path, table: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
    finally:
        con.close()


def test_parquet_is_partitioned_by_year_and_reads_back_row_for_row(db, tmp_path):
    out = tmp_path / "parquet"
    proc = export("--format", "parquet", "--out", out, "--db", db)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (out / "indicators").iterdir()) == ["year=2020", "year=2021"]
    assert (out / "documents.parquet").is_file()
    con = duckdb.connect()
    years = dict(
        con.execute(
            "SELECT table_id, year FROM read_parquet(?)", [str(out / "target_tables/*/*.parquet")]
        ).fetchall()
    )
    assert sorted(years.values()) == [2020, 2020, 2020, 2021, 2021]
    for table in TABLES:
        if table == "documents":
            sql = "SELECT * FROM read_parquet(?) ORDER BY ALL"
            got = con.execute(sql, [str(out / "documents.parquet")]).fetchall()
        else:
            cols = ", ".join(
                f'"{c[0]}"'
                for c in duckdb.connect(str(db), read_only=True).execute(f"DESCRIBE {table}").fetchall()
            )
            sql = f"SELECT {cols} FROM read_parquet(?, hive_partitioning = true) ORDER BY ALL"
            got = con.execute(sql, [str(out / table / "*" / "*.parquet")]).fetchall()
        assert got == rows(db, table), table
        assert got or table == "checks", f"{table} exported nothing"
    # child rows carry their table's year; any Arrow reader sees the partitions
    ind = ds.dataset(out / "indicators", format="parquet", partitioning="hive").to_table()
    assert ind.num_rows == len(rows(db, "indicators"))
    assert all(
        years[t] == y for t, y in zip(ind["table_id"].to_pylist(), ind["year"].to_pylist(), strict=True)
    )
    # exporting again replaces, not appends
    assert export("--format", "parquet", "--out", out, "--db", db).returncode == 0
    assert ds.dataset(out / "indicators", format="parquet", partitioning="hive").count_rows() == ind.num_rows


def test_csv_has_one_file_per_table_with_every_row(db, tmp_path):
    out = tmp_path / "csv"
    proc = export("--format", "csv", "--out", out, "--db", db)
    assert proc.returncode == 0, proc.stderr
    for table in TABLES:
        with open(out / f"{table}.csv", encoding="utf-8-sig", newline="") as fh:
            header, *body = list(csv.reader(fh))
        assert header[0] == ("doc_id" if table == "documents" else "table_id"), table
        assert len(body) == len(rows(db, table)), table
    with open(out / "target_tables.csv", encoding="utf-8-sig", newline="") as fh:
        tables = list(csv.DictReader(fh))
    assert sorted(t["department"] for t in tables) == [f"测试{i:04d}号司法局" for i in range(5)]
    assert {Decimal(t["budget_total_wan"]) for t in tables} == {Decimal("2789.45")}


def test_xlsx_has_a_sheet_per_table_with_frozen_headers(db, tmp_path):
    out = tmp_path / "xlsx"
    proc = export("--format", "xlsx", "--out", out, "--db", db)
    assert proc.returncode == 0, proc.stderr
    wb = load_workbook(out / "targets.xlsx", read_only=False)
    assert wb.sheetnames == ["指标", "项目与预算", "预算明细", "检查", *TABLES]  # the joined sheets first
    for table in TABLES:
        ws = wb[table]
        assert ws.freeze_panes == "A2", table
        values = list(ws.values)
        assert len(values) - 1 == len(rows(db, table)), table
    header = [c.value for c in wb["indicators"][1]]
    assert header[:3] == ["table_id", "seq", "level1"]
    names = sorted(r[header.index("name")] for r in list(wb["indicators"].values)[1:])
    assert names == sorted(r[7] for r in rows(db, "indicators"))
    docs = list(wb["documents"].values)
    assert any(r[docs[0].index("status")] == "failed" for r in docs[1:])


def test_export_errors_are_one_line(tmp_path, db):
    proc = export("--out", tmp_path / "x", "--db", tmp_path / "missing.duckdb")
    assert proc.returncode == 2 and "no such database" in proc.stderr and "Traceback" not in proc.stderr
    proc = export("--format", "json", "--out", tmp_path / "x", "--db", db)
    assert proc.returncode == 2 and "invalid choice" in proc.stderr
