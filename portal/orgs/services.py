"""Writes of organisations. Other apps may call: enterprise_register, join_request_submit,
join_request_decide, official_assign."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from portal.accounts.roles import Role, role_grant
from portal.ledger.services import ledger_append
from portal.notifications.services import notify

from . import permissions
from .models import Enterprise, JoinRequest, Unit
from .validators import normalize_credit_code


@transaction.atomic
def enterprise_register(*, user, credit_code: str, name: str, industry, kind: str = Enterprise.Kind.ENTERPRISE,
                        industry_division: str = "", size: str = Enterprise.Size.SMALL,
                        registered_capital=None, founded_on=None, address: str = "",
                        tags: list[str] | None = None) -> Enterprise:
    """Register an enterprise; its first registrant becomes its administrator."""
    if user.enterprise_id or user.unit_id:
        raise ValidationError(_("This account already belongs to an organisation."))
    enterprise = Enterprise(
        credit_code=normalize_credit_code(credit_code), name=name.strip(), kind=kind,
        industry=industry, industry_division=industry_division, size=size,
        registered_capital=registered_capital, founded_on=founded_on, address=address,
        tags=tags or [],
    )
    enterprise.full_clean()
    enterprise.save()
    user.enterprise = enterprise
    user.save(update_fields=["enterprise"])
    role_grant(user=user, role=Role.ENTERPRISE_USER)
    role_grant(user=user, role=Role.ENTERPRISE_ADMIN)
    ledger_append(actor=user, action="enterprise.registered", obj=enterprise,
                  payload={"credit_code": enterprise.credit_code, "name": enterprise.name})
    return enterprise


@transaction.atomic
def join_request_submit(*, user, enterprise: Enterprise, message: str = "") -> JoinRequest:
    """Ask to act for `enterprise`; its administrators are notified."""
    if user.enterprise_id or user.unit_id:
        raise ValidationError(_("This account already belongs to an organisation."))
    if JoinRequest.objects.filter(user=user, status=JoinRequest.Status.PENDING).exists():
        raise ValidationError(_("You have already asked to join an enterprise; please wait for "
                                "its administrator's decision."))
    join_request = JoinRequest(user=user, enterprise=enterprise, message=message.strip())
    join_request.full_clean()
    join_request.save()
    admins = enterprise.members.filter(
        groups__permissions__codename="manage_enterprise_members").distinct()
    notify(
        recipients=list(admins),
        subject=format_lazy(_("{name} asks to join {enterprise}"),
                            name=user.get_full_name(), enterprise=enterprise.name),
        body=_("Open the members page to approve or reject the request."),
        url="/enterprise/members/",
        dedup_key=f"join-request:{join_request.pk}",
    )
    return join_request


@transaction.atomic
def join_request_decide(*, actor, join_request: JoinRequest, approve: bool) -> JoinRequest:
    """Approve or reject a request to join; only the enterprise's administrator may."""
    join_request = JoinRequest.objects.select_for_update().select_related("enterprise", "user").get(
        pk=join_request.pk)
    if join_request.status != JoinRequest.Status.PENDING:
        raise ValidationError(_("This request has already been decided."))
    if not permissions.can_decide_join_request(actor, join_request):
        raise PermissionDenied(_("Only the enterprise's administrator may decide this request."))
    applicant = join_request.user
    join_request.status = JoinRequest.Status.APPROVED if approve else JoinRequest.Status.REJECTED
    join_request.decided_by = actor
    join_request.decided_at = timezone.now()
    join_request.save(update_fields=["status", "decided_by", "decided_at"])
    if approve:
        if applicant.enterprise_id or applicant.unit_id:
            raise ValidationError(_("The applicant already belongs to an organisation."))
        applicant.enterprise = join_request.enterprise
        applicant.save(update_fields=["enterprise"])
        role_grant(user=applicant, role=Role.ENTERPRISE_USER)
    ledger_append(actor=actor, action=f"enterprise.join_{join_request.status}", obj=join_request,
                  payload={"enterprise": join_request.enterprise_id, "user": applicant.pk})
    notify(
        recipients=[applicant],
        subject=(format_lazy(_("You may now act for {enterprise}"), enterprise=join_request.enterprise.name)
                 if approve else
                 format_lazy(_("Your request to join {enterprise} was not approved"),
                             enterprise=join_request.enterprise.name)),
        url="/",
        dedup_key=f"join-decided:{join_request.pk}",
    )
    return join_request


@transaction.atomic
def official_assign(*, actor, user, unit: Unit, role: Role = Role.UNIT_OFFICIAL) -> None:
    """Make `user` an official of `unit` (department staff only)."""
    if not permissions.sees_all_units(actor):
        raise PermissionDenied(_("Only department staff may appoint officials."))
    if user.enterprise_id:
        raise ValidationError(_("An enterprise user cannot also be a unit official."))
    user.unit = unit
    user.save(update_fields=["unit"])
    role_grant(user=user, role=role)
    ledger_append(actor=actor, action="unit.official_assigned", obj=unit,
                  payload={"user": user.pk, "role": str(role)})


@transaction.atomic
def enterprise_update_profile(*, actor, enterprise: Enterprise, data: dict, qualifications=None) -> Enterprise:
    """Update the enterprise's profile (its administrator only); the credit code never changes."""
    if not permissions.can_manage_members(actor, enterprise):
        raise PermissionDenied(_("Only the enterprise's administrator may edit its profile."))
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    fields = [f for f in data if f in EDITABLE_PROFILE_FIELDS]
    for field in fields:
        setattr(enterprise, field, data[field])
    enterprise.full_clean()
    enterprise.save(update_fields=fields)
    if qualifications is not None:
        enterprise.qualifications.set(qualifications)
    ledger_append(actor=actor, action="enterprise.profile_updated", obj=enterprise,
                  payload={f: str(data[f]) for f in fields})
    return enterprise


EDITABLE_PROFILE_FIELDS = ("name", "kind", "industry", "industry_division", "size",
                           "registered_capital", "founded_on", "address")
