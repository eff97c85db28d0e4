"""Region from the publisher (the disclosure's title, then the file's folders, then the tables'
names) and project codes in their own column."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.analysis.places import _publisher, locate
from pipeline.normalize.names import split_code
from tests import pdf_fixtures as fx
from tests.conftest import CORPUS, query, run_cli


# -- region rules --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("department", "title", "path", "heading", "expected"),
    [
        # the disclosure's title beats a department line naming the province
        ("山东省审计厅", "政策和项目预算绩效目标表", "x/部门预算.pdf", "2026年烟台市审计局部门预算",
         ("烟台市", "山东省", "烟台市", None, "heading name")),
        # ... and the folder does too when the heading is no title (the first page is a table)
        ("山东省审计厅", None, "025_烟台/预算.pdf", "金额单位：万元项目预算数一、一般公共预算拨款收入",
         ("烟台市", "山东省", "烟台市", None, "path short name")),
        # a county of the title's city refines the place
        ("烟台市芝罘区审计局", None, None, "2026年烟台市审计局部门预算",
         ("芝罘区", "山东省", "烟台市", "芝罘区", "heading name, refined by department name")),
        # a county elsewhere does not
        ("库尔勒市司法局", None, None, "2026年烟台市审计局部门预算",
         ("烟台市", "山东省", "烟台市", None, "heading name")),
        # a shared county name inside the title is settled by the title's city
        ("鼓楼区教育局", None, "福州市/x.pdf", "2026年度福州市鼓楼区教育局单位预算",
         ("鼓楼区", "福建省", "福州市", "鼓楼区", "heading name")),
        # the heading's title beats the folder
        ("财政局", None, "福州/部门预算.pdf", "2026年烟台市财政局部门预算",
         ("烟台市", "山东省", "烟台市", None, "heading name")),
        # the first page's rows (not a title) rank below the table's own names
        ("福州市民政局", None, None, "项目支出绩效目标表部门名称：广州市政务服务和数据管理局单位：万元",
         ("福州市", "福建省", "福州市", None, "department name")),
        # ... but still place a table that names nothing itself
        ("民政局", None, None, "项目支出绩效目标表部门名称：广州市政务服务和数据管理局单位：万元",
         ("广州市", "广东省", "广州市", None, "heading text name")),
        # a shared county name in a file name, settled by the short name before it
        (None, None, "上海_普陀区商务委员会25年预算.pdf", None,
         ("普陀区", "上海市", "上海市", "普陀区", "path name")),
    ],
)  # fmt: skip
def test_region_rules(department, title, path, heading, expected):
    r = locate(department, title, path, heading)
    assert (r.region, r.province, r.city, r.county, r.rule) == expected


@pytest.mark.parametrize(
    ("heading", "title"),
    [
        ("2026年烟台市审计局部门预算目录第一部分", "2026年烟台市审计局"),
        ("2026年度福州市民政局(本级)单位预算公开", "2026年度福州市民政局(本级)"),
        ("上海市普陀区2025年区级部门预算预算主管部门：上海市普陀区商务委员会", "上海市普陀区2025年区级"),
        ("ZZCR2025-01010株洲市人民政府办公室文件族政办发", "ZZCR2025-01010株洲市人民政府办公室"),
        ("预算01表收支总表金额单位：万元收入支出项目预算数", ""),
        ("部门整体预算绩效目标申报表部门名称广州市政务服务和数据管理局", ""),
        (None, ""),
    ],
)
def test_the_publisher_is_the_title_at_the_top_of_the_heading(heading, title):
    assert _publisher(heading)[0] == title


# -- project codes --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("printed", "code", "name"),
    [
        # Beijing's 21-character codes, broken by the line wrap of a narrow column anywhere
        ("11000023T00000209 2030-卫生健康内部审计监督", "11000023T000002092030", "卫生健康内部审计监督"),
        ("11000022T0000004557 94-评审工作经费", "11000022T000000455794", "评审工作经费"),
        ("11000024T0000 02780436-12345对外宣传经费", "11000024T000002780436", "12345对外宣传经费"),
        ("11000022T000000440003-96315热线服务", "11000022T000000440003", "96315热线服务"),
        ("11000022T000000443192--科研、教学等其他因公出国（境）", "11000022T000000443192", "科研、教学等其他因公出国（境）"),
        ("11000022T00000042 5969-工业和信息化优化营商环境类项目", "11000022T000000425969", "工业和信息化优化营商环境类项目"),
        ("[ 305010] 涿州市教育局", "305010", "涿州市教育局"),
        ("涿州市教育局（305010）", "305010", "涿州市教育局"),
        ("342004-义乌市交通运输局", "342004", "义乌市交通运输局"),
        ("11000026T00000371 8236-MPXV与HIV共感染研究", "11000026T000003718236", "MPXV与HIV共感染研究"),
        # numbers that are part of the name
        ("96196电梯应急处置服务平台项目", None, "96196电梯应急处置服务平台项目"),
        ("2024-2026年数字政府项目", None, "2024-2026年数字政府项目"),
        ("2030-卫生健康", None, "2030-卫生健康"),
        ("GZIT2022-SM-051103", None, "GZIT2022-SM-051103"),
        (None, None, None),
    ],
)  # fmt: skip
def test_split_code(printed, code, name):
    assert split_code(printed) == (code, name)


# -- a built PDF: the cover names the city, the table's department line the province --------------
def _audit_pdf(path: Path, cover: bool) -> Path:
    parts = [fx.title("2026年烟台市审计局部门预算"), fx.page_break()] if cover else []
    parts += [
        fx.title("项目支出绩效目标表"),
        fx.spacer(),
        fx.project_table(
            "11000026T000003734819-审计信息化建设项目",
            "某审计中心",
            "120.00",
            "120.00",
            "0.00",
            department="320_山东省审计厅",
        ),
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    return fx.build(path, parts)


@pytest.mark.parametrize(
    ("folder", "cover", "rule"),
    [("disclosures", True, "heading name"), ("025_烟台", False, "path short name")],
)
def test_built_pdf_is_placed_by_its_publisher_not_its_department_line(tmp_path, folder, cover, rule):
    _audit_pdf(tmp_path / "docs" / folder / "audit.pdf", cover)
    db = tmp_path / "t.duckdb"
    run_cli("extract", tmp_path / "docs", "--db", db, "--quiet", "--jobs", "1", check=True)
    rows = query(db, "SELECT department, region, province, city, project, project_code FROM v_tables")
    assert rows == [
        ("山东省审计厅", "烟台市", "山东省", "烟台市", "审计信息化建设项目", "11000026T000003734819")
    ]
    assert query(db, "SELECT region_rule FROM v_tables") == [(rule,)]
    assert query(db, "SELECT DISTINCT project_code FROM v_indicators") == [("11000026T000003734819",)]
    assert query(db, "SELECT DISTINCT project_code FROM v_budget") == [("11000026T000003734819",)]


def test_a_database_of_an_earlier_version_gains_project_code(tmp_path):
    from pipeline.analysis.api import connect
    from pipeline.store.db import open_db

    db = tmp_path / "old.duckdb"
    with open_db(db, read_only=False, create=True) as con:  # today's schema, less the new column, no views
        con.execute("ALTER TABLE target_tables DROP COLUMN project_code")
    assert "project_code" not in [r[0] for r in query(db, "DESCRIBE target_tables")]
    with connect(db) as con:
        assert con.sql("SELECT count(project_code) FROM v_indicators").fetchall() == [(0,)]
    assert "project_code" in [r[0] for r in query(db, "DESCRIBE target_tables")]


# -- real disclosures (skipped where the shared corpus is absent) ----------------------------------
def _real(name: str) -> Path:
    path = CORPUS / "real-unlabeled" / name
    if not path.is_file():
        pytest.skip(f"shared corpus document not found: {path}")
    return path


@pytest.mark.slow
def test_real_audit_disclosure_tables_naming_the_province_stay_in_the_city(tmp_path):
    pdf = _real("025_烟台_2026年烟台市审计局部门预算.pdf")
    db = tmp_path / "t.duckdb"
    run_cli("extract", pdf, "--db", db, "--quiet", check=True)
    rows = query(db, "SELECT department, region, region_rule FROM v_tables")
    assert any("山东省" in (d or "") for d, _r, _rule in rows)  # the department line names the province
    assert {r for _d, r, _rule in rows} == {"烟台市"}
    assert {rule for _d, _r, rule in rows} == {"heading name"}


@pytest.mark.slow
def test_real_beijing_project_codes_have_their_own_column(tmp_path):
    pdf = _real("002_北京_财政局_2026年部门预算.pdf")
    db = tmp_path / "t.duckdb"
    run_cli("extract", pdf, "--db", db, "--quiet", check=True)
    rows = query(db, "SELECT project, project_code FROM v_tables WHERE kind = 'project'")
    coded = [(p, c) for p, c in rows if c]
    assert len(coded) >= len(rows) * 0.9, rows
    assert all(len(c) == 21 and c[:6] == "110000" for _p, c in coded), coded
    assert not [p for p, _c in rows if p and p[0].isascii() and p[0].isalnum()], rows
