"""Small ruled PDF tables made with reportlab for tests (no real documents are copied)."""

from __future__ import annotations

from pathlib import Path

FONT = "STSong-Light"


def _setup():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _styles():
    from reportlab.lib.styles import ParagraphStyle

    body = ParagraphStyle("body", fontName=FONT, fontSize=8, leading=10)
    title = ParagraphStyle("title", fontName=FONT, fontSize=14, leading=18, alignment=1)
    return body, title


INDICATORS = [
    # (一级, 二级, 三级, 性质, 值, 单位)
    ("产出指标", "数量指标", "培训教师人次", "≥", "2800", "人次"),
    ("产出指标", "数量指标", "举办专题培训班(期)", "≥", "7", ""),
    ("产出指标", "质量指标", "培训考核合格率", "＞", "95", "%"),
    ("产出指标", "时效指标", "项目完工时间", "定性", "12月底前", ""),
    ("成本指标", "经济成本指标", "人均培训成本(元/人)", "≤", "800", ""),
    ("效益指标", "社会效益指标", "教师教育教学能力", "定性", "有效提升", ""),
    ("满意度指标", "服务对象满意度指标", "参训教师满意度", ">=", "92", "%"),
]


def _spans(col: int, values: list[str], first_row: int) -> list[tuple]:
    """SPAN commands merging runs of equal values in one column."""
    cmds = []
    start = 0
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[start]:
            if i - start > 1:
                cmds.append(("SPAN", (col, first_row + start), (col, first_row + i - 1)))
            start = i
    return cmds


def project_table(
    project: str,
    unit: str,
    total: str,
    fiscal: str,
    other: str,
    indicators=INDICATORS,
    narrow_level2: bool = False,
    department: str = "[305010] 某市教育局",
):
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    body, _ = _styles()
    p = lambda s: Paragraph(s, body)  # noqa: E731
    rows = [
        [p("项目名称"), p(project), "", "", "", ""],
        [p("主管部门"), p(department), "", p("实施单位"), p(unit), ""],
        [p("项目资金（万元）"), p("年度资金总额"), "", p(total), "", ""],
        ["", p("其中：财政拨款"), "", p(fiscal), "", ""],
        ["", p("其他资金"), "", p(other), "", ""],
        [p("年度绩效目标"), p("组织开展教师全员培训，提升教育教学能力。"), "", "", "", ""],
        [p("一级指标"), p("二级指标"), p("三级指标"), p("指标性质"), p("指标值"), p("度量单位")],
    ]
    for ind in indicators:
        rows.append([p(x) for x in ind])
    first = 7
    style = [
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("SPAN", (1, 0), (5, 0)),
        ("SPAN", (1, 1), (2, 1)),
        ("SPAN", (4, 1), (5, 1)),
        ("SPAN", (0, 2), (0, 4)),
        ("SPAN", (1, 2), (2, 2)),
        ("SPAN", (1, 3), (2, 3)),
        ("SPAN", (1, 4), (2, 4)),
        ("SPAN", (3, 2), (5, 2)),
        ("SPAN", (3, 3), (5, 3)),
        ("SPAN", (3, 4), (5, 4)),
        ("SPAN", (1, 5), (5, 5)),
    ]
    style += _spans(0, [i[0] for i in indicators], first)
    style += _spans(1, [i[1] for i in indicators], first)
    widths = [60, 48 if narrow_level2 else 80, 150, 50, 70, 60]
    return Table(rows, colWidths=widths, style=TableStyle(style))


def department_table():
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    body, _ = _styles()
    p = lambda s: Paragraph(s, body)  # noqa: E731
    rows = [
        [p("部门(单位)名称"), p("某市民政局"), "", "", ""],
        [p("任务名称"), p("主要内容"), p("预算金额(万元)"), "", ""],
        ["", "", p("总额"), p("财政拨款"), p("其他资金")],
        [p("合计"), "", p("300.00"), p("250.00"), p("50.00")],
        [p("低保资金"), p("按月发放低保金"), p("200.00"), p("150.00"), p("50.00")],
        [p("养老服务"), p("建设养老服务中心"), p("100.00"), p("100.00"), p("0.00")],
        [p("年度总体目标"), p("兜牢民生底线。"), "", "", ""],
    ]
    style = [
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("SPAN", (1, 0), (4, 0)),
        ("SPAN", (0, 1), (0, 2)),
        ("SPAN", (1, 1), (1, 2)),
        ("SPAN", (2, 1), (4, 1)),
        ("SPAN", (1, 6), (4, 6)),
    ]
    t1 = Table(rows, colWidths=[80, 160, 70, 70, 70], style=TableStyle(style))
    inds = [("年度绩效指标", "一级指标", "二级指标", "三级指标", "指标值")] + [
        ("", "产出指标", "数量指标", "特困人员集中供养人数", "≥650人"),
        ("", "产出指标", "质量指标", "救助资金发放准确率", "100%"),
        ("", "效益指标", "社会效益指标", "困难群众基本生活", "有效保障"),
        ("", "满意度指标", "服务对象满意度指标", "救助对象满意度", "≥90%"),
    ]
    style2 = [
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("SPAN", (0, 1), (0, 4)),
        ("SPAN", (1, 1), (1, 2)),
    ]
    t2 = Table([[p(x) for x in r] for r in inds], colWidths=[50, 70, 90, 160, 80], style=TableStyle(style2))
    return [t1, t2]


