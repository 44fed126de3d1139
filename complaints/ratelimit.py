"""Per-client limits on the cache (the default cache: shared by every web process).

A fixed window: the first hit opens a window of `window` seconds; more than `limit` hits in it
are refused until it ends (the lockout). Used for anonymous submissions and receipt-code
attempts (only wrong attempts count there). A small function instead of django-ratelimit: that
library refuses the database cache the portal runs on, and this is all we need of it.
"""

import hashlib

from django.core.cache import cache

# The limits the pages and the API share.
ANONYMOUS_PER_HOUR = 5
FOLLOW_ATTEMPTS = 5
FOLLOW_LOCKOUT_SECONDS = 15 * 60


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
    """The client, hashed, so the cache holds no address."""
    return hashlib.sha256(client_address(request).encode()).hexdigest()[:32]


def _key(scope: str, request) -> str:
    return f"complaints:rl:{scope}:{client_key(request)}"


def is_limited(scope: str, request, *, limit: int) -> bool:
    """Has this client used up its `limit` in the current window?"""
    return (cache.get(_key(scope, request)) or 0) >= limit


def count(scope: str, request, *, window: int) -> int:
    """Count one hit; return the hits in the window so far."""
    key = _key(scope, request)
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return 1


def reset(scope: str, request) -> None:
    cache.delete(_key(scope, request))
