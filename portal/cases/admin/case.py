"""The case admin: a unit's queue for its officials, every case for the department.

Rows come from the engine's selector (`case_list_visible_to`), so an official never sees, opens,
exports or acts on another unit's case, whichever admin page or action is used. Nothing is
edited directly: the page shows the facts read-only, and every change is a transition form
(admin_forms.py) calling one engine service.
"""

import csv
import io

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.views.main import ChangeList
from django.db.models import Case as SqlCase
from django.db.models import CharField, F, Q, Value, When
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from portal.core.admin import ReadOnlyAdminMixin
from portal.core.paginator import CappedCountAdminMixin
from portal.workdays.services import add_working_days

from .. import admin_views, permissions, selectors, services
from ..admin_forms import steps_available
from ..constants import HANDLING_STATUSES, Action, Status
from ..kinds import kind_spec
from ..models import Case, EngineSettings
from ..timeline import actor_label
from . import filters


def _assignable(case) -> bool:
    allowed = kind_spec(case.kind).transition(Action.ASSIGN)
    return allowed is not None and case.status in allowed.sources

SIGN_FOR_PERMISSION = "orgs.handle_unit_cases"
# Cells starting with these are formulas to a spreadsheet (CSV injection): quote them.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


PAUSED, OVERDUE, DUE_SOON, ON_TIME = "paused", "overdue", "due_soon", "on_time"


def _deadline_horizon(request):
    """Return (today, the last day that counts as "due soon"), computed once per request."""
    if not hasattr(request, "_cases_horizon"):
        today = filters._today(request)
        days = EngineSettings.load().due_soon_working_days
        request._cases_horizon = (today, add_working_days(today, days))
    return request._cases_horizon


def deadline_flag(today, horizon):
    """Return the SQL expression of a case's deadline state, by the engine's definitions
    (selectors.case_queue: overdue and due soon only while the unit's clock runs)."""
    handling = Q(status__in=HANDLING_STATUSES, due_date__isnull=False)
    return SqlCase(
        When(status=Status.INFO_REQUESTED, then=Value(PAUSED)),
        When(handling & Q(due_date__lt=today), then=Value(OVERDUE)),
        When(handling & Q(due_date__lte=horizon), then=Value(DUE_SOON)),
        When(handling, then=Value(ON_TIME)),
        default=Value(""), output_field=CharField(),
    )


def deadline_words(case: Case) -> str:
    """Return the case's deadline state in words (needs the `deadline_flag` annotation)."""
    flag = getattr(case, "deadline_flag", "")
    if flag == OVERDUE:
        days = max((timezone.localdate() - case.due_date).days, 1)
        return ngettext("Overdue by %(n)d day", "Overdue by %(n)d days", days) % {"n": days}
    return {
        PAUSED: gettext("Paused: waiting for the enterprise"),
        DUE_SOON: gettext("Due soon"),
        ON_TIME: gettext("On time"),
    }.get(flag, "")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


