"""Find target tables in a document's row stream and rebuild their metadata, budget lines
and indicator rows.

A table starts at a title (`…绩效目标表`) or, where the title is missing, at a 项目名称 /
部门名称 row.  It ends at the next title, at the title of another budget table, or when a
new block of metadata follows its indicators (several projects under one title).
"""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal

from pipeline.model import Cell, Grid, RawBudgetLine, RawIndicator, RawTable, SourceDocument
from pipeline.normalize.names import parse_amount, strip_code
from pipeline.normalize.text import clean_cell, compact
from pipeline.rebuild import vocab
from pipeline.rebuild.indicators import (
    ColumnRoles,
    IndicatorColumns,
    parse_flattened,
    parse_geometric,
    parse_packed_items,
)
from pipeline.rebuild.rows import Row, stream

_INLINE_KEY = re.compile(r"^(.{2,14}?)[:：]\s*(\S.*)$")


def split_key(text: str) -> tuple[str | None, str | None]:
    """A cell that is a key (`项目名称`) or a key with its value inline (`填报单位：某某局`)."""
    k = vocab.key_of(text)
    if k:
        return k, None
    m = _INLINE_KEY.match(text.strip())
    if m:
        k = vocab.key_of(m.group(1))
        if k:
            return k, m.group(2).strip()
    return None, None


