"""The 2000 yuan cap holds when twenty approvals of one report's rewards run at once, each in a
thread with its own database connection (PostgreSQL, committed transactions)."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from rewards import services
from rewards.constants import RewardStatus
from rewards.models import ReportRewardTotal, RewardProposal
from tests.factories import department_staff

from .factories import exclusions, tier, verified_named_report


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_approvals_never_pass_2000_yuan(reporter_user, accused, desk,
                                                        investigator, official, dept):
    complaint = verified_named_report(user=reporter_user, accused=accused, desk=desk,
                                      unit=investigator, official=official)
    each = tier("300")
    proposals = [services.reward_propose(complaint_id=complaint.pk, actor=dept, tier=each,
                                         not_excluded=exclusions()) for _ in range(20)]
    approvers = [department_staff() for _ in range(20)]
    start = threading.Barrier(20)
    results: list[str] = []
    lock = threading.Lock()

    def approve(proposal, approver):
        try:
            start.wait()
            with translation.override("en"):  # a thread starts in the site's language
                services.reward_decide(proposal=proposal, actor=approver, approve=True)
            outcome = "approved"
        except ValidationError as exc:
            outcome = "refused: " + " ".join(exc.messages)
        except Exception as exc:  # noqa: BLE001 — reported below, the test fails on it
            outcome = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=approve, args=pair) for pair in zip(proposals, approvers,
                                                                           strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(results) == 20 and not [r for r in results if r.startswith("error")], results
    # 300 × 6 = 1800; a seventh would make 2100.
    assert results.count("approved") == 6
    assert all("at most 2000" in r for r in results if r != "approved")
    total = ReportRewardTotal.objects.get(complaint=complaint).total
    approved = RewardProposal.objects.filter(complaint=complaint, status=RewardStatus.APPROVED)
    assert total == Decimal("1800") == sum(p.amount for p in approved)
