"""The portal's admin site: one `AdminSite` subclass, the admin app's default site
(`portal.core.apps.PortalAdminConfig.default_site`), so `admin.site` is this everywhere.

It holds:

- the branding;
- the staff sign-in: `/admin/login/` sends everyone to the portal's sign-in page (allauth:
  password, then the TOTP step; `portal.accounts.middleware` keeps staff without it out of every
  admin page);
- the pages that are no model's change list (the department's dashboard, pain points), which
  an app registers with `admin.site.register_page(AdminPage(...))` in its admin module, and
  their entries in the app list, shown to whom `visible(user)` allows. The view itself still
  checks its permission: an entry hidden from the list is not a page refused.

This module imports no domain package: apps hand it their pages.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _


def _everyone(user) -> bool:
    return True


@dataclass(frozen=True)
class AdminPage:
    """A page of the admin site that is not a model's: its URL (`route` under /admin/, named
    `admin:<name>`), its view, and its entry in `app_label`'s part of the index."""

    route: str
    name: str
    view: Callable
    app_label: str
    object_name: str
    title: str
    visible: Callable = _everyone


class PortalAdminSite(admin.AdminSite):
    site_header = _("Yingshang Portal administration")
    site_title = _("Yingshang Portal")
    index_title = _("Work desk")

    def __init__(self, name="admin"):
        super().__init__(name)
        self._pages: dict[str, AdminPage] = {}

    def register_page(self, page: AdminPage) -> None:
        self._pages[page.name] = page

    def login(self, request, extra_context=None):
        """Send everyone to the portal's sign-in page, which enforces the two-factor step."""
        if request.user.is_authenticated:
            if request.user.is_active and request.user.is_staff:
                return redirect(f"{self.name}:index")
            raise PermissionDenied  # signed in, but not someone who works in the admin
        target = request.GET.get("next") or reverse(f"{self.name}:index")
        if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
            target = reverse(f"{self.name}:index")
        return redirect_to_login(target)

    def get_urls(self):
        pages = [path(page.route, self.admin_view(page.view), name=page.name)
                 for page in self._pages.values()]
        return [*pages, *super().get_urls()]

    def get_app_list(self, request, app_label=None):
        app_list = super().get_app_list(request, app_label)
        for app in app_list:
            entries = [{"model": None, "name": page.title, "object_name": page.object_name,
                        "perms": {"view": True}, "admin_url": reverse(f"{self.name}:{page.name}"),
                        "add_url": None, "view_only": True}
                       for page in self._pages.values()
                       if page.app_label == app["app_label"] and page.visible(request.user)]
            app["models"] = entries + app["models"]
        return app_list
