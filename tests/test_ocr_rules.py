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
