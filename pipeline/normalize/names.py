"""Department, unit and project names; money amounts."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from pipeline.normalize.text import clean_cell, fold_width

# A leading code: bracketed (`[305010]`), followed by a separator (`342004-`, `266_`, `…3192--`),
# a long code broken by the line wrap of a narrow column and then a separator (`11000023T00000209
# 2030-`: Beijing's 21-character project codes), a long alphanumeric code followed by a space
# (`11000022T00000042 `), or a 6-digit budget-unit code glued to the name (`337007内蒙古…`).
# Year spans (`2024-2026年`) are not codes.
_LEAD_CODE = re.compile(
    r"^\s*(?:[\[【(（]\s*[0-9A-Za-z]{3,}\s*[\]】)）]|(?!(?:19|20)\d\d\s*[-—－~至])[0-9A-Za-z]{3,}\s*[-_－—:：、]+"
    r"|[0-9A-Za-z]*\d[0-9A-Za-z]{5,}(?:\s+[0-9A-Za-z]+)+\s*[-_－—:：]+(?!\s*\d{2,4}年)"
    r"|[0-9A-Za-z]*\d[0-9A-Za-z]{5,}\s+|\d{6}(?=[\u4e00-\u9fff]))\s*(?=\S)"
)
# what may follow a code: a Chinese name, possibly opening with a number or a Latin word
# (`12345对外宣传经费`, `MPXV与HIV…`)
_NAME_START = re.compile(r"[\u4e00-\u9fff“《（(]|[0-9A-Za-z]+[\u4e00-\u9fff]")
# the last word of an organisation's name (部门, 单位): 局, 委员会, 中心, 政府 …
ORG_SUFFIX = "局|委员会|委|厅|办公室|办|院|中心|署|馆|站|所|队|部|会|处|社|校|政府|法院|检察院"
_TRAIL_CODE = re.compile(r"\s*[\[【(（]\s*[0-9A-Za-z]{3,}\s*[\]】)）]\s*$")
_AMOUNT = re.compile(r"^[-+]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")


def strip_code(name: str | None) -> str | None:
    """`342004-义乌市交通运输局`, `[305010] 涿州市教育局`, `涿州市教育局（305010）` → the name alone."""
    return split_code(name)[1]


def split_code(name: str | None) -> tuple[str | None, str | None]:
    """A printed name → (its code, the name alone): `11000023T00000209 2030-卫生健康内部审计监督`
    → (`11000023T000002092030`, `卫生健康内部审计监督`).  The code keeps its letters and digits
    only (the separators and line-wrap spaces go); None when the name carries none."""
    if not name:
        return None, None
    s = clean_cell(name)
    stripped, codes = s, []
    for _ in range(3):  # `11000022T00000042 5969-name` carries two codes
        m = _LEAD_CODE.match(stripped)
        if not m or m.end() == len(stripped):
            break
        codes.append(m.group(0))
        stripped = stripped[m.end() :]
    if _NAME_START.match(stripped):  # only a code in front of a Chinese name is a code
        s = stripped
    else:
        codes = []
    trail = _TRAIL_CODE.search(s)
    if trail:
        codes.append(trail.group(0))
        s = s[: trail.start()]
    # a space between two Chinese characters is justified-text spacing, not part of the name
    s = re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", "", s)
    s = s.strip(" :：")
    code = re.sub(r"[^0-9A-Za-z]", "", fold_width("".join(codes)))
    return code or None, s or None


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


_CENT = Decimal("0.01")


def cents(x: Decimal | float | str | None) -> Decimal | None:
    """An amount as the contract's DECIMAL(18,2): rounded half away from zero (as DuckDB casts);
    NaN, ∞ and what is no number become None.  The one money rounding of the product."""
    if x is None:
        return None
    try:
        d = x if isinstance(x, Decimal) else Decimal(str(x))
        return d.quantize(_CENT, rounding=ROUND_HALF_UP) if d.is_finite() else None
    except InvalidOperation:
        return None


def to_wan(amount: Decimal | None, unit_is_yuan: bool) -> Decimal | None:
    """Amount in 万元 (divided by 10000 when printed in 元), rounded by `cents`."""
    if amount is None:
        return None
    return cents(amount / Decimal(10000) if unit_is_yuan else amount)
