"""免申即享: publishing a policy granted without applying proposes the eligible enterprises (not
the unknown ones); the unit confirms or removes each with a reason; each enterprise is told once."""

import pytest
from django.core.exceptions import ValidationError

from policies import services
from policies.models import Grant
from portal.notifications.models import Notification
from tests.factories import EnterpriseFactory, enterprise_user, unit_official

from .factories import make_policy, qualification

pytestmark = pytest.mark.django_db


def test_proposed_confirmed_removed_and_each_told_once():
    official = unit_official()
    a = EnterpriseFactory(registered_capital=500)
    b = EnterpriseFactory(registered_capital=600)
    for e in (a, b):
        e.qualifications.add(qualification())
    unknown = EnterpriseFactory(registered_capital=None)
    unknown.qualifications.add(qualification())
    ua, ub = enterprise_user(a), enterprise_user(b)
    policy = make_policy(unit=official.unit, granted_without_application=True)
    services.policy_publish(policy=policy, by=official)
    assert set(Grant.objects.values_list("enterprise_id", flat=True)) == {a.pk, b.pk}
    ga, gb = Grant.objects.get(enterprise=a), Grant.objects.get(enterprise=b)

    with pytest.raises(ValidationError, match="Give the reason"):
        services.grants_decide(grants=[gb], by=official, confirm=False, reason=" ")
    with pytest.raises(services.PermissionDenied):
        services.grants_decide(grants=[ga], by=unit_official(), confirm=True)
    assert Grant.objects.filter(status="proposed").count() == 2

    assert services.grants_decide(grants=[ga], by=official, confirm=True) == 1
    assert services.grants_decide(grants=[ga], by=official, confirm=True) == 0  # twice: once
    services.grants_decide(grants=[gb], by=official, confirm=False, reason="已享受同类补助")
    granted = Notification.objects.filter(recipient=ua, subject__startswith="You received")
    assert granted.count() == 1
    removed = Notification.objects.get(recipient=ub, subject__startswith="Not granted")
    assert "已享受同类补助" in removed.body
    gb.refresh_from_db()
    assert (gb.status, gb.reason) == ("removed", "已享受同类补助")
