"""The layout's unread badge counts the unread notifications once per page, and only on pages
that show it (the admin, the API and the account pages do not)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.notifications.services import notify
from tests.factories import department_staff, enterprise_user
from tests.totp import activate_totp

pytestmark = pytest.mark.django_db


def unread_counts(client, path) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode(), sum(
        1 for q in queries if "notifications_notification" in q["sql"]
        and "COUNT(" in q["sql"] and '"read_at" IS NULL' in q["sql"])


@pytest.mark.parametrize("path", ["/", "/cases/", "/inbox/"])
def test_a_page_counts_the_unread_once_and_shows_them(client, path):
    user = enterprise_user()
    notify(recipients=[user], subject="测试通知", body="正文")
    client.force_login(user)
    html, counted = unread_counts(client, path)
    assert counted == 1
    assert "1 unread" in html


def test_the_admin_does_not_count_them(client):
    staff = department_staff()
    activate_totp(staff)
    client.force_login(staff)
    client.get("/admin/")
    _html, counted = unread_counts(client, "/admin/")
    assert counted == 0
