"""The routing admin is the department's: rules, the try page, the models. Officials are refused."""

import pytest

from portal.ledger.models import LedgerEntry
from portal.routing.models import RoutingModel, RoutingRule
from tests.factories import UnitFactory, department_staff, enterprise_user, unit_official
from tests.totp import activate_totp

from .factories import RoutingRuleFactory

pytestmark = pytest.mark.django_db

RULES = "/admin/routing/routingrule/"
MODELS = "/admin/routing/routingmodel/"


def _admin(client, user):
    activate_totp(user)
    client.force_login(user)
    return client


def _form(unit, **overrides):
    data = {"name": "社保", "priority": "10", "is_enabled": "on", "unit": str(unit.pk),
            "category": "", "appeal_type": "", "industry": "", "keywords": "社保、社保局 养老保险，社保",
            "note": ""}
    data.update(overrides)
    return data


def test_department_adds_a_rule_with_keywords_typed_as_a_list(client):
    dept = department_staff()
    unit = UnitFactory(name="区人社局", name_en="HR bureau")
    _admin(client, dept)
    assert client.get(f"{RULES}add/").status_code == 200
    response = client.post(f"{RULES}add/", _form(unit))
    assert response.status_code == 302, response.content.decode()[:2000]
    rule = RoutingRule.objects.get()
    assert rule.keywords == ["社保", "社保局", "养老保险"]
    assert (rule.unit, rule.updated_by, rule.priority) == (unit, dept, 10)
    assert LedgerEntry.objects.filter(action="routing.rule_created").count() == 1

    page = client.get(RULES).content.decode()
    assert "社保、社保局、养老保险" in page and "HR bureau" in page
    change = client.get(f"{RULES}{rule.pk}/change/").content.decode()
    assert "社保、社保局、养老保险" in change


def test_a_rule_without_conditions_is_refused_with_a_message_and_nothing_saved(client):
    _admin(client, department_staff())
    response = client.post(f"{RULES}add/", _form(UnitFactory(), keywords=""))
    assert response.status_code == 200
    assert "A rule needs at least one condition" in response.content.decode()
    assert not RoutingRule.objects.exists()
    assert not LedgerEntry.objects.filter(action__startswith="routing.").exists()


def test_department_disables_and_deletes_rules(client):
    _admin(client, department_staff())
    rule = RoutingRuleFactory()
    response = client.post(RULES, {"action": "disable_rules", "_selected_action": [rule.pk]})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert not rule.is_enabled
    response = client.post(f"{RULES}{rule.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not RoutingRule.objects.exists()
    assert LedgerEntry.objects.filter(action="routing.rule_deleted").count() == 1


def test_the_try_page_shows_the_words_and_which_rule_wins(client):
    _admin(client, department_staff())
    RoutingRuleFactory(name="公积金", priority=1, keywords=["公积金"])
    winner = RoutingRuleFactory(name="社保", priority=2, keywords=["社保*"],
                                unit=UnitFactory(name="区人社局", name_en="HR bureau"))
    assert client.get(f"{RULES}try/").status_code == 200
    html = client.post(f"{RULES}try/", {"title": "社保局窗口", "description": "材料不全"}
                       ).content.decode()
    assert "社保局 | 窗口 | 材料 | 不全" in html
    assert "Suggested unit: HR bureau (confidence 1.00)" in html
    assert "Rule “社保” matched the keyword 社保*" in html
    assert "none of the keywords is in the text" in html
    assert winner.name in html
    missing = client.post(f"{RULES}try/", {"title": "", "description": "x"})
    assert "Enter title" in missing.content.decode()


def test_department_sees_models_read_only_and_can_queue_a_retrain(
        client, django_capture_on_commit_callbacks):
    _admin(client, department_staff())
    page = client.get(MODELS)
    assert page.status_code == 200 and "Retrain now" in page.content.decode()
    assert client.get(f"{MODELS}add/").status_code == 403
    assert client.get(f"{MODELS}retrain/").status_code == 405
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(f"{MODELS}retrain/", follow=True)
    assert "A retrain was queued" in response.content.decode()
    assert len(callbacks) == 1  # published to the broker after commit
    assert not RoutingModel.objects.exists()


@pytest.mark.parametrize("path", [RULES, f"{RULES}add/", f"{RULES}try/", MODELS])
def test_unit_officials_are_refused(client, path):
    rule = RoutingRuleFactory()
    _admin(client, unit_official())
    assert client.get(path).status_code == 403
    assert client.get(f"{RULES}{rule.pk}/change/").status_code == 403
    assert client.post(f"{RULES}{rule.pk}/change/", _form(rule.unit, name="改")).status_code == 403
    assert client.post(f"{RULES}{rule.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post(f"{MODELS}retrain/").status_code == 403
    rule.refresh_from_db()
    assert rule.name != "改" and RoutingRule.objects.count() == 1


def test_officials_do_not_see_routing_on_the_admin_index(client):
    _admin(client, unit_official())
    html = client.get("/admin/").content.decode()
    assert "routing rules" not in html.lower()


def test_enterprise_users_are_kept_out(client):
    client.force_login(enterprise_user())
    response = client.get(RULES)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
