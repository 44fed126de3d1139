"""A user's permissions are read in one query per request (ModelBackend took two), and they are
the same permissions: own and through groups (roles), fresh on every request."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.accounts.roles import Role
from tests.factories import UserFactory, enterprise_user

pytestmark = pytest.mark.django_db


def fresh(user):
    return type(user).objects.get(pk=user.pk)


def test_permissions_of_groups_and_the_user_are_read_in_one_query():
    user = enterprise_user(admin=True)
    user.user_permissions.add(Permission.objects.get(codename="view_pain_points"))
    user = fresh(user)
    with CaptureQueriesContext(connection) as queries:
        assert user.has_perm("orgs.act_for_enterprise")  # through a role (group)
        assert user.has_perm("orgs.manage_enterprise_members")
        assert user.has_perm("cases.view_pain_points")  # the user's own
        assert not user.has_perm("orgs.supervise_all_units")
    assert len(queries) == 1 and "UNION" in queries[0]["sql"]


def test_a_role_taken_away_is_gone_on_the_next_request(client):
    user = enterprise_user()
    client.force_login(user)
    assert client.get("/cases/").status_code == 200
    user.groups.clear()
    response = client.get("/cases/new/")
    assert response.status_code == 403


def test_inactive_users_and_superusers():
    inactive = UserFactory(roles=[Role.UNIT_OFFICIAL], is_active=False)
    assert not fresh(inactive).has_perm("orgs.handle_unit_cases")
    root = UserFactory(is_superuser=True, is_staff=True)
    assert fresh(root).has_perm("orgs.supervise_all_units")
    assert "ledger.view_ledgerentry" in fresh(root).get_all_permissions()
