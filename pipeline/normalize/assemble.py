"""Normalize rebuilt tables: values parsed, levels assigned, names cleaned, amounts in 万元,
and document-level fallbacks for year and department."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from pipeline.model import BudgetLine, Check, Indicator, RawTable, Table
from pipeline.normalize.checks import table_checks
from pipeline.normalize.levels import assign_levels
from pipeline.normalize.names import split_code, strip_code, to_wan
from pipeline.normalize.text import clean_cell
from pipeline.normalize.values import ParsedValue, parse_value

_YEAR = re.compile(r"(?<!\d)(20[1-4]\d)(?!\d)")
# A disclosure's cover: `2026年烟台市司法局部门预算`, `2026年度福州市鼓楼生态环境局单位预算`.
_HEADING = re.compile(
    r"(?:(20[1-4]\d)年度?)?([\u4e00-\u9fff]{2,30}?(?:局|委员会|委|厅|办公室|院|中心|署|馆|站|所|队|部))"
    r"(?:[(（]本级[)）])?(?:20[1-4]\d年度?)?(?:部门|单位)预算"
)
# A yuan amount this large, read as 万元, would exceed any department's budget.
_IMPLAUSIBLE_WAN = Decimal(10_000_000)


@dataclass
class DocContext:
    """Facts about the whole document, used where a table does not print them."""

    file_name: str
    year: int | None = None
    department: str | None = None
    department_from_cover: bool = False  # read off the cover line (OCR may garble it), not a table

    @classmethod
    def build(cls, path: str, raws: list[RawTable], heading: str = "") -> DocContext:
        name = Path(path).name
        years = [t.year for t in raws if t.year]
        year = max(set(years), key=years.count) if years else None
        cover = _HEADING.search(re.sub(r"\s+", "", heading))
        if year is None and cover and cover.group(1):
            year = int(cover.group(1))
        if year is None:
            m = _YEAR.search(name)
            year = int(m.group(1)) if m else None
        depts = [
            t.department or t.filer for t in raws if t.kind == "department" and (t.department or t.filer)
        ]
        depts = depts or [t.department for t in raws if t.department]
        from_cover = not depts and cover is not None
        if from_cover:
            depts = [cover.group(2)]
        return cls(
            file_name=name,
            year=year,
            department=depts[0] if depts else None,
            department_from_cover=from_cover,
        )


def _amounts_in_yuan(raw: RawTable, values: list[ParsedValue]) -> tuple[bool, Check | None]:
    if raw.amounts_in_yuan is not None:
        return raw.amounts_in_yuan, None
    amounts = [a for a in [raw.total, raw.fiscal] if a] + [ln.total for ln in raw.budget_lines if ln.total]
    if not amounts:
        return False, None
    costs_wan = {round(v.value_num, 2) for v in values if v.unit == "万元" and v.value_num}
    if (
        costs_wan
        and any(round(float(a) / 10000, 2) in costs_wan for a in amounts)
        and not any(round(float(a), 2) in costs_wan for a in amounts)
    ):
        return True, Check(
            "amount_unit_inferred", "info", "money unit not printed; 元 inferred from cost targets in 万元"
        )
    if max(amounts) >= _IMPLAUSIBLE_WAN:
        return True, Check(
            "amount_unit_inferred", "info", "money unit not printed; 元 inferred from magnitude"
        )
    return False, None


def normalize_table(raw: RawTable, ctx: DocContext) -> Table:
    for r in raw.indicators:
        r.name, r.value = clean_cell(r.name), clean_cell(r.value)
        r.nature, r.unit = clean_cell(r.nature) or None, clean_cell(r.unit) or None
    values = [parse_value(r.value, name=r.name, nature=r.nature, unit=r.unit) for r in raw.indicators]
    levels = assign_levels(raw.indicators, values, printed=raw.levels_printed)
    yuan, unit_check = _amounts_in_yuan(raw, values)
    if (
        raw.other is None
        and raw.carryover is None
        and raw.total is not None
        and raw.fiscal is not None
        and raw.total >= raw.fiscal
    ):
        # 其他资金 left blank: the part of the total not from 财政拨款 (unless 上年结转 is printed:
        # the rest may be carried over, which is not 其他资金)
        raw.other = raw.total - raw.fiscal
    indicators = []
    for seq, (r, v, lv) in enumerate(zip(raw.indicators, values, levels, strict=True), start=1):
        indicators.append(
            Indicator(
                seq=seq,
                level1=lv.level1,
                level2=lv.level2,
                level1_raw=clean_cell(lv.level1_raw) or None,
                level2_raw=clean_cell(lv.level2_raw) or None,
                level_inferred=lv.inferred,
                name=clean_cell(r.name),
                value_raw=v.raw,
                comparator=v.comparator,
                value_num=v.value_num,
                value_max=v.value_max,
                unit=v.unit,
                value_text=v.value_text,
                dimension=lv.dimension,
                weight=r.weight,
                page=r.page,
                bbox=r.bbox,
                ocr_confidence=r.confidence,
            )
        )
    lines = [
        BudgetLine(
            line_no=i,
            task=clean_cell(ln.task),
            content=clean_cell(ln.content) or None,
            total_wan=to_wan(ln.total, yuan),
            fiscal_wan=to_wan(ln.fiscal, yuan),
            other_wan=to_wan(ln.other, yuan),
        )
        for i, ln in enumerate(raw.budget_lines, start=1)
    ]
    # a table's own 主管部门 / 单位名称 cells come before the cover line (garbled under a seal)
    doc_dept = None if ctx.department_from_cover else ctx.department
    department = raw.department or doc_dept or raw.filer or ctx.department
    project_code, project = split_code(raw.project) if raw.kind == "project" else (None, None)
    table = Table(
        kind=raw.kind,
        year=raw.year or ctx.year,
        department=strip_code(department),
        unit=raw.unit if raw.kind == "project" else None,
        project=project,
        budget_total_wan=to_wan(raw.total, yuan),
        budget_fiscal_wan=to_wan(raw.fiscal, yuan),
        budget_other_wan=to_wan(raw.other, yuan),
        goal=clean_cell(raw.goal) or None,
        page_first=raw.page_first,
        page_last=raw.page_last,
        budget_lines=lines,
        indicators=indicators,
        title=clean_cell(raw.title),
        goal_list=raw.goal_list,
        levels_printed=raw.levels_printed,
        project_code=project_code,
    )
    table.checks = table_checks(table, values)
    if unit_check:
        table.checks.append(unit_check)
    return table


def normalize_document(raws: list[RawTable], source_path: str, heading: str = "") -> list[Table]:
    ctx = DocContext.build(source_path, raws, heading)
    return [normalize_table(r, ctx) for r in raws]
