"""Repairs after OCR, only where the table grammar makes the reading unambiguous."""

from __future__ import annotations

from pipeline.model import Grid


def repair_grids(grids: list[Grid]) -> list[Grid]:
    return grids
