"""Consistency checks stored in the `checks` table, and the command-line experience."""

from __future__ import annotations

from tests.conftest import query, run_cli

INCONSISTENT = """部门(单位)整体支出绩效目标表
(2021 年)
部门(单位)名称\t某县民政局
任务名称\t主要内容\t预算金额(万元)
\t\t总额\t财政拨款\t其他资金
合计\t\t300.00\t250.00\t40.00
低保资金\t按月发放低保金\t200.00\t150.00\t50.00
养老服务\t建设养老服务中心\t90.00\t90.00\t0.00
年度总体目标\t保障困难群众基本生活
年度绩效指标\t一级指标\t二级指标\t三级指标\t指标值
\t产出指标\t数量指标\t保障人数\t≥650人
\t产出指标\t满意度指标\t救助对象满意度\t≥90%
\t效益指标\t社会效益指标\t困难群众基本生活\t项目立项数量≥400个；终验数量≥400个
"""


def test_checks_are_raised_and_stored(tmp_path, db_path):
    path = tmp_path / "d.txt"
    path.write_text(INCONSISTENT, encoding="utf-8")
    run_cli("extract", path, "--db", db_path, "--quiet", check=True)
    checks = {c: d for c, d in query(db_path, 'SELECT "check", detail FROM checks')}
    assert "total_vs_lines" in checks and "300" in checks["total_vs_lines"]  # 合计 300 ≠ 200 + 90
    assert "total_vs_parts" in checks  # 300 ≠ 250 + 40
    assert "value_unparsed" in checks
    assert "level_mismatch" in checks  # 满意度指标 printed under 产出指标
    assert {r[0] for r in query(db_path, "SELECT severity FROM checks")} <= {"error", "warning", "info"}


# Targets no budget can meet: a cost ceiling above the whole budget (in 万元 and in 元), a share
# above 100%; and the same kinds of target within bounds, which raise nothing.
IMPLAUSIBLE = """部门(单位)整体支出绩效目标表
(2021 年)
部门(单位)名称\t某县民政局
任务名称\t主要内容\t预算金额(万元)
\t\t总额\t财政拨款\t其他资金
合计\t\t300.00\t300.00\t0.00
低保资金\t按月发放低保金\t300.00\t300.00\t0.00
年度总体目标\t保障困难群众基本生活
年度绩效指标\t一级指标\t二级指标\t三级指标\t指标值
\t成本指标\t经济成本指标\t低保资金成本\t≤500万元
\t成本指标\t经济成本指标\t管理成本\t≤4000000元
\t成本指标\t经济成本指标\t宣传成本\t≤20万元
\t效益指标\t经济效益指标\t带动投资\t≥900万元
\t满意度指标\t服务对象满意度指标\t救助对象满意度\t≥1100%
\t满意度指标\t服务对象满意度指标\t群众满意度\t≥95%
\t效益指标\t社会效益指标\t低保户数增长率\t≥120%
"""


def test_implausible_targets_are_flagged(tmp_path, db_path):
    path = tmp_path / "d.txt"
    path.write_text(IMPLAUSIBLE, encoding="utf-8")
    run_cli("extract", path, "--db", db_path, "--quiet", check=True)
    rows = query(db_path, 'SELECT "check", detail FROM checks ORDER BY detail')
    assert [c for c, _ in rows] == ["cost_above_budget", "cost_above_budget", "share_above_100"]
    assert "低保资金成本" in rows[0][1] and "300.00" in rows[0][1]
    assert "管理成本" in rows[1][1] and "= 400 万元" in rows[1][1]
    assert "救助对象满意度" in rows[2][1]


def test_consistent_seed_raises_no_checks(db_path):
    run_cli("extract", "data/raw", "--db", db_path, "--quiet", check=True)
    assert query(db_path, "SELECT count(*) FROM checks")[0][0] == 0


def test_help_explains_every_subcommand():
    proc = run_cli("--help", check=True)
    for word in ("extract", "checks"):
        assert word in proc.stdout
    proc = run_cli("extract", "--help", check=True)
    for option in ("--db", "--force", "--quiet"):
        assert option in proc.stdout


def test_summary_and_quiet(tmp_path, db_path):
    proc = run_cli("extract", "data/raw", "--db", db_path, check=True)
    assert "documents: 1" in proc.stderr and "indicators: 25" in proc.stderr and "tables: 1" in proc.stderr
    proc = run_cli("extract", "data/raw", "--db", tmp_path / "q.duckdb", "--quiet", check=True)
    assert proc.stderr.strip() == "" and proc.stdout.strip() == ""


def test_checks_command_lists_checks(tmp_path, db_path):
    path = tmp_path / "d.txt"
    path.write_text(INCONSISTENT, encoding="utf-8")
    run_cli("extract", path, "--db", db_path, "--quiet", check=True)
    proc = run_cli("checks", "--db", db_path, check=True)
    assert "total_vs_lines" in proc.stdout and "d.txt" in proc.stdout


def test_self_audit_names_a_page_whose_target_table_was_not_read(tmp_path, db_path):
    """A target title over a ruled table whose columns the rebuilder cannot read: no table, but a
    document-level `table_missed` check that `checks` prints with the file."""
    from tests import pdf_fixtures as pf

    rows = [["考核内容", "考核标准"], ["培训", "≥10次"], ["宣传", "≥5次"]]
    pdf = pf.build(
        tmp_path / "2026年某局部门预算.pdf",
        [pf.title("2026年项目支出绩效目标表"), pf.spacer(), pf.rows_table(rows, [200, 200])],
    )
    run_cli("extract", pdf, "--db", db_path, "--quiet", check=True)
    rows = query(db_path, 'SELECT table_id, "check", detail FROM checks')
    assert len(rows) == 1 and rows[0][0].endswith("#0000") and rows[0][1] == "table_missed"
    assert "page 1" in rows[0][2]
    out = run_cli("checks", "--db", db_path, check=True).stdout
    assert "table_missed" in out and "2026年某局部门预算.pdf" in out


def test_projects_printed_in_two_lists_are_flagged_once():
    from decimal import Decimal

    from pipeline.model import Table
    from pipeline.normalize.checks import document_checks

    def listed(project, amount):
        return Table(
            "project", 2026, "某局", None, project, Decimal(amount), None, None, "目标", 1, 1, goal_list=True
        )

    tables = [
        listed("道路养护", "10"),
        listed("路灯维修", "5"),
        listed("道路养护", "10"),
        listed("路灯维修", "6"),
    ]
    (check,) = document_checks([], tables)
    assert check.check == "project_listed_twice" and check.detail.startswith("1 projects")


def test_output_piped_into_head_ends_quietly(tmp_path, db_path):
    """`python -m pipeline checks … | head -1`: the reader leaves early, no traceback."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    path = tmp_path / "d.txt"
    path.write_text(INCONSISTENT * 30, encoding="utf-8")
    run_cli("extract", path, "--db", db_path, "--quiet", check=True)
    cmd = f"{sys.executable} -m pipeline checks --db {db_path} | head -1"
    proc = subprocess.run(cmd, shell=True, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.stdout.count("\n") == 1 and "Traceback" not in proc.stderr, proc.stderr
