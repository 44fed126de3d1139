"""A session's user and their permissions are read in one query per request (Django's backends
took three), and they are the same permissions: own and through groups (roles), fresh on every
request; a user made inactive or deleted is signed out."""

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


def test_a_pages_user_and_permissions_come_in_one_query(client):
    user = enterprise_user(admin=True)
    user.user_permissions.add(Permission.objects.get(codename="view_pain_points"))
    client.force_login(user)
    request = client.get("/").wsgi_request
    loaded = request.user
    assert loaded.pk == user.pk and loaded.email == user.email
    assert loaded.enterprise_id == user.enterprise_id and loaded.is_active
    with CaptureQueriesContext(connection) as queries:  # already read with the user
        assert loaded.has_perm("orgs.act_for_enterprise")
        assert loaded.has_perm("cases.view_pain_points")
        assert not loaded.has_perm("orgs.supervise_all_units")
    assert len(queries) == 0


def test_the_session_user_query_loads_permissions_with_the_user(client):
    user = enterprise_user()
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/cases/").status_code == 200
    user_queries = [q["sql"] for q in queries if '"accounts_user"' in q["sql"]]
    assert len(user_queries) == 1 and "ARRAY(" in user_queries[0]
    assert not [q for q in queries if "auth_permission" in q["sql"] and "ARRAY(" not in q["sql"]]


def test_a_user_made_inactive_or_deleted_is_signed_out(client):
    user = enterprise_user()
    client.force_login(user)
    assert client.get("/cases/").status_code == 200
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    assert client.get("/cases/").status_code == 302
    user.is_active = True
    user.save()
    client.force_login(user)
    assert client.get("/cases/").status_code == 200
    user.delete()
    assert client.get("/cases/").status_code == 302


def test_a_superusers_permissions_are_all_and_read_only_when_asked(client):
    root = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(root)
    request = client.get("/").wsgi_request
    assert not hasattr(request.user, "_perm_cache")
    assert request.user.has_perm("orgs.supervise_all_units")
    assert "ledger.view_ledgerentry" in request.user.get_all_permissions()
