"""Rewards in the admin: tiers and excluded categories the department configures, proposals
(the queue of rewards awaiting approval or payment), each step through one service."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, When
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from complaints.admin_steps import StepFormsAdmin
from complaints.constants import KIND

from . import permissions, services
from .admin_forms import AwardDecideForm, DecideForm, NominateForm, PayForm, ProposeForm
from .constants import AwardStatus, RewardStatus
from .models import ExclusionCategory, InnovationAward, RewardProposal, RewardTier


@admin.register(RewardTier)
class RewardTierAdmin(admin.ModelAdmin):
    list_display = ["name", "amount", "is_active"]


@admin.register(ExclusionCategory)
class ExclusionCategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_active"]


@admin.register(RewardProposal)
class RewardProposalAdmin(StepFormsAdmin):
    list_display = ["reference", "amount", "status", "proposed_at"]
    list_filter = ["status"]
    # Awaiting payment, then awaiting approval, then the rest; oldest first.
    ordering = [Case(When(status=RewardStatus.APPROVED, then=0),
                     When(status=RewardStatus.PROPOSED, then=1), default=2), "proposed_at"]
    list_select_related = ["complaint__case"]
    fields = ["reference", "tier", "amount", "exclusions_stated", "note", "status",
              "proposed_by", "proposed_at", "decided_by", "decided_at", "decision_note",
              "paid_on", "payment_method", "payment_reference", "paid_by", "confirmed_at"]
    readonly_fields = fields
    form_classes = {"decide": DecideForm, "pay": PayForm}

    @admin.display(description=gettext_lazy("report"), ordering="complaint__case__reference")
    def reference(self, obj):
        return obj.complaint.case.reference

    @admin.display(description=gettext_lazy("stated not to apply"))
    def exclusions_stated(self, obj):
        names = ExclusionCategory.objects.filter(code__in=obj.exclusions_checked or [])
        return "; ".join(names.values_list("name", flat=True)) or "—"

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("rewards.view_rewardproposal")

    def has_add_permission(self, request):
        return permissions.can_propose(request.user)

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ProposeForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            from complaints.models import Complaint

            data = form.cleaned_data
            complaint = Complaint.objects.filter(
                case__reference=data["report"].strip().upper(), case__kind=KIND).first()
            if complaint is None:
                form.add_error("report", _("No report has this reference."))
            else:
                try:
                    proposal = services.reward_propose(
                        complaint_id=complaint.pk, actor=request.user, tier=data["tier"],
                        not_excluded=data["not_excluded"], note=data["note"])
                except ValidationError as exc:
                    form.add_service_errors(exc)
                else:
                    messages.success(request, _("The reward was proposed; another staff member "
                                                "must approve it."))
                    return redirect(reverse("admin:rewards_rewardproposal_change",
                                            args=[proposal.pk]))
        return TemplateResponse(request, "rewards/admin/propose.html", {
            **self.admin_site.each_context(request), "form": form, "opts": self.model._meta,
            "title": _("Propose a reward"), "has_view_permission": True})

    def action_forms(self, request, obj):
        user = request.user
        names = []
        if (obj.status == RewardStatus.PROPOSED and permissions.can_approve(user)
                and obj.proposed_by_id != user.pk):
            names.append("decide")
        if obj.status == RewardStatus.APPROVED and permissions.can_record_payment(user):
            names.append("pay")
        return names

    def perform(self, request, obj, name, data):
        if name == "decide":
            services.reward_decide(proposal=obj, actor=request.user, approve=data["approve"],
                                   note=data["note"])
            return _("The decision was recorded.")
        services.reward_record_payment(proposal=obj, actor=request.user,
                                       paid_on=data["paid_on"], method=data["payment_method"],
                                       reference=data["payment_reference"])
        return _("The payment was recorded; the reporter is asked to confirm it.")


@admin.register(InnovationAward)
class InnovationAwardAdmin(StepFormsAdmin):
    """Nominations for pioneering reforms (Art. 9 ¶2): one nominates, another grants."""

    list_display = ["title", "unit", "person_name", "status", "nominated_at"]
    list_filter = ["status"]
    fields = ["nominee_kind", "unit", "person_name", "title", "title_en", "achievement",
              "achievement_en", "evidence", "amount", "status", "nominated_by", "nominated_at",
              "decided_by", "decided_at", "decision_note"]
    readonly_fields = fields
    form_classes = {"decide": AwardDecideForm}

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("rewards.view_innovationaward")

    def has_add_permission(self, request):
        return permissions.can_propose(request.user)

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = NominateForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                award = services.award_nominate(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("The nomination was saved; another staff member "
                                            "decides on it."))
                return redirect(reverse("admin:rewards_innovationaward_change", args=[award.pk]))
        return TemplateResponse(request, "complaints/admin/form_page.html", {
            **self.admin_site.each_context(request), "form": form, "opts": self.model._meta,
            "title": _("Nominate for an innovation award"), "submit": _("Save the nomination"),
            "has_view_permission": True})

    def action_forms(self, request, obj):
        if (obj.status == AwardStatus.NOMINATED and permissions.can_approve(request.user)
                and obj.nominated_by_id != request.user.pk):
            return ["decide"]
        return []

    def perform(self, request, obj, name, data):
        services.award_decide(award=obj, actor=request.user, grant=data["grant"],
                              note=data["note"])
        return _("The decision was recorded.")
