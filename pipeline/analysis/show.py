"""`python -m pipeline show ID`: a table or indicator row beside a picture of where it was read.

IDs: a table is `TABLE_ID` = `<doc_id>#N` (as in target_tables.table_id; N may be written
without its zero padding, and the doc_id shortened to any unambiguous prefix); an indicator is
`INDICATOR_ID` = `<table_id>#SEQ` (v_indicators.indicator_id), e.g. `3fa2c1#2#12`.

The picture is a PNG of the source page around the row, its box (indicators.bbox, PDF points,
top-left origin, displayed page frame) outlined in red.  For a table: its first page, the region
its indicator rows cover there outlined.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from extractors.page import union
from pipeline.analysis.links import page_link

HIGHLIGHT = (230, 0, 0)  # the box's outline colour
_SCALE = 2.0  # rendered at 144 dpi
_CONTEXT = 90.0  # points of page shown above and below the row
_ID = re.compile(r"^([0-9a-fA-F]{4,64})#(\d{1,6})(?:#(\d{1,6}))?$")

_TABLE_FIELDS = (
    "table_id", "kind", "year", "region", "department", "project", "implementing_unit",
    "budget_total_wan", "budget_fiscal_wan", "budget_other_wan", "page_first", "page_last",
)  # fmt: skip
_INDICATOR_FIELDS = (
    "indicator_id", "year", "region", "department", "project", "level1", "level2", "name",
    "value_raw", "comparator", "value_num", "value_max", "unit", "value_text", "concept", "page", "bbox",
)  # fmt: skip


class ShowError(Exception):
    """The ID names nothing, or names it ambiguously; the message is one line."""


class NoPage(ShowError):
    """The row comes from a source without pages (a text dump, a spreadsheet)."""


@dataclass
class Target:
    """What an ID names: its fields, the source file, the page and boxes to draw."""

    kind: str  # "table" | "indicator"
    fields: dict[str, Any]
    source_path: str | None
    source_format: str | None
    page: int | None
    boxes: list[tuple[float, float, float, float]] = field(default_factory=list)

    @property
    def link(self) -> str | None:
        return page_link(self.source_path, self.page)


def parse_id(ident: str) -> tuple[str, int, int | None]:
    """(doc_id prefix, table number, indicator seq or None) of an ID, or ShowError."""
    m = _ID.match(ident.strip())
    if not m:
        raise ShowError(
            f"not a table or indicator id: {ident!r} (expected DOC_ID#N for a table, DOC_ID#N#SEQ for an "
            "indicator; at least 4 characters of the doc_id)"
        )
    return m.group(1).lower(), int(m.group(2)), int(m.group(3)) if m.group(3) else None


def resolve(con: duckdb.DuckDBPyConnection, ident: str) -> Target:
    """The table or indicator an ID names (on a connection with the analysis views)."""
    prefix, n, seq = parse_id(ident)
    docs = [
        r[0]
        for r in con.execute("SELECT doc_id FROM documents WHERE starts_with(doc_id, ?)", [prefix]).fetchall()
    ]
    if not docs:
        raise ShowError(f"no document with id {prefix}… in this database")
    if len(docs) > 1:
        raise ShowError(f"{prefix}… names {len(docs)} documents: give more characters of the doc_id")
    from pipeline.store.load import table_id

    tid = table_id(docs[0], n)
    doc = con.execute(
        "SELECT source_path, source_format FROM documents WHERE doc_id = ?", [docs[0]]
    ).fetchall()[0]
    table = _row(con, "SELECT * FROM v_tables WHERE table_id = ?", [tid])
    if table is None:
        raise ShowError(f"no table {tid} (document {docs[0][:12]}… has no table number {n})")
    if seq is None:
        boxes = con.execute(
            "SELECT bbox FROM indicators WHERE table_id = ? AND page = ? AND bbox IS NOT NULL ORDER BY seq",
            [tid, table["page_first"]],
        ).fetchall()
        box = union([tuple(b[0]) for b in boxes])
        fields = {k: table.get(k) for k in _TABLE_FIELDS}
        return Target("table", fields, doc[0], doc[1], table["page_first"], [box] if box else [])
    ind = _row(con, "SELECT * FROM v_indicators WHERE table_id = ? AND seq = ?", [tid, seq])
    if ind is None:
        raise ShowError(f"no indicator {seq} in table {tid}")
    fields = {k: ind.get(k) for k in _INDICATOR_FIELDS}
    page = ind["page"] if ind["page"] is not None else table["page_first"]
    box = tuple(ind["bbox"]) if ind["bbox"] else None
    return Target("indicator", fields, doc[0], doc[1], page, [box] if box else [])


def _row(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> dict[str, Any] | None:
    cur = con.execute(sql, params)
    row = cur.fetchone()
    return None if row is None else dict(zip([d[0] for d in cur.description], row, strict=True))


def describe(target: Target) -> list[str]:
    """The row's fields, one `name: value` line each, then the file and the page link."""
    lines = [f"{k:18s} {_fmt(v)}" for k, v in target.fields.items() if v is not None]
    lines.append(f"{'file':18s} {target.source_path}")
    if target.link:
        lines.append(f"{'link':18s} {target.link}")
    return lines


