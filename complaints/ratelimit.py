"""Per-client limits on the cache (the default cache: shared by every web process).

A fixed window (portal.core.ratelimit.hit, which also limits every page form): the first hit
opens a window of `window` seconds; more than `limit` hits in it are refused until it ends.
Used for anonymous submissions and receipt-code attempts (only wrong attempts count there). A small function instead of django-ratelimit: that
library refuses the database cache the portal runs on, and this is all we need of it.
"""

from django.core.cache import cache

from portal.core.ratelimit import client_key, hit

# The limits the pages and the API share.
ANONYMOUS_PER_HOUR = 5
FOLLOW_ATTEMPTS = 5
FOLLOW_LOCKOUT_SECONDS = 15 * 60


def _key(scope: str, request) -> str:
    return f"complaints:rl:{scope}:{client_key(request)}"


def is_limited(scope: str, request, *, limit: int) -> bool:
    """Has this client used up its `limit` in the current window?"""
    return (cache.get(_key(scope, request)) or 0) >= limit


def count(scope: str, request, *, window: int) -> int:
    """Count one hit; return the hits in the window so far."""
    return hit(_key(scope, request), window)


def reset(scope: str, request) -> None:
    cache.delete(_key(scope, request))
