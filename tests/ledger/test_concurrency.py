"""Appends from many connections at once stay one linear chain."""

import threading

import pytest
from django.db import connection, transaction

from portal.ledger.models import LedgerEntry
from portal.ledger.services import GENESIS, ledger_append, ledger_verify

THREADS, PER_THREAD = 6, 15


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_from_several_connections_form_one_linear_chain():
    start = threading.Barrier(THREADS)
    errors = []

    def worker(n):
        try:
            start.wait(10)
            for i in range(PER_THREAD):
                with transaction.atomic():
                    ledger_append(actor=None, action="case.answered", object_type="cases.case",
                                  object_id=f"{n}-{i}", payload={"thread": n, "i": i})
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    rows = list(LedgerEntry.objects.order_by("id").values_list("prev_hash", "entry_hash"))
    assert len(rows) == THREADS * PER_THREAD
    # Each entry follows the one before it in id order: no fork, no reordering.
    assert rows[0][0] == GENESIS
    assert all(rows[i][0] == rows[i - 1][1] for i in range(1, len(rows)))
    result = ledger_verify()
    assert result.ok and result.checked == THREADS * PER_THREAD


@pytest.mark.django_db(transaction=True)
def test_a_slow_decision_holds_the_chain_until_it_commits_and_rolls_back_cleanly():
    """The second appender waits for the first; the first rolls back; the chain is still whole."""
    with transaction.atomic():
        ledger_append(actor=None, action="case.submitted", object_type="cases.case", object_id="1")
    first_locked, release = threading.Event(), threading.Event()
    order = []

    def slow_decision():
        try:
            with transaction.atomic():
                ledger_append(actor=None, action="reward.paid", object_type="rewards.reward",
                              object_id="9")
                first_locked.set()
                release.wait(10)
                order.append("slow rolls back")
                transaction.set_rollback(True)
        finally:
            connection.close()

    def quick_decision():
        try:
            first_locked.wait(10)
            with transaction.atomic():
                ledger_append(actor=None, action="case.closed", object_type="cases.case",
                              object_id="1")
                order.append("quick appended")
        finally:
            connection.close()

    slow, quick = threading.Thread(target=slow_decision), threading.Thread(target=quick_decision)
    slow.start()
    quick.start()
    first_locked.wait(10)
    quick.join(0.5)
    assert quick.is_alive()  # waiting for the chain lock
    release.set()
    slow.join(10)
    quick.join(10)
    assert order == ["slow rolls back", "quick appended"]
    assert list(LedgerEntry.objects.values_list("action", flat=True)) == ["case.submitted",
                                                                         "case.closed"]
    assert ledger_verify().ok
