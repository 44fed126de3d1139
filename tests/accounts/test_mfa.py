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
