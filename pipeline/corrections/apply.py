"""Apply the corrections file to the database, after every extraction run.

Each run first puts back every row changed by the previous run (its original is kept in a
`corrections_original_*` table, unless the document has been re-extracted since), then applies
the file as it is now.  So a correction edited or removed from the file takes effect on the
next run whether or not anything is re-extracted, and a re-extracted document gets its
corrections again.  A correction whose target or guard no longer matches is not applied: it is
listed in `corrections_applied` (status `stale`) and raised as a `correction_stale` check.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from pipeline.corrections.sheet import Correction, SheetError, read
from pipeline.normalize import taxonomy
from pipeline.normalize.text import fold_width
from pipeline.normalize.values import parse_value
from pipeline.paths import display
from pipeline.store.db import has_relation
from pipeline.store.load import table_id

log = logging.getLogger(__name__)

FILE_NAME = "corrections.csv"
STALE = "correction_stale"
# table → the columns that identify one of its rows
_KEYS = {
    "target_tables": ("table_id",),
    "indicators": ("table_id", "seq"),
    "budget_lines": ("table_id",),
    "checks": ("table_id",),
}
_VALUE_FIELDS = ("value_raw", "comparator", "value_num", "value_max", "unit", "value_text")


@dataclass
class Outcome:
    """What one application of the file did, for the run summary."""

    path: str
    applied: int = 0
    already: int = 0  # the row holds the value already: the line may go
    absent: int = 0
    stale: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        if not (self.applied or self.already or self.absent or self.stale or self.problems):
            return []
        out = [
            f"corrections: {self.applied} applied, {len(self.stale)} stale"
            + (
                f", {self.already} no longer needed (the extraction gives their value)"
                if self.already
                else ""
            )
            + (f", {self.absent} for documents not in this database" if self.absent else "")
            + f" ({self.path})"
        ]
        out += [f"  correction not applied: {s}" for s in self.stale[:20]]
        out += [f"  correction unreadable: {p}" for p in self.problems[:20]]
        hidden = max(0, len(self.stale) - 20) + max(0, len(self.problems) - 20)
        if hidden:
            out.append(f"  … and {hidden} more (see the corrections_applied table)")
        return out


@dataclass(frozen=True)
class _Target:
    doc_id: str
    extracted_at: dt.datetime
    table_id: str
    seq: int | None


class _Already(Exception):
    """The row already holds the correction's value (a re-extraction now reads it right)."""


class _Stale(Exception):
    """The correction's target or guard does not match the database (any more)."""

    def __init__(self, reason: str, table: str | None = None) -> None:
        super().__init__(reason)
        self.table = table


def default_path(db: str | Path) -> Path:
    """`corrections.csv` in the database's folder."""
    return Path(os.path.abspath(db)).parent / FILE_NAME


def apply(con: duckdb.DuckDBPyConnection, path: str | Path, explicit: bool = False) -> Outcome:
    """Undo the previous run's corrections and apply the file, in one transaction.  A missing
    file is no corrections (unless `explicit`); an unreadable one leaves the database as it is."""
    outcome = Outcome(display(str(path)))
    corrections: list[Correction] = []
    if explicit or Path(path).exists():
        try:
            corrections, outcome.problems = read(path)
        except SheetError as e:
            outcome.problems.append(f"{e} (corrections not applied)")
            return outcome
    con.execute("BEGIN TRANSACTION")
    try:
        _revert(con)
        con.execute('DELETE FROM checks WHERE "check" = ?', [STALE])
        con.execute("DELETE FROM corrections_applied")
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        index = _Index(con)
        resolved = [(c, _resolve_or_stale(index, c)) for c in corrections]  # all before any change
        for c, target in resolved:
            _one(con, index, c, target, outcome, now)
        for problem in outcome.problems:
            line = re.search(r":(\d+): ", problem)
            _record(con, c=None, line=int(line.group(1)) if line else None, status="invalid", detail=problem)
        con.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise
    return outcome


