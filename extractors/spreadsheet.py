"""Spreadsheets (`.xlsx` with openpyxl, `.xls` with xlrd): every worksheet → one grid.

Merged ranges become cell spans, so the rebuilder reads them like ruled PDF tables.
Numbers are rendered as the sheet displays them (`0.95` with a `0%` format → `95%`).
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

from extractors.base import Reader
from pipeline.errors import ExtractionError
from pipeline.model import Cell, Grid, SourceDocument


def render_number(value: float, fmt: str | None) -> str:
    """A numeric cell as displayed under its number format (the common cases)."""
    fmt = fmt or "General"
    if "%" in fmt:
        decimals = len(m.group(1)) if (m := re.search(r"0\.(0+)", fmt)) else 0
        return f"{value * 100:.{decimals}f}%"
    m = re.search(r"0\.(0+)", fmt)
    decimals = len(m.group(1)) if m else None
    comma = "," in fmt
    if decimals is not None:
        return f"{value:,.{decimals}f}" if comma else f"{value:.{decimals}f}"
    if float(value).is_integer():
        return f"{int(value):,}" if comma else str(int(value))
    text = f"{value:.12g}"
    if comma and "e" not in text:
        whole, _, frac = text.partition(".")
        text = f"{int(whole):,}" + (f".{frac}" if frac else "")
    return text


def _text(value, fmt: str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return render_number(float(value), fmt)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()


def _grid(cells: dict[tuple[int, int], str], merges: list[tuple[int, int, int, int]]) -> Grid:
    """Cells keyed by (row, col), 0-based; merges as (row0, col0, row1, col1) inclusive."""
    covered: set[tuple[int, int]] = set()
    out: list[Cell] = []
    for r0, c0, r1, c1 in merges:
        out.append(
            Cell(text=cells.get((r0, c0), ""), row=r0, col=c0, rowspan=r1 - r0 + 1, colspan=c1 - c0 + 1)
        )
        covered.update((r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1))
    for (r, c), text in cells.items():
        if (r, c) not in covered:
            out.append(Cell(text=text, row=r, col=c))
    out.sort(key=lambda k: (k.row, k.col))
    return Grid(cells=out, kind="table", spans_known=True)


def read_xlsx(path: Path) -> list[Grid]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, data_only=True, read_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
        raise ExtractionError(f"unreadable .xlsx workbook ({type(e).__name__})") from None
    grids = []
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None:
                    t = _text(c.value, c.number_format)
                    if t:
                        cells[(c.row - 1, c.column - 1)] = t
        merges = [
            (m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in ws.merged_cells.ranges
        ]
        if cells:
            grids.append(_grid(cells, merges))
    return grids


def read_xls(path: Path) -> list[Grid]:
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), formatting_info=True)
    except Exception:  # noqa: BLE001 - xlrd raises many types for damaged files
        try:
            book = xlrd.open_workbook(str(path))
        except Exception as e:  # noqa: BLE001
            raise ExtractionError(f"unreadable .xls workbook ({type(e).__name__})") from None
    grids = []
    for sh in book.sheets():
        if getattr(sh, "visibility", 0):
            continue
        cells = {}
        for r in range(sh.nrows):
            for c in range(sh.ncols):
                cell = sh.cell(r, c)
                if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    continue
                fmt = None
                if book.formatting_info:
                    xf = book.xf_list[cell.xf_index]
                    fmt = book.format_map[xf.format_key].format_str
                value = cell.value
                if cell.ctype == xlrd.XL_CELL_DATE:
                    value = xlrd.xldate.xldate_as_datetime(value, book.datemode)
                t = _text(value, fmt)
                if t:
                    cells[(r, c)] = t
        merges = [(r0, c0, r1 - 1, c1 - 1) for r0, r1, c0, c1 in getattr(sh, "merged_cells", [])]
        if cells:
            grids.append(_grid(cells, merges))
    return grids


class SpreadsheetReader(Reader):
    kinds = ("xlsx", "xls")

    def read(self, path: Path) -> SourceDocument:
        data_kind = "xls" if path.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" else "xlsx"
        grids = read_xls(path) if data_kind == "xls" else read_xlsx(path)
        if not grids:
            raise ExtractionError("workbook has no visible cells")
        return SourceDocument(grids=grids, source_format=data_kind)
