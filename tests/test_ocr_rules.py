"""OCR decisions that need no engine: text-layer usability, repairs, sign shapes, rulings."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from extractors.ocr.hanzi import COMMON
from extractors.ocr.lines import connected, find_rulings, not_through_text
from extractors.ocr.quality import judge
from extractors.ocr.repair import repair_grids, repair_key, repair_label, repair_title, repair_value
from extractors.ocr.symbols import read_sign
from pipeline.model import Cell, Grid
from tests.conftest import corpus_dir
from tests.test_image import _jpeg_pdf

TABLE_TEXT = "项目支出绩效目标表 项目名称 农村公路养护 一级指标 二级指标 三级指标 指标值 产出指标 数量指标 养护里程 ≥80公里"


# --- text-layer usability ------------------------------------------------------------------------
def test_usable_text_layer():
    assert judge(TABLE_TEXT * 3).usable


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "no text"),
        ("  第2页 ", "no text"),
        (TABLE_TEXT + "\ufffd" * 20, "unmapped glyphs"),
        (TABLE_TEXT + "\ue012\ue013" * 10, "unmapped glyphs"),  # private use: pdfminer's (cid:…) case
        (TABLE_TEXT + "\x00" * 30, "unmapped glyphs"),
    ],
)
def test_unusable_text_layers(text, reason):
    v = judge(text, image_cover=1.0)
    assert not v.usable and v.reason == reason


def test_garbled_mapping_is_detected():
    # a wrong ToUnicode map: valid CJK code points scattered over the whole block
    rare = [chr(c) for c in range(0x4E00, 0x9FA5, 97) if chr(c) not in COMMON][:60]
    assert judge("".join(rare)).reason == "garbled text"
    # real table text with a few rare characters (place names) stays usable
    assert judge(TABLE_TEXT * 3 + "涿鄂讷").usable


def test_blank_page_is_not_ocrd():
    assert judge(" 12 ").usable  # a page number alone, nothing else drawn
    assert judge(" 12 ", paths=400).reason == "no text"  # text drawn as outlines
    assert judge(" 12 ", image_cover=0.8).reason == "no text"


def test_scanned_page_with_a_stamped_page_number():
    assert judge("- 2 -   第2页共5页", image_cover=1.0).reason == "no text"
    assert judge("页码：第二页，共五页。本页为扫描件。", image_cover=1.0).reason == "image with little text"
    assert judge(TABLE_TEXT * 20, image_cover=1.0).usable  # a scan with a full text layer


def test_rule_on_the_corpus():
    """Every page of the dev text PDFs keeps its text layer; every scanned page is OCR'd."""
    import csv

    import pypdfium2 as pdfium

    from extractors.ocr.scan import page_verdict
    from extractors.pdf.reader import page_text

    dev = corpus_dir("dev")
    with open(dev / "manifest.csv", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["variant"] in ("text_pdf", "scan")]
    for r in rows:
        pdf = pdfium.PdfDocument(str(dev / r["file"]))
        try:
            verdicts = [page_verdict(pdf, i, page_text(pdf, i)).usable for i in range(len(pdf))]
        finally:
            pdf.close()
        assert all(verdicts) if r["variant"] == "text_pdf" else not any(verdicts), r["file"]


# --- repairs ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("read", "fixed"),
    [
        ("部门（单位）整体支出绩效 标表", "部门(单位)整体支出绩效目标表"),
        ("部门整支出绩效目标表", "部门整体支出绩效目标表"),  # else a department table reads as a project
        ("项目支山绩效目标表", "项目支出绩效目标表"),
    ],
)
def test_titles_repaired(read, fixed):
    assert repair_title(read) == fixed


@pytest.mark.parametrize(
    "text",
    ["项目支出绩效目标表", "部门整体支出绩效自评表", "项目支出预算表", "2020年部门收支总表", "年度绩效目标"],
)
def test_titles_left_alone(text):
    assert repair_title(text) == text


def test_keys_and_labels_snapped():
    assert repair_key("部内(单位)名称") == "部门(单位)名称"
    assert repair_key("年度主主\n要任务") == "年度主要任务"
    assert repair_key("农村公路养护") == "农村公路养护"
    assert repair_label("产出指际") == "产出指标"
    assert repair_label("服务对象满意度指") == "服务对象满意度指标"
    assert repair_label("数量指") == "数量指标"
    assert repair_label("履职效能") == "履职效能"  # another vocabulary, kept


