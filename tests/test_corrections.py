"""Corrections that survive re-runs: a real PDF, the real CLI, a real DuckDB file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import pdf_fixtures as fx
from tests.conftest import query, run_cli

HEADER = "table_id,project,seq,name,field,old,new,note\n"


@pytest.fixture(scope="module")
def pdf(tmp_path_factory) -> Path:
    """Two project tables in one document (built with reportlab, nothing copied)."""
    folder = tmp_path_factory.mktemp("inputs")
    return fx.build(
        folder / "budget.pdf",
        [
            fx.title("项目支出绩效目标表"),
            fx.line("（2023年度）    单位：万元"),
            fx.project_table("中小学教师全员培训经费", "某市教师发展中心", "2450.00", "1378.68", "1071.32"),
            fx.page_break(),
            fx.title("项目支出绩效目标表"),
            fx.line("（2023年度）    单位：万元"),
            fx.project_table("校舍维修改造经费", "某市第一中学", "300.00", "300.00", "0.00"),
        ],
    )


def extract(pdf: Path, db: Path, *more: str):
    return run_cli("extract", pdf, "--db", db, "-q", "-j", "1", *more)


def tables(db: Path) -> dict[str, str]:
    return dict(query(db, "SELECT project, table_id FROM target_tables"))


def indicator(db: Path, name: str) -> tuple:
    sql = "SELECT value_raw, comparator, value_num, unit, corrected FROM v_indicators WHERE name = ? AND project = ?"
    return query(db, sql, [name, "中小学教师全员培训经费"])[0]


def doc_id(db: Path) -> str:
    return query(db, "SELECT doc_id FROM documents")[0][0]


def test_corrections_survive_forced_reextraction_and_edits_take_effect_without_one(pdf, tmp_path):
    db = tmp_path / "t.duckdb"
    assert extract(pdf, db).returncode == 0
    t = tables(db)
    assert indicator(db, "培训考核合格率")[:4] == ("＞95%", ">", 95.0, "%")
    seq = query(
        db,
        "SELECT seq FROM indicators WHERE table_id = ? AND name = '培训考核合格率'",
        [t["中小学教师全员培训经费"]],
    )
    (tid_no, seq) = (t["中小学教师全员培训经费"].split("#")[1], seq[0][0])
    short = doc_id(db)[:12]  # a prefix of the document hash is enough
    (tmp_path / "corrections.csv").write_text(
        HEADER
        + f"{short}#{tid_no},中小学教师全员培训经费,{seq},培训考核合格率,value_raw,>95%,≥98%,read off page 1\n"
        + f"{short},校舍维修改造经费,,,budget_total_wan,300,320.5,\n",
        encoding="utf-8",
    )
    assert extract(pdf, db, "--force").returncode == 0
    assert indicator(db, "培训考核合格率") == ("≥98%", ">=", 98.0, "%", True)
    assert query(
        db, "SELECT budget_total_wan, corrected FROM v_tables WHERE project = '校舍维修改造经费'"
    ) == [(pytest.approx(320.5), True)]
    # the other rows are not flagged, and what changed is on record with the extracted value
    assert query(db, "SELECT count(*) FROM indicators WHERE corrected")[0][0] == 1
    assert query(
        db, "SELECT line, field, old_value, new_value, status, note FROM corrections_applied ORDER BY line"
    ) == [
        (2, "value_raw", "＞95%", "≥98%", "applied", "read off page 1"),
        (3, "budget_total_wan", "300.00", "320.5", "applied", None),
    ]
    # the concept is computed from the corrected row
    assert (
        query(db, "SELECT count(*) FROM v_indicators WHERE concept IS NULL AND name = '培训考核合格率'")[0][0]
        == 0
    )

    # a line removed from the file is undone by the next run, although nothing is re-extracted
    (tmp_path / "corrections.csv").write_text(
        HEADER + f"{short},校舍维修改造经费,,,budget_total_wan,300,310,\n"
    )
    proc = extract(pdf, db)
    assert proc.returncode == 0, proc.stderr
    assert indicator(db, "培训考核合格率") == ("＞95%", ">", 95.0, "%", False)
    assert query(db, "SELECT budget_total_wan FROM target_tables WHERE project = '校舍维修改造经费'") == [
        (pytest.approx(310),)
    ]


def test_a_stale_correction_is_reported_not_applied(pdf, tmp_path):
    db = tmp_path / "t.duckdb"
    assert extract(pdf, db).returncode == 0
    doc = doc_id(db)
    corrections = tmp_path / "fixes.csv"
    corrections.write_text(
        HEADER
        + f"{doc},中小学教师全员培训经费,3,培训考核合格率,value_raw,>90%,≥98%,\n"  # guard: value changed
        + f"{doc},中小学教师全员培训经费,2,已删去的指标,unit,,人,\n"  # the row is gone
        + f"{doc},不存在的项目,,,goal,,x,\n"  # the table is gone
        + f"{doc},校舍维修改造经费,,,unit,某市第二中学,某市第一中学,\n",  # the extraction reads it right now
        encoding="utf-8",
    )
    proc = extract(pdf, db, "--corrections", corrections)
    assert proc.returncode == 0
    assert indicator(db, "培训考核合格率")[0] == "＞95%"
    stale = query(db, "SELECT detail FROM checks WHERE \"check\" = 'correction_stale' ORDER BY detail")
    assert [d for (d,) in stale] == [
        f"{corrections}:2: value_raw is now '＞95%', the correction expects '>90%'",
        f"{corrections}:3: the table has no indicator named '已删去的指标' any more",
        f"{corrections}:4: the document has no table of '不存在的项目' any more",
    ]
    assert query(db, "SELECT status, count(*) FROM corrections_applied GROUP BY 1 ORDER BY 1") == [
        ("already", 1),
        ("stale", 3),
    ]
    assert query(db, "SELECT count(*) FROM indicators WHERE corrected")[0][0] == 0
    # printed even with -q: one line each, naming the file and line
    lines = [ln for ln in proc.stderr.splitlines() if "correction" in ln]
    assert len(lines) == 3 and all(f"{corrections}:" in ln for ln in lines), proc.stderr
    # and listed by `checks`
    assert run_cli("checks", "--db", db).stdout.count("correction_stale") == 3


def test_bad_lines_give_one_line_each_and_the_rest_still_applies(pdf, tmp_path):
    db = tmp_path / "t.duckdb"
    assert extract(pdf, db).returncode == 0
    doc = doc_id(db)
    corrections = tmp_path / "corrections.csv"
    corrections.write_text(
        HEADER
        + "not-a-hash#1,,1,,unit,,人,\n"
        + f"{doc}#1,,1,,colour,,red,\n"
        + f"{doc}#1,,,,budget_total_wan,,lots,\n"
        + f"{doc}#1,,x,,unit,,人,\n"
        + "# a comment line\n"
        + f"{doc}#1,,,,year,,2024,\n",
        encoding="utf-8",
    )
    proc = run_cli("extract", pdf, "--db", db, "-j", "1")  # with the summary
    assert proc.returncode == 0
    assert query(db, "SELECT status FROM documents") == [("ok",)]
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("warning:")]
    assert [e.split(": ", 2)[1] for e in errors] == [f"{corrections}:{n}" for n in (2, 3, 4, 5)]
    assert "is not DOCID#N" in errors[0]
    assert "'colour' is not one of" in errors[1]
    assert "'lots' is not a number" in errors[2]
    assert "seq 'x'" in errors[3]
    assert "corrections: 1 applied, 0 stale" in proc.stderr
    assert query(db, f"SELECT year FROM target_tables WHERE table_id = '{doc}#0001'") == [(2024,)]
    assert query(db, "SELECT count(*) FROM corrections_applied WHERE status = 'invalid'")[0][0] == 4

    # a file that is not text at all: one line, nothing applied, nothing undone
    corrections.write_bytes(b"\xff\xfe\x00\x00garbage\x81\x00")
    proc = extract(pdf, db)
    assert proc.returncode == 0
    (line,) = [ln for ln in proc.stderr.splitlines() if "corrections" in ln]
    assert str(corrections) in line and "not a text file" in line
    assert query(db, f"SELECT year FROM target_tables WHERE table_id = '{doc}#0001'") == [(2024,)]


def test_the_project_name_finds_a_renumbered_table_and_a_deleted_table_comes_back(pdf, tmp_path):
    db = tmp_path / "t.duckdb"
    assert extract(pdf, db).returncode == 0
    doc = doc_id(db)
    t = tables(db)
    corrections = tmp_path / "corrections.csv"
    # table #7 does not exist (the extractor renumbered the tables): the project name decides
    corrections.write_text(
        HEADER
        + f"{doc}#7,校舍维修改造经费,,,unit,,某市第二中学,\n"
        + f"{doc}#1,中小学教师全员培训经费,,,delete,,,\n",
        encoding="utf-8",
    )
    assert extract(pdf, db).returncode == 0
    assert query(db, "SELECT table_id, implementing_unit, corrected FROM v_tables") == [
        (t["校舍维修改造经费"], "某市第二中学", True)
    ]
    assert query(db, "SELECT count(*) FROM indicators WHERE table_id = ?", [t["中小学教师全员培训经费"]]) == [
        (0,)
    ]
    n_indicators = len(fx.INDICATORS)
    corrections.write_text(HEADER, encoding="utf-8")
    assert extract(pdf, db).returncode == 0
    assert len(query(db, "SELECT * FROM v_tables WHERE NOT corrected")) == 2
    assert query(
        db, "SELECT count(*) FROM v_indicators WHERE table_id = ?", [t["中小学教师全员培训经费"]]
    ) == [(n_indicators,)]


def test_correct_command_adds_a_guarded_line_and_applies_it(pdf, tmp_path):
    db = tmp_path / "t.duckdb"
    assert extract(pdf, db).returncode == 0
    tid, seq = query(
        db, "SELECT table_id, seq FROM v_indicators WHERE name = '参训教师满意度' ORDER BY 1 LIMIT 1"
    )[0]
    proc = run_cli("correct", f"{tid}#{seq}", "value_raw", "≥95%", "--note", "checked by hand", "--db", db)
    assert proc.returncode == 0, proc.stderr
    assert "corrections.csv:2:" in proc.stdout
    assert query(
        db, "SELECT value_num, corrected FROM indicators WHERE table_id = ? AND seq = ?", [tid, seq]
    ) == [(95.0, True)]
    text = (tmp_path / "corrections.csv").read_text(encoding="utf-8-sig")
    assert text.splitlines()[1].endswith(f",{seq},参训教师满意度,value_raw,>=92%,≥95%,checked by hand")
    # a value the extraction gives already adds nothing
    proc = run_cli("correct", f"{tid}#{seq}", "name", "参训教师满意度", "--db", db)
    assert proc.returncode == 0 and proc.stdout.startswith("nothing added"), proc.stdout + proc.stderr
    assert len((tmp_path / "corrections.csv").read_text(encoding="utf-8-sig").splitlines()) == 2
    # survives a forced re-extraction
    assert extract(pdf, db, "--force").returncode == 0
    assert query(db, "SELECT value_raw FROM indicators WHERE table_id = ? AND seq = ?", [tid, seq]) == [
        ("≥95%",)
    ]
    # bad requests: one line, exit 2
    for args in ([f"{tid}#99", "name", "x"], [tid, "colour", "x"], ["nothing", "name", "x"]):
        proc = run_cli("correct", *args, "--db", db)
        assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
        assert proc.stderr.startswith("correct failed:")


def test_a_gbk_file_saved_by_excel_is_read(pdf, tmp_path):
    db = tmp_path / "t.duckdb"
    assert extract(pdf, db).returncode == 0
    (tmp_path / "corrections.csv").write_bytes(
        (HEADER + f"{doc_id(db)},校舍维修改造经费,,,department,,某市教育局（更正）,\n").encode("gb18030")
    )
    assert extract(pdf, db).returncode == 0
    assert query(db, "SELECT department FROM target_tables WHERE project = '校舍维修改造经费'") == [
        ("某市教育局（更正）",)
    ]
