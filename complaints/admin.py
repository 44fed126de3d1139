"""Complaints in the admin: the desk's queue (triage, assignment, the reporter) and the
investigating unit's (the finding); identity requests and their decisions; the sealed
reporter for the desk only.

Who sees what is permissions.py's: the querysets are the selectors', and the reporter panel and
the Reporter admin exist only for the desk (`cases.view_sealed_identity`). Every form calls one
service; its refusal is shown on the form and nothing changes.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.cases import permissions as case_permissions
from portal.cases.constants import Status
from portal.core.admin import ReadOnlyAdminMixin

from . import permissions, selectors, services
from .admin_forms import (
    AssignForm,
    FindingForm,
    IdentityAskForm,
    IdentityDecideForm,
    PublicationApproveForm,
    PublicationDraftForm,
    TriageForm,
)
from .admin_steps import StepFormsAdmin
from .constants import KIND, IdentityRequestStatus, PublicationStatus, Triage
from .models import Complaint, IdentityRequest, PublishedCase, Reporter

_WORKING = {Status.SIGNED_FOR, Status.IN_PROGRESS, Status.REOPENED, Status.EXTENSION_REQUESTED}


@admin.register(Complaint)
class ComplaintAdmin(StepFormsAdmin):
    list_display = ["reference", "misconduct", "accused_unit", "triage", "finding", "status",
                    "due", "retaliation_for"]
    list_filter = ["triage", "finding", "case__status"]
    search_fields = ["case__reference"]
    # The desk's and the unit's day: the earliest due first, those not yet due (waiting for
    # triage or sign-for) before them.
    # Reports of retaliation come first of all.
    ordering = [F("retaliation_for").asc(nulls_last=True),
                F("case__due_date").asc(nulls_first=True), "-created_at"]
    list_select_related = ["case", "accused_unit", "retaliation_for__case"]
    # No field of the sealed reporter, and not whether the report is named: the desk reads
    # those on the reporter panel.
    fields = ["reference", "title", "misconduct", "accused_unit", "official_name",
              "occurred_on", "place", "facts", "status", "responsible_unit", "due", "triage",
              "triage_reason", "duplicate_of", "retaliation_for", "finding", "finding_reasoning", "found_at"]
    readonly_fields = fields
    form_classes = {"triage": TriageForm, "assign": AssignForm, "finding": FindingForm,
                    "identity": IdentityAskForm}

    def get_queryset(self, request):
        return selectors.complaints_visible_to(user=request.user)

    def has_view_permission(self, request, obj=None):
        return bool(request.user.has_perm("complaints.view_complaint")
                    and (obj is None or permissions.can_view_complaint(request.user, obj)))

    @admin.display(description=gettext_lazy("reference"), ordering="case__reference")
    def reference(self, obj):
        return obj.case.reference

    @admin.display(description=gettext_lazy("title"))
    def title(self, obj):
        return obj.case.title

    @admin.display(description=gettext_lazy("what happened"))
    def facts(self, obj):
        return obj.case.description

    @admin.display(description=gettext_lazy("misconduct"), ordering="case__subtype")
    def misconduct(self, obj):
        return obj.get_misconduct_display()

    @admin.display(description=gettext_lazy("status"), ordering="case__status")
    def status(self, obj):
        return obj.case.get_status_display()

    @admin.display(description=gettext_lazy("investigating unit"))
    def responsible_unit(self, obj):
        unit = obj.case.responsible_unit
        return unit.display_name if unit else "—"

    @admin.display(description=gettext_lazy("outcome due by"), ordering="case__due_date")
    def due(self, obj):
        return date_format(obj.case.due_date, "SHORT_DATE_FORMAT") if obj.case.due_date else "—"

    def action_forms(self, request, obj):
        user, case = request.user, obj.case
        names = []
        if permissions.can_triage(user):
            if obj.triage == Triage.PENDING and case.status == Status.SUBMITTED:
                names.append("triage")
            if (obj.triage in (Triage.PENDING, Triage.ACCEPTED)
                    and case.status in (Status.SUBMITTED, Status.ACCEPTED, Status.RETURNED)):
                names.append("assign")
        if case_permissions.can_handle(user, case) and case.status in _WORKING \
                and not obj.finding:
            names.append("finding")
        if not permissions.sees_identity(user) and permissions.can_view_complaint(user, obj):
            names.append("identity")
        return names

    def perform(self, request, obj, name, data):
        user = request.user
        if name == "triage":
            earlier = None
            if data["earlier_reference"]:
                earlier = selectors.complaints_visible_to(user=user).filter(
                    case__reference=data["earlier_reference"].strip().upper()).first()
                if earlier is None:
                    raise ValidationError({"duplicate_of": _("No report has this reference.")})
            services.complaint_triage(complaint=obj, actor=user, decision=data["decision"],
                                      reason=data["reason"], duplicate_of=earlier)
            return _("The triage of %(ref)s was recorded.") % {"ref": obj.reference}
        if name == "assign":
            services.complaint_assign(complaint=obj, actor=user, unit=data["unit"],
                                      note=data["note"])
            return _("%(ref)s was assigned to %(unit)s.") % {
                "ref": obj.reference, "unit": data["unit"].display_name}
        if name == "finding":
            services.complaint_record_finding(complaint=obj, actor=user,
                                              finding=data["finding"],
                                              reasoning=data["reasoning"],
                                              files=data["attachments"])
            return _("The finding on %(ref)s was recorded; the reporter is told.") % {
                "ref": obj.reference}
        services.identity_request_create(complaint=obj, asker=user, reason=data["reason"])
        return _("Your request was sent to a supervisor.")

    def panels(self, request, obj):
        if not permissions.sees_identity(request.user):
            return {}
        return {"reporter": Reporter.objects.filter(complaint=obj).first(),
                "reporter_named": obj.named}


@admin.register(IdentityRequest)
class IdentityRequestAdmin(StepFormsAdmin):
    list_display = ["complaint", "asker", "status", "created_at", "expires_at"]
    list_filter = ["status"]
    ordering = [F("decided_at").asc(nulls_first=True), "created_at"]  # waiting ones first
    list_select_related = ["complaint__case", "asker"]
    fields = ["complaint", "asker", "reason", "status", "decided_by", "decision_reason",
              "decided_at", "expires_at", "created_at"]
    readonly_fields = fields
    form_classes = {"decide": IdentityDecideForm}

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("complaint__case", "asker")
        if permissions.can_decide_identity(request.user):
            return qs
        return qs.filter(asker=request.user)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("complaints.view_identityrequest")

    def action_forms(self, request, obj):
        if (permissions.can_decide_identity(request.user) and obj.asker_id != request.user.pk
                and obj.status == IdentityRequestStatus.PENDING):
            return ["decide"]
        return []

    def perform(self, request, obj, name, data):
        services.identity_request_decide(request=obj, actor=request.user,
                                         approve=data["approve"], reason=data["reason"])
        return _("The decision was recorded.")

    def panels(self, request, obj):
        if obj.is_open_to(request.user):
            return {"reporter": services.identity_reveal(request=obj, user=request.user),
                    "reporter_until": obj.expires_at}
        return {}


@admin.register(Reporter)
class ReporterAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The sealed table, for the complaint desk only."""

    list_display = ["complaint", "name", "phone", "email", "enterprise_name"]
    fields = ["complaint", "user", "name", "phone", "email", "enterprise_name", "credit_code"]
    readonly_fields = fields

    def has_module_permission(self, request):
        return permissions.sees_identity(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.sees_identity(request.user)


@admin.register(PublishedCase)
class PublishedCaseAdmin(StepFormsAdmin):
    """Draft a de-identified case; a second person approves it and it shows on the public
    page (/complaints/cases/)."""

    list_display = ["title", "kind", "unit", "year", "status", "published_at"]
    list_filter = ["status", "kind", "year"]
    fields = ["kind", "unit", "misconduct", "year", "title", "title_en", "text", "text_en",
              "status", "drafted_by", "drafted_at", "approved_by", "published_at"]
    readonly_fields = fields
    form_classes = {"approve": PublicationApproveForm}

    def has_view_permission(self, request, obj=None):
        return permissions.can_publish(request.user)

    def has_add_permission(self, request):
        return permissions.can_publish(request.user)

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = PublicationDraftForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            complaint = None
            if data["report"]:
                complaint = Complaint.objects.filter(
                    case__reference=data["report"].strip().upper(), case__kind=KIND).first()
            try:
                if data["report"] and complaint is None:
                    raise ValidationError({"complaint": _("No report has this reference.")})
                publication = services.publication_draft(
                    actor=request.user, kind=data["kind"], unit=data["unit"],
                    year=data["year"], title=data["title"], title_en=data["title_en"],
                    text=data["text"], text_en=data["text_en"], complaint=complaint,
                    misconduct=data["misconduct"])
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("The case was drafted; another person must approve "
                                            "it before it is published."))
                return redirect(reverse("admin:complaints_publishedcase_change",
                                        args=[publication.pk]))
        return TemplateResponse(request, "complaints/admin/form_page.html", {
            **self.admin_site.each_context(request), "form": form, "opts": self.model._meta,
            "title": _("Draft a case to publish"), "submit": _("Save the draft"),
            "has_view_permission": True})

    def action_forms(self, request, obj):
        if (obj.status == PublicationStatus.DRAFT and permissions.can_publish(request.user)
                and obj.drafted_by_id != request.user.pk):
            return ["approve"]
        return []

    def perform(self, request, obj, name, data):
        services.publication_approve(publication=obj, actor=request.user)
        return _("The case is published.")
