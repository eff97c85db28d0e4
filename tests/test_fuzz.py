"""Fuzz: generated bad inputs mixed with good files, and faults around a batch (`make fuzz`).

Every bad input must end as a `documents` row with a one-line reason (or be left out, for
files that are never documents), the good files must land, and no run may print a traceback
or hang.  Every fault must give a one-line reason and leave the database whole.
"""

from __future__ import annotations

import io
import os
import random
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest

from tests.conftest import ROOT, grow, query, run_cli, without_root_bypass
from tests.test_bad_input import _reportlab_pdf
from tests.test_batch import SEED, SEED_DEPARTMENT, dump, extract, extract_process, make_corpus, slow_dump
from tests.test_faults import wait_for_busy_workers

pytestmark = [pytest.mark.slow, pytest.mark.fuzz]

ANY = {"failed", "no_tables"}
FAILED = {"failed"}
# name → (how to make it, statuses allowed, words its reason must contain)
Maker = Callable[[Path], None]


def _write(data: bytes) -> Maker:
    return lambda p: p.write_bytes(data)


def _pdf_bytes() -> bytes:
    buf = Path(os.environ.get("TMPDIR", "/tmp")) / f"fuzz-{os.getpid()}.pdf"
    _reportlab_pdf(buf, "部门预算说明")
    data = buf.read_bytes()
    buf.unlink()
    return data


def _image(fmt: str, size: tuple[int, int], mode: str = "L", dpi: int | None = None) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    im = Image.new(mode, size, 255 if mode != "1" else 1)
    kwargs = {"dpi": (dpi, dpi)} if dpi else {}
    im.save(out, format=fmt, **kwargs)
    return out.getvalue()


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return out.getvalue()


def _flip(data: bytes, n: int, seed: int) -> bytes:
    rnd = random.Random(seed)
    b = bytearray(data)
    for _ in range(n):
        i = rnd.randrange(len(b))
        b[i] ^= 1 << rnd.randrange(8)
    return bytes(b)


def _fifo(p: Path) -> None:
    os.mkfifo(p)


def _link(target: str) -> Maker:
    return lambda p: p.symlink_to(target)


def _loop(p: Path) -> None:
    p.symlink_to(p.with_name(p.name + ".2"))
    p.with_name(p.name + ".2").symlink_to(p)


def _locked(p: Path) -> None:
    p.write_bytes(SEED.read_bytes())
    p.chmod(0)


