"""The batch runner: parallel workers, incremental reruns, progress, summary and run log."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.conftest import run_cli, run_process

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "raw" / "kuerle_sifaju_2020_overall.txt"
SEED_DEPARTMENT = "库尔勒市司法局"

# every column of every contract table, minus timing columns that differ between runs
CONTRACT = {
    "documents": "doc_id, source_path, source_format, pages, ocr_pages, status, error, extractor_version, size_bytes, settings",
    "target_tables": "*",
    "budget_lines": "*",
    "indicators": "*",
    "checks": "*",
}


def make_corpus(folder: Path, n: int, start: int = 0) -> list[Path]:
    """`n` real text dumps: the seed table with a different department name (and bytes) each."""
    folder.mkdir(parents=True, exist_ok=True)
    seed = SEED.read_text(encoding="utf-8")
    paths = []
    for i in range(start, start + n):
        p = folder / f"dept_{i:04d}.txt"
        p.write_text(seed.replace(SEED_DEPARTMENT, f"测试{i:04d}号司法局"), encoding="utf-8")
        paths.append(p)
    return paths


def slow_dump(path: Path, copies: int = 150) -> Path:
    """A real pathological input: one dump holding 150 tables takes seconds (superlinear)."""
    seed = SEED.read_text(encoding="utf-8")
    path.write_text(
        "\n".join(seed.replace(SEED_DEPARTMENT, f"慢{i}局") for i in range(copies)), encoding="utf-8"
    )
    return path


def extract(*args: object, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`python -m pipeline extract ARGS` as a user runs it (in this process: `run_cli`)."""
    return run_cli("extract", *args, env=env)


def extract_process(*args: object) -> subprocess.CompletedProcess:
    """The same in a real `python -m pipeline` process."""
    return run_process("extract", *args, timeout=300)


