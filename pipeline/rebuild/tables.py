"""Find target tables in a document's row stream.

A table starts at a title (`…绩效目标表`, `…项目支出绩效表`) or, where the title is missing,
at a 项目名称 row or at a header row of indicator (or project-list) columns, whose grid rows
above it are its metadata.  It ends at the next title, at the title or label of another
table, or when a new block of metadata follows its indicators (several projects under one
title).  It goes on across page breaks, `续表` and its own label (`表11`) printed again, and
a title printed again on each page followed by the same metadata or the header.

Evaluation tables (绩效自评表, 决算 evaluations, monitoring tables) are rejected: their title,
or a row of evaluation columns (实际完成值, 得分, 偏差原因 …), discards the table and every row
under it up to the next title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.page import union
from pipeline.model import Cell, Grid, RawTable, SourceDocument
from pipeline.normalize import titles, vocabulary
from pipeline.normalize.names import strip_code
from pipeline.normalize.text import compact
from pipeline.rebuild.builder import TableBuilder, split_key
from pipeline.rebuild.rows import Row, stream
from pipeline.rebuild.states import Outcome, Stage


@dataclass(frozen=True)
class Sighting:
    """Where a target table announced itself: a title over a ruled table, or a header row."""

    page: int
    what: str  # "title" | "header"
    text: str


class TableFinder:
    """Walks a document's rows once, opening and closing one `TableBuilder` at a time."""

    def __init__(self, doc: SourceDocument):
        self.grids = [join_wrapped_titles(g) for g in doc.grids]
        self.tables: list[RawTable] = []
        self.builder: TableBuilder | None = None
        # A title identical to the open table's, printed again on its next page, may head either
        # the continuation of that table or a new table: the first row after it decides.
        self.held: TableBuilder | None = None
        self.pending_label: str | None = None
        self.rejected = False
        self.rejected_page: int | None = None
        self.rejected_saw_table = False
        self.sightings: list[Sighting] = []
        self.ruled_pages: set[int] = set()

    def run(self) -> list[RawTable]:
        rows = list(stream(self.grids))
        for i, row in enumerate(rows):
            if not row.is_blank:
                self._row(rows, i, row)
        self._finish(self.held)
        self._finish(self.builder)
        return self.tables

    # -- one row ----------------------------------------------------------------------------------
    def _row(self, rows: list[Row], i: int, row: Row) -> None:
        ruled = row.grid.kind == "table" and row.grid.spans_known
        self._track_rejection(row, ruled)
        own = row.own()
        if len(own) <= 2:
            joined = "".join(c.text for c in own)
            if self.builder is not None and vocabulary.is_continuation(row.text()):
                return  # 续表: the open table goes on
            label = titles.bare_label(joined)
            if label is not None:
                self._label(label)
                return
            verdict = titles.title_verdict(joined)
            if verdict is not None:
                self._title(verdict, joined, row)
                return
        texts = row.texts()
        open_meta = self.builder is not None and self.builder.stage is Stage.META
        if len(texts) == 1 and not open_meta and vocabulary.is_other_table_title(texts[0]):
            self._close()
            self.rejected = False
            return
        if ruled and vocabulary.is_indicator_header(texts) and not titles.self_evaluation_row(texts):
            self._sight(row, "header", " | ".join(texts))
        if self.held is not None and self.builder is not None and row.grid.kind != "text" and len(texts) > 1:
            self._decide_held(row, texts)
        if self.builder is None:
            if self.rejected or not self._untitled_start(rows, i, row):
                return
            if self.builder is None:
                return
        self._feed(row)

    def _feed(self, row: Row) -> None:
        got = self.builder.feed(row)
        if got is Outcome.SPLIT:
            prev = self.builder
            self._finish(prev)
            self.builder = prev.successor(row)
            got = self.builder.feed(row)
        if got is Outcome.REJECT:
            self._reject(row)

    # -- titles and labels --------------------------------------------------------------------------
    def _title(self, verdict: titles.TitleVerdict, title: str, row: Row) -> None:
        label = verdict.label or self.pending_label
        self.pending_label = None
        if verdict.verdict == titles.SELF_EVALUATION:
            self._close()
            self._reject(row)
            return
        self.rejected = False
        self._sight(row, "title", title)
        b = self.builder
        same = b is not None and compact(title) == compact(b.t.title)
        if self.held is not None and same and b.stage is Stage.META and not _has_metadata(b.t):
            return  # the title printed twice over the next page: the decision is still pending
        if self.held is None and same:
            self.held = b
        else:
            self._close()
        self.builder = TableBuilder(
            verdict.kind, title, vocabulary.year_in(title), row.page, row.grid.spans_known
        )
        self.builder.label = label

    def _label(self, label: str) -> None:
        """A bare `表N` line: the open table's own label goes on; another table's label ends it."""
        b = self.held or self.builder
        if b is not None and b.label is not None and b.label != label and b.stage is not Stage.META:
            self._close()
        self.pending_label = label

    def _decide_held(self, row: Row, texts: list[str]) -> None:
        """After a title printed again, the metadata under it is read by a new builder; at the
        header (or the first data row) it decides: the same identity (or none) continues the held
        table; metadata of its own (another name, unit or amount, a goal, budget lines) makes a
        new table."""
        keyed = any(split_key(c.text)[0] is not None for c in row.own())
        if keyed and not (vocabulary.is_indicator_header(texts) or vocabulary.is_header_row(texts)):
            return  # metadata: read it first
        new, held = self.builder.t, self.held
        same = _same_metadata(new, held.t)
        if same and held.stage is not Stage.INDICATORS:
            # the held table had only its metadata so far: what was printed under the title
            # again completes it (a table cut by a page break before its indicators)
            for name in _METADATA:
                if getattr(held.t, name) is None:
                    setattr(held.t, name, getattr(new, name))
            held.t.budget_lines.extend(new.budget_lines)
            self.builder = held
        elif same and not (vocabulary.is_budget_header(texts) or new.budget_lines or new.goal):
            self.builder = held
        else:
            self._finish(held)
        self.held = None

    # -- tables without a title ------------------------------------------------------------------------
    def _untitled_start(self, rows: list[Row], i: int, row: Row) -> bool:
        """Open a table at a 项目名称 row, or at a header row of a ruled table (replaying the rows
        above it in its grid, which hold its metadata)."""
        keys = [split_key(c.text)[0] for c in row.own()]
        if "project" in keys:
            self.builder = TableBuilder("project", "", None, row.page, row.grid.spans_known)
            return True
        texts = row.texts()
        if not (row.grid.kind == "table" and row.grid.spans_known and vocabulary.is_indicator_header(texts)):
            return False
        above = []
        j = i - 1
        while j >= 0 and rows[j].grid is row.grid:
            above.append(rows[j])
            j -= 1
        above.reverse()
        above_keys = {split_key(c.text)[0] for r in above for c in r.own()}
        kind = (
            "department"
            if above_keys & {"department", "filer"} and "project" not in above_keys
            else "project"
        )
        title = _nearby_title(rows, j, row.page)
        self.builder = TableBuilder(kind, title, vocabulary.year_in(title), row.page, True)
        for r in above:
            if not r.is_blank:
                self._feed(r)
                if self.builder is None:
                    return False
        return True

    # -- closing, rejecting, sightings --------------------------------------------------------------------
    def _finish(self, b: TableBuilder | None) -> None:
        if b is not None and b.has_content:
            self.tables.append(b.result())

    def _close(self) -> None:
        self._finish(self.held)
        self._finish(self.builder)
        self.held = self.builder = None

    def _reject(self, row: Row) -> None:
        """The open table is an evaluation: it and the rows under it up to the next title go."""
        self.held = self.builder = None
        self.rejected = True
        self.rejected_page = row.page
        self.rejected_saw_table = row.grid.kind == "table"

    def _track_rejection(self, row: Row, ruled: bool) -> None:
        if ruled and row.page is not None:
            self.ruled_pages.add(row.page)
        if not self.rejected:
            return
        if row.page != self.rejected_page:
            if not self.rejected_saw_table:  # a title with no table under it (a table of contents)
                self.rejected = False
                return
            self.rejected_page = row.page
        self.rejected_saw_table = self.rejected_saw_table or row.grid.kind == "table"

    def _sight(self, row: Row, what: str, text: str) -> None:
        if row.page is not None:
            self.sightings.append(Sighting(row.page, what, text[:80]))

    def unexplained(self) -> list[Sighting]:
        """Titles over ruled tables and header rows of target tables seen on pages from which no
        table was extracted: a table the rebuilder missed (or a layout it does not know)."""
        covered = set()
        for t in self.tables:
            if t.page_first is not None:
                covered.update(range(t.page_first, (t.page_last or t.page_first) + 1))
        out, seen = [], set()
        for s in self.sightings:
            if s.page in covered or s.page in seen or (s.what == "title" and s.page not in self.ruled_pages):
                continue
            seen.add(s.page)
            out.append(s)
        return out


