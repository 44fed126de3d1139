from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from .models import User
from .roles import ELEVATED_ROLES, STAFF_ROLES


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """People in the admin. The department (accounts.change_user) manages officials, observers,
    evaluators and enterprise members; a superuser alone sets passwords, changes the e-mail a
    person signs in with, and grants or edits the elevated roles (roles.ELEVATED_ROLES), so a
    staff member can neither take over a colleague's account nor give themselves the complaint
    desk's sight of reporters."""

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

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or request.user.is_superuser:
            return fieldsets
        # no link to the password form for whoever may not use it
        return tuple((name, {**opts, "fields": tuple(f for f in opts["fields"] if f != "password")})
                     for name, opts in fieldsets)

    def get_readonly_fields(self, request, obj=None):
        ro = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # is_staff follows the roles (roles.role_grant); the e-mail is the sign-in identity
            ro += ["is_superuser", "user_permissions", "is_staff"]
            if obj is not None:
                ro.append("email")
        return ro

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = db_field.remote_field.model.objects.exclude(
                name__in=[str(role) for role in ELEVATED_ROLES])
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        if obj is not None and not request.user.is_superuser and self._elevated(obj):
            return False
        return super().has_change_permission(request, obj)

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if request.user.is_superuser:
            return  # the superuser sets is_staff by hand
        # for everyone else is_staff follows the roles, as roles.role_grant does in code
        user = form.instance
        staff = user.is_superuser or user.groups.filter(name__in=[str(r) for r in STAFF_ROLES]).exists()
        if staff != user.is_staff:
            user.is_staff = staff
            user.save(update_fields=["is_staff"])

    @staticmethod
    def _elevated(user) -> bool:
        return user.is_superuser or user.groups.filter(
            name__in=[str(role) for role in ELEVATED_ROLES]).exists()
