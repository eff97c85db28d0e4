"""`--executor dask`: the same per-document function on a dask.distributed cluster.

A LocalCluster with threaded workers (fast, runs in CI) listens on TCP; the extraction is a
real `python -m pipeline extract --executor dask --scheduler tcp://…` subprocess, whose
client loads the database.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_batch import dump, extract, make_corpus, query, renamed_and_replaced, slow_dump

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def scheduler():
    with distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=2,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        yield cluster.scheduler_address


def test_a_dask_cluster_loads_the_same_rows_as_local_workers(tmp_path, scheduler):
    """...with the client's settings: the workers (threads of this test process) see neither
    the client's environment nor its flags, yet record what the client was given."""
    folder = tmp_path / "in"
    make_corpus(folder, 8)
    (folder / "empty.txt").write_bytes(b"")
    local, on_dask = tmp_path / "local.duckdb", tmp_path / "dask.duckdb"
    given = ("--ocr-engine", "tesseract")
    env = {"PERF_TARGETS_OCR_DPI": "300"}
    assert extract(folder, "--db", local, "--jobs", "2", "-q", *given, env=env).returncode == 0
    proc = extract(folder, "--db", on_dask, "--executor", "dask", "--scheduler", scheduler, *given, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "documents: 9 (failed 1, ok 8)" in proc.stderr
    assert dump(on_dask) == dump(local)  # settings included
    settings = [json.loads(s) for (s,) in query(on_dask, "SELECT DISTINCT settings FROM documents")]
    assert [(s["ocr_engine"], s["ocr_dpi"]) for s in settings] == [("tesseract", 300)]
    # incremental on a cluster too
    proc = extract(folder, "--db", on_dask, "--executor", "dask", "--scheduler", scheduler)
    assert "(failed 1, unchanged 8)" in proc.stderr, proc.stderr


def test_a_document_past_the_timeout_on_dask_fails_and_the_batch_goes_on(tmp_path, scheduler):
    folder, db = tmp_path / "in", tmp_path / "t.duckdb"
    make_corpus(folder, 3)
    slow_dump(folder / "dept_0001_slow.txt", copies=100)
    proc = extract(folder, "--db", db, "--executor", "dask", "--scheduler", scheduler, "--timeout", "0.3")
    assert proc.returncode == 0, proc.stderr
    got = {Path(p).name: (s, e) for p, s, e in query(db, "SELECT source_path, status, error FROM documents")}
    assert got.pop("dept_0001_slow.txt") == ("failed", "timed out after 0.3 s")
    assert set(got.values()) == {("ok", None)}


def test_an_unreachable_scheduler_is_a_one_line_error(tmp_path):
    make_corpus(tmp_path / "in", 1)
    args = ["--db", tmp_path / "t.duckdb", "--executor", "dask", "--scheduler", "tcp://127.0.0.1:9"]
    # dask's own setting for how long to try to connect (default 30 s)
    proc = extract(tmp_path / "in", *args, env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"})
    assert proc.returncode == 2
    assert "extraction stopped" in proc.stderr and "Traceback" not in proc.stderr


def test_renamed_files_are_re_extracted_on_dask_too(tmp_path, scheduler):
    got = renamed_and_replaced(
        tmp_path / "in", tmp_path / "t.duckdb", "--executor", "dask", "--scheduler", scheduler
    )
    assert [dep for _, dep in got] == ["新0局", "新1局", "测试0000号司法局", "测试0001号司法局"]
