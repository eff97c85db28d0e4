"""Department category (司法, 公安, 民政, 教育 …) from the words of a department's name.

Categories follow the functions of Chinese government bodies; each has the words that name it
in department titles.  The keyword that occurs earliest in the name decides, so
`公安局交通管理局` is 公安 and `卫生健康委员会` is 卫生健康; at equal positions the longer word wins.
"""

from __future__ import annotations

from functools import lru_cache

# category → words that name it (vocabulary of government functions, not of any one document)
CATEGORIES: dict[str, tuple[str, ...]] = {
    "司法": ("司法",),
    "公安": ("公安", "警察", "交警", "消防救援"),
    "检察": ("检察",),
    "法院": ("法院",),
    "民政": ("民政",),
    "教育": ("教育", "教委", "学校", "中学", "小学", "大学", "学院", "幼儿园", "职业技术"),
    "卫生健康": ("卫生健康", "卫健", "卫生", "医院", "疾病预防", "疾控", "计划生育", "中医"),
    "医疗保障": ("医疗保障", "医保"),
    "人力资源社会保障": ("人力资源", "人社", "社会保险", "就业"),
    "财政": ("财政",),
    "税务": ("税务",),
    "发展改革": ("发展和改革", "发展改革", "发改"),
    "交通运输": ("交通运输", "交通局", "交通委", "公路", "港航", "道路运输"),
    "水利": ("水利", "水务", "水文"),
    "农业农村": ("农业农村", "农业", "农村", "畜牧", "农牧", "渔业", "乡村振兴", "扶贫"),
    "林业园林": ("林业", "草原", "园林", "绿化"),
    "自然资源": ("自然资源", "国土", "规划", "测绘"),
    "生态环境": ("生态环境", "环境保护", "环保"),
    "住房城乡建设": ("住房和城乡建设", "住房城乡建设", "住建", "建设局", "建委", "住房保障", "公积金"),
    "城市管理": ("城市管理", "城管", "市容", "环境卫生"),
    "文化旅游": ("文化", "旅游", "广播电视", "文物", "图书馆", "博物馆"),
    "体育": ("体育",),
    "市场监管": ("市场监督", "市场监管", "质量技术监督", "食品药品"),
    "应急管理": ("应急管理", "应急局", "安全生产", "地震"),
    "审计": ("审计",),
    "统计": ("统计",),
    "商务": ("商务", "口岸", "招商"),
    "科技": ("科学技术", "科技", "科学院"),
    "工业信息化": ("工业和信息化", "经济和信息化", "工业信息化", "经信", "工信"),
    "政务服务数据": ("政务服务", "大数据", "数据管理", "数据局", "行政审批"),
    "退役军人事务": ("退役军人",),
    "信访": ("信访",),
    "宣传": ("宣传",),
    "组织人事": ("组织部", "编制", "人事"),
    "统战民族宗教": ("统战", "统一战线", "民族", "宗教"),
    "国资": ("国有资产", "国资"),
    "机关事务": ("机关事务", "机关服务"),
    "粮食物资储备": ("粮食", "物资储备"),
    "气象": ("气象",),
    "档案": ("档案",),
    "残联妇联群团": (
        "残疾人",
        "残联",
        "妇女联合会",
        "妇联",
        "共青团",
        "团委",
        "总工会",
        "红十字",
        "科学技术协会",
        "科协",
    ),
    "人大政协": ("人民代表大会", "人大常委", "政治协商", "政协"),
    "纪检监察": ("纪律检查", "纪委", "监察委"),
    "政府办公": ("政府办公",),
}

_KEYWORDS = sorted(((w, c) for c, words in CATEGORIES.items() for w in words), key=lambda wc: -len(wc[0]))


@lru_cache(maxsize=65536)
def categorize(department: str | None) -> tuple[str | None, str | None]:
    """(category, the word that decided it), or (None, None) when no word of the vocabulary occurs."""
    if not department:
        return None, None
    # 人民政府 ("people's government") holds 民政 (civil affairs) by accident of spelling
    name = department.replace("人民政府", "政府")
    best: tuple[int, int, str, str] | None = None
    for word, category in _KEYWORDS:
        pos = name.find(word)
        if pos >= 0:
            key = (pos, -len(word), category, word)
            if best is None or key < best:
                best = key
    if best is None:
        return None, None
    return best[2], best[3]
