"""Resumable batches: `kill -9` at any moment, run again, get the uninterrupted run's database.

The run is a real `python -m pipeline extract` subprocess with worker processes.  After each
SIGKILL the database is opened as it was left (the write-ahead log not yet checkpointed into
the file, so DuckDB must replay it): every document the run log reported loaded must be
there, and every document there must be complete — row for row what the uninterrupted run
wrote for it.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import psutil
import pytest

from tests.test_batch import CONTRACT, ROOT, dump, extract, make_corpus

CORPUS_PDFS = ROOT.parent / "shared" / "corpus" / "real-unlabeled"
N_DUMPS = 240
LOADED = re.compile(r" INFO (ok|partial|no_tables|failed) +(.+?): (\d+) tables, (\d+) indicators")


def make_batch(folder: Path) -> None:
    """Text dumps, a document without a table, a broken file, and a few real PDFs if present."""
    make_corpus(folder, N_DUMPS)
    (folder / "notes.txt").write_text("2020年部门预算编制说明\n本文件不含绩效目标表。\n", encoding="utf-8")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 100)
    if CORPUS_PDFS.is_dir():
        for pdf in sorted(CORPUS_PDFS.glob("*.pdf"), key=lambda p: p.stat().st_size)[:3]:
            shutil.copy(pdf, folder / pdf.name)


def kill_mid_run(folder: Path, db: Path, log_dir: Path, after: int) -> None:
    """Start an extraction, SIGKILL it once `after` documents have been loaded."""
    known = set(log_dir.glob("*.log")) if log_dir.exists() else set()
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "extract", str(folder), "--db", str(db), "--jobs", "2", "-q"]
        + ["--log-dir", str(log_dir)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    loaded = 0
    while loaded < after:
        assert proc.poll() is None, f"run ended before it could be interrupted: {proc.stderr.read()}"
        assert time.monotonic() < deadline, "run made no progress"
        new = [p for p in log_dir.glob("*.log") if p not in known] if log_dir.exists() else []
        loaded = sum(len(LOADED.findall(p.read_text(encoding="utf-8"))) for p in new)
        time.sleep(0.005)
    workers = psutil.Process(proc.pid).children(recursive=True)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    # workers notice their parent is gone and exit; none lingers
    _, alive = psutil.wait_procs(workers, timeout=30)
    assert not alive, f"workers still running after the batch was killed: {alive}"


def logged_documents(log_dir: Path) -> dict[str, tuple[int, int]]:
    """source path → (tables, indicators) for every document a run log reported loaded."""
    out = {}
    for log in log_dir.glob("*.log"):
        for _status, path, tables, indicators in LOADED.findall(log.read_text(encoding="utf-8")):
            out[path] = (int(tables), int(indicators))
    return out


def per_document(db: Path) -> dict[str, tuple[int, int]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            "SELECT d.source_path, count(DISTINCT t.table_id), count(i.table_id) FROM documents d "
            "LEFT JOIN target_tables t USING (doc_id) LEFT JOIN indicators i ON i.table_id = t.table_id "
            "GROUP BY 1"
        ).fetchall()
    finally:
        con.close()
    return {p: (t, i) for p, t, i in rows}


def restricted(rows: dict[str, list[tuple]], doc_ids: set[str]) -> dict[str, list[tuple]]:
    """The rows of the given documents only (child rows by the doc_id in their table_id)."""
    return {
        t: [r for r in rs if (r[0] if t == "documents" else r[0].split("#")[0]) in doc_ids]
        for t, rs in rows.items()
    }


@pytest.mark.slow
def test_sigkill_mid_run_then_rerun_gives_the_uninterrupted_database(tmp_path):
    folder = tmp_path / "in"
    make_batch(folder)
    reference = tmp_path / "reference.duckdb"
    proc = extract(folder, "--db", reference, "--jobs", "2", "-q")
    assert proc.returncode == 0, proc.stderr
    expected = dump(reference)
    assert len(expected["documents"]) >= N_DUMPS + 2
    assert {r[5] for r in expected["documents"]} >= {"ok", "failed", "no_tables"}

    db, logs = tmp_path / "t.duckdb", tmp_path / "interrupted-runs"
    for after in (N_DUMPS // 5, N_DUMPS // 3):
        kill_mid_run(folder, db, logs, after)
        assert db.with_name(db.name + ".wal").exists(), "nothing left for DuckDB to recover"
        got = per_document(db)  # opening replays the write-ahead log
        for path, counts in logged_documents(logs).items():
            assert got.get(path) == counts, (
                f"{path}: logged as loaded {counts}, in the database {got.get(path)}"
            )
        partial = dump(db)
        present = {r[0] for r in partial["documents"]}
        assert 0 < len(present) < len(expected["documents"])
        assert partial == restricted(expected, present), "a document is half-written or differs"

    proc = extract(folder, "--db", db, "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    assert "unchanged" in proc.stderr
    assert dump(db) == expected
    assert set(CONTRACT) == set(expected)
