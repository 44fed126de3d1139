from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

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
        # The department (orgs' supervise_all_units; a superuser has every permission) sees
        # everyone; an official, the people of their own unit only. By codename, as every app
        # asks: accounts sits below orgs and imports nothing of it.
        if request.user.has_perm("orgs.supervise_all_units"):
            return qs
        return qs.filter(unit_id=request.user.unit_id) if request.user.unit_id else qs.none()

    def get_readonly_fields(self, request, obj=None):
        ro = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            ro += ["is_superuser", "user_permissions"]
        return ro
