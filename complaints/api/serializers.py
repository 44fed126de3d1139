"""Input and output of the complaints API: one small serializer per endpoint."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.orgs.models import Unit

from ..constants import Misconduct


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 2**63 - 1})
class ActiveUnitId(serializers.PrimaryKeyRelatedField):
    """The id of an active unit."""


class SubmitIn(serializers.Serializer):
    accused_unit = ActiveUnitId(
        queryset=Unit.objects.filter(is_active=True),
        error_messages={"required": _("Choose the unit whose conduct you report."),
                        "does_not_exist": _("Choose the unit whose conduct you report.")})
    misconduct = serializers.ChoiceField(choices=Misconduct.choices)
    title = serializers.CharField(max_length=200)
    facts = serializers.CharField(max_length=5000)
    occurred_on = serializers.DateField(required=False, allow_null=True)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    official_name = serializers.CharField(max_length=100, required=False, allow_blank=True,
                                          default="")
    anonymous = serializers.BooleanField(required=False, default=False,
                                         help_text=_("Signed in: file anonymously instead."))
    files = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class SubmitJsonIn(SubmitIn):
    """The same without attachments, which only multipart can carry."""

    files = None


class SubmitOut(serializers.Serializer):
    reference = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    named = serializers.BooleanField()
    receipt_code = serializers.CharField(allow_null=True, help_text=_(
        "Anonymous reports only: shown this once, never stored; a lost code cannot be "
        "recovered."))


class FollowIn(serializers.Serializer):
    reference = serializers.CharField(max_length=20)
    code = serializers.CharField(max_length=40)


class NoticeOut(serializers.Serializer):
    at = serializers.DateTimeField(source="created_at")
    subject = serializers.CharField(source="subject_text")
    body = serializers.CharField()


class FollowOut(serializers.Serializer):
    reference = serializers.CharField()
    status = serializers.CharField(source="case.status")
    status_display = serializers.CharField(source="case.get_status_display")
    misconduct = serializers.CharField(source="get_misconduct_display")
    finding = serializers.CharField()
    finding_reasoning = serializers.CharField()
    notices = NoticeOut(many=True)
