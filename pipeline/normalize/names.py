"""Department, unit and project names; money amounts."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from pipeline.normalize.text import clean_cell, fold_width

# A leading code: bracketed (`[305010]`), followed by a separator (`342004-`, `266_`), or a long
# alphanumeric code followed by a space (`11000022T00000042 `), or a 6-digit budget-unit code glued
# to the name (`337007内蒙古…`).  Year spans (`2024-2026年`) are not codes.
_LEAD_CODE = re.compile(
    r"^\s*(?:[\[【(（]\s*[0-9A-Za-z]{3,}\s*[\]】)）]|(?!(?:19|20)\d\d\s*[-—－~至])[0-9A-Za-z]{3,}\s*[-_－—:：、]"
    r"|[0-9A-Za-z]*\d[0-9A-Za-z]{5,}\s+|\d{6}(?=[\u4e00-\u9fff]))\s*(?=\S)"
)
# the last word of an organisation's name (部门, 单位): 局, 委员会, 中心, 政府 …
ORG_SUFFIX = "局|委员会|委|厅|办公室|办|院|中心|署|馆|站|所|队|部|会|处|社|校|政府|法院|检察院"
_TRAIL_CODE = re.compile(r"\s*[\[【(（]\s*[0-9A-Za-z]{3,}\s*[\]】)）]\s*$")
_AMOUNT = re.compile(r"^[-+]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")


def strip_code(name: str | None) -> str | None:
    """`342004-义乌市交通运输局`, `[305010] 涿州市教育局`, `涿州市教育局（305010）` → the name alone."""
    if not name:
        return None
    s = clean_cell(name)
    stripped = s
    for _ in range(3):  # `11000022T00000042 5969-name` carries two codes
        nxt = _LEAD_CODE.sub("", stripped, count=1)
        if nxt == stripped or not nxt:
            break
        stripped = nxt
    if re.match(r"[\u4e00-\u9fff“《（(]", stripped):  # only a code in front of a Chinese name is a code
        s = stripped
    s = _TRAIL_CODE.sub("", s)
    # a space between two Chinese characters is justified-text spacing, not part of the name
    s = re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", "", s)
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
