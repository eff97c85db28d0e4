"""OCR speed and accuracy, this tree against a baseline (another commit), in one run.

    .venv/bin/python benchmarks/bench_ocr.py [--baseline main] [--corpus DIR]
        [--variants scan,mixed] [--rewrap DPI] [--docs FILE ...] [--engine rapidocr]
        [--no-score] [--by-doc]

Both trees run the same work in turn, each in its own worker process with one core for
onnxruntime (OMP_NUM_THREADS=1, as in the batch pool), the OCR engine loaded beforehand and
the OCR page cache off:

  1. every document goes through `pipeline.extract.extract_document` (read, OCR, rebuild,
     normalise: end to end); the worker's CPU time (its own and its children's, e.g.
     Tesseract) over the document's scanned pages (the pipeline's own rule) is `cpu s/page`;
     `peak MB` is the worker's peak resident memory;
  2. unless --no-score, `python -m pipeline extract` of that tree writes a database that the
     shared scorer compares with the gold files (F1 per variant).

Documents: the dev corpus files of the chosen manifest variants (default scan and mixed),
or `--docs` (e.g. a real scanned PDF; scored where a `.gold.json` lies beside it).
`--rewrap 96` first re-wraps the chosen dev documents at 96 dpi (benchmarks/rewrap_scans.py)
into a temporary folder and benchmarks those.  CPU seconds, not wall time: the machine may
be shared.  The baseline tree is `git archive`d into a temporary folder; nothing is written
into the repository.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PERF_TARGETS_SHARED", ROOT.parent / "shared"))


# --- worker: runs inside the tree being measured ---------------------------------------------------
def _cpu() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def worker(docs: list[str], engine: str) -> dict:
    """Extract each document end to end; CPU seconds and scanned pages per document."""
    import pypdfium2 as pdfium

    from extractors.ocr.engines import get_engine
    from extractors.ocr.scan import page_verdict
    from extractors.pdf.reader import page_text
    from pipeline.extract import extract_document

    get_engine(engine)  # model load is not per-page work
    out = []
    for doc in docs:
        scanned = 1
        if doc.lower().endswith(".pdf"):
            pdf = pdfium.PdfDocument(doc)
            try:
                scanned = sum(not page_verdict(pdf, i, page_text(pdf, i)).usable for i in range(len(pdf)))
            finally:
                pdf.close()
        cpu, wall = _cpu(), time.perf_counter()
        result = extract_document(doc)
        out.append(
            {
                "doc": Path(doc).name,
                "pages": scanned,
                "cpu": _cpu() - cpu,
                "wall": time.perf_counter() - wall,
                "tables": len(result.tables),
                "status": result.status,
            }
        )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return {"docs": out, "peak_mb": peak_mb}


# --- driver ----------------------------------------------------------------------------------------
def export_tree(ref: str, dest: Path) -> Path:
    """The repository at `ref`, unpacked into dest."""
    dest.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest


def run_worker(tree: Path, docs: list[Path], engine: str, env: dict) -> dict:
    code = (
        f"import json, sys; sys.path.insert(0, {str(tree)!r}); "
        f"sys.path.insert(1, {str(ROOT / 'benchmarks')!r}); import bench_ocr; "
        f"print(json.dumps(bench_ocr.worker({[str(d) for d in docs]!r}, {engine!r})))"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=tree, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"worker in {tree} failed: {proc.stderr.strip()[-800:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def extract_and_score(tree: Path, docs: list[Path], gold: Path, work: Path, env: dict) -> dict:
    db = work / "bench.duckdb"
    cmd = [sys.executable, "-m", "pipeline", "extract", *map(str, docs), "--db", str(db), "-q", "--force"]
    cmd += ["--max-memory-mb", "0", "--timeout", "0"]
    proc = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"extraction failed: {proc.stderr.strip()[-500:]}")
    out = work / "score.json"
    scorer = SHARED / "tools" / "score_extraction.py"
    proc = subprocess.run(
        [sys.executable, str(scorer), str(gold), str(db), "--json", str(out), "--by-doc"],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise SystemExit(f"scorer failed: {proc.stderr.strip()[-500:]}")
    figures = json.loads(out.read_text(encoding="utf-8"))
    figures["stdout"] = proc.stdout
    return figures


def choose_docs(args, work: Path) -> tuple[list[Path], Path | None]:
    """The documents to measure and a folder of their gold files (None: no gold)."""
    if args.docs:
        docs = [Path(d).resolve() for d in args.docs]
        gold = work / "gold"
        gold.mkdir()
        for d in docs:
            if Path(f"{d}.gold.json").is_file():
                shutil.copy(f"{d}.gold.json", gold)
        return docs, gold if any(gold.iterdir()) else None
    manifest = args.corpus / "manifest.csv"
    if not manifest.is_file():
        raise SystemExit(f"no corpus manifest at {manifest}")
    variants = set(args.variants.split(","))
    if args.rewrap:
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from rewrap_scans import build

        docs = build(work / "rewrapped", args.corpus, variants, args.rewrap)
        return docs, work / "rewrapped" / "gold"
    with open(manifest, encoding="utf-8") as fh:
        docs = [args.corpus / r["file"] for r in csv.DictReader(fh) if r["variant"] in variants]
    gold = work / "gold"
    gold.mkdir()
    shutil.copy(manifest, gold / "manifest.csv")
    for d in docs:
        shutil.copy(f"{d}.gold.json", gold)
    return docs, gold


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--baseline", default="main", help="git ref to compare with ('' for none)")
    ap.add_argument("--corpus", type=Path, default=SHARED / "corpus" / "dev")
    ap.add_argument("--variants", default="scan,mixed")
    ap.add_argument("--rewrap", type=float, default=0.0, help="re-wrap the dev documents at this dpi first")
    ap.add_argument("--docs", nargs="*", help="measure these files instead of the dev corpus")
    ap.add_argument("--engine", default="rapidocr")
    ap.add_argument("--no-score", action="store_true")
    ap.add_argument("--by-doc", action="store_true", help="per-document lines")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_ocr_") as tmp:
        work = Path(tmp)
        docs, gold = choose_docs(args, work)
        trees = [("this tree", ROOT)]
        if args.baseline:
            trees.insert(0, (args.baseline, export_tree(args.baseline, work / "baseline")))
        print(f"{len(docs)} documents, engine {args.engine}, {os.cpu_count()} cores (CPU time, one thread)")
        rows = []
        for name, tree in trees:
            env = dict(os.environ, OMP_NUM_THREADS="1", PERF_TARGETS_OCR_ENGINE=args.engine)
            env["PERF_TARGETS_OCR_CACHE"] = "off"
            env.pop("PYTHONPATH", None)
            timing = run_worker(tree, docs, args.engine, env)
            figures = None
            if gold is not None and not args.no_score:
                sub = work / f"score-{len(rows)}"
                sub.mkdir()
                env["PERF_TARGETS_OCR_CACHE"] = str(sub / "cache")
                figures = extract_and_score(tree, docs, gold, sub, env)
            rows.append((name, timing, figures))
            if args.by_doc:
                print(f"--- {name}")
                for d in timing["docs"]:
                    print(
                        f"  {d['doc'][:40]:40s} {d['pages']:3d} pages {d['cpu'] / max(d['pages'], 1):6.2f} cpu s/page"
                        f" {d['tables']:3d} tables {d['status']}"
                    )
                if figures:
                    print(figures["stdout"])
        cols = sorted({v for _, _, f in rows if f for v in f.get("by_variant", {})})
        head = f"{'code':12s} {'pages':>5s} {'cpu s/page':>10s} {'pages/cpu s':>11s} {'wall s/page':>11s} {'peak MB':>8s}"
        print(head + "".join(f" {'F1 ' + c:>9s}" for c in cols) + f" {'F1 all':>7s} {'tables':>6s}")
        for name, timing, figures in rows:
            pages = sum(d["pages"] for d in timing["docs"])
            cpu = sum(d["cpu"] for d in timing["docs"])
            wall = sum(d["wall"] for d in timing["docs"])
            tables = sum(d["tables"] for d in timing["docs"])
            line = f"{name[:12]:12s} {pages:5d} {cpu / pages:10.2f} {pages / cpu:11.3f} {wall / pages:11.2f}"
            line += f" {timing['peak_mb']:8.0f}"
            bv = (figures or {}).get("by_variant", {})
            line += "".join(f" {bv[c]['f1']:9.4f}" if c in bv else f" {'-':>9s}" for c in cols)
            line += f" {figures['f1']:7.4f}" if figures else f" {'-':>7s}"
            print(line + f" {tables:6d}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
