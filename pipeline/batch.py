"""Run extraction over many files: discovery, skipping finished work, progress, summary."""

from __future__ import annotations

import logging
import os
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from pipeline import EXTRACTOR_VERSION
from pipeline.extract import extract_document, sha256_file
from pipeline.load import connect, load_document, loaded_status
from pipeline.model import DocumentResult

log = logging.getLogger("pipeline")

# Files inside input folders that are never documents (ground truth, notes, our own outputs).
_SKIP_SUFFIXES = (".json", ".md", ".py", ".sh", ".duckdb", ".db", ".wal", ".log", ".parquet", ".gitkeep")


def discover(inputs: Iterable[str | Path]) -> list[Path]:
    """Files named on the command line, and every document file below named folders."""
    found: list[Path] = []
    seen: set[Path] = set()
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            candidates = sorted(q for q in p.rglob("*") if q.is_file() and not _skipped(q, p))
        else:
            candidates = [p]
        for q in candidates:
            key = q.resolve() if q.exists() else q
            if key not in seen:
                seen.add(key)
                found.append(q)
    return found


def _skipped(path: Path, root: Path) -> bool:
    rel = path.relative_to(root)
    if any(part.startswith(".") for part in rel.parts):
        return True
    name = path.name.lower()
    return name.endswith(_SKIP_SUFFIXES) or name == "manifest.csv"


@dataclass
class Summary:
    statuses: Counter = field(default_factory=Counter)
    tables: int = 0
    indicators: int = 0
    checks: int = 0
    skipped: int = 0
    pages: int = 0
    seconds: float = 0.0
    failures: list[tuple[str, str]] = field(default_factory=list)

    def add(self, doc: DocumentResult) -> None:
        self.statuses[doc.status] += 1
        self.tables += len(doc.tables)
        self.indicators += sum(len(t.indicators) for t in doc.tables)
        self.checks += sum(len(t.checks) for t in doc.tables)
        self.pages += doc.pages or 0
        if doc.status == "failed":
            self.failures.append((doc.source_path, doc.error or ""))

    @property
    def documents(self) -> int:
        return sum(self.statuses.values()) + self.skipped

    def render(self) -> str:
        by_status = ", ".join(f"{k} {v}" for k, v in sorted(self.statuses.items()))
        lines = [
            f"documents: {self.documents} ({by_status or 'none extracted'}"
            f"{', unchanged ' + str(self.skipped) if self.skipped else ''})",
            f"tables: {self.tables}   indicators: {self.indicators}   checks raised: {self.checks}",
            f"time: {self.seconds:.1f} s" + (f"   pages: {self.pages}" if self.pages else ""),
        ]
        for path, err in self.failures[:20]:
            lines.append(f"  failed: {path}: {err}")
        if len(self.failures) > 20:
            lines.append(f"  … and {len(self.failures) - 20} more failures (see the log file)")
        return "\n".join(lines)


def describe(doc: DocumentResult) -> str:
    n_ind = sum(len(t.indicators) for t in doc.tables)
    detail = f"{len(doc.tables)} tables, {n_ind} indicators" if doc.tables else (doc.error or "")
    return f"{doc.status:9s} {doc.source_path}: {detail} ({doc.seconds:.2f} s)"


def run(
    inputs: list[str], db: str, force: bool = False, quiet: bool = False, log_dir: str | None = None
) -> tuple[Summary, int]:
    """Extract every input into `db`.  Returns the summary and the process exit code."""
    start = time.perf_counter()
    files = discover(inputs)
    summary = Summary()
    if not files:
        log.error("no input files found in: %s", " ".join(inputs))
        return summary, 2
    log_path = _open_run_log(log_dir or os.path.join(os.path.dirname(os.path.abspath(db)), "logs"))
    con = connect(db)
    try:
        bar = tqdm(files, desc="extracting", unit="doc", disable=quiet, dynamic_ncols=True)
        for path in bar:
            bar.set_postfix_str(path.name[-40:], refresh=False)
            doc_id = sha256_file(path) if path.exists() else None
            if doc_id and not force:
                prior = loaded_status(con, doc_id)
                if prior == ("ok", EXTRACTOR_VERSION):
                    summary.skipped += 1
                    log.info("unchanged %s (already extracted)", path)
                    continue
            doc = extract_document(path, doc_id=doc_id)
            load_document(con, doc)
            summary.add(doc)
            log.info(describe(doc))
    finally:
        con.close()
    summary.seconds = time.perf_counter() - start
    if log_path:
        log.info("summary\n%s", summary.render())
    extracted = sum(summary.statuses.values())
    all_failed = extracted > 0 and summary.statuses.get("failed", 0) == extracted
    return summary, 1 if all_failed else 0


def _open_run_log(log_dir: str) -> str | None:
    """A log file per run listing what happened to each document."""
    try:
        os.makedirs(log_dir, exist_ok=True)
    except OSError:
        return None
    path = os.path.join(log_dir, time.strftime("run-%Y%m%d-%H%M%S.log"))
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    handler.setLevel(logging.INFO)
    logging.getLogger("pipeline").addHandler(handler)
    return path
