import pytest

from tests.factories import enterprise_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/accounts/email/", "/accounts/password/change/",
                                  "/accounts/2fa/", "/accounts/sessions/"])
def test_account_pages_share_a_menu(client, path):
    client.force_login(enterprise_user())
    html = client.get(path).content.decode()
    assert 'aria-label="Account settings"' in html
    assert 'href="/accounts/sessions/"' in html and 'href="/inbox/preferences/"' in html


def test_sessions_list_shows_the_current_session(client):
    user = enterprise_user()
    client.force_login(user)
    client.get("/")  # usersessions records the session on a request
    html = client.get("/accounts/sessions/").content.decode()
    assert "Sessions" in html or "sessions" in html
    assert user.usersession_set.count() == 1


def test_account_pages_need_login(client):
    response = client.get("/accounts/sessions/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
