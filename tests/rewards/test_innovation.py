"""Innovation awards (Art. 9 ¶2): nominated with evidence by one, granted by another, no cap,
published when granted."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rewards import services
from rewards.models import InnovationAward
from tests.factories import UnitFactory, department_staff
from tests.totp import login

pytestmark = pytest.mark.django_db


def _nominate(actor, **change):
    kwargs = {"actor": actor, "nominee_kind": "person", "unit": UnitFactory(),
              "person_name": "刘改革", "title": "企业开办一日办结", "title_en": "Open a business in one day",
              "achievement": "开办时间由5天缩短到1天。", "achievement_en": "From five days to one.",
              "evidence": "市场监管局统计报表。", "amount": Decimal("50000"), **change}
    return services.award_nominate(**kwargs)


def test_a_nomination_is_granted_by_another_without_a_cap_and_then_published(client, dept):
    with pytest.raises(ValidationError) as exc:
        _nominate(dept, person_name="", evidence="")
    assert {"person_name", "evidence"} <= set(exc.value.message_dict)
    award = _nominate(dept)
    client.cookies["portal_language"] = "en"
    assert "Open a business in one day" not in client.get("/rewards/innovation/").content.decode()
    with pytest.raises(PermissionDenied, match="another staff member"):
        services.award_decide(award=award, actor=dept, grant=True)
    services.award_decide(award=award, actor=department_staff(), grant=True)
    assert InnovationAward.objects.get().amount == Decimal("50000")  # no cap
    assert "Open a business in one day" in client.get("/rewards/innovation/").content.decode()


def test_nominating_and_granting_in_the_admin(client, dept):
    unit = UnitFactory()
    login(client, dept)
    response = client.post("/admin/rewards/innovationaward/add/", {
        "nominee_kind": "unit", "unit": unit.pk, "title": "一网通办", "title_en": "One portal",
        "achievement": "全程网办。", "achievement_en": "All online.", "evidence": "评估报告。"})
    assert response.status_code == 302
    award = InnovationAward.objects.get()
    change = f"/admin/rewards/innovationaward/{award.pk}/change/"
    assert 'value="decide"' not in client.get(change).content.decode()
    login(client, department_staff())
    assert client.post(change, {"_step": "decide", "decide-grant": "no"}).status_code == 200
    assert client.post(change, {"_step": "decide", "decide-grant": "yes"}).status_code == 302
    assert InnovationAward.objects.get().status == "granted"
