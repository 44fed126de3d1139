"""A user's permissions, own and through groups (roles), are read in one query (ModelBackend took
two) and kept under the version their row carries, so every change of their roles, their own
permissions or a role's permissions is seen on the next request; a user made inactive or
deleted, or whose password changed, is signed out."""

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
    assert len(queries) == 1 and '"auth_permission"' in queries[0]["sql"]


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


def test_a_pages_user_and_permissions_come_in_two_queries_then_one(client):
    """The user's row by Django's own get_user, their permissions by one query, both once;
    on the next page the permissions are those kept under the row's version."""
    user = enterprise_user(admin=True)
    user.user_permissions.add(Permission.objects.get(codename="view_pain_points"))
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        request = client.get("/cases/").wsgi_request
    user_queries = [q["sql"] for q in queries if 'FROM "accounts_user"' in q["sql"]]
    permission_queries = [q["sql"] for q in queries if 'FROM "auth_permission"' in q["sql"]]
    assert len(user_queries) == 1 and len(permission_queries) == 1
    loaded = request.user
    assert loaded.pk == user.pk and loaded.enterprise_id == user.enterprise_id
    with CaptureQueriesContext(connection) as queries:  # already read on the page
        assert loaded.has_perm("orgs.act_for_enterprise")
        assert loaded.has_perm("cases.view_pain_points")
        assert not loaded.has_perm("orgs.supervise_all_units")
    assert len(queries) == 0
    with CaptureQueriesContext(connection) as queries:
        request = client.get("/cases/").wsgi_request
    assert not [q for q in queries if 'FROM "auth_permission"' in q["sql"]]
    assert request.user.has_perm("cases.view_pain_points")


def _can_submit(client) -> bool:
    return client.get("/cases/new/").status_code == 200


def test_every_change_of_what_a_user_may_do_is_seen_on_the_next_request(client):
    """Each way Django changes a user's permissions moves their version (accounts/signals.py):
    from the user's side and from the role's or the permission's side."""
    from django.contrib.auth.models import Group

    user = enterprise_user()
    role = Group.objects.get(name=Role.ENTERPRISE_USER)
    act = Permission.objects.get(codename="act_for_enterprise")
    client.force_login(user)
    assert _can_submit(client)
    role.user_set.remove(user)  # the role's side
    assert not _can_submit(client)
    user.user_permissions.add(act)  # the user's own permission
    assert _can_submit(client)
    act.user_set.clear()  # the permission's side, cleared
    assert not _can_submit(client)
    user.groups.add(role)
    assert _can_submit(client)
    role.permissions.remove(act)  # the role loses the permission: every member does
    assert not _can_submit(client)
    act.group_set.add(role)
    assert _can_submit(client)
    role.permissions.clear()
    assert not _can_submit(client)
    role.permissions.add(act)
    assert _can_submit(client)
    user.groups.clear()
    assert not _can_submit(client)
    user.groups.add(role)
    assert _can_submit(client)
    act.group_set.clear()  # from the permission's side, every role at once
    assert not _can_submit(client)


def test_a_role_or_permission_deleted_is_gone_on_the_next_request(client):
    from django.contrib.auth.models import Group

    user = enterprise_user()
    client.force_login(user)
    assert _can_submit(client)
    Group.objects.get(name=Role.ENTERPRISE_USER).delete()
    assert not _can_submit(client)
    user.user_permissions.add(Permission.objects.get(codename="act_for_enterprise"))
    assert _can_submit(client)
    Permission.objects.get(codename="act_for_enterprise").delete()
    assert not _can_submit(client)


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


def test_a_password_changed_elsewhere_signs_the_session_out(client):
    user = enterprise_user()
    client.force_login(user)
    assert client.get("/cases/").status_code == 200
    user.set_password("Another-secret-2026")
    user.save()
    response = client.get("/cases/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/").wsgi_request.user.is_anonymous


def test_signing_out_through_the_portal(client):
    client.force_login(enterprise_user())
    assert client.get("/cases/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/cases/").status_code == 302


def test_a_superusers_permissions_are_all_and_read_only_when_asked(client):
    root = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(root)
    request = client.get("/").wsgi_request
    assert not hasattr(request.user, "_perm_cache")
    assert request.user.has_perm("orgs.supervise_all_units")
    assert "ledger.view_ledgerentry" in request.user.get_all_permissions()
