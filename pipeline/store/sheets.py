"""The analyst's tables of an export: one joined row per indicator (`指标`), per target table
(`项目与预算`), per budget line (`预算明细`) and per check (`检查`), with Chinese headers, the file name and a link to the page.

Each sheet is a declarative list of columns (view column → header, widest width, number format,
labels).  A column whose view column does not exist in this database is left out, so the same
spec serves databases before and after a view gains a column (project_code, unit_std, …).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from pipeline.analysis import links
from pipeline.paths import display
from pipeline.store.xlsxwrite import Link

DIMENSIONS = {
    "quantity": "数量", "quality": "质量", "timeliness": "时效", "cost": "成本",
    "social_cost": "社会成本", "ecological_cost": "生态成本", "economic_benefit": "经济效益",
    "social_benefit": "社会效益", "ecological_benefit": "生态效益", "sustainability": "可持续影响",
    "satisfaction": "满意度",
}  # fmt: skip
KINDS = {"department": "部门整体", "project": "项目"}
DIRECTIONS = {"higher": "越高越好", "lower": "越低越好"}
SEVERITIES = {"error": "错误", "warning": "警告", "info": "提示"}
# ≥ rather than >=; ＝ (full width) since a lone = would start a formula in a spreadsheet
COMPARATORS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "＝", "range": "区间"}
YES_NO = {True: "是", False: "否"}
WAN = "#,##0.00"


@dataclass(frozen=True)
class Col:
    """One output column: `source` is a column of the sheet's query (the first of a tuple that
    exists); kind `file` shows the source file's name, `link` a link to the file at page `source`."""

    header: str
    source: str | tuple[str, ...]
    width: float = 16  # the widest the column gets; narrower when its text is shorter
    number_format: str | None = None
    labels: Mapping[Any, str] | None = None
    kind: str = "value"  # value | file | link


@dataclass(frozen=True)
class Sheet:
    name: str
    sql: str  # also yields _path (the source file as stored) and _source_file (its bytes)
    cols: tuple[Col, ...]
    frozen_cols: int = 0


def _head(*extra: Col) -> tuple[Col, ...]:
    """Who and what: the columns every table-level sheet starts with."""
    return (
        Col("年度", "year", 8),
        Col("地区", "region", 14),
        Col("部门", "department", 30),
        Col("部门类别", "department_category", 10),
        Col("表类别", "kind", 10, labels=KINDS),
        Col("项目", "project", 36),
        Col("项目编码", "project_code", 22),
        Col("实施单位", "implementing_unit", 24),
        *extra,
    )


_ORDER = "year NULLS LAST, department, _path, try_cast(split_part(table_id, '#', 2) AS INTEGER)"

INDICATORS = Sheet(
    "指标",
    "SELECT v.*, v.source_path AS _path, d.source_file AS _source_file "
    f"FROM v_indicators v JOIN documents d USING (doc_id) ORDER BY {_ORDER}, seq",
    _head(
        Col("一级指标", "level1", 14),
        Col("二级指标", "level2", 16),
        Col("三级指标", "name", 40),
        Col("指标值", "value_raw", 20),
        Col("比较符", "comparator", 8, labels=COMPARATORS),
        Col("数值", "value_num", 12),
        Col("上限", "value_max", 12),
        Col("单位", "unit", 10),
        Col("文字值", "value_text", 20),
        Col("标准单位", "unit_std", 10),
        Col("标准数值", "value_num_std", 12),
        Col("标准上限", "value_max_std", 12),
        Col("维度", "dimension", 10, labels=DIMENSIONS),
        Col("概念", "concept", 22),
        Col("方向", "direction", 10, labels=DIRECTIONS),
        Col("分值", "weight", 8),
        Col("预算总额(万元)", "table_budget_total_wan", 16, WAN),
        Col("已更正", "corrected", 8, labels=YES_NO),
        Col("页码", "page", 8),
        Col("文件", "_path", 36, kind="file"),
        Col("链接", "page", 10, kind="link"),
        Col("表编号", "table_id", 20),
        Col("序号", "seq", 8),
        Col("指标编号", "indicator_id", 20),
    ),
    frozen_cols=3,
)

TABLES = Sheet(
    "项目与预算",
    "SELECT v.*, v.source_path AS _path, d.source_file AS _source_file, "
    "coalesce(n.n, 0) AS _indicators FROM v_tables v JOIN documents d USING (doc_id) "
    "LEFT JOIN (SELECT table_id, count(*) AS n FROM indicators GROUP BY 1) n USING (table_id) "
    f"ORDER BY {_ORDER}",
    _head(
        Col("预算总额(万元)", "budget_total_wan", 16, WAN),
        Col("财政拨款(万元)", "budget_fiscal_wan", 16, WAN),
        Col("其他资金(万元)", "budget_other_wan", 16, WAN),
        Col("年度目标", "goal", 60),
        Col("指标数", "_indicators", 8),
        Col("起始页", "page_first", 8),
        Col("结束页", "page_last", 8),
        Col("已更正", "corrected", 8, labels=YES_NO),
        Col("文件", "_path", 36, kind="file"),
        Col("链接", "page_first", 10, kind="link"),
        Col("表编号", "table_id", 20),
    ),
    frozen_cols=3,
)

