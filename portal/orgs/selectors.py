"""Reads of organisations, already limited to what the user may see."""

from .models import JoinRequest


def join_requests_pending_for(*, enterprise):
    return (JoinRequest.objects.filter(enterprise=enterprise, status=JoinRequest.Status.PENDING)
            .select_related("user").order_by("created_at"))


def join_request_pending_of(*, user) -> JoinRequest | None:
    """Return `user`'s request to join an enterprise that waits for approval (at most one)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (JoinRequest.objects.filter(user=user, status=JoinRequest.Status.PENDING)
            .select_related("enterprise").first())


def enterprise_members(*, enterprise):
    return enterprise.members.prefetch_related("groups").order_by("date_joined")
