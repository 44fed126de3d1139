"""The API's submissions are rate limited per client (issue 16): every POST, PUT, PATCH or
DELETE counts against PORTAL_API_SUBMISSION_RATE (DRF's "number/period"), per signed-in user,
else per client address; reads are not counted. None turns it off (the test settings;
tests/trust/test_web_hardening.py turns it on). The anonymous reports and receipt codes keep
their own tighter limits (complaints/ratelimit.py)."""

from django.conf import settings
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import SimpleRateThrottle


class SubmissionRateThrottle(SimpleRateThrottle):
    scope = "submission"

    def get_rate(self):
        return getattr(settings, "PORTAL_API_SUBMISSION_RATE", None)

    def allow_request(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        # The rate is read per request, so that a changed setting applies at once.
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        user = request.user
        ident = f"u{user.pk}" if user and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
