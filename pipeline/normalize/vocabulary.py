"""The table vocabulary: the words that identify target tables, their metadata keys and
their column headers.  One module for everyone who reads them: page triage
(`extractors.triage`), OCR repair (`extractors.ocr.repair`, which snaps misread keys and
titles to the printed words here) and the rebuilder (`pipeline.rebuild`).  Title verdicts
and evaluation headers are in `titles`.

Everything here is matched against `compact()` text (width-folded, no whitespace).
"""

from __future__ import annotations

import re
from functools import lru_cache

from pipeline.normalize import titles
from pipeline.normalize.taxonomy import LEVEL1, LEVEL2
from pipeline.normalize.text import compact

# --- titles -------------------------------------------------------------------------------
_YEAR = re.compile(r"(?<!\d)(20[1-4]\d)\s*年")
_YEAR_ONLY = re.compile(r"^[(（\[【]?\s*(20[1-4]\d)\s*年?度?\s*[)）\]】]?((金额)?单位[:：]?(万元|元))?$")


def title_kind(text: str) -> str | None:
    """'department' / 'project' when a line is the title of a target table, else None."""
    v = titles.title_verdict(text)
    return v.kind if v is not None and v.verdict == titles.TARGET else None


# A title remainder that names no project: a generic table name, alone or after the
# department and/or the year (`某局2026年项目支出`).
_GENERIC_TITLE = re.compile(
    r"^(.*?(局|委员会|委|厅|办公室|办|院|中心|部门|单位|政府|本级)?(20\d\d年度?)?)"
    r"(项目支出|项目|政策和项目预算|政策和项目|部门专项业务经费|专项业务经费|专项资金总体|专项资金|财政项目支出|"
    r"转移支付区域|转移支付|部门整体支出|单位整体支出|整体支出|部门整体预算|部门整体|项目预算|预算项目)?$"
)
_CODE_UNIT_PREFIX = re.compile(r"^[0-9A-Za-z]{3,}[_＿-](.+?)[_＿](.+)$")
_TITLE_SUFFIX = re.compile(r"(的)?绩效目标(表|申报表|填报表).*$|(的)?绩效目标$")


def project_from_title(title: str) -> tuple[str | None, str | None]:
    """(unit, project) named by a project table's own title, where no 项目名称 row exists:
    `301007_某分局_机场修缮项目绩效目标表` → (某分局, 机场修缮项目).  Generic titles
    (项目支出绩效目标表, 某局2026年项目支出绩效目标表) name no project."""
    s = compact(title)
    s = re.sub(r"^(附?表\s*[\d-]+|[(（]?[一二三四五六七八九十\d]+[)）.、．])", "", s)
    core = _TITLE_SUFFIX.sub("", s)
    if not core or core == s:
        return None, None
    unit = None
    m = _CODE_UNIT_PREFIX.match(core)
    if m:
        unit, core = m.group(1), m.group(2)
    m = _GENERIC_TITLE.match(core)
    prefix = m.group(1) if m else core
    if len(core) < 2 or (m and (not prefix or m.group(2) or m.group(3))):
        return unit, None
    return unit, core


def year_in(text: str) -> int | None:
    m = _YEAR.search(compact(text))
    return int(m.group(1)) if m else None


def year_line(text: str) -> int | None:
    """A line that holds only the budget year (`(2020 年)`, `2020年度`, `（2019年度）`), possibly
    followed by the money unit (`（2023年度） 单位：万元`)."""
    m = _YEAR_ONLY.match(compact(text))
    return int(m.group(1)) if m else None


_CONTINUED = re.compile(r"续表|[(（]续[)）]|表[\d\-—]*续$|^续$")


def is_continuation(text: str) -> bool:
    """`续表`, `表3-1续`, `项目支出绩效目标表（续）`: the table above goes on, nothing new starts."""
    s = compact(text)
    return len(s) <= 60 and bool(_CONTINUED.search(s))


def is_other_table_title(text: str) -> bool:
    """A title of some other budget table (收支总表, 表5 …): it ends the current target table.
    A bare label (`表11`) is not a title: it may be the open table's own label on its next page."""
    s = compact(text)
    if titles.title_verdict(s) or is_continuation(s) or titles.bare_label(s):
        return False
    if re.match(r"^(附?表\s*\d+[-—\d]*|预算\d+表)", s) and len(s) <= 40:
        return True
    return len(s) <= 50 and s.endswith("表") and not re.search(r"[。，；：:]", s) and "指标" not in s


