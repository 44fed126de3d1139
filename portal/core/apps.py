from django.apps import AppConfig, apps
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    default = True  # this module has two configs: this one is portal.core's
    name = "portal.core"
    label = "core"
    verbose_name = _("Portal")

    def ready(self):
        from .schedules import sync_after_migrate

        # post_migrate is sent once per app that has models, after all migrations ran. This
        # app has none, so listen for django-celery-beat's: it runs once per migrate (and
        # after each test-database flush).
        post_migrate.connect(sync_after_migrate, sender=apps.get_app_config("django_celery_beat"),
                             dispatch_uid="portal.core.sync_periodic_tasks")


class PortalAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the portal's site as `admin.site` (INSTALLED_APPS)."""

    default = False

    default_site = "portal.core.admin_site.PortalAdminSite"
