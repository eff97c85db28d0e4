"""`python -m pipeline query` runs one read-only statement that can touch nothing but its own
database: no files written or read, no other database attached, no settings changed."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.conftest import run_cli
from tests.test_batch import SEED, extract


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sandbox") / "t.duckdb"
    assert extract(SEED, "--db", path, "-q").returncode == 0
    return path


def q(db: Path, sql: str, *fmt: str):
    return run_cli("query", sql, "--db", db, *fmt)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT count(*) AS n FROM indicators",
        "WITH x AS (SELECT 1 AS n) SELECT n FROM x",
        "DESCRIBE indicators",
        "SHOW TABLES",
        "EXPLAIN SELECT * FROM indicators",
        "SUMMARIZE target_tables",
        "FROM v_indicators LIMIT 1",
    ],
)
def test_read_only_queries_run(db, sql):
    proc = q(db, sql, "--csv")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip()


def test_nothing_outside_the_database_can_be_touched(db, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    other = tmp_path / "other.duckdb"
    con = duckdb.connect(str(other))
    con.execute("CREATE TABLE t AS SELECT 1 AS a")
    con.close()
    secret = tmp_path / "secret.csv"
    secret.write_text("password\nhunter2\n", encoding="utf-8")
    attempts = {
        f"COPY (SELECT 'pwned') TO '{victim}'": "read-only",
        f"SELECT * FROM read_text('{secret}')": "disabled",
        f"SELECT * FROM read_csv('{secret}')": "disabled",
        f"SELECT * FROM '{secret}'": "disabled",
        f"SELECT * FROM glob('{tmp_path}/*')": "disabled",
        f"ATTACH '{other}' AS o (READ_WRITE)": "read-only",
        "SELECT 1; SELECT 2": "one statement",
        f"SELECT 1; COPY (SELECT 'x') TO '{victim}'": "one statement",
        "SET enable_external_access = true": "read-only",
        "INSTALL httpfs": "read-only",
        "LOAD httpfs": "read-only",
        "PRAGMA database_list": "read-only",
        "DELETE FROM indicators": "read-only",
        f"EXPORT DATABASE '{tmp_path / 'dump'}'": "read-only",
        f"EXPLAIN ANALYZE COPY (SELECT 1) TO '{victim}'": "read-only",
        "CHECKPOINT": "read-only",
    }
    for sql, why in attempts.items():
        proc = q(db, sql)
        assert proc.returncode == 2, (sql, proc.stdout)
        assert proc.stderr.startswith("query failed: ") and why in proc.stderr, (sql, proc.stderr)
        assert len(proc.stderr.strip().splitlines()) == 1 and "hunter2" not in proc.stdout + proc.stderr
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert not (tmp_path / "dump").exists()
    con = duckdb.connect(str(other), read_only=True)
    assert con.execute("SELECT * FROM t").fetchall() == [(1,)]
    con.close()
    assert q(db, "SELECT count(*) FROM indicators", "--csv").stdout.splitlines()[1] == "25"