# --- units of money ----------------------------------------------------------------------------
_UNIT_NOTE = re.compile(r"(?:单位|金额单位)[:：]?\s*(万元|元)")
_UNIT_PAREN = re.compile(r"[(（](万元|元)[)）]")


def money_unit(text: str) -> str | None:
    """'万元' or '元' when a cell states the money unit (`单位：元`, `预算金额(万元)`)."""
    s = compact(text)
    if s in ("万元", "元"):
        return s
    m = _UNIT_NOTE.search(s) or _UNIT_PAREN.search(s)
    return m.group(1) if m else None


# --- metadata keys -------------------------------------------------------------------------------
KEYS: list[tuple[str, re.Pattern[str]]] = [
    (
        "project",
        re.compile(
            r"^(项目|专项|转移支付|转移支付项目|专项转移支付|资金|专项资金|政策|项目\(政策\)|重点项目)名称$|^项目名$"
        ),
    ),
    (
        "department",
        re.compile(
            r"^(部门\(单位\)名称|部门（单位）名称|部门名称|主管部门(及代码|名称)?|主管单位|预算部门|部门\(单位\)|"
            r"部门名称及代码|主管部门\(单位\))$"
        ),
    ),
    ("filer", re.compile(r"^(填报单位|预算单位|单位名称|部门单位|编报单位|申报单位|填报部门)(\(盖章\))?$")),
    ("unit", re.compile(r"^(实施单位|项目实施单位|执行单位|资金使用单位)$")),
    (
        "mid_total",
        re.compile(
            r"^(中期|实施期|实施周期|项目实施期|项目周期|项目期)(资金|预算)?(总额|总计|合计|金额|总金额)?$"
            r"|^(项目)?总投资$"
        ),
    ),
    (
        "total",
        re.compile(
            r"^(年度(预算)?资金总额|(预算)?资金总额|年度金额|预算支出总额|预算总额|项目总额|年度预算|"
            r"年度预算资金|年度资金|总额|本年预算|本年资金总额|"
            r"(年度|本年度?|项目|预算|项目年度)?(预算)?(资金|金额)(总额|合计|总计|总金额)|合计金额|总金额)$"
        ),
    ),
    (
        "carryover",
        re.compile(
            r"^(其中)?[:：]?(上年结转(结余)?(资金)?|结转(结余)?资金|上年结余(资金)?|以前年度结转(资金)?)$"
        ),
    ),
    (
        "fiscal",
        re.compile(
            r"^(其中)?[:：]?(财政拨款|财政资金|一般公共预算|财政拨款资金|本级财政资金|财政补助|财政性资金|"
            r"一般公共预算资金|本年财政拨款|当年财政拨款|财政拨款收入)$"
        ),
    ),
    ("other", re.compile(r"^(其中)?[:：]?(其他资金|其它资金|其他)$")),
    (
        "goal",
        re.compile(
            r"^(绩效目标|项目绩效目标|年度总体目标|年度目标|年度绩效目标|本年度绩效目标|年度总体绩效目标|整体绩效目标|总体绩效目标|部门整体绩效目标|"
            r"项目年度目标|部门年度目标|项目年度绩效目标|单位整体绩效目标|部门年度绩效目标|年度整体绩效目标)$"
        ),
    ),
    (
        "goal_term",
        re.compile(r"^(项目实施期目标|实施期目标|中期目标|总体目标|长期目标|实施期绩效目标)(\(.*\))?$"),
    ),
]


@lru_cache(maxsize=1 << 16)
def key_of(text: str) -> str | None:
    """Which metadata key a cell is (its text stripped of trailing colons and units)."""
    s = compact(text)
    s = re.sub(r"[(（](万元|元)[)）]$", "", s).strip(":：")
    if not s or len(s) > 24:
        return None
    for name, pat in KEYS:
        if pat.match(s):
            return name
    return None


# --- budget lines (department tables) ---------------------------------------------------------
def is_budget_header(texts: list[str]) -> bool:
    s = [compact(t) for t in texts]
    return any(t in ("任务名称", "任务", "名称", "项目名称") or t.startswith("任务名称") for t in s) and any(
        "主要内容" in t or "主要实施内容" in t or "预算金额" in t or "资金总额" in t for t in s
    )


