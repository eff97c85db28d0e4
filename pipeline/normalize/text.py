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


_LATIN_END = re.compile(r"[A-Za-z0-9%.)\]]$")
_LATIN_START = re.compile(r"^[A-Za-z0-9(\[]")


def join_wrapped(s: str | None) -> str:
    """Join a cell's wrapped lines: no space inside Chinese text, one space between Latin
    words.  Spaces printed inside a line are kept (collapsed to one)."""
    if not s:
        return ""
    parts = [squash(p) for p in s.replace("\r", "\n").split("\n")]
    out = ""
    for p in parts:
        if not p:
            continue
        if out and _LATIN_END.search(out) and _LATIN_START.match(p):
            out += " " + p
        else:
            out += p
    return out


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
