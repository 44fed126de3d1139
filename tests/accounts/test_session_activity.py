"""allauth's record of a session's last activity, written every few minutes rather than on every
request (it was a read, a read of the user, an update and a commit on each page view)."""

import datetime

import pytest
import time_machine
from allauth.usersessions.models import UserSession
from allauth.usersessions.signals import session_client_changed
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.accounts.middleware import ACTIVITY_EVERY_SECONDS
from tests.factories import enterprise_user

pytestmark = pytest.mark.django_db


def writes(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith(("UPDATE", "INSERT"))
            and "usersessions_usersession" in q["sql"]]


def test_a_session_is_recorded_then_refreshed_only_every_few_minutes(client):
    user = enterprise_user()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(user)
        client.get("/")
        first = UserSession.objects.get(user=user)
    with time_machine.travel(start + datetime.timedelta(seconds=ACTIVITY_EVERY_SECONDS - 1),
                             tick=False):
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        assert writes(queries) == []
        assert not any("usersessions_usersession" in q["sql"] for q in queries)
    assert UserSession.objects.get(pk=first.pk).last_seen_at == first.last_seen_at
    later = start + datetime.timedelta(seconds=ACTIVITY_EVERY_SECONDS)
    with time_machine.travel(later, tick=False):
        client.get("/")
    assert UserSession.objects.get(pk=first.pk).last_seen_at == later


def test_another_browser_is_recorded_at_once_and_announced(client):
    user = enterprise_user()
    client.force_login(user)
    client.get("/", HTTP_USER_AGENT="Firefox")
    changes = []

    def on_change(sender, from_session, to_session, **kwargs):
        changes.append((from_session.user_agent, to_session.user_agent))

    session_client_changed.connect(on_change)
    try:
        client.get("/", HTTP_USER_AGENT="Firefox")
        client.get("/", HTTP_USER_AGENT="Chromium")
    finally:
        session_client_changed.disconnect(on_change)
    assert changes == [("Firefox", "Chromium")]
    assert UserSession.objects.get(user=user).user_agent == "Chromium"
