"""Write extraction results into the DuckDB file, one transaction per document.

Rows go in as Arrow record batches (one INSERT per table per document), which is what keeps
the single writer — the batch runner's parent process — ahead of many extraction workers.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from pipeline import EXTRACTOR_VERSION
from pipeline.model import DocumentResult
from pipeline.paths import absolute, display, file_key, text

_CHILD_TABLES = (
    "checks",
    "indicators",
    "budget_lines",
    "target_tables",
    "table_context",
    "indicator_concepts",
)
_CENT = Decimal("0.01")
_MONEY = pa.decimal128(18, 2)
_BBOX = pa.list_(pa.float64())

# Column name → Arrow type, in schema.sql order; inserts go BY NAME, so added columns are fine.
_DOCUMENTS = {
    "doc_id": pa.string(),
    "source_path": pa.string(),
    "source_format": pa.string(),
    "pages": pa.int32(),
    "ocr_pages": pa.int32(),
    "status": pa.string(),
    "error": pa.string(),
    "extractor_version": pa.string(),
    "size_bytes": pa.int64(),
    "seconds": pa.float64(),
    "extracted_at": pa.timestamp("us"),
    "heading": pa.string(),
    "source_file": pa.binary(),
    "settings": pa.string(),
}
_TARGET_TABLES = {
    "table_id": pa.string(),
    "doc_id": pa.string(),
    "kind": pa.string(),
    "year": pa.int32(),
    "department": pa.string(),
    "unit": pa.string(),
    "project": pa.string(),
    "budget_total_wan": _MONEY,
    "budget_fiscal_wan": _MONEY,
    "budget_other_wan": _MONEY,
    "goal": pa.string(),
    "page_first": pa.int32(),
    "page_last": pa.int32(),
    "title": pa.string(),
    "project_code": pa.string(),
}
_BUDGET_LINES = {
    "table_id": pa.string(),
    "line_no": pa.int32(),
    "task": pa.string(),
    "content": pa.string(),
    "total_wan": _MONEY,
    "fiscal_wan": _MONEY,
    "other_wan": _MONEY,
}
_INDICATORS = {
    "table_id": pa.string(),
    "seq": pa.int32(),
    "level1": pa.string(),
    "level2": pa.string(),
    "level1_raw": pa.string(),
    "level2_raw": pa.string(),
    "level_inferred": pa.bool_(),
    "name": pa.string(),
    "value_raw": pa.string(),
    "comparator": pa.string(),
    "value_num": pa.float64(),
    "value_max": pa.float64(),
    "unit": pa.string(),
    "value_text": pa.string(),
    "dimension": pa.string(),
    "weight": pa.float64(),
    "page": pa.int32(),
    "bbox": _BBOX,
    "ocr_confidence": pa.float64(),
}
_CHECKS = {
    "table_id": pa.string(),
    "check": pa.string(),
    "severity": pa.string(),
    "detail": pa.string(),
    "page": pa.int32(),
    "seq": pa.int32(),
}


def connect(db_path: str | Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (and create if needed) the database with the contract schema."""
    if not read_only:
        Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db_path), read_only=read_only)
    if not read_only:
        con.execute(resources.files("pipeline.store").joinpath("schema.sql").read_text(encoding="utf-8"))
    return con


