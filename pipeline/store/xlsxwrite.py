"""Sheets an analyst can use at once: bold frozen header, autofilter, widths that fit the text
(a Chinese character counts double), numbers as numbers, clickable links, formulas kept text.

Written with openpyxl's write-only mode (streamed, so 30k+ rows stay fast and small in memory);
a result longer than Excel's row limit continues on `NAME (2)`, ….
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from pipeline.paths import display

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_CELL = 32_767
MIN_WIDTH, MAX_WIDTH = 6, 60
SAMPLE_ROWS = 2_000  # rows measured for the column widths
MAX_LINKS = 65_000  # Excel keeps at most 65,530 hyperlinks a sheet; past that, the address as text
_BOLD = Font(bold=True)
_LINK_FONT = Font(color="0563C1", underline="single")
_URL = re.compile(r"^(?:file|https?)://\S+$")


class Link:
    """A cell shown as `text` that opens `target` (a file:// or http(s):// address)."""

    __slots__ = ("target", "text")

    def __init__(self, target: str, text: str) -> None:
        self.target, self.text = target, text


def text_width(s: str) -> int:
    """Columns `s` takes on screen: East Asian wide characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def widths(header: Sequence[str], sample: Iterable[Sequence[Any]], caps: Sequence[float] = ()) -> list[float]:
    """A width per column fitting its header and the sampled values, within [MIN_WIDTH, cap]."""
    best = [text_width(h) + 2 for h in header]  # + the filter button
    for row in sample:
        for i, v in enumerate(row):
            if v is not None:
                shown = v.text if isinstance(v, Link) else str(v)
                best[i] = max(best[i], text_width(shown.split("\n", 1)[0][:MAX_WIDTH]))
    caps = list(caps) or [MAX_WIDTH] * len(header)
    return [max(MIN_WIDTH, min(b + 2, cap)) for b, cap in zip(best, caps, strict=True)]


def write_sheet(
    wb: Any,
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    col_widths: Sequence[float] | None = None,
    number_formats: Sequence[str | None] = (),
    frozen_cols: int = 0,
    auto_links: bool = False,
    max_links: int = MAX_LINKS,
) -> int:
    """Append one formatted sheet (more past Excel's row limit) to the write-only workbook `wb`;
    returns the data rows written.  `rows` may hold Link values; with `auto_links` a text that
    is a whole file:// or http(s):// address becomes a link too.  Past `max_links` links in a
    sheet (Excel's limit) a link is written as its address."""
    header = list(header)
    col_widths = list(col_widths) if col_widths else [text_width(h) + 4 for h in header]
    formats = list(number_formats) or [None] * len(header)
    part, in_sheet, total, links, ws = 1, 0, 0, 0, None
    for row in rows:
        if ws is None or in_sheet >= EXCEL_MAX_ROWS - 1:
            if ws is not None:
                _close(ws, len(header), in_sheet)
            ws = _new_sheet(wb, title if part == 1 else f"{title} ({part})", header, col_widths, frozen_cols)
            part, in_sheet, links = part + 1, 0, 0
        cells = []
        for v, f in zip(row, formats, strict=True):
            if auto_links and isinstance(v, str) and _URL.match(v):
                v = Link(v, v)
            if isinstance(v, Link):
                links += 1
                if links > max_links:
                    v = v.target
            cells.append(_cell(ws, v, f))
        ws.append(cells)
        in_sheet += 1
        total += 1
    if ws is None:
        ws = _new_sheet(wb, title, header, col_widths, frozen_cols)
    _close(ws, len(header), in_sheet)
    return total


def _new_sheet(wb: Any, title: str, header: list[str], col_widths: list[float], frozen_cols: int) -> Any:
    ws = wb.create_sheet(title)
    for i, w in enumerate(col_widths, 1):  # write-only: widths go before the first row
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = f"{get_column_letter(frozen_cols + 1)}2"
    cells = []
    for h in header:
        c = WriteOnlyCell(ws, value=_text(h))
        c.font = _BOLD
        cells.append(c)
    ws.append(cells)
    return ws


def _close(ws: Any, n_cols: int, n_rows: int) -> None:
    """The autofilter spans the header and every row (written after the rows in write-only)."""
    if n_cols:
        ws.auto_filter.ref = f"A1:{get_column_letter(n_cols)}{n_rows + 1}"


def _text(v: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", v)[:EXCEL_MAX_CELL]


def _cell(ws: Any, v: Any, number_format: str | None = None) -> Any:
    """A value Excel accepts: text without control characters and within the cell limit; text
    starting with `=` as a text cell (openpyxl would write a live formula); numbers as numbers."""
    if isinstance(v, Link):
        cell = WriteOnlyCell(ws, value=_text(v.text))
        cell.data_type = "s"
        cell.hyperlink = v.target
        cell.font = _LINK_FONT
        return cell
    if isinstance(v, bytes):
        v = display(v)  # source_file: the path's bytes
    if isinstance(v, str):
        v = _text(v)
        if v.startswith("="):
            cell = WriteOnlyCell(ws, value=v)
            cell.data_type = "s"
            return cell
        return v
    if isinstance(v, list | tuple | dict):
        return str(v)
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, int | float | Decimal):
        if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
            return str(v)  # Excel has no NaN or infinity
        if number_format:
            cell = WriteOnlyCell(ws, value=v)
            cell.number_format = number_format
            return cell
        return v
    if isinstance(v, dt.datetime) and v.tzinfo is not None:
        return v.replace(tzinfo=None)  # Excel has no time zones
    if isinstance(v, dt.datetime | dt.date):
        return v
    return str(v)


def save_table(path: str | Path, title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """One formatted sheet of `rows` as the workbook `path`, addresses made clickable."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    write_sheet(wb, title, header, rows, col_widths=widths(header, rows[:SAMPLE_ROWS]), auto_links=True)
    buffer = io.BytesIO()  # zipped in memory: nothing half-written at `path` if it fails
    wb.save(buffer)
    Path(path).write_bytes(buffer.getbuffer())
