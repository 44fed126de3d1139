"""Reads of rewards, already limited to what the reader may see."""

from django.db.models import QuerySet

from complaints import selectors as complaint_selectors

from .constants import AwardStatus
from .models import InnovationAward, RewardProposal


def rewards_of_reporter(*, user) -> QuerySet[RewardProposal]:
    """The rewards of the reports `user` filed under their name (approved or later)."""
    mine = complaint_selectors.complaints_of_named_reporter(user=user).values("pk")
    return (RewardProposal.objects.filter(complaint__in=mine,
                                          status__in=["approved", "paid", "confirmed"])
            .select_related("complaint__case").order_by("-proposed_at"))


def innovation_awards_published() -> QuerySet[InnovationAward]:
    """Granted innovation awards, newest first (anyone may read them)."""
    return (InnovationAward.objects.filter(status=AwardStatus.GRANTED).select_related("unit")
            .order_by("-decided_at"))
