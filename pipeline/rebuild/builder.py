"""One target table, rebuilt from its rows: metadata, budget lines, indicator rows.

`TableBuilder.feed` consumes the rows of a table in order and says when a row belongs to the
next table instead ("split") or shows that the table is an evaluation, not a target table
("reject").  Tables that list many projects (one row or block per project) are read by the
`ProjectListRows` part (lists.py).
"""

from __future__ import annotations

import re
from decimal import Decimal

from pipeline.model import RawBudgetLine, RawIndicator, RawTable
from pipeline.normalize import titles, vocabulary
from pipeline.normalize.names import ORG_SUFFIX, parse_amount, strip_code
from pipeline.normalize.text import clean_cell, compact
from pipeline.rebuild.columns import ColumnRoles, IndicatorColumns
from pipeline.rebuild.indicators import parse_flattened, parse_geometric
from pipeline.rebuild.lists import ProjectListRows, join_fragments
from pipeline.rebuild.rows import Row

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


class TableBuilder(ProjectListRows):
    """Consumes the rows of one target table."""

    def __init__(self, kind: str, title: str, year: int | None, page: int | None, spans_known: bool):
        self.t = RawTable(
            kind=kind, title=title, year=year, page_first=page, page_last=page, spans_known=spans_known
        )
        self.label: str | None = None  # 表11: the table's printed label
        self.state = "meta"
        self.ind_cols: IndicatorColumns | None = None
        self.header_rows: list[Row] = []
        self.last_was_header = False
        self.budget_cols = ColumnRoles()
        self.budget_header_rows: list[Row] = []
        self.annual_col: int | None = None
        self.mid_col: int | None = None
        self.mid_amount: Decimal | None = None
        self.pending_below: list[tuple[str, int, int]] = []
        self.pending_labels: list[tuple[str, str | None]] = []
        self.goal_term: str | None = None
        self.seen_keys: set[str] = set()
        self.fallback_department: str | None = None
        self.last_text_value: tuple | None = None
        self.saw_ruled_table = False
        self.last_grid: object | None = None
        self.rejected = False
        self.init_list_state()

    # -- entry point -------------------------------------------------------------------------
    def feed(self, row: Row) -> str | None:
        """Consume one row; "split" when the row begins the next table instead, "reject" when it
        shows the table is an evaluation (绩效自评表), not a target table."""
        texts = row.texts()
        if titles.self_evaluation_row(texts):
            self.rejected = True
            return "reject"
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
        all_texts = [c.text for c in row.distinct()]
        header = vocabulary.is_indicator_header(texts) or (
            row.grid.spans_known and vocabulary.is_indicator_header(all_texts)
        )
        if header:
            if (
                self.t.indicators
                and self._new_block(row) == "new"
                and not IndicatorColumns.from_rows([row]).lists_projects
            ):
                return "split"
            self.header_rows = [*self.header_rows, row] if self.last_was_header else [row]
            self.ind_cols = IndicatorColumns.from_rows(self.header_rows)
            self.state = "ind"
            self.last_was_header = True
            return None
        if self.last_was_header and vocabulary.is_header_row(texts, min_cells=1):
            self.header_rows.append(row)
            self.ind_cols = IndicatorColumns.from_rows(self.header_rows)
            return None
        self.last_was_header = False
        if self.state == "ind":
            if row.is_text_line and self.saw_ruled_table:
                return None  # page numbers and notes around a ruled table
            if vocabulary.is_header_row(texts):
                return None  # part of a header printed again on a new page
            if self.ind_cols is not None and self.ind_cols.lists_projects:
                return self.project_list_row(row)
            block = self._new_block(row)
            if block == "new":
                return "split"
            if block == "same":
                return None  # the table's metadata printed again on its next page
            self._indicator(row)
            return None
        if vocabulary.is_budget_header(texts):
            self.state = "budget"
            self._budget_header(row)
            return None
        if self.state == "budget":
            self._budget(row)
            return None
        self._meta(row)
        return None

    def _new_block(self, row: Row) -> str | None:
        """A metadata row below the indicators: "new" when it names another project (or
        department), "same" when it repeats this table's metadata, None for an indicator row."""
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
            return "same" if metadata and pairs else None
        current = self.t.project if key == "project" else self.t.department
        if current and compact(strip_code(value)) == compact(current):
            return "same"
        return "new"

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

    def _department_line(self, cells: list) -> None:
        """A line above the table naming the department without a key (`507-某市卫生健康委员会`)."""
        if self.fallback_department is not None:
            return
        for c in cells:
            m = _ORG_LINE.match(compact(c.text))
            if m and not vocabulary.title_kind(c.text):
                self.fallback_department = strip_code(c.text)
                return

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
        setattr(self.t, key, join_fragments(current or "", clean_cell(cell.text)))
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
            if key in MONEY and parse_amount(first.text) is None:
                sub = next((c for c in below if _sub_header(c.text)), None)
                if sub is not None:  # a row of sub-headers between the key and its amount
                    keep.append((key, sub.col, 1))
                    cells = [c for c in cells if c not in below]
                # otherwise the key was left empty: the row below is not its value
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
            if self.mid_amount is None:
                self.mid_amount = parse_amount(value)
        elif key == "total":
            amount = parse_amount(value)
            if amount is not None and (t.total is None or col == self.annual_col):
                t.total = amount
                self.annual_col = col
        elif key == "carryover":
            amount = parse_amount(value)
            if amount is not None and t.carryover is None:
                t.carryover = amount
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
        self.budget_cols = ColumnRoles.from_rows(self.budget_header_rows, vocabulary.budget_role)

    def _budget(self, row: Row) -> None:
        cells = [c for c in row.own() if not vocabulary.is_budget_block_label(c.text)]
        if not cells:
            return
        first = cells[0].text
        key = split_key(first)[0]
        if key in ("goal", "goal_term", "department", "project"):
            self.state = "meta"
            self._meta(row)
            return
        if all(vocabulary.budget_role(c.text) is not None for c in cells):
            # sub-header: 总额 | 财政拨款 | 其他资金 under 预算金额
            self.budget_header_rows.append(row)
            self.budget_cols = ColumnRoles.from_rows(self.budget_header_rows, vocabulary.budget_role)
            return
        cols = self.budget_cols.for_grid(row.grid) if row.grid.spans_known else self.budget_cols
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

    # -- the next table, and the result -----------------------------------------------------------
    def successor(self, row: Row) -> TableBuilder:
        """The builder for the next table of the same kind (several projects under one title)."""
        nxt = TableBuilder(self.t.kind, self.t.title, self.t.year, row.page, row.grid.spans_known)
        nxt.label = self.label
        nxt.fallback_department = (
            self.t.department or self.fallback_department if self.t.kind == "project" else None
        )
        nxt.t.amounts_in_yuan = self.t.amounts_in_yuan
        nxt.saw_ruled_table = self.saw_ruled_table
        if self.ind_cols is not None and self.ind_cols.lists_projects:
            nxt.ind_cols, nxt.header_rows, nxt.state = self.ind_cols, self.header_rows, "ind"
            self.pass_list_state(nxt)
            nxt.t.department = self.t.department
        return nxt

    @property
    def has_content(self) -> bool:
        """Whether the rows consumed make a table worth keeping."""
        if self.rejected:
            return False
        if self.goal_list:
            return bool(self.t.project)
        return bool(self.t.indicators or self.t.budget_lines)

    def result(self) -> RawTable:
        pages = [i.page for i in self.t.indicators if i.page is not None]
        if pages:  # notes or prose after the table do not extend it
            self.t.page_last = max(pages)
        if not self.t.goal and self.goal_term:
            self.t.goal = self.goal_term
        if self.t.total is None and self.mid_amount is not None:
            self.t.total = self.mid_amount  # only the 实施期 amount is printed
        if not self.t.department:
            self.t.department = self.fallback_department
        self.t.goal_list = self.goal_list
        self.t.levels_printed = self._levels_printed()
        lists_projects = self.ind_cols is not None and self.ind_cols.lists_projects
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
        cols = self.ind_cols
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
