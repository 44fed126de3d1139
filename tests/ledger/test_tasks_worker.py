"""The sequencer runs on a real Celery worker, as beat queues it."""

from django.db import transaction

from portal.ledger.models import LedgerEntry
from portal.ledger.services import ledger_append, ledger_verify
from portal.ledger.tasks import ledger_sequence_pending

SEQUENCE = "portal.ledger.tasks.ledger_sequence_pending"


def test_the_worker_chains_committed_entries_and_a_second_run_does_nothing(celery_worker):
    with transaction.atomic():
        for i in range(30):
            ledger_append(actor=None, action="case.answered", object_type="cases.case",
                          object_id=str(i), payload={"i": i})
    ledger_sequence_pending.delay()
    ledger_sequence_pending.delay()  # beat's next tick, or a duplicate delivery
    runs = celery_worker.wait_for_runs(SEQUENCE, 2)
    assert [run.state for run in runs] == ["SUCCESS", "SUCCESS"]
    assert sorted(run.retval for run in runs) == [0, 30]
    assert not LedgerEntry.objects.filter(seq__isnull=True).exists()
    result = ledger_verify()
    assert result.ok and result.checked == 30 and result.unchained == 0
