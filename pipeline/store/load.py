"""Write extraction results into the DuckDB file, one transaction per document.

Rows go in as Arrow record batches (one INSERT per table per document), which is what keeps
the single writer — the batch runner's parent process — ahead of many extraction workers.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

import duckdb
import pyarrow as pa

from pipeline import EXTRACTOR_VERSION
from pipeline.model import DocumentResult
from pipeline.normalize.names import cents
from pipeline.paths import absolute, display, file_key, text
from pipeline.store.columns import BOX, DOUBLE, MONEY, Column, loaded

_CHILD_TABLES = (
    "checks",
    "indicators",
    "budget_lines",
    "target_tables",
    "table_context",
    "indicator_concepts",
)


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


def finished_ids(
    con: duckdb.DuckDBPyConnection, version: str = EXTRACTOR_VERSION, settings: str | None = None
) -> set[str]:
    """Documents that need no work: extracted by this extractor version with a settled outcome
    (`ok`, or `no_tables`: the same bytes and code give the same answer).  `partial` and
    `failed` documents are tried again.  With `settings` (`Settings.record()` of this run), a
    document that needed OCR is done only if it was read with the same settings: a run with
    another OCR engine or dpi reads the scans again, not the text-layer documents."""
    sql = "SELECT doc_id FROM documents WHERE status IN ('ok', 'no_tables') AND extractor_version = ?"
    params: list[object] = [version]
    if settings is not None:
        sql += " AND (coalesce(ocr_pages, 0) = 0 OR settings IS NOT DISTINCT FROM ?)"
        params.append(settings)
    return {r[0] for r in con.execute(sql, params).fetchall()}


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
    """The document's rows for each table, as Arrow tables typed as `columns.TABLES` says.  A
    column's value is the model attribute of the same name unless the loader gives it here."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    documents = [
        _values(
            "documents",
            doc,
            source_path=_source_path(doc.source_path),
            extractor_version=EXTRACTOR_VERSION,
            seconds=round(doc.seconds, 3),
            extracted_at=now,
            source_file=file_key(doc.source_path),
        )
    ]
    tables, lines, inds, checks = [], [], [], []
    for n, t in enumerate(doc.tables, start=1):
        tid = table_id(doc.doc_id, n)
        tables.append(_values("target_tables", t, table_id=tid, doc_id=doc.doc_id))
        lines += [_values("budget_lines", ln, table_id=tid) for ln in t.budget_lines]
        inds += [_values("indicators", i, table_id=tid) for i in t.indicators]
        checks += [
            _values("checks", c, table_id=tid, page=c.page if c.page is not None else t.page_first)
            for c in t.checks
        ]
    # checks about the whole document (self-audit) carry the document's own id, `doc_id#0000`
    checks += [_values("checks", c, table_id=table_id(doc.doc_id, 0), seq=None) for c in doc.checks]
    rows = {
        "documents": documents,
        "target_tables": tables,
        "budget_lines": lines,
        "indicators": inds,
        "checks": checks,
    }
    return {table: _arrow(loaded(table), values) for table, values in rows.items()}


def _values(table: str, obj: Any, **given: Any) -> list[Any]:
    """One row of `table`: the values given, else `obj`'s attribute of each column's name."""
    return [given[c.name] if c.name in given else _convert(c, getattr(obj, c.name)) for c in loaded(table)]


def _convert(column: Column, value: Any) -> Any:
    if column.type == MONEY:
        return cents(value)
    if column.type == DOUBLE:
        return _float(value)
    if column.type == BOX:
        return [float(x) for x in value] if value else None
    return value


def _arrow(columns: tuple[Column, ...], rows: list[list[Any]]) -> pa.Table:
    values = list(zip(*rows, strict=True)) if rows else [() for _ in columns]
    arrays = [_array(list(col), c.arrow) for col, c in zip(values, columns, strict=True)]
    return pa.Table.from_arrays(arrays, names=[c.name for c in columns])


def _array(values: list[Any], typ: pa.DataType) -> pa.Array:
    """An Arrow column; text that is not valid UTF-8 (a lone surrogate from a file name or a
    damaged document) is stored in its escaped form rather than failing the document."""
    try:
        return pa.array(values, type=typ)
    except (UnicodeEncodeError, pa.ArrowInvalid):
        if typ != pa.string():
            raise
        return pa.array([text(v) if isinstance(v, str) else v for v in values], type=typ)


def _float(x: Any) -> float | None:
    return None if x is None else float(x)
