"""The base layout: languages, large-text mode, local assets only, safe headers."""

import re

import pytest

pytestmark = pytest.mark.django_db


def test_default_language_is_simplified_chinese(client):
    client.cookies.pop("portal_language")
    html = client.get("/").content.decode()
    assert '<html lang="zh-Hans">' in html
    assert "营商环境政企通" in html


@pytest.mark.parametrize("code, html_lang, text", [
    ("zh-hant", "zh-Hant", "營商環境政企通"),
    ("en", "en", "Yingshang Portal"),
    ("zh-hans", "zh-Hans", "营商环境政企通"),
])
def test_language_switcher_sets_the_language(client, code, html_lang, text):
    response = client.post("/i18n/setlang/", {"language": code, "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert f'<html lang="{html_lang}">' in html
    assert text in html


def test_large_text_mode_switches_on_and_off_without_javascript(client):
    assert 'class="large-text"' not in client.get("/").content.decode()
    response = client.post("/prefs/text-size/", {"size": "large", "next": "/enterprise/"})
    assert response["Location"] == "/enterprise/"
    assert 'class="large-text"' in client.get("/").content.decode()
    client.post("/prefs/text-size/", {"size": "normal"})
    assert 'class="large-text"' not in client.get("/").content.decode()


def test_text_size_refuses_to_redirect_elsewhere(client):
    response = client.post("/prefs/text-size/", {"size": "large", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_every_asset_is_served_locally(client):
    html = client.get("/accounts/signup/").content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls
    for url in urls:
        assert not url.startswith(("http://", "https://", "//")), url


def test_security_headers(client):
    response = client.get("/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_signup_form_labels_every_field_and_marks_errors_in_words(client):
    response = client.post("/accounts/signup/", {"action": "register"})
    html = response.content.decode()
    assert "Error:" in html
    for field_id in ("id_email", "id_credit_code", "id_full_name", "id_password1"):
        assert f'for="{field_id}"' in html
        assert re.search(rf'id="{field_id}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="{field_id}"', html)


def test_the_home_page_tells_a_newcomer_their_request_to_join_is_waiting(client):
    from portal.orgs.models import JoinRequest
    from tests.factories import UserFactory, enterprise_user

    enterprise = enterprise_user(admin=True).enterprise
    newcomer = UserFactory()
    client.force_login(newcomer)
    client.cookies["portal_language"] = "en"
    assert "is waiting for its administrator" not in client.get("/").content.decode()
    JoinRequest.objects.create(user=newcomer, enterprise=enterprise)
    html = client.get("/").content.decode()
    assert (f"Your request to join {enterprise.name} is waiting for its administrator's "
            "approval." in html.replace("&#x27;", "'"))


def test_the_home_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    from tests.factories import enterprise_user

    client.force_login(enterprise_user())
    client.get("/")  # the layout's parts cached for this language and role
    # session, user, the unread badge, the enterprise the user acts for (their permissions
    # are kept under the version their row carries since issue 13; they were a fifth query)
    with django_assert_num_queries(4):
        assert client.get("/").status_code == 200
