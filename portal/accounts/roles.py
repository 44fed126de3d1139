"""Roles are groups holding permission codenames. Code asks for permissions, never group names.

`sync_roles()` runs after every migrate, so the groups always hold exactly these permissions;
the department may add people to groups in the admin, not change what a role means.
"""

from django.contrib.auth.models import Group, Permission
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ENTERPRISE_USER = "enterprise_user", _("Enterprise user")
    ENTERPRISE_ADMIN = "enterprise_admin", _("Enterprise administrator")
    UNIT_OFFICIAL = "unit_official", _("Unit official")
    DEPARTMENT_STAFF = "department_staff", _("Department staff")
    # The department's complaint desk: sees who reported (cases.view_sealed_identity).
    COMPLAINT_DESK = "complaint_desk", _("Complaint desk")
    OBSERVER = "observer", _("Observer")
    EVALUATOR = "evaluator", _("Third-party evaluator")
    AUDITOR = "auditor", _("Auditor")


# Roles whose people work in the admin; every one of them must use TOTP two-factor login.
STAFF_ROLES = {Role.UNIT_OFFICIAL, Role.DEPARTMENT_STAFF, Role.COMPLAINT_DESK, Role.EVALUATOR,
               Role.AUDITOR}

# Roles only a superuser (the district's system administrator) grants or edits the holders of:
# whoever could give them could give themselves the complaint desk's sight of reporters, or
# take over a colleague's account. The department manages everyone else.
ELEVATED_ROLES = {Role.DEPARTMENT_STAFF, Role.COMPLAINT_DESK, Role.AUDITOR}

_ENTERPRISE = [
    "orgs.act_for_enterprise",
    "notifications.view_notification",
]
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.ENTERPRISE_USER: _ENTERPRISE,
    Role.ENTERPRISE_ADMIN: [*_ENTERPRISE, "orgs.manage_enterprise_members"],
    Role.UNIT_OFFICIAL: [
        "orgs.handle_unit_cases",
        "orgs.view_unit",
        "accounts.view_user",
        "notifications.view_notification",
    ],
    Role.DEPARTMENT_STAFF: [
        "orgs.supervise_all_units",
        "orgs.handle_unit_cases",
        "orgs.view_unit", "orgs.add_unit", "orgs.change_unit",
        "orgs.view_enterprise", "orgs.change_enterprise",
        "orgs.view_industry", "orgs.view_qualification", "orgs.add_qualification",
        "orgs.change_qualification",
        "orgs.view_joinrequest",
        "accounts.view_user", "accounts.change_user",
        "ledger.view_ledgerentry", "ledger.verify_ledger",
        "workdays.view_calendarday", "workdays.add_calendarday", "workdays.change_calendarday",
        "workdays.delete_calendarday",
        "notifications.view_notification",
        "django_celery_beat.view_periodictask", "django_celery_beat.change_periodictask",
        "django_celery_beat.view_crontabschedule", "django_celery_beat.view_intervalschedule",
    ],
    Role.OBSERVER: ["accounts.act_as_observer", "notifications.view_notification"],
    Role.EVALUATOR: ["accounts.read_deidentified_data"],
    Role.AUDITOR: ["ledger.view_ledgerentry", "ledger.verify_ledger"],
}


def all_role_permissions() -> dict[str, list[str]]:
    """Merge the core role map with each installed app's `roles.ROLE_PERMISSIONS`.

    An app that adds permissions gives them to roles in its own `roles.py`, so the app owns
    what its permissions mean and this module need not know every app.
    """
    from importlib import import_module
    from importlib.util import find_spec

    from django.apps import apps

    merged = {role: list(perms) for role, perms in ROLE_PERMISSIONS.items()}
    for config in apps.get_app_configs():
        module_name = f"{config.name}.roles"
        if config.name == __name__.rsplit(".", 1)[0] or find_spec(module_name) is None:
            continue
        for role, perms in getattr(import_module(module_name), "ROLE_PERMISSIONS", {}).items():
            merged.setdefault(role, []).extend(p for p in perms if p not in merged[role])
    return merged


def _permission(dotted: str) -> Permission:
    app_label, codename = dotted.split(".", 1)
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@transaction.atomic
def sync_roles() -> None:
    """Create the role groups and give each exactly its permissions."""
    for role, perms in all_role_permissions().items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set([_permission(p) for p in perms])


@transaction.atomic
def role_grant(*, user, role: Role) -> None:
    """Give `user` the role; staff roles also open the admin."""
    group = Group.objects.get(name=role)
    user.groups.add(group)
    if role in STAFF_ROLES and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])


@transaction.atomic
def role_revoke(*, user, role: Role) -> None:
    user.groups.remove(Group.objects.get(name=role))
    still_staff = user.is_superuser or user.groups.filter(name__in=list(STAFF_ROLES)).exists()
    if user.is_staff and not still_staff:
        user.is_staff = False
        user.save(update_fields=["is_staff"])
