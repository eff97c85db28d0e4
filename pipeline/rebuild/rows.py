"""A document as one stream of rows, whatever grids it came in."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from pipeline.model import Cell, Grid


@dataclass
class Row:
    """One row of a grid.  `slots[c]` is the cell covering column c (a merged cell from an
    earlier row covers this row too), or None."""

    slots: list[Cell | None]
    grid: Grid
    index: int

    @property
    def page(self) -> int | None:
        for c in self.slots:
            if c is not None and c.page is not None:
                return c.page
        return self.grid.page

    def own(self) -> list[Cell]:
        """Distinct non-empty cells whose top row is this row, left to right."""
        seen: set[int] = set()
        out = []
        for c in self.slots:
            if c is not None and id(c) not in seen and c.row == self.index and c.text:
                seen.add(id(c))
                out.append(c)
        return out

    def distinct(self) -> list[Cell]:
        """Distinct non-empty cells covering this row (merged ones from above included)."""
        seen: set[int] = set()
        out = []
        for c in self.slots:
            if c is not None and id(c) not in seen and c.text:
                seen.add(id(c))
                out.append(c)
        return out

    def texts(self) -> list[str]:
        return [c.text for c in self.own()]

    def text(self) -> str:
        return " ".join(self.texts())

    def at(self, col: int, covering: bool = True) -> Cell | None:
        if col < 0 or col >= len(self.slots):
            return None
        c = self.slots[col]
        if c is None or not c.text:
            return None
        if not covering and c.row != self.index:
            return None
        return c

    @property
    def is_blank(self) -> bool:
        return not self.own()

    @property
    def is_text_line(self) -> bool:
        return self.grid.kind == "text"


def stream(grids: list[Grid]) -> Iterator[Row]:
    for g in grids:
        for i, slots in enumerate(g.matrix()):
            yield Row(slots=slots, grid=g, index=i)
