"""Characters → text: lines inside a box, and the running-text lines outside tables."""

from __future__ import annotations

from collections.abc import Iterable

from extractors.page import BBox, Char


def group_lines(chars: Iterable[Char]) -> list[list[Char]]:
    """Characters grouped into text lines (vertical overlap), each sorted left to right."""
    lines: list[list[Char]] = []
    for ch in sorted(chars, key=lambda c: (c.cy, c.x0)):
        placed = False
        for line in reversed(lines[-4:]):
            ref = line[-1]
            overlap = min(ref.bottom, ch.bottom) - max(ref.top, ch.top)
            if overlap > 0.5 * min(ref.height, ch.height) or abs(ref.cy - ch.cy) < 0.3 * max(ref.height, 1):
                line.append(ch)
                placed = True
                break
        if not placed:
            lines.append([ch])
    for line in lines:
        line.sort(key=lambda c: c.x0)
    lines.sort(key=lambda ln: min(c.top for c in ln))
    return lines


def line_text(line: list[Char]) -> str:
    """Join a line's characters; a gap wider than half a character becomes a space."""
    out: list[str] = []
    prev: Char | None = None
    for ch in line:
        if prev is not None:
            gap = ch.x0 - prev.x1
            size = max(min(prev.height, ch.height), 1.0)
            if gap > 0.5 * size:
                out.append(" ")
        out.append(ch.text)
        prev = ch
    return "".join(out)


def split_segments(line: list[Char], gap_factor: float = 2.0) -> list[list[Char]]:
    """A line cut where characters are far apart (text laid out in columns)."""
    parts: list[list[Char]] = [[line[0]]] if line else []
    for prev, ch in zip(line, line[1:], strict=False):
        size = max(min(prev.height, ch.height), 1.0)
        if ch.x0 - prev.x1 > gap_factor * size:
            parts.append([ch])
        else:
            parts[-1].append(ch)
    return parts


def text_in(chars: Iterable[Char]) -> str:
    """Text of the characters in a cell: lines joined by newlines."""
    return "\n".join(line_text(ln) for ln in group_lines(chars))


def inside(ch: Char, box: BBox) -> bool:
    return box[0] <= ch.cx <= box[2] and box[1] <= ch.cy <= box[3]


def bbox_of(chars: list[Char]) -> BBox:
    return (
        min(c.x0 for c in chars),
        min(c.top for c in chars),
        max(c.x1 for c in chars),
        max(c.bottom for c in chars),
    )
