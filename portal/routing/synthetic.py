"""Generated appeals for measuring routing (the benchmark command) and for tests.

Each profile is a unit with the words of its business; an appeal mixes two or three of them
with words every appeal uses, and sometimes a word of another unit, so the classes overlap
the way real appeals do. Nothing here is used when the portal serves requests; the demo
(demo.py) seeds its past appeals from it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

PROFILES: dict[str, tuple[str, list[str]]] = {
    "tax": ("区税务局", ["纳税申报", "发票", "增值税", "留抵退税", "出口退税", "个税", "税务登记",
                       "电子税务局", "税率", "减免税"]),
    "hr": ("区人社局", ["社保", "社保缴费", "养老保险", "稳岗补贴", "劳动合同", "欠薪", "劳动仲裁",
                      "招聘", "技能培训", "工伤认定"]),
    "fund": ("公积金管理中心", ["公积金", "住房公积金", "缴存基数", "公积金提取", "缴存比例",
                               "公积金贷款"]),
    "market": ("区市场监管局", ["营业执照", "经营范围", "商事登记", "简易注销", "食品经营许可证",
                              "商标", "质量抽检", "计量", "广告"]),
    "build": ("区住建局", ["施工许可", "竣工验收", "建筑资质", "工程款", "预售许可", "物业",
                         "质量监督"]),
    "land": ("区规划和自然资源局", ["用地", "规划许可", "不动产登记", "土地出让", "容积率",
                                  "产权证"]),
    "customs": ("黄埔海关", ["通关", "报关", "清关", "进出口", "跨境电商", "原产地证", "查验",
                           "保税"]),
    "env": ("区生态环境局", ["环评", "排污许可", "危废", "噪声", "环保检查", "排放标准"]),
    "power": ("供电局", ["用电报装", "停电", "电价", "变压器", "电力增容"]),
    "water": ("区水务局", ["用水报装", "停水", "排水许可", "水压", "污水管网"]),
    "gas": ("燃气公司", ["燃气报装", "用气", "燃气管道", "燃气价格"]),
    "industry": ("区科工信局", ["专精特新", "高新技术企业", "研发费用", "技术改造", "数字化转型",
                              "工业投资"]),
    "finance": ("区金融局", ["融资", "贷款", "贴息", "融资担保", "上市", "抽贷"]),
    "ip": ("区知识产权局", ["专利", "专利申请", "侵权", "知识产权质押", "专利资助"]),
    "talent": ("区人才办", ["人才引进", "人才公寓", "积分入户", "人才补贴", "高层次人才"]),
    "edu": ("区教育局", ["入学", "学位", "子女入学", "民办学校", "校外培训"]),
    "commerce": ("区商务局", ["外资", "外贸", "招商", "展会", "商务补贴", "消费券"]),
    "transport": ("区交通运输局", ["货车通行证", "道路运输许可", "公交线路", "停车", "网约车"]),
    "safety": ("区应急管理局", ["安全生产许可证", "危化品", "安全检查", "应急预案", "安全培训"]),
    "health": ("区卫健局", ["卫生许可证", "医疗机构", "职业病", "公共场所卫生", "诊所"]),
    "city": ("区城管局", ["占道经营", "户外广告", "招牌", "余泥渣土", "垃圾清运"]),
    "fire": ("区消防救援大队", ["消防检查", "消防设施", "消防安全", "灭火器", "消防通道"]),
    "service": ("区政务服务中心", ["一网通办", "一窗受理", "窗口", "预约取号", "办事指南"]),
    "street": ("街道办事处", ["厂房租赁", "园区", "周边环境", "噪音扰民", "路灯"]),
}

_TITLES = ["{w}办理进度缓慢", "关于{w}的问题", "咨询{w}相关政策", "{w}材料被多次退回",
           "{w}事项请求协调", "{w}办理遇到困难", "{w}流程不清楚", "反映{w}问题"]
_SENTENCES = ["我司在办理{a}时遇到困难，{b}迟迟没有结果。", "最近{a}的要求有变化，想了解{b}怎么处理。",
              "{a}和{b}需要提交哪些材料？", "我们多次咨询{a}，窗口答复不一致，{b}也没有说明。",
              "希望明确{a}的办理时限，并协调{b}。", "{a}已经申请两个月，{b}一直在审核。"]
_FILLER = ["希望尽快答复。", "谢谢！", "网上系统无法提交。", "工作人员态度较好但没有解决。",
           "影响企业正常生产经营。", "请相关部门协调处理。", "电话一直打不通。", "已经跑了三次。"]


@dataclass(frozen=True)
class Appeal:
    title: str
    description: str
    profile: str


def generate(n: int, *, profiles: list[str] | None = None, seed: int = 0,
             noise: float = 0.15, label_noise: float = 0.0) -> list[Appeal]:
    """Return `n` generated appeals spread evenly over `profiles` (default: all of them).

    `noise` is the chance that a sentence names a word of another unit; `label_noise` the
    chance that the appeal is labelled with another of `profiles` (a unit that kept a case
    it should not have had).
    """
    rnd = random.Random(seed)
    keys = profiles or list(PROFILES)
    other_words = {k: [w for o in PROFILES if o != k for w in PROFILES[o][1]] for k in keys}
    appeals = []
    for i in range(n):
        key = keys[i % len(keys)]
        words = PROFILES[key][1]

        def word(key=key, words=words):
            return rnd.choice(other_words[key]) if rnd.random() < noise else rnd.choice(words)

        title = rnd.choice(_TITLES).format(w=rnd.choice(words))
        sentences = [rnd.choice(_SENTENCES).format(a=word(), b=word())
                     for _ in range(rnd.randint(1, 3))]
        sentences += rnd.sample(_FILLER, rnd.randint(0, 2))
        rnd.shuffle(sentences)
        if label_noise and rnd.random() < label_noise:
            key = rnd.choice([k for k in keys if k != key] or [key])
        appeals.append(Appeal(title=title, description="".join(sentences), profile=key))
    return appeals
