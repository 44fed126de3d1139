"""Writes of rewards for verified reports. Other apps may call: nothing yet.

One staff member proposes (`reward_propose`), a different one approves or refuses
(`reward_decide`), payment is recorded (`reward_record_payment`), the named reporter confirms
receipt (`reward_confirm_receipt`). Every step is on the ledger (amounts and references, no
person). The total for one report never passes REWARD_CAP: checked here under a lock on the
report's total row, and refused by the database itself (migration 0002).
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from complaints import selectors as complaint_selectors
from complaints.constants import REWARDABLE_FINDINGS, Triage
from complaints.services import complaint_tell_reporter
from portal.ledger.services import ledger_append

from . import permissions
from .constants import REWARD_CAP, AwardStatus, NomineeKind, PaymentMethod, RewardStatus
from .models import (
    ExclusionCategory,
    InnovationAward,
    ReportRewardTotal,
    RewardProposal,
    RewardTier,
)


def _locked_total(complaint_id: int) -> ReportRewardTotal:
    """The report's total row, created if missing, locked until commit."""
    ReportRewardTotal.objects.get_or_create(complaint_id=complaint_id)
    return ReportRewardTotal.objects.select_for_update().get(complaint_id=complaint_id)


def _check_cap(total, amount, *, field: str = "tier") -> None:
    if total + amount > REWARD_CAP:
        raise ValidationError({field: _(
            "This would bring the rewards for this report to %(sum)s yuan; one report can earn "
            "at most %(cap)s yuan (%(left)s yuan left).") % {
            "sum": total + amount, "cap": REWARD_CAP, "left": max(REWARD_CAP - total, 0)}},
            code="cap")


def eligibility_errors(complaint) -> list[str]:
    """Why the reporter of `complaint` cannot be rewarded (empty: they can)."""
    errors = []
    if complaint.finding not in REWARDABLE_FINDINGS:
        errors.append(_("Only verified or partly verified reports can be rewarded."))
    if not complaint.named:
        errors.append(_("Anonymous reports are handled but not rewarded."))
    if complaint.triage == Triage.DUPLICATE or complaint.duplicate_of_id:
        errors.append(_("Only the first reporter of a matter can be rewarded; this report "
                        "duplicates an earlier one."))
    return errors


@transaction.atomic
def reward_propose(*, complaint_id: int, actor, tier: RewardTier,
                   not_excluded: list[str], note: str = "") -> RewardProposal:
    """Propose a reward of `tier` for a verified, named, first report, stating for every
    excluded category of the department's rules that it does not apply."""
    permissions.require(permissions.can_propose(actor),
                        _("Only department staff may propose rewards."))
    complaint = complaint_selectors.rewardable_complaint(pk=complaint_id)
    errors = eligibility_errors(complaint)
    if errors:
        raise ValidationError(errors, code="not_eligible")
    if tier is None or not tier.is_active:
        raise ValidationError({"tier": _("Choose a reward tier in use.")}, code="required")
    if tier.amount > REWARD_CAP:
        raise ValidationError({"tier": _("No tier may exceed %(cap)s yuan.") % {"cap": REWARD_CAP}},
                              code="cap")
    required = set(ExclusionCategory.objects.filter(is_active=True)
                   .values_list("code", flat=True))
    missing = required - set(not_excluded or [])
    if missing:
        names = ExclusionCategory.objects.filter(code__in=missing).values_list("name", flat=True)
        raise ValidationError({"not_excluded": _(
            "State that the reporter is not in each excluded category: %(names)s.")
            % {"names": "; ".join(names)}}, code="exclusions")
    total = _locked_total(complaint.pk)
    _check_cap(total.total, tier.amount)
    proposal = RewardProposal.objects.create(
        complaint=complaint, tier=tier, amount=tier.amount, proposed_by=actor,
        exclusions_checked=sorted(required), note=(note or "").strip())
    ledger_append(actor=actor, action="rewards.propose", obj=proposal, payload={
        "reference": complaint.reference, "amount": str(tier.amount),
        "exclusions": sorted(required)})
    return proposal


@transaction.atomic
def reward_decide(*, proposal: RewardProposal, actor, approve: bool,
                  note: str = "") -> RewardProposal:
    """Approve or refuse a proposal; never by the one who proposed it. An approval counts
    towards the report's total, which is locked first so concurrent approvals queue."""
    permissions.require(permissions.can_approve(actor),
                        _("Only department staff who approve rewards may decide."))
    proposal = RewardProposal.objects.select_related("complaint__case").get(pk=proposal.pk)
    if proposal.proposed_by_id == actor.pk:
        raise PermissionDenied(_("You proposed this reward: another staff member must decide "
                                 "on it."))
    total = _locked_total(proposal.complaint_id)  # before the proposal: one lock order
    proposal = RewardProposal.objects.select_for_update().select_related(
        "complaint__case").get(pk=proposal.pk)
    if proposal.status != RewardStatus.PROPOSED:
        raise ValidationError(_("This reward was already decided."), code="decided")
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"note": _("Say why the reward is refused.")}, code="required")
    if approve:
        _check_cap(total.total, proposal.amount, field="amount")
    proposal.status = RewardStatus.APPROVED if approve else RewardStatus.REFUSED
    proposal.decided_by, proposal.decided_at, proposal.decision_note = (
        actor, timezone.now(), note)
    try:
        with transaction.atomic():
            proposal.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    except IntegrityError as exc:  # the database's cap: only if the check above was bypassed
        raise ValidationError(_("One report can earn at most %(cap)s yuan.")
                              % {"cap": REWARD_CAP}, code="cap") from exc
    ledger_append(actor=actor, action="rewards.decide", obj=proposal, payload={
        "reference": proposal.complaint.reference, "amount": str(proposal.amount),
        "decision": proposal.status})
    return proposal


