"""Per-document limits and crashes: the document is recorded failed, its worker replaced, the batch goes on.

The inputs are real pathological documents, not hooks: a text dump holding 150 tables takes
seconds (the rebuilder is superlinear in the rows of one dump), and a dump of 2 million tab
separated cells grows its worker by hundreds of MB a second.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from tests.test_batch import ROOT, make_corpus, query, run_log, slow_dump
from tests.test_batch import extract_process as extract  # timeouts, memory, crashes: a real batch process


def huge_dump(path: Path) -> Path:
    path.write_text("部门(单位)整体支出绩效目标表\n" + ("指标\t" * 250_000 + "\n") * 8, encoding="utf-8")
    return path


def statuses(db: Path) -> dict[str, tuple[str, str | None]]:
    rows = query(db, "SELECT source_path, status, error FROM documents")
    return {Path(p).name: (s, e) for p, s, e in rows}


def test_a_document_past_the_timeout_fails_and_the_batch_goes_on(tmp_path):
    folder, db = tmp_path / "in", tmp_path / "t.duckdb"
    make_corpus(folder, 6)
    slow_dump(folder / "dept_0002_slow.txt")  # sorted among the others: workers go on after it
    proc = extract(folder, "--db", db, "--jobs", "2", "--timeout", "1", "--log-dir", tmp_path / "logs")
    assert proc.returncode == 0, proc.stderr
    got = statuses(db)
    assert got.pop("dept_0002_slow.txt") == ("failed", "timed out after 1 s")
    assert set(got.values()) == {("ok", None)} and len(got) == 6
    assert "failed: " in proc.stderr and "timed out after 1 s" in proc.stderr
    assert "workers replaced" in proc.stderr and "Traceback" not in proc.stderr
    assert "dept_0002_slow.txt: timed out after 1 s" in run_log(tmp_path / "logs")
    # the stopped document still records what it was being extracted with
    [(recorded,)] = query(db, "SELECT settings FROM documents WHERE source_path LIKE '%slow.txt'")
    assert json.loads(recorded)["ocr_engine"] == "rapidocr"
    # the failure is not final: a rerun with a sufficient limit extracts it
    proc = extract(folder, "--db", db, "--jobs", "2", "--timeout", "120")
    assert "(ok 1, unchanged 6)" in proc.stderr, proc.stderr
    assert statuses(db)["dept_0002_slow.txt"][0] == "ok"


def test_a_document_past_the_memory_ceiling_fails_and_the_batch_goes_on(tmp_path):
    folder, db = tmp_path / "in", tmp_path / "t.duckdb"
    make_corpus(folder, 4)
    huge_dump(folder / "dept_0001_huge.txt")
    proc = extract(folder, "--db", db, "--jobs", "1", "--max-memory-mb", "300", "--timeout", "120")
    assert proc.returncode == 0, proc.stderr
    got = statuses(db)
    assert got.pop("dept_0001_huge.txt") == ("failed", "exceeded memory limit 300 MB")
    assert set(got.values()) == {("ok", None)} and len(got) == 4
    # the documents after it were extracted by a fresh worker
    assert "workers replaced 1×" in proc.stderr, proc.stderr


def test_a_crashed_worker_fails_its_document_only(tmp_path):
    folder, db = tmp_path / "in", tmp_path / "t.duckdb"
    make_corpus(folder, 3)
    slow_dump(folder / "a_slow.txt")  # first in order: the first worker's first document
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "extract", str(folder), "--db", str(db), "--jobs", "1", "-q"],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    parent = psutil.Process(proc.pid)
    deadline = time.monotonic() + 30
    workers: list[psutil.Process] = []
    while not workers and time.monotonic() < deadline:
        # workers are forked by the forkserver, itself a child of the batch process
        workers = [p for p in parent.children(recursive=True) if p.ppid() != proc.pid]
        time.sleep(0.05)
    assert workers, "no worker started"
    time.sleep(0.5)
    workers[0].send_signal(signal.SIGSEGV)  # what a crash in a native library looks like
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    got = statuses(db)
    assert got.pop("a_slow.txt") == ("failed", "worker process crashed (SIGSEGV)")
    assert set(got.values()) == {("ok", None)} and len(got) == 3
