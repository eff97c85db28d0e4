"""Analysts' corrections that survive re-extraction: a CSV file of fixes keyed by document hash,
table and row, applied after every extraction run (see README, "Corrections")."""

from pipeline.corrections.apply import FILE_NAME, STALE, Outcome, apply, default_path
from pipeline.corrections.sheet import COLUMNS, INDICATOR_FIELDS, TABLE_FIELDS, SheetError, append, read

__all__ = [
    "COLUMNS",
    "FILE_NAME",
    "INDICATOR_FIELDS",
    "STALE",
    "TABLE_FIELDS",
    "Outcome",
    "SheetError",
    "append",
    "apply",
    "default_path",
    "read",
]
