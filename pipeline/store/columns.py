"""Every column of the database, declared once: name, DuckDB type, key or default.

The schema (`ddl`: CREATE TABLE, plus ADD COLUMN IF NOT EXISTS so that a database of an earlier
version gains the columns added since), the Arrow types and the column lists the loader inserts
(`loaded`) are derived from here.  Adding a column is one line in its table (and, for a loaded
column, an attribute of the same name on the model object or a value given by the loader).
Columns keep their order: new ones go last, where ADD COLUMN puts them in older databases.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pyarrow as pa

VARCHAR, INTEGER, BIGINT, DOUBLE, BOOLEAN = "VARCHAR", "INTEGER", "BIGINT", "DOUBLE", "BOOLEAN"
MONEY, TIMESTAMP, BLOB, BOX = "DECIMAL(18,2)", "TIMESTAMP", "BLOB", "DOUBLE[]"

ARROW: dict[str, pa.DataType] = {
    VARCHAR: pa.string(),
    INTEGER: pa.int32(),
    BIGINT: pa.int64(),
    DOUBLE: pa.float64(),
    BOOLEAN: pa.bool_(),
    MONEY: pa.decimal128(18, 2),
    TIMESTAMP: pa.timestamp("us"),
    BLOB: pa.binary(),
    BOX: pa.list_(pa.float64()),
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # DuckDB type
    key: bool = False  # PRIMARY KEY (created with the table, never added later)
    default: str | None = None  # SQL DEFAULT
    loaded: bool = True  # written by the loader; False: set afterwards (corrections, analysis)

    @property
    def arrow(self) -> pa.DataType:
        return ARROW[self.type]

    def sql(self) -> str:
        """`"name" TYPE [PRIMARY KEY] [DEFAULT …]`."""
        out = f"{quote(self.name)} {self.type}"
        if self.key:
            out += " PRIMARY KEY"
        if self.default is not None:
            out += f" DEFAULT {self.default}"
        return out


def _derived(*columns: Column) -> tuple[Column, ...]:
    """Columns of a table that pipeline/analysis or pipeline/corrections fill, not the loader."""
    return tuple(Column(c.name, c.type, c.key, c.default, loaded=False) for c in columns)


C = Column
TABLES: dict[str, tuple[Column, ...]] = {
    # the output contract (/work/shared/spec/data-contract.md) plus extra columns
    "documents": (
        C("doc_id", VARCHAR, key=True),  # sha256 of the file's bytes
        C("source_path", VARCHAR),
        C("source_format", VARCHAR),
        C("pages", INTEGER),
        C("ocr_pages", INTEGER),
        C("status", VARCHAR),  # ok | partial | no_tables | failed
        C("error", VARCHAR),
        C("extractor_version", VARCHAR),
        C("size_bytes", BIGINT),
        C("seconds", DOUBLE),
        C("extracted_at", TIMESTAMP),
        C("heading", VARCHAR),  # first words of the document (cover or first page)
        C("source_file", BLOB),  # resolved absolute path, the filesystem's bytes (identity)
        C("settings", VARCHAR),  # JSON of the settings that shaped the rows (Settings.record)
    ),
    "target_tables": (
        C("table_id", VARCHAR, key=True),  # doc_id#N
        C("doc_id", VARCHAR),
        C("kind", VARCHAR),  # department | project
        C("year", INTEGER),
        C("department", VARCHAR),
        C("unit", VARCHAR),
        C("project", VARCHAR),
        C("budget_total_wan", MONEY),
        C("budget_fiscal_wan", MONEY),
        C("budget_other_wan", MONEY),
        C("goal", VARCHAR),
        C("page_first", INTEGER),
        C("page_last", INTEGER),
        C("title", VARCHAR),
        C("corrected", BOOLEAN, default="false", loaded=False),  # a line of the corrections file changed it
        C("project_code", VARCHAR),  # the code printed with the project's name, separators removed
    ),
    "budget_lines": (
        C("table_id", VARCHAR),
        C("line_no", INTEGER),
        C("task", VARCHAR),
        C("content", VARCHAR),
        C("total_wan", MONEY),
        C("fiscal_wan", MONEY),
        C("other_wan", MONEY),
    ),
    "indicators": (
        C("table_id", VARCHAR),
        C("seq", INTEGER),
        C("level1", VARCHAR),
        C("level2", VARCHAR),
        C("level1_raw", VARCHAR),
        C("level2_raw", VARCHAR),
        C("level_inferred", BOOLEAN),
        C("name", VARCHAR),
        C("value_raw", VARCHAR),
        C("comparator", VARCHAR),
        C("value_num", DOUBLE),
        C("value_max", DOUBLE),
        C("unit", VARCHAR),
        C("value_text", VARCHAR),
        C("dimension", VARCHAR),
        C("weight", DOUBLE),
        C("page", INTEGER),
        C("bbox", BOX),  # x0, top, x1, bottom in PDF points on `page`
        C("ocr_confidence", DOUBLE),
        C("corrected", BOOLEAN, default="false", loaded=False),  # a line of the corrections file changed it
    ),
    "checks": (
        C("table_id", VARCHAR),
        C("check", VARCHAR),
        C("severity", VARCHAR),  # error | warning | info
        C("detail", VARCHAR),
        C("page", INTEGER),  # page of the row or table the check is about
        C("seq", INTEGER),  # the indicator's seq, for a check about one indicator
    ),
    # derived per table by pipeline/analysis (region, department category); rebuilt when stale
    "table_context": _derived(
        C("table_id", VARCHAR, key=True),
        C("region", VARCHAR),  # most specific place named: 库尔勒市
        C("region_level", VARCHAR),  # province | city | county
        C("province", VARCHAR),
        C("city", VARCHAR),
        C("county", VARCHAR),
        C("region_rule", VARCHAR),  # which text named the place
        C("department_category", VARCHAR),  # 司法, 公安, 民政, 教育 …
        C("category_rule", VARCHAR),  # the word of the name that decided it
        C("version", VARCHAR),
    ),
    # derived per indicator by pipeline/analysis/concepts.py; rebuilt when the rules change
    "indicator_concepts": _derived(
        C("table_id", VARCHAR),
        C("seq", INTEGER),
        C("concept", VARCHAR),
        C("concept_rule", VARCHAR),
        C("version", VARCHAR),
        C("unit_std", VARCHAR),  # the canonical unit of the value (canonical_units.py)
        C("unit_factor", DOUBLE),  # … and the factor to it
        C("direction", VARCHAR),  # which way the concept is better (concepts.DIRECTION)
    ),
    # what each line of the corrections file did on the last run (pipeline/corrections)
    "corrections_applied": _derived(
        C("line", INTEGER),  # line of the corrections file
        C("table_id", VARCHAR),
        C("seq", INTEGER),  # NULL for a table field
        C("field", VARCHAR),
        C("old_value", VARCHAR),  # the value as extracted, replaced by new_value
        C("new_value", VARCHAR),
        C("status", VARCHAR),  # applied | already | stale | no_document | invalid
        C("detail", VARCHAR),  # why it was not applied
        C("note", VARCHAR),
        C("applied_at", TIMESTAMP),
    ),
}
del C
CONTRACT = ("documents", "target_tables", "budget_lines", "indicators", "checks")  # the output contract's


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@cache
def loaded(table: str) -> tuple[Column, ...]:
    """The columns of `table` the loader writes, in table order."""
    return tuple(c for c in TABLES[table] if c.loaded)


def ddl() -> str:
    """The schema, idempotent: run on every connection that may write.  A table of an earlier
    version gains the columns it lacks (ADD COLUMN IF NOT EXISTS; the key is never added)."""
    out = []
    for table, columns in TABLES.items():
        body = ",\n    ".join(c.sql() for c in columns)
        out.append(f"CREATE TABLE IF NOT EXISTS {table} (\n    {body}\n);")
        out += [f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {c.sql()};" for c in columns if not c.key]
    return "\n".join(out) + "\n"
