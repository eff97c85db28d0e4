"""What runs inside an extraction worker process: receive a path, extract, send the result.

The worker extracts with the `Settings` its batch handed it at start, never with its own
environment's.  The worker never touches the database.  It exits when the parent says so (None) or goes
away: end of file on the pipe when idle, the lifeline watch (pipeline/batch/lifeline.py) when busy,
so a killed batch leaves no worker behind.
"""

from __future__ import annotations

import logging
import resource
import signal
import sys
import time
from multiprocessing.connection import Connection

from pipeline.batch.lifeline import watch
from pipeline.errors import one_line
from pipeline.extract import extract_document
from pipeline.model import DocumentResult
from pipeline.settings import Settings

_MAX_NOTES = 50


class _Notes(logging.Handler):
    """Keeps the warnings logged while one document is extracted, for the parent's run log."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.lines) < _MAX_NOTES:
            try:
                msg = record.getMessage()
            except Exception:  # noqa: BLE001 - a malformed log call must not break extraction
                msg = str(record.msg)
            self.lines.append(f"{record.name}: {one_line(msg)}")


def peak_rss_mb() -> float:
    """Peak resident set size of this process since `reset_peak` (else since it started)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return peak / (1 << 20) if sys.platform == "darwin" else peak / 1024


def reset_peak() -> None:
    """Start measuring the peak afresh, so each document gets its own figure (Linux only)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
    except OSError:
        pass


def serve(conn: Connection, batch_pid: int | None = None, settings: Settings | None = None) -> None:
    """The worker's loop: (path, doc_id) in, (DocumentResult, peak MB while extracting it, notes) out,
    extracted with `settings` (None: the defaults).  The worker dies with process `batch_pid`
    (the batch that started it), even mid-document."""
    settings = settings or Settings()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if batch_pid is not None:
        watch(batch_pid)
    notes = _Notes()
    root = logging.getLogger()
    root.handlers[:] = [notes]
    root.setLevel(logging.WARNING)
    logging.captureWarnings(True)
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        path, doc_id = msg
        notes.lines.clear()
        reset_peak()
        doc = _extract(path, doc_id, settings)
        try:
            conn.send((doc, peak_rss_mb(), list(notes.lines)))
        except (BrokenPipeError, EOFError, OSError):
            return
        except Exception as e:  # noqa: BLE001 - e.g. a result that cannot be pickled
            error = f"internal error: result cannot be sent ({type(e).__name__})"
            doc = DocumentResult.failed(path, error, doc_id=doc_id, prior=doc)
            conn.send((doc, peak_rss_mb(), []))


def _extract(path: str, doc_id: str | None, settings: Settings) -> DocumentResult:
    start = time.perf_counter()
    try:
        return extract_document(path, doc_id=doc_id, settings=settings)
    except BaseException as e:  # noqa: BLE001 - extract_document should not raise; if it does, report
        error = f"internal error: {type(e).__name__}: {one_line(str(e), 200)}"
        return DocumentResult.failed(path, error, doc_id=doc_id, seconds=time.perf_counter() - start)
