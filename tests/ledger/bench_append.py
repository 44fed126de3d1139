"""Measure appends per second from 1, 4 and 16 threads (own connections). Not collected by
default; run it explicitly, on the code before and after a change to compare:

    DATABASE_URL=... .venv/bin/python -m pytest tests/ledger/bench_append.py -s -q

Two kinds of transaction: "bare" (the append and the commit) and "step" (the append, then
5 ms more work in the same transaction before the commit, as a case step that stores files or
a scan that goes on through its batch). With a district-wide lock taken by the append, the
5 ms are spent holding it. With the sequencer, also: how fast it chains the backlog, and the
appends while it runs beside them.
"""

import threading
import time

import pytest
from django.db import connection, transaction

from portal.ledger import services
from portal.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db(transaction=True)

BARE_TOTAL, STEP_TOTAL, STEP_WORK = 3_200, 960, 0.005
ROUNDS = 3  # the best of each: the machine is shared, the worst round says little
SEQUENCER = hasattr(services, "ledger_sequence")


def best_rate(threads: int, total: int, work: float, *, sequencer=False) -> float:
    return max(appends_per_second(threads, total, work, sequencer=sequencer)
               for _round in range(ROUNDS))


def appends_per_second(threads: int, total: int, work: float, *, sequencer=False) -> float:
    per_thread = total // threads
    start, stop = threading.Barrier(threads + 1), threading.Event()
    errors = []

    def worker(n):
        try:
            start.wait(30)
            for i in range(per_thread):
                with transaction.atomic():
                    services.ledger_append(actor=None, action="bench.append",
                                           object_type="cases.case", object_id=f"{n}-{i}",
                                           payload={"thread": n, "i": i})
                    if work:
                        time.sleep(work)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    def sequence():
        try:
            while not stop.is_set():
                services.ledger_sequence()
                time.sleep(0.05)
        finally:
            connection.close()

    workers = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    side = threading.Thread(target=sequence) if sequencer else None
    for thread in workers:
        thread.start()
    if side:
        side.start()
    start.wait(30)
    began = time.perf_counter()
    for thread in workers:
        thread.join()
    seconds = time.perf_counter() - began
    stop.set()
    if side:
        side.join()
    assert errors == []
    return per_thread * threads / seconds


def test_append_rates():
    print()
    for label, total, work in (("bare", BARE_TOTAL, 0.0), ("step", STEP_TOTAL, STEP_WORK)):
        for threads in (1, 4, 16):
            rate = best_rate(threads, total, work)
            line = f"{label:4} {threads:2} threads: {rate:7,.0f} appends/s"
            if SEQUENCER:
                waiting = LedgerEntry.objects.filter(seq__isnull=True).count()
                began = time.perf_counter()
                chained = services.ledger_sequence(wait=True)
                seconds = time.perf_counter() - began
                assert chained == waiting
                line += f"; sequencer chained {chained:,} in {seconds:.2f} s ({chained / seconds:,.0f}/s)"
                beside = best_rate(threads, total, work, sequencer=True)
                line += f"; with the sequencer running beside: {beside:7,.0f} appends/s"
                services.ledger_sequence(wait=True)
            print(line, flush=True)
    if SEQUENCER:
        assert services.ledger_verify().ok
        assert services.ledger_verify().unchained == 0
    else:
        assert services.ledger_verify().ok
