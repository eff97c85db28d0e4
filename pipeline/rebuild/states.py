"""The named states of `TableBuilder` and what a row fed to it can do.

The builder reads a table as META (titles, metadata keys and values) → BUDGET (budget lines,
department tables) ↔ META → INDICATORS (indicator rows, or one project-list row after
another); the header of an evaluation makes it REJECTED from any stage.  `feed` returns
None for a row consumed, or an `Outcome` for the table finder to act on.
"""

from __future__ import annotations

from enum import Enum


class Stage(Enum):
    """What the builder is reading.  META → BUDGET at a budget header (and back at a metadata
    key); any stage → INDICATORS at an indicator header; any stage → REJECTED at the header of
    an evaluation (the table is dropped)."""

    META = "meta"  # titles, metadata keys and their values
    BUDGET = "budget"  # budget lines under a 任务名称 | 主要内容 | 金额 header
    INDICATORS = "indicators"  # indicator rows (or project-list rows) under an indicator header
    REJECTED = "rejected"  # an evaluation (绩效自评表), not a target table


class Outcome(Enum):
    """What a row did besides being consumed (`feed` returns None for that)."""

    SPLIT = "split"  # the row begins the next table: feed it to `successor`
    REJECT = "reject"  # the row shows the table is an evaluation


class Block(Enum):
    """A metadata row met below the indicators."""

    NEW = "new"  # it names another project (or department): the next table
    SAME = "same"  # it repeats this table's metadata (printed again on the next page)
