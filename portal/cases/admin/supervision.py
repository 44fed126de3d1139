"""Supervision items (督办) in the admin: the department sees and closes all of them, a unit's
officials read their own unit's. Opening and closing go through the engine's services."""

from django.contrib import admin
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import admin_views, permissions, selectors
from ..admin_forms import SupervisionCloseForm
from ..constants import SupervisionStatus
from ..models import SupervisionItem
from . import filters


@admin.register(SupervisionItem)
class SupervisionItemAdmin(admin.ModelAdmin):
    list_display = ["id", "source", "subject_display", "unit", "due_date", "status",
                    "overdue_display", "created_at"]
    list_display_links = ["id", "subject_display"]
    list_filter = ["status", filters.SupervisionOverdueFilter, "source",
                   filters.SupervisionUnitFilter]
    list_select_related = ["case", "unit", "category", "created_by"]
    search_fields = ["case__reference", "topic"]
    search_help_text = _("A case reference number or a pain-point topic.")
    ordering = ["-status", "due_date", "-id"]  # open first ("open" sorts after "closed")
    show_full_result_count = False
    actions = None
    change_form_template = "admin/cases/supervisionitem/change_form.html"
    fieldsets = [
        (None, {"fields": ["source", "status", "subject_display", "unit", "target_display",
                           "due_date", "overdue_display"]}),
        (_("Pain point"), {"fields": ["category_display", "topic", "period_start",
                                      "period_end"]}),
        (_("Opened and closed"), {"fields": ["created_by", "created_at", "closed_by",
                                             "closed_at", "closing_note"]}),
    ]

    def get_queryset(self, request):
        return selectors.supervision_items_visible_to(user=request.user)

    def get_readonly_fields(self, request, obj=None):
        return [f for fieldset in self.fieldsets for f in fieldset[1]["fields"]]

    def has_add_permission(self, request):
        return (super().has_add_permission(request)
                and permissions.can_manage_supervision(request.user))

    # Opened and closed only through the engine's services (the add and close pages).
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("about"))
    def subject_display(self, obj):
        if obj.case_id:
            return str(obj.case)
        if obj.topic and obj.category_id:
            return f"{obj.category.name} · {obj.topic}"
        return obj.topic or (obj.category.name if obj.category_id else "—")

    @admin.display(description=_("category"))
    def category_display(self, obj):  # text, not a link to the department's category admin
        return obj.category.name if obj.category_id else "—"

    @admin.display(description=_("target"))
    def target_display(self, obj):
        return obj.target_display or "—"

    @admin.display(description=_("overdue"))
    def overdue_display(self, obj):
        return gettext("Overdue") if obj.is_overdue else "—"

    def add_view(self, request, form_url="", extra_context=None):
        return admin_views.supervision_add_view(request, self)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        item = self.get_object(request, object_id)
        extra = {}
        if item is not None:
            user = request.user
            # Only the cases this user may see: a pain point groups several units' appeals.
            visible = selectors.case_list_visible_to(user=user)
            grouped = list(visible.filter(grouped_supervision_items=item).order_by("id")[:200])
            extra = {
                "item": item,
                "item_case": visible.filter(pk=item.case_id).first() if item.case_id else None,
                "grouped_cases": grouped,
                "grouped_total": item.cases.count(),
                "close_form": (SupervisionCloseForm()
                               if item.status == SupervisionStatus.OPEN
                               and permissions.can_manage_supervision(user) else None),
                "close_url": reverse("admin:cases_supervisionitem_close", args=[item.pk]),
            }
        return super().change_view(request, object_id, form_url,
                                   {**extra, **(extra_context or {})})

    def get_urls(self):
        close = path("<path:object_id>/close/",
                     self.admin_site.admin_view(
                         lambda request, object_id:
                         admin_views.supervision_close_view(request, self, object_id)),
                     name="cases_supervisionitem_close")
        return [close, *super().get_urls()]