# the task rows (任务名称 / 主要内容 / 预算金额) of department tables
LINES = Sheet(
    "预算明细",
    "SELECT b.*, t.page_first, b.source_path AS _path, d.source_file AS _source_file "
    "FROM v_budget b JOIN v_tables t USING (table_id) JOIN documents d ON d.doc_id = b.doc_id "
    f"WHERE b.row_type = 'line' ORDER BY {_ORDER.replace('department', 'b.department')}, line_no",
    (
        Col("年度", "year", 8),
        Col("地区", "region", 14),
        Col("部门", "department", 30),
        Col("部门类别", "department_category", 10),
        Col("序号", "line_no", 8),
        Col("任务名称", "task", 30),
        Col("主要内容", "content", 50),
        Col("总额(万元)", "total_wan", 14, WAN),
        Col("财政拨款(万元)", "fiscal_wan", 16, WAN),
        Col("其他资金(万元)", "other_wan", 16, WAN),
        Col("文件", "_path", 36, kind="file"),
        Col("链接", "page_first", 10, kind="link"),
        Col("表编号", "table_id", 20),
    ),
    frozen_cols=3,
)

# checks about a whole document carry `doc_id#0000`, which names no target table
CHECKS = Sheet(
    "检查",
    "SELECT c.*, t.year, t.region, t.department, t.project, t.page_first, "
    "coalesce(t.source_path, d.source_path) AS _path, d.source_file AS _source_file "
    "FROM checks c JOIN documents d ON d.doc_id = split_part(c.table_id, '#', 1) "
    "LEFT JOIN v_tables t ON t.table_id = c.table_id "
    "ORDER BY CASE c.severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, c.\"check\", "
    "t.year, t.department, _path, c.table_id, c.detail",
    (
        Col("级别", "severity", 8, labels=SEVERITIES),
        Col("检查", "check", 20),
        Col("说明", "detail", 60),
        Col("年度", "year", 8),
        Col("地区", "region", 14),
        Col("部门", "department", 30),
        Col("项目", "project", 36),
        Col("页码", ("page", "page_first"), 8),
        Col("文件", "_path", 36, kind="file"),
        Col("链接", ("page", "page_first"), 10, kind="link"),
        Col("表编号", "table_id", 20),
    ),
)

SHEETS = (INDICATORS, TABLES, LINES, CHECKS)


def page_link(path: str | None, page: int | None, source_file: bytes | None = None) -> str | None:
    """`file://…#page=N` for the source file (the whole file where no page is known), from its
    resolved path when stored, else its absolute source_path; None where neither is known."""
    return links.page_link(os.fsdecode(source_file) if source_file else path, page or None)


def rows(con: duckdb.DuckDBPyConnection, sheet: Sheet) -> tuple[list[Col], Iterator[list[Any]]]:
    """The sheet's columns present in this database, and its rows (links as `Link` values)."""
    cur = con.execute(sheet.sql)
    names = [d[0] for d in cur.description]
    index: dict[str, int] = {}
    for i, n in enumerate(names):
        index.setdefault(n, i)  # a duplicated name: the first (the sheet's own table) wins
    cols, where = [], []
    for col in sheet.cols:
        found = next((index[s] for s in _sources(col) if s in index), None)
        if found is not None:
            cols.append(col)
            where.append(found)
    path_i, file_i = index.get("_path"), index.get("_source_file")

    def produce() -> Iterator[list[Any]]:
        while batch := cur.fetchmany(5_000):
            for r in batch:
                out = []
                for col, i in zip(cols, where, strict=True):
                    v = r[i]
                    if col.kind == "file":
                        v = Path(display(v)).name if v else None
                    elif col.kind == "link":
                        target = page_link(
                            r[path_i] if path_i is not None else None,
                            v,
                            r[file_i] if file_i is not None else None,
                        )
                        v = Link(target, f"第{v}页" if v else "打开文件") if target else None
                    elif col.labels is not None and v is not None:
                        v = col.labels.get(v, v)
                    out.append(v)
                yield out

    return cols, produce()


def _sources(col: Col) -> tuple[str, ...]:
    return (col.source,) if isinstance(col.source, str) else col.source
