"""The officials' admin of commitments: a unit official sees and edits only their own unit's
commitments and records the evidence of their fulfilment (the clause's page, "Record the
fulfilment"); department staff see every unit's. Rows come from selectors (the scope), the
evidence goes through services.fulfilment_record (the project's attachment checks)."""

from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponseRedirect, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from policies.selectors import policies_public
from portal.cases.forms import attachments_help
from portal.orgs.permissions import units_visible_to

from . import permissions, selectors, services
from .constants import ClauseStatus
from .forms import CommitmentAdminForm, FulfilmentForm
from .models import Clause, Commitment, EvidenceFile, Fulfilment


class ClauseInline(admin.StackedInline):  # labelled fields (axe: a tabular row has none)
    model = Clause
    extra = 1
    fields = ["number", "text", "due_date", "status", "fulfilled_on"]
    readonly_fields = ["status", "fulfilled_on"]
    show_change_link = True

    def has_change_permission(self, request, obj=None):
        return False  # a clause once made stays as made: add clauses, never rewrite them

    def has_delete_permission(self, request, obj=None):
        return False  # a promise once made stays on record


class ScopedAdmin(admin.ModelAdmin):
    def _in_scope(self, request, obj) -> bool:
        return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


class PolicyAutocomplete(AutocompleteSelect):
    """The admin's autocomplete over every published policy, from CommitmentAdmin's own URL:
    the policies admin's autocomplete would offer a unit official only their own unit's
    policies, while a unit often carries out a policy another unit issued."""

    def get_url(self):
        return reverse("admin:commitments_commitment_policies")


POLICIES_PER_PAGE = 20


