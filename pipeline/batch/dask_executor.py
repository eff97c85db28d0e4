"""Extraction on a dask.distributed cluster: workers run `extract_document`, the client loads.

Every worker must see the input files at the same absolute paths (a shared filesystem)
and run the same version of this project.  The database is only ever opened by the client.
Each task carries the client's `Settings`: a worker extracts with them, whatever its own
environment says.

Limits: a document that runs past the timeout is reported `failed` by the task itself and
the worker that ran it is restarted (its nanny starts a fresh process), which stops the
runaway extraction.  Memory is the nanny's job: start workers with `--memory-limit`; a
document that gets a worker killed is reported `failed` once dask gives up on it.
"""

from __future__ import annotations

import itertools
import logging
import time
import uuid
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout

from pipeline import EXTRACTOR_VERSION
from pipeline.batch.pool import Limits
from pipeline.batch.tasks import Outcome, Task, failed_result
from pipeline.errors import one_line
from pipeline.extract import extract_document
from pipeline.model import DocumentResult
from pipeline.settings import Settings

log = logging.getLogger("pipeline")

_TIMED_OUT = "timed out after"


def extract_with_timeout(
    path: str, doc_id: str | None, timeout: float, settings: Settings | None = None
) -> DocumentResult:
    """The per-document function a dask worker runs: `extract_document` with the client's
    settings (None: the defaults) under a time limit."""
    settings = settings or Settings()
    if timeout <= 0:
        return extract_document(path, doc_id=doc_id, settings=settings)
    pool = ThreadPoolExecutor(1, thread_name_prefix="extract")
    start = time.perf_counter()
    try:
        return pool.submit(extract_document, path, doc_id, settings).result(timeout=timeout)
    except FuturesTimeout:
        task = Task(0, path, doc_id)
        return failed_result(task, f"{_TIMED_OUT} {timeout:g} s", time.perf_counter() - start, settings)
    finally:
        pool.shutdown(wait=False)  # a runaway thread dies with the worker the client restarts


def _version() -> str:
    return EXTRACTOR_VERSION


class DaskExecutor:
    """Runs tasks on a dask cluster: `scheduler` address, or a LocalCluster of `jobs` workers;
    every task is extracted with `settings` (None: the defaults), under the limits they set."""

    def __init__(
        self,
        settings: Settings | None = None,
        scheduler: str | None = None,
        jobs: int | None = None,
    ) -> None:
        from distributed import Client, LocalCluster

        self.settings = settings or Settings()
        self.limits = Limits.of(self.settings)
        self._cluster = None
        if scheduler:
            self.client = Client(scheduler)  # gives up after distributed.comm.timeouts.connect
        else:
            memory = f"{self.limits.max_memory_mb}MiB" if self.limits.max_memory_mb > 0 else "auto"
            self._cluster = LocalCluster(
                n_workers=jobs or 1, threads_per_worker=1, memory_limit=memory, dashboard_address=None
            )
            self.client = Client(self._cluster)
        self._check_versions()

    @classmethod
    def from_client(cls, client: object, settings: Settings | None = None) -> DaskExecutor:
        """Use an existing `distributed.Client` (which stays open after `close`)."""
        self = cls.__new__(cls)
        self._cluster, self.client = None, client
        self.settings = settings or Settings()
        self.limits = Limits.of(self.settings)
        self._borrowed = True
        self._check_versions()
        return self

    def _check_versions(self) -> None:
        versions = set(self.client.run(_version).values())
        if versions - {EXTRACTOR_VERSION}:
            raise RuntimeError(
                f"dask workers run extractor version(s) {', '.join(sorted(versions))}, "
                f"this client {EXTRACTOR_VERSION}: install the same version everywhere"
            )

    def _window(self) -> int:
        threads = sum(self.client.nthreads().values()) or 1
        return max(4, 2 * threads)

    def run(self, tasks: Iterable[Task]) -> Iterator[Outcome]:
        from distributed import as_completed

        todo = iter(tasks)
        running: dict[object, Task] = {}
        done = as_completed()
        run_id = uuid.uuid4().hex[:8]
        numbers = itertools.count()

        def submit_next() -> bool:
            task = next(todo, None)
            if task is None:
                return False
            fut = self.client.submit(
                extract_with_timeout,
                task.abspath,
                task.doc_id,
                self.limits.budget(task.pages),
                self.settings,
                key=f"extract-{run_id}-{next(numbers)}",
                pure=False,
            )
            running[fut] = task
            done.add(fut)
            return True

        for _ in range(self._window()):
            if not submit_next():
                break
        for fut in done:
            task = running.pop(fut)
            doc = self._result(fut, task)
            doc.source_path = task.path
            fut.release()
            yield Outcome(task, doc, None, [])
            submit_next()

    def _result(self, fut: object, task: Task) -> DocumentResult:
        from distributed import KilledWorker

        try:
            doc = fut.result()
        except KilledWorker:
            return failed_result(
                task, "dask worker died extracting it (worker memory limit or crash)", 0.0, self.settings
            )
        except Exception as e:  # noqa: BLE001 - one document's failure is recorded, the batch goes on
            return failed_result(
                task, f"dask error: {type(e).__name__}: {one_line(str(e), 200)}", 0.0, self.settings
            )
        if doc.status == "failed" and (doc.error or "").startswith(_TIMED_OUT):
            self._restart_worker_of(fut)
        return doc

    def _restart_worker_of(self, fut: object) -> None:
        """Stop a runaway extraction thread by restarting its worker (needs a nanny)."""
        try:
            workers = self.client.who_has([fut]).get(fut.key) or []
            if workers:
                self.client.restart_workers(list(workers), timeout=60, raise_for_error=False)
        except Exception as e:  # noqa: BLE001 - without a nanny the thread finishes on its own
            log.info("could not restart dask worker after a timeout: %s", e)

    def close(self) -> None:
        if getattr(self, "_borrowed", False):
            return
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()
