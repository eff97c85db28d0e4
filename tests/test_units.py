"""Canonical units, the direction of concepts, and `compare` in one unit with what it left out.

The database tests run `python -m pipeline extract` on the shipped seed dump and two variants of
it whose cost rows are printed in other units (元 for 万元, `元/人*月`, `元/人月`, `元/人`)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from pipeline.analysis.api import connect
from pipeline.analysis.compare import CompareError, compare
from pipeline.analysis.concepts import CONCEPTS, DIRECTION, classify, direction
from pipeline.normalize.canonical_units import canonical, is_per_person
from tests.conftest import ROOT, query, run_cli

SEED = ROOT / "data" / "raw" / "kuerle_sifaju_2020_overall.txt"


# -- canonical units -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("printed", "unit", "factor"),
    [
        # money totals in 万元, scaled
        ("元", "万元", 1e-4), ("千元", "万元", 0.1), ("万元", "万元", 1.0), ("亿元", "万元", 1e4),
        ("１００元", "100元", 1.0),  # not a unit word: left as printed (folded)
        # per-person-month: every separator, full width, brackets, 每
        ("元/人*月", "元/人·月", 1.0), ("元/人月", "元/人·月", 1.0), ("元/人.月", "元/人·月", 1.0),
        ("元/人/月", "元/人·月", 1.0), ("元/人·月", "元/人·月", 1.0), ("元／人・月", "元/人·月", 1.0),
        ("元/(人·月)", "元/人·月", 1.0), ("元每人每月", "元/人·月", 1.0), ("元 / 人 × 月", "元/人·月", 1.0),
        # unit costs in 元
        ("万元/人", "元/人", 1e4), ("万元/年/人", "元/人·年", 1e4), ("元/人·次", "元/人次", 1.0),
        ("万元/每项目", "元/项目", 1e4), ("元/生.月", "元/生·月", 1.0), ("元/m2/月", "元/平方米·月", 1.0),
        # area, length, volume
        ("㎡", "平方米", 1.0), ("m²", "平方米", 1.0), ("m2", "平方米", 1.0), ("平米", "平方米", 1.0),
        ("万平方米", "平方米", 1e4), ("km", "公里", 1.0), ("千米", "公里", 1.0), ("立方", "立方米", 1.0),
        # time: spellings merged, magnitudes and 工作日 kept apart
        ("日", "天", 1.0), ("天", "天", 1.0), ("个工作日", "工作日", 1.0), ("工作日", "工作日", 1.0),
        ("h", "小时", 1.0), ("个小时", "小时", 1.0), ("min", "分钟", 1.0), ("月", "月", 1.0),
        ("个月", "个月", 1.0),
        # percent
        ("％", "%", 1.0), ("‰", "%", 0.1), ("个百分点", "百分点", 1.0),
        # counts: kept distinct; a 万 multiplier multiplied out, a bare 万 left alone
        ("个", "个", 1.0), ("项", "项", 1.0), ("件", "件", 1.0), ("万人次", "人次", 1e4),
        ("万", "万", 1.0), ("次/年", "次/年", 1.0), ("项/点位", "项/点位", 1.0),
    ],
)  # fmt: skip
def test_canonical_unit(printed, unit, factor):
    c = canonical(printed)
    assert (c.unit, c.factor) == (unit, pytest.approx(factor))


def test_no_unit_has_no_canonical_unit():
    assert canonical(None) is None and canonical("") is None and canonical("  ") is None


def test_count_words_stay_apart():
    assert len({canonical(u).unit for u in ("个", "项", "件", "次", "人次", "台", "套")}) == 7


def test_per_person_money():
    assert all(is_per_person(u) for u in ("元/人", "万元/人·年", "元/人*月", "元/生.月", "元/人次"))
    assert not any(is_per_person(u) for u in ("元/户", "元/次", "人/月", "元", "万元/项目", None))


# -- direction -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "dimension", "unit", "comparator", "concept", "way"),
    [
        ("检验鉴定差错率", "quality", "%", "<=", "error_rate", "lower"),
        ("产品不合格率", "quality", "%", "<=", "error_rate", "lower"),
        ("数据准确率", "quality", "%", ">=", "accuracy_rate", "higher"),
        ("重大安保任务无差错率", "quality", "%", "=", "accuracy_rate", "higher"),
        ("系统故障率", "quality", "%", "<=", "failure_rate", "lower"),
        ("系统无故障率", "quality", "%", ">=", "availability_rate", "higher"),
        ("系统正常运行率", "quality", "%", ">=", "availability_rate", "higher"),
        ("重大安全事故发生率", "social_benefit", "%", "<=", "incident_rate", "lower"),
        ("群众投诉率", "satisfaction", "%", "<=", "complaints", "lower"),
        ("受助学生满意度", "satisfaction", "%", ">=", "satisfaction", "higher"),
        ("人均培训费", "cost", "元/人*月", "<=", "cost_per_person", None),
        ("人员单价成本", "cost", "万元/天", "<=", "unit_cost", None),
        # bringing a bad rate down is not the bad rate
        ("事故发生率下降", "social_benefit", "%", ">=", None, None),
        # money per person as a benefit (income gained) is not a cost
        ("人均增收", "economic_benefit", "元/人", ">=", None, None),
    ],
)
def test_concept_and_direction(name, dimension, unit, comparator, concept, way):
    got, _ = classify(name, dimension, unit, comparator)
    assert got == concept
    assert direction(got) == way


def test_every_direction_is_of_a_known_concept():
    assert set(DIRECTION) <= set(CONCEPTS)
    assert set(DIRECTION.values()) == {"higher", "lower"}


# -- the database --------------------------------------------------------------------------------
def _variant(folder: Path, name: str, department: str, subs: list[tuple[str, str]]) -> None:
    text = SEED.read_text(encoding="utf-8").replace("库尔勒市司法局", department)
    for old, new in subs:
        assert old in text, old
        text = text.replace(old, new)
    (folder / name).write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def units_db(tmp_path_factory) -> Path:
    """库尔勒 (the seed), 烟台 and 福州 (variants with costs in other units, an error rate)."""
    tmp = tmp_path_factory.mktemp("units")
    docs = tmp / "docs"
    docs.mkdir()
    (docs / SEED.name).write_bytes(SEED.read_bytes())
    _variant(
        docs,
        "yantai.txt",
        "烟台市民政局",
        [
            ("法律援助经费\t≤10万元", "法律援助经费\t≤100000元"),
            ("法律援助经费及代理市人民政府参与行政诉讼案件代理费\t≤15万元", "诉讼代理费\t120000-150000元"),
            ("司法局社区服刑人员定位手环经费\t≤55.55万元", "人均培训费\t≤550元/人*月"),
            ("标准厂房验收合格率\t100%", "文书差错率\t≤2%"),
            ("在职及退休干部满意度\t≥95%", "在职及退休干部满意度\t≥90%"),
        ],
    )
    _variant(
        docs,
        "fuzhou.txt",
        "福州市民政局",
        [
            ("法律援助经费\t≤10万元", "人均专家费\t≤800元/人"),
            ("司法局社区服刑人员定位手环经费\t≤55.55万元", "人均培训费\t≤600元/人月"),
            ("标准厂房验收合格率\t100%", "文书差错率\t≤1%"),
            ("在职及退休干部满意度\t≥95%", "在职及退休干部满意度\t≥85%"),
        ],
    )
    db = tmp / "units.duckdb"
    run_cli("extract", docs, "--db", db, "--quiet", check=True)
    return db


def test_views_carry_canonical_units_and_direction(units_db):
    rows = query(
        units_db,
        "SELECT region, unit, unit_std, value_num, value_num_std, value_max_std, direction FROM v_indicators "
        "WHERE name IN ('法律援助经费', '人均培训费', '文书差错率', '诉讼代理费') ORDER BY region, name",
    )
    assert rows == [
        ("库尔勒市", "万元", "万元", 10.0, 10.0, None, "lower"),
        ("烟台市", "元/人*月", "元/人·月", 550.0, 550.0, None, None),
        ("烟台市", "%", "%", 2.0, 2.0, None, "lower"),
        ("烟台市", "元", "万元", 100000.0, 10.0, None, "lower"),
        ("烟台市", "元", "万元", 120000.0, 12.0, 15.0, "lower"),  # a range: both bounds scaled
        ("福州市", "元/人月", "元/人·月", 600.0, 600.0, None, None),
        ("福州市", "%", "%", 1.0, 1.0, None, "lower"),
    ]


def test_compare_per_person_cost_mixes_no_units_and_says_what_it_left_out(units_db):
    out = run_cli("compare", "--concept", "cost_per_person", "--by", "region", "--db", units_db, "--csv")
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert [(r["region"], r["unit"], r["median"], r["compared"]) for r in rows] == [
        ("福州市", "元/人·月", "600", "1"),  # a concept with no direction: highest first
        ("烟台市", "元/人·月", "550", "1"),
    ]
    assert "元/人 1" in out.stderr  # the 元/人 target is listed, not dropped
    assert "元/人*月 1" in out.stderr and "元/人月 1" in out.stderr  # the spellings converted
    js = json.loads(run_cli("compare", "--concept", "cost_per_person", "--db", units_db, "--json").stdout)
    assert js["unit"] == "元/人·月"
    assert js["excluded"]["other_units"] == [{"unit": "元/人", "targets": 1}]
    assert {r["department"]: r["median"] for r in js["rows"]} == {
        "福州市民政局": 600.0,
        "烟台市民政局": 550.0,
    }


def test_compare_converts_yuan_to_wan(units_db):
    with connect(units_db) as con:
        c = compare(con, "budget_control", "region", region="烟台市")
    assert c.unit == "万元"
    row = dict(zip(c.columns, c.rows[0], strict=True))
    assert (row["region"], row["min"]) == ("烟台市", 10.0)  # ≤100000元 compared as 10万元
    assert {"printed": "元", "targets": 2} in c.excluded["unit_spellings"]
    # the % rows of the concept (在职人员控制率) are listed as left out
    assert c.excluded["other_units"] == [{"unit": "%", "targets": 1}]


def test_compare_filters(units_db):
    with connect(units_db) as con:

        def groups(**kw) -> list[str]:
            return [r[0] for r in compare(con, "satisfaction", "region", **kw).rows]

        assert groups(region="烟台市") == ["烟台市"]
        assert groups(region="山东省") == ["烟台市"]  # a province matches its cities
        assert sorted(groups(department="民政")) == ["烟台市", "福州市"]
        assert groups(category="司法") == ["库尔勒市"]
        assert sorted(groups(year=2020)) == ["库尔勒市", "烟台市", "福州市"]
        assert groups(year=2019) == []


def test_compare_sorts_either_way_by_direction(units_db):
    with connect(units_db) as con:

        def order(concept: str, sort: str | None = None) -> list[str]:
            return [r[0] for r in compare(con, concept, "region", sort=sort).rows]

        # satisfaction: higher is better — strongest (default) is the highest median
        assert order("satisfaction") == ["库尔勒市", "烟台市", "福州市"]
        assert order("satisfaction", "weakest") == ["福州市", "烟台市", "库尔勒市"]
        # error rate: lower is better — strongest is the lowest ceiling
        assert order("error_rate") == ["福州市", "烟台市"]
        assert order("error_rate", "weakest") == ["烟台市", "福州市"]
        assert order("error_rate", "high") == ["烟台市", "福州市"]
        with pytest.raises(CompareError, match="cannot sort"):
            compare(con, "satisfaction", "region", sort="sideways")


def test_compare_cli_filters_sort_and_errors(units_db):
    out = run_cli(
        "compare", "--concept", "satisfaction", "--by", "region", "--sort", "weakest",
        "--department", "民政", "--db", units_db, "--csv", check=True,
    )  # fmt: skip
    assert [r["region"] for r in csv.DictReader(io.StringIO(out.stdout))] == ["福州市", "烟台市"]
    bad = run_cli("compare", "--concept", "satisfaction", "--sort", "sideways", "--db", units_db)
    assert bad.returncode == 2 and "sideways" in bad.stderr and "Traceback" not in bad.stderr
    # a unit given as printed is compared in its canonical form
    same = run_cli(
        "compare", "--concept", "cost_per_person", "--unit", "元/人/月", "--db", units_db, "--json"
    )
    assert json.loads(same.stdout)["unit"] == "元/人·月"


def test_a_database_with_views_of_an_earlier_version_is_brought_up_to_date(units_db, tmp_path):
    """A database extracted before canonical units existed: its v_indicators lacks unit_std and
    its concepts are of older rules.  Opening it refreshes both."""
    import duckdb

    db = tmp_path / "old.duckdb"
    db.write_bytes(units_db.read_bytes())
    con = duckdb.connect(str(db))
    con.execute(
        "CREATE OR REPLACE VIEW v_indicators AS SELECT i.*, NULL::VARCHAR AS concept FROM indicators i"
    )
    con.execute("UPDATE indicator_concepts SET concept = 'accuracy_rate', version = '3'")
    con.execute("DROP TABLE analysis_state")
    con.close()
    out = run_cli("compare", "--concept", "error_rate", "--by", "region", "--db", db, "--json")
    assert out.returncode == 0, out.stderr
    assert [r["region"] for r in json.loads(out.stdout)["rows"]] == ["福州市", "烟台市"]
    assert query(db, "SELECT count(*) FROM indicator_concepts WHERE version = '3'") == [(0,)]


def _accounted(js: dict) -> None:
    """Every indicator of the concept is either compared or counted as left out."""
    rows, ex = js["rows"], js["excluded"]
    left_out = sum(u["targets"] for u in ex["other_units"]) + ex["no_unit"] + ex["qualitative"]
    assert sum(r["indicators"] for r in rows) == sum(r["compared"] for r in rows) + left_out
    assert all(r["unit"] == js["unit"] for r in rows)
    assert js["unit"] not in {u["unit"] for u in ex["other_units"]}


def test_compare_leaves_nothing_out_silently(units_db):
    for concept in ("cost_per_person", "budget_control", "satisfaction", "error_rate", "deadline"):
        out = run_cli("compare", "--concept", concept, "--db", units_db, "--json", check=True)
        _accounted(json.loads(out.stdout))


def test_indicators_api_filters_by_direction_and_canonical_unit(units_db):
    from pipeline.analysis.api import indicators

    df = indicators(units_db, direction="lower", unit_std="%", concept="error_rate")
    assert sorted(df["value_num_std"]) == [1.0, 2.0]


@pytest.mark.slow
def test_per_person_cost_over_the_real_corpus(corpus_db):
    """The issue's check: `compare --concept cost_per_person` over the real documents compares
    one unit and lists the per-person targets in the others."""
    out = run_cli("compare", "--concept", "cost_per_person", "--db", corpus_db, "--json", check=True)
    js = json.loads(out.stdout)
    _accounted(js)
    assert js["unit"] == "元/人·月"
    assert {"元/人", "元/人·年"} <= {u["unit"] for u in js["excluded"]["other_units"]}
    assert len(js["excluded"]["unit_spellings"]) >= 3  # 元/人*月, 元/人/月, 元/人月 … merged
    table = run_cli("compare", "--concept", "cost_per_person", "--db", corpus_db, check=True)
    assert "left out of the comparison in 元/人·月" in table.stderr and "元/人 " in table.stderr
