from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from portal.orgs.permissions import sees_all_units

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "enterprise", "unit", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_active", "groups", "unit"]
    search_fields = ["email", "full_name", "phone"]
    list_select_related = ["enterprise", "unit"]
    autocomplete_fields = ["enterprise", "unit"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("full_name", "phone", "language", "email_notifications")}),
        (_("Organisation"), {"fields": ("enterprise", "unit")}),
        (_("Roles and permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name", "unit",
                                                             "password1", "password2")}),)
    readonly_fields = ["last_login", "date_joined"]
    filter_horizontal = ["groups"]

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("enterprise", "unit")
        if request.user.is_superuser or sees_all_units(request.user):
            return qs
        # An official sees the people of their own unit only.
        return qs.filter(unit_id=request.user.unit_id) if request.user.unit_id else qs.none()

    def get_readonly_fields(self, request, obj=None):
        ro = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            ro += ["is_superuser", "user_permissions"]
        return ro
