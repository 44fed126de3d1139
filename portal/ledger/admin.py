"""The ledger in the admin: read-only for everyone (superusers too), plus "Verify the ledger"."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from portal.core.admin import ReadOnlyAdminMixin

from . import permissions
from .forms import VerifyForm
from .models import LedgerEntry
from .selectors import ledger_distinct_values, ledger_estimated_count
from .services import ledger_head, ledger_unchained, ledger_unchained_summary, ledger_verify

# A request verifies for at most this long; the page then offers to continue where it stopped.
ADMIN_VERIFY_SECONDS = 20


class EstimatedCountPaginator(Paginator):
    """Count without COUNT(*) over millions of rows.

    Unfiltered: PostgreSQL's estimate (pg_class.reltuples) once the table is large. Filtered:
    an exact count stopped at COUNT_CAP rows (the last pages beyond it are reached by
    narrowing the filter), which an index keeps cheap.
    """

    EXACT_BELOW = 10_000
    COUNT_CAP = 10_000

    @cached_property
    def count(self):
        queryset = self.object_list
        if not queryset.query.where:
            estimate = ledger_estimated_count()
            if estimate >= self.EXACT_BELOW:
                return estimate
        return queryset.order_by()[: self.COUNT_CAP].count()


class _DistinctValueFilter(admin.SimpleListFilter):
    column = ""

    def lookups(self, request, model_admin):
        return [(value, value) for value in ledger_distinct_values(self.column)]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(**{self.column: value}) if value else queryset


class ActionFilter(_DistinctValueFilter):
    title = _("what")
    parameter_name = column = "action"


class ObjectTypeFilter(_DistinctValueFilter):
    title = _("object type")
    parameter_name = column = "object_type"


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):  # the database refuses writes too
    list_display = ["id", "seq", "created_at", "actor", "action", "object_type", "object_id",
                    "short_hash"]
    list_filter = [ActionFilter, ObjectTypeFilter]
    list_select_related = ["actor"]
    search_fields = ["object_id"]
    search_help_text = _("Exact object id, e.g. a case number's primary key.")
    ordering = ["-id"]
    sortable_by = ["id"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    list_per_page = 50
    actions = None
    fields = readonly_fields = ["id", "seq", "created_at", "actor", "action", "object_type",
                                "object_id", "payload_digest", "prev_hash", "entry_hash",
                                "hash_format"]

    @admin.display(description=_("entry hash"))
    def short_hash(self, obj):
        if obj.entry_hash is None:
            return _("not chained yet")
        return f"{obj.entry_hash[:12]}…"

    def get_search_results(self, request, queryset, search_term):
        # Exact match, so the object_id index answers it (icontains would scan the table).
        term = search_term.strip()
        return (queryset.filter(object_id=term) if term else queryset), False


    def has_view_permission(self, request, obj=None):
        return permissions.can_view_ledger(request.user)

    def get_urls(self):
        verify = path("verify/", self.admin_site.admin_view(self.verify_view),
                      name="ledger_ledgerentry_verify")
        return [verify, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}),
                         "can_verify_ledger": permissions.can_verify_ledger(request.user)}
        return super().changelist_view(request, extra_context)

    def verify_view(self, request):
        if not permissions.can_verify_ledger(request.user):
            raise PermissionDenied
        form = VerifyForm(request.POST if request.method == "POST" else None)
        result = None
        if request.method == "POST" and form.is_valid():
            result = ledger_verify(start_seq=form.cleaned_data["start_seq"],
                                   anchor=form.cleaned_data["anchor"],
                                   max_seconds=ADMIN_VERIFY_SECONDS)
        unchained, oldest_unchained = ledger_unchained()
        context = {
            **self.admin_site.each_context(request),
            "title": _("Verify the ledger"),
            "opts": self.model._meta,
            "form": form,
            "result": result,
            "head": ledger_head(),
            # Shown before any verification too: what waits for the sequencer.
            "waiting": ledger_unchained_summary(unchained, oldest_unchained),
            "can_view_ledger": permissions.can_view_ledger(request.user),
        }
        return TemplateResponse(request, "admin/ledger/verify.html", context)
