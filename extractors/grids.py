"""One page's content → grids: ruled tables and the text lines between them, top to bottom."""

from __future__ import annotations

import bisect

from extractors.lattice import LatticeTable, build_tables
from extractors.layout import bbox_of, group_lines, line_text, split_segments, text_in
from extractors.page import Char, PageContent
from pipeline.model import Cell, Grid


def _locate(table: LatticeTable, ch: Char) -> tuple[int, int] | None:
    x, y = ch.anchor
    if not (table.xs[0] <= x <= table.xs[-1] and table.ys[0] <= y <= table.ys[-1]):
        return None
    c = min(bisect.bisect_right(table.xs, x) - 1, len(table.xs) - 2)
    r = min(bisect.bisect_right(table.ys, y) - 1, len(table.ys) - 2)
    return r, c


def table_grid(table: LatticeTable, chars: list[Char], page: int) -> Grid:
    owner: dict[tuple[int, int], int] = {}
    for k, cell in enumerate(table.cells):
        for r in range(cell.row, cell.row + cell.rowspan):
            for c in range(cell.col, cell.col + cell.colspan):
                owner[(r, c)] = k
    buckets: list[list[Char]] = [[] for _ in table.cells]
    for ch in chars:
        pos = _locate(table, ch)
        if pos is not None and pos in owner:
            buckets[owner[pos]].append(ch)
    cells = [
        Cell(
            text=text_in(b),
            row=lc.row,
            col=lc.col,
            rowspan=lc.rowspan,
            colspan=lc.colspan,
            page=page,
            bbox=lc.bbox,
        )
        for lc, b in zip(table.cells, buckets, strict=True)
    ]
    return Grid(cells=cells, kind="table", spans_known=True, page=page, bbox=table.bbox)


def text_grid(lines: list[list[Char]], page: int) -> Grid:
    """Running text, one row per line.  Where a line breaks into parts laid out in columns (a
    table printed without ruling lines), the parts are aligned into columns by their left
    edges, so the rebuilder can read the block as a flattened table."""
    parts = [split_segments(line) for line in lines]
    starts = sorted(min(c.x0 for c in seg) for segs in parts if len(segs) > 1 for seg in segs)
    size = max((c.height for line in lines for c in line), default=10.0)
    columns = _cluster_starts(starts, tol=1.5 * size)
    cells = []
    for r, segs in enumerate(parts):
        for k, seg in enumerate(segs):
            x = min(c.x0 for c in seg)
            col = bisect.bisect_right(columns, x + 1.5 * size) - 1 if len(segs) > 1 and columns else k
            if cells and cells[-1].row == r and col <= cells[-1].col:
                col = cells[-1].col + 1
            cells.append(Cell(text=line_text(seg), row=r, col=max(col, 0), page=page, bbox=bbox_of(seg)))
    return Grid(cells=cells, kind="text", spans_known=False, page=page)


def _cluster_starts(xs: list[float], tol: float) -> list[float]:
    """Left edges of text columns: starts within `tol` of each other form one column."""
    out: list[float] = []
    for x in xs:
        if not out or x - out[-1] > tol:
            out.append(x)
    return out


def page_grids(content: PageContent) -> list[Grid]:
    tables = build_tables(content.horizontals, content.verticals)
    tables = [t for t in tables if len(t.xs) >= 3 and len(t.ys) >= 3]
    inside: list[list[Char]] = [[] for _ in tables]
    outside: list[Char] = []
    for ch in content.chars:
        ax, ay = ch.anchor
        for k, t in enumerate(tables):
            if t.bbox[0] - 1 <= ax <= t.bbox[2] + 1 and t.bbox[1] - 1 <= ay <= t.bbox[3] + 1:
                inside[k].append(ch)
                break
        else:
            outside.append(ch)
    items: list[tuple[float, Grid]] = []
    for t, chars in zip(tables, inside, strict=True):
        items.append((t.bbox[1], table_grid(t, chars, content.number)))
    # Running text between tables: one text grid per gap, lines in reading order.
    lines = group_lines(outside)
    bounds = sorted(t.bbox[1] for t in tables)
    chunks: dict[int, list[list[Char]]] = {}
    for line in lines:
        top = min(c.top for c in line)
        chunks.setdefault(bisect.bisect_right(bounds, top), []).append(line)
    for k, chunk in chunks.items():
        top = min(c.top for c in chunk[0])
        items.append((top - 0.01 if k == 0 else top, text_grid(chunk, content.number)))
    items.sort(key=lambda it: it[0])
    return [g for _, g in items]
