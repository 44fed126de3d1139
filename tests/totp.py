"""Make real TOTP authenticators and codes for tests (allauth's own algorithm)."""

import time

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)


def activate_totp(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def current_code(secret: str, *, margin: float = 3.0) -> str:
    """The code of the current 30-second step, with at least `margin` seconds of it left.

    allauth accepts only the current step (MFA_TOTP_TOLERANCE = 0, so a used code cannot be
    replayed later): a code taken just before the step changes would be refused by the time the
    browser submits it, so wait for the next step then."""
    period = mfa_settings.TOTP_PERIOD
    left = period - time.time() % period
    if left < margin:
        time.sleep(left + 0.05)
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


def login(client, user):
    """Sign `user` in to a test client. Staff get a TOTP authenticator first: without one the
    portal sends them to set it up (accounts.middleware) instead of the page asked for."""
    from allauth.mfa.models import Authenticator

    if user.is_staff and not Authenticator.objects.filter(user=user).exists():
        activate_totp(user)
    client.force_login(user)
    return client
