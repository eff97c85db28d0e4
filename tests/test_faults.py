"""Faults around a batch (issue 12): a full disk under the database or the run log, the batch
killed while a worker is busy, and a document whose page count would buy it hours."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from pipeline.batch.pool import Limits
from tests.conftest import ROOT, grow, query
from tests.test_batch import dump, extract, extract_process, make_corpus, slow_dump


def test_a_full_disk_stops_the_batch_with_its_name_and_a_rerun_finishes_it(tmp_path, small_disk):
    folder = tmp_path / "in"
    make_corpus(folder, 150)
    reference = tmp_path / "reference.duckdb"
    assert extract(folder, "--db", reference, "--jobs", "2", "-q").returncode == 0
    disk = small_disk(1024)
    db = disk / "t.duckdb"  # the run log goes beside it, onto the same full disk
    proc = extract(folder, "--db", db, "--jobs", "2")
    assert proc.returncode == 2, proc.stderr
    assert "No space left on device" in proc.stderr and str(db) in proc.stderr, proc.stderr
    assert "cannot rollback" not in proc.stderr
    assert "Traceback" not in proc.stderr and "Logging error" not in proc.stderr, proc.stderr
    grow(disk, 64 * 1024)  # the user makes room
    proc = extract(folder, "--db", db, "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    assert "failed" not in proc.stderr.split("documents:")[1].splitlines()[0]
    assert dump(db) == dump(reference)


def test_a_full_log_disk_is_one_warning_not_a_flood(tmp_path, small_disk):
    folder, db = tmp_path / "in", tmp_path / "t.duckdb"
    make_corpus(folder, 20)
    logs = small_disk(64)
    st = os.statvfs(logs)
    (logs / "filler").write_bytes(bytes(st.f_bavail * st.f_frsize))
    proc = extract(folder, "--db", db, "--jobs", "2", "--log-dir", logs)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "Logging error" not in proc.stderr, proc.stderr[:2000]
    warnings = [line for line in proc.stderr.splitlines() if "run log stopped" in line]
    assert len(warnings) == 1 and "No space left on device" in warnings[0], proc.stderr
    assert query(db, "SELECT count(*) FROM documents WHERE status = 'ok'") == [(20,)]


def test_workers_die_with_a_batch_killed_mid_document(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    slow_dump(folder / "slow.txt", copies=600)  # minutes of work for its worker
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "extract", str(folder), "--db", str(tmp_path / "t.duckdb")]
        + ["--jobs", "1", "-q", "--timeout", "0"],
        cwd=ROOT,
        stderr=subprocess.DEVNULL,
    )
    parent = psutil.Process(proc.pid)
    wait_for_busy_workers(proc)
    descendants = parent.children(recursive=True)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    _, alive = psutil.wait_procs(descendants, timeout=15)
    for p in alive:  # do not leave them running whatever the outcome
        p.kill()
    assert not alive, f"still running after the batch was killed: {[p.pid for p in alive]}"


def wait_for_busy_workers(proc: subprocess.Popen, seconds: float = 60) -> list[psutil.Process]:
    """The busy workers of a running batch, once there are some; the test fails (and the batch
    is killed, never left running) when none gets to work in time."""
    parent = psutil.Process(proc.pid)
    deadline = time.monotonic() + seconds
    busy: list[psutil.Process] = []
    while not busy and time.monotonic() < deadline:
        time.sleep(0.2)
        busy = busy_workers(parent)
    if not busy:
        proc.kill()
        proc.communicate()
    assert busy, "no worker got to work"
    return busy


def busy_workers(batch: psutil.Process) -> list[psutil.Process]:
    """Extraction workers of a batch that have been working for a second of CPU time: the
    forkserver's children (forked after its imports, so their clock starts near 0; the
    forkserver itself is busy importing at first); processes that come and go are passed over."""
    found = []
    for p in batch.children(recursive=True):
        try:
            if p.ppid() != batch.pid and p.cpu_times().user > 1.0:
                found.append(p)
        except psutil.Error:
            continue
    return found


def many_page_pdf(path: Path, pages: int) -> Path:
    """A small file of many scanned pages (one picture, drawn on every page): each page is
    rendered and OCR'd."""
    from PIL import Image, ImageDraw
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    scan = path.with_suffix(".png")
    im = Image.new("L", (400, 560), 255)
    ImageDraw.Draw(im).rectangle((40, 40, 360, 520), outline=0, width=3)
    im.save(scan)
    c = canvas.Canvas(str(path), pagesize=A4)
    for _ in range(pages):
        c.drawImage(str(scan), 0, 0, *A4)
        c.showPage()
    c.save()
    scan.unlink()
    return path


def test_a_hard_ceiling_bounds_the_per_page_budget(tmp_path):
    assert (
        Limits(timeout=300, timeout_per_page=5).budget(100_000) == 3600
    )  # the CLI defaults: 300 s + 5 s × 100,000 pages would be 6 days
    assert Limits(timeout=0).budget(100_000) == 0  # no limit asked for, none given
    folder, db = tmp_path / "in", tmp_path / "t.duckdb"
    make_corpus(folder, 2)
    many_page_pdf(folder / "pages.pdf", 2000)
    proc = extract_process(folder, "--db", db, "--jobs", "2", "--timeout", "1", "--timeout-max", "3")
    assert proc.returncode == 0, proc.stderr
    got = {Path(p).name: (s, e) for p, s, e in query(db, "SELECT source_path, status, error FROM documents")}
    assert got.pop("pages.pdf") == ("failed", "timed out after 3 s")
    assert set(got.values()) == {("ok", None)}
