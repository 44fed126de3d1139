"""Small input and output serializers of the cases API, one input per endpoint.

Inputs only parse: every rule (required reasons, allowed states, attachments by content, score
range) is the services' job, so the API and the pages refuse the same things with the same
translated messages. That is why text fields here are optional and default to "".
"""

from django.core.validators import RegexValidator
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from portal.cases.constants import ReturnReason, Status
from portal.cases.models import Category
from portal.cases.timeline import actor_label
from portal.orgs.models import Unit

from ..constants import AppealType

# Details of a public step the submitter may read; the rest of `extra` stays internal.
PUBLIC_DETAILS = ("due_date", "old_due_date", "score", "unit_name", "unit_name_en")


def _text(help_text=""):
    return serializers.CharField(required=False, allow_blank=True, default="",
                                 trim_whitespace=True, help_text=help_text)


FILES_HELP = _("Attachments, checked by their content: PDF, PNG, JPEG, Word (.docx), "
               "Excel (.xlsx) or plain text.")


class _EngineRule:
    """A field whose rule (required, not blank, one of the choices, a range) the schema states,
    so clients and the fuzzer know it, while the service enforces it: a missing, null or blank
    value reaches the service as the field's empty value and is refused there, after the
    role and the case's state, with the same translated message as on the pages."""

    missing = ""

    def get_value(self, dictionary):
        value = super().get_value(dictionary)
        return self.missing if value is empty else value

    def run_validation(self, data=empty):
        if data is empty or data is None or (isinstance(data, str) and not data.strip()):
            return self.missing
        return super().run_validation(data)


class RequiredText(_EngineRule, serializers.CharField):
    def __init__(self, help_text="", **kwargs):
        # The pattern documents "not only spaces"; blank text never reaches it (see above).
        super().__init__(required=True, allow_blank=False, trim_whitespace=True,
                         validators=[RegexValidator(r"\S")], help_text=help_text, **kwargs)


class RequiredChoice(_EngineRule, serializers.ChoiceField):
    def __init__(self, choices, **kwargs):
        super().__init__(choices=choices, required=True, **kwargs)


# What the ids and codes of other objects look like (their models' fields), for the schema.
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
CODE_SCHEMA = {"type": "string", "minLength": 1, "maxLength": 50, "pattern": r"^[-a-zA-Z0-9_]+$"}


@extend_schema_field(CODE_SCHEMA)
class CategoryCode(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=Category.objects.all(), **kwargs)


@extend_schema_field(ID_SCHEMA)
class UnitId(serializers.PrimaryKeyRelatedField):
    def __init__(self, **kwargs):
        super().__init__(queryset=Unit.objects.all(), **kwargs)


@extend_schema_field(CODE_SCHEMA)
class RequiredCategory(_EngineRule, serializers.SlugRelatedField):
    missing = None

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=Category.objects.all(), required=True,
                         **kwargs)


@extend_schema_field(ID_SCHEMA)
class RequiredUnit(_EngineRule, serializers.PrimaryKeyRelatedField):
    missing = None

    def __init__(self, **kwargs):
        super().__init__(queryset=Unit.objects.all(), required=True, **kwargs)


class RequiredScore(_EngineRule, serializers.IntegerField):
    missing = None

    def __init__(self, **kwargs):
        super().__init__(required=True, min_value=1, max_value=5, **kwargs)


class RequiredDate(_EngineRule, serializers.DateField):
    missing = None

    def __init__(self, **kwargs):
        super().__init__(required=True, **kwargs)


def without_files(serializer_class):
    """The JSON form of an input with attachments: JSON cannot carry files (multipart can)."""
    return type(serializer_class.__name__.replace("Serializer", "JsonSerializer"),
                (serializer_class,), {"files": None, "__module__": serializer_class.__module__})


def _files():
    return serializers.ListField(child=serializers.FileField(allow_empty_file=True),
                                 required=False, default=list, help_text=FILES_HELP)


def _unit():
    return UnitId(required=False, allow_null=True, default=None, help_text=_("Id of the unit."))