@lru_cache(maxsize=1 << 16)
def budget_role(text: str) -> str | None:
    s = compact(text)
    s = re.sub(r"[(（](万元|元)[)）]", "", s)
    if s.startswith("任务名称") or s in ("任务", "名称", "项目名称", "工作任务"):
        return "task"
    if "主要内容" in s or "主要实施内容" in s or s in ("内容", "实施内容"):
        return "content"
    if s in (
        "总额",
        "资金总额",
        "合计",
        "小计",
        "预算总额",
        "年度资金总额",
        "拟投入的资金",
        "预算金额",
        "预算数",
        "金额",
        "拟投入资金",
    ):
        return "total"
    if s.startswith("财政拨款") or s == "财政资金":
        return "fiscal"
    if s.startswith("其他资金") or s == "其它资金":
        return "other"
    if s in ("备注", "说明") or s.startswith("期望达到的目标") or s.startswith("预期目标"):
        return "remark"
    return None


def is_budget_block_label(text: str) -> bool:
    """The merged label in front of the task rows (年度主要任务, 年度重点工作任务)."""
    return compact(text) in (
        "年度主要任务",
        "年度重点工作任务",
        "主要任务",
        "重点工作任务",
        "年度工作任务",
        "任务",
    )


def is_total_row_label(text: str) -> bool:
    return compact(text) in ("合计", "总计", "合 计", "小计")


# --- indicator headers ---------------------------------------------------------------------------
_VALUE = re.compile(
    r"(年度|本年|本年度|当年|20\d\d年度?)?(绩效)?(指标值|目标值|目标值\(标准\)|指标目标值|预期目标值|指标值\(年度\))"
)
_VALUE_ANY = re.compile(r"[\u4e00-\u9fff]{0,6}(指标值|目标值|标准值)")
_NOT_VALUE = re.compile(r"^(实际|完成|全年实际|上年|历史|去年)")
_LIST_GOAL = re.compile(
    r"^(项目|部门|单位)?(年度|本年度|本年|整体|总体|项目总体|项目年度|主要)?(绩效)?目标(内容|描述)?$"
)
_LIST_AMOUNT = re.compile(
    r"^(项目|年度|本年|预算|资金|安排)?(资金|金额|预算数|预算金额|资金总额|总额|合计|总计|预算|金额合计|预算安排)$"
)
_ORG = re.compile(r"^(预算|实施|项目|执行|主管|项目实施|资金使用)?单位(名称)?$|^部门(单位)?名称$")
# 单位（项目）名称, 项目名称（资金使用单位）, 单位/项目名称: one column naming units and projects
_ORG_PROJECT = re.compile(
    r"单位[(（/、]项目|项目[^()（）]*[(（/、][^()（）]*单位|单位[^()（）]*[(（/、][^()（）]*项目"
)
_CODE_HEADER = re.compile(r"^(单位|项目|预算单位|部门)?(编码|代码)$")


@lru_cache(maxsize=1 << 16)
def indicator_role(text: str) -> str | None:
    """Column role of an indicator-block (or project-list) header cell."""
    raw = compact(text)
    if _ORG_PROJECT.search(raw) and len(raw) <= 16:
        return "org_project"  # 单位（项目）名称: unit rows with their project rows under them
    s = re.sub(r"[(（].*?[)）]", "", raw)
    if not s:
        return None
    if s in ("一级指标", "一级", "一级指标名称"):
        return "level1"
    if s in ("二级指标", "二级", "二级指标名称"):
        return "level2"
    if s in (
        "三级指标",
        "三级",
        "三级指标名称",
        "指标名称",
        "指标内容",
        "绩效指标名称",
        "具体指标",
        "三级指标内容",
    ):
        return "name"
    if s in (
        "指标性质",
        "绩效指标性质",
        "性质",
        "指标方向",
        "运算符号",
        "符号",
        "指标值类型",
        "指标类型",
        "比较符",
        "运算符",
        "比较方式",
    ):
        return "nature"
    if s in ("度量单位", "计量单位", "绩效度量单位", "单位", "指标单位", "指标值单位"):
        return "unit"
    if s in ("分值", "权重", "指标分值", "指标权重", "权重(%)", "分值权重"):
        return "weight"
    if s in (
        "备注",
        "说明",
        "指标说明",
        "评分标准",
        "评(记)分标准",
        "指标解释",
        "扣分标准",
        "评分规则",
        "计分方法",
    ):
        return "remark"
    if re.fullmatch(r"(中期|实施期|实施周期|项目实施期|长期|整体)(绩效)?(指标值|目标值|目标)", s):
        return "value_term"
    if _VALUE.fullmatch(s) or s in ("年度指标值", "本年绩效指标值", "年度目标值", "指标值"):
        return "value"
    if _VALUE_ANY.fullmatch(s) and not _NOT_VALUE.match(s):
        return "value"
    if s in ("绩效指标", "年度绩效指标", "绩效目标指标", "指标", "产出和效益指标", "绩效指标及指标值"):
        return "block"
    if s in ("活动", "活动名称", "项目活动"):
        return "activity"
    if s in ("序号", "编号"):
        return "seq"
    if _CODE_HEADER.fullmatch(s):
        return "code"
    if _ORG.fullmatch(s):
        return "org"
    # Columns of layouts that list many projects in one table (one row or block per project).
    if s in ("项目名称", "项目", "项目(政策)名称", "政策名称", "专项名称", "项目名"):
        return "project"
    if s in ("财政拨款", "财政资金", "其中:财政拨款", "其中：财政拨款", "一般公共预算", "财政拨款资金"):
        return "p_fiscal"
    if s in ("其他资金", "其它资金"):
        return "p_other"
    if _LIST_AMOUNT.fullmatch(s) or s in ("项目总额", "年度资金总额"):
        return "p_total"
    if _LIST_GOAL.fullmatch(s):
        return "goal"
    return None


