"""Rewards in the admin: one staff member proposes, the form refuses what the service refuses,
another approves, the payment is recorded."""

import pytest

from rewards.constants import RewardStatus
from rewards.models import RewardProposal
from tests.factories import department_staff
from tests.totp import login

from .factories import exclusions, tier, verified_named_report

pytestmark = pytest.mark.django_db


def test_propose_then_another_approves_and_pays_in_the_admin(
        client, reporter_user, accused, desk, investigator, official, dept):
    complaint = verified_named_report(user=reporter_user, accused=accused, desk=desk,
                                      unit=investigator, official=official)
    codes = exclusions()
    too_much = tier("1900", name="big")
    login(client, dept)
    page = client.post("/admin/rewards/rewardproposal/add/", {
        "report": complaint.reference, "tier": tier("300").pk, "not_excluded": codes[:1]})
    assert page.status_code == 200 and "State that the reporter is not in each" in \
        page.content.decode()
    assert not RewardProposal.objects.exists()
    response = client.post("/admin/rewards/rewardproposal/add/", {
        "report": complaint.reference.lower(), "tier": too_much.pk, "not_excluded": codes})
    proposal = RewardProposal.objects.get()
    assert response.status_code == 302
    change = f"/admin/rewards/rewardproposal/{proposal.pk}/change/"
    # The proposer is offered no decision, and a forged one is refused.
    assert 'value="decide"' not in client.get(change).content.decode()
    assert client.post(change, {"_step": "decide", "decide-approve": "yes"}).status_code == 403
    approver = department_staff()
    login(client, approver)
    assert client.post(change, {"_step": "decide", "decide-approve": "yes"}).status_code == 302
    assert RewardProposal.objects.get().status == RewardStatus.APPROVED
    assert client.post(change, {"_step": "pay", "pay-paid_on": "2026-12-01",
                                "pay-payment_method": "bank_transfer",
                                "pay-payment_reference": "TRX-9"}).status_code == 302
    assert RewardProposal.objects.get().status == RewardStatus.PAID


def test_a_tier_above_the_cap_is_refused_in_the_admin(client, dept):
    login(client, dept)
    response = client.post("/admin/rewards/rewardtier/add/", {"name": "太多", "amount": "2500",
                                                              "is_active": "on"})
    assert response.status_code == 200
    assert "at most 2000 yuan" in response.content.decode()
    from rewards.models import RewardTier

    assert not RewardTier.objects.exists()


def test_the_rewards_queue_puts_those_awaiting_payment_then_approval_first(
        client, reporter_user, accused, desk, investigator, official, dept):
    complaint = verified_named_report(user=reporter_user, accused=accused, desk=desk,
                                      unit=investigator, official=official)
    from rewards import services

    first = services.reward_propose(complaint_id=complaint.pk, actor=dept, tier=tier("100"),
                                    not_excluded=exclusions())
    second = services.reward_propose(complaint_id=complaint.pk, actor=dept, tier=tier("200"),
                                     not_excluded=exclusions())
    services.reward_decide(proposal=second, actor=department_staff(), approve=True)
    login(client, dept)
    page = client.get("/admin/rewards/rewardproposal/").content.decode()
    assert page.index(f"/{second.pk}/change/") < page.index(f"/{first.pk}/change/")
