"""Who is told about a step: the holders of a permission, found from the permission's side.

Regression: the department's recipients of every submission were found by joining all users
to their groups and permissions with an OR and a DISTINCT, which scanned every user (400,000
at district scale: most of a 1.9 s submission)."""

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.accounts.roles import Role, role_revoke
from portal.cases.models import DEPARTMENT_MEMO_KEY
from portal.cases.services import _steps
from portal.notifications.models import Notification
from tests.factories import UserFactory, department_staff, enterprise_user, unit_official

from .factories import submit_case

pytestmark = pytest.mark.django_db


def test_holders_through_a_role_or_their_own_permission_active_only(unit):
    staff = department_staff()
    direct = UserFactory()
    direct.user_permissions.add(Permission.objects.get(codename="supervise_all_units"))
    department_staff(is_active=False)
    enterprise_user()
    official = unit_official(unit)
    assert set(_steps.department_staff()) == {staff, direct}
    assert _steps.unit_officials(unit.pk) == [official]


def test_a_submission_costs_the_same_queries_however_many_users_there_are():
    department_staff()
    submitter = enterprise_user()
    submit_case(submitter)  # warm: reference counter row, deadline rules, the calendar

    def run() -> list[str]:
        # the department's staff are read again, not taken from the process's memory
        caches["fragments"].delete(DEPARTMENT_MEMO_KEY)
        with CaptureQueriesContext(connection) as queries:
            submit_case(submitter)
        return [q["sql"] for q in queries]

    few = run()
    for _ in range(20):
        enterprise_user()
    department_staff()
    many = run()
    assert len(many) == len(few)
    users = [sql for sql in many if sql.startswith('SELECT "accounts_user"."id"')]
    assert users and all("DISTINCT" not in sql and '"accounts_user"."id" IN (' in sql
                         for sql in users)


def test_the_department_kept_in_memory_follows_every_change_of_roles():
    """The department's staff are kept in the process's memory between submissions; whoever
    is given or loses the role, or is made inactive, is told (or not) from the next one."""
    first = department_staff()
    submitter = enterprise_user()

    def told(case) -> set:
        return set(Notification.objects.filter(url__contains=f"/{case.pk}/")
                   .exclude(recipient=submitter).values_list("recipient_id", flat=True))

    assert told(submit_case(submitter, title="一")) == {first.pk}
    second = department_staff()                      # a role given
    assert told(submit_case(submitter, title="二")) == {first.pk, second.pk}
    first.is_active = False                          # a person made inactive
    first.save(update_fields=["is_active"])
    assert told(submit_case(submitter, title="三")) == {second.pk}
    role_revoke(user=second, role=Role.DEPARTMENT_STAFF)   # a role taken away
    assert told(submit_case(submitter, title="四")) == set()
