"""Shared test fixtures: paths to the shared corpus (skipped cleanly where it is absent)."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import signal
import subprocess
import sys
import traceback
import warnings
from collections.abc import Iterator
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


def run_cli(
    *args: object, check: bool = False, env: dict[str, str] | None = None, cwd: Path = ROOT
) -> subprocess.CompletedProcess:
    """`python -m pipeline ARGS` as a user runs it, called in this process (`pipeline.cli.main`):
    no interpreter start-up and imports per call, and the extraction workers come from one
    forkserver for the whole session.  Run from `cwd` (the clone by default).  Exit status,
    stdout and stderr as the real command gives them (an uncaught exception: status 1 and its
    traceback on stderr).

    An `env` applies to this call: the CLI reads its settings from it and hands them to the
    workers, which never read their own environment (the forkserver's is the session's).  A real
    process (`run_process`) for `extract --executor dask` instead (a client with global state).
    What the workers themselves print is not in stderr here: tests of that use `run_process`."""
    argv = [str(a) for a in args]
    real = argv[:1] == ["extract"] and "dask" in argv
    proc = run_process(*argv, env=env, cwd=cwd) if real else _run_in_process(argv, env or {}, cwd)
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def run_process(
    *args: object, env: dict[str, str] | None = None, cwd: Path = ROOT, timeout: float = 600
) -> subprocess.CompletedProcess:
    """A real `python -m pipeline ARGS` process: for tests of process behaviour (signals, exit
    of the interpreter, workers' output, limits) and of environments this session does not have."""
    path = {} if Path(cwd) == ROOT else {"PYTHONPATH": str(ROOT)}  # this clone's pipeline from elsewhere
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **path, **(env or {})},
    )


def _run_in_process(argv: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    from pipeline.cli import main

    out, err = _Stream(), _Stream()
    with _fresh_process_state(env, cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        _console_warnings()
        try:
            code = main(argv)
        except SystemExit as e:  # argparse: --help, --version, bad arguments
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
            if not isinstance(e.code, int | None):
                print(e.code, file=sys.stderr)
        except Exception:  # noqa: BLE001 - what the interpreter does with an uncaught exception
            traceback.print_exc()
            code = 1
    return subprocess.CompletedProcess(["python", "-m", "pipeline", *argv], code, out.text(), err.text())


class _Stream(io.TextIOWrapper):
    """A UTF-8 stream (what tqdm and print see on a pipe) read back as `subprocess.run(text=True)`
    decodes a pipe: universal newlines."""

    def __init__(self) -> None:
        super().__init__(io.BytesIO(), encoding="utf-8", write_through=True)

    def text(self) -> str:
        self.flush()
        return io.TextIOWrapper(io.BytesIO(self.buffer.getvalue()), encoding="utf-8").read()


def _console_warnings() -> None:
    """Python warnings go to (the captured) stderr, as in a fresh interpreter, not to pytest."""

    def show(message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ANN001
        sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))

    warnings.resetwarnings()
    warnings.simplefilter("default")
    warnings.showwarning = show


@contextlib.contextmanager
def _fresh_process_state(env: dict[str, str], cwd: Path) -> Iterator[None]:
    """Run as in a fresh `python -m pipeline` started here, then put back what the CLI changes:
    cwd, environment, logging (the root logger gets a console handler on the captured stderr,
    pytest's handlers are set aside meanwhile), warning filters, SIGINT, sys.unraisablehook."""
    old_cwd, environ, hook = os.getcwd(), dict(os.environ), sys.unraisablehook
    sigint = signal.getsignal(signal.SIGINT)
    root = logging.getLogger()
    loggers = [
        root,
        *(lg for lg in logging.Logger.manager.loggerDict.values() if isinstance(lg, logging.Logger)),
    ]
    saved = [(lg, lg.level, list(lg.handlers), [h.level for h in lg.handlers]) for lg in loggers]
    root.handlers = []
    os.chdir(cwd)
    os.environ.update(env)
    try:
        with warnings.catch_warnings():
            yield
    finally:
        for lg, level, handlers, handler_levels in saved:
            for h in lg.handlers:
                if h not in handlers:
                    h.close()
            lg.setLevel(level)
            lg.handlers = handlers
            for h, hl in zip(handlers, handler_levels, strict=True):
                h.setLevel(hl)
        signal.signal(signal.SIGINT, sigint)
        sys.unraisablehook = hook
        os.environ.clear()
        os.environ.update(environ)
        os.chdir(old_cwd)


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
def real_db(tmp_path_factory) -> Path:
    """A database extracted from the shared corpus's real documents and the seed sample (skipped
    where the corpus is absent); built once per test session.  Read it, do not change it."""
    folders = [corpus_dir(name) for name in ("real", "seed")]
    db = tmp_path_factory.mktemp("real-db") / "real.duckdb"
    run_cli("extract", *folders, "--db", db, "--quiet", check=True)
    return db


@pytest.fixture(scope="session")
def corpus_db(real_db, tmp_path_factory) -> Path:
    """`real_db` plus the shared corpus's unlabeled real documents: a copy of it to which a run
    over all three folders adds them (the others are skipped as unchanged); built once per test
    session.  Read it, do not change it."""
    import shutil

    folders = [corpus_dir(name) for name in ("real", "real-unlabeled", "seed")]
    db = tmp_path_factory.mktemp("corpus-db") / "corpus.duckdb"
    for suffix in ("", ".wal"):
        if real_db.with_name(real_db.name + suffix).exists():
            shutil.copy(real_db.with_name(real_db.name + suffix), db.with_name(db.name + suffix))
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
