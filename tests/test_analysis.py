"""The analysts' layer: region, department category, concepts, views, API and commands.

Everything runs on real DuckDB files written by `python -m pipeline extract` from real text
dumps (the shipped seed sample and variants of it made here)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import duckdb
import pytest

import pipeline
from pipeline.analysis.annotate import refresh
from pipeline.analysis.api import connect
from pipeline.analysis.concepts import CONCEPTS, RULES, classify, tokens
from pipeline.analysis.departments import categorize
from pipeline.analysis.places import locate
from pipeline.store.errors import StoreError
from tests.conftest import ROOT, query, run_cli

SEED = ROOT / "data" / "raw" / "kuerle_sifaju_2020_overall.txt"


# -- region ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("department", "title", "path", "expected"),
    [
        ("库尔勒市司法局", None, None, ("库尔勒市", "county", "新疆维吾尔自治区", "巴音郭楞蒙古自治州", "库尔勒市")),
        ("烟台市交通运输局", None, None, ("烟台市", "city", "山东省", "烟台市", None)),
        ("内蒙古自治区卫生健康委员会", None, None, ("内蒙古自治区", "province", "内蒙古自治区", None, None)),
        ("北京市东城区教育委员会", None, None, ("东城区", "county", "北京市", "北京市", "东城区")),
        ("中共烟台市委宣传部", None, None, ("烟台市", "city", "山东省", "烟台市", None)),
        # a county name shared by four divisions is settled by the city in the file's folder
        ("鼓楼区教育局", None, "福州市/2026年部门预算.pdf", ("鼓楼区", "county", "福建省", "福州市", "鼓楼区")),
        # ... and left unplaced when nothing settles it
        ("鼓楼区教育局", None, None, ("鼓楼区", "county", None, None, None)),
        # no place in the name: the file name's short form
        ("首都绿化委员会办公室", "项目支出绩效目标表", "002_北京_政府办公厅_2026年部门预算.pdf",
         ("北京市", "province", "北京市", "北京市", None)),
        # words that only look like places
        ("城市管理局", None, None, (None, None, None, None, None)),
        ("市场监督管理局", None, "部门预算.pdf", (None, None, None, None, None)),
    ],
)  # fmt: skip
def test_region_from_names(department, title, path, expected):
    r = locate(department, title, path)
    assert (r.region, r.level, r.province, r.city, r.county) == expected


def test_region_from_the_document_heading_before_the_file_name():
    r = locate("财政局", "项目支出绩效目标表", "福州/部门预算.pdf", "2026年烟台市财政局部门预算")
    assert (r.region, r.province, r.rule) == ("烟台市", "山东省", "heading name")


# -- department category ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("department", "category"),
    [
        ("库尔勒市司法局", "司法"),
        ("北京市公安局交通管理局", "公安"),  # the earliest word decides
        ("北京市人民政府国有资产监督管理委员会", "国资"),  # 人民政府 is not 民政
        ("泉州市人民政府办公室", "政府办公"),
        ("烟台市民政局", "民政"),
        ("北京市教育委员会", "教育"),
        ("烟台市住房和城乡建设局", "住房城乡建设"),
        ("北京市卫生健康委员会", "卫生健康"),
        ("北京城市副中心工程建设管理办公室", None),
    ],
)
def test_department_category(department, category):
    assert categorize(department)[0] == category


# -- concepts ------------------------------------------------------------------------------------
def test_domain_words_stay_whole():
    assert "满意度" in tokens("受助学生满意度")
    assert "及时率" in tokens("资金下达及时率")
    assert "正常运行率" in tokens("系统正常运行率")


@pytest.mark.parametrize(
    ("name", "dimension", "unit", "comparator", "concept"),
    [
        ("受助学生满意度", "satisfaction", "%", ">=", "satisfaction"),
        ("群众投诉率", "satisfaction", "%", "<=", "complaints"),
        ("截至11月底项目资金支出完成率", "timeliness", "%", ">=", "budget_execution_rate"),
        ("项目按时完成率", "timeliness", "%", "=", "timeliness_rate"),
        ("资金下达及时率", "timeliness", "%", "=", "timeliness_rate"),
        ("年度任务完成率", "quantity", "%", ">=", "completion_rate"),
        ("验收合格率", "quality", "%", "=", "pass_rate"),
        ("系统正常运行率", "quality", "%", ">=", "availability_rate"),
        ("故障应急响应时间", "timeliness", "分钟", "<=", "response_time"),
        ("项目完成时间", "timeliness", None, None, "deadline"),
        ("预计使用年限", "sustainability", "年", ">=", "service_life"),
        ("项目总成本", "cost", "万元", "<=", "budget_control"),
        ("人员单价成本", "cost", "万元/天", "<=", "unit_cost"),
        ("集装箱重箱补贴标准", "cost", "元/箱", "=", "unit_cost"),
        ("故障解决时间", "timeliness", "小时", "<=", "response_time"),
        ("项目实施期", "timeliness", "月", "=", "deadline"),
        ("投诉处理及时率", "timeliness", "%", "=", "timeliness_rate"),
        ("培训人次", "quantity", "人次", ">=", "output_count"),
        ("水面保洁面积", "quantity", "平方米", "=", "output_quantity"),
        # money in a benefit dimension is not a cost ceiling
        ("带动社会投资", "economic_benefit", "万元", ">=", None),
        ("社会效益明显提升", "social_benefit", None, None, None),
        ("", "quality", None, None, None),
    ],
)
def test_concepts(name, dimension, unit, comparator, concept):
    got, rule = classify(name, dimension, unit, comparator)
    assert got == concept
    assert (rule is None) == (concept is None)


def test_every_rule_names_a_known_concept():
    assert {r.concept for r in RULES} <= set(CONCEPTS)


# -- the database: views, refresh, API -----------------------------------------------------------
def _variant(folder: Path, name: str, department: str, satisfaction: str) -> Path:
    """The seed dump for another department, with its first satisfaction target changed."""
    text = SEED.read_text(encoding="utf-8").replace("库尔勒市司法局", department)
    text = text.replace("在职及退休干部满意度\t≥95%", f"在职及退休干部满意度\t{satisfaction}")
    p = folder / name
    p.write_text(text, encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory) -> Path:
    """Three departments in three regions: the seed and two variants of it."""
    tmp = tmp_path_factory.mktemp("analysis")
    docs = tmp / "docs"
    docs.mkdir()
    (docs / SEED.name).write_bytes(SEED.read_bytes())
    _variant(docs, "yantai.txt", "烟台市民政局", "≥90%")
    _variant(docs, "fuzhou.txt", "福州市民政局", "≥85%")
    db = tmp / "t.duckdb"
    run_cli("extract", docs, "--db", db, "--quiet", "--jobs", "1", check=True)
    return db


def test_views_carry_region_category_and_concept(corpus_db):
    rows = query(
        corpus_db,
        "SELECT DISTINCT department, region, region_level, province, department_category FROM v_indicators ORDER BY 1",
    )
    assert rows == [
        ("库尔勒市司法局", "库尔勒市", "county", "新疆维吾尔自治区", "司法"),
        ("烟台市民政局", "烟台市", "city", "山东省", "民政"),
        ("福州市民政局", "福州市", "city", "福建省", "民政"),
    ]
    sat = query(
        corpus_db,
        "SELECT name, value_num, concept, concept_rule FROM v_indicators "
        "WHERE department = '库尔勒市司法局' AND concept = 'satisfaction' ORDER BY seq",
    )
    assert sat == [
        ("在职及退休干部满意度", 95.0, "satisfaction", "token 满意度"),
        ("受益群众满意度", 98.0, "satisfaction", "token 满意度"),
    ]
    # every indicator is in the view exactly once
    assert query(corpus_db, "SELECT count(*) FROM v_indicators") == query(
        corpus_db, "SELECT count(*) FROM indicators"
    )


def test_budget_view_has_totals_and_lines(corpus_db):
    rows = query(
        corpus_db,
        "SELECT row_type, count(*), sum(total_wan) FROM v_budget WHERE department = '库尔勒市司法局' GROUP BY 1 ORDER BY 1",
    )
    lines = query(corpus_db, "SELECT count(*), sum(total_wan) FROM budget_lines")[0]
    assert rows[0][0] == "line" and rows[0][1] == lines[0] // 3
    assert rows[1][:2] == ("total", 1) and float(rows[1][2]) == 2789.45


def test_refresh_only_does_new_work_and_redoes_stale_rules(corpus_db, tmp_path):
    db = tmp_path / "copy.duckdb"
    db.write_bytes(corpus_db.read_bytes())
    con = duckdb.connect(str(db))
    try:
        assert refresh(con) == (0, 0)
        n = con.execute("SELECT count(*) FROM indicators").fetchall()[0][0]
        con.execute("UPDATE indicator_concepts SET version = 'old', concept = 'bogus'")
        con.execute("UPDATE table_context SET version = 'old', region = 'bogus'")
        assert refresh(con) == (3, n)
        assert con.execute(
            "SELECT count(*) FROM v_indicators WHERE concept = 'bogus' OR region = 'bogus'"
        ).fetchall() == [(0,)]
    finally:
        con.close()


def test_python_api(corpus_db):
    df = pipeline.indicators(corpus_db, concept="satisfaction", department_category="民政")
    assert sorted(df["department"].unique()) == ["烟台市民政局", "福州市民政局"]
    assert len(pipeline.indicators(corpus_db, region=["烟台市", "库尔勒市"], name_like="%满意度")) == 4
    with pytest.raises(TypeError, match="unknown filter"):
        pipeline.indicators(corpus_db, colour="red")
    with pipeline.connect(corpus_db) as con:
        assert con.sql("SELECT count(DISTINCT region) FROM v_indicators").fetchall() == [(3,)]


def test_connect_adds_the_views_to_an_older_database(corpus_db, tmp_path):
    db = tmp_path / "old.duckdb"
    db.write_bytes(corpus_db.read_bytes())
    con = duckdb.connect(str(db))
    con.execute(
        "DROP VIEW v_budget; DROP VIEW v_indicators; DROP VIEW v_tables; DELETE FROM indicator_concepts"
    )
    con.close()
    with connect(db) as con:
        assert con.sql("SELECT count(concept) FROM v_indicators").fetchall()[0][0] > 0


def test_connect_errors_are_one_line(tmp_path):
    with pytest.raises(StoreError, match="no such database"):
        connect(tmp_path / "missing.duckdb")
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).close()
    with pytest.raises(StoreError, match="not a targets database"):
        connect(other)


# -- commands ------------------------------------------------------------------------------------
def test_query_prints_table_csv_json_and_markdown(corpus_db):
    sql = (
        "SELECT region, count(*) AS n FROM v_indicators WHERE concept = 'satisfaction' GROUP BY 1 ORDER BY 1"
    )
    table = run_cli("query", sql, "--db", corpus_db, check=True).stdout
    assert table.splitlines()[0].split() == ["region", "n"] and "(3 rows)" in table
    rows = list(csv.reader(io.StringIO(run_cli("query", sql, "--db", corpus_db, "--csv", check=True).stdout)))
    assert rows == [["region", "n"], ["库尔勒市", "2"], ["烟台市", "2"], ["福州市", "2"]]
    data = json.loads(run_cli("query", sql, "--db", corpus_db, "--json", check=True).stdout)
    assert data[0] == {"region": "库尔勒市", "n": 2}
    md = run_cli("query", sql, "--db", corpus_db, "--markdown", check=True).stdout
    assert md.splitlines()[:3] == ["| region | n |", "|---|---|", "| 库尔勒市 | 2 |"]


def test_query_errors_are_one_line_exit_2(corpus_db, tmp_path):
    bad = run_cli("query", "SELECT * FROM nowhere", "--db", corpus_db)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1 and "nowhere" in bad.stderr
    # the database is opened read-only: a query cannot change it
    write = run_cli("query", "DELETE FROM indicators", "--db", corpus_db)
    assert write.returncode == 2 and "read-only" in write.stderr
    missing = run_cli("query", "SELECT 1", "--db", tmp_path / "none.duckdb")
    assert missing.returncode == 2 and "no such database" in missing.stderr


def test_compare_puts_targets_side_by_side(corpus_db):
    out = run_cli(
        "compare", "--concept", "satisfaction", "--by", "region", "--db", corpus_db, "--csv", check=True
    )
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    got = {r["region"]: (r["min"], r["median"], r["max"], r["most_common"]) for r in rows}
    assert got == {
        "库尔勒市": ("95", "96.5", "98", ">=95%"),
        "烟台市": ("90", "94", "98", ">=90%"),
        "福州市": ("85", "91.5", "98", ">=85%"),
    }
    assert [r["region"] for r in rows] == ["库尔勒市", "烟台市", "福州市"]  # highest median first
    by_cat = run_cli(
        "compare", "--concept", "satisfaction", "--by", "category", "--db", corpus_db, "--json", check=True
    )
    assert {r["category"]: r["tables"] for r in json.loads(by_cat.stdout)["rows"]} == {"司法": 1, "民政": 2}
    bad = run_cli("compare", "--concept", "happiness", "--db", corpus_db)
    assert bad.returncode == 2 and "unknown concept" in bad.stderr


# -- the hand-checked sample -------------------------------------------------------------------
def test_hand_checked_sample_keeps_its_concepts():
    """docs/concept-sample.csv: 100 indicators of the real corpus whose concept was checked by
    hand (98 right, 2 wrong).  Rule changes must keep every concept judged right."""
    from pipeline.normalize.values import parse_value

    with open(ROOT / "docs" / "concept-sample.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 100
    right = [r for r in rows if r["correct"] == "yes"]
    assert len(right) == 98
    for r in rows:
        v = parse_value(r["value_raw"], r["name"])
        got, _ = classify(r["name"], r["dimension"] or None, v.unit, v.comparator)
        if r["correct"] == "yes":
            assert got == r["concept"], r


def test_a_database_of_an_earlier_version_gains_the_heading_column(corpus_db, tmp_path):
    db = tmp_path / "old.duckdb"
    db.write_bytes(corpus_db.read_bytes())
    con = duckdb.connect(str(db))
    con.execute("DROP VIEW v_budget; DROP VIEW v_indicators; DROP VIEW v_tables")
    con.execute("ALTER TABLE documents DROP COLUMN heading")
    con.close()
    docs = tmp_path / "new"
    docs.mkdir()
    _variant(docs, "jinan.txt", "济南市民政局", "≥80%")
    run_cli("extract", docs, "--db", db, "--quiet", check=True)
    assert query(db, "SELECT count(*) FROM v_indicators WHERE region = '济南市'")[0][0] > 0
