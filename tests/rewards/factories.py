from decimal import Decimal

from rewards.models import ExclusionCategory, RewardTier
from tests.complaints.factories import investigated, report

EXCLUSIONS = ["duty_to_report", "injured_party_agent", "offender"]


def exclusions():
    """The department's excluded categories (a flushed database lost the migration's rows)."""
    for code in EXCLUSIONS:
        ExclusionCategory.objects.get_or_create(code=code, defaults={"name": code})
    return EXCLUSIONS


def tier(amount="500", name=None):
    return RewardTier.objects.create(name=name or f"tier {amount}", amount=Decimal(amount))


def verified_named_report(*, user, accused, desk, unit, official, finding="verified"):
    complaint, _code = report(user=user, accused_unit=accused)
    return investigated(complaint, desk=desk, unit=unit, official=official, finding=finding)
