"""Ruling lines → table cells with row/column spans.

Shared by the PDF reader (lines from vector paths) and the OCR reader (lines found in a
page image).  Coordinates are top-left based: x grows right, y grows down.

Method: collinear segments are merged; segments that touch form one table; the x of every
vertical and the y of every horizontal give a lattice; two neighbouring lattice cells belong
to one (merged) cell when no ruling line separates them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")
Segment = tuple[float, float, float]  # (position, start, end): y,x0,x1 for horizontals; x,y0,y1 for verticals


@dataclass
class LatticeCell:
    row: int
    col: int
    rowspan: int
    colspan: int
    bbox: tuple[float, float, float, float]  # x0, top, x1, bottom


@dataclass
class LatticeTable:
    bbox: tuple[float, float, float, float]
    xs: list[float]
    ys: list[float]
    cells: list[LatticeCell]


def chain(items: Iterable[T], tol: float, key: Callable[[T], float] = lambda v: v) -> list[list[T]]:
    """Items in ascending order of `key`, cut into groups wherever one lies more than `tol`
    past the previous one (a chain of near neighbours is one group).  The lattice's rule
    positions and the OCR reader's wobbly scanned rulings are clustered with it."""
    groups: list[list[T]] = []
    for item in items:
        if groups and key(item) - key(groups[-1][-1]) <= tol:
            groups[-1].append(item)
        else:
            groups.append([item])
    return groups


def _cluster(values: list[float], tol: float) -> list[float]:
    """Sorted values, those within `tol` of the previous one averaged into one."""
    return [sum(g) / len(g) for g in chain(sorted(values), tol)]


def join_spans(pos: float, spans: list[tuple[float, float]], gap: float) -> list[Segment]:
    """Segments at `pos` from sorted (start, end) spans, those less than `gap` apart joined."""
    out: list[Segment] = []
    a, b = spans[0]
    for s0, s1 in spans[1:]:
        if s0 <= b + gap:
            b = max(b, s1)
        else:
            out.append((pos, a, b))
            a, b = s0, s1
    out.append((pos, a, b))
    return out


def merge_segments(segs: list[Segment], tol: float) -> list[Segment]:
    """Join segments on the same line (position within tol) that overlap or nearly touch."""
    segs = sorted(segs, key=lambda s: (s[0], s[1]))
    rows: list[list[Segment]] = []
    for s in segs:
        if rows and abs(s[0] - rows[-1][0][0]) <= tol:
            rows[-1].append(s)
        else:
            rows.append([s])
    out: list[Segment] = []
    for group in rows:
        pos = sum(s[0] for s in group) / len(group)
        out.extend(join_spans(pos, sorted((min(s[1], s[2]), max(s[1], s[2])) for s in group), tol))
    return out


