"""Who is told about a step: the holders of a permission, found from the permission's side.

Regression: the department's recipients of every submission were found by joining all users
to their groups and permissions with an OR and a DISTINCT, which scanned every user (400,000
at district scale: most of a 1.9 s submission)."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.cases.services import _steps
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
