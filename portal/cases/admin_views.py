"""Views of the case admin beyond Django's own: one page per transition, the department's
dashboard and the pain-point page (Art. 6(1)), and the supervision (督办)
pages. Each POST calls exactly one engine service; reads go through the engine's selectors
(plus `unit_performance` below, which the engine does not have yet).
"""

from __future__ import annotations

import datetime
import logging

from django.apps import apps
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Avg, Count, DurationField, F, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import deadlines, permissions, selectors, services
from .admin_forms import (
    STEP_FORMS,
    AnswerForm,
    AssignForm,
    PainPointPeriodForm,
    PainPointSupervisionForm,
    PeriodForm,
    SupervisionCloseForm,
    SupervisionOpenForm,
    last_quarter,
    step_refusal,
    unit_choices,
)
from .constants import (
    Action,
    ReturnReason,
    Status,
    SupervisionSource,
    SupervisionStatus,
)
from .models import Case, CaseEvent, Category, SupervisionItem
from .suggestions import ShownSuggestion, suggestion_for

logger = logging.getLogger("portal.cases")

# Where the dispatcher may (re)assign a case: the routing suggestion is shown then.
# The changelist lists at most this many cases of one pain point by id.
PAIN_POINT_LINK_MAX = 200
SAMPLE_TITLES = 3


# --- routing suggestion -------------------------------------------------------------------

def routing_suggestion(*, case: Case, user) -> ShownSuggestion | None:
    """Return the suggestion shown to the dispatcher (portal/cases/suggestions.py)."""
    return suggestion_for(case=case, user=user)


# --- the timeline ---------------------------------------------------------------------------

def event_details(event: CaseEvent) -> list[str]:
    """Return the details a step recorded (reason, unit, dates, score) in words."""
    extra = event.extra or {}
    details = []
    if event.action == Action.RETURN and extra.get("reason") in ReturnReason.values:
        details.append(gettext("Reason: %(reason)s") % {
            "reason": ReturnReason(extra["reason"]).label})
    if event.unit_name and event.action in (Action.ASSIGN, Action.TRANSFER, Action.RETURN):
        details.append(gettext("Unit: %(unit)s") % {"unit": event.unit_name})
    if extra.get("requested_until"):
        details.append(gettext("Asked until %(date)s") % {"date": extra["requested_until"]})
    if extra.get("old_due_date") and extra.get("due_date"):
        details.append(gettext("Due date moved from %(old)s to %(new)s") % {
            "old": extra["old_due_date"], "new": extra["due_date"]})
    elif extra.get("due_date") and event.action in (Action.SIGN_FOR, Action.RATE):
        details.append(gettext("Due by %(date)s") % {"date": extra["due_date"]})
    if event.action == Action.RATE and extra.get("score"):
        details.append(gettext("Score: %(score)s of 5") % {"score": extra["score"]})
    if event.action == Action.ANSWER and extra.get("on_time") is False:
        details.append(gettext("Answered after the due date"))
    return details


def _department_page(request, title) -> dict:
    """The context every department page under Cases starts from (department_page.html)."""
    return {**admin.site.each_context(request),
            "app_name": apps.get_app_config("cases").verbose_name, "title": title}


# --- transitions ------------------------------------------------------------------------------

def _case_or_404(request, model_admin, object_id) -> Case:
    case = model_admin.get_object(request, object_id)
    if case is None or not model_admin.has_view_permission(request, case):
        raise Http404(gettext("No such case in your queue."))
    return case


