"""Opening input files: regular files only, never blocking, hashing that can be stopped.

A FIFO blocks forever when opened or read, `/dev/zero` never ends, and opening some devices
has side effects: only regular files are documents.  The type is checked before opening (no
side effect) and again on the open descriptor (the name may have been swapped in between).
"""

from __future__ import annotations

import hashlib
import os
import stat
import threading
from pathlib import Path
from typing import BinaryIO

_CHUNK = 1 << 20

_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)


class NotRegularFile(OSError):
    """The path names something other than a regular file; the message is the one-line reason."""


class Stopped(Exception):
    """Hashing was abandoned (the batch is stopping)."""


def kind(mode: int) -> str:
    """What a non-regular file is, in words."""
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def check_regular(mode: int) -> None:
    if not stat.S_ISREG(mode):
        raise NotRegularFile(f"not a regular file: {kind(mode)} (only regular files are documents)")


def open_regular(path: str | os.PathLike[str]) -> BinaryIO:
    """Open a regular file for reading; NotRegularFile for anything else (without blocking)."""
    check_regular(os.stat(path).st_mode)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        check_regular(os.fstat(fd).st_mode)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def is_special(path: Path) -> bool:
    """Something in a folder that is neither a folder nor a regular file (FIFO, device, socket)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def sha256_file(path: str | os.PathLike[str], stop: threading.Event | None = None) -> str:
    """sha256 hex of a regular file's bytes; raises Stopped once `stop` is set."""
    h = hashlib.sha256()
    with open_regular(path) as fh:
        while chunk := fh.read(_CHUNK):
            if stop is not None and stop.is_set():
                raise Stopped(str(path))
            h.update(chunk)
    return h.hexdigest()