class TableBuilder:
    """Consumes the rows of one target table."""

    def __init__(self, kind: str, title: str, year: int | None, page: int | None, spans_known: bool):
        self.t = RawTable(
            kind=kind, title=title, year=year, page_first=page, page_last=page, spans_known=spans_known
        )
        self.state = "meta"
        self.ind_cols: IndicatorColumns | None = None
        self.header_rows: list[Row] = []
        self.last_was_header = False
        self.budget_cols = ColumnRoles()
        self.budget_header_rows: list[Row] = []
        self.annual_col: int | None = None
        self.mid_col: int | None = None
        self.pending_below: list[tuple[str, int, int]] = []
        self.pending_labels: list[tuple[str, str | None]] = []
        self.goal_term: str | None = None
        self.seen_keys: set[str] = set()
        self.fallback_department: str | None = None
        self.last_text_value: tuple | None = None
        self.saw_ruled_table = False
        self.last_grid: object | None = None
        self.block_grid: object | None = None
        self.block_reaches_end = False
        self.last_list_grid: object | None = None
        self.list_unit: str | None = None
        # Tables cut from one project name merged over several amount blocks share one name,
        # which may be printed only on a later page.
        self.name_group: list[RawTable] = [self.t]
        self.inherited_group: list[RawTable] | None = None

    # -- entry point -------------------------------------------------------------------------
    def feed(self, row: Row) -> str | None:
        """Consume one row; returns "split" when the row begins the next table instead."""
        texts = row.texts()
        if row.grid.spans_known and row.grid.kind == "table":
            self.saw_ruled_table = True
        if row.page is not None:
            if self.t.page_first is None:
                self.t.page_first = row.page
            self.t.page_last = max(self.t.page_last or row.page, row.page)
        years = [vocab.year_line(t) for t in texts] if len(texts) <= 3 else []
        if self.t.year is None and any(years):
            self.t.year = next(y for y in years if y)
            self._money_unit(texts)
            return None
        self._money_unit(texts)
        all_texts = [c.text for c in row.distinct()]
        header = vocab.is_indicator_header(texts) or (
            row.grid.spans_known and vocab.is_indicator_header(all_texts)
        )
        if header:
            cols = IndicatorColumns.from_rows([row])
            if self.t.indicators and not cols.lists_projects and self._starts_new_block(row):
                return "split"
            self.header_rows = [*self.header_rows, row] if self.last_was_header else [row]
            self.ind_cols = IndicatorColumns.from_rows(self.header_rows)
            self.state = "ind"
            self.last_was_header = True
            return None
        if self.last_was_header and self._is_sub_header(texts):
            self.header_rows.append(row)
            self.ind_cols = IndicatorColumns.from_rows(self.header_rows)
            return None
        self.last_was_header = False
        if self.state == "ind":
            if row.is_text_line and self.saw_ruled_table:
                return None  # page numbers and notes around a ruled table
            if self.ind_cols is not None and self.ind_cols.lists_projects:
                return self._project_list_row(row)
            if self._starts_new_block(row):
                return "split"
            self._indicator(row)
            return None
        if vocab.is_budget_header(texts):
            self.state = "budget"
            self._budget_header(row)
            return None
        if self.state == "budget":
            self._budget(row)
            return None
        self._meta(row)
        return None

    def _starts_new_block(self, row: Row) -> bool:
        keys = {split_key(c.text)[0] for c in row.own()}
        return bool(keys & {"project"}) or (self.t.kind == "department" and "department" in keys)

    def _is_sub_header(self, texts: list[str]) -> bool:
        roles = [vocab.indicator_role(t) for t in texts]
        return bool(roles) and all(r is not None for r in roles)

    def _money_unit(self, texts: list[str]) -> None:
        if self.t.amounts_in_yuan is not None:
            return
        for t in texts:
            u = vocab.money_unit(t)
            if u:
                self.t.amounts_in_yuan = u == "元"
                return

    # -- metadata -------------------------------------------------------------------------------
    def _meta(self, row: Row) -> None:
        cells = row.own()
        if self._continues_meta_value(row, cells):
            return
        if self.pending_below:
            cells = self._resolve_pending(row, cells)
        consumed: set[int] = set()
        for i, c in enumerate(cells):
            if id(c) in consumed:
                continue
            key, inline = split_key(c.text)
            if key is None:
                continue
            if inline:
                self._assign(key, inline, c.col)
                continue
            nxt = cells[i + 1] if i + 1 < len(cells) else None
            if nxt is not None and split_key(nxt.text)[0] is None and not _unit_only(nxt.text):
                self._assign(key, nxt.text, c.col)
                consumed.add(id(nxt))
                if key in ("project", "department", "unit", "goal") and nxt.bbox is not None:
                    self.last_text_value = (key, nxt.bbox, row.grid)
            else:
                self.pending_below.append((key, c.col, c.colspan))

    def _continues_meta_value(self, row: Row, cells: list) -> bool:
        """The first row of a new page that holds only the rest of a name cut by the page break
        (`…提升补助资` / `金`), printed under the value it continues."""
        if self.last_text_value is None or len(cells) != 1 or cells[0].bbox is None:
            return False
        key, box, grid = self.last_text_value
        cell = cells[0]
        if (
            grid is row.grid
            or row.grid.kind != "table"
            or row.index > 0
            or split_key(cell.text)[0] is not None
        ):
            return False
        overlap = min(box[2], cell.bbox[2]) - max(box[0], cell.bbox[0])
        if overlap < 0.5 * (cell.bbox[2] - cell.bbox[0]):
            return False
        current = getattr(self.t, key)
        setattr(self.t, key, _join_fragments(current or "", clean_cell(cell.text)))
        self.last_text_value = None
        return True

    def _resolve_pending(self, row: Row, cells: list) -> list:
        """Keys whose value is printed below them (a header row of keys over a row of values),
        possibly through a row of sub-headers (财政拨款 → 合计 | 基本支出 | 项目支出)."""
        keep = []
        for key, col, span in self.pending_below:
            below = [c for c in cells if col <= c.col < col + span or c.col <= col < c.col + c.colspan]
            if not below:
                covering = row.slots[col] if col < len(row.slots) else None
                if covering is not None and covering.row < row.index:
                    keep.append((key, col, span))  # the key cell is merged down over this row
                continue
            first = below[0]
            if split_key(first.text)[0] is not None:
                continue
            if key in ("total", "fiscal", "other", "mid_total") and parse_amount(first.text) is None:
                sub = next((c for c in below if vocab.is_total_row_label(c.text)), first)
                keep.append((key, sub.col, 1))
                cells = [c for c in cells if c not in below]
                continue
            self._assign(key, first.text, col)
            cells = [c for c in cells if c is not first]
        self.pending_below = keep
        return cells

    def _assign(self, key: str, value: str, col: int) -> None:
        value = clean_cell(value)
        if not value:
            return
        t = self.t
        if key == "project" and not t.project:
            t.project = value
        elif key == "department" and not t.department:
            t.department = strip_code(value)
        elif key == "filer" and not t.filer:
            t.filer = strip_code(value)
        elif key == "unit" and not t.unit:
            t.unit = strip_code(value)
        elif key == "mid_total":
            self.mid_col = col
        elif key == "total":
            amount = parse_amount(value)
            if amount is not None and (t.total is None or col == self.annual_col):
                t.total = amount
                self.annual_col = col
        elif key in ("fiscal", "other"):
            amount = parse_amount(value)
            if amount is None:
                return
            current = t.fiscal if key == "fiscal" else t.other
            if current is None or self._closer_to_annual(col, key):
                setattr(t, key, amount)
                self.seen_keys.add(f"{key}@{col}")
        elif key == "goal" and not t.goal:
            t.goal = value
        elif key == "goal_term" and not self.goal_term:
            self.goal_term = value

    def _closer_to_annual(self, col: int, key: str) -> bool:
        """With 中期 and 年度 amounts side by side, the one under 年度资金总额 wins."""
        if self.annual_col is None or self.mid_col is None:
            return False
        return abs(col - self.annual_col) < abs(col - self.mid_col)

    # -- budget lines ---------------------------------------------------------------------------
    def _budget_header(self, row: Row) -> None:
        self.budget_header_rows = [row]
        self.budget_cols = ColumnRoles.from_rows(self.budget_header_rows, vocab.budget_role)

    def _budget(self, row: Row) -> None:
        cells = [c for c in row.own() if not vocab.is_budget_block_label(c.text)]
        if not cells:
            return
        first = cells[0].text
        key = split_key(first)[0]
        if key in ("goal", "goal_term", "department", "project"):
            self.state = "meta"
            self._meta(row)
            return
        if all(vocab.budget_role(c.text) is not None for c in cells):
            # sub-header: 总额 | 财政拨款 | 其他资金 under 预算金额
            self.budget_header_rows.append(row)
            self.budget_cols = ColumnRoles.from_rows(self.budget_header_rows, vocab.budget_role)
            return
        cols = self.budget_cols.for_grid(row.grid) if row.grid.spans_known else self.budget_cols
        remark = set(cols.roles.get("remark", []))
        amounts = [(c, parse_amount(c.text)) for c in cells if c.col not in remark]
        numbers = [(c, a) for c, a in amounts if a is not None]
        words = [c for c, a in amounts if a is None]
        if vocab.is_total_row_label(first):
            total, fiscal, other = self._amount_triple(numbers, cols)
            self.t.total = self.t.total if self.t.total is not None else total
            self.t.fiscal = self.t.fiscal if self.t.fiscal is not None else fiscal
            self.t.other = self.t.other if self.t.other is not None else other
            return
        if not numbers or not words:
            return
        total, fiscal, other = self._amount_triple(numbers, cols)
        task_cols = cols.roles.get("task", [])
        content_cols = cols.roles.get("content", [])
        task = next((c for c in words if c.col in task_cols), words[0])
        rest = [c for c in words if c is not task]
        content = next(
            (c for c in rest if c.col in content_cols), rest[0] if rest and not content_cols else None
        )
        self.t.budget_lines.append(
            RawBudgetLine(
                task=task.text,
                content=content.text if content else None,
                total=total,
                fiscal=fiscal,
                other=other,
            )
        )

    @staticmethod
    def _amount_triple(numbers, cols: ColumnRoles) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
        by_role: dict[str, Decimal] = {}
        for c, a in numbers:
            role = cols.role_of(c.col)
            if role in ("total", "fiscal", "other") and role not in by_role:
                by_role[role] = a
        if len(by_role) < min(len(numbers), 3) and not cols.extents:
            by_role = dict(zip(("total", "fiscal", "other"), (a for _, a in numbers[-3:]), strict=False))
        return by_role.get("total"), by_role.get("fiscal"), by_role.get("other")

    # -- indicators -----------------------------------------------------------------------------
    def _indicator(self, row: Row) -> None:
        cols = self.ind_cols
        if cols is None:
            return
        if row.grid.spans_known:
            ind = parse_geometric(row, cols.for_grid(row.grid))
        else:
            ind = parse_flattened(row, cols)
        if isinstance(ind, list):
            self.pending_labels.extend(ind)
            return
        if ind is None:
            return
        if self._continues_previous(row, ind):
            return
        if self.pending_labels:
            ind.floating_labels = self.pending_labels + ind.floating_labels
            self.pending_labels = []
        self.t.indicators.append(ind)
        self.last_grid = row.grid

    def _continues_previous(self, row: Row, ind: RawIndicator) -> bool:
        """A cell cut by a page break: the first row of the next page holds only the rest of the
        previous row's name or value, with no labels.  It is appended to that row."""
        if not self.t.indicators or row.grid is self.last_grid or not row.grid.spans_known:
            return False
        if ind.level1_raw or ind.level2_raw or (ind.name and ind.value):
            return False
        prev = self.t.indicators[-1]
        if ind.value and not ind.name:
            prev.value = f"{prev.value}\n{ind.value}"
        elif ind.name and not ind.value:
            prev.name = f"{prev.name}\n{ind.name}"
        else:
            return False
        self.last_grid = row.grid
        return True

    # -- tables that list many projects (one row, or one merged block, per project) -------------
    def _project_list_row(self, row: Row) -> str | None:
        cols = self.ind_cols.for_grid(row.grid) if row.grid.spans_known else self.ind_cols
        block = self._project_block(row, cols)
        grid_start = row.grid is not self.last_list_grid
        self.last_list_grid = row.grid
        if block is not None:
            name, total, fiscal, other, goal, has_data, cell = block
            if vocab.is_total_row_label(name):
                return None  # the grand total of the list
            if name and not goal and not has_data:
                self.list_unit = strip_code(name)  # a subtotal row naming the unit that spends the money
                return None
            if self.block_grid is None:
                self._start_block(row, block, grid_start)
            elif grid_start and self._continues_across_pages(name, total):
                self._continue_block(row, block)  # one project's merged cells cut by a page break
            else:
                return "split"
        if self.block_grid is None:
            return None
        if "packed_items" in cols.roles:
            cell = row.at(cols.first("packed_items"), covering=False)
            if cell is not None:
                self.t.indicators.extend(parse_packed_items(cell))
            return None
        self._indicator(row)
        return None

    @staticmethod
    def _project_block(row: Row, cols: ColumnRoles):
        """(name, total, fiscal, other, goal, has indicator data) where a row starts a merged
        project cell, else None."""
        pcol = cols.first("project")
        cell = row.at(pcol, covering=False) if pcol is not None else None
        if (
            cell is None
            and pcol is not None
            and row.slots[pcol] is not None
            and row.slots[pcol].row == row.index
        ):
            cell = row.slots[pcol]  # an empty merged project cell (its text fell on another page)
        if cell is None and row.grid.spans_known:
            amount = cols.first("p_total")
            slot = row.slots[amount] if amount is not None else None
            # an amount cell that begins here, merged over the block's rows or holding an amount
            # (its text may have fallen on the next page), starts one more amount block: under a
            # project name merged over several, or where this page's grid lost the name column
            if (
                slot is not None
                and slot.row == row.index
                and (slot.rowspan > 1 or parse_amount(slot.text) is not None)
            ):
                cover = row.slots[pcol] if pcol is not None else None
                if cover is not None:
                    cell = cover
                elif pcol is None or row.at(pcol) is None:
                    cell = dataclasses.replace(slot, text="")
        if cell is None:
            return None

        def own(role: str) -> str:
            c = cols.first(role)
            got = row.at(c, covering=False) if c is not None else None
            return got.text if got else ""

        data = any(own(r) for r in ("packed_items", "name", "value", "packed_levels", "level1", "level2"))
        return (
            clean_cell(cell.text),
            parse_amount(own("p_total")),
            parse_amount(own("p_fiscal")),
            parse_amount(own("p_other")),
            clean_cell(own("goal")),
            data,
            cell,
        )

    def _start_block(self, row: Row, block, first_on_page: bool) -> None:
        name, total, fiscal, other, goal, _, cell = block
        self.t.project = name or None
        # the name cell began above this row, or it is empty at the top of a page (its text
        # was printed on the previous one): the project of the previous table goes on
        group = self.inherited_group
        if group is not None and (
            cell.row < row.index or (not name and first_on_page) or name == group[0].project
        ):
            self.t.project = group[0].project
            self.name_group = group
            group.append(self.t)
        self.t.total, self.t.fiscal, self.t.other = total, fiscal, other
        self.t.goal = goal or None
        self.t.unit = self.t.unit or self.list_unit
        self.block_grid = row.grid
        self.block_reaches_end = cell.row + cell.rowspan >= row.grid.n_rows

    def _continues_across_pages(self, name: str, total: Decimal | None) -> bool:
        """A block that reached the bottom of the previous page and a block at the top of this one
        are one block unless both print an amount and the amounts differ: a missing name or
        amount is centred text that fell on the other page."""
        if not self.block_reaches_end:
            return False
        # two amounts that differ: two blocks (of one project merged over both, or of two)
        return self.t.total is None or total is None or total == self.t.total

    def _continue_block(self, row: Row, block) -> None:
        name, total, fiscal, other, goal, _, cell = block
        self.block_reaches_end = cell.row + cell.rowspan >= row.grid.n_rows
        if name:
            self.t.project = _join_fragments(self.t.project or "", name)
            for t in self.name_group:
                t.project = self.t.project
        self.t.total = self.t.total if self.t.total is not None else total
        self.t.fiscal = self.t.fiscal if self.t.fiscal is not None else fiscal
        self.t.other = self.t.other if self.t.other is not None else other
        if goal:
            self.t.goal = _join_fragments(self.t.goal or "", goal)
        self.block_grid = row.grid

    def successor(self, row: Row) -> TableBuilder:
        """The builder for the next table of the same kind (several projects under one title)."""
        nxt = TableBuilder(self.t.kind, self.t.title, self.t.year, row.page, row.grid.spans_known)
        nxt.fallback_department = (
            self.t.department or self.fallback_department if self.t.kind == "project" else None
        )
        nxt.t.amounts_in_yuan = self.t.amounts_in_yuan
        nxt.saw_ruled_table = self.saw_ruled_table
        if self.ind_cols is not None and self.ind_cols.lists_projects:
            nxt.ind_cols, nxt.header_rows, nxt.state = self.ind_cols, self.header_rows, "ind"
            nxt.list_unit = self.list_unit
            nxt.inherited_group = self.name_group
            nxt.last_list_grid = self.block_grid  # the row that splits may be the first of a page
            nxt.t.department = self.t.department
        return nxt

    def result(self) -> RawTable:
        pages = [i.page for i in self.t.indicators if i.page is not None]
        if pages:  # notes or prose after the table do not extend it
            self.t.page_last = max(pages)
        if not self.t.goal and self.goal_term:
            self.t.goal = self.goal_term
        if not self.t.department:
            self.t.department = self.fallback_department
        lists_projects = self.ind_cols is not None and self.ind_cols.lists_projects
        if self.t.kind == "project" and not self.t.project and not lists_projects:
            unit, project = vocab.project_from_title(self.t.title)
            self.t.project = project
            self.t.unit = self.t.unit or unit
        return self.t


