"""A pool of persistent extraction processes with per-document limits.

Workers are started with the batch's `Settings` (see pipeline/settings.py), so they never
depend on their environment.  The parent hands each worker one document at a time over its
own pipe and watches it: a
document that runs past the timeout or pushes the worker (and its children, e.g. tesseract)
past the memory ceiling is recorded `failed`, the worker is killed and a fresh one takes
its place.  Workers never open the database, so killing one cannot corrupt it.

On Linux workers are forked from a forkserver that has already imported the extractors,
so starting or replacing one costs milliseconds; elsewhere they are spawned.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import signal
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import wait

import psutil

from extractors import reader_modules
from pipeline.batch.lifeline import kill_group
from pipeline.batch.tasks import Outcome, Task, failed_result
from pipeline.settings import Settings

_POLL_SECONDS = 0.1  # how often busy workers' memory is read
_RECYCLE_SHARE = 0.5  # a worker idling above this share of the memory ceiling is replaced
# Each worker is one job: keep native libraries from starting a thread per core in each of them.
_SINGLE_THREAD_ENV = {"OMP_THREAD_LIMIT": "1", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


@dataclass(frozen=True)
class Limits:
    """Per-document limits; 0 means no limit."""

    timeout: float = 300.0
    timeout_per_page: float = 0.0  # added per PDF page: a long scan needs OCR time per page
    timeout_max: float = 3600.0  # hard ceiling, whatever the page count (a small file can claim 10⁵ pages)
    max_memory_mb: int = 1536

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        """The limits a run's settings ask for."""
        return cls(settings.timeout, settings.timeout_per_page, settings.timeout_max, settings.max_memory_mb)

    def budget(self, pages: int) -> float:
        """Seconds a document of `pages` PDF pages may take (0 = no limit)."""
        if self.timeout <= 0:
            return 0.0
        seconds = self.timeout + self.timeout_per_page * max(pages, 0)
        if self.timeout_max > 0:
            seconds = min(seconds, max(self.timeout, self.timeout_max))
        return seconds


def default_jobs() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _context() -> mp.context.BaseContext:
    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["pipeline.batch.worker", *reader_modules()])
        return ctx
    return mp.get_context("spawn")


class _Worker:
    """One worker process and the document it is working on."""

    def __init__(self, ctx: mp.context.BaseContext, settings: Settings) -> None:
        from pipeline.batch.worker import serve

        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(
            target=serve, args=(child, os.getpid(), settings), daemon=True, name="extract-worker"
        )
        self.process.start()
        child.close()
        self.ps = psutil.Process(self.process.pid)
        self.task: Task | None = None
        self.started = 0.0
        self._children: list[psutil.Process] = []
        self._children_checked = 0.0

    def send(self, task: Task) -> None:
        self.conn.send((task.abspath, task.doc_id))
        self.task, self.started = task, time.monotonic()

    def rss_mb(self) -> float:
        """Resident memory of the worker and of what it started (children looked up each second)."""
        now = time.monotonic()
        if now >= self._children_checked + 1.0:
            self._children_checked = now
            try:
                self._children = self.ps.children(recursive=True)
            except psutil.Error:
                self._children = []
        total = 0
        for p in (self.ps, *self._children):
            with contextlib.suppress(psutil.Error):
                total += p.memory_info().rss
        return total / (1 << 20)

    def kill(self) -> None:
        try:
            children = self.ps.children(recursive=True)
        except psutil.Error:
            children = []
        for p in children:
            with contextlib.suppress(psutil.Error):
                p.kill()
        if self.process.is_alive():
            kill_group(self.process.pid)  # the worker leads its group: what it started goes too
            self.process.kill()
        self.process.join(5)
        self.conn.close()

    def stop(self) -> None:
        """Ask an idle worker to exit; kill it if it does not."""
        with contextlib.suppress(OSError):
            self.conn.send(None)
        self.process.join(2)
        self.kill()


