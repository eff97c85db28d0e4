"""Shared test fixtures: paths to the shared corpus (skipped cleanly where it is absent)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PERF_TARGETS_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "corpus"
SCORER = SHARED / "tools" / "score_extraction.py"


@pytest.fixture(scope="session", autouse=True)
def _ocr_cache(tmp_path_factory):
    """OCR results of test runs go to a temporary cache, not data/processed/cache."""
    old = os.environ.get("PERF_TARGETS_OCR_CACHE")
    os.environ["PERF_TARGETS_OCR_CACHE"] = str(tmp_path_factory.mktemp("ocr-cache"))
    yield
    if old is None:
        os.environ.pop("PERF_TARGETS_OCR_CACHE", None)
    else:
        os.environ["PERF_TARGETS_OCR_CACHE"] = old


def corpus_dir(name: str) -> Path:
    """A folder of the shared corpus, or skip the test where the corpus is not beside the clone."""
    d = CORPUS / name
    if not d.is_dir():
        pytest.skip(f"shared corpus not found at {d}")
    return d


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "targets.duckdb"


def run_cli(*args: str, check: bool = False) -> subprocess.CompletedProcess:
    """`python -m pipeline ARGS` as a user runs it."""
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def score(gold_dir: Path, db: Path) -> dict:
    """The shared scorer's figures for a database (runs the real tool)."""
    import json

    out = db.with_suffix(".score.json")
    proc = subprocess.run(
        [sys.executable, str(SCORER), str(gold_dir), str(db), "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    figures = json.loads(out.read_text(encoding="utf-8"))
    figures["stdout"] = proc.stdout
    return figures


@pytest.fixture(scope="session")
def corpus_db(tmp_path_factory) -> Path:
    """A database extracted from the shared corpus's real documents and the seed sample (skipped
    where the corpus is absent); built once per test session."""
    folders = [corpus_dir(name) for name in ("real", "real-unlabeled", "seed")]
    db = tmp_path_factory.mktemp("corpus-db") / "corpus.duckdb"
    run_cli("extract", *folders, "--db", db, "--quiet", check=True)
    return db


@pytest.fixture
def small_disk(tmp_path):
    """A folder on a real filesystem of a few hundred KB (tmpfs): writes past it fail with
    "No space left on device".  `small_disk(kb)` mounts it; needs root (skipped otherwise)."""
    mounts: list[Path] = []

    def mount(kb: int) -> Path:
        where = tmp_path / f"disk{len(mounts)}"
        where.mkdir()
        proc = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={kb}k", "tmpfs", str(where)], capture_output=True, text=True
        )
        if proc.returncode != 0:
            pytest.skip(f"cannot mount a small filesystem here (needs root): {proc.stderr.strip()}")
        mounts.append(where)
        return where

    yield mount
    for where in mounts:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def grow(disk: Path, kb: int) -> None:
    """Give a `small_disk` more room (the user freed space)."""
    subprocess.run(["mount", "-o", f"remount,size={kb}k", str(disk)], check=True)


def without_root_bypass() -> list[str]:
    """A command prefix under which permission bits apply even to root (root reads every folder
    otherwise): setpriv drops the capabilities that bypass them."""
    if os.geteuid() != 0:
        return []
    caps = "-dac_override,-dac_read_search"
    return ["setpriv", f"--inh-caps={caps}", f"--bounding-set={caps}", "--"]
