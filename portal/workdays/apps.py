from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class WorkdaysConfig(AppConfig):
    name = "portal.workdays"
    label = "workdays"
    verbose_name = _("Working-day calendar")

    def ready(self):
        from . import receivers
        from .models import CalendarDay

        post_save.connect(receivers.calendar_day_changed, sender=CalendarDay,
                          dispatch_uid="workdays.calendar_day_saved")
        post_delete.connect(receivers.calendar_day_changed, sender=CalendarDay,
                            dispatch_uid="workdays.calendar_day_deleted")
        post_migrate.connect(receivers.database_flushed, dispatch_uid="workdays.flushed")
