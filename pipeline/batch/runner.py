"""Run extraction over many files: plan, extract in parallel, load, report.

Workers (local processes or dask) only extract, with the run's one `Settings` handed to
each of them; this process alone writes the database,
one transaction per document.  A run killed at any moment therefore leaves whole documents
only, and running it again finishes the rest: documents already loaded with status ok by
this extractor version are skipped.
"""

from __future__ import annotations

import contextlib
import logging
import os
import resource
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import duckdb

from pipeline.batch.plan import Skip, discover, plan
from pipeline.batch.pool import ProcessPool, default_jobs
from pipeline.batch.progress import Progress, RunLog, Summary, describe
from pipeline.batch.tasks import Outcome, Task
from pipeline.errors import one_line
from pipeline.model import DocumentResult
from pipeline.paths import absolute, display, file_key
from pipeline.settings import Settings
from pipeline.store.db import open_db
from pipeline.store.errors import StoreError, is_storage_failure
from pipeline.store.load import delete_documents, finished_ids, load_document, path_index, update_source_path

__all__ = ["run", "discover", "describe", "Summary"]

log = logging.getLogger("pipeline")

EXECUTORS = ("processes", "dask")


class Executor(Protocol):
    def run(self, tasks: Iterator[Task]) -> Iterator[Outcome]: ...

    def close(self) -> None: ...


def run(
    inputs: list[str],
    db: str,
    settings: Settings | None = None,
    force: bool = False,
    quiet: bool = False,
    log_dir: str | None = None,
    executor: str = "processes",
    scheduler: str | None = None,
    corrections: str | None = None,
) -> tuple[Summary, int]:
    """Extract every input into `db` with `settings` (None: the defaults; they give the jobs
    and limits too), then apply the corrections file (`corrections`, default corrections.csv
    beside the database).  Returns the summary and the process exit code."""
    start = time.perf_counter()
    settings = settings or Settings()
    problems: list[str] = []
    files = discover(inputs, problems)
    summary = Summary(jobs=settings.jobs or default_jobs(), problems=problems)
    for problem in problems:
        log.warning("warning: %s (its files were not extracted)", problem)
    if not files:
        log.error("no input files found in: %s", " ".join(display(str(i)) for i in inputs))
        return summary, 2
    try:
        con = open_db(db, read_only=False, create=True)
    except StoreError as e:
        log.error("%s", e)
        return summary, 2
    run_log = RunLog(log_dir or os.path.join(os.path.dirname(os.path.abspath(db)), "logs"))
    log.info("%s", settings)
    pool: Executor | None = None
    progress: Progress | None = None
    try:
        pool = _executor(executor, summary.jobs, settings, scheduler)
        progress = Progress(len(files), summary, quiet)
        try:
            _extract_all(con, pool, files, force, summary, progress, settings)
            progress.close()  # what the corrections say goes below the finished bar
            _correct(con, db, corrections, summary)
            _annotate(con)
        except Exception as e:
            if is_storage_failure(e):
                raise StoreError.of(e, db, "write") from e
            raise
    except Exception:
        run_log.record_exception()
        raise
    finally:
        if progress is not None:
            progress.close()
        if pool is not None:
            summary.worker_restarts = getattr(pool, "restarts", 0)
            pool.close()
        with contextlib.suppress(duckdb.Error):  # after a fatal error the file is closed already
            con.close()
        summary.seconds = time.perf_counter() - start
        summary.parent_peak_mb = _peak_mb()
        log.info("summary\n%s", summary.render())
        run_log.close()
    # 1 only when nothing of the batch is usable: documents skipped as unchanged count as good
    all_failed = summary.documents > 0 and summary.statuses.get("failed", 0) == summary.documents
    return summary, 1 if all_failed else 0


def _correct(con: duckdb.DuckDBPyConnection, db: str, path: str | None, summary: Summary) -> None:
    """The analysts' corrections, applied again after every run (pipeline/corrections)."""
    from pipeline.corrections import apply, default_path

    try:
        outcome = apply(con, path or default_path(db), explicit=path is not None)
    except Exception as e:  # noqa: BLE001 - the extraction is committed; the next run applies them
        if is_storage_failure(e):
            raise
        log.error("corrections not applied (the next run tries again): %s", one_line(e))
        return
    for problem in outcome.problems:
        log.warning("warning: %s", problem)
    summary.notes += outcome.lines()


def _annotate(con: duckdb.DuckDBPyConnection) -> None:
    """Region, category and concepts for the new rows, and the views.  Extracted documents are
    already committed: a failure here is logged and the next run (or `connect`) retries."""
    from pipeline.analysis.annotate import refresh

    try:
        refresh(con)
    except Exception as e:  # noqa: BLE001 - derived data only; never lose the extraction for it
        if is_storage_failure(e):
            raise
        log.error("annotation failed (extracted rows are kept; the next run retries): %s", e)


