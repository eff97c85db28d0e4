"""`python -m pipeline report`: the HTML page, opened in real headless Chromium.

Two looks at the rendered page: a screenshot whose pixels must show each chart's fill colour,
and the DOM after layout, where a probe script (added to a copy of the page) records every
chart's rendered size and its number of drawn marks.  A third drives Chromium over the
DevTools protocol (`tests/cdp.py`): it clicks a chart's source link and lands in the PDF viewer
on the source file's page.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html import escape, unescape
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from pipeline.analysis import charts
from pipeline.analysis.report import CHART_ROWS
from tests import pdf_fixtures as fx
from tests.cdp import Browser
from tests.conftest import ROOT, run_cli

CHARTS = ("satisfaction", "budget", "dimension", "quantified", "region")
PDF_VIEWER = "chrome-extension://mhjfbmdgcfjbbpaeojofohoefgiehjai/"  # Chromium's built-in PDF viewer
# Each chart's bar colours; at least one of them must fill a real area of the screenshot.
CHART_COLOURS = {
    "satisfaction": (charts.SATISFACTION,),
    "budget": (charts.BUDGET_DEPARTMENT, charts.BUDGET_PROJECT),
    "dimension": (charts.DIMENSION,),
    "quantified": (charts.QUANTIFIED,),
    "region": (charts.QUANTIFIED,),
}
MIN_PIXELS = 500  # a legend swatch is 144 px; a bar is far more

# A department table whose 合计 does not reconcile and one value that does not parse.
INCONSISTENT = """部门(单位)整体支出绩效目标表
(2021 年)
部门(单位)名称\t某县民政局
任务名称\t主要内容\t预算金额(万元)
\t\t总额\t财政拨款\t其他资金
合计\t\t300.00\t250.00\t50.00
低保资金\t按月发放低保金\t200.00\t150.00\t50.00
养老服务\t建设养老服务中心\t90.00\t90.00\t0.00
年度总体目标\t保障困难群众基本生活
年度绩效指标\t一级指标\t二级指标\t三级指标\t指标值
\t产出指标\t数量指标\t保障人数\t≥650人
\t产出指标\t质量指标\t资金发放准确率\t100%
\t效益指标\t社会效益指标\t困难群众基本生活\t得到保障
\t效益指标\t社会效益指标\t立项与验收\t项目立项数量≥400个；终验数量≥400个
\t满意度指标\t服务对象满意度指标\t救助对象满意度\t≥90%
"""

PROBE = """<script>
(function () {
  for (const fig of document.querySelectorAll("figure.chart")) {
    const svg = fig.querySelector("svg");
    const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
    let marks = 0;
    for (const m of svg ? svg.querySelectorAll(".mark") : []) {
      const b = m.getBBox();
      const fill = getComputedStyle(m).fill;
      if (b.width > 0 && b.height > 0 && fill !== "none") marks++;
    }
    fig.setAttribute("data-rendered", Math.round(box.width) + " " + Math.round(box.height) + " " + marks);
  }
  document.body.setAttribute("data-probe", "done");
})();
</script>"""


def _browser() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    if os.environ.get("PERF_TARGETS_REQUIRE_BROWSER") == "1":
        pytest.fail("PERF_TARGETS_REQUIRE_BROWSER=1 but no chromium on PATH (make sysdeps installs it)")
    pytest.skip("no chromium, chromium-browser or google-chrome on PATH")


def _chromium(browser: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "chromium-profile"
    proc = subprocess.run(
        [browser, "--headless", "--disable-gpu", "--no-sandbox", f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc


class _Figures(HTMLParser):
    """Attributes of every <figure class="chart"> in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.figures: dict[str, dict[str, str | None]] = {}
        self.body: dict[str, str | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "figure" and "chart" in (a.get("class") or "").split():
            self.figures[a.get("data-chart") or ""] = a
        elif tag == "body":
            self.body = a


def _figures(html: str) -> _Figures:
    parser = _Figures()
    parser.feed(html)
    return parser


def _report(db: Path, out: Path) -> str:
    proc = run_cli("report", "--db", db, "--out", out, check=True)
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1 and str(out) in lines[0] and "indicators" in lines[0], proc.stdout
    return out.read_text(encoding="utf-8")


def _assert_self_contained(html: str) -> None:
    """No scripts, nothing fetched; links only to the page's own sections and to local source files."""
    assert "<script" not in html.lower()
    for pattern in (r"<link\b", r"\bsrc\s*=", r"@import", r"url\("):
        assert not re.search(pattern, html, re.I), pattern
    for href in re.findall(r"\bhref\s*=\s*\"([^\"]*)\"", html, re.I):
        assert href.startswith(("#", "file:///")), href
    assert len(re.findall(r"\bhref\s*=", html, re.I)) == len(re.findall(r"\bhref=\"", html))


def _assert_renders(html_path: Path, tmp_path: Path) -> dict[str, tuple[int, int, int]]:
    """Open the page in headless Chromium: screenshot colours and per-chart rendered size/marks."""
    from PIL import Image

    browser = _browser()
    shot = tmp_path / "report.png"
    _chromium(browser, tmp_path, f"--screenshot={shot}", "--window-size=1280,4000", html_path.as_uri())
    with Image.open(shot) as im:
        colours = im.convert("RGB").getcolors(maxcolors=1 << 24)
    counts = {rgb: n for n, rgb in colours}

    def pixels(hex_colour: str) -> int:
        r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
        return sum(
            n
            for (cr, cg, cb), n in counts.items()
            if abs(cr - r) <= 2 and abs(cg - g) <= 2 and abs(cb - b) <= 2
        )

    for chart, fills in CHART_COLOURS.items():
        found = sum(pixels(c) for c in fills)
        assert found >= MIN_PIXELS, f"{chart}: {found} pixels of {fills} in the screenshot"

    probed = tmp_path / "probed.html"
    probed.write_text(
        html_path.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8"
    )
    dom = _figures(_chromium(browser, tmp_path, "--dump-dom", probed.as_uri()).stdout)
    assert dom.body.get("data-probe") == "done", "the probe script did not run"
    rendered = {}
    for chart in CHARTS:
        w, h, marks = map(int, (dom.figures[chart].get("data-rendered") or "0 0 0").split())
        assert w > 100 and h > 30, f"{chart} rendered {w}x{h}"
        assert marks >= 1, f"{chart} drew no marks"
        rendered[chart] = (w, h, marks)
    return rendered


def test_report_of_the_shipped_sample_renders(tmp_path: Path) -> None:
    db = tmp_path / "t.duckdb"
    dump = tmp_path / "inputs" / "county_civil_affairs.txt"
    dump.parent.mkdir()
    dump.write_text(INCONSISTENT, encoding="utf-8")
    run_cli("extract", ROOT / "data" / "raw", dump.parent, "--db", db, "--quiet", check=True)
    out = tmp_path / "out" / "report.html"
    html = _report(db, out)
    _assert_self_contained(html)

    figures = _figures(html).figures
    assert set(figures) == set(CHARTS)
    assert not any(f.get("data-empty") for f in figures.values())
    assert "库尔勒市司法局" in html and "某县民政局" in html
    # The checks section lists the analysts' three cross-checks, with the ones raised here.
    for check in ("cost_above_budget", "total_vs_lines", "value_unparsed"):
        assert f'id="check-{check}"' in html
    assert "300" in html.split('id="check-total_vs_lines"')[1].split("<h3")[0]

    rendered = _assert_renders(out, tmp_path)
    assert rendered["dimension"][2] >= 7  # the sample's 2020 table alone uses 7 dimensions
    assert rendered["quantified"][2] >= 2  # two departments, each with at least one segment


@pytest.mark.slow
def test_report_of_the_corpus_renders(tmp_path: Path, real_db: Path) -> None:
    """The session's database of the real and seed documents."""
    db = real_db
    out = tmp_path / "report.html"
    html = _report(db, out)
    _assert_self_contained(html)
    rendered = _assert_renders(out, tmp_path)

    con = duckdb.connect(str(db), read_only=True)
    try:
        departments = con.execute(
            """SELECT count(DISTINCT (department, region)) FROM v_indicators
               WHERE concept = 'satisfaction' AND unit = '%' AND comparator IN ('>=', '>', '=', 'range')
                 AND value_num BETWEEN 0 AND 100"""
        ).fetchone()[0]
        unparsed = con.execute("SELECT count(*) FROM checks WHERE \"check\" = 'value_unparsed'").fetchone()[0]
    finally:
        con.close()
    assert departments >= 5
    # one bar and one tick (lowest target) per department drawn: all, or the two ends of the ranking
    assert rendered["satisfaction"][2] == 2 * min(departments, CHART_ROWS)
    section = html.split('id="chart-satisfaction"')[1].split("</section>")[0]
    assert section.split("<tbody>")[1].count("<tr>") == departments  # the table lists every one
    # most rows link to a PDF page of the corpus (text dumps and spreadsheets have no page)
    assert html.count('<a class="src" href="file:///') >= departments
    assert unparsed > 0 and f"value_unparsed · {unparsed}" in html


def test_report_escapes_text_and_shortens_long_names(tmp_path: Path) -> None:
    db = tmp_path / "t.duckdb"
    run_cli("extract", ROOT / "data" / "raw", "--db", db, "--quiet", check=True)
    name = '<script>alert("x")</script>新疆维吾尔自治区巴音郭楞蒙古自治州库尔勒市司法局 & 法律援助中心'
    con = duckdb.connect(str(db))
    con.execute("UPDATE target_tables SET department = ?", [name])
    con.close()
    html = _report(db, tmp_path / "report.html")
    _assert_self_contained(html)  # no <script> got through
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;新疆" in html
    assert "法律援助中心" in html and "司法局 &amp; 法律援助中心" in html
    # axis labels are shortened with '…' and carry the full name as a tooltip
    labels = re.findall(r'<text class="label"[^>]*><title>([^<]*)</title>([^<]*)</text>', html)
    shortened = [(full, short) for full, short in labels if full.startswith("&lt;script&gt;")]
    assert shortened and all(
        short.endswith("…") and full.endswith("法律援助中心") and len(short) < len(full)
        for full, short in shortened
    )


def test_empty_database_gives_a_page_that_says_so(tmp_path: Path) -> None:
    from pipeline.store.db import open_db

    db = tmp_path / "empty.duckdb"
    open_db(db, read_only=False, create=True).close()  # the schema, no rows
    html = _report(db, tmp_path / "report.html")
    figures = _figures(html).figures
    assert set(figures) == set(CHARTS)
    assert all(f.get("data-empty") == "1" for f in figures.values())
    assert html.count("无数据") >= len(CHARTS)
    assert 'class="mark' not in html


def test_missing_database_is_one_line_and_exit_2(tmp_path: Path) -> None:
    proc = run_cli("report", "--db", tmp_path / "nope.duckdb", "--out", tmp_path / "r.html")
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "nope.duckdb" in proc.stderr
    assert not (tmp_path / "r.html").exists()


def _source_pdf(path: Path) -> Path:
    """A two-page disclosure: a cover, then a project table whose 成本 target exceeds its budget."""
    indicators = [
        ("产出指标", "数量指标", "培训教师人次", "≥", "2800", "人次"),
        ("成本指标", "经济成本指标", "培训总成本", "≤", "50", "万元"),
        ("满意度指标", "服务对象满意度指标", "参训教师满意度", ">=", "92", "%"),
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    return fx.build(
        path,
        [
            fx.title("某市教育局2026年部门预算"),
            fx.page_break(),
            fx.line("表4-1"),
            fx.title("项目支出绩效目标表"),
            fx.line("（2026年度）    单位：万元"),
            fx.project_table("教师培训经费", "某市教师发展中心", "10.00", "10.00", "0.00", indicators),
        ],
    )


def test_a_chart_row_links_to_its_source_page_and_the_link_opens_the_pdf_there(tmp_path: Path) -> None:
    browser = _browser()
    pdf = _source_pdf(tmp_path / "inputs" / "某市 教育局 预算.pdf")  # a space and CJK: the URI escapes both
    db = tmp_path / "t.duckdb"
    run_cli("extract", pdf.parent, "--db", db, "--quiet", check=True)
    out = tmp_path / "out" / "report.html"
    html = _report(db, out)
    _assert_self_contained(html)

    href = pdf.resolve().as_uri() + "#page=2"
    assert "%20" in href and "#page=2" in href
    satisfaction = html.split('data-chart="satisfaction"')[1].split("</figure>")[0]
    assert f'<a class="src" href="{escape(href)}"' in satisfaction  # the bar's label links to page 2
    table = html.split('id="chart-satisfaction"')[1].split("</section>")[0].split("<table>")[1]
    assert f'href="{escape(href)}"' in table and "参训教师满意度" in table  # …and says which row
    check = html.split('id="check-cost_above_budget"')[1].split("<h3")[0]
    assert f'href="{escape(href)}"' in check  # the check is listed with its page

    with Browser(browser, tmp_path / "cdp-profile") as b:
        b.navigate(out.as_uri())
        assert b.evaluate("location.href") == out.as_uri()
        link, x, y = b.evaluate(
            """(() => {
                 const a = document.querySelector('figure[data-chart="satisfaction"] a.src');
                 a.scrollIntoView({block: "center"});
                 const r = a.getBoundingClientRect();
                 return [a.getAttribute("href"), r.x + r.width / 2, r.y + r.height / 2];
               })()"""
        )
        assert unescape(link) == href
        b.click(x, y)
        targets = b.wait_targets(
            lambda ts: (
                any(t["type"] == "page" and t["url"] == href for t in ts)
                and any(t["url"].startswith(PDF_VIEWER) for t in ts)
            )
        )
        content_type = b.evaluate("document.contentType")
    pages = [t["url"] for t in targets if t["type"] == "page"]
    assert pages == [href], targets  # the click navigated the page to the PDF, at page 2
    assert any(t["url"].startswith(PDF_VIEWER) for t in targets), targets  # the PDF viewer opened it
    assert content_type == "application/pdf"


def _department_dump(i: int) -> str:
    """A department table of department number i: satisfaction ≥(50+i)%, cost ≤(i+1)万元."""
    return f"""部门(单位)整体支出绩效目标表
(2021 年)
部门(单位)名称\t第{i + 1}县民政局
任务名称\t主要内容\t预算金额(万元)
\t\t总额\t财政拨款\t其他资金
合计\t\t{100 + i}.00\t{100 + i}.00\t0.00
年度总体目标\t保障困难群众基本生活
年度绩效指标\t一级指标\t二级指标\t三级指标\t指标值
\t产出指标\t数量指标\t保障人数\t≥650人
\t成本指标\t经济成本指标\t办公经费成本\t≤{i + 1}万元
\t满意度指标\t服务对象满意度指标\t救助对象满意度\t≥{50 + i}%
"""


def test_rankings_show_the_weakest_as_well_as_the_strongest(tmp_path: Path) -> None:
    n = CHART_ROWS + 6
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    for i in range(n):
        (inputs / f"dept_{i:02d}.txt").write_text(_department_dump(i), encoding="utf-8")
    db = tmp_path / "t.duckdb"
    run_cli("extract", inputs, "--db", db, "--quiet", check=True)
    html = _report(db, tmp_path / "report.html")
    _assert_self_contained(html)

    def drawn(chart: str) -> list[str]:
        svg = html.split(f'data-chart="{chart}"')[1].split("</svg>")[0]
        return re.findall(r'<text class="label"[^>]*><title>([^<]*)</title>', svg)

    def table_rows(chart: str) -> int:
        section = html.split(f'id="chart-{chart}"')[1].split("</section>")[0]
        return section.split("<tbody>")[1].count("<tr>")

    # satisfaction: higher is better, so the strongest (≥95%) on top and the weakest (≥50%) at the bottom
    labels = drawn("satisfaction")
    assert len(labels) == CHART_ROWS
    assert labels[0] == f"第{n}县民政局" and labels[-1] == "第1县民政局"
    assert "第2县民政局" in labels and f"第{n - 1}县民政局" in labels
    svg = html.split('data-chart="satisfaction"')[1].split("</svg>")[0]
    assert f"⋯ {n - CHART_ROWS} departments between the strongest and the weakest" in svg
    assert table_rows("satisfaction") == n  # the table behind it is complete
    # budget: the largest and the smallest; quantified share: both ends too
    assert drawn("budget")[-1] == "第1县民政局" and drawn("budget")[0] == f"第{n}县民政局"
    assert len(drawn("quantified")) == CHART_ROWS and table_rows("quantified") == n
    assert table_rows("budget") == n

    # per concept: a cost ceiling is lower-is-better, so its weakest target is the highest
    concepts = html.split('id="concepts"')[1].split("</section>")[0]
    row = next(r for r in concepts.split("<tr>") if r.startswith("<td>budget_control</td>"))
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
    assert "lower is better" in cells[2]
    assert f"≤{n}万元" in cells[12] and "≤1万元" in cells[13], cells
    row = next(r for r in concepts.split("<tr>") if r.startswith("<td>satisfaction</td>"))
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
    assert "higher is better" in cells[2] and "≥50%" in cells[12] and f"≥{50 + n - 1}%" in cells[13]

    # per region: one row per region the departments are in, each with its figures
    regions = html.split('id="chart-region"')[1].split("</section>")[0]
    assert "<th>median 满意度</th>" in regions and table_rows("region") >= 1