class _CaseChangeList(ChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        # The selector joins everything the case page shows; the list joins only what its
        # columns print (get_list_select_related) and reads no long text.
        qs = super().get_queryset(request, exclude_parameters)
        return selectors.case_list_rows(qs, related=tuple(self.list_select_related))


# Cases are submitted by enterprises and change only through transitions (the step pages).
@admin.register(Case)
class CaseAdmin(ReadOnlyAdminMixin, CappedCountAdminMixin, admin.ModelAdmin):
    # Reference and title share a column: Chinese titles may break between any two characters,
    # and a narrow column of their own would show them one character a line.
    # Methods rather than the plain fields: the admin never wraps a foreign key's or a date's
    # cell, which squeezes the case column of a narrow screen.
    list_display = ["case_display", "type_display", "category_display", "status_display",
                    "due_display", "deadline_display", "enterprise_display",
                    "supervised_display"]
    list_display_links = ["case_display"]
    list_select_related = ["category", "enterprise"]
    search_fields = ["reference", "title"]
    search_help_text = _("A reference number (YS-2026-000123) or words of the title and "
                         "description.")
    # Cases still to be signed for (no answer deadline yet) first, then the earliest due.
    ordering = [F("due_date").asc(nulls_first=True), "-submitted_at", "-id"]
    list_per_page = 50  # counted up to 10,000 (CappedCountAdminMixin)
    actions = ["sign_for_selected", "export_csv"]
    change_form_template = "admin/cases/case/change_form.html"
    change_list_template = "admin/cases/case/change_list.html"
    # Related rows are shown as text: a link would lead officials to admin pages that are not
    # theirs (categories, enterprises).
    fieldsets = [
        (_("The case"), {"fields": [
            "reference", "kind", "subtype", "category_display", "title", "description",
            "enterprise_display", "submitter_display", "subject_unit_display"]}),
        (_("Handling"), {"fields": [
            "status_display", "unit_display", "due_date", "deadline_display",
            "acceptance_due_date", "extension_requested_until", "supervised_display",
            "return_count", "reopen_count"]}),
        (_("Dates"), {"classes": ["collapse"], "fields": [
            "submitted_at", "accepted_at", "assigned_at", "signed_for_at", "answered_at",
            "closed_at"]}),
        (_("Rating"), {"fields": ["satisfaction", "satisfaction_comment", "rated_at"]}),
    ]

    # --- who sees what ------------------------------------------------------------------

    def get_queryset(self, request):
        today, horizon = _deadline_horizon(request)
        return (selectors.case_list_visible_to(user=request.user)
                .annotate(deadline_flag=deadline_flag(today, horizon)))

    def has_view_permission(self, request, obj=None):
        if not super().has_view_permission(request, obj):
            return False
        return obj is None or permissions.can_view_case(request.user, obj)

    def has_module_permission(self, request):
        return self.has_view_permission(request)


    def has_sign_for_permission(self, request):
        return request.user.has_perm(SIGN_FOR_PERMISSION) and bool(request.user.unit_id)

    def get_readonly_fields(self, request, obj=None):
        return [f for fieldset in self.fieldsets for f in fieldset[1]["fields"]]

    def get_list_display(self, request):
        columns = list(self.list_display)
        if permissions.is_department(request.user):
            columns.insert(columns.index("enterprise_display"), "unit_display")
        return columns

    def get_list_select_related(self, request):
        found = list(self.list_select_related)
        if permissions.is_department(request.user):
            found.append("responsible_unit")  # the unit column
        return found

    def get_changelist(self, request, **kwargs):
        return _CaseChangeList

    def get_list_filter(self, request):
        found = [filters.StatusFilter, filters.OverdueFilter, filters.DueSoonFilter,
                 filters.CategoryFilter, "subtype", "is_supervised"]
        if permissions.is_department(request.user):
            found += [filters.UnitFilter, "kind"]
        return found

    def get_search_results(self, request, queryset, search_term):
        # The engine's search: an exact reference, or the jieba-segmented words of title and
        # description (GIN index), never a scan of every title.
        term = (search_term or "").strip()
        if not term:
            return queryset, False
        return queryset & selectors.case_queue(user=request.user, search=term), False

    # --- columns ------------------------------------------------------------------------

    @admin.display(description=_("case"), ordering="reference")
    def case_display(self, obj):
        return format_html("<strong>{}</strong><br>{}", obj.reference, obj.title)

    @admin.display(description=_("type"), ordering="subtype")
    def type_display(self, obj):
        if obj.subtype:
            return obj.spec.subtype_label(obj.subtype)
        return obj.get_kind_display()

    @admin.display(description=_("category"), ordering="category__position")
    def category_display(self, obj):
        return obj.category.name if obj.category_id else "—"

    @admin.display(description=_("answer due by"), ordering="due_date")
    def due_display(self, obj):
        return date_format(obj.due_date, "SHORT_DATE_FORMAT") if obj.due_date else "—"

    @admin.display(description=_("enterprise"), ordering="enterprise__name")
    def enterprise_display(self, obj):
        return obj.enterprise.name if obj.enterprise_id else "—"

    @admin.display(description=_("responsible unit"), ordering="responsible_unit__code")
    def unit_display(self, obj):
        return str(obj.responsible_unit) if obj.responsible_unit_id else "—"

    @admin.display(description=_("submitted by"))
    def submitter_display(self, obj):
        if not obj.submitter_id:
            return "—"
        user = obj.submitter
        return f"{user.full_name} <{user.email}>" if user.full_name else user.email

    @admin.display(description=_("unit the appeal is about"))
    def subject_unit_display(self, obj):
        return str(obj.subject_unit) if obj.subject_unit_id else "—"

    @admin.display(description=_("status"), ordering="status")
    def status_display(self, obj):
        return Status(obj.status).label

    @admin.display(description=_("deadline"))
    def deadline_display(self, obj):
        return deadline_words(obj) or "—"

    @admin.display(description=_("supervised (督办)"), ordering="is_supervised")
    def supervised_display(self, obj):
        return gettext("Supervised") if obj.is_supervised else "—"

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}),
                         "dashboard_url": (reverse("admin:cases_dashboard")
                                           if permissions.is_department(request.user) else "")}
        return super().changelist_view(request, extra_context)

    # --- the change page: facts, actions, timeline, attachments -------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        case = self.get_object(request, object_id)
        extra = {}
        if case is not None and self.has_view_permission(request, case):
            user = request.user
            timeline = list(selectors.case_timeline_for(case=case, user=user))
            for event in timeline:  # as the event recorded it: a sealed reporter is unnamed
                event.actor_label = actor_label(event, case, internal=True)
            extra = {
                "steps": [(form, reverse("admin:cases_case_step", args=[case.pk, form.slug]))
                          for form in steps_available(user=user, case=case)],
                "timeline": [(event, admin_views.event_details(event)) for event in timeline],
                "attachments": list(selectors.case_attachments_for(case=case, user=user)),
                "suggestion": (admin_views.routing_suggestion(case=case, user=user)
                               if _assignable(case) else None),
                "case": case,
                # A case split among units (交办): each unit's part, with its own state.
                "parts": (list(case.parts.select_related("responsible_unit").order_by("id"))
                          if case.spec.parts else []),
                "title": case.reference,
                "subtitle": case.title,
            }
        return super().change_view(request, object_id, form_url,
                                   {**extra, **(extra_context or {})})

    def history_view(self, request, object_id, extra_context=None):
        """The case's history is its timeline (the engine records every step there)."""
        case = self.get_object(request, object_id)
        if case is None or not self.has_view_permission(request, case):
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return HttpResponseRedirect(
            reverse("admin:cases_case_change", args=[case.pk]) + "#timeline")

    def get_urls(self):
        def wrap(view):
            return self.admin_site.admin_view(view)

        return [
            path("<path:object_id>/step/<slug:slug>/",
                 wrap(lambda request, object_id, slug:
                      admin_views.case_step_view(request, self, object_id, slug)),
                 name="cases_case_step"),
            *super().get_urls(),
        ]

    # --- actions ------------------------------------------------------------------------

    def response_action(self, request, queryset):
        # Remember how many rows were ticked: ids outside the user's queue (a forged form)
        # are dropped by the queryset, and the action reports them without naming them.
        request._cases_selected = {
            value for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
            if value.isdigit()}
        return super().response_action(request, queryset)

    def _report_missing(self, request, found_ids):
        selected = getattr(request, "_cases_selected", set())
        missing = len(selected - {str(pk) for pk in found_ids})
        if missing and not request.POST.get(helpers.ACTION_CHECKBOX_NAME + "_across"):
            self.message_user(request, ngettext(
                "%(n)d selected case is not in your queue and was left alone.",
                "%(n)d selected cases are not in your queue and were left alone.",
                missing) % {"n": missing}, messages.WARNING)

    @admin.action(description=_("Sign for (签收) the selected cases"),
                  permissions=["sign_for"])
    def sign_for_selected(self, request, queryset):
        references = dict(queryset.order_by().values_list("pk", "reference"))
        self._report_missing(request, references)
        signed, refused = services.case_sign_for_many(case_ids=sorted(references),
                                                      actor=request.user)
        if signed:
            self.message_user(request, ngettext(
                "Signed for %(n)d case: %(refs)s.", "Signed for %(n)d cases: %(refs)s.",
                len(signed)) % {"n": len(signed),
                                "refs": ", ".join(c.reference for c in signed)},
                messages.SUCCESS)
        for case_id, reason in refused.items():
            self.message_user(request, gettext("Not signed for %(ref)s: %(reason)s") % {
                "ref": references[case_id], "reason": reason}, messages.ERROR)

    @admin.action(description=_("Download the selected cases (CSV)"), permissions=["view"])
    def export_csv(self, request, queryset):
        self._report_missing(request, queryset.order_by().values_list("pk", flat=True))
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([gettext("Reference number"), gettext("Title"), gettext("Type"),
                         gettext("Category"), gettext("Status"), gettext("Responsible unit"),
                         gettext("Due date"), gettext("Deadline"), gettext("Enterprise"),
                         gettext("Submitted at"), gettext("Supervised")])
        rows = queryset.select_related("category", "responsible_unit", "enterprise")
        for case in rows.order_by("due_date", "-submitted_at", "-id"):
            writer.writerow([_cell(v) for v in (
                case.reference, case.title, self.type_display(case), case.category or "",
                Status(case.status).label, case.responsible_unit or "",
                case.due_date.isoformat() if case.due_date else "", deadline_words(case),
                case.enterprise or "",
                timezone.localtime(case.submitted_at).strftime("%Y-%m-%d %H:%M"),
                gettext("Yes") if case.is_supervised else gettext("No"))])
        # A byte-order mark, so spreadsheet programs read the Chinese text as UTF-8.
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="cases-{stamp}.csv"'
        return response