def _components(
    hs: list[Segment], vs: list[Segment], tol: float
) -> list[tuple[list[Segment], list[Segment]]]:
    """Groups of horizontals and verticals that touch each other (one group per table)."""
    parent = list(range(len(hs) + len(vs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, (hy, hx0, hx1) in enumerate(hs):
        for j, (vx, vy0, vy1) in enumerate(vs):
            if hx0 - tol <= vx <= hx1 + tol and vy0 - tol <= hy <= vy1 + tol:
                a, b = find(i), find(len(hs) + j)
                if a != b:
                    parent[a] = b
    groups: dict[int, tuple[list[Segment], list[Segment]]] = {}
    for i, h in enumerate(hs):
        groups.setdefault(find(i), ([], []))[0].append(h)
    for j, v in enumerate(vs):
        groups.setdefault(find(len(hs) + j), ([], []))[1].append(v)
    return [g for g in groups.values() if len(g[0]) >= 2 and len(g[1]) >= 2]


def _covered(segs: list[Segment], pos: float, a: float, b: float, tol: float) -> bool:
    """Whether ruling segments at `pos` cover most of the interval [a, b]."""
    need = (b - a) - 2 * tol
    if need <= 0:
        return True
    got = 0.0
    for p, s0, s1 in segs:
        if abs(p - pos) <= tol:
            lo, hi = max(s0, a + tol), min(s1, b - tol)
            if hi > lo:
                got += hi - lo
    return got >= 0.6 * need


def build_tables(
    horizontals: list[Segment], verticals: list[Segment], tol: float = 2.0, min_cell: float = 4.0
) -> list[LatticeTable]:
    """Tables (cells with spans) from ruling segments.  `min_cell` drops slivers between
    double rules."""
    hs = merge_segments([s for s in horizontals if abs(s[2] - s[1]) > min_cell], tol)
    vs = merge_segments([s for s in verticals if abs(s[2] - s[1]) > min_cell], tol)
    hs = merge_segments(_close_cut_edges(hs, vs, tol), tol)
    tables = []
    for ghs, gvs in _components(hs, vs, tol):
        xs = _dedupe(_cluster([v[0] for v in gvs], tol), min_cell)
        ys = _dedupe(_cluster([h[0] for h in ghs], tol), min_cell)
        if len(xs) < 2 or len(ys) < 2:
            continue
        table = _cells(xs, ys, ghs, gvs, tol)
        if table is not None:
            tables.append(table)
    tables.sort(key=lambda t: (t.bbox[1], t.bbox[0]))
    return tables


def _close_cut_edges(hs: list[Segment], vs: list[Segment], tol: float) -> list[Segment]:
    """Where a page break cuts a table, columns whose cells go on to the next page get no rule
    at the cut: their verticals simply end there, on the line of the rule that closes the other
    columns.  That rule is extended over every run of verticals that end on its line next to
    it, so those columns become cells instead of loose lines."""
    out = list(hs)
    for i, (hy, hx0, hx1) in enumerate(hs):
        xs = sorted(vx for vx, vy0, vy1 in vs if abs(vy0 - hy) <= tol or abs(vy1 - hy) <= tol)
        if not xs:
            continue
        through = sorted(vx for vx, vy0, vy1 in vs if vy0 + tol < hy < vy1 - tol)
        left = [x for x in xs if x < hx0 - tol]
        right = [x for x in xs if x > hx1 + tol]
        new0, new1 = hx0, hx1
        # walk outwards from the rule while every vertical met ends on its line
        for x in reversed(left):
            if any(x < t < new0 - tol for t in through):
                break
            new0 = x
        for x in right:
            if any(new1 + tol < t < x for t in through):
                break
            new1 = x
        out[i] = (hy, new0, new1)
    return out


def _dedupe(vals: list[float], min_gap: float) -> list[float]:
    out: list[float] = []
    for v in vals:
        if not out or v - out[-1] >= min_gap:
            out.append(v)
    return out


def _cells(
    xs: list[float], ys: list[float], hs: list[Segment], vs: list[Segment], tol: float
) -> LatticeTable | None:
    nr, nc = len(ys) - 1, len(xs) - 1
    parent = list(range(nr * nc))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for r in range(nr):
        for c in range(nc):
            if c + 1 < nc and not _covered(vs, xs[c + 1], ys[r], ys[r + 1], tol):
                union(r * nc + c, r * nc + c + 1)
            if r + 1 < nr and not _covered(hs, ys[r + 1], xs[c], xs[c + 1], tol):
                union(r * nc + c, (r + 1) * nc + c)
    members: dict[int, list[tuple[int, int]]] = {}
    for r in range(nr):
        for c in range(nc):
            members.setdefault(find(r * nc + c), []).append((r, c))
    cells = []
    for group in members.values():
        r0 = min(r for r, _ in group)
        r1 = max(r for r, _ in group)
        c0 = min(c for _, c in group)
        c1 = max(c for _, c in group)
        cells.append(LatticeCell(r0, c0, r1 - r0 + 1, c1 - c0 + 1, (xs[c0], ys[r0], xs[c1 + 1], ys[r1 + 1])))
    if len(cells) < 2:
        return None
    cells.sort(key=lambda k: (k.row, k.col))
    return LatticeTable(bbox=(xs[0], ys[0], xs[-1], ys[-1]), xs=xs, ys=ys, cells=cells)
