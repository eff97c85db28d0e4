"""Small documents built as grids, for tests that call the rebuilder directly.

A ruled table is written as rows of strings; `"<"` marks a cell merged into the one on its
left and `"^"` a cell merged into the one above.  Every cell gets a box (columns 100 points
wide unless told otherwise, rows 20 points high), so continuation pages are matched to
their header by position exactly as for a real PDF.
"""

from __future__ import annotations

from pipeline.model import Cell, Grid, SourceDocument

ROW_H = 20.0


def table(
    rows: list[list[str]],
    page: int = 1,
    widths: list[float] | None = None,
    top: float = 100.0,
    left: float = 40.0,
) -> Grid:
    """A ruled table (merged cells known)."""
    n_cols = max(len(r) for r in rows)
    widths = widths or [100.0] * n_cols
    xs = [left]
    for w in widths:
        xs.append(xs[-1] + w)
    owner: dict[tuple[int, int], Cell] = {}
    cells: list[Cell] = []
    for r, row in enumerate(rows):
        row = row + [""] * (n_cols - len(row))
        for c, text in enumerate(row):
            if text == "<" and (r, c - 1) in owner:
                cell = owner[(r, c - 1)]
                if cell.row == r:
                    cell.colspan = c - cell.col + 1
                owner[(r, c)] = cell
                continue
            if text == "^" and (r - 1, c) in owner:
                cell = owner[(r - 1, c)]
                if cell.col == c:
                    cell.rowspan = r - cell.row + 1
                owner[(r, c)] = cell
                continue
            cell = Cell(text=text, row=r, col=c, page=page)
            owner[(r, c)] = cell
            cells.append(cell)
    for cell in cells:
        cell.bbox = (
            xs[cell.col],
            top + cell.row * ROW_H,
            xs[cell.col + cell.colspan],
            top + (cell.row + cell.rowspan) * ROW_H,
        )
    return Grid(
        cells=cells,
        kind="table",
        spans_known=True,
        page=page,
        bbox=(xs[0], top, xs[-1], top + len(rows) * ROW_H),
    )


def lines(*texts: str | list[str], page: int = 1, top: float = 40.0) -> Grid:
    """Running text: one row per line, a list for several pieces on one line."""
    cells = []
    for r, t in enumerate(texts):
        pieces = t if isinstance(t, list) else [t]
        for c, piece in enumerate(pieces):
            y = top + r * 16
            cells.append(
                Cell(text=piece, row=r, col=c, page=page, bbox=(40.0 + 200 * c, y, 200.0 + 200 * c, y + 12))
            )
    return Grid(cells=cells, kind="text", spans_known=True, page=page)


def flat(rows: list[list[str]]) -> Grid:
    """A flattened table (text dump): merged cells unknown."""
    cells = [Cell(text=t, row=r, col=c) for r, row in enumerate(rows) for c, t in enumerate(row) if t]
    return Grid(cells=cells, kind="table", spans_known=False)


def document(*grids: Grid, fmt: str = "pdf") -> SourceDocument:
    pages = max((g.page or 1 for g in grids), default=1)
    return SourceDocument(grids=list(grids), source_format=fmt, pages=pages)
