"""Inputs that used to stop, hang or fool a batch (issue 12): names that are not UTF-8, FIFOs
and devices, unreadable folders, oversized images, repairable PDFs, UTF-16 without a BOM,
the identity of a file across runs, and the exit code of a rerun."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.extract import extract_document
from tests import pdf_fixtures as fx
from tests.conftest import ROOT, query, run_cli, without_root_bypass
from tests.test_batch import SEED, SEED_DEPARTMENT, extract, make_corpus
from tests.test_batch_limits import statuses


def seed_as(path: Path, department: str) -> Path:
    path.write_text(SEED.read_text(encoding="utf-8").replace(SEED_DEPARTMENT, department), encoding="utf-8")
    return path


def test_a_name_that_is_not_utf8_is_stored_and_the_batch_goes_on(tmp_path):
    folder, db = tmp_path / "in", tmp_path / "t.duckdb"
    make_corpus(folder, 2)
    raw_name = os.fsencode(folder) + b"/caf\xe9_\xff.txt"  # Latin-1 bytes: no UTF-8 decoding
    with open(raw_name, "wb") as fh:
        fh.write(SEED.read_text(encoding="utf-8").replace(SEED_DEPARTMENT, "非UTF8局").encode("utf-8"))
    for _ in range(2):  # it stopped every rerun too
        proc = extract(folder, "--db", db, "--jobs", "2")
        assert proc.returncode == 0, proc.stderr
        assert "Traceback" not in proc.stderr
    got = statuses(db)
    assert got["caf\\xe9_\\xff.txt"] == ("ok", None)  # shown with the bytes escaped
    assert {got[f"dept_{i:04d}.txt"] for i in range(2)} == {("ok", None)}
    # the identity is lossless: the real bytes of the resolved path
    keys = {bytes(k) for (k,) in query(db, "SELECT source_file FROM documents")}
    assert os.fsencode(Path(os.fsdecode(raw_name)).resolve()) in keys
    assert query(db, "SELECT count(*) FROM target_tables WHERE department = '非UTF8局'") == [(1,)]


def test_fifos_and_devices_get_a_reason_and_never_hang(tmp_path):
    folder, db = tmp_path / "in", tmp_path / "t.duckdb"
    make_corpus(folder, 1)
    os.mkfifo(folder / "pipe.txt")
    (folder / "zero.txt").symlink_to("/dev/zero")
    named_fifo = tmp_path / "named.pdf"
    os.mkfifo(named_fifo)
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline", "extract", str(folder), str(named_fifo), "/dev/urandom"]
        + ["--db", str(db), "--jobs", "2", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,  # before: hashing blocked forever on the FIFO, or read /dev/zero forever
    )
    assert proc.returncode == 0, proc.stderr
    got = statuses(db)
    assert got.pop("dept_0000.txt") == ("ok", None)
    assert got == {
        "pipe.txt": ("failed", "not a regular file: a FIFO (named pipe) (only regular files are documents)"),
        "named.pdf": ("failed", "not a regular file: a FIFO (named pipe) (only regular files are documents)"),
        "zero.txt": ("failed", "not a regular file: a character device (only regular files are documents)"),
        "urandom": ("failed", "not a regular file: a character device (only regular files are documents)"),
    }


def test_ctrl_c_while_hashing_a_huge_file_stops_at_once(tmp_path):
    big = tmp_path / "huge.txt"
    with open(big, "wb") as fh:  # sparse: 64 GB of zeros to hash, no disk used
        fh.truncate(64 << 30)
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "extract", str(big), "--db", str(tmp_path / "t.duckdb"), "-q"],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(3)  # started, and hashing
    proc.send_signal(signal.SIGINT)
    start = time.monotonic()
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise
    assert time.monotonic() - start < 15, "Ctrl-C waited for the hash of the whole file"
    assert proc.returncode == 130 and "interrupted" in err, err


def test_an_unreadable_subfolder_is_reported(tmp_path):
    folder, db = tmp_path / "in", tmp_path / "t.duckdb"
    make_corpus(folder, 1)
    locked = folder / "locked"
    make_corpus(locked, 1, start=5)
    locked.chmod(0)
    try:
        proc = subprocess.run(
            [
                *without_root_bypass(),
                sys.executable,
                "-m",
                "pipeline",
                "extract",
                str(folder),
                "--db",
                str(db),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        locked.chmod(0o755)
    assert proc.returncode == 0, proc.stderr
    assert f"cannot read folder {locked}: Permission denied" in proc.stderr
    assert "its files were not extracted" in proc.stderr and "Traceback" not in proc.stderr
    assert statuses(db) == {"dept_0000.txt": ("ok", None)}


def test_utf16_text_without_a_bom_is_read(tmp_path):
    for encoding in ("utf-16-le", "utf-16-be"):
        path = tmp_path / f"{encoding}.txt"
        path.write_bytes(SEED.read_text(encoding="utf-8").encode(encoding))
        doc = extract_document(path)
        assert (doc.status, len(doc.tables)) == ("ok", 1), (encoding, doc.error)
        assert doc.tables[0].department == SEED_DEPARTMENT


def big_png(path: Path, width: int, height: int, dpi: int | None = None) -> Path:
    """A real PNG of that size: one bit per pixel, blank, so it stays small on disk."""
    from PIL import Image

    im = Image.new("1", (width, height), 1)
    im.save(path, dpi=(dpi, dpi)) if dpi else im.save(path)
    return path


def test_the_pixel_cap_counts_the_image_as_it_will_be_processed(tmp_path):
    folder, db = tmp_path / "in", tmp_path / "t.duckdb"
    make_corpus(folder, 1)
    big_png(folder / "225mp.png", 15_000, 15_000)  # over 200 MP: Pillow only warned below 400
    big_png(folder / "low_dpi.png", 6_000, 6_000, dpi=50)  # 36 MP, but 576 MP at the 200 dpi of OCR
    proc = extract(folder, "--db", db, "--jobs", "2", "--timeout", "300", "-q")
    assert proc.returncode == 0, proc.stderr
    got = statuses(db)
    assert got.pop("dept_0000.txt") == ("ok", None)
    for name, (status, error) in got.items():
        assert status == "failed" and "too large to process" in error, (name, error)
    assert "225 megapixels" in got["225mp.png"][1] and "576 megapixels" in got["low_dpi.png"][1]


def table_pdf(path: Path) -> Path:
    return fx.build(
        path,
        [
            fx.title("项目支出绩效目标表"),
            fx.line("（2023年度）    单位：万元"),
            fx.project_table("中小学教师全员培训经费", "某市教师发展中心", "2450.00", "1378.68", "1071.32"),
        ],
    )


def test_a_pdf_that_qpdf_can_repair_is_extracted(tmp_path):
    whole = table_pdf(tmp_path / "whole.pdf")
    data = whole.read_bytes()
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(data[: data.rfind(b"trailer")])  # a download cut off before its trailer
    doc = extract_document(cut)
    assert doc.status == "ok", doc.error
    assert [t.project for t in doc.tables] == [t.project for t in extract_document(whole).tables]
    # beyond repair: still the one-line reason
    (tmp_path / "stub.pdf").write_bytes(data[:300])
    doc = extract_document(tmp_path / "stub.pdf")
    assert doc.status == "failed" and "damaged or truncated PDF" in doc.error


def test_the_same_file_by_relative_then_absolute_path_is_one_document(tmp_path):
    folder, db = tmp_path / "in", tmp_path / "t.duckdb"
    make_corpus(folder, 1)
    doc = folder / "dept_0000.txt"
    env_cwd = tmp_path

    def run(*args: object) -> None:
        proc = run_cli("extract", *args, "--db", db, "-q", cwd=env_cwd)
        assert proc.returncode == 0, proc.stderr

    run("in/dept_0000.txt")
    seed_as(doc, "改过的司法局")  # new bytes
    run(doc.resolve())
    rows = query(
        db, "SELECT d.source_path, t.department FROM documents d JOIN target_tables t USING (doc_id)"
    )
    assert rows == [(str(doc.resolve()), "改过的司法局")]


def test_a_file_rewritten_to_another_documents_bytes_loses_its_old_rows(tmp_path):
    folder, db = tmp_path / "in", tmp_path / "t.duckdb"
    a, b = make_corpus(folder, 2)
    assert extract(folder, "--db", db, "-q").returncode == 0
    shutil.copy(a, b)  # b now holds a's bytes: a copy of document a
    proc = extract(folder, "--db", db)
    assert proc.returncode == 0, proc.stderr
    assert "duplicate 1" in proc.stderr
    rows = query(
        db, "SELECT d.source_path, t.department FROM documents d JOIN target_tables t USING (doc_id)"
    )
    assert [(Path(p).name, dep) for p, dep in rows] == [("dept_0000.txt", "测试0000号司法局")]
    # the same when the copy is extracted alone (its bytes are already loaded: unchanged)
    seed_as(b, "又改了")
    assert extract(folder, "--db", db, "-q").returncode == 0
    shutil.copy(a, b)
    assert extract(b, "--db", db, "-q").returncode == 0
    rows = query(
        db, "SELECT d.source_path, t.department FROM documents d JOIN target_tables t USING (doc_id)"
    )
    assert [(Path(p).name, dep) for p, dep in rows] == [("dept_0000.txt", "测试0000号司法局")]


def test_a_rerun_whose_only_failures_are_old_ones_exits_0(tmp_path):
    folder, db = tmp_path / "in", tmp_path / "t.duckdb"
    make_corpus(folder, 1)
    (folder / "empty.txt").write_bytes(b"")
    assert extract(folder, "--db", db, "-q").returncode == 0
    proc = extract(folder, "--db", db)
    assert "(failed 1, unchanged 1)" in proc.stderr, proc.stderr
    assert proc.returncode == 0
    # only failures in the whole batch: 1
    assert extract(folder / "empty.txt", "--db", tmp_path / "other.duckdb", "-q").returncode == 1


@pytest.mark.parametrize("damage", ["zeroed", "garbage"])
def test_a_damaged_database_is_not_called_in_use(tmp_path, damage):
    db = tmp_path / "t.duckdb"
    assert extract(SEED, "--db", db, "-q").returncode == 0
    data = bytearray(db.read_bytes())
    if damage == "zeroed":
        data[12288 : 12288 + 200_000] = bytes(200_000)
    else:
        data = bytearray(os.urandom(len(data)))
    db.write_bytes(bytes(data))
    proc = extract(SEED, "--db", db)
    assert proc.returncode == 2
    assert "in use" not in proc.stderr and "Traceback" not in proc.stderr
    assert "not a readable DuckDB database" in proc.stderr, proc.stderr