class _Index:
    """Documents and their tables, read once per application of the file."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.docs = dict(con.execute("SELECT doc_id, extracted_at FROM documents").fetchall())
        self.tables: dict[str, list[tuple]] = {}
        sql = "SELECT doc_id, table_id, project, department FROM target_tables ORDER BY table_id"
        for doc_id, *row in con.execute(sql).fetchall():
            self.tables.setdefault(doc_id, []).append(tuple(row))
        self.shadows: set[str] = set()  # created by this application

    def find(self, prefix: str) -> list[str]:
        return [d for d in self.docs if d.startswith(prefix)]


def _resolve_or_stale(index: _Index, c: Correction) -> _Target | _Stale | None:
    try:
        return _resolve(index, c)
    except _Stale as e:
        return e


def _one(
    con: duckdb.DuckDBPyConnection,
    index: _Index,
    c: Correction,
    target: _Target | _Stale | None,
    outcome: Outcome,
    now: dt.datetime,
) -> None:
    where = f"{outcome.path}:{c.line}"
    if target is None:
        outcome.absent += 1
        _record(con, c, status="no_document", detail=f"no document {c.doc}… in this database")
        return
    try:
        if isinstance(target, _Stale):
            raise target
        old = _change(con, index, c, target)
    except _Already:
        outcome.already += 1
        _record(con, c, status="already", detail="the extraction gives this value now", table=target.table_id)
        return
    except _Stale as e:
        docs = index.find(c.doc)
        doc = docs[0] if len(docs) == 1 else None
        table = target.table_id if isinstance(target, _Target) else e.table
        if table is None and doc and c.table_no:
            table = table_id(doc, c.table_no)  # the table asked for, though it is not there
        detail = f"{where}: {e}"
        outcome.stale.append(detail)
        log.warning("correction not applied: %s", detail)
        doc_table = table or table_id(doc or c.doc, 0)
        con.execute(
            "INSERT INTO checks (table_id, \"check\", severity, detail) VALUES (?, ?, 'warning', ?)",
            [doc_table, STALE, detail],
        )
        _record(con, c, status="stale", detail=str(e), table=table)
        return
    outcome.applied += 1
    _record(con, c, status="applied", table=target.table_id, seq=target.seq, old=old, applied_at=now)


# --- finding the row ---------------------------------------------------------------------


def _same(a: str | None, b: str | None) -> bool:
    def norm(s: str | None) -> str:
        return re.sub(r"\s+", "", fold_width(s or ""))

    return norm(a) == norm(b)


def _resolve(index: _Index, c: Correction) -> _Target | None:
    docs = index.find(c.doc)
    if not docs:
        return None
    if len(docs) > 1:
        raise _Stale(f"{c.doc} is the start of {len(docs)} document ids; give more digits")
    doc_id, extracted_at = docs[0], index.docs[docs[0]]
    tid = _pick_table(doc_id, index.tables.get(doc_id, []), c)
    if not c.on_indicator:
        return _Target(doc_id, extracted_at, tid, None)
    sql = "SELECT seq, name FROM indicators WHERE table_id = ? ORDER BY seq"
    rows = index.con.execute(sql, [tid]).fetchall()
    return _Target(doc_id, extracted_at, tid, _pick_row(tid, rows, c))


def _pick_table(doc_id: str, tables: list[tuple], c: Correction) -> str:
    """The project name finds the table even when re-extraction renumbered the tables; the
    number decides between tables of the same name."""
    wanted = table_id(doc_id, c.table_no) if c.table_no else None
    if c.project is None:
        if wanted in {t[0] for t in tables}:
            return wanted
        raise _Stale(f"the document has no table #{c.table_no} any more")
    named = [t[0] for t in tables if _same(c.project, t[1]) or (t[1] is None and _same(c.project, t[2]))]
    if wanted in named:
        return wanted
    if len(named) == 1:
        return named[0]
    if not named:
        raise _Stale(f"the document has no table of {c.project!r} any more", wanted)
    raise _Stale(f"{len(named)} tables are named {c.project!r}; give the table number (DOCID#N)")


def _pick_row(tid: str, rows: list[tuple], c: Correction) -> int:
    names = dict(rows)
    if c.name is None:
        if c.seq in names:
            return c.seq
        raise _Stale(f"the table has no indicator {c.seq} any more", tid)
    if c.seq in names and _same(names[c.seq], c.name):
        return c.seq
    named = [s for s, n in rows if _same(n, c.name)]
    if len(named) == 1:
        return named[0]
    if not named:
        raise _Stale(f"the table has no indicator named {c.name!r} any more", tid)
    raise _Stale(f"{len(named)} indicators are named {c.name!r}; give seq", tid)


# --- changing it -------------------------------------------------------------------------


def _change(con: duckdb.DuckDBPyConnection, index: _Index, c: Correction, t: _Target) -> str | None:
    """Apply one correction; returns the value it replaced, as text."""
    table = "indicators" if t.seq is not None else "target_tables"
    key_sql = "table_id = ? AND seq = ?" if t.seq is not None else "table_id = ?"
    key = [t.table_id, t.seq] if t.seq is not None else [t.table_id]
    column = "name" if c.field == "delete" and t.seq is not None else c.field
    if c.field == "delete" and t.seq is None:
        column = "coalesce(project, department)"
    rows = con.execute(f"SELECT {column} FROM {table} WHERE {key_sql}", key).fetchall()
    if not rows:
        raise _Stale("its row was deleted by an earlier line of the file")
    current = rows[0][0]
    if c.field != "delete" and (
        c.new is None and current is None or c.new is not None and matches(current, c.new)
    ):
        raise _Already
    if c.old is not None and c.field != "delete" and not matches(current, c.old):
        raise _Stale(f"{c.field} is now {_text(current)!r}, the correction expects {c.old!r}")
    _stash(index, table, key_sql, key, t.extracted_at)
    if c.field == "delete":
        _delete(index, t, key_sql, key)
        return _text(current)
    changes: dict[str, Any] = {c.field: _typed(c.kind, c.new)}
    if c.field == "value_raw":
        name = con.execute(f"SELECT name FROM indicators WHERE {key_sql}", key).fetchall()[0][0]
        v = parse_value(c.new, name=name)
        values = (v.raw, v.comparator, v.value_num, v.value_max, v.unit, v.value_text)
        changes = dict(zip(_VALUE_FIELDS, values, strict=True))
    if c.field == "level2" and taxonomy.dimension(c.new):
        changes["dimension"] = taxonomy.dimension(c.new)
    sets = ", ".join(f"{k} = ?" for k in changes)
    con.execute(f"UPDATE {table} SET {sets}, corrected = true WHERE {key_sql}", [*changes.values(), *key])
    _forget_derived(con, t)
    return _text(current)


def _delete(index: _Index, t: _Target, key_sql: str, key: list) -> None:
    con = index.con
    if t.seq is not None:
        con.execute(f"DELETE FROM indicators WHERE {key_sql}", key)
    else:
        for child in ("indicators", "budget_lines", "checks"):
            _stash(index, child, "table_id = ?", key, t.extracted_at)
            con.execute(f"DELETE FROM {child} WHERE table_id = ?", key)
        con.execute("DELETE FROM target_tables WHERE table_id = ?", key)
    _forget_derived(con, t)


def _forget_derived(con: duckdb.DuckDBPyConnection, t: _Target) -> None:
    """Region, category and concepts are computed again (by annotate) from the corrected row."""
    if t.seq is None:
        con.execute("DELETE FROM table_context WHERE table_id = ?", [t.table_id])
        con.execute("DELETE FROM indicator_concepts WHERE table_id = ?", [t.table_id])
    else:
        con.execute("DELETE FROM indicator_concepts WHERE table_id = ? AND seq = ?", [t.table_id, t.seq])


def matches(current: Any, expected: str) -> bool:
    if isinstance(current, (int, float, Decimal)) and not isinstance(current, bool):
        try:
            return abs(float(current) - float(expected.replace(",", ""))) < 0.005
        except ValueError:
            return False
    return _same(_text(current), expected)


def _typed(kind: str, value: str | None) -> Any:
    if value is None:
        return None
    if kind == "float":
        return float(value.replace(",", ""))
    if kind == "money":
        return Decimal(value.replace(",", "")).quantize(Decimal("0.01"))
    if kind == "year":
        return int(value)
    return value


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- keeping the originals ---------------------------------------------------------------


def shadow_of(table: str) -> str:
    return f"corrections_original_{table}"


def _stash(index: _Index, table: str, key_sql: str, key: list, at: dt.datetime) -> None:
    """Keep the row as extracted (once: the first change of a run stashes it)."""
    con, shadow = index.con, shadow_of(table)
    if shadow not in index.shadows:  # the previous run's were dropped by _revert
        con.execute(
            f"CREATE TABLE {shadow} AS SELECT *, NULL::TIMESTAMP AS _extracted_at FROM {table} LIMIT 0"
        )
        index.shadows.add(shadow)
    same = " AND ".join(f"s.{k} = x.{k}" for k in _KEYS[table])
    con.execute(
        f"INSERT INTO {shadow} BY NAME SELECT x.*, ?::TIMESTAMP AS _extracted_at FROM {table} x "
        f"WHERE {key_sql.replace('table_id', 'x.table_id').replace('seq', 'x.seq')} "
        f"AND NOT EXISTS (SELECT 1 FROM {shadow} s WHERE {same})",
        [at, *key],
    )


def _revert(con: duckdb.DuckDBPyConnection) -> None:
    """Put back the rows as extracted, where their document has not been re-extracted since."""
    for table, keys in _KEYS.items():
        shadow = shadow_of(table)
        if not has_relation(con, shadow):
            continue
        con.execute(
            f"DELETE FROM {shadow} s WHERE NOT EXISTS (SELECT 1 FROM documents d "
            "WHERE d.doc_id = split_part(s.table_id, '#', 1) AND d.extracted_at IS NOT DISTINCT FROM s._extracted_at)"
        )
        same = " AND ".join(f"s.{k} = x.{k}" for k in keys)
        con.execute(f"DELETE FROM {table} x WHERE EXISTS (SELECT 1 FROM {shadow} s WHERE {same})")
        con.execute(f"INSERT INTO {table} BY NAME SELECT * EXCLUDE (_extracted_at) FROM {shadow}")
        if table == "indicators":
            con.execute(
                "DELETE FROM indicator_concepts k WHERE EXISTS "
                f"(SELECT 1 FROM {shadow} s WHERE s.table_id = k.table_id AND s.seq = k.seq)"
            )
        if table == "target_tables":
            con.execute(f"DELETE FROM table_context WHERE table_id IN (SELECT table_id FROM {shadow})")
        con.execute(f"DROP TABLE {shadow}")


def _record(
    con: duckdb.DuckDBPyConnection,
    c: Correction | None,
    status: str,
    detail: str | None = None,
    line: int | None = None,
    table: str | None = None,
    seq: int | None = None,
    old: str | None = None,
    applied_at: dt.datetime | None = None,
) -> None:
    """One row of `corrections_applied`: what the line asked, what it found, what happened."""
    con.execute(
        "INSERT INTO corrections_applied BY NAME SELECT ? AS line, ? AS table_id, ? AS seq, ? AS field, "
        "? AS old_value, ? AS new_value, ? AS status, ? AS detail, ? AS note, ? AS applied_at",
        [
            c.line if c else line,
            table or (f"{c.doc}#{c.table_no or ''}" if c else None),
            seq if seq is not None else (c.seq if c else None),
            c.field if c else None,
            old,
            c.new if c else None,
            status,
            detail,
            c.note if c else None,
            applied_at,
        ],
    )
