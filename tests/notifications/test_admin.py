"""The admin shows department staff a read-only record of notifications, without bodies."""

import pytest

from tests.factories import department_staff, enterprise_user, unit_official
from tests.totp import activate_totp

from .factories import NotificationFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/notifications/notification/"


def _admin_client(client, user):
    activate_totp(user)
    client.cookies["portal_language"] = "en"
    client.force_login(user)
    return client


def test_department_staff_see_the_list_without_bodies(client):
    n = NotificationFactory(subject="Case YS-1 is overdue", body="SECRET-BODY-TEXT")
    _admin_client(client, department_staff())

    response = client.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Case YS-1 is overdue" in html
    assert "SECRET-BODY-TEXT" not in html

    detail = client.get(f"{LIST}{n.pk}/change/")
    assert detail.status_code == 200
    assert "SECRET-BODY-TEXT" in detail.content.decode()


def test_nobody_adds_changes_or_deletes_them(client):
    n = NotificationFactory(subject="Original")
    _admin_client(client, department_staff())
    assert client.get(f"{LIST}add/").status_code == 403
    assert client.post(f"{LIST}{n.pk}/change/", {"subject": "Changed"}).status_code == 403
    assert client.post(f"{LIST}{n.pk}/delete/", {"post": "yes"}).status_code == 403
    n.refresh_from_db()
    assert n.subject == "Original"


def test_unit_officials_cannot_read_other_peoples_notifications(client):
    n = NotificationFactory()
    _admin_client(client, unit_official())
    assert client.get(LIST).status_code == 403
    assert client.get(f"{LIST}{n.pk}/change/").status_code == 403


def test_enterprise_users_are_kept_out_of_the_admin(client):
    client.force_login(enterprise_user())
    response = client.get(LIST)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