@pytest.mark.parametrize(
    ("value", "name", "fixed"),
    [
        ("S1244.09万元", "项目总成本", "≤1244.09万元"),
        ("295%", "群众满意度", "≥95%"),
        ("10096", "验收合格率", "100%"),
        ("288", "优良天数比例", "288"),  # no % read: nothing says which sign
        (">90%", "及时率", ">90%"),
        ("296人", "培训人数", "296人"),  # not a rate
    ],
)
def test_values_repaired_only_when_unambiguous(value, name, fixed):
    assert repair_value(value, name) == fixed


def _cell(text, row, col, rowspan=1):
    return Cell(
        text=text,
        row=row,
        col=col,
        rowspan=rowspan,
        bbox=(col * 10.0, row * 10.0, col * 10.0 + 10, row * 10.0 + 10),
    )


def test_grid_repairs_touch_level_columns_not_names():
    grid = Grid(
        cells=[
            _cell("一级指标", 0, 0),
            _cell("二级指标", 0, 1),
            _cell("三级指标", 0, 2),
            _cell("指标值", 0, 3),
            _cell("满意度指际", 1, 0),
            _cell("服务对象满意度指", 1, 1),
            _cell("服务对象满意度", 1, 2),
            _cell("295%", 1, 3),
        ]
    )
    (g,) = repair_grids([grid])
    texts = {(c.row, c.col): c.text for c in g.cells}
    assert texts[(1, 0)] == "满意度指标"
    assert texts[(1, 1)] == "服务对象满意度指标"
    assert texts[(1, 2)] == "服务对象满意度"  # the name is kept as read
    assert texts[(1, 3)] == "≥95%"


# --- lone comparison signs by shape --------------------------------------------------------------
def _sign_image(sign: str, scale: int, blur: bool) -> np.ndarray:
    img = np.full((16 * scale, 14 * scale), 235, np.uint8)
    t = max(1, scale)
    w, h = 14 * scale, 16 * scale
    if sign in (">", "≥", "<", "≤"):
        tip, back = (w - 3 * scale, 5 * scale), 2 * scale
        if sign in ("<", "≤"):
            tip, back = (2 * scale, 5 * scale), w - 3 * scale
        cv2.line(img, (back, scale), tip, 40, t)
        cv2.line(img, tip, (back, 9 * scale), 40, t)
        if sign in ("≥", "≤"):
            cv2.line(img, (2 * scale, 13 * scale), (w - 3 * scale, 13 * scale), 40, t)
    elif sign == "=":
        cv2.line(img, (2 * scale, 5 * scale), (w - 3 * scale, 5 * scale), 40, t)
        cv2.line(img, (2 * scale, 10 * scale), (w - 3 * scale, 10 * scale), 40, t)
    if blur:
        img = cv2.GaussianBlur(img, (3, 3), 0.8)
    _ = h
    return img


@pytest.mark.parametrize("sign", ["≥", "≤", "=", ">", "<"])
@pytest.mark.parametrize(("scale", "blur"), [(1, True), (2, False), (2, True), (3, True)])
def test_signs_read_by_shape(sign, scale, blur):
    assert read_sign(_sign_image(sign, scale, blur)) == sign


def test_other_marks_are_not_signs():
    img = np.full((40, 30), 235, np.uint8)
    cv2.putText(img, "2", (4, 34), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 40, 2)
    assert read_sign(img) is None
    img = np.full((40, 30), 235, np.uint8)
    cv2.circle(img, (15, 20), 10, 40, 2)
    assert read_sign(img) is None


# --- ruling lines in an image ---------------------------------------------------------------------
def test_rulings_found_and_character_strokes_dropped():
    dpi = 200
    img = np.zeros((600, 800), np.uint8)
    for y in (50, 150, 250, 350):
        cv2.line(img, (50, y), (750, y), 255, 3)
    for x in (50, 300, 750):
        cv2.line(img, (x, 50), (x, 350), 255, 3)
    cv2.line(img, (100, 450), (300, 450), 255, 6)  # a bold title stroke, touching nothing
    cv2.line(img, (500, 160), (500, 240), 255, 3)  # a stroke inside a cell, touching nothing
    hs, vs = find_rulings(img, dpi)
    hs, vs = connected(hs, vs, tol=6, long=2 * dpi)
    assert sorted(round(h[0]) for h in hs) == [50, 150, 250, 350]
    assert sorted(round(v[0]) for v in vs) == [50, 300, 750]
    # a short 'ruling' that a line of text runs straight across is a character stroke
    boxes = [(270.0, 160.0, 298.0, 190.0), (299.0, 160.0, 327.0, 190.0)]
    _, vs2 = not_through_text(hs, [(300.0, 150.0, 190.0), *vs], boxes)
    assert (300.0, 150.0, 190.0) not in vs2 and len(vs2) == 3


