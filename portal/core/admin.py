"""Admin site branding, sign-in through allauth (so staff pass the TOTP stage), and the mixin
of the admins that only show records."""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Yingshang Portal administration")
admin.site.site_title = _("Yingshang Portal")
admin.site.index_title = _("Work desk")


def _login(request, extra_context=None):
    """Send everyone to the portal's sign-in page, which enforces two-factor login."""
    from django.shortcuts import redirect

    if request.user.is_authenticated:
        if request.user.is_active and request.user.is_staff:
            return redirect("admin:index")
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied  # signed in, but not someone who works in the admin
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.GET.get("next") or "/admin/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/admin/"
    return redirect_to_login(target)


admin.site.login = _login


class ReadOnlyAdminMixin:
    """An admin that shows records nobody adds, edits or deletes through it (the ledger, sent
    notifications, trained models; cases, which change only through their transitions)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
