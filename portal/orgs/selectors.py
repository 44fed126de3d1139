"""Reads of organisations, already limited to what the user may see."""

from .models import JoinRequest


def join_requests_pending_for(*, enterprise):
    return (JoinRequest.objects.filter(enterprise=enterprise, status=JoinRequest.Status.PENDING)
            .select_related("user").order_by("created_at"))


def enterprise_members(*, enterprise):
    return enterprise.members.prefetch_related("groups").order_by("date_joined")
