"""Tables that list many projects: one row, or one merged block of rows, per project.

Two families:
- lists with indicators (北京, 广州): a project's name and amounts are merged over its
  indicator rows (or its indicators are packed into one cell); each block is one table;
- goal-only lists (浙江 表11 项目支出绩效表, 深圳 重点项目绩效目标): unit, project, amount and
  绩效目标 on one row, no indicator rows; each row is one table.

`ProjectListRows` is the part of `TableBuilder` that reads them; it shares the builder's
table and indicator columns (`self.t`, `self.ind.cols`) and keeps its own `ListState`.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from pipeline.model import Cell, RawTable
from pipeline.normalize import vocabulary
from pipeline.normalize.names import ORG_SUFFIX, parse_amount, strip_code
from pipeline.normalize.text import clean_cell, compact
from pipeline.rebuild.columns import ColumnRoles
from pipeline.rebuild.indicators import parse_packed_items
from pipeline.rebuild.rows import Row
from pipeline.rebuild.states import Outcome

if TYPE_CHECKING:
    from pipeline.rebuild.builder import IndicatorState

# a unit's name in a combined 单位（项目）名称 column
_ORG_NAME = re.compile(rf"({ORG_SUFFIX}|集团|公司)([(（][^()（）]*[)）])?(本级|机关)?$")


def join_fragments(a: str, b: str) -> str:
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


@dataclass
class ListState:
    """Where a project list stands: the block (or goal-only row) this table is, and what the
    next table of the list inherits."""

    # Tables cut from one project name merged over several amount blocks share one name,
    # which may be printed only on a later page.
    name_group: list[RawTable]
    inherited_group: list[RawTable] | None = None
    block_grid: object | None = None  # grid of this table's block (None: no block started yet)
    block_reaches_end: bool = False  # the block's merged cell reaches the bottom of its grid
    last_list_grid: object | None = None  # grid of the last list row
    unit: str | None = None  # the unit named by the last subtotal (or unit) row


@dataclass
class ProjectBlock:
    """The row that starts a merged project cell of a list with indicators."""

    name: str
    total: Decimal | None
    fiscal: Decimal | None
    other: Decimal | None
    goal: str
    has_data: bool  # the row holds indicator data too
    cell: Cell  # the project cell (its span decides where the block ends)


class ProjectListRows:
    """Rows of a table that lists projects (mixed into `TableBuilder`)."""

    t: RawTable
    ind: IndicatorState
    lst: ListState

    def pass_list_state(self, nxt: ProjectListRows) -> None:
        nxt.lst.unit = self.lst.unit
        nxt.lst.inherited_group = self.lst.name_group
        nxt.lst.last_list_grid = self.lst.block_grid  # the row that splits may be the first of a page

    @property
    def goal_list(self) -> bool:
        return self.ind.cols is not None and self.ind.cols.goal_only

    def project_list_row(self, row: Row) -> Outcome | None:
        lst = self.lst
        cols = self.ind.cols.for_grid(row.grid) if row.grid.spans_known else self.ind.cols
        if cols.goal_only:
            return self._goal_list_row(row, cols)
        block = self._project_block(row, cols)
        grid_start = row.grid is not lst.last_list_grid
        lst.last_list_grid = row.grid
        if block is not None:
            if vocabulary.is_total_row_label(block.name):
                return None  # the grand total of the list
            if block.name and not block.goal and not block.has_data:
                lst.unit = strip_code(block.name)  # a subtotal row naming the unit that spends the money
                return None
            if lst.block_grid is None:
                self._start_block(row, block, grid_start)
            elif grid_start and self._continues_across_pages(block.name, block.total):
                self._continue_block(row, block)  # one project's merged cells cut by a page break
            else:
                return Outcome.SPLIT
        if lst.block_grid is None:
            return None
        if "packed_items" in cols.roles:
            cell = row.at(cols.first("packed_items"), covering=False)
            if cell is not None:
                self.t.indicators.extend(parse_packed_items(cell))
            return None
        self._indicator(row)  # type: ignore[attr-defined]
        return None

    # -- goal-only lists: one project per row ------------------------------------------------------
    def _goal_list_row(self, row: Row, cols: ColumnRoles) -> Outcome | None:
        def text(role: str, covering: bool = False) -> str:
            c = cols.first(role)
            cell = row.at(c, covering) if c is not None else None
            return clean_cell(cell.text) if cell else ""

        lst = self.lst
        grid_start = row.grid is not lst.last_list_grid
        lst.last_list_grid = row.grid
        org, project, code = text("org"), text("project", covering=True), text("code")
        goal = text("goal")
        total = parse_amount(text("p_total"))
        fiscal, other = parse_amount(text("p_fiscal")), parse_amount(text("p_other"))
        if any(vocabulary.is_total_row_label(x) for x in (org, project, code) if x):
            return None  # 合计 / 小计
        if not org and not project:
            if goal and total is None and lst.block_grid is not None:
                # the rest of a goal cut by a page break
                self.t.goal = join_fragments(self.t.goal or "", goal)
                self.extend_pages(row)
            return None  # an unlabelled total row
        if cols.combined and not goal and (code or _ORG_NAME.search(compact(project))):
            lst.unit = strip_code(project)  # a row naming the unit of the projects below it
            return None
        if lst.block_grid is not None:
            if grid_start and total is None and not goal and not code:
                # names cut by a page break: the rest of the unit and project of the row above
                if org:
                    self.t.unit = join_fragments(self.t.unit or "", strip_code(org) or "")
                if project and not cols.combined:
                    self.t.project = join_fragments(self.t.project or "", project)
                self.extend_pages(row)
                return None
            return Outcome.SPLIT
        self.t.project = project or None  # its code (if any) is split off when the table is assembled
        self.t.unit = strip_code(org) or lst.unit
        self.t.total, self.t.fiscal, self.t.other = total, fiscal, other
        self.t.goal = goal or None
        self.t.page_first = self.t.page_last = None
        self.extend_pages(row)
        lst.block_grid = row.grid
        return None

    def extend_pages(self, row: Row) -> None:
        """The table spans the page of this row too."""
        page = row.page
        if page is None:
            return
        self.t.page_first = page if self.t.page_first is None else min(self.t.page_first, page)
        self.t.page_last = page if self.t.page_last is None else max(self.t.page_last, page)

    # -- lists with indicators: one merged block per project ----------------------------------------
    @staticmethod
    def _project_block(row: Row, cols: ColumnRoles) -> ProjectBlock | None:
        """The block a row starts where it starts a merged project cell, else None."""
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
        return ProjectBlock(
            name=clean_cell(cell.text),
            total=parse_amount(own("p_total")),
            fiscal=parse_amount(own("p_fiscal")),
            other=parse_amount(own("p_other")),
            goal=clean_cell(own("goal")),
            has_data=data,
            cell=cell,
        )

    def _start_block(self, row: Row, block: ProjectBlock, first_on_page: bool) -> None:
        lst, name, cell = self.lst, block.name, block.cell
        self.t.project = name or None
        # the name cell began above this row, or it is empty at the top of a page (its text
        # was printed on the previous one): the project of the previous table goes on
        group = lst.inherited_group
        if group is not None and (
            cell.row < row.index or (not name and first_on_page) or name == group[0].project
        ):
            self.t.project = group[0].project
            lst.name_group = group
            group.append(self.t)
        self.t.total, self.t.fiscal, self.t.other = block.total, block.fiscal, block.other
        self.t.goal = block.goal or None
        self.t.unit = self.t.unit or lst.unit
        lst.block_grid = row.grid
        lst.block_reaches_end = cell.row + cell.rowspan >= row.grid.n_rows

    def _continues_across_pages(self, name: str, total: Decimal | None) -> bool:
        """A block that reached the bottom of the previous page and a block at the top of this one
        are one block unless both print an amount and the amounts differ: a missing name or
        amount is centred text that fell on the other page."""
        if not self.lst.block_reaches_end:
            return False
        # two amounts that differ: two blocks (of one project merged over both, or of two)
        return self.t.total is None or total is None or total == self.t.total

    def _continue_block(self, row: Row, block: ProjectBlock) -> None:
        lst, cell = self.lst, block.cell
        lst.block_reaches_end = cell.row + cell.rowspan >= row.grid.n_rows
        if block.name:
            self.t.project = join_fragments(self.t.project or "", block.name)
            for t in lst.name_group:
                t.project = self.t.project
        self.t.total = self.t.total if self.t.total is not None else block.total
        self.t.fiscal = self.t.fiscal if self.t.fiscal is not None else block.fiscal
        self.t.other = self.t.other if self.t.other is not None else block.other
        if block.goal:
            self.t.goal = join_fragments(self.t.goal or "", block.goal)
        lst.block_grid = row.grid
