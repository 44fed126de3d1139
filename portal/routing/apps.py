from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "portal.routing"
    label = "routing"
    verbose_name = _("Routing of cases")

    def ready(self):
        from portal.cases.suggestions import register_provider

        from .suggestions import dispatch_suggestion

        register_provider(dispatch_suggestion)