def is_indicator_header(texts: list[str]) -> bool:
    """A header row of an indicator block, of a list of projects with their indicators, or of a
    goal-only list of projects (unit, project, amount, 绩效目标)."""
    roles = {indicator_role(t) for t in texts if t}
    levels = len(roles & {"level1", "level2", "name"})
    has_value = bool(roles & {"value", "value_term"})
    if (levels >= 2 and (has_value or "level1" in roles)) or (levels >= 1 and has_value and "name" in roles):
        return True
    # packed layouts: 绩效指标 holds the levels and the name (with 指标性质/指标值 columns),
    # or the whole list of a project's indicators (one cell per project row)
    if "block" in roles and has_value and roles & {"nature", "unit", "activity"}:
        return True
    if "block" in roles and "project" in roles and bool(roles & {"p_total", "p_fiscal", "goal"}):
        return True
    # a goal-only list: unit, project, amount and 绩效目标 columns, one project per row
    named = "project" in roles or "org_project" in roles
    return named and "goal" in roles and bool(roles & {"p_total", "p_fiscal", "org", "org_project", "code"})


def is_header_row(texts: list[str], min_cells: int = 2) -> bool:
    """Every cell of the row is a column header word: a (repeated) header, never data."""
    return len(texts) >= max(min_cells, 1) and all(indicator_role(t) is not None for t in texts)


# --- page triage (extractors.triage) ---------------------------------------------------------
# matched against a page's text with whitespace removed: evidence of a target table
INDICATOR_WORDS = (
    "一级指标",
    "二级指标",
    "三级指标",
    "指标值",
    "目标值",
    "产出指标",
    "效益指标",
    "满意度指标",
    "数量指标",
    "质量指标",
    "时效指标",
    "成本指标",
    "绩效指标",
)
# the header of a goal-only project list: 项目(名称) | 金额 | 绩效目标
LIST_HEADER = re.compile(r"项目.{0,30}(金额|预算数|总计|合计|资金).{0,40}绩效目标|绩效目标.{0,20}项目名称")
EVALUATION_WORDS = (
    "实际完成值",
    "实际完成情况",
    "偏差原因",
    "自评得分",
    "自评分",
    "全年执行数",
    "未完成原因",
)


# --- OCR repair (extractors.ocr.repair): the printed words a misread cell is snapped to --------
OTHER_FORMS = re.compile(r"自评|评价|评分|决算")  # near a target-table title, yet another form
TITLE_TAILS = ("整体支出绩效目标表", "项目支出绩效目标表", "绩效目标申报表", "绩效目标表")

# Printed keys and headers: what a short cell that is one character off becomes.
PRINTED_KEYS = (
    "项目名称",
    "主管部门",
    "实施单位",
    "部门(单位)名称",
    "部门名称",
    "填报单位",
    "预算单位",
    "年度资金总额",
    "其中:财政拨款",
    "财政拨款",
    "其他资金",
    "项目资金(万元)",
    "年度总体目标",
    "年度绩效目标",
    "年度目标",
    "任务名称",
    "主要内容",
    "预算金额(万元)",
    "一级指标",
    "二级指标",
    "三级指标",
    "指标值",
    "年度指标值",
    "指标性质",
    "度量单位",
    "绩效指标",
    "年度绩效指标",
    "中期目标",
    "实施期目标",
    "年度主要任务",
    "年度重点工作任务",
    "主要任务",
)

LEVEL_LABELS = tuple(dict.fromkeys([*LEVEL1, *LEVEL2, *(k[:-2] for k in LEVEL2), "服务对象满意度"]))
