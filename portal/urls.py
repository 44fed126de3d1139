from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from portal.core import views as core_views

# Error pages drawn without the database (portal/core/views.py, templates/errors/page.html).
handler400 = "portal.core.views.bad_request"
handler403 = "portal.core.views.permission_denied"
handler404 = "portal.core.views.page_not_found"
handler500 = "portal.core.views.server_error"

api_v1 = [
    path("", include("portal.core.api.urls")),
    path("orgs/", include("portal.orgs.api.urls")),
    path("notifications/", include("portal.notifications.api.urls")),
    path("ledger/", include("portal.ledger.api.urls")),
    path("cases/", include("portal.appeals.api.urls")),
    path("complaints/", include("complaints.api.urls")),
    path("policies/", include("policies.api.urls")),
    path("commitments/", include("policies.commitments.api.urls")),
    path("observers/", include("observers.api.urls")),
    path("evaluation/", include("evaluation.api.urls")),
    path("rewards/", include("rewards.api.urls")),
]

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its script from a URL (?script): the CSP allows no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("portal.core.urls")),
    path("", include("portal.orgs.urls")),
    path("inbox/", include("portal.notifications.urls")),
    path("cases/", include("portal.appeals.urls")),
    path("complaints/", include("complaints.urls")),
    path("policies/", include("policies.urls")),
    path("commitments/", include("policies.commitments.urls")),
    path("observers/", include("observers.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("rewards/", include("rewards.urls")),
]

# Uploaded files are never served as public media, not even in development: attachments are
# confidential and go out only through the views that check who may read them.

