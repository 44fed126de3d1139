"""Inbox API: own notifications, unread count, mark read; refusals in the one error format."""

import pytest
from django.urls import include, path
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from portal.notifications.models import Notification
from tests.factories import UserFactory

from .factories import NotificationFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/notifications/"


@pytest.fixture
def user():
    return UserFactory()


@pytest.fixture
def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_list_shows_only_my_notifications_newest_first(api, user):
    first = NotificationFactory(recipient=user, subject="First", url="/cases/1/")
    second = NotificationFactory(recipient=user, subject="Second", read=True)
    NotificationFactory(subject="Not mine")

    body = api.get(BASE).json()

    assert [item["id"] for item in body["results"]] == [second.pk, first.pk]
    item = body["results"][1]
    assert item["subject"] == "First"
    assert item["url"] == "/cases/1/"
    assert item["read"] is False and item["read_at"] is None
    assert body["results"][0]["read"] is True


def test_list_of_unread_only(api, user):
    unread = NotificationFactory(recipient=user)
    NotificationFactory(recipient=user, read=True)
    body = api.get(BASE, {"unread": "true"}).json()
    assert [item["id"] for item in body["results"]] == [unread.pk]


def test_bad_filter_is_refused_with_a_message(api):
    response = api.get(BASE, {"unread": "maybe"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "unread" in error["fields"]


def test_list_pages_with_a_cursor(api, user):
    NotificationFactory.create_batch(55, recipient=user)
    first = api.get(BASE).json()
    assert len(first["results"]) == 50
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 5
    ids = [i["id"] for i in first["results"] + second["results"]]
    assert len(set(ids)) == 55


def test_unread_count(api, user):
    NotificationFactory.create_batch(2, recipient=user)
    NotificationFactory(recipient=user, read=True)
    NotificationFactory()
    assert api.get(BASE + "unread-count/").json() == {"unread": 2}


def test_mark_read(api, user):
    n = NotificationFactory(recipient=user)
    response = api.post(f"{BASE}{n.pk}/read/")
    assert response.status_code == 200
    assert response.json()["read"] is True
    assert api.get(BASE + "unread-count/").json() == {"unread": 0}


def test_marking_someone_elses_is_not_found(api):
    theirs = NotificationFactory()
    response = api.post(f"{BASE}{theirs.pk}/read/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read(api, user):
    NotificationFactory.create_batch(3, recipient=user)
    theirs = NotificationFactory()
    assert api.post(BASE + "read-all/").json() == {"marked": 3}
    assert api.post(BASE + "read-all/").json() == {"marked": 0}
    assert not Notification.objects.filter(read_at__isnull=True).exclude(pk=theirs.pk).exists()


@pytest.mark.parametrize("method, url", [
    ("get", BASE), ("get", BASE + "unread-count/"), ("post", BASE + "1/read/"),
    ("post", BASE + "read-all/"),
])
def test_anonymous_is_refused(method, url):
    response = getattr(APIClient(), method)(url)
    assert response.status_code in (401, 403)
    assert "error" in response.json()


def test_schema_documents_the_endpoints():
    generator = SchemaGenerator(patterns=[path("api/v1/notifications/",
                                               include("portal.notifications.api.urls"))])
    schema = generator.get_schema(request=None, public=True)
    paths = schema["paths"]
    assert set(paths) == {BASE, BASE + "unread-count/", BASE + "read-all/",
                          BASE + "{id}/read/"}
    params = {p["name"] for p in paths[BASE]["get"]["parameters"]}
    assert {"unread", "cursor"} <= params
