"""Which department a table gets: its own cells before the cover line (issue 11: a cover under a
seal or a red masthead is read garbled by OCR)."""

from __future__ import annotations

from pipeline.model import RawTable
from pipeline.normalize.assemble import normalize_document

COVER = "2021年瑞金市教育局部门预算"


def test_cover_line_fills_a_table_without_department_cells():
    (t,) = normalize_document([RawTable(kind="project", project="学生资助")], "x.pdf", COVER)
    assert t.department == "瑞金市教育局"


def test_own_unit_cell_beats_a_garbled_cover_line():
    """The cover read under a seal (`瑞金市教肓局`) does not override the table's own
    单位名称 cell; a table printing 主管部门 keeps that."""
    garbled = "2021年瑞金市教肓局部门预算"
    raws = [
        RawTable(kind="project", project="学生资助", filer="瑞金市教育局"),
        RawTable(kind="project", project="校舍维修", department="【360781】瑞金市教育局"),
    ]
    a, b = normalize_document(raws, "x.pdf", garbled)
    assert a.department == "瑞金市教育局"
    assert b.department == "瑞金市教育局"


def test_department_table_still_names_the_projects_without_their_own():
    """A department table's name fills the project tables that print none, before their 单位名称."""
    raws = [
        RawTable(kind="department", department="瑞金市教育局"),
        RawTable(kind="project", project="学生资助", filer="瑞金市第一中学"),
    ]
    _, project = normalize_document(raws, "x.pdf", "")
    assert project.department == "瑞金市教育局"
