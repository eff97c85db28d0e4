"""One target table, rebuilt from its rows: metadata, budget lines, indicator rows.

`TableBuilder.feed` consumes the rows of a table in order; it is a state machine over the
named `Stage`s (states.py), with the state of each stage in a small dataclass (`MetaState`,
`BudgetState`, `IndicatorState`, and `ListState` for project lists).  It says when a row
belongs to the next table instead (`Outcome.SPLIT`) or shows that the table is an
evaluation, not a target table (`Outcome.REJECT`).  Tables that list many projects (one row
or block per project) are read by the `ProjectListRows` part (lists.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from pipeline.model import RawBudgetLine, RawIndicator, RawTable
from pipeline.normalize import titles, vocabulary
from pipeline.normalize.names import ORG_SUFFIX, parse_amount, strip_code
from pipeline.normalize.text import clean_cell, compact
from pipeline.rebuild.columns import ColumnRoles, IndicatorColumns
from pipeline.rebuild.indicators import parse_flattened, parse_geometric
from pipeline.rebuild.lists import ListState, ProjectListRows, join_fragments
from pipeline.rebuild.rows import Row
from pipeline.rebuild.states import Block, Outcome, Stage

_INLINE_KEY = re.compile(r"^(.{2,14}?)[:：]\s*(\S.*)$")
# a line naming the department alone, possibly behind its code: `507-湖州市卫生健康委员会`
_ORG_LINE = re.compile(
    rf"^(?:[0-9A-Za-z]{{2,}}\s*[-_－—:：]\s*)?([\u4e00-\u9fff（）()]{{3,40}}?(?:{ORG_SUFFIX}))$"
)
# `** | ** | ** | **` or `1 | 2 | 3 | 4`: a row numbering the columns
_NUMBERING = re.compile(r"^([*＊]+|\d{1,2}|[A-Za-z])$")
# a page number printed inside a table's frame: `第39页，共40页`, `- 12 -`, `12/40`
_FOLIO = re.compile(r"^(第\d+页[,，]?(共\d+页)?|-?\d{1,4}-?|\d{1,4}/\d{1,4}|共\d+页第\d+页)$")
IDENTITY = ("project", "department", "filer", "unit")
MONEY = ("total", "fiscal", "other", "mid_total", "carryover")


def split_key(text: str) -> tuple[str | None, str | None]:
    """A cell that is a key (`项目名称`) or a key with its value inline (`填报单位：某某局`)."""
    k = vocabulary.key_of(text)
    if k:
        return k, None
    m = _INLINE_KEY.match(text.strip())
    if m:
        k = vocabulary.key_of(m.group(1))
        if k:
            return k, m.group(2).strip()
    return None, None


def is_numbering_row(texts: list[str]) -> bool:
    return len(texts) >= 2 and all(_NUMBERING.match(compact(t)) for t in texts)


@dataclass
class PendingKey:
    """A key whose value is printed below it (a row of keys over a row of values)."""

    key: str
    col: int
    span: int


@dataclass
class CutValue:
    """The last name or goal value read, which a page break may have cut."""

    key: str
    bbox: tuple[float, float, float, float]
    grid: object


@dataclass
class MetaState:
    pending_below: list[PendingKey] = field(default_factory=list)
    cut_value: CutValue | None = None
    goal_term: str | None = None  # 实施期目标: the goal when no annual one is printed
    fallback_department: str | None = None  # a department line above the table, without its key
    annual_col: int | None = None  # column of 年度资金总额
    mid_col: int | None = None  # column of 中期/实施期 amounts
    mid_amount: Decimal | None = None


@dataclass
class BudgetState:
    cols: ColumnRoles = field(default_factory=ColumnRoles)
    header_rows: list[Row] = field(default_factory=list)


@dataclass
class IndicatorState:
    cols: IndicatorColumns | None = None
    header_rows: list[Row] = field(default_factory=list)
    after_header: bool = False  # the previous row was (part of) the header
    pending_labels: list[tuple[str, str | None]] = field(default_factory=list)  # labels on rows of their own
    last_grid: object | None = None  # grid of the last indicator row


class TableBuilder(ProjectListRows):
    """Consumes the rows of one target table."""

    def __init__(self, kind: str, title: str, year: int | None, page: int | None, spans_known: bool):
        self.t = RawTable(
            kind=kind, title=title, year=year, page_first=page, page_last=page, spans_known=spans_known
        )
        self.label: str | None = None  # 表11: the table's printed label
        self.stage = Stage.META
        self.saw_ruled_table = False
        self.meta = MetaState()
        self.budget = BudgetState()
        self.ind = IndicatorState()
        self.lst = ListState(name_group=[self.t])

    # -- entry point -------------------------------------------------------------------------
    def feed(self, row: Row) -> Outcome | None:
        """Consume one row; SPLIT when the row begins the next table instead, REJECT when it
        shows the table is an evaluation (绩效自评表), not a target table."""
        texts = row.texts()
        if titles.self_evaluation_row(texts):
            self.stage = Stage.REJECTED
            return Outcome.REJECT
        if row.grid.spans_known and row.grid.kind == "table":
            self.saw_ruled_table = True
        if not self.goal_list:  # a list row's pages are those of its own row (see lists.py)
            self.extend_pages(row)
        years = [vocabulary.year_line(t) for t in texts] if len(texts) <= 3 else []
        if self.t.year is None and any(years):
            self.t.year = next(y for y in years if y)
            self._money_unit(texts)
            return None
        self._money_unit(texts)
        if is_numbering_row(texts) or (len(texts) == 1 and _FOLIO.match(compact(texts[0]))):
            return None
        ind = self.ind
        all_texts = [c.text for c in row.distinct()]
        header = vocabulary.is_indicator_header(texts) or (
            row.grid.spans_known and vocabulary.is_indicator_header(all_texts)
        )
        if header:
            if (
                self.t.indicators
                and self._new_block(row) is Block.NEW
                and not IndicatorColumns.from_rows([row]).lists_projects
            ):
                return Outcome.SPLIT
            ind.header_rows = [*ind.header_rows, row] if ind.after_header else [row]
            ind.cols = IndicatorColumns.from_rows(ind.header_rows)
            self.stage = Stage.INDICATORS
            ind.after_header = True
            return None
        if ind.after_header and vocabulary.is_header_row(texts, min_cells=1):
            ind.header_rows.append(row)
            ind.cols = IndicatorColumns.from_rows(ind.header_rows)
            return None
        ind.after_header = False
        if self.stage is Stage.INDICATORS:
            return self._indicator_stage(row, texts)
        if vocabulary.is_budget_header(texts):
            self.stage = Stage.BUDGET
            self._budget_header(row)
            return None
        if self.stage is Stage.BUDGET:
            self._budget(row)
            return None
        self._meta(row)
        return None

    def _indicator_stage(self, row: Row, texts: list[str]) -> Outcome | None:
        if row.is_text_line and self.saw_ruled_table:
            return None  # page numbers and notes around a ruled table
        if vocabulary.is_header_row(texts):
            return None  # part of a header printed again on a new page
        if self.ind.cols is not None and self.ind.cols.lists_projects:
            return self.project_list_row(row)
        block = self._new_block(row)
        if block is Block.NEW:
            return Outcome.SPLIT
        if block is Block.SAME:
            return None  # the table's metadata printed again on its next page
        self._indicator(row)
        return None

    def _new_block(self, row: Row) -> Block | None:
        """A metadata row below the indicators: NEW when it names another project (or
        department), SAME when it repeats this table's metadata, None for an indicator row."""
        cells = row.own()
        if not cells or cells[0].col > 1:
            return None
        key, inline = split_key(cells[0].text)
        if key is None:
            return None
        value = inline if inline is not None else (cells[1].text if len(cells) > 1 else "")
        opens = key == "project" or (self.t.kind == "department" and key == "department")
        if not opens:
            pairs = all(split_key(c.text)[0] is not None for c in cells[::2]) and len(cells) <= 6
            metadata = key in IDENTITY or key in MONEY or key in ("goal", "goal_term")
            return Block.SAME if metadata and pairs else None
        current = self.t.project if key == "project" else self.t.department
        if current and compact(strip_code(value)) == compact(current):
            return Block.SAME
        return Block.NEW

    def _money_unit(self, texts: list[str]) -> None:
        if self.t.amounts_in_yuan is not None:
            return
        for t in texts:
            u = vocabulary.money_unit(t)
            if u:
                self.t.amounts_in_yuan = u == "元"
                return

    # -- metadata -------------------------------------------------------------------------------
    def _meta(self, row: Row) -> None:
        cells = row.own()
        if self._continues_meta_value(row, cells):
            return
        if row.is_text_line:
            self._department_line(cells)
        if self.meta.pending_below:
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
                    self.meta.cut_value = CutValue(key, nxt.bbox, row.grid)
            else:
                self.meta.pending_below.append(PendingKey(key, c.col, c.colspan))

    def _department_line(self, cells: list) -> None:
        """A line above the table naming the department without a key (`507-某市卫生健康委员会`)."""
        if self.meta.fallback_department is not None:
            return
        for c in cells:
            m = _ORG_LINE.match(compact(c.text))
            if m and not vocabulary.title_kind(c.text):
                self.meta.fallback_department = strip_code(c.text)
                return

    def _continues_meta_value(self, row: Row, cells: list) -> bool:
        """The first row of a new page that holds only the rest of a name cut by the page break
        (`…提升补助资` / `金`), printed under the value it continues."""
        cut = self.meta.cut_value
        if cut is None or len(cells) != 1 or cells[0].bbox is None:
            return False
        cell = cells[0]
        if (
            cut.grid is row.grid
            or row.grid.kind != "table"
            or row.index > 0
            or split_key(cell.text)[0] is not None
        ):
            return False
        overlap = min(cut.bbox[2], cell.bbox[2]) - max(cut.bbox[0], cell.bbox[0])
        if overlap < 0.5 * (cell.bbox[2] - cell.bbox[0]):
            return False
        current = getattr(self.t, cut.key)
        setattr(self.t, cut.key, join_fragments(current or "", clean_cell(cell.text)))
        self.meta.cut_value = None
        return True

    def _resolve_pending(self, row: Row, cells: list) -> list:
        """Keys whose value is printed below them (a header row of keys over a row of values),
        possibly through a row of sub-headers (财政拨款 → 合计 | 基本支出 | 项目支出)."""
        keep: list[PendingKey] = []
        for pending in self.meta.pending_below:
            key, col, span = pending.key, pending.col, pending.span
            below = [c for c in cells if col <= c.col < col + span or c.col <= col < c.col + c.colspan]
            if not below:
                covering = row.slots[col] if col < len(row.slots) else None
                if covering is not None and covering.row < row.index:
                    keep.append(pending)  # the key cell is merged down over this row
                continue
            first = below[0]
            if split_key(first.text)[0] is not None:
                continue
            if key in MONEY and parse_amount(first.text) is None:
                sub = next((c for c in below if _sub_header(c.text)), None)
                if sub is not None:  # a row of sub-headers between the key and its amount
                    keep.append(PendingKey(key, sub.col, 1))
                    cells = [c for c in cells if c not in below]
                # otherwise the key was left empty: the row below is not its value
                continue
            self._assign(key, first.text, col)
            cells = [c for c in cells if c is not first]
        self.meta.pending_below = keep
        return cells

    def _assign(self, key: str, value: str, col: int) -> None:
        value = clean_cell(value)
        if not value:
            return
        t, meta = self.t, self.meta
        if key == "project" and not t.project:
            t.project = value
        elif key == "department" and not t.department:
            t.department = strip_code(value)
        elif key == "filer" and not t.filer:
            t.filer = strip_code(value)
        elif key == "unit" and not t.unit:
            t.unit = strip_code(value)
        elif key == "mid_total":
            meta.mid_col = col
            if meta.mid_amount is None:
                meta.mid_amount = parse_amount(value)
        elif key == "total":
            amount = parse_amount(value)
            if amount is not None and (t.total is None or col == meta.annual_col):
                t.total = amount
                meta.annual_col = col
        elif key == "carryover":
            amount = parse_amount(value)
            if amount is not None and t.carryover is None:
                t.carryover = amount
        elif key in ("fiscal", "other"):
            amount = parse_amount(value)
            if amount is None:
                return
            current = t.fiscal if key == "fiscal" else t.other
            if current is None or self._closer_to_annual(col):
                setattr(t, key, amount)
        elif key == "goal" and not t.goal:
            t.goal = value
        elif key == "goal_term" and not meta.goal_term:
            meta.goal_term = value

    def _closer_to_annual(self, col: int) -> bool:
        """With 中期 and 年度 amounts side by side, the one under 年度资金总额 wins."""
        meta = self.meta
        if meta.annual_col is None or meta.mid_col is None:
            return False
        return abs(col - meta.annual_col) < abs(col - meta.mid_col)

    # -- budget lines ---------------------------------------------------------------------------
    def _budget_header(self, row: Row) -> None:
        rows = [row]
        self.budget = BudgetState(ColumnRoles.from_rows(rows, vocabulary.budget_role), rows)

    def _budget(self, row: Row) -> None:
        cells = [c for c in row.own() if not vocabulary.is_budget_block_label(c.text)]
        if not cells:
            return
        first = cells[0].text
        key = split_key(first)[0]
        if key in ("goal", "goal_term", "department", "project"):
            self.stage = Stage.META
            self._meta(row)
            return
        if all(vocabulary.budget_role(c.text) is not None for c in cells):
            # sub-header: 总额 | 财政拨款 | 其他资金 under 预算金额
            self.budget.header_rows.append(row)
            self.budget.cols = ColumnRoles.from_rows(self.budget.header_rows, vocabulary.budget_role)
            return
        cols = self.budget.cols.for_grid(row.grid) if row.grid.spans_known else self.budget.cols
        skip = set(cols.roles.get("remark", [])) | set(cols.roles.get("carryover", []))
        amounts = [(c, parse_amount(c.text)) for c in cells if c.col not in skip]
        numbers = [(c, a) for c, a in amounts if a is not None]
        words = [c for c, a in amounts if a is None]
        if vocabulary.is_total_row_label(first):
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
        cols = self.ind.cols
        if cols is None:
            return
        if row.grid.spans_known:
            ind = parse_geometric(row, cols.for_grid(row.grid))
        else:
            ind = parse_flattened(row, cols)
        if isinstance(ind, list):
            self.ind.pending_labels.extend(ind)
            return
        if ind is None:
            return
        if self._continues_previous(row, ind):
            return
        if self.ind.pending_labels:
            ind.floating_labels = self.ind.pending_labels + ind.floating_labels
            self.ind.pending_labels = []
        self.t.indicators.append(ind)
        self.ind.last_grid = row.grid

    def _continues_previous(self, row: Row, ind: RawIndicator) -> bool:
        """A cell cut by a page break: the first row of the next page holds only the rest of the
        previous row's name or value, with no labels.  It is appended to that row."""
        if not self.t.indicators or row.grid is self.ind.last_grid or not row.grid.spans_known:
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
        self.ind.last_grid = row.grid
        return True

    # -- the next table, and the result -----------------------------------------------------------
    def successor(self, row: Row) -> TableBuilder:
        """The builder for the next table of the same kind (several projects under one title)."""
        nxt = TableBuilder(self.t.kind, self.t.title, self.t.year, row.page, row.grid.spans_known)
        nxt.label = self.label
        nxt.meta.fallback_department = (
            self.t.department or self.meta.fallback_department if self.t.kind == "project" else None
        )
        nxt.t.amounts_in_yuan = self.t.amounts_in_yuan
        nxt.saw_ruled_table = self.saw_ruled_table
        if self.ind.cols is not None and self.ind.cols.lists_projects:
            nxt.ind.cols, nxt.ind.header_rows, nxt.stage = (
                self.ind.cols,
                self.ind.header_rows,
                Stage.INDICATORS,
            )
            self.pass_list_state(nxt)
            nxt.t.department = self.t.department
        return nxt

    @property
    def has_content(self) -> bool:
        """Whether the rows consumed make a table worth keeping."""
        if self.stage is Stage.REJECTED:
            return False
        if self.goal_list:
            return bool(self.t.project)
        return bool(self.t.indicators or self.t.budget_lines)

    def result(self) -> RawTable:
        pages = [i.page for i in self.t.indicators if i.page is not None]
        if pages:  # notes or prose after the table do not extend it
            self.t.page_last = max(pages)
        if not self.t.goal and self.meta.goal_term:
            self.t.goal = self.meta.goal_term
        if self.t.total is None and self.meta.mid_amount is not None:
            self.t.total = self.meta.mid_amount  # only the 实施期 amount is printed
        if not self.t.department:
            self.t.department = self.meta.fallback_department
        self.t.goal_list = self.goal_list
        self.t.levels_printed = self._levels_printed()
        lists_projects = self.ind.cols is not None and self.ind.cols.lists_projects
        if self.t.kind == "project" and not self.t.project and not lists_projects:
            unit, project = vocabulary.project_from_title(self.t.title)
            self.t.project = project
            self.t.unit = self.t.unit or unit
            if project is None and (self.t.budget_lines or _DEPARTMENT_WIDE.search(compact(self.t.title))):
                self.t.kind = "department"  # no project anywhere: a department's table (部门绩效目标表)
        return self.t

    def _levels_printed(self) -> bool:
        """Whether the table prints 一级/二级 labels at all: a level column, labels packed into the
        name cell or the item list, or labels floating in a flattened dump."""
        cols = self.ind.cols
        if cols is not None and cols.roles.keys() & {"level1", "level2", "packed_items"}:
            return True
        return any(i.level1_raw or i.level2_raw or i.floating_labels for i in self.t.indicators)


# a title about a whole department or unit, not about a project
_DEPARTMENT_WIDE = re.compile(r"^(?!.*项目).*(部门|单位)(整体)?(支出|预算)?绩效")


def _sub_header(text: str) -> bool:
    """A sub-header word between a money key and its amount (合计 | 基本支出 | 项目支出)."""
    return (
        vocabulary.is_total_row_label(text)
        or vocabulary.budget_role(text) is not None
        or split_key(text)[0] in MONEY
    )


def _unit_only(text: str) -> bool:
    return bool(re.fullmatch(r"[(（]?(单位[:：])?(万元|元)[)）]?", compact(text)))
