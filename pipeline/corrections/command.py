"""`python -m pipeline correct ID FIELD VALUE`: add a line to the corrections file and apply it.

The line is filled in from the database: the table's project (or department) and the
indicator's name locate the row after a re-extraction, and the value found now becomes the
`old` guard, so the correction is not applied blindly once the extraction changes.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from pipeline.corrections.apply import apply, default_path, matches, shadow_of
from pipeline.corrections.sheet import INDICATOR_FIELDS, TABLE_FIELDS, append, check_value
from pipeline.paths import display
from pipeline.store.db import has_relation

_ID = re.compile(r"([0-9a-fA-F]{12,64})#(\d{1,6})(?:#(\d{1,6}))?")


class CorrectError(Exception):
    """A one-line reason the correction cannot be made."""


def correct(
    con: duckdb.DuckDBPyConnection,
    db: str,
    ident: str,
    field: str,
    value: str | None,
    note: str | None = None,
    path: str | None = None,
) -> str:
    """Append the correction to the file and apply the whole file; returns what happened."""
    m = _ID.fullmatch(ident.strip())
    if not m:
        raise CorrectError(f"{ident!r} is not a TABLE_ID (DOCID#N) or an INDICATOR_ID (DOCID#N#SEQ)")
    seq = int(m.group(3)) if m.group(3) else None
    fields = INDICATOR_FIELDS if seq is not None else TABLE_FIELDS
    field = field.lower()
    if field not in fields:
        raise CorrectError(f"field {field!r} is not one of {', '.join(fields)}")
    try:
        check_value(fields[field], value)
    except ValueError as e:
        raise CorrectError(str(e)) from None
    row = _original(con, m.group(1).lower(), int(m.group(2)), seq, field)
    target = Path(path) if path else default_path(db)
    if field != "delete" and (
        value is None and row["old"] is None or value is not None and matches(row["old"], value)
    ):
        return (
            f"nothing added: the extraction gives {field} {row['old']!r} already "
            f"(to undo an earlier correction, delete its line in {display(str(target))})"
        )
    line = append(
        target,
        {
            "table_id": row["table_id"],
            "project": row["project"],
            "seq": seq,
            "name": row.get("name"),
            "field": field,
            "old": None if field == "delete" else row["old"],
            "new": value,
            "note": note,
        },
    )
    outcome = apply(con, target, explicit=True)
    where = f"{display(str(target))}:{line}"
    for s in outcome.stale + outcome.problems:
        if s.startswith(where + ":"):
            raise CorrectError(f"added but not applied: {s}")
    shown = "deleted" if field == "delete" else f"{field}: {row['old']!r} → {value!r}"
    return f"{where}: {row['table_id']}{'#' + str(seq) if seq else ''} {shown}"


def _original(con: duckdb.DuckDBPyConnection, doc: str, n: int, seq: int | None, field: str) -> dict:
    """The row as extracted (before earlier corrections), with what identifies it."""
    docs = con.execute("SELECT doc_id FROM documents WHERE starts_with(doc_id, ?)", [doc]).fetchall()
    if len(docs) != 1:
        raise CorrectError(f"{'no' if not docs else len(docs)} documents with an id starting {doc}")
    tid = f"{docs[0][0]}#{n:04d}"
    table = _row(con, "target_tables", "table_id = ?", [tid])
    if table is None:
        raise CorrectError(f"no table {tid} in the database")
    out = {"table_id": tid, "project": table["project"] or table["department"]}
    if seq is None:
        out["old"] = table.get(field)
        return _as_text(out)
    ind = _row(con, "indicators", "table_id = ? AND seq = ?", [tid, seq])
    if ind is None:
        raise CorrectError(f"no indicator {seq} in table {tid}")
    out["name"] = ind["name"]
    out["old"] = ind.get(field)
    return _as_text(out)


def _row(con: duckdb.DuckDBPyConnection, table: str, where: str, params: list) -> dict | None:
    for source in (shadow_of(table), table):
        if source != table and not has_relation(con, source):
            continue
        cur = con.execute(f"SELECT * FROM {source} WHERE {where}", params)
        rows = cur.fetchall()
        if rows:
            return dict(zip([d[0] for d in cur.description], rows[0], strict=True))
    return None


def _as_text(row: dict) -> dict:
    old = row.get("old")
    if isinstance(old, float) and old.is_integer():
        row["old"] = str(int(old))
    elif old is not None:
        row["old"] = str(old)
    return row
