"""Flattened text dumps (`.txt`): one table row per line, cells separated by tabs.

Merged cells of the original table survive only as text on one row and blanks on the
others, so the grid is marked `spans_known=False`.
"""

from __future__ import annotations

from pathlib import Path

from charset_normalizer import from_bytes

from extractors.base import Reader
from pipeline.errors import ExtractionError
from pipeline.model import Cell, Grid, SourceDocument
from pipeline.normalize.text import clean_cell

_CHINESE_ENCODINGS = ["utf_8", "gb18030", "gbk", "gb2312", "big5", "utf_16"]


def decode(data: bytes) -> str:
    """Decode a dump: BOMs, then strict UTF-8, then GB18030 (a superset of GBK), then the detector."""
    if not data.strip():
        raise ExtractionError("empty file")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data[:4096]:
        text = _utf16_without_bom(data)
        if text is None:
            raise ExtractionError("binary content, not a text file")
        return text
    for enc in ("utf-8", "gb18030"):
        try:
            text = data.decode(enc, errors="strict")
        except UnicodeDecodeError as e:
            if e.reason != "unexpected end of data":
                continue
            text = data[: e.start].decode(enc, errors="strict")  # a file cut mid-character
        if _plausible(text):
            return text
    best = from_bytes(data, cp_isolation=_CHINESE_ENCODINGS).best()
    if best is not None and _plausible(str(best)):
        return str(best)
    raise ExtractionError("cannot decode the text (not UTF-8, GB18030/GBK or Big5)")


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 saved without a byte-order mark (Windows "Unicode" text): the NUL high bytes of
    tabs, digits and line breaks sit on odd offsets (little-endian) or on even ones (a few CJK
    characters, e.g. U+5F00, put a NUL on the other side)."""
    head = data[:4096]
    odd, even = head[1::2].count(0), head[0::2].count(0)
    if len(data) % 2 or not (odd > 3 * even or even > 3 * odd):
        return None
    try:
        text = data.decode("utf-16-le" if odd > even else "utf-16-be")
    except UnicodeDecodeError:
        return None
    lines = "\n" in text or "\t" in text  # a dump has rows and cells; binary junk rarely decodes to them
    return text if lines and _plausible(text) else None


def _plausible(text: str) -> bool:
    """Decoded text that is mostly printable; binary junk decodes to control characters."""
    if not text:
        return False
    bad = sum(
        1
        for ch in text
        if (ord(ch) < 32 and ch not in "\t\r\n\f") or 0xE000 <= ord(ch) <= 0xF8FF or ch == "\ufffd"
    )
    return bad / len(text) < 0.01


def grid_from_text(text: str) -> Grid:
    cells: list[Cell] = []
    for r, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n")):
        for c, field in enumerate(line.split("\t")):
            t = clean_cell(field)
            if t:
                cells.append(Cell(text=t, row=r, col=c))
    return Grid(cells=cells, kind="table", spans_known=False)


class TextDumpReader(Reader):
    kinds = ("text",)

    def read(self, path: Path) -> SourceDocument:
        text = decode(path.read_bytes())
        return SourceDocument(grids=[grid_from_text(text)], source_format="text")
