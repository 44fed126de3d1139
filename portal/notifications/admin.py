"""Notifications in the admin: a read-only record for department staff.

The list shows who was told what and whether the e-mail went out, never the message body;
the body is shown only on one notification's page.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.core.admin import ReadOnlyAdminMixin

from . import permissions
from .models import Notification
from .selectors import notification_list_all


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):  # a record of what was sent
    list_display = ("subject", "recipient", "created_at", "is_read", "email_status",
                    "email_attempts")
    list_filter = ("email_status", ("read_at", admin.EmptyFieldListFilter), "created_at")
    search_fields = ("subject", "recipient__email", "recipient__full_name")
    date_hierarchy = "created_at"
    list_select_related = ("recipient",)
    show_full_result_count = False
    fields = ("recipient", "subject", "body", "url", "created_at", "read_at", "email_status",
              "email_due_at", "email_sent_at", "email_attempts", "email_error", "dedup_key")
    readonly_fields = fields

    @admin.display(boolean=True, description=_("read"))
    def is_read(self, obj):
        return obj.read_at is not None

    def get_queryset(self, request):
        if not permissions.can_view_all(request.user):
            return Notification.objects.none()
        return notification_list_all()

    def has_module_permission(self, request):
        return permissions.can_view_all(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.can_view_all(request.user)