@admin.register(Commitment)
class CommitmentAdmin(ScopedAdmin):
    list_display = ["title", "kind", "document_number", "policy", "unit", "enterprise", "signed_on"]
    list_filter = ["kind"]
    search_fields = ["title", "document_number"]
    form = CommitmentAdminForm
    fields = [
        "kind",
        "title",
        "document_number",
        "policy",
        "unit",
        "enterprise_code",
        "summary",
        "signed_on",
    ]
    inlines = [ClauseInline]

    def get_queryset(self, request):
        return selectors.commitments_for_admin(user=request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "unit":
            kwargs["queryset"] = units_visible_to(request.user)
        if db_field.name == "policy":
            kwargs["queryset"] = policies_public()
            kwargs["widget"] = PolicyAutocomplete(db_field, self.admin_site)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_urls(self):
        return [
            path(
                "policies/",
                self.admin_site.admin_view(self.policies_view),
                name="commitments_commitment_policies",
            ),
            *super().get_urls(),
        ]

    def policies_view(self, request):
        """Published policies whose title or document number holds the typed words, newest
        first, in the JSON the admin's autocomplete (select2) reads; to whoever may enter a
        commitment."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        term = request.GET.get("term", "").strip()[:100]
        try:
            page = max(1, int(request.GET.get("page") or 1))
        except ValueError:
            page = 1
        policies = policies_public()
        if term:
            policies = policies.filter(
                Q(title__icontains=term) | Q(document_number__icontains=term)
            )
        start = (page - 1) * POLICIES_PER_PAGE
        rows = list(policies[start : start + POLICIES_PER_PAGE + 1])
        return JsonResponse(
            {
                "results": [
                    {"id": str(p.pk), "text": _policy_choice(p)} for p in rows[:POLICIES_PER_PAGE]
                ],
                "pagination": {"more": len(rows) > POLICIES_PER_PAGE},
            }
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.commitment_record_saved(
            actor=request.user, commitment=form.instance, created=not change
        )


def _policy_choice(policy) -> str:
    if policy.is_in_force():
        return str(policy)
    return f"{policy} · {policy.get_status_display()}"  # repealed, expired, superseded …


class FulfilmentInline(admin.StackedInline):
    model = Fulfilment
    extra = 0
    fields = [
        "fulfilled_on",
        "note",
        "evidence",
        "recorded_by",
        "recorded_at",
        "answer",
        "answer_reason",
        "answered_by",
        "answered_at",
        "public_disputes",
    ]
    readonly_fields = fields
    can_delete = False

    def get_queryset(self, request):
        # each row's files and disputes read once for the whole inline, not once a row
        return super().get_queryset(request).prefetch_related("files", "public_disputes")

    @admin.display(description=gettext_lazy("Disputes by enterprises"))
    def public_disputes(self, obj):
        """A public commitment's disputes, each with its reason and day (not the enterprise's
        name: the unit learns what is wrong, not who said it), before and after the count at
        which the clause counts as disputed."""
        rows = sorted(obj.public_disputes.all(), key=lambda d: (d.disputed_at, d.pk))
        return (
            format_html_join(
                mark_safe("<br>"),
                "{} — {}",
                (
                    (date_format(timezone.localtime(d.disputed_at), "SHORT_DATE_FORMAT"), d.reason)
                    for d in rows
                ),
            )
            or "—"
        )

    @admin.display(description=gettext_lazy("Evidence files"))
    def evidence(self, obj):
        links = [
            format_html(
                '<a href="{}" download>{}</a> ({})',
                reverse("admin:commitments_clause_evidence", args=[obj.clause_id, f.pk]),
                f.original_name,
                filesizeformat(f.size),
            )
            for f in obj.files.all()
        ]
        return format_html_join(mark_safe("<br>"), "{}", ((link,) for link in links)) or "—"

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Clause)
class ClauseAdmin(ScopedAdmin):
    list_display = ["commitment", "number", "due_date", "status", "fulfilled_on"]
    list_filter = ["status"]
    search_fields = ["commitment__title", "text"]
    fields = ["commitment", "number", "text", "due_date", "status", "fulfilled_on", "case"]
    readonly_fields = fields  # evidence is recorded on its own page; the promise stays as made
    inlines = [FulfilmentInline]
    change_form_template = "commitments/admin/clause_change_form.html"

    def get_queryset(self, request):
        return selectors.clauses_for_admin(user=request.user)

    def has_add_permission(self, request):
        return False  # clauses are added on their commitment

    def get_urls(self):
        return [
            path(
                "<int:pk>/record/",
                self.admin_site.admin_view(self.record_view),
                name="commitments_clause_record",
            ),
            path(
                "<int:pk>/evidence/<int:file_id>/",
                self.admin_site.admin_view(self.evidence_view),
                name="commitments_clause_evidence",
            ),
            *super().get_urls(),
        ]

    def evidence_view(self, request, pk, file_id):
        """A file of the clause's evidence, to whoever sees the clause in the admin."""
        evidence = EvidenceFile.objects.filter(
            pk=file_id, fulfilment__clause__in=self.get_queryset(request).filter(pk=pk)
        ).first()
        if evidence is None:
            raise Http404(_("Not found."))
        return FileResponse(
            evidence.file.open("rb"),
            as_attachment=True,
            filename=evidence.original_name,
            content_type=evidence.content_type,
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        clause = self.get_queryset(request).filter(pk=object_id).first()
        extra_context = {
            **(extra_context or {}),
            "may_record": bool(
                clause
                and clause.status in (ClauseStatus.PENDING, ClauseStatus.DISPUTED)
                and permissions.may_record(request.user, clause)
            ),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def record_view(self, request, pk):
        clause = self.get_queryset(request).filter(pk=pk).first()
        if clause is None:
            raise Http404(_("Not found."))
        if not permissions.may_record(request.user, clause):
            raise PermissionDenied
        form = FulfilmentForm(request.POST or None, request.FILES or None)
        form.fields["files"].help_text = attachments_help()
        if request.method == "POST" and form.is_valid():
            try:
                services.fulfilment_record(
                    actor=request.user,
                    clause=clause,
                    note=form.cleaned_data["note"],
                    fulfilled_on=form.cleaned_data["fulfilled_on"],
                    files=form.cleaned_data["files"],
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(
                    request, _("The fulfilment is recorded; the enterprise is asked to confirm it.")
                )
                return HttpResponseRedirect(
                    reverse("admin:commitments_clause_change", args=[clause.pk])
                )
        return TemplateResponse(
            request,
            "commitments/admin/record.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "clause": clause,
                "form": form,
                "title": gettext_lazy("Record the fulfilment"),
            },
            status=400 if form.is_bound else 200,
        )
