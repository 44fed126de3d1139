"""Publishing a policy and its precise push: test cases must pass, one set-based match, and
exactly one notice per enterprise per version with a real Celery worker — even when the
publish is repeated or a batch task runs twice."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction

from policies import services
from policies.jobs import run_daily
from policies.models import Policy, PolicyMatch, PolicyStatus, PolicyTestCase, PolicyVersion
from policies.tasks import policy_push_batch
from portal.ledger.models import LedgerEntry
from portal.notifications.models import Notification
from tests.factories import EnterpriseFactory, enterprise_user, unit_official
from tests.fixtures.celery import wait_until
from tests.totp import login

from .factories import make_policy, qualification


def _world():
    official = unit_official()
    eligible = EnterpriseFactory(registered_capital=500)
    eligible.qualifications.add(qualification())
    unknown = EnterpriseFactory(registered_capital=None)
    unknown.qualifications.add(qualification())
    not_eligible = EnterpriseFactory(registered_capital=50)
    people = {name: [enterprise_user(e), enterprise_user(e)]
              for name, e in (("eligible", eligible), ("unknown", unknown),
                              ("not", not_eligible))}
    return official, people


def _notices(users):
    return Notification.objects.filter(recipient__in=users).count()


TZ = datetime.timezone(datetime.timedelta(hours=8))


def _at(day):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(9), TZ), tick=False)


def _publish_in_admin(client, official, policy, on_commit):
    """Press "Publish" on `policy` in the admin, as the unit's official; return the page and
    the callbacks queued for after commit (the push task)."""
    login(client, official)
    with on_commit() as queued:
        page = client.post("/admin/policies/policy/", {
            "action": "publish", "_selected_action": [policy.pk], "index": "0",
            "select_across": "0"}, follow=True)
    assert page.status_code == 200
    return page.content.decode(), queued


@pytest.mark.django_db
def test_a_failing_test_case_refuses_publishing_and_names_it():
    official = unit_official()
    policy = make_policy(unit=official.unit, expected="not_eligible")
    with pytest.raises(ValidationError) as caught:
        services.policy_publish(policy=policy, by=official)
    assert "Test case “高企” expects “Not eligible” but the conditions give “Eligible”" in str(
        caught.value)
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.DRAFT and policy.version == 0
    assert not PolicyMatch.objects.exists()


@pytest.mark.django_db
def test_no_test_case_or_an_unknown_clause_refuses_publishing():
    official = unit_official()
    policy = make_policy(unit=official.unit)
    PolicyTestCase.objects.filter(policy=policy).delete()
    with pytest.raises(ValidationError, match="Add at least one test case"):
        services.policy_publish(policy=policy, by=official)
    policy = make_policy(unit=official.unit, conditions={
        "field": "size", "values": ["small"], "clause": "第九条"}, expected="unknown",
        profile={})
    with pytest.raises(ValidationError, match="names clause “第九条”"):
        services.policy_publish(policy=policy, by=official)


@pytest.mark.django_db
def test_another_units_official_cannot_publish():
    policy = make_policy()
    with pytest.raises(services.PermissionDenied):
        services.policy_publish(policy=policy, by=unit_official())


@pytest.mark.django_db
def test_publish_matches_eligible_and_unknown_in_one_statement(django_assert_max_num_queries):
    official, people = _world()
    policy = make_policy(unit=official.unit)
    version = services.policy_publish(policy=policy, by=official)
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.IN_FORCE and policy.version == 1
    assert policy.expires_on == policy.issued_on.replace(year=policy.issued_on.year + 3)
    rows = {m.enterprise_id: (m.outcome, m.missing) for m in PolicyMatch.objects.all()}
    eligible = people["eligible"][0].enterprise_id
    unknown = people["unknown"][0].enterprise_id
    assert rows == {eligible: ("eligible", []), unknown: ("unknown", ["registered_capital"])}
    assert version.matched == 2
    assert LedgerEntry.objects.filter(action="policy.publish", object_id=str(policy.pk)).count() == 1


def test_exactly_one_notice_per_enterprise_when_published_twice_and_a_task_runs_twice(
        celery_worker):
    official, people = _world()
    policy = make_policy(unit=official.unit)
    version = services.policy_publish(policy=policy, by=official)
    every = [u for users in people.values() for u in users]
    wait_until(lambda: _notices(every) == 4, message="4 notices")
    # Publishing again (a double click): the same version, no second push.
    assert services.policy_publish(policy=policy, by=official).pk == version.pk
    # The batch task delivered twice (a redelivery after a lost ack).
    first, last = PolicyMatch.objects.order_by("id").values_list("id", flat=True)
    with transaction.atomic():
        transaction.on_commit(lambda: policy_push_batch.delay(version.pk, first, last))
        transaction.on_commit(lambda: policy_push_batch.delay(version.pk, first, last))
    celery_worker.wait_for_runs(policy_push_batch.name, 3)
    assert _notices(people["eligible"]) == 2  # one per member: one per enterprise
    assert _notices(people["unknown"]) == 2
    assert _notices(people["not"]) == 0
    subjects = set(Notification.objects.filter(recipient__in=people["unknown"])
                   .values_list("subject", flat=True))
    assert subjects == {f"A policy your enterprise may qualify for: {policy.title}"}
    assert not PolicyMatch.objects.filter(notified_at__isnull=True).exists()


def _expired_by_the_daily_job(policy):
    run_daily(today=policy.ends_on + datetime.timedelta(days=1))


def _repealed(policy):
    Policy.objects.filter(pk=policy.pk).update(status=PolicyStatus.REPEALED)  # no service yet


def _superseded(policy):
    Policy.objects.filter(pk=policy.pk).update(status=PolicyStatus.SUPERSEDED)


@pytest.mark.django_db
@pytest.mark.parametrize("end", [_expired_by_the_daily_job, _repealed, _superseded])
def test_the_admin_refuses_to_publish_an_expired_repealed_or_superseded_policy(
        client, django_capture_on_commit_callbacks, end):
    """The unit edits the conditions of a policy no longer in force and presses "Publish": it
    is told why not, and no version, match, ledger entry or push comes of it."""
    official, people = _world()
    with _at(datetime.date(2026, 1, 5)):  # published while in force
        policy = make_policy(unit=official.unit, issued_on=datetime.date(2026, 1, 5),
                             expires_on=datetime.date(2026, 6, 30))
        services.policy_publish(policy=policy, by=official)
    end(policy)
    policy.refresh_from_db()
    ended = policy.status
    assert ended != PolicyStatus.IN_FORCE
    # New conditions: without the refusal this publish would make version 2 and push it.
    Policy.objects.filter(pk=policy.pk).update(conditions={"all": [
        {"field": "qualification", "values": ["high-tech"], "clause": "第二条"},
        {"field": "registered_capital", "min": 10, "clause": "第三条"},
    ]})
    matches = PolicyMatch.objects.count()
    page, queued = _publish_in_admin(client, official, policy, django_capture_on_commit_callbacks)
    assert (f"“{policy.title}” was not published: A policy that is expired, repealed or "
            "superseded cannot be published again.") in page
    assert "is in force (version" not in page
    policy.refresh_from_db()
    assert (policy.status, policy.version) == (ended, 1)
    assert PolicyVersion.objects.filter(policy=policy).count() == 1
    assert PolicyMatch.objects.count() == matches
    assert LedgerEntry.objects.filter(action="policy.publish", object_id=str(policy.pk)).count() == 1
    assert queued == []  # no push task queued


NEW_CONDITIONS = {"all": [
    {"field": "qualification", "values": ["high-tech"], "clause": "第二条"},
    {"field": "registered_capital", "min": 10, "clause": "第三条"},
]}


def _in_force_past_its_last_day(official):
    with _at(datetime.date(2026, 3, 2)):
        policy = make_policy(unit=official.unit, issued_on=datetime.date(2026, 3, 2),
                             expires_on=datetime.date(2026, 6, 30))
        services.policy_publish(policy=policy, by=official)
    policy.refresh_from_db()
    assert (policy.status, policy.version) == (PolicyStatus.IN_FORCE, 1)
    return policy


def _draft_past_its_last_day(official):
    return make_policy(unit=official.unit, issued_on=datetime.date(2026, 3, 2),
                       expires_on=datetime.date(2026, 6, 30))


@pytest.mark.django_db
@pytest.mark.parametrize("made", [_in_force_past_its_last_day, _draft_past_its_last_day])
def test_the_admin_refuses_to_publish_a_policy_past_its_last_day(
        client, django_capture_on_commit_callbacks, made):
    """Regression: publishing refused by status only, so a policy still "in force" the day
    after its last (the daily job not yet run) took new conditions as version 2 and pushed them,
    and a draft whose last day had passed was put in force. Now the unit is told why not, and
    no version, match, ledger entry or push comes of it."""
    official, people = _world()
    policy = made(official)
    before = (policy.status, policy.version)
    Policy.objects.filter(pk=policy.pk).update(conditions=NEW_CONDITIONS)
    matches = PolicyMatch.objects.count()
    published = LedgerEntry.objects.filter(action="policy.publish", object_id=str(policy.pk))
    ledger = published.count()
    with _at(datetime.date(2026, 7, 1)):
        page, queued = _publish_in_admin(client, official, policy,
                                         django_capture_on_commit_callbacks)
    assert (f"“{policy.title}” was not published: A policy whose validity ended on 2026-06-30 "
            "cannot be published; set a later “in force until” date first.") in page
    assert "is in force (version" not in page
    policy.refresh_from_db()
    assert (policy.status, policy.version) == before
    assert PolicyVersion.objects.filter(policy=policy).count() == before[1]
    assert PolicyMatch.objects.count() == matches
    assert published.count() == ledger
    assert queued == []  # no push task queued


@pytest.mark.django_db
@pytest.mark.parametrize("made", [_in_force_past_its_last_day, _draft_past_its_last_day])
def test_the_admin_publishes_a_policy_on_its_last_day(
        client, django_capture_on_commit_callbacks, made):
    """Its last day is still in force (the daily job expires it only the day after)."""
    official, people = _world()
    policy = made(official)
    Policy.objects.filter(pk=policy.pk).update(conditions=NEW_CONDITIONS)
    with _at(datetime.date(2026, 6, 30)):
        page, queued = _publish_in_admin(client, official, policy,
                                         django_capture_on_commit_callbacks)
    version = policy.version + 1
    assert f"“{policy.title}” is in force (version {version});" in page
    assert "was not published" not in page
    policy.refresh_from_db()
    assert (policy.status, policy.version) == (PolicyStatus.IN_FORCE, version)
    assert PolicyVersion.objects.get(policy=policy, number=version).conditions == NEW_CONDITIONS
    assert len(queued) == 1  # the push of the new version
