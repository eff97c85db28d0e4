"""The contract every input reader fulfils (one per kind of file, registered in `extractors`).

A reader turns one file into a `SourceDocument`: grids of cells with row/column spans (and,
for paged inputs, page and box provenance), the page counts and notes on pages it could not
read.  A file it cannot read at all raises `ExtractionError` with a one-line reason; the
rebuilder never sees which reader produced the grids.  A reader is made with the run's
`Settings` (OCR engine, resolutions, cache) and reads nothing from the environment.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import ClassVar

from pipeline.model import SourceDocument
from pipeline.settings import Settings


class Reader(ABC):
    """One kind of input file → one `SourceDocument`."""

    kinds: ClassVar[tuple[str, ...]]  # what `extractors.sniff` calls the files it reads

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()

    @abstractmethod
    def read(self, path: Path) -> SourceDocument:
        """The document's grids; raises `ExtractionError` for a file it cannot read."""
