"""Column roles of a table block: from its header words, then checked against the cells below.

A header says what a column holds (`指标值`, `计量单位`, `单位名称` …); where a header word is
unknown, or where the cells contradict it, the contents decide: a column whose cells are
comparison signs is the 指标性质 column, a column of measure words the unit column, a column
of taxonomy labels a level column, a column of numbers the value — whatever its header says.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from pipeline.model import Grid
from pipeline.normalize import taxonomy
from pipeline.normalize.text import compact, fold_width
from pipeline.normalize.units import is_unit
from pipeline.normalize.vocabulary import indicator_role
from pipeline.rebuild.rows import Row


@dataclass
class ColumnRoles:
    """Column index of each role in a block (from its header row or rows).

    Where cells carry boxes, each role also remembers its horizontal extent, so the block
    can be read on the next page, whose grid may split columns differently."""

    roles: dict[str, list[int]] = field(default_factory=dict)
    width: int = 0
    extents: dict[str, tuple[float, float]] = field(default_factory=dict)
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)  # header cell of a role: (col, end)
    combined: bool = False  # the project column also holds the rows naming each unit
    goal_share: float = 1.0  # rows below the header whose 绩效目标 cell holds text
    grid_key: int | None = None
    _remapped: dict[int, tuple[Grid, ColumnRoles]] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_rows(
        cls, rows: list[Row], role_of_text: Callable[[str], str | None] = indicator_role
    ) -> ColumnRoles:
        cols = cls(grid_key=id(rows[-1].grid) if rows else None)
        for row in rows:
            for cell in row.own():
                role = role_of_text(cell.text)
                if role is None:
                    continue
                if role == "org_project":  # 单位（项目）名称: project rows under rows naming their unit
                    role, cols.combined = "project", True
                parent = cols.role_of(cell.col)
                subtotal = role == "p_total" and parent in ("p_fiscal", "p_other")
                if subtotal:
                    role = parent  # 合计 under 财政拨款 is the 财政拨款 total
                span = range(cell.col, cell.col + cell.colspan)
                cols.spans[role] = (cell.col, cell.col + cell.colspan)
                if role in ("value", "value_term"):
                    # a later header row (年度 | 中期 under 指标值) refines the value column
                    cols.roles[role] = [cell.col]
                    if role == "value_term" and cols.roles.get("value") == [cell.col]:
                        del cols.roles["value"]
                    if cell.bbox:
                        cols.extents[role] = (cell.bbox[0], cell.bbox[2])
                else:
                    for other in cols.roles.values():  # a lower header row refines an upper one
                        other[:] = [c for c in other if c not in span]
                    cols.roles.setdefault(role, [])
                    cols.roles[role].extend(c for c in span if c not in cols.roles[role])
                    cols.roles[role].sort(key=lambda c: (not (subtotal and c in span), c))
                    if cell.bbox:
                        cols.extents[role] = (cell.bbox[0], cell.bbox[2])
            cols.width = max(cols.width, len(row.slots))
        if "value" not in cols.roles and "value_term" in cols.roles:
            cols.rename("value_term", "value")
        if "block" in cols.roles and not cols.roles.keys() & {"level1", "level2", "name"}:
            # 绩效指标 is not a leading label here but the data: packed levels + name, or a
            # whole packed list of indicators when there is no value column
            cols.rename("block", "packed_levels" if "value" in cols.roles else "packed_items")
        if (
            cols.roles.keys() & {"name", "level1", "level2"}
            and "goal" in cols.roles
            and "value" not in cols.roles
            and "project" not in cols.roles
        ):
            cols.rename("goal", "value")  # 目标 over the indicators of one table is their target value
        if rows and role_of_text is indicator_role:
            refine_by_contents(cols, rows[-1])
        return cols

    def rename(self, old: str, new: str) -> None:
        """Role `old` becomes `new`, with its columns, extent and header span."""
        for table in (self.roles, self.extents, self.spans):
            if old in table:
                table[new] = table.pop(old)

    def assign(self, role: str, col: int, bounds: list[tuple[float, float]]) -> None:
        """Give column `col` the role `role` (it loses any other), with its extent on the page."""
        for other, cs in list(self.roles.items()):
            if col in cs:
                cs.remove(col)
                if not cs:
                    del self.roles[other]
                    self.extents.pop(other, None)
        if role in ("value", "nature", "unit"):
            self.roles[role] = [col]
        else:
            self.roles.setdefault(role, []).append(col)
        if col < len(bounds):
            self.extents[role] = bounds[col]

    @property
    def lists_projects(self) -> bool:
        return "project" in self.roles

    @property
    def goal_only(self) -> bool:
        """A list of projects with their 绩效目标 and no indicator columns: one table per row.
        A budget table that merely has an empty 绩效目标 column is not one."""
        data = {"name", "value", "value_term", "level1", "level2", "packed_items", "packed_levels", "block"}
        listed = self.lists_projects and "goal" in self.roles and not self.roles.keys() & data
        return listed and self.goal_share >= 0.3

    def for_grid(self, grid: Grid) -> ColumnRoles:
        """The same roles on another grid (a continuation page), matched by horizontal position."""
        if self.grid_key is None or id(grid) == self.grid_key or not self.extents:
            return self
        cached = self._remapped.get(id(grid))
        if cached is not None and cached[0] is grid:
            return cached[1]
        remapped = self._remap(grid)
        self._remapped[id(grid)] = (grid, remapped)
        return remapped

    def _remap(self, grid: Grid) -> ColumnRoles:
        bounds = column_bounds(grid)
        if not bounds:
            return self
        roles: dict[str, list[int]] = {}
        for col, (x0, x1) in enumerate(bounds):
            best, best_overlap = None, 0.0
            for role, (r0, r1) in self.extents.items():
                overlap = min(x1, r1) - max(x0, r0)
                if overlap > best_overlap:
                    best, best_overlap = role, overlap
            if best is not None and best_overlap >= 0.5 * (x1 - x0):
                roles.setdefault(best, []).append(col)
        if not _enough(roles, self.roles):
            return self
        return ColumnRoles(
            roles=roles,
            width=len(bounds),
            extents=self.extents,
            grid_key=id(grid),
            combined=self.combined,
            goal_share=self.goal_share,
        )

    def first(self, role: str) -> int | None:
        cols = self.roles.get(role)
        return cols[0] if cols else None

    def role_of(self, col: int) -> str | None:
        for role, cols in self.roles.items():
            if col in cols:
                return role
        return None


IndicatorColumns = ColumnRoles


def _enough(mapped: dict[str, list[int]], original: dict[str, list[int]]) -> bool:
    """A remapping is trusted when it finds the roles that carry data."""
    if "packed_items" in original:
        return "packed_items" in mapped
    if "value" in original:
        return "value" in mapped and bool({"name", "level2", "level1", "packed_levels"} & mapped.keys())
    if "task" in original:
        return "task" in mapped
    return bool(mapped)


def column_bounds(grid: Grid) -> list[tuple[float, float]]:
    """(x0, x1) of every column of a grid whose cells carry boxes."""
    xs: dict[int, float] = {}
    for c in grid.cells:
        if c.bbox is None:
            return []
        xs.setdefault(c.col, c.bbox[0])
        xs.setdefault(c.col + c.colspan, c.bbox[2])
    n = grid.n_cols
    if any(k not in xs for k in range(n + 1)):
        return []
    return [(xs[k], xs[k + 1]) for k in range(n)]


# --- roles from cell contents -------------------------------------------------------------------
_SIGN = re.compile(
    r"^(>=|<=|=>|=<|≥|≤|==|=|>|<|定性|定量|大于|小于|等于|高于|低于|不低于|不高于|不少于|不多于|不超过|"
    r"不大于|不小于|大于等于|小于等于|大于或等于|小于或等于|达到|约等于)$"
)


def is_measure_word(text: str) -> bool:
    """A unit of measure (`件`, `人次`, `万元`, `元/人·月`, `%`), not a word of text."""
    return is_unit(compact(text).strip("()（）"))


def is_sign(text: str) -> bool:
    """A comparison sign or the word of a 指标性质 column (≥, ≤, ＝, 定性, 定量)."""
    return bool(_SIGN.match(compact(text)))


def _is_number(text: str) -> bool:
    s = fold_width(text).strip()
    return bool(re.fullmatch(r"[≥≤<>=约]{0,2}\s*\d[\d,.]*\s*%?", s))


def _share(texts: list[str], test: Callable[[str], bool]) -> float:
    return sum(1 for t in texts if test(t)) / len(texts) if texts else 0.0


def column_texts(header: Row, limit: int = 40) -> dict[int, list[str]]:
    """Texts of the cells that start in each column, in the rows of the header's grid below it."""
    out: dict[int, list[str]] = {}
    below = [c for c in header.grid.cells if header.index < c.row <= header.index + limit]
    for c in below:
        if c.text.strip() and c.colspan == 1:
            out.setdefault(c.col, []).append(c.text)
    return out


