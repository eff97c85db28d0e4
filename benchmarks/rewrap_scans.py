"""The dev scans re-wrapped without their resolution: each image-only page is put into a new
PDF page sized as if the image were 96 dpi (what img2pdf, ImageMagick and phone apps do when
the image carries no resolution), so a 200-300 dpi scan comes out 2-3x too large.

    .venv/bin/python benchmarks/rewrap_scans.py OUT_DIR [--corpus DIR] [--dpi 96]
                                               [--variants scan,mixed]

OUT_DIR gets the re-wrapped PDFs under `docs/` and their gold files (and the manifest) under
`gold/`, so `python -m pipeline extract OUT_DIR/docs` and the shared scorer on `OUT_DIR/gold`
compare with the originals.  The image bytes are copied as they are (JPEG stays JPEG); pages
with a text layer are copied unchanged.  Nothing is written into the repository.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import shutil
import sys
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as raw

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PERF_TARGETS_SHARED", ROOT.parent / "shared"))


def _only_image(page: pdfium.PdfPage) -> pdfium.PdfImage | None:
    """The page's one image object when it has nothing else (no text, no paths)."""
    objs = list(page.get_objects(max_depth=1))
    if len(objs) != 1 or objs[0].type != raw.FPDF_PAGEOBJ_IMAGE:
        return None
    return objs[0]


def rewrap(src: Path, dest: Path, dpi: float = 96.0) -> int:
    """Copy `src` to `dest` with every image-only page re-wrapped at `dpi`; returns how many."""
    pdf = pdfium.PdfDocument(str(src))
    out = pdfium.PdfDocument.new()
    n = 0
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            img = _only_image(page)
            if img is None or img.get_filters() != ["DCTDecode"]:
                page.close()
                out.import_pages(pdf, [i])
                continue
            meta = img.get_metadata()
            data = bytes(img.get_data(decode_simple=False))
            page.close()
            w, h = meta.width * 72.0 / dpi, meta.height * 72.0 / dpi
            new = out.new_page(w, h)
            obj = pdfium.PdfImage.new(out)
            obj.load_jpeg(io.BytesIO(data), inline=False, autoclose=True)
            obj.set_matrix(pdfium.PdfMatrix().scale(w, h))
            new.insert_obj(obj)
            new.gen_content()
            new.close()
            n += 1
        out.save(str(dest))
    finally:
        out.close()
        pdf.close()
    return n


def build(out_dir: Path, corpus: Path, variants: set[str], dpi: float = 96.0) -> list[Path]:
    """Re-wrapped documents in out_dir/docs, gold files in out_dir/gold."""
    docs, gold = out_dir / "docs", out_dir / "gold"
    docs.mkdir(parents=True, exist_ok=True)
    gold.mkdir(parents=True, exist_ok=True)
    shutil.copy(corpus / "manifest.csv", gold / "manifest.csv")
    with open(corpus / "manifest.csv", encoding="utf-8") as fh:
        names = [r["file"] for r in csv.DictReader(fh) if r["variant"] in variants]
    made = []
    for name in names:
        rewrap(corpus / name, docs / name, dpi)
        shutil.copy(corpus / f"{name}.gold.json", gold / f"{name}.gold.json")
        made.append(docs / name)
    return made


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--corpus", type=Path, default=SHARED / "corpus" / "dev")
    ap.add_argument("--dpi", type=float, default=96.0)
    ap.add_argument("--variants", default="scan,mixed")
    args = ap.parse_args()
    if not (args.corpus / "manifest.csv").is_file():
        print(f"no corpus manifest at {args.corpus}", file=sys.stderr)
        return 2
    made = build(args.out, args.corpus, set(args.variants.split(",")), args.dpi)
    print(f"{len(made)} documents re-wrapped at {args.dpi:g} dpi into {args.out / 'docs'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
