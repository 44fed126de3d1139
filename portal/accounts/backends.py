"""A user's permissions in one query instead of ModelBackend's two.

Every page checks at least one permission, and ModelBackend loads them on the first check of a
request with two queries (the user's own, then their groups'). This backend, listed first in
AUTHENTICATION_BACKENDS, reads both in one UNION query and leaves them where ModelBackend looks
(`user._perm_cache`), so the backends after it find them loaded. It only answers permission
checks: it signs nobody in and loads no session's user (no `get_user`), so sign-in, sessions and
the password hashing of a failed sign-in stay exactly as they were.
"""

from django.contrib.auth.models import Permission


class OneQueryPermissionsBackend:
    def authenticate(self, request, **credentials):
        return None

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            fields = ("content_type__app_label", "codename")
            if user_obj.is_superuser:
                rows = Permission.objects.values_list(*fields).order_by()
            else:
                rows = (Permission.objects.filter(user=user_obj).values_list(*fields).order_by()
                        .union(Permission.objects.filter(group__user=user_obj)
                               .values_list(*fields).order_by()))
            user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in rows}
        return user_obj._perm_cache

    def has_perm(self, user_obj, perm, obj=None):
        return user_obj.is_active and perm in self.get_all_permissions(user_obj, obj)
