"""The department's dashboard and pain-point pages on the admin site, and their entries in
the admin index (under "cases"), for those who may open them.

The admin site is Django's default one (portal/core/admin.py brands it the same way), so
these pages are added to its URLs and app list here rather than through a site subclass.
"""

from django.urls import path, reverse

from .. import admin_views, permissions

_INSTALLED = "_cases_pages_installed"


def _pages(request) -> list[dict]:
    from django.utils.translation import gettext_lazy as _

    user = request.user
    pages = []
    if permissions.is_department(user) and user.has_perm("cases.view_case"):
        pages.append(("Dashboard", _("Department dashboard"), "admin:cases_dashboard"))
    if permissions.can_view_pain_points(user):
        pages.append(("PainPoints", _("Pain points"), "admin:cases_pain_points"))
    return [{"model": None, "name": name, "object_name": object_name, "perms": {"view": True},
             "admin_url": reverse(url_name), "add_url": None, "view_only": True}
            for object_name, name, url_name in pages]


def install(site) -> None:
    """Add the pages to `site` once (its URLs and its app list)."""
    if getattr(site, _INSTALLED, False):
        return
    setattr(site, _INSTALLED, True)
    site_get_urls, site_get_app_list = site.get_urls, site.get_app_list

    def get_urls():
        return [
            path("cases/dashboard/", site.admin_view(admin_views.dashboard_view),
                 name="cases_dashboard"),
            path("cases/pain-points/", site.admin_view(admin_views.pain_points_view),
                 name="cases_pain_points"),
            *site_get_urls(),
        ]

    def get_app_list(request, app_label=None):
        app_list = site_get_app_list(request, app_label)
        pages = _pages(request) if app_label in (None, "cases") else []
        for app in app_list:
            if app["app_label"] == "cases" and pages:
                app["models"] = pages + app["models"]
        return app_list

    site.get_urls = get_urls
    site.get_app_list = get_app_list
