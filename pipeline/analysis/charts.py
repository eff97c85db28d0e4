"""Tiny inline-SVG chart helpers: horizontal bars, vertical bars, 100% stacked bars.

Each function returns one `<svg>` element as a string. Every data mark carries
`class="mark"`, every long label is shortened with its full text in a `<title>`
tooltip, and every piece of text is escaped. No JavaScript, no external fonts.
A row may link somewhere (its label becomes an SVG `<a href>`: the source page of the
figure), and a `Gap` row stands for the rows a long ranking leaves out of the drawing.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

# Fill colours, one set per chart (tests look for them in screenshots).
SATISFACTION = "#2f6db5"
SATISFACTION_MIN = "#17324f"
BUDGET_DEPARTMENT = "#d9822b"
BUDGET_PROJECT = "#8a5a9e"
DIMENSION = "#3a9a6a"
QUANTIFIED = "#c0392b"
QUALITATIVE = "#f0b7a4"

FONT_PX = 12
ROW_PX = 26
BAR_PX = 16


@dataclass(frozen=True)
class Bar:
    """One bar: its label, value, fill, an optional tick (e.g. a minimum) and a note at its end."""

    label: str
    value: float
    color: str
    marker: float | None = None
    note: str = ""
    href: str | None = None  # where the row's label links to (its source page)
    link_title: str = ""  # what the link opens, shown as the label's tooltip


@dataclass(frozen=True)
class Gap:
    """A row standing for the rows left out of a drawing (a ranking's middle)."""

    text: str


def ends(items: Sequence, n: int, gap: Callable[[int], Gap]) -> list:
    """All of `items` when there are at most `n`; else the first and last n/2 with a `gap(hidden)`
    row between them, so a ranking shows its weakest as well as its strongest."""
    if len(items) <= n:
        return list(items)
    head = (n + 1) // 2
    tail = n - head
    return [*items[:head], gap(len(items) - n), *items[len(items) - tail :]]


def text_width(text: str, font_px: float = FONT_PX) -> float:
    """Approximate rendered width: CJK and full-width characters take 1 em, the rest ~0.58 em."""
    return sum(font_px if ord(ch) > 0x2E7F else font_px * 0.58 for ch in text)


def truncate(text: str, max_px: float, font_px: float = FONT_PX) -> str:
    """`text` shortened with '…' so it fits in `max_px`."""
    if text_width(text, font_px) <= max_px:
        return text
    out = ""
    for ch in text:
        if text_width(out + ch + "…", font_px) > max_px:
            break
        out += ch
    return out + "…"


def label(text: str, x: float, y: float, max_px: float, *, anchor: str = "end", cls: str = "label") -> str:
    """An SVG text label, truncated to `max_px`, with the full text as tooltip."""
    short = truncate(text, max_px)
    return (
        f'<text class="{cls}" x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" dominant-baseline="middle">'
        f"<title>{escape(text)}</title>{escape(short)}</text>"
    )


def linked(svg_text: str, href: str | None, title: str = "") -> str:
    """`svg_text` wrapped in an SVG link to `href` (nothing when there is no href)."""
    if not href:
        return svg_text
    tip = f' aria-label="{escape(title)}"' if title else ""
    return f'<a class="src" href="{escape(href)}"{tip}>{svg_text}</a>'


def gap_row(g: Gap, x: float, y: float, x1: float) -> list[str]:
    """The drawing of a `Gap`: a dashed rule and its text."""
    return [
        f'<line class="gap" x1="{x:.1f}" y1="{y:.1f}" x2="{x1:.1f}" y2="{y:.1f}"/>',
        f'<text class="gap" x="{(x + x1) / 2:.1f}" y="{y:.1f}" text-anchor="middle" '
        f'dominant-baseline="middle">{escape(g.text)}</text>',
    ]


def nice_ticks(vmax: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least `vmax`."""
    if vmax <= 0 or not math.isfinite(vmax):
        return [0.0, 1.0]
    raw = vmax / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    n = math.ceil(vmax / step - 1e-9)
    return [i * step for i in range(n + 1)]


def fmt_number(x: float) -> str:
    """1234567.8 → '1,234,568'; 12.5 → '12.5'."""
    if abs(x) >= 100 or float(x).is_integer():
        return f"{x:,.0f}"
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def _svg(width: int, height: int, body: list[str], aria: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(aria)}">' + "".join(body) + "</svg>"
    )


def empty(message: str, width: int = 960, height: int = 60) -> str:
    """A chart with no data: an SVG that says so."""
    return _svg(
        width,
        height,
        [
            f'<text class="empty" x="{width / 2:.0f}" y="{height / 2:.0f}" text-anchor="middle">{escape(message)}</text>'
        ],
        message,
    )


def legend(items: Sequence[tuple[str, str]], x: float, y: float) -> list[str]:
    """Colour swatches with their names, left to right from (x, y)."""
    out = []
    for name, color in items:
        out.append(
            f'<rect class="swatch" x="{x:.1f}" y="{y - 6:.1f}" width="12" height="12" fill="{color}"/>'
        )
        out.append(
            f'<text class="legend" x="{x + 17:.1f}" y="{y:.1f}" dominant-baseline="middle">{escape(name)}</text>'
        )
        x += 17 + text_width(name) + 18
    return out


def hbar(
    bars: Sequence[Bar | Gap],
    *,
    aria: str,
    fmt: Callable[[float], str] = fmt_number,
    vmax: float | None = None,
    legend_items: Sequence[tuple[str, str]] = (),
    marker_color: str = "#222",
    width: int = 960,
    label_px: int = 230,
    note_px: int = 190,
) -> str:
    """Horizontal bars from zero, one row per bar, optional tick mark per bar and note after it."""
    if not bars:
        return empty("无数据 (no data)")
    top = 28 if legend_items else 8
    plot_w = width - label_px - note_px - 20
    x0 = label_px + 10
    real = [b for b in bars if isinstance(b, Bar)]
    ticks = nice_ticks(vmax if vmax is not None else max(max(b.value, b.marker or 0) for b in real))
    scale = plot_w / ticks[-1]
    height = top + len(bars) * ROW_PX + 24
    body = legend(legend_items, x0, 12) if legend_items else []
    axis_y = top + len(bars) * ROW_PX
    for t in ticks:
        x = x0 + t * scale
        body.append(f'<line class="grid" x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{axis_y}"/>')
        body.append(
            f'<text class="tick" x="{x:.1f}" y="{axis_y + 14}" text-anchor="middle">{escape(fmt(t))}</text>'
        )
    for i, b in enumerate(bars):
        y = top + i * ROW_PX + (ROW_PX - BAR_PX) / 2
        cy = y + BAR_PX / 2
        if isinstance(b, Gap):
            body.extend(gap_row(b, 4, cy, width - 4))
            continue
        w = max(b.value, 0) * scale
        body.append(linked(label(b.label, label_px, cy, label_px - 4), b.href, b.link_title))
        body.append(
            f'<rect class="mark" x="{x0}" y="{y:.0f}" width="{max(w, 1):.1f}" height="{BAR_PX}" fill="{b.color}">'
            f"<title>{escape(b.label)}: {escape(fmt(b.value))}</title></rect>"
        )
        end = x0 + w
        if b.marker is not None:
            mx = x0 + max(b.marker, 0) * scale
            body.append(
                f'<rect class="mark marker" x="{mx - 1.5:.1f}" y="{y - 3:.0f}" width="3" height="{BAR_PX + 6}" '
                f'fill="{marker_color}"/>'
            )
            end = max(end, mx + 2)
        if b.note:
            body.append(label(b.note, end + 6, cy, width - end - 10, anchor="start", cls="note"))
    return _svg(width, height, body, aria)


def vbar(
    items: Sequence[tuple[str, float]],
    *,
    aria: str,
    color: str,
    fmt: Callable[[float], str] = fmt_number,
    width: int = 960,
    height: int = 300,
    links: Sequence[tuple[str | None, str]] = (),
) -> str:
    """Vertical bars from zero with the value above each bar and its label below;
    `links` = (href, what it opens) per bar, put on its label."""
    if not items:
        return empty("无数据 (no data)")
    left, right, top, bottom = 48, 10, 20, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    ticks = nice_ticks(max(v for _, v in items))
    scale = plot_h / ticks[-1]
    slot = plot_w / len(items)
    bw = min(slot * 0.7, 60)
    body = []
    for t in ticks:
        y = top + plot_h - t * scale
        body.append(f'<line class="grid" x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}"/>')
        body.append(
            f'<text class="tick" x="{left - 6}" y="{y:.1f}" text-anchor="end" dominant-baseline="middle">'
            f"{escape(fmt(t))}</text>"
        )
    for i, (name, v) in enumerate(items):
        cx = left + slot * (i + 0.5)
        h = max(v, 0) * scale
        y = top + plot_h - h
        body.append(
            f'<rect class="mark" x="{cx - bw / 2:.1f}" y="{y:.1f}" width="{bw:.1f}" height="{max(h, 1):.1f}" '
            f'fill="{color}"><title>{escape(name)}: {escape(fmt(v))}</title></rect>'
        )
        body.append(
            f'<text class="value" x="{cx:.1f}" y="{y - 5:.1f}" text-anchor="middle">{escape(fmt(v))}</text>'
        )
        text = label(name, cx, top + plot_h + 16, slot - 4, anchor="middle").replace(
            'dominant-baseline="middle"', 'dominant-baseline="hanging"'
        )
        href, what = links[i] if i < len(links) else (None, "")
        body.append(linked(text, href, what))
    return _svg(width, height, body, aria)


def stacked_hbar(
    labels: Sequence[str | Gap],
    series: Sequence[tuple[str, str, Sequence[float]]],
    *,
    aria: str,
    width: int = 960,
    label_px: int = 230,
    links: Sequence[tuple[str | None, str]] = (),
) -> str:
    """100% stacked horizontal bars: one row per label, `series` = (name, colour, values per row);
    `links` = (href, what it opens) per row; a `Gap` label draws a gap row (its values ignored)."""
    if not labels:
        return empty("无数据 (no data)")
    top = 28
    x0 = label_px + 10
    plot_w = width - x0 - 60
    height = top + len(labels) * ROW_PX + 24
    body = legend([(name, color) for name, color, _ in series], x0, 12)
    axis_y = top + len(labels) * ROW_PX
    for pct in (0, 25, 50, 75, 100):
        x = x0 + plot_w * pct / 100
        body.append(f'<line class="grid" x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{axis_y}"/>')
        body.append(f'<text class="tick" x="{x:.1f}" y="{axis_y + 14}" text-anchor="middle">{pct}%</text>')
    for i, name in enumerate(labels):
        y = top + i * ROW_PX + (ROW_PX - BAR_PX) / 2
        if isinstance(name, Gap):
            body.extend(gap_row(name, 4, y + BAR_PX / 2, width - 4))
            continue
        total = sum(max(s[2][i], 0) for s in series)
        href, what = links[i] if i < len(links) else (None, "")
        body.append(linked(label(name, label_px, y + BAR_PX / 2, label_px - 4), href, what))
        x = float(x0)
        for sname, color, values in series:
            v = max(values[i], 0)
            if total <= 0 or v <= 0:
                continue
            w = plot_w * v / total
            share = 100 * v / total
            body.append(
                f'<rect class="mark" x="{x:.1f}" y="{y:.0f}" width="{w:.1f}" height="{BAR_PX}" fill="{color}">'
                f"<title>{escape(name)} · {escape(sname)}: {fmt_number(v)} ({share:.0f}%)</title></rect>"
            )
            if w > 34:
                body.append(
                    f'<text class="inbar" x="{x + w / 2:.1f}" y="{y + BAR_PX / 2:.1f}" text-anchor="middle" '
                    f'dominant-baseline="middle">{share:.0f}%</text>'
                )
            x += w
    return _svg(width, height, body, aria)