# --- outputs ---------------------------------------------------------------------------------

class ChoiceLabelField(serializers.CharField):
    """The label of a model's choice field (`get_<field>_display()`), in the request's language.

    The same as `CharField(source="get_<field>_display")`, without DRF checking the signature
    of that callable on every row (inspect.signature: a third of a 50-row list's serializing).
    """

    def __init__(self, choice_field: str, **kwargs):
        self.choice_field = choice_field
        super().__init__(source="*", **kwargs)

    def to_representation(self, value):
        return getattr(value, f"get_{self.choice_field}_display")()


class CaseCategoryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class CaseUnitOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField(source="display_name")


class CaseListOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    kind = serializers.CharField()
    appeal_type = serializers.CharField(source="subtype")
    appeal_type_display = ChoiceLabelField("subtype")
    category = CaseCategoryOutputSerializer(allow_null=True)
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    status_display = ChoiceLabelField("status")
    submitted_at = serializers.DateTimeField()
    acceptance_due_date = serializers.DateField(allow_null=True)
    due_date = serializers.DateField(allow_null=True, help_text=_("The date by which the answer is due."))
    is_overdue = serializers.BooleanField()
    responsible_unit = CaseUnitOutputSerializer(allow_null=True)
    subject_unit = CaseUnitOutputSerializer(allow_null=True)
    satisfaction = serializers.IntegerField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)

    def to_representation(self, case):
        """What the fields above print, written out: DRF's walk through 18 fields and three
        nested serializers was most of a 50-case page's time. Kept because a benchmark figure
        shows it is needed (docs/performance.md, fix 13: without it the cases API sat at
        issue 13's budget of 0.40 × baseline, with no margin). The fields stay declared (the
        schema reads them); a test compares this with DRF's own walk, field by field."""
        moment = _MOMENT  # not self.fields: building them deep-copies all 18 for each list
        return {
            "id": case.id, "reference": case.reference, "kind": case.kind,
            "appeal_type": case.subtype,
            "appeal_type_display": case.get_subtype_display(),
            "category": (None if case.category_id is None else {
                "id": case.category.id, "code": case.category.code,
                "name": case.category.name}),
            "title": case.title, "status": case.status,
            "status_display": case.get_status_display(),
            "submitted_at": moment(case.submitted_at),
            "acceptance_due_date": _date(case.acceptance_due_date),
            "due_date": _date(case.due_date), "is_overdue": case.is_overdue,
            "responsible_unit": _unit_out(case.responsible_unit_id and case.responsible_unit),
            "subject_unit": _unit_out(case.subject_unit_id and case.subject_unit),
            "satisfaction": case.satisfaction,
            "closed_at": None if case.closed_at is None else moment(case.closed_at),
        }


# DRF's own output of a DateTimeField (its format setting, the current time zone, "Z").
_MOMENT = serializers.DateTimeField().to_representation


def _date(value):
    return None if value is None else value.isoformat()


def _unit_out(unit):
    return None if not unit else {"id": unit.id, "code": unit.code, "name": unit.display_name}


class AttachmentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, obj) -> str:
        return reverse("api:cases-attachment", args=[obj.case_id, obj.pk])


class EventOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    action = serializers.CharField()
    action_display = ChoiceLabelField("action")
    by = serializers.SerializerMethodField(help_text=_("Who took the step. The enterprise sees "
                                                       "the unit's name, never an official's."))
    note = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    internal = serializers.SerializerMethodField(help_text=_("Not shown to the enterprise."))
    details = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    attachments = AttachmentOutputSerializer(many=True, source="files")

    def get_by(self, obj) -> str:
        return str(actor_label(obj, self.context["case"], internal=self.context["internal"]))

    def get_internal(self, obj) -> bool:
        return not obj.seen_by_submitter

    def get_details(self, obj) -> dict:
        extra = obj.extra or {}
        if self.context["internal"]:
            return extra
        return {k: v for k, v in extra.items() if k in PUBLIC_DETAILS}


