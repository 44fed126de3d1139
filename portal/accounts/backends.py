"""allauth's sign-in, with a user's permissions read in one query.

`PortalBackend`, the only authentication backend, is allauth's (sign-in by e-mail and password;
`get_user` is Django's: the user's row through the default manager, refused when inactive, and
`django.contrib.auth` signs out a session whose password hash no longer matches). One thing
differs from ModelBackend: `get_all_permissions` reads the user's own permissions and their
groups' (their roles) in one ORM query instead of two, and keeps them where ModelBackend keeps
them (`user._perm_cache`) and, between requests, in the process's memory under the user's
`permissions_version` (moved on by accounts/signals.py whenever their roles or a role's
permissions change). The user's row is read afresh on every request, so a role taken away is
gone on the next page, in every process.
"""

from allauth.account.auth_backends import AuthenticationBackend
from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.cache import caches
from django.db.models import Q, QuerySet


def permissions_of(user) -> QuerySet[Permission]:
    """Return the permissions `user` holds, their own and through their groups, as one query
    (a superuser holds every permission)."""
    if user.is_superuser:
        return Permission.objects.all()
    memberships = get_user_model().groups.through.objects.filter(user_id=user.pk)
    own = get_user_model().user_permissions.through.objects.filter(user_id=user.pk)
    via_groups = Group.permissions.through.objects.filter(
        group_id__in=memberships.values("group_id"))
    return Permission.objects.filter(Q(pk__in=own.values("permission_id"))
                                     | Q(pk__in=via_groups.values("permission_id")))


class PortalBackend(AuthenticationBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            key = (f"perms:{user_obj.pk}:{user_obj.permissions_version}:"
                   f"{int(user_obj.is_superuser)}")
            kept = caches["permissions"].get(key)
            if kept is None:
                names = permissions_of(user_obj).values_list("content_type__app_label",
                                                              "codename")
                kept = frozenset(f"{app_label}.{codename}"
                                 for app_label, codename in names.order_by())
                caches["permissions"].set(key, kept)
            user_obj._perm_cache = set(kept)
        return user_obj._perm_cache

    async def aget_all_permissions(self, user_obj, obj=None):
        return await sync_to_async(self.get_all_permissions)(user_obj, obj)