class ProcessPool:
    """`jobs` persistent workers extracting with `settings` (None: the defaults) under the limits
    they set; `run(tasks)` yields an Outcome per task as they finish."""

    def __init__(self, jobs: int, settings: Settings | None = None) -> None:
        self.jobs = max(1, jobs)
        self.settings = settings or Settings()
        self.limits = Limits.of(self.settings)
        for key, value in _SINGLE_THREAD_ENV.items():
            os.environ.setdefault(key, value)  # inherited by the forkserver and the workers
        self._ctx = _context()
        self._workers: list[_Worker | None] = [None] * self.jobs
        self.restarts = 0

    def run(self, tasks: Iterable[Task]) -> Iterator[Outcome]:
        todo = iter(tasks)
        exhausted = False
        next_memory_check = 0.0
        while True:
            if not exhausted:
                exhausted = self._feed(todo)
            busy = [w for w in self._workers if w is not None and w.task is not None]
            if not busy:
                return
            ready = wait(
                [w.conn for w in busy] + [w.process.sentinel for w in busy], timeout=self._wait_for(busy)
            )
            for w in busy:
                if w.conn in ready or w.process.sentinel in ready:
                    yield self._collect(w)
            now = time.monotonic()
            check_memory = self.limits.max_memory_mb > 0 and now >= next_memory_check
            if check_memory:
                next_memory_check = now + _POLL_SECONDS
            for w in busy:
                if w.task is None:
                    continue
                if self.limits.timeout > 0 and now - w.started > self._budget(w):
                    yield self._stop(w, f"timed out after {self._budget(w):g} s")
                elif check_memory and w.rss_mb() > self.limits.max_memory_mb:
                    yield self._stop(w, f"exceeded memory limit {self.limits.max_memory_mb} MB")

    def close(self) -> None:
        """Stop every worker (killing busy ones)."""
        for i, w in enumerate(self._workers):
            if w is not None:
                if w.task is None:
                    w.stop()
                else:
                    w.kill()
                self._workers[i] = None

    def __enter__(self) -> ProcessPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _feed(self, todo: Iterator[Task]) -> bool:
        """Give every idle worker a task; True once there are no tasks left."""
        for i, w in enumerate(self._workers):
            if w is not None and w.task is not None:
                continue
            task = next(todo, None)
            if task is None:
                return True
            if w is None or not w.process.is_alive():
                w = self._workers[i] = self._start(w)
            try:
                w.send(task)
            except OSError:  # died while idle: one fresh try
                w = self._workers[i] = self._start(w)
                w.send(task)
        return False

    def _budget(self, w: _Worker) -> float:
        """Seconds a worker's document may take: the timeout plus its share per page."""
        return self.limits.budget(w.task.pages if w.task is not None else 0)

    def _start(self, old: _Worker | None) -> _Worker:
        if old is not None:
            old.kill()
            self.restarts += 1
        return _Worker(self._ctx, self.settings)

    def _wait_for(self, busy: list[_Worker]) -> float:
        wait_s = _POLL_SECONDS if self.limits.max_memory_mb > 0 else 1.0
        if self.limits.timeout > 0:
            first_deadline = min(w.started + self._budget(w) for w in busy)
            wait_s = min(wait_s, first_deadline - time.monotonic())
        return max(0.0, wait_s)

    def _collect(self, w: _Worker) -> Outcome:
        task = w.task
        assert task is not None
        payload = None
        try:
            if w.conn.poll():
                payload = w.conn.recv()
        except (EOFError, OSError):
            payload = None
        if payload is None:
            w.process.join(1)
            return self._stop(w, _crash_reason(w.process.exitcode))
        doc, peak_mb, notes = payload
        doc.source_path = task.path
        w.task = None
        limit = self.limits.max_memory_mb
        if not w.process.is_alive() or (limit > 0 and w.rss_mb() > _RECYCLE_SHARE * limit):
            self._replace(w)
        return Outcome(task, doc, peak_mb, notes)

    def _stop(self, w: _Worker, reason: str) -> Outcome:
        """Kill a worker in the middle of a document; the document is recorded failed."""
        task = w.task
        assert task is not None
        seconds = time.monotonic() - w.started
        w.task = None
        self._replace(w)
        return Outcome(task, failed_result(task, reason, seconds, self.settings), None, [])

    def _replace(self, w: _Worker) -> None:
        i = self._workers.index(w)
        w.kill()
        self.restarts += 1
        self._workers[i] = None  # started again when there is work for it


def _crash_reason(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        if -exitcode == signal.SIGKILL:
            return f"worker process killed ({name}; out of memory?)"
        return f"worker process crashed ({name})"
    return f"worker process exited unexpectedly (exit code {exitcode})"
