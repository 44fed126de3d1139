"""Rewards' choices (Art. 7 ¶1: at most 2000 yuan for a verified report)."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

# The most one report may earn, all its rewards together, in yuan. The database holds it too
# (migration 0001: a CHECK on the per-report total, kept by a trigger): change both together.
REWARD_CAP = Decimal("2000.00")


class RewardStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    PAID = "paid", _("Paid")
    CONFIRMED = "confirmed", _("Receipt confirmed by the reporter")


# The statuses whose amount counts towards the report's total.
COUNTED = (RewardStatus.APPROVED, RewardStatus.PAID, RewardStatus.CONFIRMED)


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    CASH = "cash", _("Cash, against signature")
    OTHER = "other", _("Other")


class NomineeKind(models.TextChoices):
    UNIT = "unit", _("A unit")
    PERSON = "person", _("An individual")


class AwardStatus(models.TextChoices):
    NOMINATED = "nominated", _("Nominated, waiting for a decision")
    GRANTED = "granted", _("Granted and published")
    REFUSED = "refused", _("Refused")
