"""One rate limit on every form a page sends (issue 16): each client may POST at most
`PORTAL_FORM_RATE_LIMIT = (limit, window seconds)` page forms in a window; more are answered
429 with a translated page and reach no view, so nothing is saved. The client is the signed-in
user, else the hashed address (as allauth's sign-in throttle reads it behind the proxy).

The API has DRF's throttles (REST_FRAMEWORK's rates), sign-in and sign-up allauth's
ACCOUNT_RATE_LIMITS, and the anonymous reports and receipt codes their own tighter limits in
complaints/ratelimit.py; this is the floor under every other form, present and future. A fixed
window on the default cache, shared by every web process. None turns it off (the test settings:
tests that post many forms in a row would trip it; tests/trust/test_web_hardening.py turns it on).
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

# The API has its own throttles; the admin is staff work behind TOTP, where a desk clears a queue
# of steps in minutes; changing the language is no submission.
EXEMPT_PREFIXES = ("/api/", "/admin/", "/i18n/")


def client_address(request) -> str:
    """The client's address as the sign-in throttle sees it: allauth's reading of the trusted
    proxy header or X-Forwarded-For (ALLAUTH_TRUSTED_CLIENT_IP_HEADER / _PROXY_COUNT), else
    REMOTE_ADDR; so behind the proxy the limit is per client, not for everyone at once."""
    try:
        from allauth.core.internal.httpkit import get_client_ip  # pinned allauth 65

        return get_client_ip(request) or "unknown"
    except ImportError:  # pragma: no cover — a later allauth moved it
        return request.META.get("REMOTE_ADDR", "") or "unknown"


def client_key(request) -> str:
    """The client's address, hashed, so the cache holds no address."""
    return hashlib.sha256(client_address(request).encode()).hexdigest()[:32]


def hit(key: str, window: int) -> int:
    """Count one hit under `key` in a fixed window of `window` seconds (the first hit opens it);
    return the hits in the window so far."""
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return 1


def _client(request) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u{user.pk}"
    return "a" + client_key(request)


class FormRateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rule = getattr(settings, "PORTAL_FORM_RATE_LIMIT", None)
        if rule and request.method == "POST" and not request.path.startswith(EXEMPT_PREFIXES):
            limit, window = rule
            if hit(f"core:forms:{_client(request)}", window) > limit:
                from .views import error_page

                message = _("Too many attempts. Please wait 15 minutes and try again.")
                return error_page(request, 429, message, message,
                                  headers={"Retry-After": str(window)})
        return self.get_response(request)
