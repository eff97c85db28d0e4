"""Telling a database that cannot be written (full disk, I/O error) from a document it refuses.

A bad value in one document fails that document; a full disk fails every document after it,
so the batch stops, says why, and exits non-zero (a rerun resumes once there is space).
"""

from __future__ import annotations

import errno
import re

import duckdb

_STORAGE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS, errno.EFBIG}
_STORAGE_MESSAGES = re.compile(
    r"No space left on device|Disk quota exceeded|Read-only file system|Input/output error"
    r"|File too large|Could not write file|Failed to commit|database has been invalidated",
    re.IGNORECASE,
)
_DISK_FULL = re.compile(r"No space left on device|Disk quota exceeded", re.IGNORECASE)


class StorageError(Exception):
    """The database (or the folder it is in) cannot be written; the message is the one-line reason."""


def is_storage_failure(e: BaseException) -> bool:
    """Whether `e` says the storage failed (not that one document's rows were refused)."""
    if isinstance(e, OSError):
        return e.errno in _STORAGE_ERRNOS
    if isinstance(e, duckdb.IOException | duckdb.FatalException):
        return True
    return isinstance(e, duckdb.Error) and bool(_STORAGE_MESSAGES.search(str(e)))


def reason(e: BaseException) -> str:
    """A one-line reason that names a full disk as such."""
    msg = str(e.strerror if isinstance(e, OSError) and e.strerror else e)
    if _DISK_FULL.search(msg) or (isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EDQUOT)):
        return "No space left on device (the disk is full)"
    lines = msg.strip().splitlines()
    return lines[0][:300] if lines else type(e).__name__
