"""The one place that says what went wrong with a database file: `StoreError`, one line naming
the file and the reason (in use by another process, damaged, disk full, not a targets database,
no such database).

`is_storage_failure` tells a database that cannot be written (full disk, I/O error) from a
document it refuses: a bad value in one document fails that document; a full disk fails every
document after it, so the batch stops, says why, and exits non-zero (a rerun resumes once there
is space).
"""

from __future__ import annotations

import errno
import os
import re

import duckdb

from pipeline.errors import one_line
from pipeline.paths import display

# what StoreError.kind says
MISSING = "missing"
IN_USE = "in_use"
DAMAGED = "damaged"
DISK_FULL = "disk_full"
STORAGE = "storage"  # cannot be written for another reason: I/O error, read-only file system …
NOT_TARGETS = "not_targets"
OTHER = "other"

_STORAGE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS, errno.EFBIG}
_STORAGE_MESSAGES = re.compile(
    r"No space left on device|Disk quota exceeded|Read-only file system|Input/output error"
    r"|File too large|Could not write file|Failed to commit|database has been invalidated",
    re.IGNORECASE,
)
_DISK_FULL = re.compile(r"No space left on device|Disk quota exceeded", re.IGNORECASE)
_LOCKED = re.compile(r"Could not set lock|Conflicting lock", re.IGNORECASE)
_DAMAGED = re.compile(
    r"not a valid DuckDB database|Corrupt database|Could not read enough bytes|checksum"
    r"|Serialization Error|INTERNAL Error|database has been invalidated",
    re.IGNORECASE,
)

# the other process holds the write lock: a reader waits for it; a writer may be held by anyone
IN_USE_BY_WRITER = "it is being written by another process (wait for the extraction to finish)"
IN_USE_BY_ANY = "it is in use by another process (is another extraction or export running?)"
NOT_READABLE = "not a readable DuckDB database (damaged, truncated or another kind of file)"
NO_SUCH_DATABASE = "no such database (run `python -m pipeline extract` first)"


class StoreError(Exception):
    """A database that cannot be opened, read or written.  `str()` is the one line for the user,
    `cannot <doing> the database <path>: <reason>`; `kind` is one of the constants above."""

    def __init__(self, path: str | os.PathLike[str], reason: str, *, doing: str = "open", kind: str = OTHER):
        self.path, self.reason, self.doing, self.kind = path, reason, doing, kind
        super().__init__(f"cannot {doing} the database {display(path)}: {reason}")

    @classmethod
    def of(
        cls, e: BaseException, path: str | os.PathLike[str], doing: str = "open", *, read_only: bool = False
    ) -> StoreError:
        """The StoreError that DuckDB or OS error `e` means.  `read_only`: `e` came to a reader,
        so a lock held elsewhere is a writer's; `doing` "write": a storage failure is the reason
        even when DuckDB then calls the database invalidated."""
        kind, why = classify(e, read_only=read_only, writing=doing == "write")
        return cls(path, why, doing=doing, kind=kind)


def classify(e: BaseException, *, read_only: bool = False, writing: bool = False) -> tuple[str, str]:
    """(kind, one-line reason) of a DuckDB or OS error met on a database file."""
    if isinstance(e, StoreError):
        return e.kind, e.reason
    if writing and is_storage_failure(e):
        return _storage(e)
    msg = str(e)
    if _LOCKED.search(msg):
        return IN_USE, IN_USE_BY_WRITER if read_only else IN_USE_BY_ANY
    if _DAMAGED.search(msg):
        return DAMAGED, f"{NOT_READABLE}: {one_line(e)}"
    if is_storage_failure(e):
        return _storage(e)
    return OTHER, one_line(e)


def _storage(e: BaseException) -> tuple[str, str]:
    why = reason(e)
    return (DISK_FULL if why == _FULL else STORAGE), why


def is_storage_failure(e: BaseException) -> bool:
    """Whether `e` says the storage failed (not that one document's rows were refused)."""
    if isinstance(e, StoreError):
        return e.kind in (DISK_FULL, STORAGE)
    if isinstance(e, OSError):
        return e.errno in _STORAGE_ERRNOS
    if isinstance(e, duckdb.IOException | duckdb.FatalException):
        return True
    return isinstance(e, duckdb.Error) and bool(_STORAGE_MESSAGES.search(str(e)))


_FULL = "No space left on device (the disk is full)"


def reason(e: BaseException) -> str:
    """A one-line reason that names a full disk as such."""
    msg = str(e.strerror if isinstance(e, OSError) and e.strerror else e)
    if _DISK_FULL.search(msg) or (isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EDQUOT)):
        return _FULL
    return one_line(msg) or type(e).__name__
