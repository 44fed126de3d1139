"""The daily job: expiry alerts 60 and 30 days before (once each), the status turning expired,
and the guide reminder to the unit after 7 working days, then the department."""

import datetime

import pytest
import time_machine

from policies import services
from policies.jobs import run_daily
from policies.models import Guide, PolicyStatus
from portal.notifications.models import Notification
from tests.factories import department_staff, unit_official

from .factories import make_policy

pytestmark = pytest.mark.django_db
TZ = datetime.timezone(datetime.timedelta(hours=8))


def _at(day):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(8), TZ), tick=False)


def _subjects(user):
    return list(Notification.objects.filter(recipient=user).order_by("id")
                .values_list("subject", flat=True))


def test_expiry_alerts_once_each_then_the_policy_expires():
    official = unit_official()
    with _at(datetime.date(2026, 1, 5)):
        policy = make_policy(unit=official.unit, issued_on=datetime.date(2026, 1, 5),
                             expires_on=datetime.date(2026, 6, 30))
        services.policy_publish(policy=policy, by=official)
    with _at(datetime.date(2026, 4, 30)):  # 61 days before
        run_daily()
    assert _subjects(official) == []
    with _at(datetime.date(2026, 5, 1)):  # 60 days before, run twice
        run_daily()
        run_daily()
    assert _subjects(official) == [f"Policy expires in 60 days: {policy.title}"]
    with _at(datetime.date(2026, 5, 31)):
        run_daily()
    with _at(datetime.date(2026, 6, 1)):
        run_daily()
    assert _subjects(official)[1:] == [f"Policy expires in 30 days: {policy.title}"]
    with _at(datetime.date(2026, 6, 30)):
        run_daily()
        policy.refresh_from_db()
        assert policy.status == PolicyStatus.IN_FORCE  # its last day
    with _at(datetime.date(2026, 7, 1)):
        run_daily()
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.EXPIRED
    assert len(_subjects(official)) == 2


def test_a_policy_without_a_guide_reminds_its_unit_then_the_department():
    official, staff = unit_official(), department_staff()
    monday = datetime.date(2026, 3, 2)
    with _at(monday):
        policy = make_policy(unit=official.unit, issued_on=monday, guide=False)
        services.policy_publish(policy=policy, by=official)
    with _at(monday + datetime.timedelta(days=8)):  # 6 working days later
        run_daily()
    assert _subjects(official) == []
    with _at(monday + datetime.timedelta(days=9)):  # the 7th working day
        run_daily()
        run_daily()
    assert _subjects(official) == [f"Write the guide of policy: {policy.title}"]
    assert _subjects(staff) == []
    with _at(monday + datetime.timedelta(days=14)):  # the 10th working day
        run_daily()
    assert _subjects(staff) == [f"Policy still without a guide: {policy.title}"]


def test_a_policy_with_its_guide_reminds_nobody():
    official = unit_official()
    monday = datetime.date(2026, 3, 2)
    with _at(monday):
        policy = make_policy(unit=official.unit, issued_on=monday)
        services.policy_publish(policy=policy, by=official)
    assert Guide.objects.filter(policy=policy).exists()
    with _at(monday + datetime.timedelta(days=30)):
        run_daily()
    assert _subjects(official) == []


def test_eligible_enterprises_that_have_not_applied_are_reminded_once_before_the_deadline():
    from policies.models import Uptake
    from tests.factories import EnterpriseFactory, enterprise_user

    from .factories import qualification

    official = unit_official()
    applied, idle, unknown = (EnterpriseFactory(registered_capital=c) for c in (500, 600, None))
    for e in (applied, idle, unknown):
        e.qualifications.add(qualification())
    people = {e.pk: enterprise_user(e) for e in (applied, idle, unknown)}
    monday = datetime.date(2026, 3, 2)
    with _at(monday):
        policy = make_policy(unit=official.unit, issued_on=monday)
        Guide.objects.filter(policy=policy).update(apply_by=datetime.date(2026, 4, 30))
        services.policy_publish(policy=policy, by=official)
        Uptake.objects.create(policy=policy, enterprise=applied, kind="applied", on=monday)
    with _at(datetime.date(2026, 4, 22)):  # 8 days before
        run_daily()
    assert all(not _subjects(u) or "Apply by" not in _subjects(u)[-1] for u in people.values())
    with _at(datetime.date(2026, 4, 23)):  # 7 days before, run twice
        run_daily()
        run_daily()
    reminder = f"Apply by 2026-04-30: {policy.title}"
    assert _subjects(people[idle.pk]).count(reminder) == 1
    assert reminder not in _subjects(people[applied.pk])
    assert reminder not in _subjects(people[unknown.pk])
