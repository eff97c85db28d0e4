"""The one way to open the database (`open_db`) and its one error (`StoreError`): a line that
names the file and the reason, on real DuckDB files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipeline.errors import one_line
from pipeline.model import DocumentResult
from pipeline.store import errors
from pipeline.store.columns import CONTRACT, TABLES, ddl, loaded
from pipeline.store.db import open_db
from pipeline.store.errors import StoreError
from tests.conftest import run_cli


def _one_line_naming(e: StoreError, path: Path, words: str) -> None:
    msg = str(e)
    assert len(msg.splitlines()) == 1 and str(path) in msg and words in msg, msg


def test_a_missing_database_is_not_created(tmp_path):
    path = tmp_path / "none.duckdb"
    for read_only in (True, False):
        with pytest.raises(StoreError) as info:
            open_db(path, read_only=read_only)
        assert info.value.kind == errors.MISSING
        _one_line_naming(info.value, path, "no such database")
    assert not path.exists()
    open_db(tmp_path / "new" / "t.duckdb", read_only=False, create=True).close()
    assert (tmp_path / "new" / "t.duckdb").is_file()


@pytest.fixture
def held(tmp_path):
    """A database file another process has open for writing."""
    path = tmp_path / "held.duckdb"
    open_db(path, read_only=False, create=True).close()
    code = f"import duckdb, time; c = duckdb.connect({str(path)!r}); print('ok', flush=True); time.sleep(60)"
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ok"
        yield path
    finally:
        holder.kill()
        holder.wait()


def test_a_database_in_use_by_another_process(held):
    with pytest.raises(StoreError) as reader:
        open_db(held)
    assert reader.value.kind == errors.IN_USE
    _one_line_naming(reader.value, held, "being written by another process")
    with pytest.raises(StoreError) as writer:
        open_db(held, read_only=False)
    assert writer.value.kind == errors.IN_USE
    _one_line_naming(writer.value, held, "in use by another process")


@pytest.mark.parametrize("read_only", [True, False])
def test_a_damaged_file(tmp_path, read_only):
    path = tmp_path / "damaged.duckdb"
    path.write_bytes(os.urandom(300_000))
    with pytest.raises(StoreError) as info:
        open_db(path, read_only=read_only)
    assert info.value.kind == errors.DAMAGED
    _one_line_naming(info.value, path, "not a readable DuckDB database")


def test_a_database_of_other_tables_is_not_a_targets_database(tmp_path):
    path = tmp_path / "other.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE t (x INTEGER)")
    with pytest.raises(StoreError) as info:
        open_db(path, require=CONTRACT)
    assert info.value.kind == errors.NOT_TARGETS
    _one_line_naming(info.value, path, "not a targets database (no table documents)")
    open_db(path).close()  # nothing required: it opens


def test_the_schema_is_the_declaration(tmp_path):
    """Every table and column as declared, in order; a writable open is idempotent."""
    path = tmp_path / "t.duckdb"
    for _ in range(2):
        open_db(path, read_only=False, create=True).close()
    with open_db(path) as con:
        for table, columns in TABLES.items():
            have = [(r[0], r[1], r[4]) for r in con.execute(f"DESCRIBE {table}").fetchall()]
            assert have == [(c.name, c.type, c.default) for c in columns], table
    assert [c.name for c in loaded("target_tables")][-1] == "project_code"  # corrected is not loaded


def test_a_database_of_an_earlier_version_gains_the_new_columns(tmp_path):
    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(ddl())
        con.execute("ALTER TABLE documents DROP COLUMN source_file")
        con.execute("ALTER TABLE documents DROP COLUMN heading")
        con.execute("ALTER TABLE checks DROP COLUMN seq")
        con.execute("INSERT INTO checks VALUES ('a#0001', 'x', 'info', 'd', 3)")
    with open_db(path) as con:  # read-only: left as it is
        assert "heading" not in [r[0] for r in con.execute("DESCRIBE documents").fetchall()]
    with open_db(path, read_only=False) as con:
        assert [r[0] for r in con.execute("DESCRIBE documents").fetchall()][-2:] == ["heading", "source_file"]
        assert con.execute("SELECT page, seq FROM checks").fetchall() == [(3, None)]


def test_one_line():
    assert one_line(ValueError("first\nsecond")) == "first"
    assert one_line(ValueError("  \n  padded\nrest")) == "padded"
    assert one_line(KeyboardInterrupt()) == "KeyboardInterrupt"
    assert one_line("") == ""
    assert one_line("x" * 500) == "x" * 300 and one_line("x" * 500, 200) == "x" * 200


def test_a_failed_document_keeps_what_is_known():
    fresh = DocumentResult.failed("/in/a.pdf", "timed out after 2 s", size_bytes=7)
    assert (fresh.status, fresh.error, fresh.source_format, fresh.size_bytes) == (
        "failed",
        "timed out after 2 s",
        "unknown",
        7,
    )
    assert len(fresh.doc_id) == 64 and fresh.tables == []
    prior = DocumentResult("d" * 64, "/in/b.pdf", "pdf", 3, 1, "ok", None, seconds=2.5, size_bytes=9)
    failed = DocumentResult.failed("/in/b.pdf", "cannot store", prior=prior)
    assert (failed.doc_id, failed.source_format, failed.pages, failed.ocr_pages) == ("d" * 64, "pdf", 3, 1)
    assert (failed.seconds, failed.size_bytes, failed.status) == (2.5, 9, "failed")


@pytest.mark.parametrize(
    "command",
    [
        ["checks"],
        ["report", "--out", "{tmp}/r.html"],
        ["export", "--out", "{tmp}/x"],
        ["query", "SELECT 1"],
        ["compare", "--concept", "satisfaction"],
        ["show", "abcdefabcdef#1"],
        ["correct", "abcdefabcdef#1", "name", "x"],
    ],
)
def test_every_command_says_the_same_line_for_a_missing_database(tmp_path, command):
    path = tmp_path / "none.duckdb"
    proc = run_cli(*(a.format(tmp=tmp_path) for a in command), "--db", path)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.splitlines() == [
        f"{command[0]} failed: cannot open the database {path}: {errors.NO_SUCH_DATABASE}"
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # nothing created, not even the database
