"""Inbox pages: own notifications only, read state in words, preferences, fixed queries."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from portal.notifications.models import Notification
from portal.notifications.services import notify
from tests.factories import enterprise_user

from .factories import NotificationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return enterprise_user(language="en")


@pytest.fixture
def signed_in(client, user):
    client.cookies["portal_language"] = "en"
    client.force_login(user)
    return client


def _rows(html):
    return re.findall(r'<tr class="(is-read|is-unread)">(.*?)</tr>', html, re.S)


@pytest.mark.parametrize("method, path", [
    ("get", "/inbox/"), ("get", "/inbox/preferences/"), ("get", "/inbox/1/"),
    ("post", "/inbox/1/read/"), ("post", "/inbox/read-all/"), ("post", "/inbox/preferences/"),
])
def test_anonymous_visitors_are_sent_to_sign_in(client, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_inbox_lists_own_notifications_newest_first_with_unread_in_words(signed_in, user):
    older = NotificationFactory(recipient=user, subject="Older, already read", read=True)
    newer = NotificationFactory(recipient=user, subject="Newer and unread")
    Notification.objects.filter(pk=older.pk).update(
        created_at=timezone.now() - timezone.timedelta(days=1))
    NotificationFactory(subject="Someone else's notification")

    html = signed_in.get("/inbox/").content.decode()

    rows = _rows(html)
    assert [state for state, _ in rows] == ["is-unread", "is-read"]
    assert "Newer and unread" in rows[0][1] and "<strong>Unread</strong>" in rows[0][1]
    assert "Older, already read" in rows[1][1] and "Read" in rows[1][1]
    assert "Someone else" not in html
    assert "You have 1 unread notification." in html
    assert f'formaction="/inbox/{newer.pk}/read/"' in html
    assert f'formaction="/inbox/{older.pk}/read/"' not in html  # nothing to mark
    # one for the table, one for "Mark all as read", three in the layout (not one a row)
    assert html.count('name="csrfmiddlewaretoken"') == 1 + 1 + 3


def test_empty_inbox_says_so(signed_in):
    html = signed_in.get("/inbox/").content.decode()
    assert "Your inbox is empty." in html
    assert "You have no unread notifications." in html
    assert "Mark all as read" not in html


def test_the_list_page_runs_fixed_queries_whether_its_table_is_cached_or_not(
        signed_in, user, django_assert_num_queries):
    NotificationFactory.create_batch(2, recipient=user)
    signed_in.get("/inbox/")  # records the session once; renders and caches the table
    # session, user, the page's row keys, the unread count (their permissions are kept
    # under the version their row carries since issue 13; they were a fifth query)
    with django_assert_num_queries(4):
        assert len(_rows(signed_in.get("/inbox/").content.decode())) == 2

    NotificationFactory.create_batch(43, recipient=user, read=True)
    with django_assert_num_queries(5):  # new rows: the full rows are read to render them
        html = signed_in.get("/inbox/").content.decode()
    assert len(_rows(html)) == 20
    with django_assert_num_queries(4):
        signed_in.get("/inbox/")


def test_the_cached_table_shows_a_notification_read_or_arrived_at_once(signed_in, user):
    first = NotificationFactory(recipient=user, subject="第一条")
    assert "<strong>Unread</strong>" in signed_in.get("/inbox/").content.decode()
    signed_in.post(f"/inbox/{first.pk}/read/", {"next": "/inbox/"})
    html = signed_in.get("/inbox/").content.decode()
    assert "<strong>Unread</strong>" not in html and "Mark as read" not in html
    NotificationFactory(recipient=user, subject="第二条")
    rows = _rows(signed_in.get("/inbox/").content.decode())
    assert "第二条" in rows[0][1] and "<strong>Unread</strong>" in rows[0][1]


def test_another_users_inbox_never_shows_a_cached_table(signed_in, user):
    """Two inboxes of one unread notification each, sent at the same moment: the same shape,
    but each table is keyed by its own rows' ids."""
    someone = enterprise_user(language="en")
    at = timezone.now()
    mine = NotificationFactory(recipient=user, subject="只给我的通知")
    theirs = NotificationFactory(recipient=someone, subject="只给别人的通知")
    Notification.objects.filter(pk__in=[mine.pk, theirs.pk]).update(created_at=at)
    assert "只给我的通知" in signed_in.get("/inbox/").content.decode()
    other = Client()
    other.cookies["portal_language"] = "en"
    other.force_login(someone)
    [(state, row)] = _rows(other.get("/inbox/").content.decode())
    assert "只给别人的通知" in row and "只给我的通知" not in row and state == "is-unread"


def test_pages_of_twenty_newer_and_older_without_counting(signed_in, user):
    NotificationFactory.create_batch(25, recipient=user)
    first = signed_in.get("/inbox/").content.decode()
    assert len(_rows(first)) == 20
    assert "Notifications, newest first" in first and "Newer" not in first
    older_link = re.search(r'<a href="(\?after=[^"]+)" rel="next">Older</a>', first)[1]
    second = signed_in.get("/inbox/" + older_link.replace("&amp;", "&")).content.decode()
    assert len(_rows(second)) == 5 and 'rel="next"' not in second
    assert ">Newest</a>" in second
    newer_link = re.search(r'<a href="(\?before=[^"]+)" rel="prev">Newer</a>', second)[1]
    back = signed_in.get("/inbox/" + newer_link.replace("&amp;", "&")).content.decode()
    opened = re.compile(r'<a href="/inbox/(\d+)/">')
    assert opened.findall(back) == opened.findall(first)
    assert not set(opened.findall(first)) & set(opened.findall(second))
    # A mangled or unknown cursor shows the first page rather than an error.
    for bad in ("abc", "-1", "999", "1e9", "1-2-3", "x'--"):
        response = signed_in.get("/inbox/", {"after": bad})
        assert response.status_code == 200
        assert _rows(response.content.decode())


