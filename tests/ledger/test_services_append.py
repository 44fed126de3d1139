import datetime
import decimal
import json
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext_lazy
from hypothesis import given
from hypothesis import strategies as st

from portal.ledger.models import LedgerEntry
from portal.ledger.services import (
    FORMAT_V2,
    GENESIS,
    _entry_hash_v1,
    _entry_hash_v2,
    ledger_append,
    ledger_entry_hash,
    ledger_payload_digest,
    ledger_verify,
)
from portal.orgs.models import Unit
from tests.factories import UnitFactory, UserFactory

from .factories import LedgerEntryFactory, chain_ledger

pytestmark = pytest.mark.django_db


def test_each_entry_links_to_the_previous_one_and_the_chain_verifies():
    first, second, third = LedgerEntryFactory.create_batch(3)
    assert first.prev_hash == GENESIS
    assert second.prev_hash == first.entry_hash
    assert third.prev_hash == second.entry_hash
    assert (first.seq, second.seq, third.seq) == (1, 2, 3)
    assert {first.hash_format, second.hash_format, third.hash_format} == {FORMAT_V2}
    assert len({first.entry_hash, second.entry_hash, third.entry_hash}) == 3
    result = ledger_verify()
    assert result.ok and result.complete
    assert (result.checked, result.first_seq, result.last_seq) == (3, 1, 3)
    assert result.last_hash == third.entry_hash


def test_entry_records_who_what_which_object_and_when_but_not_the_payload():
    actor = UserFactory()
    unit = UnitFactory()
    payload = {"reason": "逾期未答复", "person": "张三 13800000000"}
    before = datetime.datetime.now(datetime.UTC)
    with transaction.atomic():
        entry = ledger_append(actor=actor, action="unit.supervised", obj=unit, payload=payload)
    chain_ledger()
    entry.refresh_from_db()
    assert entry.actor == actor
    assert entry.action == "unit.supervised"
    assert (entry.object_type, entry.object_id) == ("orgs.unit", str(unit.pk))
    assert before <= entry.created_at <= datetime.datetime.now(datetime.UTC)
    assert entry.payload_digest == ledger_payload_digest(payload)
    # Nothing personal is stored: no column holds the payload's text.
    stored = json.dumps(list(LedgerEntry.objects.values().get(pk=entry.pk).values()), default=str)
    assert "张三" not in stored and "13800000000" not in stored
    assert entry.entry_hash == ledger_entry_hash(entry)


def test_an_append_is_one_insert_and_takes_no_lock():
    """Regression (issue 11): every append took the district-wide chain lock, held until its
    step committed; then, with the sequencer, full_clean ran the new check constraint as a
    query of its own."""
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        ledger_append(actor=None, action="case.closed", object_type="cases.case", object_id="1")
    sql = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(sql) == 1 and sql[0].startswith('INSERT INTO "ledger_ledgerentry"')
    assert "lock" not in sql[0].lower()


def test_explicit_object_type_and_id_and_the_system_as_actor():
    with transaction.atomic():
        entry = ledger_append(actor=None, action="report.published", object_type="evaluation.report",
                              object_id=2026)
    assert (entry.actor_id, entry.object_type, entry.object_id) == (None, "evaluation.report", "2026")
    assert ledger_verify().ok


def test_payload_digest_is_sha256_of_canonical_json():
    # An auditor recomputes it from the app's own records with nothing but the documented rule.
    payload = {"b": [1, 2.5, None, True], "a": "营商环境", "when": datetime.date(2026, 2, 14),
               "at": datetime.datetime(2026, 2, 14, 9, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=8))),
               "amount": decimal.Decimal("2000.00"), "ref": uuid.UUID(int=1)}
    canonical = ('{"a":"营商环境","amount":"2000.00","at":"2026-02-14T01:30:00+00:00",'
                 '"b":[1,2.5,null,true],"ref":"00000000-0000-0000-0000-000000000001",'
                 '"when":"2026-02-14"}')
    import hashlib

    assert ledger_payload_digest(payload) == hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    # Key order does not matter; None is the empty object.
    assert ledger_payload_digest({"y": 1, "x": 2}) == ledger_payload_digest({"x": 2, "y": 1})
    assert ledger_payload_digest(None) == ledger_payload_digest({})
    assert ledger_payload_digest({"x": 1}) != ledger_payload_digest({"x": "1"})