@pytest.mark.slow
def test_no_page_of_the_real_text_pdfs_is_ocrd():
    """The 3016 pages of corpus/real and corpus/real-unlabeled all keep their text layer
    (blank pages with a page number included)."""
    import pypdfium2 as pdfium

    from extractors.ocr.scan import page_verdict
    from extractors.pdf.reader import page_text

    pdfs = sorted(corpus_dir("real").glob("*.pdf")) + sorted(corpus_dir("real-unlabeled").glob("*.pdf"))
    unusable = []
    for path in pdfs:
        pdf = pdfium.PdfDocument(str(path))
        try:
            for i in range(len(pdf)):
                v = page_verdict(pdf, i, page_text(pdf, i))
                if not v.usable:
                    unusable.append((path.name, i + 1, v.reason))
        finally:
            pdf.close()
    assert not unusable


# --- resolution from the image itself (issue 11) --------------------------------------------------
def _text_page(w: int, h: int, char_px: int) -> np.ndarray:
    """A grey page of 'characters' (filled squares with a gap, char_px tall) in lines."""
    img = np.full((h, w), 245, np.uint8)
    for y in range(char_px * 3, h - char_px * 3, int(char_px * 1.8)):
        for x in range(char_px * 3, w - char_px * 3, int(char_px * 1.15)):
            cv2.rectangle(img, (x, y), (x + char_px - 1, y + char_px - 1), 30, 2)
    return img


def test_resolution_stated_when_it_gives_a_paper_size():
    from extractors.ocr.resolution import page_dpi

    page = np.full((2339, 1654), 250, np.uint8)  # A4 at 200 dpi (page box 595.3 x 842.0 pt)
    dpi, how = page_dpi(page, 1654 / 595.3 * 72)
    assert how == "stated" and abs(dpi - 200) < 0.1  # made exact by the paper's size
    a3 = np.full((3307, 2339), 250, np.uint8)  # A3 at 200 dpi, stated: kept
    assert abs(page_dpi(a3, 200.0)[0] - 200) < 0.1


@pytest.mark.parametrize("stated", [96.0, 72.0, None])
def test_resolution_of_a_scan_wrapped_without_it(stated):
    """A 250-dpi A4 scan said to be 96 or 72 dpi (a page 2.6x / 3.5x too large) or untagged:
    the paper size of its shape gives 250 dpi, portrait or landscape."""
    from extractors.ocr.resolution import page_dpi

    dpi, how = page_dpi(np.full((2924, 2067), 250, np.uint8), stated)
    assert abs(dpi - 250) < 1 and how == "paper A4"
    assert abs(page_dpi(np.full((2067, 2924), 250, np.uint8), stated)[0] - 250) < 1


def test_resolution_of_a_photo_from_its_text():
    """A 4:3 photo (no paper's shape) wrapped at 72 dpi: the text height decides.  Its
    characters are 0.14 in tall at 300 dpi (42 px)."""
    from extractors.ocr.resolution import page_dpi

    dpi, how = page_dpi(_text_page(3000, 2250, 42), 72.0)
    assert how == "text height" and 250 <= dpi <= 360
    # a cropped scan stating a plausible resolution keeps it
    assert page_dpi(_text_page(1500, 700, 42), 300.0) == (300.0, "stated")


def test_page_image_is_the_scan_whatever_page_it_is_wrapped_in(tmp_path):
    """One JPEG scan wrapped as a 200-dpi A4 page and as a 96-dpi (2x too large) page: the
    OCR input is the same pixels, with the stated resolution of each wrapping."""
    import pypdfium2 as pdfium

    from extractors.ocr.render import page_image

    scan = np.full((2339, 1654, 3), 240, np.uint8)
    cv2.rectangle(scan, (200, 300), (1400, 900), (20, 20, 20), 3)
    cv2.putText(scan, "A101 2800", (300, 600), cv2.FONT_HERSHEY_SIMPLEX, 3, (10, 10, 10), 6)
    got = []
    for dpi in (200.0, 96.0):
        path = _jpeg_pdf(scan, tmp_path / f"wrap{int(dpi)}.pdf", dpi, quality=90)
        pdf = pdfium.PdfDocument(str(path))
        got.append(page_image(pdf, 0, 200))
        pdf.close()
    (a, dpi_a), (b, dpi_b) = got
    assert a.shape == (2339, 1654, 3) and np.array_equal(a, b)
    assert round(dpi_a) == 200 and round(dpi_b) == 96


