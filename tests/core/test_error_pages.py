"""Error pages in the reader's language, drawn without the database (templates/errors/page.html):
a missing page, a refused one, an expired form, a fault on our side. The database-down page
(503) is proven against a stopped PostgreSQL in tests/trust/test_faults_postgres.py."""

import pytest
from django.db import DatabaseError
from django.test import Client, RequestFactory

from portal.core.views import server_error
from tests.factories import enterprise_user

pytestmark = pytest.mark.django_db

TITLES = {"en": "Page not found", "zh-hans": "页面不存在", "zh-hant": "頁面不存在"}


@pytest.mark.parametrize("language", ["en", "zh-hans", "zh-hant"])
def test_a_missing_page_says_so_in_the_readers_language_without_the_database(
        client, language, django_assert_num_queries):
    client.cookies["portal_language"] = language
    with django_assert_num_queries(0):
        response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404 and TITLES[language] in html
    assert 'href="/"' in html and "portal.css" in html


def test_an_expired_form_is_explained_not_a_bare_403():
    user = enterprise_user()
    browser = Client(enforce_csrf_checks=True)
    browser.cookies["portal_language"] = "en"
    browser.force_login(user)
    response = browser.post("/cases/new/", {"title": "x"})
    assert response.status_code == 403
    assert "The form has expired" in response.content.decode()


def test_a_fault_on_our_side_is_a_500_page_that_says_nothing_was_half_saved():
    request = RequestFactory().get("/", HTTP_ACCEPT_LANGUAGE="en")
    for fault in (ValueError("boom"), DatabaseError("a query failed")):
        try:
            raise fault
        except Exception:  # what Django's handler does: the view runs inside the except
            response = server_error(request)
        html = response.content.decode()
        # the database answers, so even a database error is ours to fix: 500, not 503
        assert response.status_code == 500 and "half-saved" in html and "boom" not in html
