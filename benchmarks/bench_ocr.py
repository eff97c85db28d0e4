"""OCR engines side by side: seconds per page and F1, on the same scanned pages, in one run.

    .venv/bin/python benchmarks/bench_ocr.py [--corpus DIR] [--engines rapidocr,tesseract]
                                             [--dpi 200] [--variants scan,mixed] [--by-doc]

For each engine, on the dev documents of the chosen manifest variants (default: scan and
mixed, files 09-16):

  1. every page whose text layer is unusable (the pipeline's own rule) is rendered and
     OCR'd in this process with a fresh, empty page cache: seconds per page (clean-up,
     orientation, skew, lines, OCR, sign re-reading; the engine is loaded beforehand);
  2. `python -m pipeline extract` runs on the documents with that engine and that cache
     (so it reuses the pages just timed) and the shared scorer gives F1 per variant.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PERF_TARGETS_SHARED", ROOT.parent / "shared"))
sys.path.insert(0, str(ROOT))


def scanned_pages(pdf_path: Path) -> list[int]:
    """0-based pages the pipeline would OCR."""
    import pypdfium2 as pdfium

    from extractors.ocr.scan import page_verdict
    from extractors.pdf.reader import page_text

    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        out = []
        for i in range(len(pdf)):
            if not page_verdict(pdf, i, page_text(pdf, i)).usable:
                out.append(i)
        return out
    finally:
        pdf.close()


def time_pages(engine_name: str, docs: list[Path], dpi: int) -> list[float]:
    import pypdfium2 as pdfium

    from extractors.ocr.engines import get_engine
    from extractors.ocr.page import analyse
    from extractors.ocr.render import render_page

    engine = get_engine(engine_name)
    seconds = []
    for path in docs:
        pdf = pdfium.PdfDocument(str(path))
        try:
            for i in scanned_pages(path):
                start = time.perf_counter()
                analyse(render_page(pdf, i, dpi), dpi, i + 1, engine)
                seconds.append(time.perf_counter() - start)
        finally:
            pdf.close()
    return seconds


def extract_and_score(docs: list[Path], corpus: Path, work: Path, env: dict) -> dict:
    gold = work / "gold"
    gold.mkdir(exist_ok=True)
    shutil.copy(corpus / "manifest.csv", gold / "manifest.csv")
    for d in docs:
        shutil.copy(corpus / f"{d.name}.gold.json", gold / f"{d.name}.gold.json")
    db = work / "bench.duckdb"
    cmd = [sys.executable, "-m", "pipeline", "extract", *map(str, docs), "--db", str(db), "-q", "--force"]
    cmd += ["--max-memory-mb", "0", "--timeout", "0"]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=SHARED / "corpus" / "dev")
    ap.add_argument("--engines", default="rapidocr,tesseract")
    ap.add_argument("--dpi", type=int, default=int(os.environ.get("PERF_TARGETS_OCR_DPI", "200")))
    ap.add_argument("--variants", default="scan,mixed")
    ap.add_argument("--by-doc", action="store_true", help="print the scorer's per-document lines")
    args = ap.parse_args()
    manifest = args.corpus / "manifest.csv"
    if not manifest.is_file():
        print(f"no corpus manifest at {manifest}", file=sys.stderr)
        return 2
    variants = set(args.variants.split(","))
    with open(manifest, encoding="utf-8") as fh:
        docs = [args.corpus / r["file"] for r in csv.DictReader(fh) if r["variant"] in variants]
    if not docs:
        print(f"no documents of variants {sorted(variants)}", file=sys.stderr)
        return 2
    print(
        f"{len(docs)} documents ({', '.join(sorted(variants))}), OCR at {args.dpi} dpi, {os.cpu_count()} cores"
    )
    rows = []
    for name in args.engines.split(","):
        with tempfile.TemporaryDirectory(prefix=f"bench_ocr_{name}_") as tmp:
            work = Path(tmp)
            env = dict(os.environ)
            env.update(
                PERF_TARGETS_OCR_ENGINE=name,
                PERF_TARGETS_OCR_CACHE=str(work / "cache"),
                PERF_TARGETS_OCR_DPI=str(args.dpi),
            )
            os.environ.update(env)
            seconds = time_pages(name, docs, args.dpi)
            figures = extract_and_score(docs, args.corpus, work, env)
        by_variant = {v: f["f1"] for v, f in figures.get("by_variant", {}).items()}
        rows.append((name, seconds, by_variant, figures["f1"]))
        if args.by_doc:
            print(f"--- {name}\n{figures['stdout']}")
    cols = sorted({v for _, _, bv, _ in rows for v in bv})
    head = f"{'engine':10s} {'pages':>5s} {'s/page':>7s} {'median':>7s} " + " ".join(
        f"{'F1 ' + c:>9s}" for c in cols
    )
    print(head + f" {'F1 all':>7s}")
    for name, seconds, bv, f1 in rows:
        mean = statistics.fmean(seconds) if seconds else float("nan")
        med = statistics.median(seconds) if seconds else float("nan")
        cells = " ".join(f"{bv.get(c, float('nan')):9.4f}" for c in cols)
        print(f"{name:10s} {len(seconds):5d} {mean:7.2f} {med:7.2f} {cells} {f1:7.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
