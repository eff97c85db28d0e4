"""What a batch has to do: find the files, hash them, and decide which need extracting.

A document is keyed by the sha256 of its bytes.  Hashing runs in a few threads of the parent
(hashlib releases the GIL), in discovery order, so extraction starts with the first file.
"""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pipeline.batch.tasks import Task
from pipeline.files import is_special, open_regular, sha256_file
from pipeline.paths import display

# Files inside input folders that are never documents (ground truth, notes, our own outputs).
_SKIP_SUFFIXES = (".json", ".md", ".py", ".sh", ".duckdb", ".db", ".wal", ".log", ".parquet", ".gitkeep")
_HASH_THREADS = 4
_HASH_AHEAD = 64  # files hashed ahead of the extraction


@dataclass(frozen=True)
class Skip:
    """A document left alone: already extracted, or a copy of one earlier in this batch."""

    path: str
    doc_id: str
    reason: str
    duplicate: bool = False


def discover(inputs: Iterable[str | Path], problems: list[str] | None = None) -> list[Path]:
    """Files named on the command line, and every document file below named folders.
    Folders that cannot be read are described in `problems` (their files cannot be listed)."""
    found: list[Path] = []
    seen: set[Path] = set()
    for item in inputs:
        p = Path(item)
        candidates = _walk(p, problems) if p.is_dir() else [p]
        for q in candidates:
            key = q.resolve() if q.exists() else q
            if key not in seen:
                seen.add(key)
                found.append(q)
    return found


def _walk(root: Path, problems: list[str] | None) -> list[Path]:
    """Document candidates below a folder, sorted.  Broken links and special files (FIFOs,
    devices) are kept: they are reported as failed rather than vanishing unseen."""

    def unreadable(e: OSError) -> None:
        if problems is not None:
            problems.append(f"cannot read folder {display(e.filename or root)}: {e.strerror or e}")

    out = []
    for folder, dirs, names in os.walk(root, onerror=unreadable):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        base = Path(folder)
        for name in names:
            q = base / name
            if not _skipped(q, root) and (q.is_file() or _broken_link(q) or is_special(q)):
                out.append(q)
    return sorted(out)


def _broken_link(path: Path) -> bool:
    return path.is_symlink() and not path.exists()


def _skipped(path: Path, root: Path) -> bool:
    rel = path.relative_to(root)
    if any(part.startswith(".") for part in rel.parts):
        return True
    name = path.name.lower()
    return name.endswith(_SKIP_SUFFIXES) or name == "manifest.csv"


def _hash(path: Path, stop: threading.Event) -> tuple[str | None, int | None, int]:
    try:
        return sha256_file(path, stop), os.path.getsize(path), _pages(path)
    except OSError:  # unreadable, or not a regular file: the worker reports why
        return None, None, 0


def _pages(path: Path) -> int:
    """Page count of a PDF (cheap: PDFium reads the page tree only), else 0."""
    try:
        with open_regular(path) as fh:
            if b"%PDF-" not in fh.read(1024):
                return 0
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(str(path))
        try:
            return len(pdf)
        finally:
            pdf.close()
    except Exception:  # noqa: BLE001 - a damaged file is reported by its extraction
        return 0


def hashed(files: list[Path]) -> Iterator[tuple[Path, str | None, int | None, int]]:
    """(path, sha256 or None if unreadable, size, pages) in the order of `files`.  Closing the
    iterator (Ctrl-C, an error) stops the hashing threads at their next chunk."""
    stop = threading.Event()
    pool = ThreadPoolExecutor(_HASH_THREADS, thread_name_prefix="hash")
    try:
        pending: deque[tuple[Path, Future]] = deque()
        it = iter(files)
        for path in it:
            pending.append((path, pool.submit(_hash, path, stop)))
            if len(pending) >= _HASH_AHEAD:
                break
        while pending:
            path, fut = pending.popleft()
            nxt = next(it, None)
            if nxt is not None:
                pending.append((nxt, pool.submit(_hash, nxt, stop)))
            yield (path, *fut.result())
    finally:
        stop.set()
        pool.shutdown(wait=True, cancel_futures=True)


def plan(files: list[Path], finished: set[str], force: bool = False) -> Iterator[Task | Skip]:
    """A Task for each file to extract, a Skip for the others, largest files first.

    Largest first keeps the workers busy to the end instead of waiting on one big document
    started last.  Skipped: content already loaded with status ok by this extractor version
    (`finished`, unless `force`), and a second file with the same content as an earlier one
    in discovery order (copies have the same size, so the first path wins whatever the
    order of work: reruns and interrupted runs agree on source_path).
    """
    order = sorted(range(len(files)), key=lambda i: (-_size(files[i]), i))
    first_path: dict[str, str] = {}
    hashes = hashed([files[i] for i in order])
    for index, (path, doc_id, size, pages) in zip(order, hashes, strict=True):
        if doc_id is not None:
            if doc_id in first_path:
                yield Skip(str(path), doc_id, f"same content as {first_path[doc_id]}", duplicate=True)
                continue
            first_path[doc_id] = str(path)
            if not force and doc_id in finished:
                yield Skip(str(path), doc_id, "unchanged (already extracted)")
                continue
        yield Task(index, str(path), doc_id, size, pages)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
