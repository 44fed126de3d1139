from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class NotificationListFilterSerializer(serializers.Serializer):
    unread = serializers.BooleanField(
        required=False, default=False,
        help_text=_("Only unread notifications."),
    )


class NotificationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    subject = serializers.CharField()
    body = serializers.CharField()
    url = serializers.CharField(help_text=_("A path on this site, or empty."))
    created_at = serializers.DateTimeField()
    read = serializers.BooleanField(source="is_read")
    read_at = serializers.DateTimeField(allow_null=True)


class UnreadCountOutputSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class MarkAllReadOutputSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text=_("How many notifications were unread."))