def dump(db: Path) -> dict[str, list[tuple]]:
    """Every row of every contract table, in a stable order."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            t: con.execute(f"SELECT {cols} FROM {t} ORDER BY ALL").fetchall() for t, cols in CONTRACT.items()
        }
    finally:
        con.close()


def query(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def run_log(log_dir: Path) -> str:
    logs = sorted(log_dir.glob("run-*.log"))
    assert logs, f"no run log in {log_dir}"
    return logs[-1].read_text(encoding="utf-8")


def test_parallel_run_loads_the_same_rows_as_one_worker(tmp_path):
    make_corpus(tmp_path / "in", 12)
    one, two = tmp_path / "one.duckdb", tmp_path / "two.duckdb"
    p1 = extract(tmp_path / "in", "--db", one, "--jobs", "1", "--quiet")
    p2 = extract(tmp_path / "in", "--db", two, "--jobs", "2", "--log-dir", tmp_path / "logs")
    assert p1.returncode == 0 and p2.returncode == 0, p1.stderr + p2.stderr
    rows = dump(two)
    assert rows == dump(one)
    assert len(rows["documents"]) == 12 and len(rows["target_tables"]) == 12
    assert {r[5] for r in rows["documents"]} == {"ok"}
    departments = {r[0] for r in query(two, "SELECT department FROM target_tables")}
    assert departments == {f"测试{i:04d}号司法局" for i in range(12)}
    assert len(rows["budget_lines"]) > 12 and len(rows["indicators"]) > 12 * 10
    # summary on stderr, and a run log naming every document with what happened to it
    assert "documents: 12 (ok 12)" in p2.stderr
    assert "tables: 12" in p2.stderr and "peak memory" in p2.stderr and "Traceback" not in p2.stderr
    log = run_log(tmp_path / "logs")
    for i in range(12):
        assert f"dept_{i:04d}.txt: 1 tables" in log


def test_rerun_skips_finished_documents_and_extracts_new_ones(tmp_path):
    folder, db, logs = tmp_path / "in", tmp_path / "t.duckdb", tmp_path / "logs"
    make_corpus(folder, 4)
    assert extract(folder, "--db", db, "--jobs", "2", "-q").returncode == 0
    before = query(db, "SELECT doc_id, extracted_at FROM documents ORDER BY 1")
    make_corpus(folder, 2, start=4)
    proc = extract(folder, "--db", db, "--jobs", "2", "--log-dir", logs)
    assert proc.returncode == 0, proc.stderr
    assert "documents: 6 (ok 2, unchanged 4)" in proc.stderr
    after = dict(query(db, "SELECT doc_id, extracted_at FROM documents"))
    assert len(after) == 6
    assert all(after[doc_id] == at for doc_id, at in before), "finished documents were re-extracted"
    assert run_log(logs).count("unchanged (already extracted)") == 4


def test_force_and_a_new_extractor_version_re_extract(tmp_path):
    folder, db = tmp_path / "in", tmp_path / "t.duckdb"
    make_corpus(folder, 3)
    assert extract(folder, "--db", db, "-q").returncode == 0
    proc = extract(folder, "--db", db, "--force")
    assert "documents: 3 (ok 3)" in proc.stderr, proc.stderr
    # rows written by an older extractor version are extracted again, the others are not
    con = duckdb.connect(str(db))
    con.execute(
        "UPDATE documents SET extractor_version = '0.0.0-old' WHERE source_path LIKE '%dept_0001.txt'"
    )
    con.close()
    proc = extract(folder, "--db", db)
    assert "documents: 3 (ok 1, unchanged 2)" in proc.stderr, proc.stderr
    versions = query(db, "SELECT DISTINCT extractor_version FROM documents")
    assert versions != [("0.0.0-old",)] and len(versions) == 1


def test_copies_are_extracted_once_and_changed_files_replace_their_rows(tmp_path):
    folder, db = tmp_path / "in", tmp_path / "t.duckdb"
    first, second = make_corpus(folder, 2)
    shutil.copy(first, folder / "a_copy.txt")  # sorts before dept_*: the first path wins
    proc = extract(folder, "--db", db, "--jobs", "2")
    assert "documents: 3 (ok 2, duplicate 1)" in proc.stderr, proc.stderr
    paths = sorted(Path(r[0]).name for r in query(db, "SELECT source_path FROM documents"))
    assert paths == ["a_copy.txt", "dept_0001.txt"]
    # a file whose bytes change gets its rows replaced, not duplicated
    second.write_text(second.read_text(encoding="utf-8").replace("测试0001号", "改名"), encoding="utf-8")
    assert extract(folder, "--db", db, "--jobs", "2", "-q").returncode == 0
    rows = query(
        db, "SELECT d.source_path, t.department FROM documents d JOIN target_tables t USING (doc_id)"
    )
    assert sorted((Path(p).name, dep) for p, dep in rows) == [
        ("a_copy.txt", "测试0000号司法局"),
        ("dept_0001.txt", "改名司法局"),
    ]


def test_bad_arguments_and_a_locked_database_get_one_line_errors(tmp_path):
    make_corpus(tmp_path / "in", 1)
    proc = extract(tmp_path / "in", "--jobs", "0")
    assert proc.returncode == 2 and "at least 1" in proc.stderr
    db = tmp_path / "t.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(db)!r}); print('ok', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ok"
        proc = extract(tmp_path / "in", "--db", db)
    finally:
        holder.kill()
        holder.wait()
    assert proc.returncode == 2
    assert "in use by another process" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_the_sample_dump_extracts_in_a_worker(tmp_path, jobs):
    """End to end as a user runs it: a real `python -m pipeline extract` process."""
    db = tmp_path / "t.duckdb"
    proc = extract_process(SEED, "--db", db, "--jobs", jobs, "-q")
    assert proc.returncode == 0, proc.stderr
    assert query(db, "SELECT status, source_path FROM documents") == [("ok", str(SEED))]


def renamed_and_replaced(folder: Path, db: Path, *executor: str) -> list[tuple[str, str]]:
    """Extract, then rename two files and put new ones at their old paths; extract again."""
    make_corpus(folder, 2)
    assert extract(folder, "--db", db, *executor, "-q").returncode == 0
    for i in range(2):
        old = folder / f"dept_{i:04d}.txt"
        old.rename(folder / f"z_old_{i}.txt")  # unchanged bytes, new path (sorts after)
        old.write_text(
            SEED.read_text(encoding="utf-8").replace(SEED_DEPARTMENT, f"新{i}局"), encoding="utf-8"
        )
    proc = extract(folder, "--db", db, *executor)
    assert proc.returncode == 0, proc.stderr
    rows = query(
        db, "SELECT d.source_path, t.department FROM documents d JOIN target_tables t USING (doc_id)"
    )
    return sorted((Path(p).name, dep) for p, dep in rows)


def test_a_renamed_file_keeps_its_rows_when_a_new_file_takes_its_path(tmp_path):
    # the new file at the old path replaces the old rows of that path; the renamed file,
    # skipped as unchanged, is then extracted again under its new name
    assert renamed_and_replaced(tmp_path / "in", tmp_path / "t.duckdb", "--jobs", "2") == [
        ("dept_0000.txt", "新0局"),
        ("dept_0001.txt", "新1局"),
        ("z_old_0.txt", "测试0000号司法局"),
        ("z_old_1.txt", "测试0001号司法局"),
    ]


def test_a_broken_link_in_a_folder_is_reported_failed_not_dropped(tmp_path):
    docs = tmp_path / "docs"
    make_corpus(docs, 1)
    (docs / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    db = tmp_path / "t.duckdb"
    r = extract(docs, "--db", db, "-q", "--jobs", 1)
    assert r.returncode == 0, r.stderr
    rows = query(db, "SELECT source_path, status, error FROM documents ORDER BY source_path")
    assert [(Path(p).name, s) for p, s, _ in rows] == [("dept_0000.txt", "ok"), ("gone.txt", "failed")]
    assert "cannot read the file" in rows[1][2]
