"""Find target tables in a document's row stream and rebuild their metadata, budget lines
and indicator rows.

A table starts at a title (`…绩效目标表`) or, where the title is missing, at a 项目名称 /
部门名称 row.  It ends at the next title, at the title of another budget table, or when a
new block of metadata follows its indicators (several projects under one title).
"""

from __future__ import annotations

import re
from decimal import Decimal

from pipeline.model import RawBudgetLine, RawTable, SourceDocument
from pipeline.normalize.names import parse_amount, strip_code
from pipeline.normalize.text import clean_cell, compact
from pipeline.rebuild import vocab
from pipeline.rebuild.indicators import IndicatorColumns, parse_flattened, parse_geometric
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
        self.budget_cols: dict[str, int] = {}
        self.annual_col: int | None = None
        self.mid_col: int | None = None
        self.pending_below: list[tuple[str, int, int]] = []
        self.pending_labels: list[tuple[str, str | None]] = []
        self.goal_term: str | None = None
        self.seen_keys: set[str] = set()
        self.fallback_department: str | None = None

    # -- entry point -------------------------------------------------------------------------
    def feed(self, row: Row) -> str | None:
        """Consume one row; returns "split" when the row begins the next table instead."""
        texts = row.texts()
        if row.page is not None:
            if self.t.page_first is None:
                self.t.page_first = row.page
            self.t.page_last = max(self.t.page_last or row.page, row.page)
        if self.t.year is None and len(texts) == 1 and vocab.year_line(texts[0]):
            self.t.year = vocab.year_line(texts[0])
            return None
        self._money_unit(texts)
        all_texts = [c.text for c in row.distinct()]
        header = vocab.is_indicator_header(texts) or (
            self.t.spans_known and vocab.is_indicator_header(all_texts)
        )
        if header:
            if self.t.indicators and self._starts_new_block(row):
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
        if self.pending_below:
            for key, col, span in self.pending_below:
                below = next(
                    (
                        c
                        for c in cells
                        if c.col <= col < c.col + max(c.colspan, 1) or col <= c.col < col + span
                    ),
                    None,
                )
                if below is not None and split_key(below.text)[0] is None:
                    self._assign(key, below.text, col)
                    cells = [c for c in cells if c is not below]
            self.pending_below = []
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
            else:
                self.pending_below.append((key, c.col, c.colspan))

    def _assign(self, key: str, value: str, col: int) -> None:
        value = clean_cell(value)
        if not value:
            return
        t = self.t
        if key == "project" and not t.project:
            t.project = value
        elif key == "department" and not t.department:
            t.department = strip_code(value)
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
        for c in row.own():
            role = vocab.budget_role(c.text)
            if role:
                self.budget_cols[role] = c.col

    def _budget(self, row: Row) -> None:
        cells = row.own()
        if not cells:
            return
        first = cells[0].text
        key = split_key(first)[0]
        if key in ("goal", "goal_term", "department", "project"):
            self.state = "meta"
            self._meta(row)
            return
        roles = [vocab.budget_role(c.text) for c in cells]
        if all(r is not None for r in roles):
            for c, r in zip(cells, roles, strict=True):
                self.budget_cols[r] = c.col  # sub-header: 总额 | 财政拨款 | 其他资金
            return
        amounts = [(c, parse_amount(c.text)) for c in cells]
        numbers = [(c, a) for c, a in amounts if a is not None and c.col != self.budget_cols.get("remark")]
        words = [c for c, a in amounts if a is None and c.col != self.budget_cols.get("remark")]
        if vocab.is_total_row_label(first):
            total, fiscal, other = self._amount_triple(numbers)
            self.t.total = self.t.total if self.t.total is not None else total
            self.t.fiscal = self.t.fiscal if self.t.fiscal is not None else fiscal
            self.t.other = self.t.other if self.t.other is not None else other
            return
        if not numbers or not words:
            return
        total, fiscal, other = self._amount_triple(numbers)
        task_col = self.budget_cols.get("task")
        task = next((c for c in words if c.col == task_col), words[0])
        rest = [c for c in words if c is not task]
        content = rest[0].text if rest else None
        self.t.budget_lines.append(
            RawBudgetLine(task=task.text, content=content, total=total, fiscal=fiscal, other=other)
        )

    def _amount_triple(self, numbers) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
        by_role: dict[str, Decimal] = {}
        col_role = {col: role for role, col in self.budget_cols.items()}
        for c, a in numbers:
            role = col_role.get(c.col)
            if role in ("total", "fiscal", "other") and role not in by_role:
                by_role[role] = a
        if len(by_role) < len(numbers[:3]):
            by_role = dict(zip(("total", "fiscal", "other"), (a for _, a in numbers[-3:]), strict=False))
        return by_role.get("total"), by_role.get("fiscal"), by_role.get("other")

    # -- indicators -----------------------------------------------------------------------------
    def _indicator(self, row: Row) -> None:
        cols = self.ind_cols
        if cols is None:
            return
        if self.t.spans_known:
            ind = parse_geometric(row, cols)
        else:
            ind = parse_flattened(row, cols)
        if isinstance(ind, list):
            self.pending_labels.extend(ind)
            return
        if ind is None:
            return
        if self.pending_labels:
            ind.floating_labels = self.pending_labels + ind.floating_labels
            self.pending_labels = []
        self.t.indicators.append(ind)

    def result(self) -> RawTable:
        if not self.t.goal and self.goal_term:
            self.t.goal = self.goal_term
        if not self.t.department:
            self.t.department = self.fallback_department
        return self.t


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


def find_tables(doc: SourceDocument) -> list[RawTable]:
    """Every target table of a document, in order, as printed (not yet normalized)."""
    tables: list[RawTable] = []
    builder: TableBuilder | None = None

    def finish(b: TableBuilder | None) -> None:
        if b is not None and (b.t.indicators or b.t.budget_lines):
            tables.append(b.result())

    for row in stream(doc.grids):
        if row.is_blank:
            continue
        kind, title = _row_title(row)
        if kind:
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
            finish(builder)
            builder = None
            continue
        if builder is None:
            untitled = _starts_untitled(row)
            if untitled is None:
                continue
            builder = TableBuilder(untitled, "", None, row.page, row.grid.spans_known)
        if builder.feed(row) == "split":
            prev = builder
            finish(prev)
            builder = TableBuilder(prev.t.kind, prev.t.title, prev.t.year, row.page, row.grid.spans_known)
            builder.fallback_department = prev.t.department if prev.t.kind == "project" else None
            builder.feed(row)
    finish(builder)
    return tables
