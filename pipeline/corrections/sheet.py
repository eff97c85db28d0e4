"""The corrections file: one CSV row per fix an analyst made, read and validated line by line.

Columns (header row required, any order, extra columns ignored):

    table_id  DOCID#N — the document's sha256 or a unique prefix of it (≥ 12 hex digits) and the
              table's number; `#N` may be left out when `project` names the table
    project   the table's 项目名称 (for a department table: its department) — locates the table
              when re-extraction renumbered them, and guards against fixing the wrong one
    seq       the indicator's number in the table (empty for a table field)
    name      the indicator's name as extracted — locates it when the rows were renumbered
    field     what to change (FIELDS below), or `delete` to drop the indicator or table
    old       optional: the value the correction expects to find; anything else → not applied
    new       the value to write (empty = NULL)
    note      free text: who, why, source

A line that cannot be read gives one problem `FILE:LINE: reason` and is skipped; the others
still apply.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.paths import display

COLUMNS = ("table_id", "project", "seq", "name", "field", "old", "new", "note")

INDICATOR_FIELDS = {
    "name": "text",
    "value_raw": "text",  # re-parsed into comparator, value_num, value_max, unit, value_text
    "level1": "text",
    "level2": "text",  # sets dimension too when it is a standard label
    "level1_raw": "text",
    "level2_raw": "text",
    "dimension": "text",
    "comparator": "comparator",
    "value_num": "float",
    "value_max": "float",
    "unit": "text",
    "value_text": "text",
    "weight": "float",
    "delete": "delete",
}
TABLE_FIELDS = {
    "kind": "kind",
    "year": "year",
    "department": "text",
    "unit": "text",
    "project": "text",
    "budget_total_wan": "money",
    "budget_fiscal_wan": "money",
    "budget_other_wan": "money",
    "goal": "text",
    "title": "text",
    "delete": "delete",
}
COMPARATORS = {">=", "<=", ">", "<", "=", "range"}
_TABLE_ID = re.compile(r"([0-9a-f]{12,64})(?:#(\d{1,6}))?")
_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)")


class SheetError(Exception):
    """The corrections file as a whole cannot be read (one line, naming the file)."""


@dataclass(frozen=True)
class Correction:
    line: int
    doc: str  # sha256 or a prefix of it, lower case
    table_no: int | None
    project: str | None
    seq: int | None
    name: str | None
    field: str
    old: str | None
    new: str | None
    note: str | None

    @property
    def on_indicator(self) -> bool:
        return self.seq is not None or self.name is not None

    @property
    def kind(self) -> str:
        return (INDICATOR_FIELDS if self.on_indicator else TABLE_FIELDS)[self.field]


def read(path: str | Path) -> tuple[list[Correction], list[str]]:
    """The valid corrections of the file, and one problem line per line that is not."""
    text = _text(Path(path))
    rows = csv.reader(io.StringIO(text, newline=""))
    where = display(str(path))
    header: list[str] | None = None
    found: list[Correction] = []
    problems: list[str] = []
    try:
        for row in rows:
            if not any(c.strip() for c in row) or row[0].lstrip().startswith("#"):
                continue
            if header is None:
                header = [c.strip().lower() for c in row]
                missing = [c for c in ("table_id", "field") if c not in header]
                if missing:
                    raise SheetError(
                        f"{where}:{rows.line_num}: the header row lacks {', '.join(missing)} "
                        f"(columns: {','.join(COLUMNS)})"
                    )
                continue
            values = {h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(header)}
            try:
                found.append(_correction(rows.line_num, values))
            except ValueError as e:
                problems.append(f"{where}:{rows.line_num}: {e}")
    except csv.Error as e:
        problems.append(f"{where}:{rows.line_num}: not valid CSV ({e}); the lines after it were not read")
    return found, problems


def _text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise SheetError(f"cannot read the corrections file {display(str(path))}: {e.strerror or e}") from e
    for encoding in ("utf-8-sig", "gb18030"):  # Excel on Chinese Windows saves CSV as GBK
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SheetError(f"{display(str(path))}: not a text file in UTF-8 or GBK")


def _correction(line: int, v: dict[str, str]) -> Correction:
    m = _TABLE_ID.fullmatch(v.get("table_id", "").lower())
    if not m:
        raise ValueError(
            f"table_id {v.get('table_id', '')!r} is not DOCID#N (DOCID: the document's sha256 "
            "or its first 12 or more hex digits)"
        )
    project = v.get("project") or None
    if m.group(2) is None and project is None:
        raise ValueError("give the table's number (DOCID#N) or its project name")
    seq = v.get("seq") or None
    if seq is not None and not (seq.isdigit() and int(seq) >= 1):
        raise ValueError(f"seq {seq!r} is not a row number (1, 2, …)")
    c = Correction(
        line=line,
        doc=m.group(1),
        table_no=int(m.group(2)) if m.group(2) else None,
        project=project,
        seq=int(seq) if seq else None,
        name=v.get("name") or None,
        field=v.get("field", "").lower(),
        old=v.get("old") or None,
        new=v.get("new") or None,
        note=v.get("note") or None,
    )
    fields = INDICATOR_FIELDS if c.on_indicator else TABLE_FIELDS
    if c.field not in fields:
        what = "an indicator" if c.on_indicator else "a table (no seq or name given)"
        raise ValueError(f"field {c.field!r} is not one of {', '.join(fields)} for {what}")
    check_value(c.kind, c.new)
    return c


def check_value(kind: str, value: str | None) -> None:
    """Raise ValueError when `value` cannot be stored in a field of this kind."""
    if value is None or kind in ("text", "delete"):
        return
    if kind in ("float", "money", "year") and not _NUMBER.fullmatch(value.replace(",", "")):
        raise ValueError(f"new value {value!r} is not a number")
    if kind == "year" and not (value.isdigit() and 1990 <= int(value) <= 2100):
        raise ValueError(f"new value {value!r} is not a year")
    if kind == "comparator" and value not in COMPARATORS:
        raise ValueError(f"comparator {value!r} is not one of {' '.join(sorted(COMPARATORS))}")
    if kind == "kind" and value not in ("department", "project"):
        raise ValueError(f"kind {value!r} is not department or project")


def append(path: str | Path, row: dict[str, str | int | None]) -> int:
    """Add one correction at the end of the file (created with its header, UTF-8 with a BOM so
    that Excel opens it); returns its line number."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    new = not p.exists() or p.stat().st_size == 0
    text = "" if new else _text(p)
    lines = text.count("\n")
    if not new and (not text.endswith("\n") or not _is_utf8(p)):
        # a GBK file (saved by Excel) is rewritten in UTF-8 before a UTF-8 line is added
        p.write_text(text if text.endswith("\n") else text + "\r\n", encoding="utf-8-sig", newline="")
        lines = p.read_text(encoding="utf-8-sig").count("\n")
    with p.open("a", encoding="utf-8-sig" if new else "utf-8", newline="") as f:
        w = csv.writer(f)
        if new:
            w.writerow(COLUMNS)
            lines = 1
        w.writerow(["" if row.get(c) is None else str(row[c]) for c in COLUMNS])
    return lines + 1


def _is_utf8(p: Path) -> bool:
    try:
        p.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
