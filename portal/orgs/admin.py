from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.core.paginator import CappedCountAdminMixin

from . import permissions
from .models import Enterprise, Industry, JoinRequest, Qualification, Unit


class NameInLanguageMixin:
    """A "name" column in the reader's language (Traditional characters and English included),
    as pages and the API show it."""

    @admin.display(description=_("name"), ordering="pk")
    def name_in_language(self, obj):
        return obj.display_name if isinstance(obj, Unit) else obj.name


@admin.register(Unit)
class UnitAdmin(NameInLanguageMixin, admin.ModelAdmin):
    list_display = ["code", "name_in_language", "kind", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name", "name_zh_hant", "name_en"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]

    def get_queryset(self, request):
        # An official sees only their own unit; the department sees all.
        return permissions.units_visible_to(request.user).select_related("parent")


@admin.register(Enterprise)
class EnterpriseAdmin(CappedCountAdminMixin, admin.ModelAdmin):
    list_display = ["name", "credit_code", "kind", "industry", "size", "created_at"]
    list_filter = ["kind", "size", "industry", "qualifications"]
    search_fields = ["name", "credit_code"]
    list_select_related = ["industry"]
    readonly_fields = ["credit_code", "created_at"]
    filter_horizontal = ["qualifications"]
    ordering = ["name", "id"]  # the index enterprise_by_name, in its order

    def get_queryset(self, request):
        return permissions.enterprises_visible_to(request.user).select_related("industry")


@admin.register(JoinRequest)
class JoinRequestAdmin(admin.ModelAdmin):
    list_display = ["user", "enterprise", "status", "created_at", "decided_by", "decided_at"]
    list_filter = ["status"]
    search_fields = ["user__email", "enterprise__name", "enterprise__credit_code"]
    list_select_related = ["user", "enterprise", "decided_by"]
    readonly_fields = [f.name for f in JoinRequest._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Industry)
class IndustryAdmin(NameInLanguageMixin, admin.ModelAdmin):
    list_display = ["section", "name_in_language", "division_from", "division_to"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Qualification)
class QualificationAdmin(NameInLanguageMixin, admin.ModelAdmin):
    list_display = ["code", "name_in_language", "name_zh_hans", "name_zh_hant", "name_en"]
    search_fields = ["code", "name_zh_hans", "name_zh_hant", "name_en"]

