"""The department's dashboard and pain-point pages on the admin site, listed under "cases" in
the admin index for those who may open them (the site: portal/core/admin_site.py)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.core.admin_site import AdminPage

from .. import admin_views, permissions


def register(site) -> None:
    site.register_page(AdminPage(
        route="cases/dashboard/", name="cases_dashboard", view=admin_views.dashboard_view,
        app_label="cases", object_name="Dashboard", title=_("Department dashboard"),
        visible=admin_views.may_open_dashboard))
    site.register_page(AdminPage(
        route="cases/pain-points/", name="cases_pain_points", view=admin_views.pain_points_view,
        app_label="cases", object_name="PainPoints", title=_("Pain points"),
        visible=permissions.can_view_pain_points))


register(admin.site)