def case_step_view(request, model_admin, object_id, slug):
    """Show one transition's form and, on POST, take it through its one service."""
    form_class = STEP_FORMS.get(slug)
    if form_class is None:
        raise Http404(gettext("No such step."))
    case = _case_or_404(request, model_admin, object_id)
    user = request.user
    if form_class.action in case.spec.own_steps:
        raise Http404(gettext("This kind of case takes this step on its own page."))
    if not form_class.allowed_for(user, case):
        raise PermissionDenied(gettext("You may not take this step on this case."))
    extra = {}
    suggestion = None
    if form_class is AssignForm:
        suggestion = routing_suggestion(case=case, user=user)
        extra["suggestion"] = suggestion

    if request.method == "POST":
        form = form_class(request.POST, request.FILES, case=case, user=user, **extra)
        if form_class is AnswerForm and form_class.USE_TEMPLATE in request.POST:
            # "Insert the template": show the form again with the text; nothing is sent.
            form = form_class(initial=form.with_template(request.POST), case=case, user=user)
        elif form.is_valid():
            try:
                result = form.submit()
            except (ValidationError, PermissionDenied) as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, form.success_message())
                updated = result if isinstance(result, Case) else case
                if not permissions.can_view_case(user, updated):  # returned or sent away
                    return redirect("admin:cases_case_changelist")
                return redirect("admin:cases_case_change", case.pk)
    else:
        form = form_class(case=case, user=user, **extra)

    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": case,
        "case": case,
        "form": form,
        "step": form_class,
        "title": f"{form_class.title} · {case.reference}",
        "refusal": "" if form.is_bound else step_refusal(form_class, case),
        "suggestion": suggestion,
        "status_label": Status(case.status).label,
        "change_url": reverse("admin:cases_case_change", args=[case.pk]),
    }
    return TemplateResponse(request, "admin/cases/case/step.html", context)


# --- the department dashboard -------------------------------------------------------------

def unit_performance(*, user, start: datetime.date, end: datetime.date) -> dict[int, dict]:
    """Return, per responsible unit, how it worked in [start, end]: answers and the average
    time from sign-for to answer, ratings and their average, returns (退单) and redos (重办).

    Three queries whatever the number of units or cases. Department only. (A read the engine's
    selectors lack; it belongs in selectors.py when the engine's owner takes it.)
    """
    permissions.require_dispatch(user)
    since, until = deadlines.day_start(start), deadlines.day_start(end + datetime.timedelta(1))
    answered = Q(answered_at__gte=since, answered_at__lt=until, signed_for_at__isnull=False)
    rated = Q(rated_at__gte=since, rated_at__lt=until, satisfaction__isnull=False)
    result: dict[int, dict] = {}

    def row(unit_id):
        return result.setdefault(unit_id, {"answered": 0, "avg_response": None, "rated": 0,
                                           "avg_satisfaction": None, "returns": 0, "reopens": 0})

    for found in (Case.objects.filter(responsible_unit__isnull=False).filter(answered | rated)
                  .order_by().values("responsible_unit").annotate(
                      answered=Count("id", filter=answered),
                      avg_response=Avg(F("answered_at") - F("signed_for_at"), filter=answered,
                                       output_field=DurationField()),
                      rated=Count("id", filter=rated),
                      avg_satisfaction=Avg("satisfaction", filter=rated))):
        row(found["responsible_unit"]).update(
            answered=found["answered"], avg_response=found["avg_response"],
            rated=found["rated"], avg_satisfaction=found["avg_satisfaction"])
    # A returned case has no unit any more: the step remembers which unit returned it.
    for unit_id, n in (CaseEvent.objects.filter(action=Action.RETURN, created_at__gte=since,
                                                created_at__lt=until)
                       .order_by().values_list("extra__unit").annotate(n=Count("id"))):
        if isinstance(unit_id, int):
            row(unit_id)["returns"] = n
    for unit_id, n in (CaseEvent.objects.filter(action=Action.RATE, to_status=Status.REOPENED,
                                                created_at__gte=since, created_at__lt=until)
                       .order_by().values_list("case__responsible_unit").annotate(n=Count("id"))):
        if unit_id:
            row(unit_id)["reopens"] = n
    return result


def _changelist(**params) -> str:
    return reverse("admin:cases_case_changelist") + "?" + urlencode(params)


def may_open_dashboard(user) -> bool:
    """The department, reading cases (the page checks it; the admin index lists it by it)."""
    return permissions.is_department(user) and user.has_perm("cases.view_case")


