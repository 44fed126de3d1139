"""The inbox on a phone (issue 4 moved it to newer/older pages): 25 notifications are two
pages, the older page links back, marking one read keeps the reader on the page they were on.
Every page passes axe and fits a 390 px screen."""

import re

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from tests.e2e.signin import sign_in
from tests.factories import enterprise_user
from tests.fixtures.browser import fits_the_phone
from tests.notifications.factories import NotificationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_enterprise_reads_its_inbox_page_by_page_on_a_phone(
        phone_page, live_server, axe_check, shot):
    page, base = phone_page, live_server.url
    user = enterprise_user(email="inbox@zhizao.example.cn", full_name="王会计")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    for i in range(25):
        NotificationFactory(recipient=user, subject=f"您的诉求有新进展 {i:02d}",
                            body="承办单位已签收您的诉求，将在规定时限内答复。")

    sign_in(page, base, user.email)
    page.goto(base + "/inbox/")
    rows = page.locator("table.inbox tbody tr")
    expect(rows).to_have_count(20)
    expect(rows.first).to_contain_text("您的诉求有新进展 24")
    axe_check(page)
    fits_the_phone(page)
    shot(page, "1-inbox-first-page")

    page.get_by_role("link", name="下一页").click()
    expect(rows).to_have_count(5)
    expect(rows.last).to_contain_text("您的诉求有新进展 00")
    expect(page.get_by_role("link", name="下一页")).to_have_count(0)
    older_page = page.url
    axe_check(page)
    shot(page, "2-inbox-older-page")

    # Mark one read: back on the same (older) page, which says so.
    rows.first.get_by_role("button").click()
    expect(page).to_have_url(older_page)
    expect(page.locator(".message-success")).to_contain_text("您的诉求有新进展 04")
    expect(rows.first).to_have_class("is-read")

    page.get_by_role("link", name="最新").click()
    expect(rows.first).to_contain_text("您的诉求有新进展 24")
    expect(page.get_by_role("link", name="上一页")).to_have_count(0)

    # A notification without a link opens on its own page, read now, with its time.
    page.get_by_role("link", name="您的诉求有新进展 24").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("您的诉求有新进展 24")
    expect(page.locator("main time")).to_have_text(  # Chinese: 2026年11月26日 14:05
        re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}$"))
    axe_check(page)
    fits_the_phone(page)
    shot(page, "3-notification")
