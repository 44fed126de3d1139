"""Object-level rules for organisations: the one place pages, API and admin ask."""

from .models import Enterprise, JoinRequest, Unit


def can_manage_members(user, enterprise: Enterprise) -> bool:
    """An enterprise administrator decides who may act for their own enterprise only."""
    return (
        user.is_authenticated
        and user.enterprise_id == enterprise.pk
        and user.has_perm("orgs.manage_enterprise_members")
    )


def can_decide_join_request(user, join_request: JoinRequest) -> bool:
    return (
        join_request.status == JoinRequest.Status.PENDING
        and can_manage_members(user, join_request.enterprise)
    )


def sees_all_units(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.has_perm("orgs.supervise_all_units"))


def units_visible_to(user):
    """Department staff see every unit; an official sees only their own."""
    if sees_all_units(user):
        return Unit.objects.all()
    if user.is_authenticated and user.unit_id and user.has_perm("orgs.handle_unit_cases"):
        return Unit.objects.filter(pk=user.unit_id)
    return Unit.objects.none()


def enterprises_visible_to(user):
    if sees_all_units(user):
        return Enterprise.objects.all()
    if user.is_authenticated and user.enterprise_id:
        return Enterprise.objects.filter(pk=user.enterprise_id)
    return Enterprise.objects.none()
