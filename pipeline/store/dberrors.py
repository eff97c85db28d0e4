"""One-line reasons for a database that cannot be opened or read: in use, damaged, disk full."""

from __future__ import annotations

import re

from pipeline.store.storage import is_storage_failure, reason

_LOCKED = re.compile(r"Could not set lock|Conflicting lock", re.IGNORECASE)
_DAMAGED = re.compile(
    r"not a valid DuckDB database|Corrupt database|Could not read enough bytes|checksum"
    r"|Serialization Error|INTERNAL Error|database has been invalidated",
    re.IGNORECASE,
)

IN_USE = "it is in use by another process (is another extraction or export running?)"


def open_error(e: BaseException) -> str:
    """Why a database file cannot be used, in one line (never a traceback)."""
    msg = str(e).strip()
    first = msg.splitlines()[0][:300] if msg else type(e).__name__
    if _LOCKED.search(msg):
        return IN_USE
    if _DAMAGED.search(msg):
        return f"not a readable DuckDB database (damaged, truncated or another kind of file): {first}"
    if is_storage_failure(e):
        return reason(e)
    return first
