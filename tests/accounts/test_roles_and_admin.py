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


def _change_form(client, user):
    return client.get(f"/admin/accounts/user/{user.pk}/change/")


def test_department_staff_cannot_set_a_password_or_take_an_account(client):
    """The department manages people, but a superuser alone sets passwords and changes the
    e-mail someone signs in with: otherwise a staff member could sign in as anyone."""
    member, official = enterprise_user(), unit_official()
    staff_client(client, department_staff())
    for user in (member, official):
        assert client.get(f"/admin/accounts/user/{user.pk}/password/").status_code == 403
        response = client.post(f"/admin/accounts/user/{user.pk}/password/",
                               {"password1": "Xx-taken-over-9", "password2": "Xx-taken-over-9"})
        assert response.status_code == 403
        user.refresh_from_db()
        assert not user.check_password("Xx-taken-over-9")
        page = _change_form(client, user).content.decode()
        assert 'href="../password/"' not in page          # no link to the password form
        assert 'name="email"' not in page                 # the e-mail is shown, not editable


def test_department_staff_cannot_grant_the_elevated_roles(client):
    """Nobody below a superuser can give the complaint desk's sight of reporters, not even to
    themselves; holders of the elevated roles are read-only to them."""
    staff = department_staff()
    official = unit_official()
    desk = Group.objects.get(name=Role.COMPLAINT_DESK)
    staff_client(client, staff)
    page = _change_form(client, official).content.decode()
    assert f'value="{desk.pk}"' not in page               # not offered
    form = {"full_name": official.full_name, "phone": "", "language": "zh-hans",
            "email_notifications": "on", "unit": official.unit_id, "is_active": "on",
            "groups": [Group.objects.get(name=Role.UNIT_OFFICIAL).pk, desk.pk],
            "enterprise": ""}
    response = client.post(f"/admin/accounts/user/{official.pk}/change/", form)
    assert response.status_code == 200                    # the form answers with an error
    assert "errorlist" in response.content.decode()
    assert not official.groups.filter(pk=desk.pk).exists()
    # a colleague of the department (an elevated role) and oneself: read-only
    colleague = department_staff()
    for user in (colleague, staff):
        page = _change_form(client, user).content.decode()
        assert 'name="groups"' not in page and 'name="_save"' not in page
        response = client.post(f"/admin/accounts/user/{user.pk}/change/",
                               {**form, "groups": [desk.pk], "unit": user.unit_id})
        assert response.status_code == 403
        assert not user.groups.filter(pk=desk.pk).exists()


def test_department_staff_grant_an_official_role_and_the_admin_opens(client):
    person = UserFactory(unit=UnitFactory())
    assert not person.is_staff
    staff_client(client, department_staff())
    form = {"full_name": person.full_name, "phone": "", "language": "zh-hans",
            "email_notifications": "on", "unit": person.unit_id, "is_active": "on",
            "groups": [Group.objects.get(name=Role.UNIT_OFFICIAL).pk], "enterprise": ""}
    response = client.post(f"/admin/accounts/user/{person.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    person.refresh_from_db()
    assert person.is_staff and person.has_perm("orgs.handle_unit_cases")
