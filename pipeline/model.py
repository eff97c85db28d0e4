"""The data model shared by every stage.

read (extractors) → `SourceDocument` of `Grid`s of `Cell`s
find tables + rebuild rows (pipeline.rebuild) → `RawTable`s
normalize (pipeline.normalize, pipeline.normalize.levels) → `Table`s with `Indicator`s and `BudgetLine`s
load (pipeline.store.load) → DuckDB
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import Decimal

from pipeline.paths import name_digest

BBox = tuple[float, float, float, float]


@dataclass
class Cell:
    """One cell of a grid.  `row`/`col` are the top-left position; spans cover merged cells."""

    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    page: int | None = None
    bbox: BBox | None = None
    confidence: float | None = None


@dataclass
class Grid:
    """A table as rows and columns of cells, with provenance.

    `spans_known` is False for flattened sources (text dumps) where a merged cell's text
    sits on one row and the rows it covered are blank: the rebuilder then recovers levels
    from taxonomy order instead of geometry.  `kind` is "table" for a ruled or tabular
    region and "text" for lines of running text (titles, notes), one cell per line.
    """

    cells: list[Cell]
    kind: str = "table"
    spans_known: bool = True
    page: int | None = None
    bbox: BBox | None = None

    @property
    def n_rows(self) -> int:
        return max((c.row + c.rowspan for c in self.cells), default=0)

    @property
    def n_cols(self) -> int:
        return max((c.col + c.colspan for c in self.cells), default=0)

    def matrix(self) -> list[list[Cell | None]]:
        """Dense rows × cols; every position a merged cell covers points to that cell."""
        rows: list[list[Cell | None]] = [[None] * self.n_cols for _ in range(self.n_rows)]
        for c in self.cells:
            for r in range(c.row, c.row + c.rowspan):
                for k in range(c.col, c.col + c.colspan):
                    rows[r][k] = c
        return rows


@dataclass
class SourceDocument:
    """What an extractor read from one file."""

    grids: list[Grid]
    source_format: str
    pages: int | None = None
    ocr_pages: int = 0
    notes: list[str] = field(default_factory=list)
    heading: str = ""  # the document's first text (cover or first page): a fallback for year/department


@dataclass
class RawIndicator:
    """One indicator row as printed, before normalization."""

    name: str
    value: str
    nature: str | None = None
    unit: str | None = None
    level1_raw: str | None = None
    level2_raw: str | None = None
    # labels printed on this row of a flattened table, (text, header role), in reading order;
    # their position is not trustworthy
    floating_labels: list[tuple[str, str | None]] = field(default_factory=list)
    labels_certain: bool = False
    # the 二级 cell of this row begins here but is empty, down to the foot of the page: its
    # text was printed on the next page
    level2_cut: bool = False
    weight: float | None = None
    page: int | None = None
    bbox: BBox | None = None
    confidence: float | None = None


@dataclass
class RawBudgetLine:
    task: str
    content: str | None
    total: Decimal | None
    fiscal: Decimal | None
    other: Decimal | None


@dataclass
class RawTable:
    """One target table as found, printed strings and amounts in the printed unit."""

    kind: str
    title: str = ""
    year: int | None = None
    department: str | None = None
    filer: str | None = None  # 填报单位: the department's fallback
    unit: str | None = None
    project: str | None = None
    total: Decimal | None = None
    fiscal: Decimal | None = None
    other: Decimal | None = None
    carryover: Decimal | None = None  # 上年结转: printed beside the parts, never 其他资金
    amounts_in_yuan: bool | None = None  # None: not stated on the table
    goal: str | None = None
    page_first: int | None = None
    page_last: int | None = None
    budget_lines: list[RawBudgetLine] = field(default_factory=list)
    indicators: list[RawIndicator] = field(default_factory=list)
    spans_known: bool = True
    levels_printed: bool = True  # False: no 一级/二级 column or label anywhere (levels stay NULL)
    goal_list: bool = False  # one row of a goal-only project list (no indicator rows by design)


@dataclass
class BudgetLine:
    line_no: int
    task: str
    content: str | None
    total_wan: Decimal | None
    fiscal_wan: Decimal | None
    other_wan: Decimal | None


@dataclass
class Indicator:
    seq: int
    level1: str | None
    level2: str | None
    level1_raw: str | None
    level2_raw: str | None
    level_inferred: bool
    name: str
    value_raw: str
    comparator: str | None
    value_num: float | None
    value_max: float | None
    unit: str | None
    value_text: str | None
    dimension: str | None
    weight: float | None = None
    page: int | None = None
    bbox: BBox | None = None
    ocr_confidence: float | None = None


@dataclass
class Check:
    check: str
    severity: str  # "error" | "warning" | "info"
    detail: str
    page: int | None = None  # the page concerned; the loader falls back to the table's first page
    seq: int | None = None  # the indicator concerned, for a check about one indicator row


@dataclass
class Table:
    kind: str
    year: int | None
    department: str | None
    unit: str | None
    project: str | None
    budget_total_wan: Decimal | None
    budget_fiscal_wan: Decimal | None
    budget_other_wan: Decimal | None
    goal: str | None
    page_first: int | None
    page_last: int | None
    budget_lines: list[BudgetLine] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    title: str = ""
    goal_list: bool = False  # a row of a goal-only project list: no indicators by design
    levels_printed: bool = True
    project_code: str | None = None  # the code printed before the project's name (`11000023T000002092030`)


@dataclass
class DocumentResult:
    """Everything the loader writes for one input file."""

    doc_id: str
    source_path: str
    source_format: str
    pages: int | None
    ocr_pages: int | None
    status: str
    error: str | None
    tables: list[Table] = field(default_factory=list)
    seconds: float = 0.0
    size_bytes: int = 0
    heading: str | None = None  # the document's first words (cover or first page), whitespace removed
    checks: list[Check] = field(default_factory=list)  # about the document as a whole (self-audit)
    settings: str | None = None  # JSON of the settings that shaped the rows (`Settings.record`)

    @classmethod
    def failed(
        cls,
        source_path: str | os.PathLike[str],
        error: str,
        *,
        doc_id: str | None = None,
        prior: DocumentResult | None = None,
        source_format: str = "unknown",
        seconds: float = 0.0,
        size_bytes: int = 0,
        settings: str | None = None,
    ) -> DocumentResult:
        """A `failed` document with the one-line reason `error` and no rows.  `prior`, a result
        that could not be sent or stored, gives its id, format, page counts, time and size; with
        neither `doc_id` nor `prior` the id is a digest of the path (the bytes could not be read)."""
        if prior is not None:
            doc_id = doc_id or prior.doc_id
            source_format, seconds, size_bytes = prior.source_format, prior.seconds, prior.size_bytes
            settings = settings or prior.settings
        return cls(
            doc_id=doc_id or name_digest(source_path),
            source_path=str(source_path),
            source_format=source_format,
            pages=prior.pages if prior else None,
            ocr_pages=prior.ocr_pages if prior else None,
            status="failed",
            error=error,
            seconds=seconds,
            size_bytes=size_bytes,
            settings=settings,
        )
