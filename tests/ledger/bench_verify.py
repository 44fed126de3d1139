"""Measure `ledger_verify` on 200,000 entries. Not collected by default; run it explicitly:

    DATABASE_URL=... .venv/bin/python -m pytest tests/ledger/bench_verify.py -s -q
"""

import pytest

from portal.ledger.services import ledger_verify

from .factories import bulk_chain

pytestmark = pytest.mark.django_db


def test_verify_rate_on_200k_entries():
    bulk_chain(200_000)
    best = None
    for _run in range(3):
        result = ledger_verify()
        assert result.ok and result.complete and result.checked == 200_000
        best = result if best is None or result.rate > best.rate else best
    print(f"\nverified {best.checked} entries in {best.seconds:.2f} s: {best.rate:,.0f} entries/s")


def test_append_rate():
    import time

    from django.db import transaction

    from portal.ledger.services import ledger_append

    started = time.perf_counter()
    for i in range(2_000):
        with transaction.atomic():
            ledger_append(actor=None, action="bench.append", object_type="cases.case",
                          object_id=str(i), payload={"i": i})
    seconds = time.perf_counter() - started
    print(f"\nappended 2000 entries one transaction each: {2000 / seconds:,.0f} entries/s")
