"""File names as the filesystem has them, and as a person (or Arrow, or a log file) can read them.

A Linux file name is bytes; Python hands out names that are not UTF-8 as str with lone
surrogates (`os.fsdecode`, surrogateescape), which no UTF-8 writer accepts.  Paths therefore
stay surrogate-escaped str inside the program (opening the file works), are stored and shown
in their display form (undecodable bytes as `\\xNN`), and are identified by their raw bytes.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def display(path: str | os.PathLike[str]) -> str:
    """`path` as valid UTF-8 text: undecodable bytes of the name shown as `\\xNN`."""
    raw = os.fsencode(path)
    return raw.decode("utf-8", "backslashreplace")


def text(value: str) -> str:
    """Any text as valid UTF-8 (lone surrogates, e.g. from a file name, shown as escapes)."""
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        return value.encode(
            "utf-8", "surrogateescape" if _only_escapes(value) else "backslashreplace"
        ).decode("utf-8", "backslashreplace")


def _only_escapes(value: str) -> bool:
    """Whether every surrogate in `value` is a surrogateescape'd byte (U+DC80..U+DCFF)."""
    return all(not (0xD800 <= ord(c) <= 0xDFFF) or 0xDC80 <= ord(c) <= 0xDCFF for c in value)


def absolute(path: str | os.PathLike[str]) -> str:
    """`path` made absolute against the working directory, `.`/`..` folded, symlinks kept (the
    base name stays the one found).  This is what `documents.source_path` records."""
    return os.path.abspath(os.fspath(path))


def file_key(path: str | os.PathLike[str]) -> bytes:
    """The identity of a file: its resolved absolute path, as the filesystem's bytes (lossless).
    The same file named relatively, absolutely or through a symlink has one key."""
    try:
        resolved = Path(path).resolve()
    except (OSError, RuntimeError):  # a symlink loop: the name itself, made absolute
        resolved = Path(os.path.abspath(path))
    return os.fsencode(resolved)


def name_digest(path: str | os.PathLike[str]) -> str:
    """A stand-in doc_id for a file whose bytes cannot be read: the sha256 of its name."""
    return hashlib.sha256(os.fsencode(path)).hexdigest()
