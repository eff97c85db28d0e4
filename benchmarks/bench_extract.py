"""Throughput and memory of the pipeline against a naive pdfplumber baseline, on the same files.

    .venv/bin/python benchmarks/bench_extract.py [FOLDER] [--limit N] [--skip-baseline]

FOLDER defaults to ../shared/corpus/real-unlabeled beside the repository.  Runs, each a fresh
subprocess on a fresh database:

  naive      pdfplumber `extract_tables()` on every page of every PDF, one process
  pipeline   `python -m pipeline extract FOLDER` with the default --jobs (the cores)
  jobs 1     the same with --jobs 1
  jobs 2     the same with --jobs 2

Peak RSS is sampled per process (parent and each worker, every 20 ms via /proc) from
outside; the pipeline's own per-worker peak (VmHWM, from its run log) is shown beside it.
CPU seconds (user + system of the whole process tree) give pages per CPU second, a figure
that other work on the machine disturbs much less than wall time.
The OCR page cache is turned off so that no run profits from an earlier one.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the checkout's pipeline, run as a script

from pipeline.store.db import open_db  # noqa: E402

DEFAULT_FOLDER = ROOT.parent / "shared" / "corpus" / "real-unlabeled"

NAIVE = """
import sys, pdfplumber
from pathlib import Path
pages = docs = 0
for path in sorted(Path(sys.argv[1]).rglob("*")):
    if not path.is_file() or path.suffix.lower() != ".pdf":
        continue
    docs += 1
    try:
        with pdfplumber.open(str(path)) as pdf:
            for page in pdf.pages:
                page.extract_tables()
                page.close()
                pages += 1
    except Exception as e:
        print(f"baseline failed on {path.name}: {type(e).__name__}", file=sys.stderr)
