"""Indicator blocks: header columns → one `RawIndicator` per 三级指标 row."""

from __future__ import annotations

import re

from extractors.page import union
from pipeline.model import Cell, RawIndicator
from pipeline.normalize import taxonomy
from pipeline.normalize.text import clean_cell
from pipeline.normalize.vocabulary import indicator_role
from pipeline.rebuild.columns import ColumnRoles, IndicatorColumns
from pipeline.rebuild.rows import Row

__all__ = ["ColumnRoles", "IndicatorColumns", "parse_flattened", "parse_geometric", "parse_packed_items"]


def _weight(text: str | None) -> float | None:
    if not text:
        return None
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*%?\s*(分)?\s*", text)
    return float(m.group(1)) if m else None


def _is_block_label(text: str) -> bool:
    return indicator_role(text) == "block"


def parse_geometric(row: Row, cols: IndicatorColumns) -> RawIndicator | None:
    """A row of a grid whose merged cells are known: every role is read at its column."""

    def text_at(role: str, covering: bool = True) -> str | None:
        c = cols.first(role)
        cell = row.at(c, covering) if c is not None else None
        return cell.text if cell else None

    value_col = cols.first("value")
    value_cell = row.at(value_col) if value_col is not None else None
    name_col = cols.first("name")
    if name_col is None:
        name_col = cols.first("packed_levels")
    name_cell = row.at(name_col) if name_col is not None else None
    if value_cell is None and name_cell is None:
        return None
    level1 = text_at("level1")
    level2 = text_at("level2")
    name = name_cell.text if name_cell else ""
    if "packed_levels" in cols.roles and name:
        level1, level2, name = taxonomy.split_packed(name)
    if not name and value_cell is None:
        return None
    return RawIndicator(
        name=name,
        value=value_cell.text if value_cell else "",
        level2_cut=_cut_at_foot(row, cols.first("level2")),
        nature=text_at("nature"),
        unit=text_at("unit"),
        level1_raw=level1,
        level2_raw=level2,
        labels_certain=True,
        weight=_weight(text_at("weight")),
        page=(name_cell or value_cell).page,
        bbox=union(c.bbox for c in (name_cell, value_cell) if c is not None),
        confidence=_min_conf(name_cell, value_cell),
    )


def _cut_at_foot(row: Row, col: int | None) -> bool:
    """The label cell at `col` is empty and runs to the foot of the page's table: its text was
    printed on the next page."""
    if col is None or col >= len(row.slots):
        return False
    cell = row.slots[col]
    return cell is not None and not cell.text.strip() and cell.row + cell.rowspan >= row.grid.n_rows


def parse_flattened(row: Row, cols: IndicatorColumns) -> RawIndicator | list[tuple[str, str | None]] | None:
    """A row of a flattened grid (text dump): positions are only roughly aligned with the header.

    Returns the indicator; or, for a row that holds only level labels, those labels as
    (text, header role) pairs; or None.
    """
    cells = [c for c in row.own() if not _is_block_label(c.text)]
    if not cells:
        return None
    value_col = cols.first("value")
    if value_col is None:
        value_col = max(c.col for c in cells)
    unit_col = cols.first("unit")
    last_data_col = max(value_col, unit_col if unit_col is not None and unit_col > value_col else 0)
    max_col = max(c.col for c in cells)
    shift = 0
    if max_col < value_col:
        # the row lost its leading blanks: align its last cell with the value column
        shift = value_col - max_col
    elif max_col > last_data_col and not any(cols.role_of(c.col) for c in cells if c.col > value_col):
        shift = last_data_col - max_col

    value = nature = unit = weight = None
    left: list[tuple[int, Cell]] = []
    for c in cells:
        col = c.col + shift
        role = cols.role_of(col)
        if col == value_col:
            value = c
        elif role == "nature":
            nature = c
        elif role == "unit" and col > value_col:
            unit = c
        elif role == "weight":
            weight = c
        elif col < value_col and role not in ("remark", "value_term"):
            left.append((col, c))
    # What stands left of the value: the name (rightmost plain text) and level labels.
    name_cell: Cell | None = None
    labels: list[tuple[Cell, str | None]] = []
    for col, c in reversed(left):
        role = cols.role_of(col)
        if name_cell is None and taxonomy.recognise(c.text) is None and role not in ("level1", "level2"):
            name_cell = c
        else:
            labels.append((c, role if role in ("level1", "level2") else None))
    labels.reverse()
    if value is None:
        return [(c.text, role) for c, role in labels] if labels and name_cell is None else None
    if name_cell is None and labels:
        # prefer unrecognised text under a level header; else the name is worded like a label
        idx = next(
            (i for i in reversed(range(len(labels))) if taxonomy.recognise(labels[i][0].text) is None),
            len(labels) - 1,
        )
        name_cell = labels.pop(idx)[0]
    return RawIndicator(
        name=name_cell.text if name_cell else "",
        value=value.text,
        nature=nature.text if nature else None,
        unit=unit.text if unit else None,
        floating_labels=[(c.text, role) for c, role in labels],
        weight=_weight(weight.text if weight else None),
        page=value.page,
        confidence=_min_conf(name_cell, value),
    )


def _min_conf(*cells: Cell | None) -> float | None:
    confs = [c.confidence for c in cells if c is not None and c.confidence is not None]
    return min(confs) if confs else None


_ITEM_START = re.compile(r"(?:^|(?<=[。;；]))\s*(\d{1,3})\s*[、.．]\s*(?=\d\s*\d?\s*[-－—])")
_ANNUAL = re.compile(r"(年度|本年|当年)(绩效)?(指标值|目标值)\s*[:：]")
_TERM = re.compile(r"(实施周期|实施期|中期|项目期)(绩效)?(指标值|目标值)\s*[:：]")


def parse_packed_items(cell: Cell) -> list[RawIndicator]:
    """A cell that packs a project's whole indicator list:
    `1、1-产出指标；11-数量指标；name；实施周期指标值:X；年度指标值:Y。2、…` → one row per item
    (the 年度 value; the 实施周期 value only where no 年度 value is printed)."""
    text = clean_cell(cell.text)
    starts = [m.start() for m in _ITEM_START.finditer(text)]
    out: list[RawIndicator] = []
    for a, b in zip(starts, [*starts[1:], len(text)], strict=True):
        item = _ITEM_START.sub("", text[a:b], count=1).strip().rstrip("。").strip()
        parts = [p.strip() for p in re.split(r"[；;]", item) if p.strip()]
        level1 = level2 = None
        labels: list[str] = []
        rest: list[str] = []
        for p in parts:
            lab = taxonomy.recognise(p)
            if lab is not None and len(labels) < 2 and not rest:
                labels.append(p)
            else:
                rest.append(p)
        if labels:
            level1 = labels[0] if len(labels) == 2 else None
            level2 = labels[-1]
        annual = next((_ANNUAL.sub("", p, count=1) for p in rest if _ANNUAL.search(p)), None)
        term = next((_TERM.sub("", p, count=1) for p in rest if _TERM.search(p)), None)
        names = [p for p in rest if not _ANNUAL.search(p) and not _TERM.search(p)]
        value = annual if annual is not None else term
        if value is None and len(names) >= 2:
            value = names.pop()
        if not names and value is None:
            continue
        out.append(
            RawIndicator(
                name="；".join(names),
                value=(value or "").strip(),
                level1_raw=level1,
                level2_raw=level2,
                labels_certain=True,
                page=cell.page,
                bbox=cell.bbox,
                confidence=cell.confidence,
            )
        )
    return out
