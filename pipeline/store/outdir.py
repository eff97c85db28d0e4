"""The export's output folder: write aside, then swap in; never delete what it did not write.

An export is written into a temporary folder inside OUT and each output is then renamed into
place (same filesystem, so each move is atomic): an export that fails (a full disk) leaves the
previous one whole.  What an output replaces is first checked to be what an export writes
there — a file of that name, or a table folder holding only `year=…/data_N.parquet` — and
anything else (a user's notes) stops the export before it writes.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.paths import display

_PARTITION_DIR = re.compile(r"^year=[^/]*$")
_PARTITION_FILE = re.compile(r"^data_\d+\.parquet$")


class NotOurs(Exception):
    """OUT holds something at an output's name that an export did not write."""


def check_replaceable(out: Path, names: list[str]) -> None:
    """Raise NotOurs unless every existing `out/name` is what an export writes there."""
    for name in names:
        path = out / name
        if not path.exists() and not path.is_symlink():
            continue
        if "." in name:  # a file output: documents.parquet, TABLE.csv, targets.xlsx
            if path.is_file() and not path.is_symlink():
                continue
            raise NotOurs(f"{display(path)} exists and is not a file an export wrote; move it away first")
        foreign = _foreign(path)
        if foreign is not None:
            raise NotOurs(
                f"{display(path)} holds {display(foreign)}, which an export did not write; "
                "move it away or export to another folder"
            )


def _foreign(folder: Path) -> Path | None:
    """The first thing in a table folder that is not `year=…/data_N.parquet`, else None."""
    if folder.is_symlink() or not folder.is_dir():
        return folder
    for part in sorted(folder.iterdir()):
        if part.is_symlink() or not part.is_dir() or not _PARTITION_DIR.match(part.name):
            return part
        for f in sorted(part.iterdir()):
            if f.is_symlink() or not f.is_file() or not _PARTITION_FILE.match(f.name):
                return f
    return None


@contextmanager
def staging(out: Path) -> Iterator[Path]:
    """A temporary folder inside `out`, removed afterwards whatever happens."""
    path = Path(tempfile.mkdtemp(prefix=".export-", dir=out))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def swap_in(stage: Path, out: Path, names: list[str]) -> None:
    """Move each output from `stage` into `out`; what it replaces moves into `stage` (and goes
    with it)."""
    for name in names:
        final = out / name
        if final.exists():
            os.rename(final, stage / f".old-{name}")
        os.rename(stage / name, final)
