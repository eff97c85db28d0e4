"""Exports that cannot hurt: formulas stay text, nothing of the user's is deleted, a full disk
or a damaged database gives one line and leaves the previous export whole."""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.conftest import run_cli
from tests.test_batch import SEED, SEED_DEPARTMENT, extract, make_corpus

FORMULA = '=HYPERLINK("http://x","点我")'
PLUS = "+cmd|' /C calc'!A0"


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    """Tables whose department names a spreadsheet would run as formulas."""
    tmp = tmp_path_factory.mktemp("export-safety")
    folder = tmp / "in"
    folder.mkdir()
    for i, name in enumerate([FORMULA, PLUS, "-5%", "@SUM(A1)"]):
        text = SEED.read_text(encoding="utf-8").replace(SEED_DEPARTMENT, name)
        (folder / f"d{i}.txt").write_text(text, encoding="utf-8")
    path = tmp / "t.duckdb"
    assert extract(folder, "--db", path, "-q").returncode == 0
    return path


def export(*args: object):
    return run_cli("export", *args)


def test_xlsx_writes_formulas_as_text(db, tmp_path):
    proc = export("--format", "xlsx", "--out", tmp_path, "--db", db)
    assert proc.returncode == 0, proc.stderr
    ws = load_workbook(tmp_path / "targets.xlsx")["target_tables"]
    header = [c.value for c in ws[1]]
    cells = [row[header.index("department")] for row in ws.iter_rows(min_row=2)]
    assert {c.value for c in cells} == {FORMULA, PLUS, "-5%", "@SUM(A1)"}
    assert {c.data_type for c in cells} == {"s"}, "a cell would run as a formula"
    for sheet in ("指标", "项目与预算"):  # the joined sheets too
        ws = load_workbook(tmp_path / "targets.xlsx")[sheet]
        header = [c.value for c in ws[1]]
        cells = [row[header.index("部门")] for row in ws.iter_rows(min_row=2)]
        assert {c.value for c in cells} == {FORMULA, PLUS, "-5%", "@SUM(A1)"}, sheet
        assert {c.data_type for c in cells} == {"s"}, sheet


def test_csv_escapes_what_a_spreadsheet_would_run(db, tmp_path):
    proc = export("--format", "csv", "--out", tmp_path, "--db", db)
    assert proc.returncode == 0, proc.stderr
    with open(tmp_path / "target_tables.csv", encoding="utf-8", newline="") as fh:
        departments = {r["department"] for r in csv.DictReader(fh)}
    assert departments == {"'" + FORMULA, "'" + PLUS, "-5%", "'@SUM(A1)"}  # a number stays a number
    with open(tmp_path / "指标.csv", encoding="utf-8-sig", newline="") as fh:
        departments = {r["部门"] for r in csv.DictReader(fh)}
    assert departments == {"'" + FORMULA, "'" + PLUS, "-5%", "'@SUM(A1)"}


def test_parquet_export_never_deletes_what_it_did_not_write(tmp_path):
    folder, db, out = tmp_path / "in", tmp_path / "t.duckdb", tmp_path / "out"
    make_corpus(folder, 2)
    assert extract(folder, "--db", db, "-q").returncode == 0
    assert export("--out", out, "--db", db).returncode == 0
    first = sorted(p.relative_to(out) for p in out.rglob("*"))
    # exporting again replaces its own output
    proc = export("--out", out, "--db", db)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == first
    # a user's notes inside a table folder: the export stops before touching anything
    notes = out / "indicators" / "notes.txt"
    notes.write_text("my notes", encoding="utf-8")
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    proc = export("--out", out, "--db", db)
    assert proc.returncode == 2
    assert "export failed:" in proc.stderr and "notes.txt" in proc.stderr and "did not write" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert notes.read_text(encoding="utf-8") == "my notes"
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before
    assert not list(out.glob(".export-*"))


def test_export_to_a_full_disk_is_one_line_and_keeps_the_previous_export(tmp_path, small_disk):
    folder, db = tmp_path / "in", tmp_path / "t.duckdb"
    make_corpus(folder, 60)
    assert extract(folder, "--db", db, "-q", "--jobs", "2").returncode == 0
    disk = small_disk(600)
    out = disk / "csv"
    assert export("--format", "csv", "--out", out, "--db", tmp_path / "one.duckdb").returncode == 2
    small = tmp_path / "small.duckdb"
    assert extract(SEED, "--db", small, "-q").returncode == 0
    assert export("--format", "csv", "--out", out, "--db", small).returncode == 0
    previous = {p.name: p.read_bytes() for p in out.iterdir()}
    st = os.statvfs(disk)
    (disk / "filler").write_bytes(bytes(st.f_bavail * st.f_frsize - 8192))  # 8 KB left
    for fmt in ("csv", "parquet", "xlsx"):
        proc = export("--format", fmt, "--out", out, "--db", db)
        assert proc.returncode == 2, (fmt, proc.stdout)
        assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
        assert "No space left on device" in proc.stderr, proc.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == previous  # the old export is whole
    shutil.rmtree(out)


def test_commands_on_a_truncated_database_give_one_line(tmp_path):
    folder, db = tmp_path / "in", tmp_path / "t.duckdb"
    make_corpus(folder, 30)
    assert extract(folder, "--db", db, "-q", "--jobs", "2").returncode == 0
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 2])
    commands = {
        "checks": ["checks", "--db", db],
        "report": ["report", "--db", db, "--out", tmp_path / "r.html"],
        "export": ["export", "--format", "csv", "--out", tmp_path / "x", "--db", db],
        "query": ["query", "SELECT max(name), max(value_raw) FROM indicators", "--db", db],
    }
    for name, args in commands.items():
        proc = run_cli(*args)
        assert proc.returncode == 2, (name, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr, (name, proc.stderr)
        assert len(proc.stderr.strip().splitlines()) == 1, (name, proc.stderr)
