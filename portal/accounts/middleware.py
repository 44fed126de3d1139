"""Every staff account must use TOTP two-factor login (officials, department, evaluators,
auditors). A staff user without an authenticator is sent to set one up before anything else."""

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