def _join_fragments(a: str, b: str) -> str:
    """Two parts of one cell's text cut by a page break.  Each page may repeat part of the
    text (clipped differently): the overlap is kept once."""
    if not a or b in a:
        return a or b
    if a in b:
        return b
    for k in range(min(len(a), len(b)), 0, -1):
        if a.endswith(b[:k]):
            return a + b[k:]
    return a + b


def _unit_only(text: str) -> bool:
    return bool(re.fullmatch(r"[(（]?(单位[:：])?(万元|元)[)）]?", compact(text)))


def _row_title(row: Row) -> tuple[str | None, str]:
    own = row.own()
    if not own or len(own) > 2:
        return None, ""
    joined = "".join(c.text for c in own)
    return vocab.title_kind(joined), joined


def _starts_untitled(row: Row) -> str | None:
    keys = [split_key(c.text)[0] for c in row.own()]
    if "project" in keys:
        return "project"
    return None


def join_wrapped_titles(grid: Grid) -> Grid:
    """A title wrapped over two lines of running text (`…项目绩效目` / `标表`) → one line."""
    if grid.kind != "text":
        return grid
    rows: dict[int, list] = {}
    for c in grid.cells:
        rows.setdefault(c.row, []).append(c)
    out = []
    order = sorted(rows)
    skip = set()
    for k, r in enumerate(order):
        if r in skip:
            continue
        cells = rows[r]
        if k + 1 < len(order) and len(cells) == 1 and len(rows[order[k + 1]]) == 1:
            a, b = cells[0], rows[order[k + 1]][0]
            if _wraps_into_title(a, b):
                merged = Cell(
                    text=a.text + b.text, row=a.row, col=0, page=a.page, bbox=_union_box(a.bbox, b.bbox)
                )
                out.append(merged)
                skip.add(order[k + 1])
                continue
        out.extend(cells)
    return Grid(cells=out, kind=grid.kind, spans_known=grid.spans_known, page=grid.page, bbox=grid.bbox)


