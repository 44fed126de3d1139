from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppealsConfig(AppConfig):
    name = "portal.appeals"
    label = "appeals"
    verbose_name = _("Enterprise appeals")

    def ready(self):
        from portal.cases.kinds import register

        from . import signals
        from .kind import APPEAL

        register(APPEAL)
        signals.connect()
