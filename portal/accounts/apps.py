from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, **kwargs):
    from django.apps import apps

    # Run once, for the last app. Its own permissions may not exist yet (auth's receiver may
    # run after this one for the same sender), so create them first: that is idempotent.
    if sender.name != list(apps.get_app_configs())[-1].name:
        return
    from django.contrib.auth.management import create_permissions

    from .roles import sync_roles

    create_permissions(sender, verbosity=0, using=kwargs.get("using", "default"))

    sync_roles()


class AccountsConfig(AppConfig):
    name = "portal.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from . import signals

        post_migrate.connect(_sync_roles, dispatch_uid="portal.accounts.sync_roles")
        signals.connect()
