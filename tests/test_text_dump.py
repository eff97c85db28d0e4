"""Text dumps: encodings, HTML in cells, the seed sample, displaced level labels."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.text_dump import decode
from pipeline.errors import ExtractionError
from pipeline.extract import extract_document
from tests.conftest import ROOT

SEED = ROOT / "data" / "raw" / "kuerle_sifaju_2020_overall.txt"

PROJECT_DUMP = """
项目支出绩效目标表
（2021年）
项目名称\t乡村道路养护
主管部门及代码\t[301002] 某县交通运输局\t\t实施单位\t某县公路养护中心
项目资金（万元）\t年度资金总额\t\t120.00
\t其中：财政拨款\t\t100.00
\t其他资金\t\t20.00
年度绩效目标\t<p>完成县乡道路日常养护。</p>
一级指标\t二级指标\t三级指标\t指标值
产出指标\t数量指标\t养护里程(公里)\t≥80
\t质量指标\t优良路率\t≥85%
\t时效指标\t病害处置时限\t≤7天
\t成本指标\t养护成本\t≤120万元
效益指标\t社会效益指标\t群众出行条件\t明显改善
满意度指标\t服务对象满意度指标\t沿线群众满意度\t≥90%
"""


def one_table(path: Path):
    doc = extract_document(path)
    assert doc.status == "ok", doc.error
    assert len(doc.tables) == 1
    return doc.tables[0]


def test_seed_sample_department_table():
    t = one_table(SEED)
    assert (t.kind, t.year, t.department) == ("department", 2020, "库尔勒市司法局")
    assert (float(t.budget_total_wan), float(t.budget_fiscal_wan), float(t.budget_other_wan)) == (
        2789.45,
        2789.45,
        0,
    )
    assert len(t.budget_lines) == 13 and t.budget_lines[0].task == "指导法学教育及业务培训"
    assert "<p>" not in t.goal and t.goal.startswith("2020年工作计划")
    inds = t.indicators
    assert len(inds) == 25
    # the 质量/时效/成本 labels of the seed all sit on one unrelated row: recovered from order + wording
    by_name = {i.name: i for i in inds}
    assert by_name["标准厂房验收合格率"].level2 == "质量指标"
    assert by_name["标准厂房项目完成及时性"].level2 == "时效指标"
    assert by_name["法律援助经费"].level2 == "成本指标" and by_name["法律援助经费"].level1 == "产出指标"
    assert by_name["提高干部生活幸福度"].level2 == "社会效益指标"
    assert by_name["加强社区服刑人员的管控, 刑满释放人员必接必送工作"].level2 == "可持续影响指标"
    assert by_name["受益群众满意度"].dimension == "satisfaction"
    assert by_name["标准厂房验收合格率"].level_inferred
    assert not by_name["在职人员控制率"].level_inferred  # its own 数量指标 label is printed on its row


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_encodings_and_line_endings(tmp_path, encoding, newline):
    path = tmp_path / "dump.txt"
    path.write_bytes(PROJECT_DUMP.replace("\n", newline).encode(encoding))
    t = one_table(path)
    assert (t.kind, t.year, t.project, t.department, t.unit) == (
        "project",
        2021,
        "乡村道路养护",
        "某县交通运输局",
        "某县公路养护中心",
    )
    assert (float(t.budget_total_wan), float(t.budget_fiscal_wan), float(t.budget_other_wan)) == (
        120,
        100,
        20,
    )
    assert t.goal == "完成县乡道路日常养护。"
    got = [(i.level1, i.level2, i.name, i.comparator, i.value_num, i.unit) for i in t.indicators]
    assert got == [
        ("产出指标", "数量指标", "养护里程(公里)", ">=", 80, "公里"),
        ("产出指标", "质量指标", "优良路率", ">=", 85, "%"),
        ("产出指标", "时效指标", "病害处置时限", "<=", 7, "天"),
        ("产出指标", "成本指标", "养护成本", "<=", 120, "万元"),
        ("效益指标", "社会效益指标", "群众出行条件", None, None, None),
        ("满意度指标", "服务对象满意度指标", "沿线群众满意度", ">=", 90, "%"),
    ]


def _department_dump(label_rows: dict[int, str]) -> str:
    """A department dump whose 二级 labels are printed on the given rows only."""
    rows = [
        ("新建公办幼儿园学位数", "≥450个"),
        ("培训教师人次", "≥2800人次"),
        ("培训考核合格率", "≥95%"),
        ("工程验收合格率", "100%"),
        ("资金拨付及时率", "100%"),
        ("项目完工时间", "12月底前"),
        ("校舍维修项目成本", "≤643万元"),
        ("学前教育项目成本", "≤670万元"),
        ("农村学校办学条件", "显著改善"),
        ("教育均衡发展", "长期"),
        ("学生家长满意度", "≥93%"),
    ]
    lines = [
        "部门(单位)整体支出绩效目标表",
        "(2019 年)",
        "部门(单位)名称\t某市教育局",
        "年度绩效指标\t一级指标\t二级指标\t三级指标\t指标值",
    ]
    for k, (name, value) in enumerate(rows):
        lines.append(f"\t\t{label_rows.get(k, '')}\t{name}\t{value}")
    return "\n".join(lines) + "\n"


EXPECTED_LEVEL2 = [
    "数量指标",
    "数量指标",
    "质量指标",
    "质量指标",
    "时效指标",
    "时效指标",
    "成本指标",
    "成本指标",
    "社会效益指标",
    "可持续影响指标",
    "服务对象满意度指标",
]


@pytest.mark.parametrize("style", ["first", "middle"])
def test_level_labels_on_first_or_middle_row_of_their_block(tmp_path, style):
    starts = {
        "数量指标": 0,
        "质量指标": 2,
        "时效指标": 4,
        "成本指标": 6,
        "社会效益指标": 8,
        "可持续影响指标": 9,
        "服务对象满意度指标": 10,
    }
    sizes = {
        "数量指标": 2,
        "质量指标": 2,
        "时效指标": 2,
        "成本指标": 2,
        "社会效益指标": 1,
        "可持续影响指标": 1,
        "服务对象满意度指标": 1,
    }
    labels = {
        (s if style == "first" else s + (sizes[k] - 1) // 2 + (1 if sizes[k] == 2 else 0)): k
        for k, s in starts.items()
    }
    path = tmp_path / "d.txt"
    path.write_text(_department_dump(labels), encoding="utf-8")
    t = one_table(path)
    assert [i.level2 for i in t.indicators] == EXPECTED_LEVEL2


def test_labels_collapsed_onto_one_row(tmp_path):
    # a flattening tool wrote every merged label of a run on one row (as in the seed)
    text = _department_dump({})
    lines = text.splitlines()
    lines[4] = "\t\t数量指标\t新建公办幼儿园学位数\t≥450个"
    lines[12] = "产出指标\t质量指标\t时效指标\t成本指标\t农村学校办学条件\t显著改善"
    lines[13] = "效益指标\t社会效益指标\t可持续影响指标\t满意度指标\t教育均衡发展\t长期"
    path = tmp_path / "d.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    t = one_table(path)
    assert [i.level2 for i in t.indicators] == EXPECTED_LEVEL2
    assert all(i.level_inferred for i in t.indicators[1:10])


def test_decode_rejects_junk():
    with pytest.raises(ExtractionError, match="empty"):
        decode(b"   \n")
    with pytest.raises(ExtractionError, match="binary"):
        decode(b"\x00\x01\x02\x03" * 100)
    assert decode("部门".encode("gb18030")) == "部门"
    assert decode("\ufeff部门".encode()) == "部门"
