"""Each role is refused what it must not see; officials see only their own unit in the admin."""

import pytest
from django.contrib.auth.models import Group

from portal.accounts.roles import Role, all_role_permissions
from tests.factories import (
    UnitFactory,
    UserFactory,
    department_staff,
    enterprise_user,
    unit_official,
)
from tests.totp import activate_totp

pytestmark = pytest.mark.django_db


def staff_client(client, user):
    activate_totp(user)
    client.force_login(user)
    return client


def test_every_role_group_exists_with_its_permissions():
    for role, perms in all_role_permissions().items():
        group = Group.objects.get(name=role)
        have = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
        assert have == set(perms), role


def test_official_sees_only_own_unit_in_admin(client):
    # No English names: the English admin then shows the Chinese ones (issue 12).
    unit_a, unit_b = UnitFactory(name="甲局", name_en=""), UnitFactory(name="乙局", name_en="")
    official = unit_official(unit_a)
    colleague = unit_official(unit_a)
    outsider = unit_official(unit_b)
    staff_client(client, official)
    units = client.get("/admin/orgs/unit/").content.decode()
    assert "甲局" in units and "乙局" not in units
    assert client.get(f"/admin/orgs/unit/{unit_b.pk}/change/").status_code in (302, 404)
    users = client.get("/admin/accounts/user/").content.decode()
    assert colleague.email in users and outsider.email not in users


def test_department_staff_sees_every_unit(client):
    UnitFactory(name="甲局", name_en=""), UnitFactory(name="乙局", name_en="")
    staff_client(client, department_staff())
    page = client.get("/admin/orgs/unit/").content.decode()
    assert "甲局" in page and "乙局" in page


def test_enterprise_user_is_refused_the_admin(client):
    response = client.get("/admin/")
    assert response["Location"] == "/admin/login/?next=/admin/"
    # the admin's own login form is replaced by the portal's sign-in (with its TOTP stage)
    response = client.get(response["Location"])
    assert response["Location"] == "/accounts/login/?next=/admin/"
    client.force_login(enterprise_user(admin=True))
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403


def test_official_cannot_see_enterprises_or_ledger(client):
    staff_client(client, unit_official())
    assert client.get("/admin/orgs/enterprise/").status_code == 403
    assert client.get("/admin/ledger/ledgerentry/").status_code == 403


def test_observer_and_evaluator_have_no_unit_powers():
    observer = UserFactory(roles=[Role.OBSERVER])
    evaluator = UserFactory(roles=[Role.EVALUATOR])
    for user in (observer, evaluator):
        assert not user.has_perm("orgs.handle_unit_cases")
        assert not user.has_perm("orgs.supervise_all_units")
    assert evaluator.is_staff and not observer.is_staff


def test_api_me_reports_roles_and_refuses_anonymous(client):
    assert client.get("/api/v1/me/").status_code == 403
    user = enterprise_user(admin=True)
    client.force_login(user)
    body = client.get("/api/v1/me/").json()
    assert body["enterprise"] == user.enterprise_id
    assert set(body["roles"]) == {"enterprise_admin", "enterprise_user"}


def test_api_errors_have_one_format(client):
    body = client.get("/api/v1/me/").json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == "not_authenticated"