def distractor_table():
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    body, _ = _styles()
    rows = [["单位名称", "项目名称", "合计"], ["某市教育局", "学生资助", "1,489.00"]]
    return Table(
        [[Paragraph(c, body) for c in r] for r in rows],
        colWidths=[120, 160, 80],
        style=TableStyle([("GRID", (0, 0), (-1, -1), 0.6, colors.black)]),
    )


def build(path: Path, story_parts: list) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate

    _setup()
    doc = SimpleDocTemplate(
        str(path), pagesize=A4, leftMargin=40, rightMargin=40, topMargin=40, bottomMargin=40
    )
    doc.build(story_parts)
    return path


def title(text: str):
    from reportlab.platypus import Paragraph

    _setup()
    return Paragraph(text, _styles()[1])


def line(text: str):
    from reportlab.platypus import Paragraph

    _setup()
    return Paragraph(text, _styles()[0])


def spacer(h: float = 12):
    from reportlab.platypus import Spacer

    return Spacer(1, h)


def page_break():
    from reportlab.platypus import PageBreak

    return PageBreak()


def borderless_table():
    """The indicator block of a project table printed without ruling lines."""
    from reportlab.platypus import Paragraph, Table, TableStyle

    body, _ = _styles()
    rows = [["一级指标", "二级指标", "三级指标", "指标值"]] + [
        ["产出指标", "数量指标", "培训教师人次", "≥2800人次"],
        ["", "质量指标", "培训考核合格率", "＞95%"],
        ["效益指标", "社会效益指标", "教师教育教学能力", "有效提升"],
        ["满意度指标", "服务对象满意度指标", "参训教师满意度", "≥92%"],
    ]
    return Table(
        [[Paragraph(c, body) for c in r] for r in rows],
        colWidths=[90, 110, 150, 90],
        style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]),
    )


def project_list_table(projects: list[tuple[str, list[tuple[str, str, str, str, list[tuple]]]]]):
    """One long table listing many projects (Beijing's layout): per project a name cell merged
    over one or more amount blocks, each block with its own amounts, goal and indicator rows.

    `projects`: [(name, [(total, fiscal, other, goal, [(一级, 二级, 三级, 性质, 值, 单位), …]), …]), …]"""
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    body, _ = _styles()
    p = lambda s: Paragraph(s, body)  # noqa: E731
    head = ["项目名称", "项目总额", "财政资金", "其他资金", "绩效目标", "一级指标", "二级指标", "三级指标"]
    head += ["绩效指标性质", "本年绩效指标值", "绩效度量单位"]
    rows = [[p(h) for h in head]]
    style = [("GRID", (0, 0), (-1, -1), 0.6, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
    for name, blocks in projects:
        name_row = len(rows)
        for total, fiscal, other, goal, indicators in blocks:
            block_row = len(rows)
            for i, ind in enumerate(indicators):
                lead = [p(name) if len(rows) == name_row else ""]
                lead += [p(total), p(fiscal), p(other), p(goal)] if i == 0 else ["", "", "", ""]
                rows.append(lead + [p(x) for x in ind])
            for col in range(1, 5):
                style.append(("SPAN", (col, block_row), (col, len(rows) - 1)))
        style.append(("SPAN", (0, name_row), (0, len(rows) - 1)))
    widths = [70, 45, 45, 40, 90, 50, 60, 90, 40, 45, 40]
    return Table(rows, colWidths=widths, style=TableStyle(style))


def rows_table(rows: list[list[str]], widths: list[float]):
    """A ruled table from rows of strings; `"<"` merges a cell into its left neighbour, `"^"`
    into the one above (as in tests/grid_fixtures.py)."""
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    _setup()
    body, _ = _styles()
    data = [[Paragraph(c, body) if c not in ("<", "^") else "" for c in r] for r in rows]
    style = [("GRID", (0, 0), (-1, -1), 0.6, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if text in ("<", "^"):
                continue
            c1 = c
            while c1 + 1 < len(row) and row[c1 + 1] == "<":
                c1 += 1
            r1 = r
            while r1 + 1 < len(rows) and c < len(rows[r1 + 1]) and rows[r1 + 1][c] == "^":
                r1 += 1
            if (c1, r1) != (c, r):
                style.append(("SPAN", (c, r), (c1, r1)))
    return Table(data, colWidths=widths, style=TableStyle(style), repeatRows=0)


def scanned_copy(pdf_path: Path, out: Path, dpi: int = 200) -> Path:
    """The PDF's pages rendered to images and wrapped into an image-only PDF (a scan)."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(pdf_path))
    images = [pdf[i].render(scale=dpi / 72).to_pil().convert("L") for i in range(len(pdf))]
    pdf.close()
    images[0].save(out, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return out
