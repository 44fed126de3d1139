"""Realistic Chinese appeal texts: templates × topics × place names, with the engine's own
keywords and search tokens (`portal.cases.text`) computed once per distinct text.

The engine stores `keywords_of(f"{title}\\n{description}")` and the tsvector of
`search_tokens(f"{reference} {title} {description}")`. jieba segments text between spaces
independently, so the tokens of that string are the tokens of the reference plus the tokens of
"title description" — the pool keeps the second, each case adds its reference's.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from portal.cases.text import keywords_of, search_tokens

# Streets, towns and parks of Huangpu district (the district of the portal's seed text).
PLACES = [
    "黄埔街", "红山街", "鱼珠街", "大沙街", "文冲街", "穗东街", "南岗街", "长洲街", "夏港街",
    "联和街", "萝岗街", "永和街", "云埔街", "长岭街", "龙湖街", "九佛街", "新龙镇",
    "科学城", "知识城", "生物岛", "黄埔港", "广州开发区", "中新广州知识城", "云埔工业区",
    "永和经济区", "东区", "西区", "黄埔东路", "开创大道", "科学大道",
]

# Topics of each category (codes as in the engine's default categories).
TOPICS = {
    "market-access": ["营业执照变更", "经营范围登记", "企业名称核准", "外资企业设立", "跨区迁移",
                      "简易注销", "食品经营许可"],
    "permits": ["施工许可审批", "环评审批", "消防验收", "排水许可", "户外广告设置", "特种设备登记",
                "危化品经营许可"],
    "tax": ["增值税留抵退税", "研发费用加计扣除", "出口退税进度", "发票额度调整", "社保费减免",
            "高新技术企业税收优惠", "个税汇算"],
    "finance": ["中小企业贷款贴息", "融资担保", "应收账款融资", "上市挂牌奖励", "科技信贷风险补偿",
                "转贷资金"],
    "land": ["工业用地供应", "厂房租金补贴", "用地规划调整", "不动产登记", "产业用房分配",
             "土地出让金分期"],
    "construction": ["竣工联合验收", "临时用电接入", "施工围挡审批", "道路开挖许可", "质量安全监督",
                     "工程款拖欠"],
    "labour": ["人才引进落户", "员工子女入学", "技能培训补贴", "稳岗返还", "劳动纠纷调解",
               "外籍人员工作许可", "人才公寓申请"],
    "ip": ["专利快速预审", "商标侵权维权", "知识产权质押融资", "专利资助申领", "地理标志保护"],
    "policy": ["产业扶持资金兑现", "专精特新认定", "科技项目验收", "政策申报材料", "奖励资金拨付",
               "首台套补贴"],
    "utilities": ["供水管网接入", "天然气报装", "电力增容", "宽带网络覆盖", "停车位规划", "公交线路调整",
                  "污水处理"],
    "enforcement": ["重复检查", "行政处罚裁量", "执法程序", "信用修复", "包容审慎监管", "涉企收费"],
    "other": ["园区物业服务", "周边交通拥堵", "企业开办咨询", "政务服务预约", "证明材料精简"],
}

TITLES = [
    "关于{place}{topic}的咨询", "{topic}办理进度查询", "{place}企业{topic}遇到困难",
    "申请协调{topic}事宜", "{topic}审批时限过长", "建议优化{place}{topic}流程",
    "{place}{topic}问题求助", "{topic}材料要求不明确", "反映{place}{topic}相关问题",
    "{topic}政策如何享受",
]

DESCRIPTIONS = [
    "我司位于{place}，主要从事{trade}。{month}月份提交了{topic}申请，至今已过{days}个工作日仍未收到"
    "答复，影响了企业正常生产经营。恳请相关部门尽快协调处理，并告知具体办理时限。",
    "本企业成立于{year}年，现有员工约{staff}人。在办理{topic}过程中，窗口要求补充的材料与网上公布的"
    "清单不一致，来回跑了{times}次。希望统一材料清单，推行一次告知、一网通办。",
    "我公司在{place}投资建设{trade}项目，总投资约{money}万元。目前{topic}环节卡住，涉及多个部门，"
    "各部门意见不一。请求区营商环境改革局牵头协调，明确责任单位和办结时间。",
    "近期了解到区里出台了关于{topic}的新政策，但申报条件和流程不清楚。我司属于{trade}企业，年营业收入"
    "约{money}万元，请问是否符合条件，需要准备哪些材料，向哪个部门申请？",
    "{place}附近的{topic}问题已持续{days}天，给周边{staff}多家企业带来不便。此前向有关单位反映过，"
    "未见明显改善。建议尽快研究解决，并向企业反馈处理结果。",
    "关于{topic}，我司已按要求提交全部材料，系统显示审核中。由于项目进度紧张，每延误一天损失约{money}"
    "元，恳请加快审批，或者告知可以采取的容缺受理措施。",
]

TRADES = ["生物医药", "新一代信息技术", "新能源汽车零部件", "智能装备制造", "跨境电商", "现代物流",
          "集成电路设计", "新材料", "食品加工", "软件开发", "检验检测", "港口航运服务"]

ANSWERS = [
    "您好，您反映的{topic}问题已收悉。经核实，相关申请已于近日办结，请登录系统查看结果。如有疑问，"
    "可拨打我单位服务热线咨询。",
    "经研究，您咨询的{topic}事项符合政策规定，请于{days}个工作日内携带相关材料到政务服务中心窗口办理，"
    "我单位已安排专人跟进。",
    "您反映的情况我们高度重视，已会同相关部门现场核查并协调解决，后续将持续跟踪{topic}事项进展。",
]

NOTES = ["已电话联系企业核实情况。", "需会同规划部门研究。", "已约企业下周现场座谈。",
         "材料已转交业务科室审核。", "请科室负责人跟进办理进度。"]


@dataclass(frozen=True)
class PoolText:
    category: str
    topic: str
    title: str
    description: str
    keywords: tuple[str, ...]
    tokens: frozenset[str]
    answer: str


def _fill(template: str, rnd: random.Random, topic: str) -> str:
    return template.format(
        place=rnd.choice(PLACES), topic=topic, trade=rnd.choice(TRADES),
        month=rnd.randint(1, 12), days=rnd.randint(5, 60), year=rnd.randint(1998, 2024),
        staff=rnd.randint(8, 900), times=rnd.randint(2, 6), money=rnd.randint(20, 9000),
    )


def text_pool(*, size: int, seed: int) -> dict[str, list[PoolText]]:
    """Return `size` distinct appeal texts grouped by category code, with keywords and tokens."""
    rnd = random.Random(seed)
    pool: dict[str, list[PoolText]] = {code: [] for code in TOPICS}
    seen = set()
    codes = list(TOPICS)
    attempts = 0
    while len(seen) < size and attempts < size * 20:
        attempts += 1
        code = codes[len(seen) % len(codes)]
        topic = rnd.choice(TOPICS[code])
        title = _fill(rnd.choice(TITLES), rnd, topic)
        description = _fill(rnd.choice(DESCRIPTIONS), rnd, topic)
        if (title, description) in seen:
            continue
        seen.add((title, description))
        pool[code].append(PoolText(
            category=code, topic=topic, title=title, description=description,
            keywords=tuple(keywords_of(f"{title}\n{description}")),
            tokens=frozenset(search_tokens(f"{title} {description}").split()),
            answer=_fill(rnd.choice(ANSWERS), rnd, topic),
        ))
    return {code: texts for code, texts in pool.items() if texts}


_REF_CACHE: dict[str, frozenset[str]] = {}


def reference_tokens(reference: str) -> frozenset[str]:
    """Return the search tokens of a reference number, as the engine's `search_tokens` finds
    them ("YS-2026-000123" → ys, 2026, 000123), computed by jieba once per pattern."""
    prefix, _sep, number = reference.rpartition("-")
    base = _REF_CACHE.get(prefix)
    if base is None:
        sample = search_tokens(f"{prefix}-000000").split()
        base = _REF_CACHE[prefix] = frozenset(t for t in sample if t != "000000")
    return base | {number}


def case_tokens(reference: str, text: PoolText) -> str:
    """Return what `search_tokens(f"{reference} {title} {description}")` returns."""
    return " ".join(sorted(reference_tokens(reference) | text.tokens))