# roles whose header is trusted over the contents (names, labels, list columns)
_CONTENT_FIXED = {
    "name",
    "level1",
    "level2",
    "packed_levels",
    "packed_items",
    "project",
    "goal",
    "org",
    "org_project",
    "code",
    "p_total",
    "p_fiscal",
    "p_other",
    "activity",
    "seq",
}


def refine_by_contents(cols: ColumnRoles, header: Row) -> None:
    """Correct and complete header roles from the cells below the (last) header row."""
    if not header.grid.spans_known or header.grid.kind != "table":
        return
    goal = cols.first("goal")
    if goal is not None and cols.lists_projects:
        rows = {c.row for c in header.grid.cells if c.row > header.index and c.text.strip()}
        filled = {c.row for c in header.grid.cells if c.row in rows and c.col == goal and c.text.strip()}
        cols.goal_share = len(filled) / len(rows) if rows else 1.0
    texts = {c: t for c, t in column_texts(header).items() if len(t) >= 2}
    if not texts:
        return
    bounds = column_bounds(header.grid)
    value_span = cols.spans.get("value")
    for c, ts in sorted(texts.items()):
        role = cols.role_of(c)
        if role in _CONTENT_FIXED:
            continue
        if _share(ts, is_sign) >= 0.8:
            cols.assign("nature", c, bounds)
        elif role != "value" and _share(ts, is_measure_word) >= 0.8 and not _share(ts, _is_number):
            cols.assign("unit", c, bounds)
    indicators = cols.roles.keys() & {"name", "level1", "level2", "packed_levels"}
    if cols.first("value") is None and indicators:
        # the value column moved (a 指标值 header over sign | number) or was never named
        span = range(value_span[0], value_span[1]) if value_span else range(cols.width)
        numeric = [
            c for c in span if c in texts and cols.role_of(c) is None and _share(texts[c], _is_number) >= 0.6
        ]
        if numeric:
            cols.assign("value", numeric[0], bounds)
    if not cols.roles.keys() & {"level1", "level2"}:
        for c, ts in sorted(texts.items()):
            labels = [taxonomy.recognise(t) for t in ts]
            if cols.role_of(c) is None and sum(lab is not None for lab in labels) >= 0.6 * len(ts):
                levels = [lab.level for lab in labels if lab is not None]
                cols.assign("level2" if levels.count(2) >= levels.count(1) else "level1", c, bounds)