@transaction.atomic
def reward_record_payment(*, proposal: RewardProposal, actor, paid_on: datetime.date,
                          method: str, reference: str) -> RewardProposal:
    """Record that an approved reward was paid; the reporter is told and asked to confirm."""
    permissions.require(permissions.can_record_payment(actor),
                        _("Only department staff may record payments."))
    proposal = RewardProposal.objects.select_for_update().select_related(
        "complaint__case").get(pk=proposal.pk)
    if proposal.status != RewardStatus.APPROVED:
        raise ValidationError(_("Only an approved reward can be paid."), code="not_approved")
    errors = {}
    if not isinstance(paid_on, datetime.date) or paid_on > timezone.localdate():
        errors["paid_on"] = _("Enter the date of payment (not in the future).")
    if method not in PaymentMethod.values:
        errors["payment_method"] = _("Choose how it was paid.")
    reference = (reference or "").strip()
    if not reference:
        errors["payment_reference"] = _("Enter the payment's reference (transfer number or "
                                        "receipt number).")
    if errors:
        raise ValidationError(errors)
    proposal.status = RewardStatus.PAID
    proposal.paid_by, proposal.paid_on = actor, paid_on
    proposal.payment_method, proposal.payment_reference = method, reference
    proposal.save(update_fields=["status", "paid_by", "paid_on", "payment_method",
                                 "payment_reference"])
    complaint_tell_reporter(
        complaint=proposal.complaint,
        subject=format_lazy(gettext_lazy("A reward of {amount} yuan for your report {ref} was "
                                         "paid: please confirm that you received it"),
                            amount=proposal.amount, ref=proposal.complaint.reference))
    ledger_append(actor=actor, action="rewards.pay", obj=proposal, payload={
        "reference": proposal.complaint.reference, "amount": str(proposal.amount),
        "paid_on": paid_on.isoformat(), "method": method})
    return proposal


@transaction.atomic
def reward_confirm_receipt(*, proposal: RewardProposal, user) -> RewardProposal:
    """The named reporter confirms they received the payment."""
    proposal = RewardProposal.objects.select_for_update().get(pk=proposal.pk)
    mine = complaint_selectors.complaint_for_reporter(pk=proposal.complaint_id, user=user)
    permissions.require(mine is not None, _("Only the reporter can confirm this reward."))
    if proposal.status != RewardStatus.PAID:
        raise ValidationError(_("There is no payment to confirm."), code="not_paid")
    proposal.status = RewardStatus.CONFIRMED
    proposal.confirmed_at = timezone.now()
    proposal.save(update_fields=["status", "confirmed_at"])
    ledger_append(actor=None, action="rewards.confirm", obj=proposal,
                  payload={"reference": mine.reference, "amount": str(proposal.amount)})
    return proposal



# --- innovation awards (Art. 9 ¶2) ---------------------------------------------------------

@transaction.atomic
def award_nominate(*, actor, nominee_kind: str, unit, title: str, title_en: str,
                   achievement: str, achievement_en: str, evidence: str, person_name: str = "",
                   amount=None) -> InnovationAward:
    """Nominate a unit or an individual (of a unit) for a pioneering reform, with evidence."""
    permissions.require(permissions.can_propose(actor),
                        _("Only department staff may nominate."))
    errors = {}
    if nominee_kind not in NomineeKind.values:
        errors["nominee_kind"] = _("Choose a unit or an individual.")
    if unit is None:
        errors["unit"] = _("Choose the unit.")
    person_name = (person_name or "").strip()
    if nominee_kind == NomineeKind.PERSON and not person_name:
        errors["person_name"] = _("Enter the individual's name.")
    texts = {}
    for field, value in (("title", title), ("title_en", title_en), ("achievement", achievement),
                         ("achievement_en", achievement_en), ("evidence", evidence)):
        texts[field] = (value or "").strip()
        if not texts[field]:
            errors[field] = _("Enter this text.")
    if amount is not None and amount <= 0:
        errors["amount"] = _("Leave the amount empty or enter more than 0.")
    if errors:
        raise ValidationError(errors)
    award = InnovationAward.objects.create(
        nominee_kind=nominee_kind, unit=unit, person_name=person_name, amount=amount,
        nominated_by=actor, **texts)
    ledger_append(actor=actor, action="rewards.award_nominate", obj=award,
                  payload={"unit": unit.pk, "kind": nominee_kind})
    return award


@transaction.atomic
def award_decide(*, award: InnovationAward, actor, grant: bool, note: str = "") -> InnovationAward:
    """Grant (and so publish) or refuse a nomination; never by the one who nominated."""
    permissions.require(permissions.can_approve(actor),
                        _("Only department staff who approve rewards may decide."))
    award = InnovationAward.objects.select_for_update().get(pk=award.pk)
    if award.nominated_by_id == actor.pk:
        raise PermissionDenied(_("You nominated this: another staff member must decide on it."))
    if award.status != AwardStatus.NOMINATED:
        raise ValidationError(_("This nomination was already decided."), code="decided")
    note = (note or "").strip()
    if not grant and not note:
        raise ValidationError({"note": _("Say why the nomination is refused.")},
                              code="required")
    award.status = AwardStatus.GRANTED if grant else AwardStatus.REFUSED
    award.decided_by, award.decided_at, award.decision_note = actor, timezone.now(), note
    award.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    ledger_append(actor=actor, action="rewards.award_decide", obj=award,
                  payload={"decision": award.status,
                           "amount": str(award.amount) if award.amount else None})
    return award
