"""The DuckDB loader: contract schema, idempotent reruns, replaced files, atomic documents."""

from __future__ import annotations

import shutil
from decimal import Decimal

import pytest

from pipeline.extract import extract_document
from pipeline.model import Check, DocumentResult, Indicator, Table
from pipeline.store.db import open_db
from pipeline.store.load import load_document
from tests.conftest import ROOT, query, run_cli

SEED = ROOT / "data" / "raw" / "kuerle_sifaju_2020_overall.txt"
CONTRACT = {
    "documents": ["doc_id", "source_path", "source_format", "pages", "ocr_pages", "status", "error"],
    "target_tables": [
        "table_id",
        "doc_id",
        "kind",
        "year",
        "department",
        "unit",
        "project",
        "budget_total_wan",
        "budget_fiscal_wan",
        "budget_other_wan",
        "goal",
        "page_first",
        "page_last",
    ],
    "budget_lines": ["table_id", "line_no", "task", "content", "total_wan", "fiscal_wan", "other_wan"],
    "indicators": [
        "table_id",
        "seq",
        "level1",
        "level2",
        "level1_raw",
        "level2_raw",
        "level_inferred",
        "name",
        "value_raw",
        "comparator",
        "value_num",
        "value_max",
        "unit",
        "value_text",
        "dimension",
        "weight",
        "page",
    ],
    "checks": ["table_id", "check", "severity", "detail"],
}


def dump_all(db) -> dict[str, list]:
    out = {}
    for table, cols in CONTRACT.items():
        quoted = ", ".join(f'"{c}"' for c in cols)
        out[table] = sorted(query(db, f"SELECT {quoted} FROM {table}"), key=repr)
    return out


def test_contract_columns_exist(db_path):
    open_db(db_path, read_only=False, create=True).close()
    for table, cols in CONTRACT.items():
        have = [r[0] for r in query(db_path, f"DESCRIBE {table}")]
        assert set(cols) <= set(have), (table, set(cols) - set(have))


def test_rerun_changes_nothing_and_force_reloads_the_same_rows(tmp_path, db_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED, folder / "a.txt")
    run_cli("extract", folder, "--db", db_path, "--quiet", check=True)
    first = dump_all(db_path)
    assert len(first["documents"]) == 1 and len(first["indicators"]) == 25
    run_cli("extract", folder, "--db", db_path, "--quiet", check=True)
    assert dump_all(db_path) == first
    run_cli("extract", folder, "--db", db_path, "--quiet", "--force", check=True)
    assert dump_all(db_path) == first


def test_changed_file_replaces_its_rows(tmp_path, db_path):
    path = tmp_path / "dump.txt"
    shutil.copy(SEED, path)
    run_cli("extract", path, "--db", db_path, "--quiet", check=True)
    old_id = query(db_path, "SELECT doc_id FROM documents")[0][0]
    path.write_text(
        SEED.read_text(encoding="utf-8").replace("库尔勒市司法局", "某市司法局"), encoding="utf-8"
    )
    run_cli("extract", path, "--db", db_path, "--quiet", check=True)
    docs = query(db_path, "SELECT doc_id FROM documents")
    assert len(docs) == 1 and docs[0][0] != old_id
    assert query(db_path, "SELECT department FROM target_tables") == [("某市司法局",)]
    assert query(db_path, "SELECT count(*) FROM indicators WHERE table_id LIKE ?", [f"{old_id}%"])[0][0] == 0


def test_a_document_that_fails_to_load_leaves_nothing_behind(db_path):
    good = extract_document(SEED)
    con = open_db(db_path, read_only=False, create=True)
    load_document(con, good)
    before = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in CONTRACT}
    broken = DocumentResult(
        doc_id="f" * 64,
        source_path="/x/broken.txt",
        source_format="text",
        pages=None,
        ocr_pages=None,
        status="ok",
        error=None,
        tables=[
            Table(
                kind="project",
                year=2020,
                department="某局",
                unit=None,
                project="某项目",
                budget_total_wan=Decimal(1),
                budget_fiscal_wan=None,
                budget_other_wan=None,
                goal=None,
                page_first=None,
                page_last=None,
                indicators=[
                    Indicator(
                        seq=1,
                        level1=None,
                        level2=None,
                        level1_raw=None,
                        level2_raw=None,
                        level_inferred=False,
                        name="n",
                        value_raw="v",
                        comparator=None,
                        value_num="not a number",
                        value_max=None,
                        unit=None,
                        value_text="v",
                        dimension=None,
                    )
                ],
                checks=[Check("x", "info", "y")],
            )
        ],
    )
    with pytest.raises(Exception):  # noqa: B017 - any DuckDB conversion error
        load_document(con, broken)
    after = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in CONTRACT}
    con.close()
    assert after == before


def test_table_ids_sort_in_document_order(tmp_path, db_path):
    text = SEED.read_text(encoding="utf-8")
    path = tmp_path / "twelve.txt"
    path.write_text("\n".join([text] * 12), encoding="utf-8")
    run_cli("extract", path, "--db", db_path, "--quiet", check=True)
    ids = [r[0] for r in query(db_path, "SELECT table_id FROM target_tables ORDER BY table_id")]
    assert len(ids) == 12
    assert [int(i.split("#")[1]) for i in ids] == list(range(1, 13))


def test_settled_no_tables_documents_are_not_redone(tmp_path, db_path):
    path = tmp_path / "note.txt"
    path.write_text("关于部门预算的说明\n本部门没有绩效目标表。\n", encoding="utf-8")
    first = run_cli("extract", path, "--db", db_path, check=True)
    assert "no_tables 1" in first.stderr
    second = run_cli("extract", path, "--db", db_path, check=True)
    assert "unchanged 1" in second.stderr
