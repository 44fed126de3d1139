"""Appends from many connections take no common lock and still end up in one linear chain."""

import threading

import pytest
from django.db import connection, transaction

from portal.ledger.models import LedgerEntry
from portal.ledger.services import GENESIS, ledger_append, ledger_sequence, ledger_verify

from .factories import chain_ledger

THREADS, PER_THREAD = 6, 15


def run_threads(*targets, timeout=60):
    """Run each target in its own thread (its own database connection); return their errors."""
    errors = []

    def wrap(target):
        def run():
            try:
                target()
            except Exception as exc:  # reported by the caller
                errors.append(exc)
            finally:
                connection.close()
        return run

    threads = [threading.Thread(target=wrap(target)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread did not finish"
    return errors


def assert_one_linear_chain(count):
    rows = list(LedgerEntry.objects.order_by("seq").values_list("seq", "prev_hash", "entry_hash"))
    assert len(rows) == count
    assert [row[0] for row in rows] == list(range(1, count + 1))  # every entry, once
    # Each entry follows the one before it: no fork, no reordering.
    assert rows[0][1] == GENESIS
    assert all(rows[i][1] == rows[i - 1][2] for i in range(1, len(rows)))
    result = ledger_verify()
    assert result.ok and result.checked == count and result.unchained == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_and_sequencers_form_one_linear_chain():
    start = threading.Barrier(THREADS + 2)
    appended = threading.Event()
    done = []

    def appender(n):
        def run():
            start.wait(10)
            for i in range(PER_THREAD):
                with transaction.atomic():
                    ledger_append(actor=None, action="case.answered", object_type="cases.case",
                                  object_id=f"{n}-{i}", payload={"thread": n, "i": i})
            done.append(n)
            if len(done) == THREADS:
                appended.set()
        return run

    def sequencer():  # the periodic task, running while the steps append
        start.wait(10)
        while not appended.is_set():
            ledger_sequence(batch=7)

    errors = run_threads(*[appender(n) for n in range(THREADS)], sequencer, sequencer)
    assert errors == []
    chain_ledger()  # what the next periodic run would chain
    assert_one_linear_chain(THREADS * PER_THREAD)


@pytest.mark.django_db(transaction=True)
def test_the_sequencer_run_concurrently_chains_each_entry_once():
    with transaction.atomic():
        for i in range(200):
            ledger_append(actor=None, action="case.answered", object_type="cases.case",
                          object_id=str(i))
    start = threading.Barrier(4)
    counts = []

    def sequencer(wait):
        def run():
            start.wait(10)
            counts.append(ledger_sequence(batch=7, wait=wait))
        return run

    errors = run_threads(sequencer(True), sequencer(True), sequencer(False), sequencer(False))
    assert errors == []
    assert sum(counts) == 200  # shared between the runs, none twice
    assert_one_linear_chain(200)


def _slow_and_quick(slow_commits: bool):
    """A slow step appends first and stays open; a quick step appends and commits meanwhile."""
    with transaction.atomic():
        ledger_append(actor=None, action="case.submitted", object_type="cases.case",
                      object_id="1")
    slow_appended, quick_done, release = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def slow_decision():
        with transaction.atomic():
            entry = ledger_append(actor=None, action="reward.paid",
                                  object_type="rewards.reward", object_id="9")
            seen["slow_id"] = entry.pk
            slow_appended.set()
            release.wait(10)  # e.g. storing files, or the rest of a batch of 500 cases
            if not slow_commits:
                transaction.set_rollback(True)

    def quick_decision():
        slow_appended.wait(10)
        with transaction.atomic():
            seen["quick_id"] = ledger_append(actor=None, action="case.closed",
                                             object_type="cases.case", object_id="1").pk
        quick_done.set()

    def referee():
        # The quick step must not wait for the slow one: it finishes while the slow one is open.
        seen["quick_finished_first"] = quick_done.wait(10)
        seen["chained_meanwhile"] = ledger_sequence(wait=True)
        seen["verified_meanwhile"] = ledger_verify()
        release.set()

    assert run_threads(slow_decision, quick_decision, referee) == []
    assert seen["quick_finished_first"]
    # The open step's entry is invisible to the sequencer: the committed one is chained now.
    assert seen["chained_meanwhile"] == 2
    verified = seen["verified_meanwhile"]
    assert verified.ok and verified.checked == 2 and verified.unchained == 0
    assert seen["slow_id"] < seen["quick_id"]
    return seen


@pytest.mark.django_db(transaction=True)
def test_a_slow_decision_does_not_hold_back_the_others_and_its_rollback_leaves_nothing():
    _slow_and_quick(slow_commits=False)
    assert chain_ledger() == 0
    assert list(LedgerEntry.objects.order_by("seq").values_list("action", flat=True)) == [
        "case.submitted", "case.closed"]
    assert_one_linear_chain(2)


@pytest.mark.django_db(transaction=True)
def test_a_slow_decision_that_commits_is_chained_after_those_that_committed_before_it():
    seen = _slow_and_quick(slow_commits=True)
    assert chain_ledger() == 1
    assert list(LedgerEntry.objects.order_by("seq").values_list("id", flat=True))[1:] == [
        seen["quick_id"], seen["slow_id"]]  # chain order is commit order, not id order
    assert_one_linear_chain(3)
