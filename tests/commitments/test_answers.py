"""The enterprise's answer to a fulfilment — confirmed, disputed by the agreement's party, or
disputed by enough enterprises of a public commitment — lands on the latest fulfilment only, with
who answered and when, and the ledger entry an auditor can rebuild from the same facts.

Pins the one way the three services write an answer (services._answer_fulfilment), so none of
them drifts from the others again."""

import datetime

import pytest
import time_machine

from policies.commitments import services
from policies.commitments.constants import Answer, ClauseStatus, CommitmentKind
from portal.ledger.models import LedgerEntry
from portal.ledger.services import ledger_payload_digest
from tests.cases.factories import local_dt
from tests.factories import enterprise_user, unit_official

from .factories import commitment

pytestmark = pytest.mark.django_db

FIRST = local_dt(2026, 7, 1, 10, 0)
ANSWERED = local_dt(2026, 7, 2, 9, 30)
AGAIN = local_dt(2026, 7, 3, 10, 0)
LATEST = local_dt(2026, 7, 6, 15, 0)


def _record(official, clause):
    return services.fulfilment_record(actor=official, clause=clause, note="已办结。", files=[])


def _entry_for(action, clause):
    return LedgerEntry.objects.filter(action=action, object_id=str(clause.pk)).order_by("id")


def _agreement_disputed_once():
    """An agreement's clause recorded, disputed by its party, recorded again."""
    official = unit_official()
    c = commitment(unit=official.unit)
    member = enterprise_user(c.enterprise)
    clause = c.clauses.get()
    with time_machine.travel(FIRST, tick=False):
        first = _record(official, clause)
    with time_machine.travel(ANSWERED, tick=False):
        services.fulfilment_dispute(actor=member, clause=clause, reason="资金只到账一半。")
    with time_machine.travel(AGAIN, tick=False):
        second = _record(official, clause)
    return clause, member, first, second


def test_a_confirmation_answers_the_latest_fulfilment_and_leaves_the_earlier_as_it_was():
    clause, member, first, second = _agreement_disputed_once()
    with time_machine.travel(LATEST, tick=False):
        answered = services.fulfilment_confirm(actor=member, clause=clause)
    assert answered.pk == second.pk
    second.refresh_from_db()
    assert (second.answer, second.answer_reason) == (Answer.CONFIRMED, "")
    assert (second.answered_by, second.answered_at) == (member, LATEST)
    first.refresh_from_db()
    assert (first.answer, first.answer_reason) == (Answer.DISPUTED, "资金只到账一半。")
    assert first.answered_at == ANSWERED
    clause.refresh_from_db()
    assert clause.status == ClauseStatus.CONFIRMED
    entry = _entry_for("commitments.fulfilment_confirmed", clause).get()
    assert entry.actor == member
    assert entry.payload_digest == ledger_payload_digest(
        {"commitment": clause.commitment_id, "fulfilment": second.pk}
    )


def test_a_dispute_by_the_party_answers_the_latest_fulfilment_with_its_reason():
    clause, member, first, second = _agreement_disputed_once()
    with time_machine.travel(LATEST, tick=False):
        answered = services.fulfilment_dispute(actor=member, clause=clause, reason="仍未到账。")
    assert answered.pk == second.pk
    second.refresh_from_db()
    assert (second.answer, second.answer_reason) == (Answer.DISPUTED, "仍未到账。")
    assert (second.answered_by, second.answered_at) == (member, LATEST)
    first.refresh_from_db()
    assert first.answer_reason == "资金只到账一半。" and first.answered_at == ANSWERED
    clause.refresh_from_db()
    assert clause.status == ClauseStatus.DISPUTED
    first_entry, second_entry = _entry_for("commitments.fulfilment_disputed", clause)
    assert second_entry.payload_digest == ledger_payload_digest(
        {"commitment": clause.commitment_id, "fulfilment": second.pk, "reason": "仍未到账。"}
    )
    assert first_entry.payload_digest == ledger_payload_digest(
        {"commitment": clause.commitment_id, "fulfilment": first.pk, "reason": "资金只到账一半。"}
    )


def test_the_dispute_that_reaches_the_threshold_answers_for_all_enterprises():
    official = unit_official()
    c = commitment(
        unit=official.unit, kind=CommitmentKind.PUBLIC_SERVICE, due=datetime.date(2026, 6, 30)
    )
    clause = c.clauses.get()
    with time_machine.travel(FIRST, tick=False):
        fulfilment = _record(official, clause)
    users = [enterprise_user() for _ in range(services.public_disputes_to_dispute())]
    reasons = [f"第{n}家：没有做到。" for n in range(1, len(users) + 1)]
    with time_machine.travel(ANSWERED, tick=False):
        for user, reason in zip(users[:-1], reasons, strict=False):
            services.fulfilment_dispute(actor=user, clause=clause, reason=reason)
    fulfilment.refresh_from_db()
    assert (fulfilment.answer, fulfilment.answered_by) == ("", None)  # not yet the enterprises'
    with time_machine.travel(LATEST, tick=False):
        services.fulfilment_dispute(actor=users[-1], clause=clause, reason=reasons[-1])
    fulfilment.refresh_from_db()
    assert fulfilment.answer == Answer.DISPUTED
    assert fulfilment.answer_reason == f"{len(users)}家企业提出异议。"  # in the site's language
    assert (fulfilment.answered_by, fulfilment.answered_at) == (users[-1], LATEST)
    clause.refresh_from_db()
    assert clause.status == ClauseStatus.DISPUTED
    entry = _entry_for("commitments.fulfilment_disputed", clause).get()
    assert entry.actor == users[-1]
    assert entry.payload_digest == ledger_payload_digest(
        {
            "commitment": clause.commitment_id,
            "fulfilment": fulfilment.pk,
            "reason": "\n".join(f"{n}. {r}" for n, r in enumerate(reasons, 1)),
            "enterprises": len(users),
        }
    )