def dashboard_view(request):
    """The department's overview of every unit: workload now, performance in a period, and
    the open supervision items; each number links into the filtered queue."""
    user = request.user
    if not may_open_dashboard(user):
        raise PermissionDenied(gettext("Only the business environment department may open "
                                       "the dashboard."))
    today = timezone.localdate()
    default_start = today - datetime.timedelta(days=90)
    form = PeriodForm(request.GET if "start" in request.GET else None,
                      initial={"start": default_start, "end": today})
    start, end = default_start, today
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]

    units = selectors.unit_workload(user=user, today=today)
    performance = unit_performance(user=user, start=start, end=end)
    empty = {"answered": 0, "avg_response": None, "rated": 0, "avg_satisfaction": None,
             "returns": 0, "reopens": 0}
    supervision_list = reverse("admin:cases_supervisionitem_changelist")
    rows = []
    for unit in units:
        perf = performance.get(unit.pk, empty)
        response = perf["avg_response"]
        rows.append({
            "unit": unit,
            "perf": perf,
            "avg_response_days": (response.total_seconds() / 86400) if response else None,
            "open_url": _changelist(unit=unit.pk, status="open"),
            "overdue_url": _changelist(unit=unit.pk, overdue="yes"),
            "due_soon_url": _changelist(unit=unit.pk, due_soon="yes"),
            "supervision_url": supervision_list + "?" + urlencode({"unit": unit.pk,
                                                                   "status__exact": "open"}),
        })
    items = list(selectors.supervision_items_visible_to(user=user,
                                                        status=SupervisionStatus.OPEN)[:50])
    context = {
        **_department_page(request, _("Department dashboard")),
        "form": form,
        "start": start,
        "end": end,
        "today": today,
        "rows": rows,
        "totals": {key: sum(getattr(u, key) for u in units)
                   for key in ("open_count", "overdue_count", "due_soon_count",
                               "open_supervision_count")},
        "items": items,
        "all_open_url": _changelist(status="open"),
        "all_overdue_url": _changelist(overdue="yes"),
        "all_due_soon_url": _changelist(due_soon="yes"),
        "unassigned_url": _changelist(unit="none", status="open"),
        "supervision_url": supervision_list + "?" + urlencode({"status__exact": "open"}),
        "pain_points_url": (reverse("admin:cases_pain_points")
                            if permissions.can_view_pain_points(user) else ""),
    }
    return TemplateResponse(request, "admin/cases/dashboard.html", context)


# --- pain points (Art. 6(1)) --------------------------------------------------------------

def _pain_point_groups(points, *, start, end, units, categories, bound=None):
    """Return what the page shows per pain point: samples, link, existing item, form."""
    sample_ids = [pk for p in points for pk in p.case_ids[:SAMPLE_TITLES]]
    titles = dict(Case.objects.filter(pk__in=sample_ids).values_list("pk", "title"))
    existing = {(item.category_id, item.topic): item for item in SupervisionItem.objects.filter(
        source=SupervisionSource.PAIN_POINT, period_start=start, period_end=end)}
    groups = []
    for index, point in enumerate(points):
        prefix = f"pp{index}"
        initial = {"category": point.category.pk if point.category else "",
                   "topic": point.topic, "period_start": start, "period_end": end}
        form = bound if bound is not None and bound.prefix == prefix else \
            PainPointSupervisionForm(prefix=prefix, initial=initial, units=units,
                                     categories=categories)
        link = ""
        if point.count <= PAIN_POINT_LINK_MAX:
            link = _changelist(id__in=",".join(str(pk) for pk in point.case_ids))
        elif point.category is not None:
            link = _changelist(category=point.category.pk)
        groups.append({
            "rank": index + 1,
            "point": point,
            "samples": [titles[pk] for pk in point.case_ids[:SAMPLE_TITLES] if pk in titles],
            "link": link,
            "item": existing.get((point.category.pk if point.category else None,
                                  (point.topic or "")[:50])),
            "form": form,
            "prefix": prefix,
        })
    return groups


