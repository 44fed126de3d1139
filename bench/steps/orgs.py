"""Units, enterprises and their users, officials and department staff (with TOTP)."""

from __future__ import annotations

import datetime

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from bench.registry import Context, copy_rows, set_sequence, step
from bench.text import PLACES, TRADES
from portal.accounts.roles import Role
from portal.orgs.validators import CHARSET, credit_code_check_char, org_code_check_char

_ORG_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# A password nobody needs: the harness logs in through the session store (bench/run.py).
BENCH_PASSWORD = "bench-Password-2026"  # noqa: S105

UNIT_NAMES = [
    ("market", "区市场监督管理局", "Market Supervision Bureau"),
    ("tax", "国家税务总局广州市黄埔区税务局", "Huangpu Tax Bureau"),
    ("planning", "区规划和自然资源局", "Planning and Natural Resources Bureau"),
    ("housing", "区住房和城乡建设局", "Housing and Construction Bureau"),
    ("hr", "区人力资源和社会保障局", "Human Resources and Social Security Bureau"),
    ("science", "区科学技术局", "Science and Technology Bureau"),
    ("industry", "区工业和信息化局", "Industry and Information Technology Bureau"),
    ("commerce", "区商务局", "Commerce Bureau"),
    ("finance", "区财政局", "Finance Bureau"),
    ("ecology", "区生态环境分局", "Ecology and Environment Branch"),
    ("water", "区水务局", "Water Affairs Bureau"),
    ("transport", "区交通运输局", "Transport Bureau"),
    ("emergency", "区应急管理局", "Emergency Management Bureau"),
    ("fire", "区消防救援大队", "Fire and Rescue Brigade"),
    ("education", "区教育局", "Education Bureau"),
    ("health", "区卫生健康局", "Health Bureau"),
    ("ip", "区知识产权局", "Intellectual Property Office"),
    ("data", "区政务服务数据管理局", "Government Services and Data Bureau"),
    ("urban", "区城市管理和综合执法局", "Urban Management Bureau"),
    ("statistics", "区统计局", "Statistics Bureau"),
    ("development", "区发展和改革局", "Development and Reform Bureau"),
    ("agriculture", "区农业农村局", "Agriculture Bureau"),
    ("culture", "区文化广电旅游体育局", "Culture and Tourism Bureau"),
    ("justice", "区司法局", "Justice Bureau"),
    ("power", "广州供电局黄埔供电局", "Huangpu Power Supply Bureau"),
    ("customs", "黄埔海关", "Huangpu Customs"),
    ("police", "广州市公安局黄埔区分局", "Huangpu Public Security Branch"),
    ("gas", "黄埔燃气公司", "Huangpu Gas Company"),
]


def credit_codes(count: int, *, region: str = "440112"):
    """Yield `count` distinct valid unified social credit codes (GB 32100-2015)."""
    made, number = 0, 0
    base = len(_ORG_CHARS)
    while made < count:
        n, body = number, []
        for _ in range(8):
            n, r = divmod(n, base)
            body.append(_ORG_CHARS[r])
        number += 1
        body = "".join(reversed(body))
        check = org_code_check_char(body)
        if check not in CHARSET:
            continue
        first17 = "91" + region + body + check
        made += 1
        yield first17 + credit_code_check_char(first17)


def _units() -> list[tuple]:
    rows = [("yshj", "区营商环境改革局", "District Business Environment Reform Bureau",
             "department")]
    for code, name, name_en in UNIT_NAMES:
        rows.append((code, name, name_en, "stationed" if code in (
            "tax", "power", "customs", "police", "gas", "fire") else "district"))
    for place in PLACES:
        if place.endswith(("街", "镇")) and len(rows) < 60:
            rows.append((f"street-{len(rows)}", f"{place}道办事处" if place.endswith("街")
                         else f"{place}人民政府", f"{place} office", "street"))
    n = 1
    while len(rows) < 60:
        rows.append((f"park-{n}", f"园区服务中心第{n}分中心", f"Park service centre {n}", "district"))
        n += 1
    return rows[:60]