def has_relation(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether the database holds a table or view of this name."""
    sql = "SELECT count(*) FROM information_schema.tables WHERE table_name = ?"
    return con.execute(sql, [name]).fetchall()[0][0] > 0


def table_id(doc_id: str, n: int) -> str:
    """`doc_id#N`, N zero-padded so that ORDER BY table_id is document order."""
    return f"{doc_id}#{n:04d}"


def loaded_status(con: duckdb.DuckDBPyConnection, doc_id: str) -> tuple[str, str] | None:
    """(status, extractor_version) of a document already in the database, or None."""
    rows = con.execute(
        "SELECT status, extractor_version FROM documents WHERE doc_id = ?", [doc_id]
    ).fetchall()
    row = rows[0] if rows else None
    return (row[0], row[1]) if row else None


def finished_ids(con: duckdb.DuckDBPyConnection, version: str = EXTRACTOR_VERSION) -> set[str]:
    """Documents that need no work: extracted by this extractor version with a settled outcome
    (`ok`, or `no_tables`: the same bytes and code give the same answer).  `partial` and
    `failed` documents are tried again."""
    rows = con.execute(
        "SELECT doc_id FROM documents WHERE status IN ('ok', 'no_tables') AND extractor_version = ?",
        [version],
    ).fetchall()
    return {r[0] for r in rows}


def _delete(con: duckdb.DuckDBPyConnection, doc_ids: list[str]) -> None:
    for doc_id in doc_ids:
        like = f"{doc_id}#%"
        for table in _CHILD_TABLES:
            con.execute(f"DELETE FROM {table} WHERE table_id LIKE ?", [like])
        con.execute("DELETE FROM documents WHERE doc_id = ?", [doc_id])


def path_index(con: duckdb.DuckDBPyConnection) -> dict[bytes, set[str]]:
    """Which documents each file (by `file_key`) holds in the database.  Rows of databases
    written before `source_file` existed are keyed by their source_path as seen from here."""
    index: dict[bytes, set[str]] = {}
    for key, path, doc_id in con.execute("SELECT source_file, source_path, doc_id FROM documents").fetchall():
        index.setdefault(bytes(key) if key is not None else file_key(path), set()).add(doc_id)
    return index


def _source_path(path: str) -> str:
    """What `documents.source_path` records: the absolute path, as text."""
    return display(absolute(path))


def update_source_path(con: duckdb.DuckDBPyConnection, doc_id: str, path: str) -> bool:
    """Record the absolute path of a document already loaded from this same file (a database of
    a version that kept paths relative to where the run started).  True if the row changed."""
    new = _source_path(path)
    rows = con.execute(
        "UPDATE documents SET source_path = ? WHERE doc_id = ? AND source_path IS DISTINCT FROM ? "
        "AND (source_file = ? OR source_file IS NULL) RETURNING doc_id",
        [new, doc_id, new, file_key(path)],
    ).fetchall()
    return bool(rows)


def delete_documents(con: duckdb.DuckDBPyConnection, doc_ids: list[str]) -> None:
    """Remove documents and all their rows, in one transaction."""
    if not doc_ids:
        return
    con.execute("BEGIN TRANSACTION")
    try:
        _delete(con, doc_ids)
        con.execute("COMMIT")
    except BaseException:
        _rollback(con)
        raise


def load_document(con: duckdb.DuckDBPyConnection, doc: DocumentResult) -> None:
    """Replace everything known about this document, and whatever the same file (by resolved
    path, see `file_key`) held before, in one transaction: a crash leaves either the old rows
    or the new ones."""
    batches = _rows(doc)  # built before the transaction: a bad value fails without touching the db
    con.execute("BEGIN TRANSACTION")
    try:
        # Child rows exist only for documents rows (both are written in one transaction),
        # so a new document needs no scans of the child tables.
        present = con.execute(
            "SELECT doc_id FROM documents WHERE doc_id = ? OR source_file = ? "
            "OR (source_file IS NULL AND source_path IN (?, ?))",
            [doc.doc_id, file_key(doc.source_path), display(doc.source_path), _source_path(doc.source_path)],
        ).fetchall()
        _delete(con, [r[0] for r in present])
        for table, batch in batches.items():
            if batch.num_rows:
                con.register("_load_batch", batch)
                try:
                    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _load_batch")
                finally:
                    con.unregister("_load_batch")
        con.execute("COMMIT")
    except BaseException:
        _rollback(con)
        raise


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back if a transaction is still open.  After a fatal error (a full disk) DuckDB has
    already ended it; its "no transaction is active" must not hide the error that did."""
    with contextlib.suppress(duckdb.Error):
        con.execute("ROLLBACK")


def _rows(doc: DocumentResult) -> dict[str, pa.Table]:
    """The document's rows for each table, as Arrow tables typed like schema.sql."""
    documents = [
        [
            doc.doc_id,
            _source_path(doc.source_path),
            doc.source_format,
            doc.pages,
            doc.ocr_pages,
            doc.status,
            doc.error,
            EXTRACTOR_VERSION,
            doc.size_bytes,
            round(doc.seconds, 3),
            dt.datetime.now(dt.UTC).replace(tzinfo=None),
            doc.heading,
            file_key(doc.source_path),
            doc.settings,
        ]
    ]
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
                _money(t.budget_total_wan),
                _money(t.budget_fiscal_wan),
                _money(t.budget_other_wan),
                t.goal,
                t.page_first,
                t.page_last,
                t.title,
                t.project_code,
            ]
        )
        lines += [
            [
                tid,
                ln.line_no,
                ln.task,
                ln.content,
                _money(ln.total_wan),
                _money(ln.fiscal_wan),
                _money(ln.other_wan),
            ]
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
                _float(i.value_num),
                _float(i.value_max),
                i.unit,
                i.value_text,
                i.dimension,
                _float(i.weight),
                i.page,
                [float(x) for x in i.bbox] if i.bbox else None,
                _float(i.ocr_confidence),
            ]
            for i in t.indicators
        ]
        checks += [
            [tid, c.check, c.severity, c.detail, c.page if c.page is not None else t.page_first, c.seq]
            for c in t.checks
        ]
    # checks about the whole document (self-audit) carry the document's own id, `doc_id#0000`
    checks += [[table_id(doc.doc_id, 0), c.check, c.severity, c.detail, c.page, None] for c in doc.checks]
    return {
        "documents": _arrow(_DOCUMENTS, documents),
        "target_tables": _arrow(_TARGET_TABLES, tables),
        "budget_lines": _arrow(_BUDGET_LINES, lines),
        "indicators": _arrow(_INDICATORS, inds),
        "checks": _arrow(_CHECKS, checks),
    }


def _arrow(schema: dict[str, pa.DataType], rows: list[list[Any]]) -> pa.Table:
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in schema]
    arrays = [_array(list(col), typ) for col, typ in zip(columns, schema.values(), strict=True)]
    return pa.Table.from_arrays(arrays, names=list(schema))


def _array(values: list[Any], typ: pa.DataType) -> pa.Array:
    """An Arrow column; text that is not valid UTF-8 (a lone surrogate from a file name or a
    damaged document) is stored in its escaped form rather than failing the document."""
    try:
        return pa.array(values, type=typ)
    except (UnicodeEncodeError, pa.ArrowInvalid):
        if typ != pa.string():
            raise
        return pa.array([text(v) if isinstance(v, str) else v for v in values], type=typ)


def _money(x: Decimal | None) -> Decimal | None:
    """DECIMAL(18,2): rounded half away from zero, as DuckDB casts; NaN/∞ stored as NULL."""
    if x is None:
        return None
    try:
        d = x if isinstance(x, Decimal) else Decimal(str(x))
        return d.quantize(_CENT, rounding=ROUND_HALF_UP) if d.is_finite() else None
    except InvalidOperation:
        return None


def _float(x: Any) -> float | None:
    return None if x is None else float(x)
