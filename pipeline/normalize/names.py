"""Department, unit and project names; money amounts."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from pipeline.normalize.text import clean_cell, fold_width

_LEAD_CODE = re.compile(
    r"^\s*[\[【(（]?\s*[0-9A-Za-z]{3,}\s*[\]】)）]?\s*[-_－—:：、.]?\s*(?=[\u4e00-\u9fff])"
)
_TRAIL_CODE = re.compile(r"\s*[\[【(（]\s*[0-9A-Za-z]{3,}\s*[\]】)）]\s*$")
_AMOUNT = re.compile(r"^[-+]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")


def strip_code(name: str | None) -> str | None:
    """`342004-义乌市交通运输局`, `[305010] 涿州市教育局`, `涿州市教育局（305010）` → the name alone."""
    if not name:
        return None
    s = clean_cell(name)
    s = _LEAD_CODE.sub("", s)
    s = _TRAIL_CODE.sub("", s)
    s = s.strip(" :：")
    return s or None


def parse_amount(text: str | None) -> Decimal | None:
    """A printed money amount (`4,837.25`, `１２３.４`) → Decimal, or None when it is not one."""
    if text is None:
        return None
    s = re.sub(r"\s+", "", fold_width(str(text)))
    s = s.replace("，", ",").rstrip("元").rstrip("万")
    if not s or not _AMOUNT.match(s):
        return None
    try:
        return Decimal(s.replace(",", ""))
    except InvalidOperation:
        return None


def to_wan(amount: Decimal | None, unit_is_yuan: bool) -> Decimal | None:
    """Amount in 万元, rounded to 2 decimals as the contract's DECIMAL(18,2)."""
    if amount is None:
        return None
    if unit_is_yuan:
        amount = amount / Decimal(10000)
    return amount.quantize(Decimal("0.01"))
