"""{% calendar_schedule_warning %}: tell department staff, on the admin index and the calendar
pages, that a year's statutory holidays are missing (issue 12: not only the log)."""

from django import template
from django.urls import reverse

from .. import permissions, selectors

register = template.Library()


@register.inclusion_tag("admin/workdays/schedule_warning.html", takes_context=True)
def calendar_schedule_warning(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if not permissions.can_edit_calendar(user, "workdays.add_calendarday"):
        return {"years": []}
    return {"years": selectors.years_without_schedule(),
            "add_url": reverse("admin:workdays_calendarday_add")}
