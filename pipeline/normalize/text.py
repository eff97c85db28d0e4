"""Text clean-up shared by every stage: width folding, HTML removal, whitespace."""

from __future__ import annotations

import html
import re

# U+FF01..FF5E are the full-width forms of ASCII 0x21..0x7E; U+3000 is the ideographic space.
# Small-form variants (﹦ ﹤ ﹥ ﹣) and the ≧/≦ pair are folded too: they only ever mean the ASCII sign.
_EXTRA = {
    0x3000: " ",
    0xFE66: "=",
    0xFE64: "<",
    0xFE65: ">",
    0xFE63: "-",
    0x2267: "≥",
    0x2266: "≤",
    0x00A0: " ",
}
_FOLD = {cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)}
_FOLD.update(_EXTRA)

_TAG = re.compile(r"<[^>]{0,400}>")
_BLOCK_TAG = re.compile(r"</?(p|br|div|li|tr)\b[^>]*>", re.I)
_WS = re.compile(r"\s+")
_CJK = r"\u3400-\u9fff\uf900-\ufaff"
# A space between two characters of which one is CJK carries no meaning in Chinese text.
_CJK_SPACE = re.compile(rf"(?<=[{_CJK}，。；：、“”（）])\s+|\s+(?=[{_CJK}，。；：、“”（）])")


def fold_width(s: str) -> str:
    """Full-width ASCII forms and ideographic space to half-width (no blanket NFKC)."""
    return s.translate(_FOLD)


def strip_html(s: str) -> str:
    """Remove HTML tags (block tags become spaces) and unescape entities."""
    if "<" not in s and "&" not in s:
        return s
    s = _BLOCK_TAG.sub(" ", s)
    s = _TAG.sub("", s)
    return html.unescape(s)


def squash(s: str | None) -> str:
    """Collapse runs of whitespace to one space and trim."""
    if not s:
        return ""
    return _WS.sub(" ", s).strip()


def join_wrapped(s: str | None) -> str:
    """Join a cell's wrapped lines: no space inside Chinese text, one space between Latin words."""
    if not s:
        return ""
    s = squash(s)
    return _CJK_SPACE.sub("", s)


def compact(s: str | None) -> str:
    """Width-folded text with all whitespace removed: the form used for vocabulary matching."""
    if not s:
        return ""
    return _WS.sub("", fold_width(s))


def clean_cell(s: str | None) -> str:
    """A cell's display text: HTML removed, whitespace normalised, wrapped lines joined."""
    if not s:
        return ""
    return join_wrapped(strip_html(s))