def test_opening_marks_read_and_goes_to_the_link(signed_in, user):
    n = NotificationFactory(recipient=user, url="/enterprise/")
    response = signed_in.get(f"/inbox/{n.pk}/")
    assert response.status_code == 302
    assert response["Location"] == "/enterprise/"
    n.refresh_from_db()
    assert n.read_at is not None


def test_opening_one_without_a_link_shows_it(signed_in, user):
    n = NotificationFactory(recipient=user, subject="Holiday notice",
                            body="Offices close on 1 October.\nBack on 8 October.")
    response = signed_in.get(f"/inbox/{n.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Holiday notice" in html
    assert "Offices close on 1 October.<br>Back on 8 October." in html
    n.refresh_from_db()
    assert n.read_at is not None


def test_a_notifications_time_is_written_in_each_languages_way(signed_in, user):
    n = NotificationFactory(recipient=user, subject="Holiday notice")
    at = timezone.make_aware(timezone.datetime(2026, 11, 26, 14, 5))  # Asia/Shanghai
    Notification.objects.filter(pk=n.pk).update(created_at=at)
    stamp = '<time datetime="2026-11-26T14:05:00+08:00">'
    for language, page, inbox in [
        ("en", f"Received: {stamp}26 November 2026, 14:05</time>", f"{stamp}26 Nov 2026 14:05"),
        ("zh-hans", f"接收时间：{stamp}2026年11月26日 14:05</time>", f"{stamp}2026-11-26 14:05"),
        ("zh-hant", f"{stamp}2026年11月26日 14:05</time>", f"{stamp}2026-11-26 14:05"),
    ]:
        signed_in.cookies["portal_language"] = language
        assert inbox in signed_in.get("/inbox/").content.decode(), language
        assert page in signed_in.get(f"/inbox/{n.pk}/").content.decode(), language


def test_a_link_to_another_site_is_never_followed(signed_in, user):
    n = NotificationFactory(recipient=user, subject="Look")
    # Written around validation, as a bad row might be.
    Notification.objects.filter(pk=n.pk).update(url="//evil.example/steal")
    response = signed_in.get(f"/inbox/{n.pk}/")
    assert response.status_code == 200
    assert "evil.example" not in response.content.decode()


def test_another_users_notification_is_not_found(signed_in):
    theirs = NotificationFactory(subject="Private")
    assert signed_in.get(f"/inbox/{theirs.pk}/").status_code == 404
    assert signed_in.post(f"/inbox/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_one_read(signed_in, user):
    n = NotificationFactory(recipient=user, subject="Reply received")
    response = signed_in.post(f"/inbox/{n.pk}/read/", {"next": "/inbox/?page=1"}, follow=True)
    assert response.redirect_chain == [("/inbox/?page=1", 302)]
    n.refresh_from_db()
    first_read = n.read_at
    assert first_read is not None
    assert "Marked “Reply received” as read." in response.content.decode()
    assert "You have no unread notifications." in response.content.decode()

    signed_in.post(f"/inbox/{n.pk}/read/")  # a second submit keeps the first time
    n.refresh_from_db()
    assert n.read_at == first_read


def test_mark_read_refuses_get_and_foreign_next(signed_in, user):
    n = NotificationFactory(recipient=user)
    assert signed_in.get(f"/inbox/{n.pk}/read/").status_code == 405
    n.refresh_from_db()
    assert n.read_at is None
    response = signed_in.post(f"/inbox/{n.pk}/read/", {"next": "https://evil.example/"})
    assert response["Location"] == "/inbox/"


def test_mark_all_read_marks_only_mine(signed_in, user):
    NotificationFactory.create_batch(3, recipient=user)
    theirs = NotificationFactory()
    response = signed_in.post("/inbox/read-all/", follow=True)
    html = response.content.decode()
    assert "Marked 3 notifications as read." in html
    assert not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None

    html = signed_in.post("/inbox/read-all/", follow=True).content.decode()
    assert "There were no unread notifications." in html


def test_preferences_turn_email_off_and_on(signed_in, user):
    html = signed_in.get("/inbox/preferences/").content.decode()
    assert re.search(r'<input type="checkbox" name="email_notifications"[^>]*checked', html)
    assert "Always on." in html
    assert user.email in html

    response = signed_in.post("/inbox/preferences/", {}, follow=True)
    assert "Your notification preferences were saved." in response.content.decode()
    user.refresh_from_db()
    assert user.email_notifications is False
    [n] = notify(recipients=[user], subject="Inbox only now")
    assert n.email_status == "not_wanted"

    signed_in.post("/inbox/preferences/", {"email_notifications": "on"})
    user.refresh_from_db()
    assert user.email_notifications is True
    html = signed_in.get("/inbox/preferences/").content.decode()
    assert re.search(r'<input type="checkbox" name="email_notifications"[^>]*checked', html)
