"""The department corrects the working-day calendar here (model permissions apply)."""

from django.contrib import admin
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from . import calendar, services
from .models import CalendarDay


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "weekday", "kind", "name", "national_calendar"]
    list_filter = ["kind"]
    search_fields = ["name"]
    date_hierarchy = "date"
    ordering = ["-date"]
    fieldsets = [(None, {
        "fields": ["date", "kind", "name"],
        "description": _(
            "Deadlines count Chinese working days from the national holiday schedule. Add a "
            "correction when the State Council publishes next year's schedule, or when the "
            "district decides otherwise: it takes effect at once for every deadline computed "
            "from then on. Deadlines already set are not moved, with one exception: a "
            "commitment clause not yet fulfilled keeps its due date, but the working day it "
            "falls due on follows the correction."
        ),
    })]
    actions = ["delete_selected"]

    @admin.display(description=_("weekday"))
    def weekday(self, obj):
        return date_format(obj.date, "l")

    @admin.display(description=_("national calendar says"))
    def national_calendar(self, obj):
        says = calendar.national_calendar_says(obj.date)
        if says is None:
            return _("not published yet (Monday to Friday assumed)")
        return _("working day") if says else _("holiday")

    # Writes go through the services, which check permissions and record the ledger entry.
    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            saved = services.calendar_day_change(actor=request.user, calendar_day=obj,
                                                 date=data["date"], kind=data["kind"],
                                                 name=data.get("name", ""))
        else:
            saved = services.calendar_day_set(actor=request.user, date=data["date"],
                                              kind=data["kind"], name=data.get("name", ""))
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.calendar_day_delete(actor=request.user, calendar_day=obj)

    def delete_queryset(self, request, queryset):
        services.calendar_days_delete(actor=request.user, calendar_days=queryset)