def pain_points_view(request):
    """Rank the period's recurring problems and turn any of them into a supervision item."""
    user = request.user
    if not permissions.can_view_pain_points(user):
        raise PermissionDenied(gettext("Only the business environment department may read "
                                       "the pain points."))
    category_list = list(Category.objects.select_related("parent").order_by("position", "code"))
    categories = {str(c.pk): c for c in category_list}
    default_start, default_end = last_quarter()
    source = request.POST if request.method == "POST" else request.GET
    period = PainPointPeriodForm(
        {k: source.get(k, "") for k in ("start", "end", "category")} if "start" in source
        else None,
        initial={"start": default_start, "end": default_end}, categories=category_list)
    start, end, category = default_start, default_end, None
    if period.is_bound and period.is_valid():
        start, end = period.cleaned_data["start"], period.cleaned_data["end"]
        category = period.cleaned_data["category"]
    units = unit_choices()

    bound = None
    if request.method == "POST":
        if not permissions.can_manage_supervision(user):
            raise PermissionDenied(gettext("Only the department may open supervision items."))
        prefix = request.POST.get("group", "")
        if not prefix.startswith("pp") or not prefix[2:].isdigit():
            raise Http404(gettext("No such pain point."))
        bound = PainPointSupervisionForm(request.POST, prefix=prefix, units=units,
                                         categories=categories)
        if bound.is_valid():
            try:
                item = bound.submit(actor=user)
            except (ValidationError, PermissionDenied) as exc:
                bound.add_service_error(exc)
            else:
                messages.success(request, gettext(
                    "Supervision item opened for %(unit)s: “%(topic)s”, due by %(date)s.") % {
                    "unit": item.unit, "topic": item.topic or item.category or "—",
                    "date": date_format(item.due_date, "DATE_FORMAT")})
                query = {"start": start.isoformat(), "end": end.isoformat()}
                if category is not None:
                    query["category"] = category.pk
                return HttpResponseRedirect(reverse("admin:cases_pain_points") + "?"
                                            + urlencode(query))

    points = selectors.pain_points(user=user, start=start, end=end, category=category)
    context = {
        **_department_page(request, _("Pain points")),
        "period": period,
        "start": start,
        "end": end,
        "category": category,
        "groups": _pain_point_groups(points, start=start, end=end, units=units,
                                     categories=categories, bound=bound),
        "can_supervise": permissions.can_manage_supervision(user),
        "today": timezone.localdate(),
    }
    return TemplateResponse(request, "admin/cases/pain_points.html", context)


# --- supervision items (督办) -----------------------------------------------------------

def supervision_add_view(request, model_admin):
    """Open a supervision item by hand (supervision_open)."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    user = request.user
    initial = {}
    if request.GET.get("reference"):
        initial["reference"] = request.GET["reference"]
    if request.method == "POST":
        form = SupervisionOpenForm(request.POST, user=user)
        if form.is_valid():
            try:
                item = form.submit()
            except (ValidationError, PermissionDenied) as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, gettext("The supervision item was opened."))
                return redirect("admin:cases_supervisionitem_change", item.pk)
    else:
        form = SupervisionOpenForm(user=user, initial=initial)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": _("Open a supervision item (督办)"),
        "form": form,
        "add": True,
        "has_view_permission": model_admin.has_view_permission(request),
    }
    return TemplateResponse(request, "admin/cases/supervisionitem/add.html", context)


def supervision_close_view(request, model_admin, object_id):
    """Close a supervision item with its outcome (supervision_close)."""
    item = model_admin.get_object(request, object_id)
    if item is None:
        raise Http404(gettext("No such supervision item."))
    if not permissions.can_manage_supervision(request.user):
        raise PermissionDenied(gettext("Only the department may close supervision items."))
    if request.method == "POST":
        form = SupervisionCloseForm(request.POST)
        if form.is_valid():
            try:
                services.supervision_close(item=item, actor=request.user,
                                           note=form.cleaned_data["note"])
            except (ValidationError, PermissionDenied) as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, gettext("The supervision item was closed."))
                return redirect("admin:cases_supervisionitem_change", item.pk)
    else:
        form = SupervisionCloseForm()
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": item,
        "item": item,
        "form": form,
        "title": _("Close the supervision item"),
        "subtitle": str(item),
        "refusal": (gettext("This supervision item is already closed.")
                    if item.status != SupervisionStatus.OPEN and not form.is_bound else ""),
        "change_url": reverse("admin:cases_supervisionitem_change", args=[item.pk]),
    }
    return TemplateResponse(request, "admin/cases/supervisionitem/close.html", context)