print(docs, pages)
"""


@dataclass
class Run:
    name: str
    documents: int
    pages: int
    seconds: float
    parent_mb: float
    worker_mb: float | None  # largest process other than the parent, sampled
    cpu_seconds: float = 0.0  # user + system of the whole process tree
    self_reported: str = ""  # the pipeline's own figure

    @property
    def docs_per_s(self) -> float:
        return self.documents / self.seconds

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.seconds


class PeakSampler(threading.Thread):
    """Peak RSS of a process and of each of its descendants, sampled from /proc."""

    def __init__(self, pid: int, every: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.peaks: dict[int, int] = {}
        self.cpu: dict[int, float] = {}  # last user + system seen per process
        self._done = threading.Event()

    def run(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self._done.is_set():
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.Error:
                break
            for p in procs:
                try:
                    rss = p.memory_info().rss
                    t = p.cpu_times()
                except psutil.Error:
                    continue
                self.peaks[p.pid] = max(self.peaks.get(p.pid, 0), rss)
                self.cpu[p.pid] = t.user + t.system
            self._done.wait(self.every)

    def stop(self) -> tuple[float, float | None, float]:
        """(parent peak MB, largest other process peak MB, CPU seconds of the tree)."""
        self._done.set()
        self.join()
        parent = self.peaks.get(self.pid, 0) / 2**20
        others = [v for pid, v in self.peaks.items() if pid != self.pid]
        return parent, (max(others) / 2**20 if others else None), sum(self.cpu.values())


def measured(
    cmd: list[str], env: dict[str, str]
) -> tuple[subprocess.CompletedProcess, float, float, float | None]:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = PeakSampler(proc.pid)
    sampler.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - start
    parent, worker, cpu = sampler.stop()
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err), seconds, parent, worker, cpu


def naive(folder: Path, env: dict[str, str]) -> Run:
    proc, seconds, parent, _, cpu = measured([sys.executable, "-c", NAIVE, str(folder)], env)
    if proc.returncode != 0:
        raise SystemExit(f"baseline failed: {proc.stderr.strip()[-500:]}")
    docs, pages = map(int, proc.stdout.split())
    return Run("naive pdfplumber (1 process)", docs, pages, seconds, parent, None, cpu)


def pipeline(folder: Path, jobs: int | None, env: dict[str, str], work: Path) -> Run:
    name = f"jobs{jobs or 'default'}"
    db, logs = work / f"{name}.duckdb", work / f"{name}-logs"
    cmd = [
        sys.executable,
        "-m",
        "pipeline",
        "extract",
        str(folder),
        "--db",
        str(db),
        "-q",
        "--log-dir",
        str(logs),
    ]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    proc, seconds, parent, worker, cpu = measured(cmd, env)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"pipeline failed: {proc.stderr.strip()[-500:]}")
    con = open_db(db)  # the product's one way in (read-only)
    docs, pages = con.execute("SELECT count(*), coalesce(sum(pages), 0) FROM documents").fetchone()
    statuses = dict(con.execute("SELECT status, count(*) FROM documents GROUP BY 1").fetchall())
    con.close()
    log = "\n".join(p.read_text(encoding="utf-8") for p in logs.glob("*.log"))
    m = re.search(r"peak memory: parent (\d+) MB, largest worker (\d+) MB", log)
    own = f"own: parent {m.group(1)}, worker {m.group(2)} MB" if m else ""
    label = f"pipeline --jobs {jobs}" if jobs else f"pipeline (default --jobs {_cores()})"
    status = " ".join(f"{k}={v}" for k, v in sorted(statuses.items()))
    return Run(label, docs, pages, seconds, parent, worker, cpu, f"{own}; {status}")


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def subset(folder: Path, limit: int, work: Path) -> Path:
    """The first `limit` files of the folder, linked into a scratch folder."""
    files = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.endswith(".json"))[:limit]
    out = work / "subset"
    out.mkdir()
    for p in files:
        (out / p.name).symlink_to(p.resolve())
    return out


def table(runs: list[Run]) -> str:
    head = (
        f"{'run':34s} {'docs':>5s} {'pages':>6s} {'seconds':>8s} {'docs/s':>7s} {'pages/s':>8s} "
        f"{'CPU s':>7s} {'pages/CPU s':>11s} {'parent MB':>10s} {'worker MB':>10s}"
    )
    lines = [head, "-" * len(head)]
    for r in runs:
        worker = f"{r.worker_mb:10.0f}" if r.worker_mb is not None else f"{'-':>10s}"
        per_cpu = r.pages / r.cpu_seconds if r.cpu_seconds else 0.0
        lines.append(
            f"{r.name:34s} {r.documents:5d} {r.pages:6d} {r.seconds:8.1f} {r.docs_per_s:7.2f} "
            f"{r.pages_per_s:8.1f} {r.cpu_seconds:7.1f} {per_cpu:11.1f} {r.parent_mb:10.0f} {worker}"
        )
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", default=str(DEFAULT_FOLDER))
    ap.add_argument("--limit", type=int, help="only the first N files")
    ap.add_argument("--skip-baseline", action="store_true")
    args = ap.parse_args()
    folder = Path(args.folder)
    if not folder.is_dir():
        print(f"no folder {folder}", file=sys.stderr)
        return 2
    env = {**os.environ, "PERF_TARGETS_OCR_CACHE": "off"}
    print(
        f"folder: {folder}   cores: {_cores()}   load average at start: {os.getloadavg()[0]:.2f}", flush=True
    )
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        work = Path(tmp)
        if args.limit:
            folder = subset(folder, args.limit, work)
        steps = [("pipeline", None), ("naive", None), ("pipeline", 1), ("pipeline", 2)]
        if args.skip_baseline:
            steps.remove(("naive", None))
        for kind, jobs in steps:
            run = naive(folder, env) if kind == "naive" else pipeline(folder, jobs, env, work)
            runs.append(run)
            extra = f"   ({run.self_reported})" if run.self_reported else ""
            print(f"  done: {run.name}: {run.seconds:.1f} s{extra}", flush=True)
    print()
    print(table(runs))
    by = {r.name: r for r in runs}
    one = next(r for r in runs if r.name == "pipeline --jobs 1")
    two = next(r for r in runs if r.name == "pipeline --jobs 2")
    base = by.get("naive pdfplumber (1 process)")
    print()
    if base:
        print(
            f"pipeline --jobs 1 vs naive, pages/s: {one.pages_per_s / base.pages_per_s:.2f}x   (target >= 4x)"
        )
    print(f"--jobs 2 vs --jobs 1, wall time:    {one.seconds / two.seconds:.2f}x   (target >= 1.7x)")
    worst = max((r.worker_mb or 0) for r in runs if r.name.startswith("pipeline"))
    print(f"largest worker peak RSS:           {worst:.0f} MB   (target <= 1024 MB)")
    print(f"load average at end: {os.getloadavg()[0]:.2f}  (other work on the machine skews the figures)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
