"""The tests' in-process CLI runner (`run_cli`) answers as a real `python -m pipeline` process
does, and leaves this process as it found it."""

from __future__ import annotations

import logging
import os
import signal

from tests.conftest import ROOT, run_cli, run_process

SEED = ROOT / "data" / "raw" / "kuerle_sifaju_2020_overall.txt"


def _state() -> tuple:
    root, pipeline = logging.getLogger(), logging.getLogger("pipeline")
    return (
        os.getcwd(),
        dict(os.environ),
        signal.getsignal(signal.SIGINT),
        root.level,
        [(h, h.level) for h in root.handlers],
        pipeline.level,
        list(pipeline.handlers),
    )


def test_in_process_answers_as_the_real_command(tmp_path):
    db = tmp_path / "t.duckdb"
    before = _state()
    extracted = run_cli("extract", SEED, "--db", db)
    assert _state() == before
    assert extracted.returncode == 0 and "documents: 1 (ok 1)" in extracted.stderr, extracted.stderr
    for args in (
        ("query", "SELECT name, value_raw FROM indicators ORDER BY 1", "--db", db, "--csv"),
        ("checks", "--db", db),
        ("extract", SEED, "--jobs", "0"),  # argparse: exit 2 and usage on stderr
        ("query", "SELECT * FROM nowhere", "--db", db),
        ("--version",),
    ):
        here, real = run_cli(*args), run_process(*args)
        assert (here.returncode, here.stdout, here.stderr) == (real.returncode, real.stdout, real.stderr), (
            args
        )
        assert _state() == before


def test_log_lines_go_to_the_runs_own_stderr_and_nothing_stays_behind(tmp_path):
    """What the run logs (no input files in an empty folder) reaches its stderr through the console
    handler the CLI sets up, as in a real process; that handler is gone afterwards."""
    (tmp_path / "empty").mkdir()
    handlers = list(logging.getLogger().handlers)
    args = ("extract", tmp_path / "empty", "--db", tmp_path / "t.duckdb", "-q")
    here, real = run_cli(*args), run_process(*args)
    assert here.returncode == 2 and "no input files found in:" in here.stderr, here.stderr
    assert (here.returncode, here.stdout, here.stderr) == (real.returncode, real.stdout, real.stderr)
    assert logging.getLogger().handlers == handlers
