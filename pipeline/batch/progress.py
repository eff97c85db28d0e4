"""What a batch tells its user: the progress bar, the closing summary and the per-run log."""

from __future__ import annotations

import logging
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field

from tqdm import tqdm

from pipeline.model import DocumentResult
from pipeline.paths import display

log = logging.getLogger("pipeline")


@dataclass
class Summary:
    statuses: Counter = field(default_factory=Counter)
    tables: int = 0
    indicators: int = 0
    checks: int = 0
    skipped: int = 0  # unchanged since an earlier run
    duplicates: int = 0  # same bytes as another file of this batch
    pages: int = 0
    seconds: float = 0.0
    failures: list[tuple[str, str]] = field(default_factory=list)
    jobs: int = 1
    parent_peak_mb: float | None = None
    worker_peak_mb: float | None = None
    worker_restarts: int = 0
    problems: list[str] = field(default_factory=list)  # e.g. folders that could not be read
    notes: list[str] = field(default_factory=list)  # e.g. what the corrections file did

    def add(self, doc: DocumentResult, worker_peak_mb: float | None = None) -> None:
        self.statuses[doc.status] += 1
        self.tables += len(doc.tables)
        self.indicators += sum(len(t.indicators) for t in doc.tables)
        self.checks += sum(len(t.checks) for t in doc.tables) + len(doc.checks)
        self.pages += doc.pages or 0
        if doc.status == "failed":
            self.failures.append((display(doc.source_path), doc.error or ""))
        if worker_peak_mb is not None:
            self.worker_peak_mb = max(self.worker_peak_mb or 0.0, worker_peak_mb)

    @property
    def extracted(self) -> int:
        return sum(self.statuses.values())

    @property
    def documents(self) -> int:
        return self.extracted + self.skipped + self.duplicates

    def render(self) -> str:
        by_status = ", ".join(f"{k} {v}" for k, v in sorted(self.statuses.items()))
        rate = ""
        if self.seconds > 0 and self.extracted:
            rate = f"   {self.extracted / self.seconds:.2f} documents/s"
            rate += f", {self.pages / self.seconds:.1f} pages/s" if self.pages else ""
        lines = [
            f"documents: {self.documents} ({by_status or 'none extracted'}"
            f"{', unchanged ' + str(self.skipped) if self.skipped else ''}"
            f"{', duplicate ' + str(self.duplicates) if self.duplicates else ''})",
            f"tables: {self.tables}   indicators: {self.indicators}   checks raised: {self.checks}",
            f"time: {self.seconds:.1f} s" + (f"   pages: {self.pages}" if self.pages else "") + rate,
        ]
        if self.parent_peak_mb is not None:
            memory = f"peak memory: parent {self.parent_peak_mb:.0f} MB"
            if self.worker_peak_mb is not None:
                memory += f", largest worker {self.worker_peak_mb:.0f} MB ({self.jobs} jobs)"
            if self.worker_restarts:
                memory += f"; workers replaced {self.worker_restarts}×"
            lines.append(memory)
        lines += self.notes
        for problem in self.problems:
            lines.append(f"  warning: {problem} (its files were not extracted)")
        for path, err in self.failures[:20]:
            lines.append(f"  failed: {path}: {err}")
        if len(self.failures) > 20:
            lines.append(f"  … and {len(self.failures) - 20} more failures (see the log file)")
        return "\n".join(lines)


def describe(doc: DocumentResult, peak_mb: float | None = None) -> str:
    """The run log's line for a loaded document."""
    n_ind = sum(len(t.indicators) for t in doc.tables)
    detail = f"{len(doc.tables)} tables, {n_ind} indicators" if doc.tables else (doc.error or "")
    memory = f", {peak_mb:.0f} MB" if peak_mb is not None else ""
    return f"{doc.status:9s} {display(doc.source_path)}: {detail} ({doc.seconds:.2f} s{memory})"


class Progress:
    """tqdm bar over all documents: documents/s and ETA from tqdm, pages/s and counts by status."""

    def __init__(self, total: int, summary: Summary, quiet: bool) -> None:
        self.summary = summary
        self.start = time.perf_counter()
        self.bar = tqdm(total=total, desc="extracting", unit="doc", disable=quiet, dynamic_ncols=True)

    def advance(self) -> None:
        s = self.summary
        elapsed = max(time.perf_counter() - self.start, 1e-9)
        counts = " ".join(f"{k}={v}" for k, v in sorted(s.statuses.items()))
        if s.skipped:
            counts += f" unchanged={s.skipped}"
        if s.duplicates:
            counts += f" duplicate={s.duplicates}"
        self.bar.set_postfix_str(f"{s.pages / elapsed:.1f} pages/s {counts}".strip(), refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()


class _LogFile(logging.FileHandler):
    """The run log's file.  When it cannot be written (a full disk) it says so once, on one
    line, and stops: the batch goes on, and the console is not flooded with tracebacks."""

    def __init__(self, path: str) -> None:
        super().__init__(path, encoding="utf-8", errors="backslashreplace")
        self.failed = False

    def emit(self, record: logging.LogRecord) -> None:
        if not self.failed:
            super().emit(record)

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging's name
        self._fail(sys.exc_info()[1])

    def flush(self) -> None:
        try:
            super().flush()
        except OSError as e:
            self._fail(e)

    def close(self) -> None:
        try:
            super().close()
        except OSError as e:
            self._fail(e)

    def _fail(self, err: BaseException | None) -> None:
        if self.failed:
            return
        self.failed = True
        why = (err.strerror if isinstance(err, OSError) else None) or str(err or "") or "write error"
        print(f"warning: run log stopped: cannot write {display(self.baseFilename)}: {why}", file=sys.stderr)


class RunLog:
    """A log file per run listing what happened to each document."""

    def __init__(self, log_dir: str) -> None:
        self.path: str | None = None
        self._handler: logging.Handler | None = None
        try:
            os.makedirs(log_dir, exist_ok=True)
            path = os.path.join(log_dir, time.strftime("run-%Y%m%d-%H%M%S") + f"-{os.getpid()}.log")
            self._handler = _LogFile(path)
        except OSError as e:
            log.warning("no run log: cannot write in %s (%s)", log_dir, e.strerror or e)
            return
        self.path = path
        self._handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        self._handler.setLevel(logging.INFO)
        log.addHandler(self._handler)

    def record_exception(self) -> None:
        """The traceback of the exception being handled, into this file only (not the console)."""
        if self._handler is not None:
            record = log.makeRecord(
                log.name, logging.ERROR, __file__, 0, "batch stopped", None, sys.exc_info()
            )
            self._handler.handle(record)

    def close(self) -> None:
        if self._handler is not None:
            log.removeHandler(self._handler)
            self._handler.close()
            self._handler = None