def _extract_all(
    con: duckdb.DuckDBPyConnection,
    pool: Executor,
    files: list[Path],
    force: bool,
    summary: Summary,
    progress: Progress,
    settings: Settings,
) -> None:
    finished = set() if force else finished_ids(con, settings=settings.record())
    unchanged: list[Skip] = []
    stale = _Stale(con)
    for outcome in pool.run(_tasks(plan(files, finished, force), summary, progress, unchanged, stale)):
        _load(con, outcome, summary)
        progress.advance()
    # A document skipped as unchanged loses its rows when a file of this batch at the same
    # path is loaded with new content; such documents are extracted again.
    for outcome in pool.run(_vanished(con, unchanged, summary, progress)):
        _load(con, outcome, summary)
        progress.advance()


def _executor(name: str, jobs: int, settings: Settings, scheduler: str | None) -> Executor:
    if name == "dask":
        from pipeline.batch.dask_executor import DaskExecutor

        return DaskExecutor(settings, scheduler=scheduler, jobs=jobs)
    if name == "processes":
        return ProcessPool(jobs, settings)
    raise ValueError(f"unknown executor {name!r} (choose from {', '.join(EXECUTORS)})")


class _Stale:
    """Rows a file held under other bytes.  A file is one document at a time: when it is skipped
    (its new bytes are already loaded, or are a copy of another file) the rows its path held
    before go; a file that is extracted replaces them itself (`load_document`)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.index = path_index(con)  # a snapshot: a batch names each file once
        self.paths = dict(con.execute("SELECT doc_id, source_path FROM documents").fetchall())

    def drop(self, path: str, doc_id: str) -> None:
        old = sorted(self.index.get(file_key(path), set()) - {doc_id})
        if old:
            with _sigint_deferred():
                delete_documents(self.con, old)
            log.info("replaced %s: its earlier content (%d document(s)) removed", display(path), len(old))

    def relocate(self, path: str, doc_id: str) -> None:
        """An unchanged document recorded under a relative path (older versions) gets its
        absolute one, without being extracted again."""
        if self.paths.get(doc_id) not in (None, display(absolute(path))):
            with _sigint_deferred():
                if update_source_path(self.con, doc_id, path):
                    log.info("recorded %s under its absolute path", display(path))


def _tasks(
    items: Iterator[Task | Skip], summary: Summary, progress: Progress, unchanged: list[Skip], stale: _Stale
) -> Iterator[Task]:
    """The tasks of a plan; skipped documents are counted and logged on the way."""
    for item in items:
        if isinstance(item, Skip):
            stale.drop(item.path, item.doc_id)
            if item.duplicate:
                summary.duplicates += 1
                log.info("duplicate %s (%s)", display(item.path), display(item.reason))
            else:
                summary.skipped += 1
                stale.relocate(item.path, item.doc_id)
                log.info("unchanged %s (%s)", display(item.path), item.reason)
                unchanged.append(item)
            progress.advance()
        else:
            yield item


def _vanished(
    con: duckdb.DuckDBPyConnection, unchanged: list[Skip], summary: Summary, progress: Progress
) -> Iterator[Task]:
    ids = [s.doc_id for s in unchanged]
    if not ids:
        return
    sql = "SELECT doc_id FROM documents WHERE list_contains(?, doc_id)"
    present = {r[0] for r in con.execute(sql, [ids]).fetchall()}
    for skip in unchanged:
        if skip.doc_id not in present:
            summary.skipped -= 1
            progress.bar.total += 1
            try:
                size = os.path.getsize(skip.path)
            except OSError:
                size = None
            yield Task(-1, skip.path, skip.doc_id, size)


def _load(con: duckdb.DuckDBPyConnection, outcome: Outcome, summary: Summary) -> None:
    """Store one result; a result the database refuses is stored as a failed document."""
    doc = outcome.doc
    try:
        with _sigint_deferred():
            load_document(con, doc)
    except Exception as e:  # noqa: BLE001 - one document's bad value never stops the batch
        if is_storage_failure(e):
            raise  # a full disk fails every document after this one: stop and say so
        error = f"internal error: cannot store the result: {type(e).__name__}: {one_line(str(e), 200)}"
        doc = DocumentResult.failed(doc.source_path, error, prior=doc)
        with _sigint_deferred():
            load_document(con, doc)
    summary.add(doc, outcome.worker_peak_mb)
    log.info(describe(doc, outcome.worker_peak_mb))
    for note in outcome.notes:
        log.info("  note: %s", note)


@contextlib.contextmanager
def _sigint_deferred() -> Iterator[None]:
    """Ctrl-C while a document is being written takes effect once it is committed."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if received:
        raise KeyboardInterrupt


def _peak_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1 << 20) if sys.platform == "darwin" else peak / 1024
