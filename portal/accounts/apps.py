from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, **kwargs):
    from django.apps import apps

    # Run once, after the last app has created its permissions.
    if sender.name != list(apps.get_app_configs())[-1].name:
        return
    from .roles import sync_roles

    sync_roles()


class AccountsConfig(AppConfig):
    name = "portal.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        post_migrate.connect(_sync_roles, dispatch_uid="portal.accounts.sync_roles")
