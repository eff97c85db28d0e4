"""Assign every indicator row its 一级/二级 labels.

Where a table's geometry is known, each row's labels are read off its (merged) label
cells.  Where it is not (flattened dumps, rows whose label cell was lost), the labels
printed somewhere in the table still give the *order* of the 二级 blocks; the rows are
split into those blocks, in order, by dynamic programming that maximises what each
row's wording says about its category (see `normalize.affinity`).  A row whose own
label is printed stays in that label's block; such rows anchor the split.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.model import RawIndicator
from pipeline.normalize import taxonomy
from pipeline.normalize.affinity import affinity
from pipeline.normalize.text import compact
from pipeline.normalize.values import ParsedValue

FIXED, ANCHOR, GROUP, TIE = 1000.0, 100.0, 3.0, 0.05
_COST_FAMILY = {"经济成本指标", "社会成本指标", "生态环境成本指标"}


@dataclass
class Levels:
    level1: str | None
    level2: str | None
    level1_raw: str | None
    level2_raw: str | None
    inferred: bool
    dimension: str | None


@dataclass
class _RowEvidence:
    fixed: str | None = None  # category read off a merged label cell
    single: str | None = None  # the one category printed on this row of a flattened table
    group: str | None = None  # a lone level1 printed on this row
    l1_text: str | None = None
    l2_text: str | None = None
    cats: tuple[str, ...] = ()  # every category printed on the row, in order


def _cost_is_level1(rows: list[RawIndicator]) -> bool:
    for r in rows:
        texts = [t for t, _ in r.floating_labels] + [r.level1_raw or "", r.level2_raw or ""]
        for t in texts:
            lab = taxonomy.recognise(t)
            if lab and lab.standard in _COST_FAMILY:
                return True
        lab1 = taxonomy.recognise(r.level1_raw)
        if r.labels_certain and lab1 and lab1.standard == taxonomy.COST:
            return True
    return False


def _category(text: str | None, role: str | None, cost_l1: bool) -> tuple[str | None, str | None]:
    """(level2 category, level1 group) that one printed label stands for."""
    if not text:
        return None, None
    lab = taxonomy.recognise(text)
    if lab is None:
        if role == "level1":
            return None, compact(text)
        if role == "level2":
            return compact(text), None
        return None, None
    if lab.level == 2:
        return lab.standard, None
    if lab.standard == taxonomy.SATISFACTION:
        return "服务对象满意度指标", None
    if lab.standard == "成本指标":
        if role == "level1" or cost_l1:
            return None, taxonomy.COST
        return "成本指标", None
    return None, lab.standard


def _evidence(r: RawIndicator, cost_l1: bool) -> _RowEvidence:
    ev = _RowEvidence()
    if r.labels_certain:
        cat2, grp2 = _category(r.level2_raw, "level2", cost_l1)
        cat1, grp1 = _category(r.level1_raw, "level1", cost_l1)
        if cat2 is None and grp2 is not None and cat1 is None:
            grp1 = grp1 or grp2  # a level1 word in the 二级 column
        if cat2 == "成本指标" and (grp1 == taxonomy.COST or cost_l1):
            cat2 = "经济成本指标"
        if cat2 is None and cat1 == "服务对象满意度指标" and not r.level2_raw:
            cat2 = cat1  # 满意度指标 printed as the 一级 with no 二级: it has one 二级 only
        ev.fixed = cat2
        ev.group = grp1
        ev.l1_text, ev.l2_text = r.level1_raw, r.level2_raw
        ev.cats = (cat2,) if cat2 else ()
        return ev
    cats: list[str] = []
    groups: list[str] = []
    l1_text = l2_text = None
    for text, role in r.floating_labels:
        cat, grp = _category(text, role, cost_l1)
        lab = taxonomy.recognise(text)
        if cat and lab is not None and lab.level == 0:
            # 满意度指标 is printed both as the 一级 and as a 二级: the specific 二级 wins
            l1_text = l1_text or text
            if cat not in cats:
                cats.append(cat)
                l2_text = text
            continue
        if cat:
            if cat not in cats:
                cats.append(cat)
            l2_text = text if (l2_text is None or taxonomy.recognise(l2_text).level == 0) else l2_text
        if grp and grp not in groups:
            groups.append(grp)
            l1_text = text
    ev.cats = tuple(cats)
    if len(cats) == 1:
        ev.single = cats[0]
        ev.l2_text = l2_text
        ev.l1_text = l1_text if len(groups) <= 1 else None
    elif not cats and len(groups) == 1:
        ev.group = groups[0]
        ev.l1_text = l1_text
    return ev


def _group_of(cat: str, first_groups: dict[str, str | None]) -> str | None:
    return taxonomy.parent(cat) or first_groups.get(cat)


def assign_levels(rows: list[RawIndicator], values: list[ParsedValue], printed: bool = True) -> list[Levels]:
    """Levels of every row.  `printed` is False for a table that prints no 一级/二级 at all: its
    levels stay NULL (nothing is invented) and only `dimension` is inferred, where the wording
    is clear."""
    if not rows:
        return []
    if not printed:
        return [_unprinted(affinity(r.name, v)) for r, v in zip(rows, values, strict=True)]
    cost_l1 = _cost_is_level1(rows)
    evs = [_evidence(r, cost_l1) for r in rows]

    # Block order: categories in order of first appearance; level1 seen with each.
    seq: list[str] = []
    first_groups: dict[str, str | None] = {}
    last_group: str | None = None
    for ev in evs:
        if ev.group:
            last_group = ev.group
        for cat in ev.cats:
            if cat not in seq:
                seq.append(cat)
                first_groups[cat] = last_group if taxonomy.parent(cat) is None else taxonomy.parent(cat)

    if any(ev.fixed for ev in evs):
        return _read_off(rows, evs, first_groups, cost_l1)
    aff = [affinity(r.name, v) for r, v in zip(rows, values, strict=True)]
    if not seq:
        return [_free(r, a) for r, a in zip(rows, aff, strict=True)]

    prefs = _style_preference(evs, seq)
    n, k_count = len(rows), len(seq)
    neg = float("-inf")
    score = [[neg] * k_count for _ in range(n)]
    back = [[0] * k_count for _ in range(n)]
    for i in range(n):
        ev = evs[i]
        for k, cat in enumerate(seq):
            local = aff[i].get(cat, 0.0)
            if ev.fixed is not None:
                local += FIXED if ev.fixed == cat else -FIXED
            elif ev.single is not None:
                local += ANCHOR if ev.single == cat else -ANCHOR
            elif ev.group is not None:
                local += GROUP if _group_of(cat, first_groups) == ev.group else -GROUP
            if prefs[i] == k:
                local += TIE
            if i == 0:
                score[i][k] = local
                continue
            best_prev, best_k = neg, 0
            for kp in range(k + 1):
                if score[i - 1][kp] > best_prev:
                    best_prev, best_k = score[i - 1][kp], kp
            score[i][k] = best_prev + local
            back[i][k] = best_k
    k = max(range(k_count), key=lambda kk: score[n - 1][kk])
    path = [0] * n
    for i in range(n - 1, -1, -1):
        path[i] = k
        k = back[i][k]

    out = []
    for r, ev, k in zip(rows, evs, path, strict=True):
        cat = seq[k]
        if ev.fixed is not None or r.labels_certain:
            l1_raw, l2_raw = r.level1_raw, r.level2_raw
            inferred = ev.fixed != cat
        else:
            l1_raw, l2_raw = ev.l1_text, ev.l2_text
            inferred = ev.single != cat
        level2 = cat
        level1 = taxonomy.parent(cat) or first_groups.get(cat)
        if cat == "成本指标" and cost_l1:
            level2, level1 = "经济成本指标", taxonomy.COST
        out.append(Levels(level1, level2, l1_raw, l2_raw, inferred, taxonomy.dimension(level2)))
    return out


def _read_off(
    rows: list[RawIndicator], evs: list[_RowEvidence], first_groups: dict[str, str | None], cost_l1: bool
) -> list[Levels]:
    """Labels read off merged cells.  A row whose label cell is empty (the merged cell was cut
    by a page break) continues the block above it."""
    cats: list[str | None] = [ev.fixed for ev in evs]
    groups = [compact(r.level1_raw) or None for r in rows]
    # rows at a page foot whose label cell is empty there: the label was printed on the next page
    for i in range(len(cats) - 2, -1, -1):
        if (
            cats[i] is None
            and rows[i].level2_cut
            and (rows[i + 1].level2_cut or rows[i + 1].page != rows[i].page)
        ):
            cats[i], groups[i] = cats[i + 1], groups[i] or groups[i + 1]
    # a blank 二级 cell belongs to the block above (or below) within its printed 一级 only
    # (a row whose 一级 cell is blank too, e.g. the rest of a block cut by a page break, goes on)
    for i in range(1, len(cats)):
        if cats[i] is None and groups[i] in (None, groups[i - 1]):
            cats[i] = cats[i - 1]
            groups[i] = groups[i] or groups[i - 1]
    for i in range(len(cats) - 2, -1, -1):
        if cats[i] is None and groups[i] in (None, groups[i + 1]):
            cats[i] = cats[i + 1]
    out = []
    for r, ev, cat in zip(rows, evs, cats, strict=True):
        level2 = cat
        level1 = (taxonomy.parent(cat) or first_groups.get(cat) or ev.group) if cat else ev.group
        if cat == "成本指标" and cost_l1:
            level2, level1 = "经济成本指标", taxonomy.COST
        out.append(
            Levels(level1, level2, r.level1_raw, r.level2_raw, ev.fixed is None, taxonomy.dimension(level2))
        )
    return out


def _style_preference(evs: list[_RowEvidence], seq: list[str]) -> list[int | None]:
    """Tie-break for rows between anchors: a label printed on the first row of its block
    (HTML-style dumps) pulls the rows below it; a label printed mid-block pulls the nearest rows."""
    anchors = [(i, ev.fixed or ev.single) for i, ev in enumerate(evs) if (ev.fixed or ev.single)]
    if not anchors:
        return [None] * len(evs)
    first_style = anchors[0][0] == 0
    prefs: list[int | None] = []
    for i in range(len(evs)):
        if first_style:
            prev = [cat for j, cat in anchors if j <= i]
            cat = prev[-1] if prev else anchors[0][1]
        else:
            cat = min(anchors, key=lambda a: (abs(a[0] - i), a[0]))[1]
        prefs.append(seq.index(cat) if cat in seq else None)
    return prefs


def _unprinted(a: dict[str, float]) -> Levels:
    """A row of a table without levels: NULL labels, the dimension its wording makes clear."""
    by_dimension: dict[str, float] = {}
    for cat, score in a.items():
        dim = taxonomy.dimension(cat)
        if dim is not None:
            by_dimension[dim] = max(by_dimension.get(dim, 0.0), score)
    return Levels(None, None, None, None, True, _clear_best(by_dimension))


def _clear_best(a: dict[str, float]) -> str | None:
    """The key with the top score, when it scores 2 or more and 1 above the runner-up."""
    if not a:
        return None
    ranked = sorted(a.values(), reverse=True)
    if ranked[0] < 2 or (len(ranked) > 1 and ranked[0] - ranked[1] < 1):
        return None
    return max(a, key=lambda c: a[c])


def _free(r: RawIndicator, a: dict[str, float]) -> Levels:
    """No label anywhere in the table: the wording alone, when it is clear."""
    if r.labels_certain and (r.level1_raw or r.level2_raw):
        l1, l2, dim = taxonomy.standardize(r.level1_raw, r.level2_raw)
        return Levels(l1, l2, r.level1_raw, r.level2_raw, False, dim)
    best = _clear_best(a)
    if best is None:
        return Levels(None, None, None, None, True, None)
    return Levels(taxonomy.parent(best), best, None, None, True, taxonomy.dimension(best))
