from django.conf import settings
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
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