class CaseDetailOutputSerializer(CaseListOutputSerializer):
    description = serializers.CharField()
    enterprise = serializers.SerializerMethodField()
    submitter_name = serializers.SerializerMethodField()
    satisfaction_comment = serializers.CharField()
    rated_at = serializers.DateTimeField(allow_null=True)
    answered_at = serializers.DateTimeField(allow_null=True)
    supervision = serializers.SerializerMethodField(
        help_text=_("Internal counters and the 督办 flag; null for the enterprise."))
    timeline = serializers.SerializerMethodField()

    # One case: DRF's own walk through every field (the list's written-out one has no room
    # for the detail's fields).
    to_representation = serializers.Serializer.to_representation

    def get_enterprise(self, obj) -> str | None:
        return obj.enterprise.name if obj.enterprise_id else None

    def get_submitter_name(self, obj) -> str | None:
        return obj.submitter.get_full_name() if obj.submitter_id else None

    def get_supervision(self, obj) -> dict | None:
        if not self.context["internal"]:
            return None
        return {"is_supervised": obj.is_supervised, "return_count": obj.return_count,
                "reopen_count": obj.reopen_count, "unhappy_count": obj.unhappy_count}

    def get_timeline(self, obj) -> list[dict]:
        return EventOutputSerializer(self.context["timeline"], many=True,
                                     context=self.context).data


class NoteOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    action = serializers.CharField()
    note = serializers.CharField()
    created_at = serializers.DateTimeField()
    attachments = AttachmentOutputSerializer(many=True, source="attachments.all")


# --- inputs ----------------------------------------------------------------------------------

class CaseListFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    type = serializers.ChoiceField(choices=AppealType.choices, required=False,
                                   help_text=_("Type of appeal."))
    category = CategoryCode(required=False, help_text=_("Category code; includes its "
                                                        "sub-categories."))
    overdue = serializers.BooleanField(required=False, default=False,
                                       help_text=_("Only cases past their due date."))
    q = serializers.CharField(required=False, allow_blank=True, default="", max_length=100,
                              help_text=_("A reference number or words of the title and "
                                          "description."))


class CaseSubmitInputSerializer(serializers.Serializer):
    appeal_type = RequiredChoice(AppealType.choices,
                                 help_text=_("inquiry, help, suggestion or complaint"))
    category = RequiredCategory(help_text=_("Category code."))
    title = RequiredText(max_length=200)
    description = RequiredText(max_length=5000)
    subject_unit = _unit()
    files = _files()


class NoteInputSerializer(serializers.Serializer):
    note = _text()


class ReasonInputSerializer(serializers.Serializer):
    reason = RequiredText(_("Shown to the enterprise."))


class UnitNoteInputSerializer(serializers.Serializer):
    unit = RequiredUnit(help_text=_("Id of the unit."))
    note = _text(_("An instruction for the unit; never shown to the enterprise."))


class AnswerInputSerializer(serializers.Serializer):
    answer = RequiredText()
    files = _files()


class ReturnInputSerializer(serializers.Serializer):
    reason = RequiredChoice(ReturnReason.choices)
    note = _text()


class ExtensionRequestInputSerializer(serializers.Serializer):
    until = RequiredDate()
    reason = RequiredText()


class ExtensionDecisionInputSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    until = serializers.DateField(required=False, allow_null=True, default=None,
                                  help_text=_("The new due date; the date asked for if empty."))
    note = _text(_("Required to refuse."))


class QuestionInputSerializer(serializers.Serializer):
    question = RequiredText()


class InformationInputSerializer(serializers.Serializer):
    information = _text()
    files = _files()


class RateInputSerializer(serializers.Serializer):
    score = RequiredScore(help_text=_("1 (very unhappy) to 5 (very satisfied); "
                                                 "1 or 2 sends the case back for redo."))
    comment = _text(_("Required for a score of 1 or 2."))


class InternalNoteInputSerializer(serializers.Serializer):
    note = RequiredText()
    files = _files()