# --- rulings: guards and bridges (issue 11) ------------------------------------------------------
def test_long_ruling_kept_under_boxes_over_its_ends():
    """A border 10 text heights long keeps, though two approximate character boxes reach
    over its ends; a stroke one character long with text across it is dropped."""
    border = (100.0, 0.0, 300.0)
    boxes = [(-5.0, 88.0, 20.0, 112.0), (280.0, 88.0, 305.0, 112.0)]
    hs, _ = not_through_text([border], [], boxes)
    assert hs == [border]
    stroke = (100.0, 0.0, 30.0)
    hs, _ = not_through_text([stroke], [], [(2.0, 88.0, 26.0, 112.0)])
    assert hs == []


def test_broken_ruling_bridged_but_not_merged_cells_or_strokes():
    from extractors.ocr.lines import bridge

    verticals = [(0.0, 50.0, 300.0), (400.0, 50.0, 300.0)]
    # a border between two verticals, broken by a seal in the middle
    assert bridge([(100.0, 0.0, 150.0), (100.0, 190.0, 400.0)], verticals, 60, 4, 30) == [(100.0, 0.0, 400.0)]
    # a merged cell: its border is missing between two verticals (the gap ends at a crossing)
    inner = [*verticals, (150.0, 50.0, 300.0), (250.0, 50.0, 300.0)]
    pieces = [(100.0, 0.0, 150.0), (100.0, 250.0, 400.0)]
    assert bridge(pieces, inner, 120, 4, 30) == pieces
    # strokes of characters inside a cell touch no ruling: never joined
    strokes = [(100.0, 120.0, 160.0), (100.0, 180.0, 240.0)]
    assert bridge(strokes, verticals, 60, 4, 30) == strokes


def test_find_rulings_scales_with_resolution():
    """The same drawn table at 150 and 300 dpi: the same rulings in inches, and a character
    stroke 0.15 in long is no ruling at either resolution."""
    found = []
    for dpi in (150, 300):
        f = dpi / 100
        img = np.zeros((int(700 * f), int(900 * f)), np.uint8)
        for y in (50, 150, 250):
            cv2.line(img, (int(50 * f), int(y * f)), (int(850 * f), int(y * f)), 255, max(1, int(2 * f)))
        for x in (50, 450, 850):
            cv2.line(img, (int(x * f), int(50 * f)), (int(x * f), int(250 * f)), 255, max(1, int(2 * f)))
        cv2.line(img, (int(100 * f), int(400 * f)), (int(115 * f), int(400 * f)), 255, max(1, int(3 * f)))
        hs, vs = find_rulings(img, dpi)
        hs, vs = connected(hs, vs, tol=3 * f, long=2 * dpi)
        found.append((sorted(round(h[0] / f) for h in hs), sorted(round(v[0] / f) for v in vs)))
    assert found[0] == found[1] == ([50, 150, 250], [50, 450, 850])


# --- orientation axis, packing (no engine) --------------------------------------------------------
def test_text_lines_tell_the_axis_of_a_turned_page():
    from extractors.ocr.orient import line_length

    bw = 255 - _text_page(800, 1100, 14)
    bw = np.where(bw > 100, 255, 0).astype(np.uint8)
    upright, turned = line_length(bw, 14), line_length(np.ascontiguousarray(np.rot90(bw)), 14)
    assert upright > 3 * turned


def test_short_crops_packed_on_lines_with_paper_between():
    from extractors.ocr.engines import PACK_HEIGHT, PACK_RATIO, pack

    crops = [np.full((20 + k, 15 + 9 * k, 3), 40, np.uint8) for k in range(12)]
    sheets, spans = pack(crops)
    assert sorted(i for row in spans for i, _, _ in row) == list(range(12))
    for sheet, row in zip(sheets, spans, strict=True):
        assert sheet.shape[0] == PACK_HEIGHT
        assert len(row) == 1 or sheet.shape[1] <= (PACK_RATIO + 2) * PACK_HEIGHT
        for (_, _, b), (_, a, _) in zip(row, row[1:], strict=False):
            assert a > b and (sheet[:, b:a] == 255).all()  # paper between two crops
