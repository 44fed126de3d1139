"""Every staff account must use TOTP; the admin is reached only through the two-factor login."""

import pytest
from django.contrib.auth import get_user_model

from tests.factories import department_staff, enterprise_user, unit_official
from tests.totp import activate_totp, current_code

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


def test_staff_without_totp_is_sent_to_set_it_up(client):
    official = unit_official()
    client.force_login(official)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/totp/activate/")
    # allauth asks for the password again before an authenticator may be added
    follow = client.get(response["Location"])
    assert follow["Location"].startswith("/accounts/reauthenticate/")
    # and nothing else in the admin opens meanwhile
    assert client.get("/admin/orgs/unit/")["Location"].startswith("/accounts/2fa/totp/activate/")


def test_enterprise_user_is_not_forced_to_use_totp(client):
    client.force_login(enterprise_user())
    assert client.get("/").status_code == 200


def test_official_logs_in_with_password_then_totp_code(client):
    official = unit_official()
    official.emailaddress_set.create(email=official.email, verified=True, primary=True)
    secret = activate_totp(official)
    response = client.post("/accounts/login/", {"login": official.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    # not signed in yet: the admin is still closed
    assert "_auth_user_id" not in client.session
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    ok = client.post("/accounts/2fa/authenticate/", {"code": current_code(secret)})
    assert ok.status_code == 302
    assert int(client.session["_auth_user_id"]) == official.pk
    assert client.get("/admin/").status_code == 200


def test_login_is_throttled_after_repeated_failures(client):
    staff = department_staff()
    staff.emailaddress_set.create(email=staff.email, verified=True, primary=True)
    for _ in range(5):
        client.post("/accounts/login/", {"login": staff.email, "password": "wrong"})
    response = client.post("/accounts/login/", {"login": staff.email, "password": PASSWORD})
    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session
    assert get_user_model().objects.get(pk=staff.pk).last_login is None


def test_a_page_of_the_admin_site_needs_the_totp_step(client):
    """The department's dashboard, a page of the portal's AdminSite rather than a model's: the
    password alone does not open it, the TOTP code does; a staff account with no authenticator
    is sent to set one up."""
    from django.contrib import admin

    from portal.core.admin_site import PortalAdminSite

    assert isinstance(admin.site, PortalAdminSite)  # the admin app's default site
    staff = department_staff()
    staff.emailaddress_set.create(email=staff.email, verified=True, primary=True)
    dashboard = "/admin/cases/dashboard/"
    # not signed in: the site's sign-in is the portal's (allauth), coming back to the page
    assert client.get(dashboard)["Location"] == f"/admin/login/?next={dashboard}"
    assert client.get(f"/admin/login/?next={dashboard}")["Location"] == (
        f"/accounts/login/?next={dashboard}")
    # signed in without an authenticator yet: set one up first, nothing else opens
    client.force_login(staff)
    assert client.get(dashboard)["Location"].startswith("/accounts/2fa/totp/activate/")
    client.logout()
    secret = activate_totp(staff)
    response = client.post("/accounts/login/", {"login": staff.email, "password": PASSWORD,
                                                "next": dashboard})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert client.get(dashboard)["Location"] == f"/admin/login/?next={dashboard}"  # password only
    response = client.post("/accounts/2fa/authenticate/", {"code": current_code(secret)})
    assert response["Location"] == dashboard
    assert client.get(dashboard).status_code == 200
    assert 'href="/admin/cases/dashboard/"' in client.get("/admin/").content.decode()


def test_the_admin_sign_in_refuses_someone_who_does_not_work_in_the_admin(client):
    client.force_login(enterprise_user())
    assert client.get("/admin/login/").status_code == 403
    assert client.get("/admin/").status_code == 302
