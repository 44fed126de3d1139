import logging
import sys

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .context_processors import TEXT_SIZE_COOKIE
from .health import health_report


def home(request):
    return render(request, "core/home.html")


@never_cache
def healthz(request):
    """Report database, Redis and Celery worker state; 503 when the database is down."""
    report = health_report()
    status = 200 if report["database"]["ok"] else 503
    return JsonResponse(report, status=status, json_dumps_params={"ensure_ascii": False})


@require_POST
def text_size(request):
    """Switch large-text mode on or off for any visitor (适老化); works without JavaScript."""
    size = "large" if request.POST.get("size") == "large" else "normal"
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    response.set_cookie(
        TEXT_SIZE_COOKIE, size, max_age=365 * 24 * 3600, samesite="Lax",
        secure=not settings.DEBUG and request.is_secure(), httponly=True,
    )
    return response


# --- error pages: drawn from templates/errors/page.html, with no database and no context
# processors, in the reader's language (cookie or browser), whatever failed before ---------

logger = logging.getLogger(__name__)


def error_page(request, status: int, title, message, headers=None) -> HttpResponse:
    language = translation.get_language_from_request(request)
    with translation.override(language):
        html = render_to_string("errors/page.html", {
            "title": str(title), "message": str(message),
            "site_name": str(settings.PORTAL["SITE_NAME"]),
        })
    response = HttpResponse(html, status=status, headers=headers)
    response["Content-Language"] = language
    return response


def bad_request(request, exception=None):
    return error_page(request, 400, _("The request could not be understood"),
                      _("Something in the address or the form was not valid. Go back and try "
                        "again."))


def permission_denied(request, exception=None):
    return error_page(request, 403, _("You may not open this page"),
                      _("Your account does not have access to this page. If you think it "
                        "should, ask your enterprise's administrator or the department."))


def page_not_found(request, exception=None):
    return error_page(request, 404, _("Page not found"),
                      _("There is no page at this address, or you may not see it. Check the "
                        "address, or start again from the home page."))


def csrf_failure(request, reason=""):
    return error_page(request, 403, _("The form has expired"),
                      _("For your safety a form can be sent only from a page opened recently "
                        "in this browser. Go back, reload the page and send it again; what you "
                        "typed may need to be entered again."))


def server_error(request):
    """A 500, or a 503 when the database is away (a restart, a failover): what the reader can
    do differs, and nothing they sent in a request that failed was half-saved."""
    exc = sys.exc_info()[1]
    if isinstance(exc, DatabaseError) and not _database_reachable():
        logger.warning("database unavailable: %s %s", request.method, request.path)
        return error_page(request, 503, _("The portal is briefly unavailable"),
                          _("We are restoring the service; nothing you sent in the request that "
                            "failed was saved. Try again in a minute."),
                          headers={"Retry-After": "60"})
    return error_page(request, 500, _("Something went wrong on our side"),
                      _("The error was recorded and will be looked at. Nothing you sent in this "
                        "request was half-saved: try again, and if it fails again, try later."))


def _database_reachable() -> bool:
    """Ask the database on a connection of its own (the request's may be broken or inside a
    transaction that failed); only ever on the way to an error page."""
    from django.db import DEFAULT_DB_ALIAS, connections

    probe = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        probe.ensure_connection()
        return True
    except DatabaseError:
        return False
    finally:
        probe.close()
