import datetime
import logging

import pytest

from portal.accounts.roles import Role
from portal.ledger.services import ledger_daily_check, ledger_head
from portal.ledger.tasks import PERIODIC_TASKS, ledger_nightly_check, ledger_sequence_pending
from portal.notifications.models import Notification
from tests.factories import UserFactory, department_staff, unit_official

from .conftest import tamper
from .factories import LedgerEntryFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 25)


@pytest.fixture
def auditor_en():
    return UserFactory(roles=[Role.AUDITOR], language="en")


def test_auditors_receive_the_daily_head_and_no_one_else(auditor_en):
    entries = LedgerEntryFactory.create_batch(3)
    staff, official = department_staff(), unit_official()
    result = ledger_daily_check(day=DAY)
    assert result.ok
    message = Notification.objects.get()
    assert message.recipient == auditor_en
    assert message.subject == "Ledger check 2026-11-25: intact, 3 entries"
    assert f"{entries[-1].seq}:{entries[-1].entry_hash}" in message.body
    assert not Notification.objects.filter(recipient__in=[staff, official]).exists()


def test_the_check_chains_what_is_committed_first_so_the_head_sent_is_current(auditor_en):
    LedgerEntryFactory.create_batch(2)
    LedgerEntryFactory.create_batch(2, chained=False)  # the sequencer has not run since
    result = ledger_daily_check(day=DAY)
    assert result.ok and result.checked == 4 and result.unchained == 0
    message = Notification.objects.get()
    assert message.subject == "Ledger check 2026-11-25: intact, 4 entries"
    assert str(ledger_head()) in message.body and ledger_head().seq == 4
    assert "not chained" not in message.body


def test_running_twice_the_same_day_sends_one_message(auditor_en):
    LedgerEntryFactory()
    ledger_daily_check(day=DAY)
    ledger_daily_check(day=DAY)
    assert Notification.objects.filter(recipient=auditor_en).count() == 1
    ledger_daily_check(day=DAY + datetime.timedelta(days=1))
    assert Notification.objects.filter(recipient=auditor_en).count() == 2


def test_a_broken_chain_is_reported_and_logged(auditor_en, caplog):
    entries = LedgerEntryFactory.create_batch(3)
    tamper("UPDATE ledger_ledgerentry SET action = 'forged' WHERE id = %s", [entries[0].pk])
    with caplog.at_level(logging.ERROR, logger="portal.ledger.services"):
        assert ledger_nightly_check() is False  # the task, run in process
    message = Notification.objects.get(recipient=auditor_en)
    assert f"BROKEN at entry #{entries[0].seq}" in message.subject
    assert "does not match its hash" in message.body
    assert any("broken" in r.getMessage() for r in caplog.records)


def test_the_nightly_task_and_the_sequencer_are_declared_for_beat():
    from django_celery_beat.models import PeriodicTask

    sequencer, nightly = PERIODIC_TASKS
    assert nightly["task"] == ledger_nightly_check.name == "portal.ledger.tasks.ledger_nightly_check"
    assert sequencer["task"] == ledger_sequence_pending.name
    assert PeriodicTask.objects.filter(task=nightly["task"]).exists()  # created after migrate
    # Every few seconds: how long a recorded decision may wait to be chained.
    row = PeriodicTask.objects.get(task=sequencer["task"])
    assert row.enabled and (row.interval.every, row.interval.period) == (2, "seconds")
