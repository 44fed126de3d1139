"""Routing's demo (issue 12: the demo shows every feature): rules, past appeals, a trained
model, and a new appeal about a business licence that the dispatcher sees a suggestion for,
with its confidence; seeding twice adds nothing."""

from importlib import import_module

import pytest
from django.apps import apps

from portal.appeals import demo as appeals_demo
from portal.appeals.constants import AppealType
from portal.appeals.services import appeal_submit
from portal.cases.models import Case, Category
from portal.core.demo import seed_core
from portal.routing import demo
from portal.routing.models import RoutingModel, RoutingRule
from portal.routing.services import routing_suggest
from tests.factories import industry
from tests.totp import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def ctx():
    for section in ("C", "G", "I", "S"):
        industry(section)
    import_module("portal.cases.migrations.0002_defaults").forwards(apps, None)
    ctx = seed_core(password="Demo-2026-yingshang", totp_secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    appeals_demo.seed(ctx)  # seed_demo runs the apps' demos in INSTALLED_APPS order
    demo.seed(ctx)
    return ctx


def test_the_demo_suggests_by_model_and_by_rule_and_seeding_again_adds_nothing(client, ctx):
    """One test: seeding the demo takes seconds (forty past appeals through the services)."""
    assert ctx["routing"] == {"rules_made": 3, "history_made": 40, "model": "trained"}
    model = RoutingModel.objects.get()
    assert model.unit_count == 4 and model.sample_count >= 40
    case = Case.objects.get(title=demo.LICENCE_APPEAL["title"])

    suggestion = routing_suggest(case=case)

    assert suggestion.unit.code == "scjg" and suggestion.source == "model"
    assert 0.375 <= suggestion.confidence < 1  # above 1.5 x a blind guess among four units
    login(client, ctx["people"][demo.DEPT])
    html = client.get(f"/admin/cases/case/{case.pk}/change/").content.decode()
    assert "Suggested unit: <strong>District Market Regulation Administration</strong> (" in html
    assert f"{round(suggestion.confidence * 100)}% confidence, from: Learned from past" in html

    # The rules win over the model: an appeal about social insurance goes by the rule.
    boss = ctx["people"]["admin@demo-zhizao.cn"]
    case = appeal_submit(submitter=boss, title="社保缴费基数调整咨询",
                         description="我司想了解今年社保缴费基数调整的时间和办理方式。",
                         category=Category.objects.get(code="labour"),
                         subtype=AppealType.INQUIRY)

    by_rule = routing_suggest(case=case)

    assert by_rule.unit.code == "rsj" and by_rule.source == "rule" and by_rule.confidence == 1.0
    cases, rules = Case.objects.count(), RoutingRule.objects.count()
    demo.seed(ctx)
    assert ctx["routing"] == {"rules_made": 0, "history_made": 0, "model": "unchanged"}
    assert (Case.objects.count(), RoutingRule.objects.count()) == (cases, rules)
    assert RoutingModel.objects.count() == 1
