"""Tampering done behind the database's back (a DBA disabling the triggers) is found."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from portal.ledger.models import LedgerEntry
from portal.ledger.services import (
    Anchor,
    Problem,
    _entry_hash_v2,
    _micros,
    ledger_head,
    ledger_payload_digest,
    ledger_verify,
)

from .conftest import tamper
from .factories import LedgerEntryFactory, bulk_chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain():
    return LedgerEntryFactory.create_batch(6)


def test_empty_ledger_is_intact():
    result = ledger_verify()
    assert result.ok and result.complete and result.checked == 0
    assert ledger_head() is None


def test_altered_action_is_found_at_that_entry(chain):
    tamper("UPDATE ledger_ledgerentry SET action = 'reward.rejected' WHERE id = %s", [chain[2].pk])
    result = ledger_verify()
    assert not result.ok
    assert (result.broken_seq, result.reason) == (chain[2].seq, Problem.HASH_MISMATCH)
    assert result.checked == 2 and result.last_seq == chain[1].seq
    assert result.found == chain[2].entry_hash


def test_altered_payload_digest_is_found(chain):
    forged = ledger_payload_digest({"amount": 2000})
    tamper("UPDATE ledger_ledgerentry SET payload_digest = %s WHERE id = %s", [forged, chain[4].pk])
    result = ledger_verify()
    assert (result.ok, result.broken_seq, result.reason) == (False, chain[4].seq, Problem.HASH_MISMATCH)


def test_altered_entry_with_a_recomputed_hash_breaks_the_next_link(chain):
    target = chain[3]
    new_hash = _entry_hash_v2(target.seq, target.pk, _micros(target.created_at),
                              target.actor_id, "forged", target.object_type, target.object_id,
                              target.payload_digest, target.prev_hash)
    tamper("UPDATE ledger_ledgerentry SET action = 'forged', entry_hash = %s WHERE id = %s",
           [new_hash, target.pk])
    result = ledger_verify()
    assert (result.ok, result.broken_seq, result.reason) == (False, chain[4].seq, Problem.BROKEN_LINK)
    assert result.expected == new_hash and result.found == target.entry_hash


def test_deleted_middle_entry_is_found_at_the_entry_after_it(chain):
    tamper("DELETE FROM ledger_ledgerentry WHERE id = %s", [chain[2].pk])
    result = ledger_verify()
    assert (result.ok, result.broken_seq, result.reason) == (False, chain[3].seq, Problem.BROKEN_LINK)
    assert result.expected == chain[1].entry_hash and result.found == chain[2].entry_hash


def test_deleted_first_entry_is_found(chain):
    tamper("DELETE FROM ledger_ledgerentry WHERE id = %s", [chain[0].pk])
    result = ledger_verify()
    assert (result.ok, result.broken_seq, result.reason) == (False, chain[1].seq, Problem.BROKEN_LINK)


def test_deleted_tail_is_invisible_to_the_chain_alone_but_found_by_a_published_head(chain):
    """The documented limit of a hash chain: cutting its end leaves a valid, shorter chain."""
    published = ledger_head()
    assert published == Anchor(chain[-1].seq, chain[-1].entry_hash)
    tamper("DELETE FROM ledger_ledgerentry WHERE id >= %s", [chain[4].pk])

    alone = ledger_verify()
    assert alone.ok and alone.checked == 4

    anchored = ledger_verify(anchor=published)
    assert not anchored.ok
    assert (anchored.broken_seq, anchored.reason) == (chain[-1].seq, Problem.ANCHOR_MISSING)


def test_chain_rewritten_consistently_is_found_only_by_a_published_head(chain):
    published = ledger_head()
    # The DBA alters entry 3 and recomputes every hash after it, so every link holds again.
    entries = list(LedgerEntry.objects.order_by("seq"))
    prev = entries[2].prev_hash
    for entry in entries[2:]:
        action = "forged" if entry.pk == entries[2].pk else entry.action
        new_hash = _entry_hash_v2(entry.seq, entry.pk, _micros(entry.created_at),
                                  entry.actor_id, action, entry.object_type, entry.object_id,
                                  entry.payload_digest, prev)
        tamper("UPDATE ledger_ledgerentry SET action = %s, prev_hash = %s, entry_hash = %s "
               "WHERE id = %s", [action, prev, new_hash, entry.pk])
        prev = new_hash

    assert ledger_verify().ok
    anchored = ledger_verify(anchor=published)
    assert (anchored.ok, anchored.reason) == (False, Problem.ANCHOR_MISMATCH)
    assert anchored.found == prev and anchored.expected == published.entry_hash


def test_intact_chain_matches_its_published_head(chain):
    published = ledger_head()
    LedgerEntryFactory.create_batch(2)  # the ledger grows after publishing; that is fine
    assert ledger_verify(anchor=published).ok


def test_verifying_from_an_entry_on(chain):
    result = ledger_verify(start_seq=chain[3].seq)
    assert result.ok and result.checked == 3 and result.first_seq == chain[3].seq
    tamper("DELETE FROM ledger_ledgerentry WHERE id = %s", [chain[1].pk])
    assert ledger_verify(start_seq=chain[3].seq).ok  # the damage is before the range checked
    assert ledger_verify(start_seq=chain[2].seq).broken_seq == chain[2].seq


def test_a_time_budget_stops_early_and_the_rest_can_be_verified_after():
    bulk_chain(1_000)
    first = ledger_verify(batch_size=100, max_seconds=0)
    assert first.ok and not first.complete
    assert first.checked == 100
    rest = ledger_verify(start_seq=first.last_seq + 1, batch_size=100)
    assert rest.ok and rest.complete and rest.checked == 900


def test_batches_do_not_hide_a_break_at_their_edge():
    bulk_chain(300)
    entries = list(LedgerEntry.objects.order_by("seq").values_list("seq", flat=True))
    tamper("DELETE FROM ledger_ledgerentry WHERE seq = %s", [entries[100]])
    result = ledger_verify(batch_size=100)
    assert (result.broken_seq, result.reason) == (entries[101], Problem.BROKEN_LINK)


@pytest.mark.parametrize("text", ["", "12", "abc:" + "0" * 64, "12:" + "g" * 64, "12:" + "0" * 63])
def test_malformed_published_head_is_refused_with_a_clear_message(text):
    with pytest.raises(ValidationError) as excinfo, translation.override("en"):
        Anchor.parse(text)
    with translation.override("en"):
        assert "entry number" in excinfo.value.messages[0]


def test_published_head_round_trips_through_text(chain):
    head = ledger_head()
    assert Anchor.parse(f"  {head.seq}:{head.entry_hash.upper()} ") == head