def _wraps_into_title(a: Cell, b: Cell) -> bool:
    ta, tb = compact(a.text), compact(b.text)
    if len(ta) < 8 or vocab.title_kind(ta) or vocab.year_line(ta) or vocab.money_unit(ta):
        return False
    if re.search(r"[。；：:;]$", ta) or not vocab.title_kind(ta + tb):
        return False
    if a.bbox and b.bbox:
        ha, hb = a.bbox[3] - a.bbox[1], b.bbox[3] - b.bbox[1]
        gap = b.bbox[1] - a.bbox[3]
        if not (0.7 < ha / max(hb, 0.1) < 1.4) or gap > 0.8 * max(ha, hb):
            return False
    return True


def _union_box(a, b):
    if a is None or b is None:
        return a or b
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def find_tables(doc: SourceDocument) -> list[RawTable]:
    """Every target table of a document, in order, as printed (not yet normalized)."""
    doc = dataclasses.replace(doc, grids=[join_wrapped_titles(g) for g in doc.grids])
    tables: list[RawTable] = []
    builder: TableBuilder | None = None
    # A title identical to the open table's, printed again on its next page, may head either
    # the continuation of that table or a new table: the first row after it decides.
    held: TableBuilder | None = None

    def finish(b: TableBuilder | None) -> None:
        if b is not None and (b.t.indicators or b.t.budget_lines):
            tables.append(b.result())

    for row in stream(doc.grids):
        if row.is_blank:
            continue
        if builder is not None and len(row.own()) <= 2 and vocab.is_continuation(row.text()):
            continue  # 续表: the open table goes on
        kind, title = _row_title(row)
        if kind:
            if (
                held is None
                and builder is not None
                and builder.state == "ind"
                and compact(title) == compact(builder.t.title)
            ):
                held = builder
            else:
                finish(held)
                held = None
                finish(builder)
            builder = TableBuilder(kind, title, vocab.year_in(title), row.page, row.grid.spans_known)
            continue
        texts = row.texts()
        if (
            builder is not None
            and len(texts) == 1
            and builder.state != "meta"
            and vocab.is_other_table_title(texts[0])
        ):
            finish(held)
            finish(builder)
            builder = held = None
            continue
        if held is not None and builder is not None and row.grid.kind != "text" and len(texts) > 1:
            identity = {"project", "department", "filer", "unit"}
            if not vocab.is_indicator_header(texts) and any(
                split_key(c.text)[0] in identity for c in row.own()
            ):
                finish(held)  # metadata: the title heads a new table
            else:
                builder = held  # header or indicator rows: the same table goes on
            held = None
        if builder is None:
            untitled = _starts_untitled(row)
            if untitled is None:
                continue
            builder = TableBuilder(untitled, "", None, row.page, row.grid.spans_known)
        if builder.feed(row) == "split":
            prev = builder
            finish(prev)
            builder = prev.successor(row)
            builder.feed(row)
    finish(held)
    finish(builder)
    return tables
