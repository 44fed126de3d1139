"""The mixin of the admins that only show records (the site itself: portal/core/admin_site.py)."""


class ReadOnlyAdminMixin:
    """An admin that shows records nobody adds, edits or deletes through it (the ledger, sent
    notifications, trained models; cases, which change only through their transitions)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
