"""Core demo data for `manage.py seed_demo`: the district's units, enterprises and people."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth import get_user_model

from portal.accounts.roles import Role, role_grant
from portal.orgs.models import Enterprise, Industry, JoinRequest, Qualification, Unit

UNITS = [
    # code, name, English name, kind
    ("yshj", "区营商环境改革局", "District Business Environment Reform Bureau", Unit.Kind.DEPARTMENT),
    ("scjg", "区市场监督管理局", "District Market Regulation Administration", Unit.Kind.DISTRICT),
    ("rsj", "区人力资源和社会保障局", "District Human Resources and Social Security Bureau", Unit.Kind.DISTRICT),
    ("zjj", "区住房和城乡建设局", "District Housing and Urban-Rural Development Bureau", Unit.Kind.DISTRICT),
    ("fgj", "区发展和改革局", "District Development and Reform Bureau", Unit.Kind.DISTRICT),
    ("kjj", "区科学技术局", "District Science and Technology Bureau", Unit.Kind.DISTRICT),
    ("zsj", "区政务服务数据管理局", "District Government Services and Data Administration", Unit.Kind.DISTRICT),
    ("swj", "国家税务总局广州市黄埔区税务局", "Huangpu District Tax Bureau", Unit.Kind.STATIONED),
    ("hg", "黄埔海关", "Huangpu Customs", Unit.Kind.STATIONED),
    ("ghzy", "市规划和自然资源局黄埔区分局", "Huangpu Branch, Planning and Natural Resources", Unit.Kind.STATIONED),
    ("lgjd", "萝岗街道办事处", "Luogang Subdistrict Office", Unit.Kind.STREET),
    ("yhjd", "永和街道办事处", "Yonghe Subdistrict Office", Unit.Kind.STREET),
]

ENTERPRISES = [
    # credit code (valid, GB 32100), name, section, division, size, kind, qualifications
    ("91440112MA5DEMO01M", "广州黄埔智造科技有限公司", "C", "39", Enterprise.Size.MEDIUM, Enterprise.Kind.ENTERPRISE, ["high-tech", "specialized-sme"]),
    ("91440112MA5DEMO02M", "广州科学城生物医药有限公司", "C", "27", Enterprise.Size.SMALL, Enterprise.Kind.ENTERPRISE, ["high-tech"]),
    ("91440112MA5DEMO03M", "黄埔港通国际物流有限公司", "G", "58", Enterprise.Size.LARGE, Enterprise.Kind.ENTERPRISE, ["foreign-invested"]),
    ("91440112MA5DEMO04M", "广州知识城软件信息服务有限公司", "I", "65", Enterprise.Size.MICRO, Enterprise.Kind.ENTERPRISE, ["tech-sme"]),
    ("51440112MA5DEMO05M", "广州开发区新一代信息技术产业协会", "S", "95", Enterprise.Size.SMALL, Enterprise.Kind.ASSOCIATION, []),
    ("51440112MA5DEMO06M", "黄埔区粤港澳商会", "S", "95", Enterprise.Size.SMALL, Enterprise.Kind.CHAMBER, []),
]

PEOPLE = [
    # email, full name, role(s), unit code or enterprise index
    ("dept@demo.gov.cn", "陈处长", [Role.DEPARTMENT_STAFF], "unit", "yshj"),
    ("dept2@demo.gov.cn", "黄科长", [Role.DEPARTMENT_STAFF], "unit", "yshj"),
    ("scjg@demo.gov.cn", "林经办", [Role.UNIT_OFFICIAL], "unit", "scjg"),
    ("rsj@demo.gov.cn", "吴经办", [Role.UNIT_OFFICIAL], "unit", "rsj"),
    ("swj@demo.gov.cn", "周经办", [Role.UNIT_OFFICIAL], "unit", "swj"),
    ("zjj@demo.gov.cn", "郑经办", [Role.UNIT_OFFICIAL], "unit", "zjj"),
    ("admin@demo-zhizao.cn", "张总", [Role.ENTERPRISE_USER, Role.ENTERPRISE_ADMIN], "enterprise", 0),
    ("staff@demo-zhizao.cn", "李会计", [Role.ENTERPRISE_USER], "enterprise", 0),
    ("admin@demo-bio.cn", "王博士", [Role.ENTERPRISE_USER, Role.ENTERPRISE_ADMIN], "enterprise", 1),
    ("admin@demo-port.cn", "Ms. Lee Wing-sze", [Role.ENTERPRISE_USER, Role.ENTERPRISE_ADMIN], "enterprise", 2),
    ("admin@demo-soft.cn", "赵工", [Role.ENTERPRISE_USER, Role.ENTERPRISE_ADMIN], "enterprise", 3),
    ("assoc@demo-ict.org.cn", "孙秘书长", [Role.ENTERPRISE_USER, Role.ENTERPRISE_ADMIN], "enterprise", 4),
    ("observer@demo.cn", "刘观察员", [Role.OBSERVER], None, None),
    ("evaluator@demo-thirdparty.cn", "第三方评估员", [Role.EVALUATOR], None, None),
    ("auditor@demo.gov.cn", "审计员", [Role.AUDITOR], None, None),
]


def _valid_code(template: str) -> str:
    """Turn a readable template into a valid credit code by fixing both check characters."""
    from portal.orgs.validators import CHARSET, credit_code_check_char, org_code_check_char

    # The body is the template's characters 9-16 (its 17th, the distinct digit, included).
    body = "".join(c if c in CHARSET else "0" for c in template[9:17])
    org_check = org_code_check_char(body)
    if org_check not in CHARSET:  # 'X' is in the charset; this guards against anything else
        org_check = "0"
    first17 = template[:8] + body + org_check
    return first17 + credit_code_check_char(first17)


def seed_core(*, password: str, totp_secret: str) -> dict:
    User = get_user_model()
    units = {}
    for code, name, name_en, kind in UNITS:
        units[code], _ = Unit.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "kind": kind,
                                 "contact_phone": "020-8211" + str(len(units)).zfill(4)})
    department = units["yshj"]
    enterprises = []
    for template, name, section, division, size, kind, quals in ENTERPRISES:
        code = _valid_code(template)
        enterprise, _ = Enterprise.objects.update_or_create(
            credit_code=code,
            defaults={"name": name, "industry": Industry.objects.get(section=section),
                      "industry_division": division, "size": size, "kind": kind,
                      "address": "广州市黄埔区科学大道" + str(100 + len(enterprises)) + "号"},
        )
        enterprise.qualifications.set(Qualification.objects.filter(code__in=quals))
        enterprises.append(enterprise)
    logins = []
    people = {}
    for email, full_name, roles, org_kind, org in PEOPLE:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=password, full_name=full_name)
        user.full_name = full_name
        user.unit = units[org] if org_kind == "unit" else None
        user.enterprise = enterprises[org] if org_kind == "enterprise" else None
        user.save()
        EmailAddress.objects.update_or_create(user=user, email=email,
                                              defaults={"verified": True, "primary": True})
        for role in roles:
            role_grant(user=user, role=role)
        if user.is_staff and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, totp_secret)
        logins.append((", ".join(str(r.label) for r in roles), email))
        people[email] = user
    # A colleague waiting for approval, so the members page shows a request.
    applicant = User.objects.filter(email="newcomer@demo-zhizao.cn").first()
    if applicant is None:
        applicant = User.objects.create_user(email="newcomer@demo-zhizao.cn", password=password,
                                             full_name="钱新人")
        EmailAddress.objects.create(user=applicant, email=applicant.email, verified=True, primary=True)
    if not JoinRequest.objects.filter(user=applicant).exists():
        JoinRequest.objects.create(user=applicant, enterprise=enterprises[0], message="我是新入职的行政专员")
    logins.append(("(waiting to join)", applicant.email))
    return {"units": units, "department": department, "enterprises": enterprises,
            "people": people, "logins": logins}
