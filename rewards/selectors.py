"""Reads of rewards, already limited to what the reader may see."""

from django.db.models import QuerySet

from complaints import selectors as complaint_selectors

from .models import RewardProposal


def rewards_of_reporter(*, user) -> QuerySet[RewardProposal]:
    """The rewards of the reports `user` filed under their name (approved or later)."""
    mine = complaint_selectors.complaints_of_named_reporter(user=user).values("pk")
    return (RewardProposal.objects.filter(complaint__in=mine,
                                          status__in=["approved", "paid", "confirmed"])
            .select_related("complaint__case").order_by("-proposed_at"))
