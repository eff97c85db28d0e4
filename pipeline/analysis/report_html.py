"""HTML pieces of the report: links to source pages, tables (complete, scrollable), numbers.

A figure's source is a `Ref` — the file, page and indicator (or table) an aggregated row was
taken from — rendered as a `file://…#page=N` link that opens the PDF at that page.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

import duckdb

from pipeline.analysis import charts
from pipeline.analysis.links import page_link

UNKNOWN_DEPARTMENT = "（未知部门）"

# DuckDB struct of the row an aggregate points at: use as arg_min(REF_INDICATOR, value_num).
REF_INDICATOR = "{'src': source_path, 'page': page, 'name': name, 'value': value_raw}"
REF_TABLE = (
    "{'src': source_path, 'page': page_first, 'name': coalesce(project, title, department), 'value': NULL}"
)


@dataclass(frozen=True)
class Ref:
    """One source row: file, page and what it says (an indicator's name and value, a table's name)."""

    src: str | None
    page: int | None
    name: str | None = None
    value: str | None = None
    what: str = "source"  # which row of an aggregate this is: "lowest target", "largest table" …

    @classmethod
    def of(cls, struct: Mapping[str, Any] | None, what: str = "source") -> Ref | None:
        """A Ref from a DuckDB struct built with REF_INDICATOR / REF_TABLE (None stays None)."""
        if not struct:
            return None
        return cls(struct.get("src"), struct.get("page"), struct.get("name"), struct.get("value"), what)

    @property
    def href(self) -> str | None:
        return page_link(self.src, self.page) if self.page is not None else None

    @property
    def title(self) -> str:
        """Tooltip: which row, its text, file and page."""
        row = " ".join(x for x in (self.name, self.value) if x)
        file = Path(self.src).name if self.src else "?"
        return f"{self.what}: {row} · {file} p.{self.page if self.page is not None else '?'}"

    def html(self) -> str:
        """The link (or the plain text when there is nothing to link to)."""
        row = charts.truncate(" ".join(x for x in (self.name, self.value) if x), 200)
        if not row and self.src:
            row = Path(self.src).name
        text = f"p.{self.page} {row}" if self.page is not None else row or "?"
        if not self.href:
            return f'<span title="{escape(self.title)}">{escape(text)}</span>'
        return f'<a class="src" href="{escape(self.href)}" title="{escape(self.title)}">{escape(text)}</a>'


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
    """All rows of a query."""
    return con.execute(sql, list(params)).fetchall()


def has_column(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    """Whether a table or view has a column (later versions add some)."""
    return bool(
        rows(
            con,
            "SELECT 1 FROM information_schema.columns WHERE table_name = ? AND column_name = ?",
            [table, column],
        )
    )


def table(
    headers: Sequence[str],
    body: Sequence[Sequence[Any]],
    numeric: Collection[int] = (),
    ids: Collection[int] = (),
    scroll: bool = False,
) -> str:
    """An HTML table; `numeric` columns right-aligned, `ids` set small, `Ref` cells linked.
    `scroll`: in a box of limited height (all rows kept, the header stays in view)."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    out = []
    for row in body:
        cells = []
        for i, v in enumerate(row):
            cls = " class=n" if i in numeric else " class=id" if i in ids else ""
            text = v.html() if isinstance(v, Ref) else escape("" if v is None else str(v))
            cells.append(f"<td{cls}>{text}</td>")
        out.append(f"<tr>{''.join(cells)}</tr>")
    html = f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(out)}</tbody></table>"
    return f'<div class="scroll">{html}</div>' if scroll else html


def dept_labels(rows_: Sequence[tuple]) -> list[str]:
    """Department names for display; a name found in several regions gets its region appended."""
    regions: dict[str, set] = {}
    for dep, region, *_ in rows_:
        regions.setdefault(dep or UNKNOWN_DEPARTMENT, set()).add(region)
    out = []
    for dep, region, *_ in rows_:
        name = dep or UNKNOWN_DEPARTMENT
        out.append(f"{name}（{region or '?'}）" if len(regions[name]) > 1 else name)
    return out


def pct(x: float | None) -> str:
    """12.5 → '12.5%'; None → ''."""
    return "" if x is None else f"{charts.fmt_number(float(x))}%"


def wan(x: float | None) -> str:
    """1234.5 → '1,234.50'; None → ''."""
    return "" if x is None else f"{float(x):,.2f}"


def num(x: float | None) -> str:
    """A number as charts print it; None → ''."""
    return "" if x is None else charts.fmt_number(float(x))


def gap(what: str, ends: str = "the strongest and the weakest") -> Any:
    """The `charts.ends` gap row for a ranking of `what` whose two ends are `ends`."""
    return lambda hidden: charts.Gap(f"⋯ {hidden} {what} between {ends}: see the table ⋯")


def spread(idx: Sequence[Any], values: Sequence[float]) -> list[float]:
    """Values of the drawn rows laid out on `charts.ends` indices (0 at its gap row)."""
    it = iter(values)
    return [next(it) if isinstance(i, int) else 0.0 for i in idx]
