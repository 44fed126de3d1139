"""The department's settings of the engine (categories, deadline rules, engine settings) and
the reply templates officials use when answering."""

from django.contrib import admin
from django.db.models import Q
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from .. import permissions
from ..models import Category, DeadlineRule, EngineSettings, ReplyTemplate


class DepartmentOnlyAdmin(admin.ModelAdmin):
    """Visible to the department only, whatever model permissions others hold."""

    def _department(self, request) -> bool:
        return permissions.is_department(request.user)

    def has_module_permission(self, request):
        return self._department(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._department(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return self._department(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self._department(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._department(request) and super().has_delete_permission(request, obj)


@admin.register(Category)
class CategoryAdmin(DepartmentOnlyAdmin):
    list_display = ["code", "name_zh_hans", "name_zh_hant", "name_en", "parent", "position",
                    "is_active"]
    list_filter = ["is_active", ("parent", admin.EmptyFieldListFilter)]
    list_select_related = ["parent"]
    search_fields = ["code", "name_zh_hans", "name_zh_hant", "name_en"]
    ordering = ["position", "code"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":  # one level of sub-categories
            kwargs["queryset"] = Category.objects.filter(parent__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # Old cases keep their category: deactivate it instead.
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(DepartmentOnlyAdmin):
    list_display = ["kind", "stage", "subtype", "category", "working_days"]
    list_filter = ["kind", "stage", "subtype"]
    list_select_related = ["category"]
    ordering = ["kind", "stage", "subtype", "category__code"]


@admin.register(EngineSettings)
class EngineSettingsAdmin(DepartmentOnlyAdmin):
    """One row of settings: the list opens it, nobody adds a second or deletes it."""

    def has_add_permission(self, request):
        return not EngineSettings.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            return super().changelist_view(request, extra_context)
        return redirect("admin:cases_enginesettings_change", EngineSettings.load().pk)


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin):
    """Officials keep their own unit's templates and use the shared ones; the department keeps
    every unit's and the shared ones (no unit)."""

    list_display = ["title", "unit_display", "is_active"]
    list_filter = ["is_active"]
    list_select_related = ["unit"]
    search_fields = ["title", "body"]
    ordering = ["title"]

    def _official_only(self, request) -> bool:
        return not permissions.is_department(request.user)

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("unit")
        user = request.user
        if permissions.is_department(user):
            return qs
        if permissions.is_unit_official(user):
            return qs.filter(Q(unit_id=user.unit_id) | Q(unit__isnull=True))
        return qs.none()

    def _may_edit(self, request, obj) -> bool:
        if obj is None or permissions.is_department(request.user):
            return True
        return obj.unit_id is not None and obj.unit_id == request.user.unit_id

    def has_module_permission(self, request):
        return ((permissions.is_department(request.user)
                 or permissions.is_unit_official(request.user))
                and super().has_module_permission(request))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_edit(request, obj)

    def get_list_filter(self, request):
        if permissions.is_department(request.user):
            return ["is_active", ("unit", admin.EmptyFieldListFilter), "unit"]
        return ["is_active"]

    def get_exclude(self, request, obj=None):
        # An official's templates always belong to their own unit (set in save_model).
        return ["unit"] if self._official_only(request) else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "unit":
            from portal.orgs.models import Unit

            kwargs["queryset"] = Unit.objects.filter(is_active=True).order_by("code")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if self._official_only(request):
            obj.unit_id = request.user.unit_id
        super().save_model(request, obj, form, change)

    @admin.display(description=_("unit"), ordering="unit__code")
    def unit_display(self, obj):
        return obj.unit or _("Shared by every unit")
