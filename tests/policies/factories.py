"""A policy ready to publish: clauses, conditions, a passing test case and a guide."""

from policies.models import Guide, Policy, PolicyClause, PolicyTestCase
from portal.orgs.models import Qualification
from tests.factories import UnitFactory

HIGH_TECH = {"all": [
    {"field": "qualification", "values": ["high-tech"], "clause": "第二条"},
    {"field": "registered_capital", "min": 100, "clause": "第三条"},
]}


def make_policy(*, unit=None, conditions=None, title="高新技术企业研发补助办法", guide=True,
                expected="eligible", profile=None, clause_text="申请企业应为高新技术企业。",
                **kwargs) -> Policy:
    policy = Policy.objects.create(
        title=title, document_number="埔科〔2026〕7号", unit=unit or UnitFactory(),
        summary="对区内高新技术企业的研发投入给予补助。",
        conditions=HIGH_TECH if conditions is None else conditions, **kwargs)
    PolicyClause.objects.create(policy=policy, number="第二条", text=clause_text)
    PolicyClause.objects.create(policy=policy, number="第三条",
                                text="注册资本不低于100万元。")
    PolicyTestCase.objects.create(
        policy=policy, name="高企",
        profile=profile if profile is not None else {
            "qualifications": ["high-tech"], "registered_capital": 500},
        expected=expected)
    if guide:
        Guide.objects.create(policy=policy, who_benefits="高新技术企业", conditions="见第二、三条",
                             amount="最高50万元", how_to_apply="登录本平台申请",
                             contact="科技局 020-00000000")
    return policy


def qualification(code="high-tech"):
    return Qualification.objects.get(code=code)


def published_policy(**kwargs) -> Policy:
    """A policy made by make_policy(**kwargs) and published by an official of its unit."""
    from policies import services
    from tests.factories import unit_official

    official = unit_official()
    policy = make_policy(unit=official.unit, **kwargs)
    services.policy_publish(policy=policy, by=official)
    policy.refresh_from_db()
    return policy
