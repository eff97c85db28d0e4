"""Is a page's text layer usable, or must the page be OCR'd?  A measurable rule.

A page is OCR'd when its text layer
  * is empty or nearly so (`no text`) while the page shows something else: images over 5%
    of it, or 50+ vector paths (text drawn as outlines).  A blank page with a page number
    is left alone (the corpus has 21 such pages among 3016);
  * has unmapped glyphs (`unmapped glyphs`): more than 5% of its characters are what PDFium
    returns for a glyph without a Unicode mapping (U+FFFD, U+0000, noncharacters) or
    private-use code points (the `(cid:…)` case of pdfminer);
  * does not read as Chinese (`garbled text`): of at least 20 CJK characters, more than 15%
    fall outside the 4000 most frequent (measured on the corpus PDFs: at most 1.2% on any
    page, 0.03% overall; a wrong ToUnicode map scatters over the whole CJK block);
  * covers an image it does not describe (`image with little text`): an image covers most
    of the page but the text layer holds fewer than 1 character per 1000 pt² of it.
"""

from __future__ import annotations

from dataclasses import dataclass

from extractors.ocr.hanzi import COMMON

MIN_CHARS = 10
MIN_IMAGE_COVER = 0.05
MIN_PATHS = 50
MAX_BAD_SHARE = 0.05
MIN_CJK_FOR_GARBLE = 20
MAX_RARE_SHARE = 0.15
IMAGE_COVER = 0.5
MIN_CHARS_PER_KPT2 = 1.0  # a sparsely filled text page still holds ~5 characters per 1000 pt²


@dataclass(frozen=True)
class Verdict:
    usable: bool
    reason: str  # why not usable ('' when usable)
    chars: int = 0
    bad: int = 0
    rare: int = 0


def _is_bad(ch: str) -> bool:
    o = ord(ch)
    return o in (0, 0xFFFD, 0xFFFE, 0xFFFF) or 0xE000 <= o <= 0xF8FF or o >= 0xF0000


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\U00020000" <= ch <= "\U0002ffff"


def judge(
    text: str, image_cover: float = 0.0, page_area: float = 595.0 * 842.0, bad: int = 0, paths: int = 0
) -> Verdict:
    """Verdict on a page's text layer.  `text` is what PDFium extracts (unmapped glyphs
    included as U+FFFD/U+0000/private use); `bad` adds glyphs counted elsewhere (e.g.
    `PageContent.bad_chars`); `image_cover` is the share of the page covered by images,
    `paths` the number of vector path objects."""
    chars = [c for c in text if not c.isspace() and c not in "\x02\r\n"]
    nbad = bad + sum(_is_bad(c) for c in chars)
    good = [c for c in chars if not _is_bad(c)]
    cjk = [c for c in good if _is_cjk(c)]
    rare = sum(c not in COMMON for c in cjk)
    n = len(good) + bad
    if len(good) < MIN_CHARS:
        if image_cover < MIN_IMAGE_COVER and paths < MIN_PATHS and not nbad:
            return Verdict(True, "", len(good), nbad, rare)  # nothing on the page to read
        return Verdict(False, "no text", len(good), nbad, rare)
    if nbad > MAX_BAD_SHARE * n:
        return Verdict(False, "unmapped glyphs", len(good), nbad, rare)
    if len(cjk) >= MIN_CJK_FOR_GARBLE and rare > MAX_RARE_SHARE * len(cjk):
        return Verdict(False, "garbled text", len(good), nbad, rare)
    if image_cover >= IMAGE_COVER and len(good) < MIN_CHARS_PER_KPT2 * image_cover * page_area / 1000:
        return Verdict(False, "image with little text", len(good), nbad, rare)
    return Verdict(True, "", len(good), nbad, rare)
