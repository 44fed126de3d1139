"""Move a user's `permissions_version` on whatever may change their permissions, after the
change (so a permission set kept under the new version is the new set):

- their roles (`user.groups` and, from the other side, `group.user_set`);
- their own permissions (`user.user_permissions`, `permission.user_set`);
- a role's permissions (`group.permissions`, `permission.group_set`): every member's;
- a role or a permission deleted: every holder's.

Writes that bypass Django's signals (raw SQL, a through model's `bulk_create`) must call
`permissions_changed` themselves.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db.models import F, QuerySet
from django.db.models.signals import m2m_changed, post_delete, pre_delete

_HELD = "_portal_permission_holders"  # holders captured before a clear or delete


def permissions_changed(user_ids=None) -> None:
    """Move the permissions version of `user_ids` (ids, or a query of ids; None: everyone)."""
    users = get_user_model().objects.all()
    if user_ids is not None:
        if not isinstance(user_ids, QuerySet):
            user_ids = list(user_ids)
            if not user_ids:
                return
        users = users.filter(pk__in=user_ids)
    users.update(permissions_version=F("permissions_version") + 1)


def _members(group_ids):
    """The members of the groups, as a query: one UPDATE … WHERE id IN (SELECT …) moves them
    all, however many (a role held by 400,000 enterprise users)."""
    return (get_user_model().groups.through.objects.filter(group_id__in=list(group_ids))
            .values("user_id"))


def _holders_of(permission_ids):
    user_model = get_user_model()
    return list(user_model.objects.filter(user_permissions__in=list(permission_ids))
                .values_list("pk", flat=True)
                .union(user_model.objects.filter(groups__permissions__in=list(permission_ids))
                       .values_list("pk", flat=True)))


def _affected(sender, instance, reverse, pk_set):
    """The users whose permissions a change of `sender` (a many-to-many table) touches."""
    user_model = get_user_model()
    if sender is user_model.groups.through or sender is user_model.user_permissions.through:
        return list(pk_set or []) if reverse else [instance.pk]
    # Group.permissions: forward, one group; reverse, one permission's groups (pk_set)
    return _members(pk_set or []) if reverse else _members([instance.pk])


def _m2m(sender, instance, action, reverse, pk_set, **kwargs):
    if action == "pre_clear" and reverse:
        # the other side of a clear does not say which rows it removes: look first
        if isinstance(instance, Group):
            setattr(instance, _HELD, [row["user_id"] for row in _members([instance.pk])])
        else:
            setattr(instance, _HELD, _holders_of([instance.pk]))
    elif action == "post_clear" and reverse:
        permissions_changed(getattr(instance, _HELD, None) or [])
    elif action in ("post_add", "post_remove", "post_clear"):
        if action == "post_clear" and sender is Group.permissions.through:
            permissions_changed(_members([instance.pk]))
        else:
            permissions_changed(_affected(sender, instance, reverse, pk_set))


def _before_delete(sender, instance, **kwargs):
    holders = ([row["user_id"] for row in _members([instance.pk])] if sender is Group
               else _holders_of([instance.pk]))
    setattr(instance, _HELD, holders)


def _after_delete(sender, instance, **kwargs):
    permissions_changed(getattr(instance, _HELD, None) or [])


def connect() -> None:
    user_model = get_user_model()
    for through in (user_model.groups.through, user_model.user_permissions.through,
                    Group.permissions.through):
        m2m_changed.connect(_m2m, sender=through,
                            dispatch_uid=f"permissions-version-{through._meta.label}")
    for model in (Group, Permission):
        pre_delete.connect(_before_delete, sender=model,
                           dispatch_uid=f"permissions-version-before-{model.__name__}")
        post_delete.connect(_after_delete, sender=model,
                            dispatch_uid=f"permissions-version-after-{model.__name__}")
