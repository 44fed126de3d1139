"""The session store reads Django's session table by one plain query, with Django's rules."""

import datetime

import pytest
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.accounts.sessions import SessionStore
from tests.factories import enterprise_user

pytestmark = pytest.mark.django_db


def test_a_session_written_by_djangos_store_is_read_in_one_plain_query():
    theirs = DjangoStore()
    theirs["answer"] = {"token": "甲", "n": 42}
    theirs.create()
    with CaptureQueriesContext(connection) as queries:
        ours = SessionStore(theirs.session_key)
        assert ours["answer"] == {"token": "甲", "n": 42}
    assert len(queries) == 1 and '"django_session"' in queries[0]["sql"]
    ours["more"] = 1
    ours.save()
    assert DjangoStore(theirs.session_key)["more"] == 1


def test_an_expired_or_unknown_session_is_empty_and_gets_a_new_key():
    store = SessionStore()
    store["who"] = "me"
    store.create()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1))
    expired = SessionStore(store.session_key)
    assert "who" not in expired and expired.session_key is None
    unknown = SessionStore("x" * 32)
    assert unknown.load() == {} and unknown.session_key is None


def test_signing_in_and_out_through_the_portal(client):
    user = enterprise_user()
    client.force_login(user)
    assert client.get("/cases/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/cases/").status_code == 302
