"""End-to-end scores on the shared corpus with the shared scorer (skipped where it is absent).

These are the figures the issues ask for; they run the real extractors, the real DuckDB
file and the real scorer.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT, corpus_dir, query, run_cli, score

pytestmark = pytest.mark.slow


def _stage(tmp_path: Path, corpus: Path, variants: set[str] | None) -> tuple[Path, Path]:
    """Documents (symlinks) and gold files of one corpus folder, optionally by manifest variant."""
    docs, gold = tmp_path / "docs", tmp_path / "gold"
    docs.mkdir()
    gold.mkdir()
    manifest = corpus / "manifest.csv"
    rows = []
    if manifest.exists():
        with open(manifest, encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    chosen = {r["file"] for r in rows if variants is None or r["variant"] in variants}
    for g in corpus.glob("*.gold.json"):
        name = g.name[: -len(".gold.json")]
        if rows and name not in chosen:
            continue
        os.symlink(corpus / name, docs / name)
        shutil.copy(g, gold / g.name)
    if manifest.exists():
        shutil.copy(manifest, gold / "manifest.csv")
    return docs, gold


def _extract_and_score(tmp_path: Path, corpus: Path, variants: set[str] | None = None) -> dict:
    docs, gold = _stage(tmp_path, corpus, variants)
    db = tmp_path / "t.duckdb"
    run_cli("extract", docs, "--db", db, "--quiet", check=True)
    return score(gold, db)


def test_seed_sample_scores_perfectly(tmp_path):
    seed = corpus_dir("seed")
    db = tmp_path / "seed.duckdb"
    run_cli("extract", ROOT / "data" / "raw", "--db", db, "--quiet", check=True)
    assert score(seed, db)["f1"] == 1.0


def test_dev_text_dumps(tmp_path):
    figures = _extract_and_score(tmp_path, corpus_dir("dev"), {"text_dump"})
    assert figures["by_variant"]["text_dump"]["f1"] >= 0.98, figures["stdout"]


def test_dev_text_pdfs_and_spreadsheets(tmp_path):
    figures = _extract_and_score(tmp_path, corpus_dir("dev"), {"text_pdf", "xlsx"})
    assert figures["by_variant"]["text_pdf"]["f1"] >= 0.97, figures["stdout"]
    assert figures["by_variant"]["xlsx"]["f1"] >= 0.97, figures["stdout"]


def test_real_disclosures(real_db):
    """Scored on the session's database of the real and seed documents (extracted once): the
    scorer reads the documents its gold files name, by file name."""
    figures = score(corpus_dir("real"), real_db)
    assert figures["f1"] >= 0.97, figures["stdout"]
    m = re.search(r"count agreement ([0-9.]+)", figures["stdout"])
    assert m and float(m.group(1)) >= 0.98, figures["stdout"]


def test_unlabeled_real_disclosures_never_fail(corpus_db):
    """Its documents in the session's corpus database (real, real-unlabeled and seed)."""
    folder = corpus_dir("real-unlabeled").resolve()
    rows = [
        (Path(p).name, status, error)
        for p, status, error in query(corpus_db, "SELECT source_path, status, error FROM documents")
        if Path(p).resolve().is_relative_to(folder)
    ]
    failed = [(name, error) for name, status, error in rows if status == "failed"]
    assert not failed, failed
    assert len(rows) == len(list(folder.glob("*.pdf")))
    # documents that say they hold no target table come out as no_tables
    empty = {name for name, status, _ in rows if status == "no_tables"}
    assert {"江苏_省人民检察院2019年度部门预算公开.pdf", "上海_普陀区商务委员会25年预算.pdf"} <= empty


def test_unseen_layouts_goal_only_lists_and_negatives(tmp_path):
    """real2: Zhejiang 表11 goal-only project lists (one table per row) and documents that hold no
    target table (a narrative, a 决算 with a 自评 score table).  The 17-page scanned negative is
    left out here: OCR'ing it costs minutes of CI."""
    corpus = corpus_dir("real2")
    figures = _extract_and_score(tmp_path, corpus, {"real_text"})
    assert figures["f1"] >= 0.97, figures["stdout"]
    m = re.search(r"count agreement ([0-9.]+)", figures["stdout"])
    assert m and float(m.group(1)) >= 0.97, figures["stdout"]
    db = tmp_path / "t.duckdb"
    per_doc = dict(
        query(
            db,
            "SELECT d.source_path, count(t.table_id) FROM documents d "
            "LEFT JOIN target_tables t USING (doc_id) GROUP BY 1",
        )
    )
    negatives = [p for p in per_doc if re.search(r"无锡|佛山", p)]
    assert len(negatives) == 2 and all(per_doc[p] == 0 for p in negatives), per_doc
