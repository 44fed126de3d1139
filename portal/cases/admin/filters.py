"""List filters of the case admin, built on the engine's definitions (selectors.case_queue),
so "overdue" and "due soon" mean the same in the admin, the pages and the API."""

from django.contrib import admin
from django.contrib.admin.views.main import SEARCH_VAR
from django.utils.translation import gettext_lazy as _

from portal.orgs.permissions import units_visible_to

from .. import selectors
from ..constants import OPEN_STATUSES, Status, SupervisionStatus
from ..models import Category

YES = "yes"


def _today(request):
    """The day the whole page is computed for (one value per request)."""
    from django.utils import timezone

    if not hasattr(request, "_cases_today"):
        request._cases_today = timezone.localdate()
    return request._cases_today


def _queue(request, **filters):
    return selectors.case_queue(user=request.user, today=_today(request), **filters)


class StatusFilter(admin.SimpleListFilter):
    """Open cases unless another status (or every case) is chosen.

    A queue is the work still to do: five years of closed cases would bury it, and listing them
    first costs a scan of the whole table (the partial index `case_open_by_due` holds the open
    cases in the queue's order). A search looks at every case unless a status is chosen, so a
    reference number of a closed case is still found.
    """

    title = _("status")
    parameter_name = "status"
    OPEN = "open"
    ALL = "all"

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        self._searching = bool(request.GET.get(SEARCH_VAR, "").strip())

    def lookups(self, request, model_admin):
        return [(self.OPEN, _("All open cases")), (self.ALL, _("All cases, closed ones too")),
                *Status.choices]

    def value(self):
        return super().value() or (self.ALL if self._searching else self.OPEN)

    def choices(self, changelist):
        # No "All" entry of its own: the default is the open cases, "all" is a choice.
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value()
        if value == self.OPEN:
            # sorted(): the same list as the index predicate, so the planner can use it
            return queryset.filter(status__in=sorted(OPEN_STATUSES))
        if value in Status.values:
            return queryset.filter(status=value)
        return queryset


class _QueueFlagFilter(admin.SimpleListFilter):
    """A filter with one choice, passed to the engine's queue as the flag of its name."""

    label = ""

    def lookups(self, request, model_admin):
        return [(YES, self.label)]

    def queryset(self, request, queryset):
        if self.value() == YES:
            return queryset & _queue(request, **{self.parameter_name: True})
        return queryset


class OverdueFilter(_QueueFlagFilter):
    title = _("overdue")
    parameter_name = "overdue"
    label = _("Overdue")


class DueSoonFilter(_QueueFlagFilter):
    title = _("due soon")
    parameter_name = "due_soon"
    label = _("Due soon")


class CategoryFilter(admin.SimpleListFilter):
    """A category with its sub-categories (as the engine's queue filters them)."""

    title = _("category")
    parameter_name = "category"

    def lookups(self, request, model_admin):
        return [(str(c.pk), f"— {c.name}" if c.parent_id else c.name)
                for c in Category.objects.order_by("position", "code")]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset & _queue(request, category=int(value))
        return queryset


class UnitFilter(admin.SimpleListFilter):
    """The responsible unit (the department's view of all units)."""

    title = _("responsible unit")
    parameter_name = "unit"
    NONE = "none"

    def lookups(self, request, model_admin):
        units = units_visible_to(request.user).filter(is_active=True).order_by("code")
        return [(self.NONE, _("No unit (waiting for dispatch)")),
                *[(str(u.pk), str(u)) for u in units]]

    def queryset(self, request, queryset):
        value = self.value()
        if value == self.NONE:
            return queryset.filter(responsible_unit__isnull=True)
        if value and value.isdigit():
            return queryset.filter(responsible_unit_id=int(value))
        return queryset


class SupervisionOverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [(YES, _("Open and past its due date"))]

    def queryset(self, request, queryset):
        if self.value() == YES:
            return queryset.filter(status=SupervisionStatus.OPEN, due_date__lt=_today(request))
        return queryset


class SupervisionUnitFilter(UnitFilter):
    def lookups(self, request, model_admin):
        units = units_visible_to(request.user).filter(is_active=True).order_by("code")
        return [(str(u.pk), str(u)) for u in units]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(unit_id=int(value))
        return queryset