@step("orgs")
def load_orgs(ctx: Context) -> None:
    rnd, now = ctx.rnd, ctx.now
    units = _units()
    copy_rows(ctx, "orgs_unit", ["id", "code", "name", "name_zh_hant", "name_en", "kind",
                                 "contact_name", "contact_phone", "contact_email", "is_active",
                                 "parent_id"],
              ((i, code, name, "", name_en, kind, "", "", "", True, None)
               for i, (code, name, name_en, kind) in enumerate(units, start=1)))
    set_sequence(ctx, "orgs_unit")
    ctx.ids["department"] = 1
    ctx.ids["units"] = list(range(2, len(units) + 1))
    ctx.ids["unit_names"] = {i: (name, name_en)
                             for i, (_c, name, name_en, _k) in enumerate(units, start=1)}

    n_enterprises = ctx.n(300_000, 50)
    with ctx.connection.cursor() as cursor:
        cursor.execute("SELECT section, division_from, division_to FROM orgs_industry")
        industries = cursor.fetchall()
    sizes = ["micro"] * 60 + ["small"] * 30 + ["medium"] * 8 + ["large"] * 2
    OWNERSHIPS = ["private"] * 85 + ["state"] * 5 + ["foreign"] * 8 + ["collective"] * 2  # noqa: N806
    suffixes = ["有限公司", "有限公司", "股份有限公司", "科技有限公司", "贸易有限公司"]

    def enterprises():
        for i, code in enumerate(credit_codes(n_enterprises), start=1):
            section, lo, hi = industries[(i * 7) % len(industries)]
            founded = now.date() - datetime.timedelta(days=rnd.randint(200, 9000))
            name = f"广州{rnd.choice(PLACES)[:2]}{rnd.choice(TRADES)}{i}号{rnd.choice(suffixes)}"
            if i == 1:
                name = "广州黄埔重点制造集团有限公司"  # the heavy enterprise of the page benchmarks
            place = rnd.choice(PLACES)
            # the facts policies' conditions ask (orgs 0005): a street for most, a park for
            # some, the ownership for four in five (the rest unknown, as in life)
            street = place if place.endswith(("街", "镇")) else ""
            park = place if not street and rnd.random() < 0.5 else ""
            ownership = rnd.choice(OWNERSHIPS) if rnd.random() < 0.8 else ""
            yield (i, code, name, "enterprise", f"{rnd.randint(lo, hi):02d}",
                   "large" if i == 1 else rnd.choice(sizes), rnd.randint(10, 50000), founded,
                   f"广州市黄埔区{place}{rnd.randint(1, 300)}号", "{}",
                   now - datetime.timedelta(days=rnd.randint(0, 2000)), section,
                   street, park, ownership)

    copy_rows(ctx, "orgs_enterprise", [
        "id", "credit_code", "name", "kind", "industry_division", "size", "registered_capital",
        "founded_on", "address", "tags", "created_at", "industry_id", "street", "park",
        "ownership"], enterprises())
    set_sequence(ctx, "orgs_enterprise")
    ctx.ids["enterprises"] = (1, n_enterprises)
    ctx.bench["heavy_enterprise_id"] = 1

    groups = dict(Group.objects.values_list("name", "id"))
    password = make_password(BENCH_PASSWORD)
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高梁郑谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余"
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰文辉建国志红海波晓燕"
    user_rows, group_rows = [], []
    members: dict[int, list[int]] = {}
    uid = 0

    def add_user(*, email, enterprise=None, unit=None, staff=False, roles=()):
        nonlocal uid
        uid += 1
        name = rnd.choice(surnames) + "".join(rnd.choice(given) for _ in range(rnd.randint(1, 2)))
        user_rows.append((uid, password, None, False, staff, True,
                          now - datetime.timedelta(days=rnd.randint(0, 1800)), email, name,
                          f"13{rnd.randint(100000000, 999999999)}", rnd.random() < 0.7, "",
                          enterprise, unit))
        for role in roles:
            group_rows.append((len(group_rows) + 1, uid, groups[role]))
        return uid

    staff = [add_user(email=f"staff{i}@yshj.bench.gov.cn", unit=1, staff=True,
                      roles=[Role.DEPARTMENT_STAFF]) for i in range(1, 9)]
    officials: dict[int, list[int]] = {}
    for unit_id in ctx.ids["units"]:
        officials[unit_id] = [add_user(email=f"official{unit_id}-{k}@unit.bench.gov.cn",
                                       unit=unit_id, staff=True, roles=[Role.UNIT_OFFICIAL])
                              for k in (1, 2)]
    for ent in range(1, n_enterprises + 1):
        admin = add_user(email=f"admin{ent}@ent.bench.cn", enterprise=ent,
                         roles=[Role.ENTERPRISE_USER, Role.ENTERPRISE_ADMIN])
        members[ent] = [admin]
        extra = 3 if ent == 1 else (rnd.choice((1, 1, 2, 3)) if rnd.random() < 0.2 else 0)
        for k in range(extra):
            members[ent].append(add_user(email=f"user{ent}-{k}@ent.bench.cn", enterprise=ent,
                                         roles=[Role.ENTERPRISE_USER]))
    copy_rows(ctx, "accounts_user", [
        "id", "password", "last_login", "is_superuser", "is_staff", "is_active", "date_joined",
        "email", "full_name", "phone", "email_notifications", "language", "enterprise_id",
        "unit_id"], user_rows)
    copy_rows(ctx, "accounts_user_groups", ["id", "user_id", "group_id"], group_rows)
    set_sequence(ctx, "accounts_user")
    set_sequence(ctx, "accounts_user_groups")
    ctx.ids["staff"] = staff
    ctx.ids["officials"] = officials
    ctx.ids["members"] = members
    ctx.bench.update({
        "enterprise_user_id": members[1][0],  # the heavy enterprise's administrator
        "official_id": officials[ctx.ids["units"][0]][0],
        "official_unit_id": ctx.ids["units"][0],
        "staff_id": staff[0],
        # one session per load-generator connection posting appeals (a session per browser)
        "poster_ids": members[1][1:4],
    })
    ctx.connection.commit()
    _activate_totp([*staff, *(u for ids in officials.values() for u in ids)])


def _activate_totp(user_ids: list[int]) -> None:
    """Give every staff account a real TOTP authenticator (allauth's own activation)."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth import get_user_model

    for user in get_user_model().objects.filter(pk__in=user_ids):
        TOTP.activate(user, generate_totp_secret())