@pytest.mark.parametrize("bad", [
    {"unit": Unit(pk=1)}, {"tags": {"a", "b"}}, {"label": gettext_lazy("Holiday (no work)")},
    {"ratio": float("nan")},
])
def test_payload_that_could_not_be_reproduced_is_refused_and_nothing_is_saved(bad):
    with pytest.raises((TypeError, ValueError)), transaction.atomic():
        ledger_append(actor=None, action="case.closed", object_type="cases.case", object_id="1",
                      payload=bad)
    assert not LedgerEntry.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_append_outside_a_transaction_is_refused():
    with pytest.raises(TransactionManagementError):
        ledger_append(actor=None, action="case.closed", object_type="cases.case", object_id="1")
    assert not LedgerEntry.objects.exists()


@pytest.mark.parametrize("kwargs, field", [
    ({"action": ""}, "action"),
    ({"action": "x" * 101}, "action"),
    ({"action": "case.closed", "object_id": "9" * 65}, "object_id"),
])
def test_bad_input_gives_a_validation_error_and_nothing_is_saved(kwargs, field):
    with pytest.raises(ValidationError) as excinfo, transaction.atomic():
        ledger_append(actor=None, **kwargs)
    assert field in excinfo.value.message_dict
    assert not LedgerEntry.objects.exists()


def test_unsaved_actor_or_object_is_refused():
    with pytest.raises(ValueError), transaction.atomic():
        ledger_append(actor=get_user_model()(email="new@example.com"), action="case.closed")
    with pytest.raises(ValueError), transaction.atomic():
        ledger_append(actor=None, action="case.closed", obj=Unit(code="x", name="x"))
    assert not LedgerEntry.objects.exists()


def test_a_rolled_back_decision_takes_its_entry_with_it_and_the_chain_stays_valid():
    kept = LedgerEntryFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        ledger_append(actor=None, action="reward.approved", object_type="rewards.reward",
                      object_id="7")
        raise RuntimeError("the decision failed after its entry was written")
    assert not LedgerEntry.objects.filter(object_type="rewards.reward").exists()
    assert chain_ledger() == 0  # nothing was left for the sequencer
    after = LedgerEntryFactory()
    assert not LedgerEntry.objects.filter(object_type="rewards.reward").exists()
    assert after.prev_hash == kept.entry_hash
    assert after.id > kept.id + 1  # the rolled-back id is a gap, which is not a problem
    assert after.seq == kept.seq + 1  # positions in the chain have none
    result = ledger_verify()
    assert result.ok and result.checked == 2 and result.unchained == 0


text = st.text(max_size=30)


@given(seq=st.integers(1, 2**62), entry_id=st.integers(1, 2**62), created=st.integers(0, 2**60),
       actor=st.one_of(st.none(), st.integers(1, 2**62)), action=text, object_type=text,
       object_id=text, digest=text, prev=text)
def test_entry_hash_is_sha256_of_the_documented_json_array(seq, entry_id, created, actor, action,
                                                           object_type, object_id, digest, prev):
    import hashlib

    def documented(*array):
        return hashlib.sha256(json.dumps(list(array), ensure_ascii=False,
                                         separators=(",", ":")).encode("utf-8")).hexdigest()

    assert _entry_hash_v2(seq, entry_id, created, actor, action, object_type, object_id, digest,
                          prev) == documented("ledger-v2", seq, entry_id, created, actor, action,
                                              object_type, object_id, digest, prev)
    # Format 1, of the entries chained before the sequencer: the same without the position.
    assert _entry_hash_v1(entry_id, created, actor, action, object_type, object_id, digest,
                          prev) == documented("ledger-v1", entry_id, created, actor, action,
                                              object_type, object_id, digest, prev)
