"""What an indicator's own wording says about its 二级 category.

Used only where a table lost which merged label a row belongs to (flattened dumps,
OCR): a score per standard level2, from the name and the parsed value.  The scores
are evidence, not decisions; `pipeline.normalize.levels` combines them with the printed labels
and the order of the blocks.
"""

from __future__ import annotations

import re
from collections import defaultdict

from pipeline.normalize.text import compact
from pipeline.normalize.values import ParsedValue, unit_from_name

COUNT_UNITS = set(
    [
        "个",
        "人",
        "人次",
        "件",
        "次",
        "场",
        "场次",
        "家",
        "家次",
        "户",
        "套",
        "台",
        "座",
        "处",
        "块",
        "篇",
        "期",
        "项",
        "份",
        "张",
        "条",
        "所",
        "辆",
        "本",
        "批",
        "册",
        "名",
        "只",
        "头",
        "株",
        "亩",
        "公里",
        "千米",
        "米",
        "平方米",
        "平方公里",
        "立方米",
        "吨",
        "万人",
        "万册",
        "万人次",
        "万户",
        "万亩",
        "个数",
        "部",
        "间",
        "栋",
        "幢",
        "节",
        "课时",
        "班",
        "门",
        "宗",
        "起",
        "例",
        "单",
        "人日",
        "架",
        "艘",
        "组",
        "卷",
        "页",
        "字",
        "GB",
        "TB",
        "万条",
        "亿条",
        "条次",
        "处次",
        "车次",
        "户次",
        "床",
    ]
)
TIME_UNITS = {"天", "日", "小时", "分钟", "秒", "个工作日", "工作日", "个月", "月", "周", "年"}

_BENEFIT_FAMILY = ("社会效益指标", "生态效益指标", "经济效益指标", "可持续影响指标")
_QUALITATIVE_BENEFIT = re.compile(
    r"有效|显著|明显|提升|提高|改善|增强|促进|保障|稳定|良好|逐步|持续|"
    r"不断|加强|优化|完善|健全|推动|降低|减少|下降|巩固|长期|长效|丰富"
)
_BENEFIT_VERB = re.compile(r"^(提高|提升|加强|保障|促进|改善|推动|激发|增强|维护|推进|确保|带动|助力)")


def affinity(name: str, value: ParsedValue) -> dict[str, float]:
    n = compact(name)
    unit = value.unit or unit_from_name(name) or ""
    text = compact(value.value_text or "")
    s: dict[str, float] = defaultdict(float)

    if "满意" in n or "满意" in text:
        s["服务对象满意度指标"] += 4

    if re.search(
        r"及时|时限|时效|按时|按期|准时|期限|进度|工期|周期|完成时间|办结时间|响应时间|到位时间|"
        r"完工时间|处置时间|时间节点",
        n,
    ):
        s["时效指标"] += 2
    if unit in TIME_UNITS and value.comparator in ("<=", "<", "="):
        s["时效指标"] += 1
    if re.search(r"\d+月(底|末|份)?(前|之前|以前)|年底|按时|及时|按期|如期|准时", text):
        s["时效指标"] += 2

    money = "元" in unit
    if money and value.comparator in ("<=", "<", "="):
        s["成本指标"] += 2
        s["经济成本指标"] += 2
    if re.search(r"成本|费用|经费|资金|补助标准|补贴标准|补助金额|单价|造价|支出|开支|价格", n):
        s["成本指标"] += 1.5
        s["经济成本指标"] += 1.5
    if re.search(r"负面影响|社会稳定|社会成本|群众投诉|信访", n):
        s["社会成本指标"] += 1.5
    if re.search(r"扬尘|污染|噪音|噪声|排放|生态环境|环境影响|生态破坏|环境成本", n):
        s["生态环境成本指标"] += 1.5

    if unit in COUNT_UNITS and value.comparator is not None:
        s["数量指标"] += 2.5
    if re.search(r"数量|人数|次数|个数|场次|户数|面积|长度|里程|规模|数$|件数|份数|(量)$", n):
        s["数量指标"] += 1

    if unit in ("%", "‰") and "率" in n:
        s["质量指标"] += 0.5
    if re.search(
        r"合格|达标|准确|质量|优良|完好|规范|验收|正确|合规|偏差|差错|精准|达成|知晓|覆盖|完成率|执行率", n
    ):
        s["质量指标"] += 1.5

    if value.comparator is None and _QUALITATIVE_BENEFIT.search(text):
        for k in _BENEFIT_FAMILY:
            s[k] += 1
    if _BENEFIT_VERB.search(n):
        for k in _BENEFIT_FAMILY:
            s[k] += 0.5
        s["社会效益指标"] += 0.25
    if re.search(r"长期|持续|长效|可持续|机制|制度建设|使用年限|寿命|常态化|后续", n) or re.search(
        r"^(长期|持续|长效|可持续|常态化|长期有效|持续发挥)", text
    ):
        s["可持续影响指标"] += 1.5
    if re.search(r"生态|环境|空气|水质|绿色|节能|低碳|排放|污染|PM|森林|植被|水土|能源|碳|湿地|河湖", n):
        s["生态效益指标"] += 1.5
    if re.search(r"经济|收入|增收|产值|GDP|营收|税收|营业额|销售|投资|创收|利润|增加值", n):
        s["经济效益指标"] += 1.5
    if re.search(
        r"社会|群众|公众|民生|安全|稳定|服务水平|获得感|幸福|治安|法治|权益|能力|意识|秩序|形象|"
        r"水平|就业|发展|生活",
        n,
    ):
        s["社会效益指标"] += 1
    return s