def _fmt(v: Any) -> str:
    if isinstance(v, list | tuple):
        return "[" + ", ".join(f"{x:.1f}" for x in v) + "]"
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def render(target: Target, out: Path) -> str:
    """Write the PNG of the target's page region; returns a note on what was drawn.  Raises
    ShowError when there is nothing to render (no page, file gone, not a PDF or image)."""
    path = Path(target.source_path or "")
    if target.source_format not in ("pdf", "image"):
        raise NoPage(f"{target.source_path} is a {target.source_format} source: it has no page to render")
    if target.page is None:
        raise ShowError("the row has no page number: nothing to render")
    if not target.source_path or not path.is_file():
        raise ShowError(f"source file moved or missing: {target.source_path}")
    image, scale = _page_image(path, target.source_format, target.page)
    from PIL import ImageDraw

    boxes = [tuple(x * scale for x in b) for b in target.boxes] if scale else []
    if boxes:
        x0, top, x1, bottom = union(boxes)  # type: ignore[misc]
        if target.kind == "indicator":  # the row across the whole page width, with some rows around
            margin = _CONTEXT * scale
            crop = (0, max(0, top - margin), image.width, min(image.height, bottom + margin))
        else:  # a table: its whole first page, the region of its indicator rows outlined
            crop = (0, 0, image.width, image.height)
        draw = ImageDraw.Draw(image)
        for b in boxes:
            draw.rectangle(b, outline=HIGHLIGHT, width=max(2, round(1.5 * _SCALE)))
        image = image.crop(tuple(round(c) for c in crop))
        note = f"page {target.page}, the row's box outlined in red"
    else:
        note = f"page {target.page} in full (no box recorded for this row)"
    out.parent.mkdir(parents=True, exist_ok=True)
    image.save(out, format="PNG")
    return note


def _page_image(path: Path, fmt: str, page: int):
    """(PIL image of the page, pixels per point of the stored boxes, or None if unknown)."""
    if fmt == "pdf":
        import pypdfium2 as pdfium

        try:
            pdf = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as e:
            raise ShowError(f"cannot open {path}: {e}") from None
        try:
            if not 1 <= page <= len(pdf):
                raise ShowError(f"{path} has {len(pdf)} pages, not page {page}: has the file changed?")
            return pdf[page - 1].render(scale=_SCALE).to_pil().convert("RGB"), _SCALE
        finally:
            pdf.close()
    from PIL import Image, ImageSequence

    with Image.open(path) as im:
        for k, frame in enumerate(ImageSequence.Iterator(im), start=1):
            if k == page:
                dpi = frame.info.get("dpi")
                scale = float(dpi[0]) / 72.0 if dpi and dpi[0] else None  # boxes are in points at that dpi
                return frame.convert("RGB"), scale
    raise ShowError(f"{path} has no page {page}: has the file changed?")


def default_out(ident: str) -> Path:
    """`show-<id>.png` in the working directory, `#` written as `_`."""
    return Path(f"show-{re.sub(r'[^0-9A-Za-z]+', '_', ident.strip())}.png")
