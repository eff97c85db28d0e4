"""Repairs after OCR, only where the table's own vocabulary or grammar leaves one reading.

* Table titles: a line one or two characters off `…整体支出绩效目标表` / `…项目支出绩效目标表`
  gets the exact words (the title decides the table kind).
* Metadata keys and column headers (`部门(单位)名称`, `一级指标`, …): a short cell one
  character off a known key becomes that key.
* 一级/二级 labels: in the level columns (found from the header, or from the labels the
  column already holds), a cell close to a standard label becomes that label.
* 指标值 cells: comparison signs and `%` that the grammar makes unambiguous
  (see `repair_value`).
Indicator names (三级指标) are kept as read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pipeline.model import Grid
from pipeline.normalize import vocabulary
from pipeline.normalize.taxonomy import recognise
from pipeline.normalize.text import compact


def distance(a: str, b: str, cap: int = 9) -> int:
    """Levenshtein distance (stops counting past `cap`)."""
    if abs(len(a) - len(b)) > cap:
        return cap + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) > cap:
            return cap + 1
        prev = cur
    return prev[-1]


def best_substring(text: str, pattern: str) -> tuple[int, int, int]:
    """(distance, start, end) of the substring of `text` closest to `pattern` (Sellers)."""
    n = len(pattern)
    prev = [0] * (len(text) + 1)  # a match may start anywhere
    starts = list(range(len(text) + 1))
    for i in range(1, n + 1):
        cur = [i] + [0] * len(text)
        cur_starts = [0] * (len(text) + 1)
        for j in range(1, len(text) + 1):
            options = (
                (prev[j - 1] + (pattern[i - 1] != text[j - 1]), starts[j - 1]),
                (prev[j] + 1, starts[j]),
                (cur[j - 1] + 1, cur_starts[j - 1]),
            )
            cur[j], cur_starts[j] = min(options)
        prev, starts = cur, cur_starts
    end = min(range(len(text) + 1), key=lambda j: (prev[j], -j))
    return prev[end], starts[end], end


def repair_title(text: str) -> str:
    """A title line one or two characters off a target-table title gets the exact words.
    The two long tails are tried together (the nearer wins, a tie changes nothing): a
    project title never turns into a department title."""
    s = compact(text)
    if (
        not 6 <= len(s) <= 40
        or vocabulary.OTHER_FORMS.search(s)
        or vocabulary.key_of(s)
        or vocabulary.indicator_role(s)
    ):
        return text
    long_tails, short_tails = vocabulary.TITLE_TAILS[:2], vocabulary.TITLE_TAILS[2:]
    if any(t in s for t in long_tails):
        return text
    found = sorted((best_substring(s, t), t) for t in long_tails)
    (d, a, b), tail = found[0]
    if 0 < d <= 2 and d < found[1][0][0] and b - a >= len(tail) - 2:
        return s[:a] + tail + s[b:]
    if vocabulary.title_kind(s):
        return text
    for tail in short_tails:
        d, a, b = best_substring(s, tail)
        if d == 1 and b - a == len(tail) and vocabulary.title_kind(s[:a] + tail + s[b:]):
            return s[:a] + tail + s[b:]
    return text


def _snap(text: str, choices: Iterable[str], known) -> str | None:
    """The one choice within reach of `text` (1 edit, 2 for 6+ characters), else None.  Of
    two equally near choices, the one that continues the text wins (`数量指` → `数量指标`)."""
    s = compact(text)
    if not s or known(s):
        return None
    best: list[tuple[int, int, str]] = []
    for c in choices:
        if abs(len(c) - len(s)) > 2:
            continue
        d = distance(s, c, 2)
        if d <= (2 if len(c) >= 6 else 1):
            best.append((d, 0 if c.startswith(s) else 1, c))
    best.sort()
    if best and (len(best) == 1 or best[0][:2] < best[1][:2]):
        return best[0][2]
    return None


def repair_key(text: str) -> str:
    s = compact(text)
    if len(s) < 4 or len(s) > 12:
        return text
    fixed = _snap(
        s,
        vocabulary.PRINTED_KEYS,
        lambda t: vocabulary.key_of(t) or vocabulary.indicator_role(t) or vocabulary.is_budget_block_label(t),
    )
    return fixed or text


def repair_label(text: str) -> str:
    s = compact(text)
    if len(s) < 2 or len(s) > 14:
        return text
    fixed = _snap(s, vocabulary.LEVEL_LABELS, recognise)
    return fixed or text


# --- 指标值 grammar -------------------------------------------------------------------------------
_RATE_NAME = re.compile(r"(率|满意度|比例|比重|占比|覆盖面|达标)")
_LEAD_LE = re.compile(r"^[Ss§](?=\d)")


def repair_value(value: str, name: str = "") -> str:
    """Fix sign and unit misreadings that leave one possible reading:

    * `S1244.09万元`: a value never starts with a letter before its number: `≤`.
    * a rate (the name says 率/满意度/比例…) read above 100 because `≥` became `2`
      (`295%` → `≥95%`) or `%` became `96` (`10096` → `100%`).
    """
    s = value.strip()
    if not s:
        return value
    s = _LEAD_LE.sub("≤", s)
    if _RATE_NAME.search(name):
        m = re.fullmatch(r"2(\d{1,3}(?:\.\d+)?)%", s)
        if m and float(m.group(1)) <= 100 and float(s[:-1]) > 100:
            s = "≥" + m.group(1) + "%"
        m = re.fullmatch(r"([≥≤><=]?)(\d{1,3}(?:\.\d+)?)96", s)
        if m and float(m.group(2)) <= 100 and float(s.lstrip("≥≤><=")) > 100:
            s = m.group(1) + m.group(2) + "%"
    return s if s != value.strip() else value


# --- grids ----------------------------------------------------------------------------------------
def _columns(grid: Grid) -> tuple[set[int], set[int]]:
    """Columns of level labels and of 指标值, from the header row or, on a continuation page
    without a header, from the labels the columns already hold."""
    levels: set[int] = set()
    values: set[int] = set()
    for c in grid.cells:
        role = vocabulary.indicator_role(c.text)
        if role in ("level1", "level2"):
            levels.add(c.col)
        elif role == "value" and c.colspan == 1:
            values.add(c.col)
    if not levels:
        counts: dict[int, int] = {}
        for c in grid.cells:
            if recognise(c.text):
                counts[c.col] = counts.get(c.col, 0) + 1
        levels = {col for col, n in counts.items() if n >= 2}
    return levels, values


def repair_grids(grids: list[Grid]) -> list[Grid]:
    for g in grids:
        if g.kind == "text":
            for c in g.cells:
                c.text = repair_title(c.text)
            continue
        for c in g.cells:
            c.text = repair_title(repair_key(c.text))
        levels, values = _columns(g)
        names = _name_by_row(g)
        for c in g.cells:
            if c.col in levels:
                c.text = repair_label(c.text)
            elif c.col in values:
                c.text = repair_value(c.text, names.get(c.row, ""))
    return grids


def _name_by_row(grid: Grid) -> dict[int, str]:
    """The 三级指标 name of each row (for the value grammar's rate test)."""
    name_cols = {c.col for c in grid.cells if vocabulary.indicator_role(c.text) == "name"}
    out: dict[int, str] = {}
    for c in grid.cells:
        if c.col in name_cols:
            out[c.row] = compact(c.text)
    return out
