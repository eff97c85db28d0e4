"""Write extraction results into the DuckDB file, one transaction per document."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path

import duckdb

from pipeline import EXTRACTOR_VERSION
from pipeline.model import DocumentResult

_TABLES = ("checks", "indicators", "budget_lines", "target_tables")


def connect(db_path: str | Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (and create if needed) the database with the contract schema."""
    if not read_only:
        Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db_path), read_only=read_only)
    if not read_only:
        con.execute(resources.files("pipeline").joinpath("schema.sql").read_text(encoding="utf-8"))
    return con


def table_id(doc_id: str, n: int) -> str:
    """`doc_id#N`, N zero-padded so that ORDER BY table_id is document order."""
    return f"{doc_id}#{n:04d}"


def loaded_status(con: duckdb.DuckDBPyConnection, doc_id: str) -> tuple[str, str] | None:
    """(status, extractor_version) of a document already in the database, or None."""
    row = con.execute("SELECT status, extractor_version FROM documents WHERE doc_id = ?", [doc_id]).fetchone()
    return (row[0], row[1]) if row else None


def _delete(con: duckdb.DuckDBPyConnection, doc_ids: list[str]) -> None:
    for doc_id in doc_ids:
        like = f"{doc_id}#%"
        for table in _TABLES:
            con.execute(f"DELETE FROM {table} WHERE table_id LIKE ?", [like])
        con.execute("DELETE FROM documents WHERE doc_id = ?", [doc_id])


def load_document(con: duckdb.DuckDBPyConnection, doc: DocumentResult) -> None:
    """Replace everything known about this document (and about an older version of the same
    path) in one transaction: a crash leaves either the old rows or the new ones."""
    con.execute("BEGIN TRANSACTION")
    try:
        stale = [
            r[0]
            for r in con.execute(
                "SELECT doc_id FROM documents WHERE source_path = ? AND doc_id <> ?",
                [doc.source_path, doc.doc_id],
            ).fetchall()
        ]
        _delete(con, [doc.doc_id, *stale])
        con.execute(
            "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                doc.doc_id,
                doc.source_path,
                doc.source_format,
                doc.pages,
                doc.ocr_pages,
                doc.status,
                doc.error,
                EXTRACTOR_VERSION,
                doc.size_bytes,
                round(doc.seconds, 3),
                dt.datetime.now(dt.UTC).replace(tzinfo=None),
            ],
        )
        tables, lines, inds, checks = [], [], [], []
        for n, t in enumerate(doc.tables, start=1):
            tid = table_id(doc.doc_id, n)
            tables.append(
                [
                    tid,
                    doc.doc_id,
                    t.kind,
                    t.year,
                    t.department,
                    t.unit,
                    t.project,
                    t.budget_total_wan,
                    t.budget_fiscal_wan,
                    t.budget_other_wan,
                    t.goal,
                    t.page_first,
                    t.page_last,
                    t.title,
                ]
            )
            lines += [
                [tid, ln.line_no, ln.task, ln.content, ln.total_wan, ln.fiscal_wan, ln.other_wan]
                for ln in t.budget_lines
            ]
            inds += [
                [
                    tid,
                    i.seq,
                    i.level1,
                    i.level2,
                    i.level1_raw,
                    i.level2_raw,
                    i.level_inferred,
                    i.name,
                    i.value_raw,
                    i.comparator,
                    i.value_num,
                    i.value_max,
                    i.unit,
                    i.value_text,
                    i.dimension,
                    i.weight,
                    i.page,
                    list(i.bbox) if i.bbox else None,
                    i.ocr_confidence,
                ]
                for i in t.indicators
            ]
            checks += [[tid, c.check, c.severity, c.detail] for c in t.checks]
        if tables:
            con.executemany("INSERT INTO target_tables VALUES (" + ",".join("?" * 14) + ")", tables)
        if lines:
            con.executemany("INSERT INTO budget_lines VALUES (?, ?, ?, ?, ?, ?, ?)", lines)
        if inds:
            con.executemany("INSERT INTO indicators VALUES (" + ",".join("?" * 19) + ")", inds)
        if checks:
            con.executemany("INSERT INTO checks VALUES (?, ?, ?, ?)", checks)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
