"""Rewards: only verified, named, first reports; the department's exclusions stated; tiers up to
the cap; one proposes, another approves; payment recorded; the reporter confirms."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from complaints import services as complaint_services
from complaints.models import ReporterNotice
from portal.ledger.models import LedgerEntry
from rewards import services
from rewards.constants import RewardStatus
from rewards.models import ExclusionCategory, ReportRewardTotal, RewardProposal, RewardTier
from tests.complaints.factories import report
from tests.factories import department_staff, enterprise_user

from .factories import exclusions, tier, verified_named_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def named_verified(reporter_user, accused, desk, investigator, official):
    return verified_named_report(user=reporter_user, accused=accused, desk=desk,
                                 unit=investigator, official=official)


def test_a_reward_is_proposed_approved_by_another_paid_and_confirmed(
        named_verified, dept, reporter_user):
    approver, payer = department_staff(), department_staff()
    proposal = services.reward_propose(complaint_id=named_verified.pk, actor=dept,
                                       tier=tier("800"), not_excluded=exclusions())
    with pytest.raises(PermissionDenied, match="another staff member"):
        services.reward_decide(proposal=proposal, actor=dept, approve=True)
    assert RewardProposal.objects.get().status == RewardStatus.PROPOSED
    services.reward_decide(proposal=proposal, actor=approver, approve=True)
    assert ReportRewardTotal.objects.get(complaint=named_verified).total == Decimal("800")
    with pytest.raises(ValidationError) as exc:
        services.reward_record_payment(proposal=proposal, actor=payer,
                                       paid_on=datetime.date.today(), method="bank_transfer",
                                       reference="")
    assert "payment_reference" in exc.value.message_dict
    services.reward_record_payment(proposal=proposal, actor=payer,
                                   paid_on=datetime.date.today(), method="bank_transfer",
                                   reference="TRX-20261204-01")
    assert ReporterNotice.objects.filter(complaint=named_verified,
                                         subject__en__icontains="please confirm").exists()
    with pytest.raises(PermissionDenied):
        services.reward_confirm_receipt(proposal=proposal, user=dept)
    services.reward_confirm_receipt(proposal=proposal, user=reporter_user)
    proposal.refresh_from_db()
    assert proposal.status == RewardStatus.CONFIRMED
    assert ReportRewardTotal.objects.get(complaint=named_verified).total == Decimal("800")
    assert list(LedgerEntry.objects.filter(action__startswith="rewards.")
                .order_by("id").values_list("action", flat=True)) == [
        "rewards.propose", "rewards.decide", "rewards.pay", "rewards.confirm"]


def test_no_reward_for_an_unfounded_or_anonymous_or_duplicate_report(
        reporter_user, accused, desk, investigator, official, dept):
    unfounded = verified_named_report(user=reporter_user, accused=accused, desk=desk,
                                      unit=investigator, official=official, finding="unfounded")
    anonymous, _ = report(accused_unit=accused)
    from tests.complaints.factories import investigated

    investigated(anonymous, desk=desk, unit=investigator, official=official)
    first, _ = report(user=reporter_user, accused_unit=accused)
    second, _ = report(user=reporter_user, accused_unit=accused)
    complaint_services.complaint_triage(complaint=second, actor=desk, decision="duplicate",
                                        duplicate_of=first)
    cases = {unfounded: "verified or partly verified", anonymous: "not rewarded",
             second: "first reporter"}
    for complaint, message in cases.items():
        with pytest.raises(ValidationError, match=message):
            services.reward_propose(complaint_id=complaint.pk, actor=dept, tier=tier(name=message),
                                    not_excluded=exclusions())
    assert not RewardProposal.objects.exists()


def test_every_excluded_category_must_be_stated_not_to_apply(named_verified, dept):
    with pytest.raises(ValidationError) as exc:
        services.reward_propose(complaint_id=named_verified.pk, actor=dept, tier=tier(),
                                not_excluded=exclusions()[:2])
    offender = ExclusionCategory.objects.get(code="offender").name
    assert offender in exc.value.message_dict["not_excluded"][0]
    assert not RewardProposal.objects.exists()


def test_a_tier_above_2000_yuan_is_refused_by_the_database(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        RewardTier.objects.create(name="too much", amount=Decimal("2000.01"))


def test_a_reward_above_what_is_left_under_the_cap_is_refused(named_verified, dept):
    approver = department_staff()
    big = services.reward_propose(complaint_id=named_verified.pk, actor=dept,
                                  tier=tier("1500"), not_excluded=exclusions())
    other = services.reward_propose(complaint_id=named_verified.pk, actor=dept,
                                    tier=tier("800"), not_excluded=exclusions())
    services.reward_decide(proposal=big, actor=approver, approve=True)
    with pytest.raises(ValidationError, match="at most 2000"):
        services.reward_decide(proposal=other, actor=approver, approve=True)
    with pytest.raises(ValidationError, match="500.00 yuan left"):
        services.reward_propose(complaint_id=named_verified.pk, actor=dept, tier=tier("600"),
                                not_excluded=exclusions())
    assert RewardProposal.objects.get(pk=other.pk).status == RewardStatus.PROPOSED
    assert ReportRewardTotal.objects.get(complaint=named_verified).total == Decimal("1500")
    # A refusal needs a reason and counts for nothing.
    with pytest.raises(ValidationError):
        services.reward_decide(proposal=other, actor=approver, approve=False)
    services.reward_decide(proposal=other, actor=approver, approve=False, note="已达上限。")
    assert ReportRewardTotal.objects.get(complaint=named_verified).total == Decimal("1500")


def test_the_database_refuses_a_reward_past_the_cap_even_from_sql(named_verified, dept):
    approver = department_staff()
    first = services.reward_propose(complaint_id=named_verified.pk, actor=dept,
                                    tier=tier("1500"), not_excluded=exclusions())
    services.reward_decide(proposal=first, actor=approver, approve=True)
    from django.db import connection

    insert = ("INSERT INTO rewards_rewardproposal (complaint_id, tier_id, amount, "
              "exclusions_checked, note, status, proposed_by_id, proposed_at, decision_note, "
              "payment_method, payment_reference) VALUES (%s, %s, %s, '[]', '', 'approved', %s, "
              "now(), '', '', '')")
    for amount in ("600.00", "2500.00"):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(insert, [named_verified.pk, first.tier_id, amount, dept.pk])
    pending = services.reward_propose(complaint_id=named_verified.pk, actor=dept,
                                      tier=tier("400"), not_excluded=exclusions())
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE rewards_rewardproposal SET status = 'approved', amount = 600 "
                       "WHERE id = %s", [pending.pk])
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE rewards_reportrewardtotal SET total = 2400 WHERE complaint_id = %s",
                       [named_verified.pk])
    assert RewardProposal.objects.filter(status="approved").count() == 1
    assert ReportRewardTotal.objects.get(complaint=named_verified).total == Decimal("1500")


def test_the_reporter_confirms_the_payment_on_their_rewards_page(client, named_verified, dept,
                                                                 reporter_user):
    approver = department_staff()
    proposal = services.reward_propose(complaint_id=named_verified.pk, actor=dept,
                                       tier=tier("500"), not_excluded=exclusions())
    services.reward_decide(proposal=proposal, actor=approver, approve=True)
    services.reward_record_payment(proposal=proposal, actor=approver,
                                   paid_on=datetime.date.today(), method="bank_transfer",
                                   reference="TRX-1")
    client.force_login(enterprise_user())  # someone else
    assert client.post("/rewards/confirm/", {"reward": proposal.pk}).status_code == 404
    client.force_login(reporter_user)
    page = client.get("/rewards/").content.decode()
    assert named_verified.reference in page and "I received this payment" in page
    assert client.post("/rewards/confirm/", {"reward": proposal.pk}).status_code == 302
    assert RewardProposal.objects.get().status == RewardStatus.CONFIRMED
