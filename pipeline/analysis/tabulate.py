"""Result sets as text: aligned columns for the terminal (Chinese characters are two columns
wide), Markdown for documents, CSV and JSON for other programs."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import unicodedata
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

FORMATS = ("table", "markdown", "csv", "json")


def render(columns: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str = "table") -> str:
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(columns)
        w.writerows([[_cell(v) for v in r] for r in rows])
        return buf.getvalue()
    if fmt == "json":
        return json.dumps(
            [dict(zip(columns, map(_plain, r), strict=True)) for r in rows], ensure_ascii=False, indent=1
        )
    cells = [[_cell(v) for v in r] for r in rows]
    if fmt == "markdown":
        lines = ["| " + " | ".join(columns) + " |", "|" + "|".join("---" for _ in columns) + "|"]
        lines += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in cells]
        return "\n".join(lines) + "\n"
    widths = [
        max([_width(c) for c in col] + [_width(h)])
        for h, col in zip(columns, zip(*cells, strict=True) if cells else [[] for _ in columns], strict=True)
    ]
    numeric = [
        all(isinstance(r[i], int | float | Decimal) or r[i] is None for r in rows) and bool(rows)
        for i in range(len(columns))
    ]
    out = ["  ".join(_pad(h, w, num) for h, w, num in zip(columns, widths, numeric, strict=True)).rstrip()]
    out.append("  ".join("-" * w for w in widths))
    for r in cells:
        out.append("  ".join(_pad(c, w, num) for c, w, num in zip(r, widths, numeric, strict=True)).rstrip())
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _pad(s: str, width: int, right: bool) -> str:
    fill = " " * (width - _width(s))
    return fill + s if right else s + fill


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        if v != v or v in (float("inf"), float("-inf")):
            return str(v)
        return str(int(v)) if v.is_integer() else f"{v:.4f}".rstrip("0").rstrip(".")
    if isinstance(v, list | tuple):
        return ", ".join(map(_cell, v))
    return str(v).replace("\n", " ")


def _plain(v: Any) -> Any:
    """A JSON-ready value."""
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, dt.date | dt.datetime):
        return v.isoformat()
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    return v
