"""Rewards for verified reports (Art. 7 ¶1): tiers the department configures, proposals by one
staff member approved by another, payment and the reporter's confirmation.

The cap of 2000 yuan per report holds three times: the service checks it under a row lock on
the report's total; the database keeps that total by a trigger on every counted reward and
refuses, by a CHECK, a total above the cap (even from SQL); tiers and amounts above the cap
are refused by CHECKs of their own. docs/adr/0011-complaints-and-rewards.md.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .constants import REWARD_CAP, AwardStatus, NomineeKind, PaymentMethod, RewardStatus

_POSITIVE_UP_TO_CAP = Q(amount__gt=Decimal("0")) & Q(amount__lte=REWARD_CAP)


class RewardTier(models.Model):
    """An amount the department has set for a kind of verified report."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("when it applies"), blank=True)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=8, decimal_places=2)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["amount"]
        verbose_name = _("reward tier")
        verbose_name_plural = _("reward tiers")
        constraints = [models.CheckConstraint(
            condition=_POSITIVE_UP_TO_CAP, name="reward_tier_amount_up_to_cap",
            violation_error_message=_("A reward tier is more than 0 and at most 2000 yuan."))]

    def __str__(self):
        return f"{self.name} ({self.amount})"


class ExclusionCategory(models.Model):
    """People the department's rules exclude from rewards (a duty to report, the injured
    party's agent, the offender ...): each is stated not to apply on every proposal."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("who is excluded"), max_length=200)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("excluded category")
        verbose_name_plural = _("excluded categories")

    def __str__(self):
        return self.name


class RewardProposal(models.Model):
    """A reward for one report: proposed, decided by another, paid, confirmed."""

    # The report; its reporter stays in complaints' sealed table.
    complaint = models.ForeignKey("complaints.Complaint", verbose_name=_("report"),
                                  on_delete=models.PROTECT, related_name="reward_proposals")
    tier = models.ForeignKey(RewardTier, verbose_name=_("tier"), on_delete=models.PROTECT)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=8, decimal_places=2)
    # The excluded categories (codes) the proposer stated do not apply to the reporter.
    exclusions_checked = models.JSONField(_("stated not to apply"), default=list)
    note = models.TextField(_("grounds"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=RewardStatus.choices,
                              default=RewardStatus.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("proposed by"),
                                    on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"),
                                   null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("reason of the decision"), blank=True)
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("payment recorded by"),
                                null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    payment_method = models.CharField(_("payment method"), max_length=20, blank=True,
                                      choices=PaymentMethod.choices)
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    confirmed_at = models.DateTimeField(_("receipt confirmed at"), null=True, blank=True)

    class Meta:
        ordering = ["-proposed_at"]
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        permissions = [
            ("propose_reward", _("Can propose rewards for verified reports")),
            ("approve_reward", _("Can approve or refuse rewards proposed by others")),
            ("record_reward_payment", _("Can record the payment of approved rewards")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=_POSITIVE_UP_TO_CAP, name="reward_amount_up_to_cap",
                violation_error_message=_("A reward is more than 0 and at most 2000 yuan.")),
            models.CheckConstraint(condition=Q(decided_by__isnull=True)
                                   | ~Q(decided_by=F("proposed_by")),
                                   name="reward_not_decided_by_proposer"),
        ]

    def __str__(self):
        return f"{self.complaint.case.reference}: {self.amount} ({self.get_status_display()})"


class ReportRewardTotal(models.Model):
    """What the rewards of one report come to (approved, paid or confirmed). Kept by the
    database's trigger; its CHECK is the cap. Services lock this row before approving."""

    complaint = models.OneToOneField("complaints.Complaint", verbose_name=_("report"),
                                     primary_key=True, on_delete=models.PROTECT,
                                     related_name="+")
    total = models.DecimalField(_("total (yuan)"), max_digits=8, decimal_places=2,
                                default=Decimal("0"))

    class Meta:
        verbose_name = _("reward total of a report")
        verbose_name_plural = _("reward totals of reports")
        constraints = [models.CheckConstraint(
            condition=Q(total__gte=Decimal("0")) & Q(total__lte=REWARD_CAP),
            name="report_reward_total_up_to_cap")]

    def __str__(self):
        return f"{self.complaint_id}: {self.total}"


class InnovationAward(models.Model):
    """An award for a pioneering, leading or breakthrough reform (Art. 9 ¶2): nominated with
    evidence by one staff member, granted or refused by another; no cap; published when
    granted."""

    nominee_kind = models.CharField(_("nominee"), max_length=10, choices=NomineeKind.choices)
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="innovation_awards")
    person_name = models.CharField(_("name of the individual"), max_length=100, blank=True)
    title = models.CharField(_("reform (Simplified Chinese)"), max_length=200)
    title_en = models.CharField(_("reform (English)"), max_length=300)
    achievement = models.TextField(_("what it achieved (Simplified Chinese)"), max_length=5000)
    achievement_en = models.TextField(_("what it achieved (English)"), max_length=8000)
    evidence = models.TextField(_("evidence"), max_length=5000)
    amount = models.DecimalField(_("award (yuan, optional)"), max_digits=10, decimal_places=2,
                                 null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=AwardStatus.choices,
                              default=AwardStatus.NOMINATED)
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("nominated by"),
                                     on_delete=models.PROTECT, related_name="+")
    nominated_at = models.DateTimeField(_("nominated at"), default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"),
                                   null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("reason of the decision"), blank=True)

    class Meta:
        ordering = ["-decided_at", "-nominated_at"]
        verbose_name = _("innovation award")
        verbose_name_plural = _("innovation awards")
        constraints = [
            models.CheckConstraint(condition=Q(decided_by__isnull=True)
                                   | ~Q(decided_by=F("nominated_by")),
                                   name="innovation_award_decided_by_another"),
        ]

    def __str__(self):
        return self.title

    @property
    def display_title(self) -> str:
        from portal.orgs.models import pick_language

        return pick_language(self.title, "", self.title_en)

    @property
    def display_achievement(self) -> str:
        from portal.orgs.models import pick_language

        return pick_language(self.achievement, "", self.achievement_en)