_METADATA = ("project", "department", "filer", "unit", "total", "fiscal", "other", "carryover", "goal")


def _has_metadata(t: RawTable) -> bool:
    return any(getattr(t, name) is not None for name in _METADATA) or bool(t.budget_lines)


def _same_metadata(new: RawTable, held: RawTable) -> bool:
    """No field printed under both titles differs."""
    for name in _METADATA:
        a, b = getattr(new, name), getattr(held, name)
        if a is None or b is None:
            continue
        if isinstance(a, str):
            a, b = compact(strip_code(a)), compact(strip_code(b))
        if a != b:
            return False
    return True


def _nearby_title(rows: list[Row], j: int, page: int | None) -> str:
    """A line about 绩效 just above a table that has no recognised title (same page)."""
    for k in range(j, max(j - 6, -1), -1):
        r = rows[k]
        if r.page != page or r.grid.kind != "text":
            break
        text = "".join(c.text for c in r.own())
        if "绩效" in text and len(compact(text)) <= 60:
            return text
    return ""


def join_wrapped_titles(grid: Grid) -> Grid:
    """A title wrapped over two lines of running text (`…项目绩效目` / `标表`) → one line."""
    if grid.kind != "text":
        return grid
    rows: dict[int, list] = {}
    for c in grid.cells:
        rows.setdefault(c.row, []).append(c)
    out = []
    order = sorted(rows)
    skip = set()
    for k, r in enumerate(order):
        if r in skip:
            continue
        cells = rows[r]
        if k + 1 < len(order) and len(cells) == 1 and len(rows[order[k + 1]]) == 1:
            a, b = cells[0], rows[order[k + 1]][0]
            if _wraps_into_title(a, b):
                merged = Cell(
                    text=a.text + b.text, row=a.row, col=0, page=a.page, bbox=union((a.bbox, b.bbox))
                )
                out.append(merged)
                skip.add(order[k + 1])
                continue
        out.extend(cells)
    return Grid(cells=out, kind=grid.kind, spans_known=grid.spans_known, page=grid.page, bbox=grid.bbox)


def _wraps_into_title(a: Cell, b: Cell) -> bool:
    ta, tb = compact(a.text), compact(b.text)
    if len(ta) < 8 or vocabulary.year_line(ta) or vocabulary.money_unit(ta):
        return False
    if vocabulary.title_kind(ta) and not (len(tb) <= 4 and tb.endswith("表")):
        return False  # a whole title already (`…绩效目标` / `表` is one title wrapped before 表)
    if re.search(r"[。；：:;]$", ta) or not vocabulary.title_kind(ta + tb):
        return False
    if a.bbox and b.bbox:
        ha, hb = a.bbox[3] - a.bbox[1], b.bbox[3] - b.bbox[1]
        gap = b.bbox[1] - a.bbox[3]
        if not (0.7 < ha / max(hb, 0.1) < 1.4) or gap > 0.8 * max(ha, hb):
            return False
    return True


def find_tables(doc: SourceDocument) -> list[RawTable]:
    """Every target table of a document, in order, as printed (not yet normalized)."""
    return TableFinder(doc).run()
