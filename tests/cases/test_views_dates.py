"""The case page writes its dates each language's way (portal/formats), the steps' due dates
included, and its <time> elements carry the machine-readable moment."""

import pytest
import time_machine
from django.utils import formats, translation

from tests.factories import unit_official
from tests.totp import login

from .factories import local_dt, signed_case

pytestmark = pytest.mark.django_db


def test_the_case_page_writes_dates_in_the_readers_language(client, dept, unit, submitter):
    with time_machine.travel(local_dt(2026, 3, 2, 9, 5), tick=False):
        case = signed_case(dept, unit, unit_official(unit), submitter=submitter)
        login(client, submitter)
        pages = {}
        for language in ("en", "zh-hans", "zh-hant"):
            client.cookies["portal_language"] = language
            pages[language] = client.get(f"/cases/{case.pk}/").content.decode()
    due = case.due_date
    with translation.override("en"):
        english_due = formats.date_format(due, "DATE_FORMAT")
    assert english_due == f"{due.day} March 2026"
    assert f"Answer due by {english_due}" in pages["en"]  # the step's line and the facts
    assert '<time datetime="2026-03-02T09:05:00+08:00">2 March 2026, 09:05</time>' in pages["en"]
    chinese_due = f"2026年3月{due.day}日"
    for language in ("zh-hans", "zh-hant"):
        assert chinese_due in pages[language]
        assert '<time datetime="2026-03-02T09:05:00+08:00">2026年3月2日 09:05</time>' in (
            pages[language])
        assert due.isoformat() not in pages[language].split("<main", 1)[1]


def test_the_admin_queue_writes_due_dates_in_the_officials_language(client, dept, unit):
    official = unit_official(unit)
    with time_machine.travel(local_dt(2026, 3, 2, 9, 5), tick=False):
        case = signed_case(dept, unit, official)
        login(client, official)
        client.cookies["portal_language"] = "en"
        english = client.get("/admin/cases/case/").content.decode()
        client.cookies["portal_language"] = "zh-hans"
        chinese = client.get("/admin/cases/case/").content.decode()
    assert f"{case.due_date.day} Mar 2026" in english
    assert case.due_date.isoformat() in chinese