def bad_inputs() -> dict[str, tuple[Maker, set[str], str]]:
    pdf = _pdf_bytes()
    seed = SEED.read_bytes()
    png = _image("PNG", (800, 1100))
    jpg = _image("JPEG", (800, 1100))
    tif = _image("TIFF", (800, 1100))
    xlsx_like = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook"})
    cases: dict[str, tuple[Maker, set[str], str]] = {
        "empty.txt": (_write(b""), FAILED, "empty"),
        "empty.pdf": (_write(b"   \n"), FAILED, "empty"),
        "blanks.txt": (_write(b" \n\t\n" * 100), FAILED, "empty"),
        "nul.txt": (_write(b"\x00" * 5000), FAILED, "binary"),
        "random.dat": (_write(random.Random(1).randbytes(20000)), FAILED, "binary"),
        "bytes.txt": (_write(bytes(range(256)) * 40), FAILED, "binary"),
        "latin1.txt": (_write("d\xe9partement r\xe9sum\xe9\n".encode("latin-1") * 200), ANY, ""),
        "one_long_line.txt": (_write(b"a" * 3_000_000), ANY, ""),
        "utf16_junk.txt": (_write("\ufeff乱码\t数据\n".encode("utf-16") * 50), ANY, "no performance-target"),
        "page.pdf": (_write(b"<!DOCTYPE html><html><body>404</body></html>"), FAILED, "HTML"),
        "doc.docx": (_write(_zip({"word/document.xml": b"<w:document/>"})), FAILED, "Word"),
        "archive.zip": (_write(_zip({"a.txt": b"hello"})), FAILED, "zip archive"),
        "zipslip.xlsx": (_write(_zip({"../../../../tmp/evil.txt": b"x", "xl/x": b"y"})), FAILED, ""),
        "broken.xlsx": (_write(b"PK\x03\x04" + b"\x00" * 200), FAILED, "unreadable"),
        "half.xlsx": (_write(xlsx_like[: len(xlsx_like) // 2]), FAILED, ""),
        "fake.xls": (_write(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000), FAILED, ""),
        "header_only.pdf": (_write(b"%PDF-1.7\n"), FAILED, "damaged or truncated"),
        "cut20.pdf": (_write(pdf[:20]), FAILED, "damaged or truncated"),
        "cut200.pdf": (_write(pdf[:200]), FAILED, "damaged or truncated"),
        "cut_before_trailer.pdf": (_write(pdf[: pdf.rfind(b"trailer")]), {"no_tables"}, "no performance"),
        "flipped1.pdf": (_write(_flip(pdf, 8, 1)), ANY, ""),
        "flipped2.pdf": (_write(_flip(pdf, 40, 2)), ANY, ""),
        "flipped3.pdf": (_write(_flip(pdf, 200, 3)), ANY, ""),
        "garbage.pdf": (_write(b"%PDF-1.7\n" + b"\x00garbage" * 100), FAILED, "damaged or truncated"),
        "locked.pdf": (lambda p: _reportlab_pdf(p, "x", encrypt="secret"), FAILED, "encrypted"),
        "cut.png": (_write(png[: len(png) // 3]), FAILED, "image"),
        "cut.jpg": (_write(jpg[:300]), FAILED, "image"),
        "cut.tif": (_write(tif[:200]), FAILED, "image"),
        "flipped.png": (_write(_flip(png, 30, 4)), ANY, ""),
        "tiny.png": (_write(_image("PNG", (10, 10))), FAILED, "too small"),
        "bomb.png": (_write(_image("PNG", (25_000, 25_000), mode="1")), FAILED, "too large"),
        "low_dpi.png": (_write(_image("PNG", (6_000, 6_000), mode="1", dpi=50)), FAILED, "too large"),
        "image_as.txt": (_write(png), ANY, ""),
        "fifo.txt": (_fifo, FAILED, "not a regular file: a FIFO"),
        "zero.pdf": (_link("/dev/zero"), FAILED, "not a regular file: a character device"),
        "null.txt": (_link("/dev/null"), FAILED, "not a regular file: a character device"),
        "dangling.txt": (_link("/nonexistent/file.txt"), FAILED, "cannot read the file"),
        "loop.txt": (_loop, FAILED, "cannot read the file"),
        "unreadable.txt": (_locked, FAILED, "Permission denied"),
        "new\nline.txt": (_write(b"\x00\x02" * 64), FAILED, "binary"),
        "bad_\udcff_name.txt": (_write(b"\x00\x01" * 100), FAILED, "binary"),  # byte 0xff: not UTF-8
        "deep/" + "/".join(["d"] * 40) + "/junk.txt": (_write(b"\x00" * 300), FAILED, "binary"),
        "header_no_rows.txt": (
            _write("部门(单位)整体支出绩效目标表\n".encode()),
            {"no_tables"},
            "no performance",
        ),
        "truncated_seed.txt": (_write(seed[: len(seed) // 3]), {"no_tables", "ok", "partial"}, ""),
    }
    return cases


# Files in an input folder that are never documents: left out, not reported.
NOT_DOCUMENTS = {".hidden.txt": b"\x00junk", "notes.md": b"# notes", "manifest.csv": b"a,b"}


def make_fuzz_folder(folder: Path) -> dict[str, tuple[set[str], str]]:
    """The bad inputs, two good files and files that are not documents; returns the expected
    outcome (statuses, reason words) by displayed base name.  Each bad input has bytes of its
    own (a copy of another would be skipped as a duplicate)."""
    folder.mkdir(parents=True)
    expected = {}
    for name, (make, statuses, words) in bad_inputs().items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        make(path)
        shown = os.fsencode(path.name).decode("utf-8", "backslashreplace")
        expected[shown] = (statuses, words)
        if make is _loop:  # its partner link is an input too
            expected[shown + ".2"] = (statuses, words)
    for name, data in NOT_DOCUMENTS.items():
        (folder / name).write_bytes(data)
    make_corpus(folder, 2, start=9000)
    return expected


def by_name(db: Path) -> dict[str, tuple[str, str | None]]:
    return {
        p.rsplit("/", 1)[-1]: (s, e)
        for p, s, e in query(db, "SELECT source_path, status, error FROM documents")
    }


def test_fuzz_bad_inputs_each_get_a_reason_and_the_good_files_land(tmp_path):
    folder, db = tmp_path / "in", tmp_path / "t.duckdb"
    expected = make_fuzz_folder(folder)
    proc = subprocess.run(
        [*without_root_bypass(), sys.executable, "-m", "pipeline", "extract", str(folder), "--db", str(db)]
        + ["--jobs", "2", "--timeout", "120"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    got = by_name(db)
    assert got.pop("dept_9000.txt") == ("ok", None) and got.pop("dept_9001.txt") == ("ok", None)
    outcomes = []
    for name, (statuses, words) in expected.items():
        status, error = got.pop(name, (None, None))
        outcomes.append(f"{name!r}: {status}: {error}")
        assert status in statuses, (name, status, error)
        if status == "ok":  # what was left of a cut file still held its table
            continue
        assert error and "\n" not in error and len(error) <= 500, (name, error)
        assert words in error and "Traceback" not in error, (name, error)
    assert not got, f"not expected in the database: {sorted(got)}"  # hidden files, notes, manifests
    assert len(expected) >= 40
    print(f"\n{len(expected)} bad inputs + 2 good files:\n  " + "\n  ".join(outcomes))


# --- faults ------------------------------------------------------------------------------------


def good_batch(folder: Path, n: int = 40) -> None:
    make_corpus(folder, n)
    (folder / "empty.txt").write_bytes(b"")


def one_line(stderr: str, words: str) -> None:
    assert "Traceback" not in stderr and "Logging error" not in stderr, stderr[-2000:]
    lines = [ln for ln in stderr.splitlines() if words in ln]
    assert len(lines) == 1, stderr[-2000:]


def fault_disk_full_db(tmp: Path, small_disk) -> None:
    good_batch(tmp / "in", 150)
    disk = small_disk(1024)
    proc = extract(tmp / "in", "--db", disk / "t.duckdb", "--jobs", "2", "-q")
    assert proc.returncode == 2
    one_line(proc.stderr, "No space left on device")
    grow(disk, 64 * 1024)
    assert extract(tmp / "in", "--db", disk / "t.duckdb", "-q").returncode == 0
    assert extract(tmp / "in", "--db", tmp / "clean.duckdb", "-q").returncode == 0
    assert dump(disk / "t.duckdb") == dump(tmp / "clean.duckdb")


def fault_disk_full_log(tmp: Path, small_disk) -> None:
    good_batch(tmp / "in")
    logs = small_disk(64)
    st = os.statvfs(logs)
    (logs / "filler").write_bytes(bytes(st.f_bavail * st.f_frsize))
    proc = extract(tmp / "in", "--db", tmp / "t.duckdb", "--log-dir", logs)
    assert proc.returncode == 0
    one_line(proc.stderr, "run log stopped")


def fault_database_in_use(tmp: Path, small_disk) -> None:
    good_batch(tmp / "in", 2)
    db = tmp / "t.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb,time; c=duckdb.connect({str(db)!r}); print(1,flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        holder.stdout.readline()
        proc = extract(tmp / "in", "--db", db)
        export = run_cli("export", "--out", tmp / "x", "--db", db)
    finally:
        holder.kill()
        holder.wait()
    assert proc.returncode == 2 and export.returncode == 2
    one_line(proc.stderr, "in use by another process")
    one_line(export.stderr, "being written by another process")


def fault_database_damaged(tmp: Path, small_disk) -> None:
    db = tmp / "t.duckdb"
    db.write_bytes(os.urandom(300_000))
    for args in (
        ["extract", SEED, "--db", db],
        ["checks", "--db", db],
        ["export", "--out", tmp / "x", "--db", db],
    ):
        proc = run_cli(*args)
        assert proc.returncode == 2
        one_line(proc.stderr, "not a readable DuckDB database")
        assert "in use" not in proc.stderr


def fault_database_truncated(tmp: Path, small_disk) -> None:
    good_batch(tmp / "in", 30)
    db = tmp / "t.duckdb"
    assert extract(tmp / "in", "--db", db, "-q").returncode == 0
    db.write_bytes(db.read_bytes()[: db.stat().st_size // 2])
    for args in (
        ["checks", "--db", db],
        ["report", "--db", db, "--out", tmp / "r.html"],
        ["export", "--format", "xlsx", "--out", tmp / "x", "--db", db],
        ["query", "SELECT max(name) FROM indicators", "--db", db],
    ):
        proc = run_cli(*args)
        assert proc.returncode == 2, args
        assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def fault_database_folder_read_only(tmp: Path, small_disk) -> None:
    good_batch(tmp / "in", 2)
    ro = tmp / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        proc = subprocess.run(
            [*without_root_bypass(), sys.executable, "-m", "pipeline", "extract", str(tmp / "in")]
            + ["--db", str(ro / "t.duckdb")],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        ro.chmod(0o755)
    assert proc.returncode == 2
    one_line(proc.stderr, "cannot open the database")


def fault_worker_crash(tmp: Path, small_disk) -> None:
    good_batch(tmp / "in", 3)
    slow_dump(tmp / "in" / "a_slow.txt")
    db = tmp / "t.duckdb"
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "extract", str(tmp / "in"), "--db", str(db), "--jobs", "1", "-q"],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    busy = wait_for_busy_workers(proc)
    busy[0].send_signal(signal.SIGSEGV)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert by_name(db)["a_slow.txt"] == ("failed", "worker process crashed (SIGSEGV)")


def fault_timeout_and_memory(tmp: Path, small_disk) -> None:
    good_batch(tmp / "in", 3)
    slow_dump(tmp / "in" / "slow.txt")
    (tmp / "in" / "huge.txt").write_text(
        "部门(单位)整体支出绩效目标表\n" + ("指标\t" * 250_000 + "\n") * 8, encoding="utf-8"
    )
    db = tmp / "t.duckdb"
    proc = extract_process(
        tmp / "in", "--db", db, "--jobs", "2", "--timeout", "2", "--max-memory-mb", "400", "-q"
    )
    assert proc.returncode == 0, proc.stderr
    got = by_name(db)
    assert got["slow.txt"][1] == "timed out after 2 s"
    assert got["huge.txt"][1] in ("exceeded memory limit 400 MB", "timed out after 2 s")
    assert got["dept_0000.txt"] == ("ok", None)


def fault_sigint_then_rerun(tmp: Path, small_disk) -> None:
    good_batch(tmp / "in", 120)
    db = tmp / "t.duckdb"
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "extract", str(tmp / "in"), "--db", str(db), "-q"],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(4)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode in (0, 130), err
    assert "Traceback" not in err
    assert extract(tmp / "in", "--db", db, "-q").returncode == 0
    assert extract(tmp / "in", "--db", tmp / "clean.duckdb", "-q").returncode == 0
    assert dump(db) == dump(tmp / "clean.duckdb")


def fault_sigkill_then_rerun(tmp: Path, small_disk) -> None:
    good_batch(tmp / "in", 120)
    db = tmp / "t.duckdb"
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "extract", str(tmp / "in"), "--db", str(db), "-q"], cwd=ROOT
    )
    time.sleep(4)
    kids = psutil.Process(proc.pid).children(recursive=True)
    proc.kill()
    proc.wait()
    _, alive = psutil.wait_procs(kids, timeout=15)
    assert not alive
    assert extract(tmp / "in", "--db", db, "-q").returncode == 0
    assert extract(tmp / "in", "--db", tmp / "clean.duckdb", "-q").returncode == 0
    assert dump(db) == dump(tmp / "clean.duckdb")


def fault_export_full_disk(tmp: Path, small_disk) -> None:
    good_batch(tmp / "in", 60)
    assert extract(tmp / "in", "--db", tmp / "t.duckdb", "-q").returncode == 0
    disk = small_disk(256)
    st = os.statvfs(disk)
    (disk / "filler").write_bytes(bytes(st.f_bavail * st.f_frsize - 4096))  # 4 KB left
    for fmt in ("parquet", "csv", "xlsx"):
        proc = run_cli("export", "--format", fmt, "--out", disk / fmt, "--db", tmp / "t.duckdb")
        assert proc.returncode == 2
        one_line(proc.stderr, "No space left on device")
        assert not list((disk / fmt).glob(".export-*"))


def fault_export_over_user_files(tmp: Path, small_disk) -> None:
    good_batch(tmp / "in", 2)
    assert extract(tmp / "in", "--db", tmp / "t.duckdb", "-q").returncode == 0
    out = tmp / "out"
    (out / "checks").mkdir(parents=True)
    (out / "checks" / "mine.txt").write_text("keep", encoding="utf-8")
    proc = run_cli("export", "--out", out, "--db", tmp / "t.duckdb")
    assert proc.returncode == 2
    one_line(proc.stderr, "did not write")
    assert (out / "checks" / "mine.txt").read_text(encoding="utf-8") == "keep"


def fault_query_escape(tmp: Path, small_disk) -> None:
    db = tmp / "t.duckdb"
    assert extract(SEED, "--db", db, "-q").returncode == 0
    target = tmp / "written.csv"
    for sql in (
        f"COPY (SELECT 1) TO '{target}'",
        "SELECT * FROM read_text('/etc/passwd')",
        "SELECT 1; SELECT 2",
    ):
        proc = run_cli("query", sql, "--db", db)
        assert proc.returncode == 2 and proc.stderr.startswith("query failed:")
    assert not target.exists()


def fault_same_file_two_names(tmp: Path, small_disk) -> None:
    folder, db = tmp / "in", tmp / "t.duckdb"
    good_batch(folder, 2)
    assert extract(folder / "dept_0000.txt", "--db", db, "-q").returncode == 0
    (folder / "dept_0000.txt").write_text(
        SEED.read_text(encoding="utf-8").replace(SEED_DEPARTMENT, "改名局"), encoding="utf-8"
    )
    link = tmp / "alias.txt"
    link.symlink_to(folder / "dept_0000.txt")
    assert extract(link, "--db", db, "-q").returncode == 0
    assert query(db, "SELECT count(*) FROM documents") == [(1,)]


FAULTS = {name.removeprefix("fault_"): f for name, f in list(globals().items()) if name.startswith("fault_")}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_fuzz_fault(fault, tmp_path, small_disk):
    FAULTS[fault](tmp_path, small_disk)


def test_fuzz_counts():
    """The figures `make fuzz` stands for (kept in step with the lists above)."""
    assert len(bad_inputs()) >= 40 and len(FAULTS) >= 14
