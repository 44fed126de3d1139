"""The enterprise party of an agreement is told, once and in its own language, when a clause
promised to it goes overdue and the department starts supervising it; a commitment made to every
enterprise tells no enterprise.

Regression: only the department and the unit were told of an overdue clause."""

import datetime

import pytest
import time_machine

from policies.commitments import services
from policies.commitments.constants import CommitmentKind
from portal.notifications.models import Notification
from tests.cases.factories import local_dt
from tests.factories import enterprise_user, unit_official

from .factories import commitment

pytestmark = pytest.mark.django_db

DUE = datetime.date(2026, 11, 30)  # a Monday
LATE = local_dt(2026, 12, 2, 2, 30)


def test_each_member_is_told_once_in_their_language_even_when_the_job_runs_twice():
    official = unit_official()
    official.unit.name, official.unit.name_zh_hant, official.unit.name_en = (
        "区商务局",
        "區商務局",
        "District Commerce Bureau",
    )
    official.unit.save()
    c = commitment(unit=official.unit, due=DUE, title="总部落户协议")
    members = {
        lang: enterprise_user(c.enterprise, language=lang) for lang in ("zh-hans", "zh-hant", "en")
    }
    with time_machine.travel(LATE, tick=False):
        assert services.clauses_scan_overdue() == 1
        assert services.clauses_scan_overdue() == 0
    subjects = {}
    for lang, member in members.items():
        notices = list(Notification.objects.filter(recipient=member))
        assert len(notices) == 1, lang
        subjects[lang] = notices[0].subject
        assert notices[0].url == f"/commitments/{c.pk}/"
        assert "总部落户协议" in notices[0].body and "2026-11-30" in notices[0].body
    assert subjects["en"].startswith("District Commerce Bureau has not kept a commitment to you")
    assert subjects["zh-hans"].startswith("区商务局") and "督办" in subjects["zh-hans"]
    assert subjects["zh-hant"].startswith("區商務局") and "督辦" in subjects["zh-hant"]


def test_a_clause_kept_in_time_tells_nobody():
    official = unit_official()
    c = commitment(unit=official.unit, due=DUE)
    member = enterprise_user(c.enterprise)
    with time_machine.travel(local_dt(2026, 11, 27, 10, 0), tick=False):
        services.fulfilment_record(actor=official, clause=c.clauses.get(), note="已办", files=[])
    Notification.objects.all().delete()
    with time_machine.travel(LATE, tick=False):
        assert services.clauses_scan_overdue() == 0
    assert not Notification.objects.filter(recipient=member).exists()


def test_a_public_commitment_overdue_tells_no_enterprise():
    official = unit_official()
    commitment(unit=official.unit, due=DUE, kind=CommitmentKind.PUBLIC_SERVICE)
    bystander = enterprise_user()
    with time_machine.travel(LATE, tick=False):
        assert services.clauses_scan_overdue() == 1
    assert not Notification.objects.filter(recipient__enterprise__isnull=False).exists()
    assert not Notification.objects.filter(recipient=bystander).exists()
