"""The unit of work of a batch (one document) and what an executor hands back for it."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.extract import sniff
from pipeline.model import DocumentResult
from pipeline.settings import Settings


@dataclass(frozen=True)
class Task:
    """One document to extract.  `path` is as found (recorded as source_path)."""

    index: int
    path: str
    doc_id: str | None  # None when the file could not be read: extraction reports why
    size: int | None = None
    pages: int = 0  # PDF page count (0 when unknown): the timeout grows with it

    @property
    def abspath(self) -> str:
        """What a worker opens: workers may not share the parent's working directory."""
        return os.path.abspath(self.path)


@dataclass
class Outcome:
    """A finished task: the result to load, plus what the worker says about itself."""

    task: Task
    doc: DocumentResult
    worker_peak_mb: float | None = None  # peak RSS of the process that extracted it
    notes: list[str] = field(default_factory=list)  # warnings the extractor logged


def failed_result(task: Task, error: str, seconds: float, settings: Settings | None = None) -> DocumentResult:
    """A `failed` row for a document whose extraction was stopped (timeout, memory, crash), with
    the settings it was being extracted with."""
    try:
        fmt = sniff(Path(task.path)) if task.size else "unknown"
    except OSError:
        fmt = "unknown"
    return DocumentResult.failed(
        task.path,
        error,
        doc_id=task.doc_id,
        source_format=fmt,
        seconds=seconds,
        size_bytes=task.size or 0,
        settings=settings.record() if settings else None,
    )
