"""Every staff account must use TOTP two-factor login (officials, department, evaluators,
auditors). A staff user without an authenticator is sent to set one up before anything else.

Also allauth's record of a session's last activity (the list at /accounts/sessions/), written at
most every few minutes instead of on every request.
"""

import hashlib
import time

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

_SESSION_KEY = "portal_staff_mfa_ok"
_ALLOWED_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/healthz", "/jsi18n/", "/prefs/")


def staff_has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class StaffMFARequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.is_staff
            and not request.session.get(_SESSION_KEY)
            and not request.path.startswith(_ALLOWED_PREFIXES)
        ):
            if staff_has_totp(user):
                request.session[_SESSION_KEY] = True
            else:
                messages.warning(request, _(
                    "Staff accounts must use two-factor authentication. "
                    "Set up an authenticator app to continue."
                ))
                return redirect(reverse("mfa_activate_totp") + f"?next={request.path}")
        return self.get_response(request)


# How often a session's "last seen" is written (allauth.usersessions, TRACK_ACTIVITY).
ACTIVITY_EVERY_SECONDS = 5 * 60
_ACTIVITY_KEY = "portal_session_seen"


def _client_digest(request) -> str:
    from allauth.account.adapter import get_adapter

    client = f"{get_adapter().get_client_ip(request)} {request.META.get('HTTP_USER_AGENT', '')}"
    return hashlib.blake2s(client.encode(), digest_size=8).hexdigest()


class UserSessionActivityMiddleware:
    """allauth's `UserSessionsMiddleware`, throttled: it wrote the session's row (a read, a read
    of the user, an update and a commit) on every request; this writes it when the session has
    not been seen for ACTIVITY_EVERY_SECONDS, or at once when its IP address or browser changed
    (so allauth's `session_client_changed` still fires on the first request from elsewhere).
    What was last written is remembered in the session itself, read on every request anyway.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from allauth.usersessions import app_settings

        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if (app_settings.TRACK_ACTIVITY and session is not None and session.session_key
                and user is not None and user.is_authenticated):
            now, client = int(time.time()), _client_digest(request)
            seen_at, seen_client = (session.get(_ACTIVITY_KEY) or (0, ""))
            if seen_client != client or now - seen_at >= ACTIVITY_EVERY_SECONDS:
                from allauth.usersessions.models import UserSession

                UserSession.objects.create_from_request(request)
                session[_ACTIVITY_KEY] = (now, client)
        return self.get_response(request)
