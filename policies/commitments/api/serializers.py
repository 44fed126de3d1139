from django.urls import reverse
from rest_framework import serializers

from policies.models import PolicyStatus

from .. import selectors
from ..constants import ClauseStatus, CommitmentKind


class FulfilmentOut(serializers.Serializer):
    note = serializers.CharField()
    fulfilled_on = serializers.DateField()
    recorded_at = serializers.DateTimeField()
    answer = serializers.CharField()
    answer_reason = serializers.CharField()
    files = serializers.SerializerMethodField()

    def get_files(self, obj) -> list[str]:
        return [f.original_name for f in obj.files.all()]


class ClauseOut(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    text = serializers.CharField()
    due_date = serializers.DateField()
    status = serializers.CharField()
    fulfilled_on = serializers.DateField(allow_null=True)
    fulfilments = FulfilmentOut(many=True, source="fulfilments.all")


class PolicyRefOut(serializers.Serializer):
    """The library's policy a support policy commitment rests on."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    document_number = serializers.CharField()
    status = serializers.ChoiceField(choices=PolicyStatus.choices)
    in_force = serializers.SerializerMethodField(
        help_text="In force today (false when repealed, superseded, expired or not yet in force)."
    )
    page = serializers.SerializerMethodField(help_text="The policy's page on this site (a path).")

    def get_in_force(self, obj) -> bool:
        return selectors.policy_standing(obj) == "in_force"

    def get_page(self, obj) -> str:
        return reverse("policies:detail", args=[obj.pk])


class CommitmentListOut(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    document_number = serializers.CharField()
    policy = PolicyRefOut(
        allow_null=True,
        help_text="Support policies only: the policy in the "
        "library, or null (then the document number names it).",
    )
    unit = serializers.CharField(source="unit.display_name")
    enterprise = serializers.CharField(source="enterprise.name", allow_null=True, default=None)


class CommitmentOut(CommitmentListOut):
    summary = serializers.CharField()
    signed_on = serializers.DateField(allow_null=True)
    clauses = ClauseOut(many=True, source="clauses.all")


class HandledClauseFilterIn(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=ClauseStatus.choices, required=False, help_text="Only clauses in this status."
    )


class HandledClauseOut(serializers.Serializer):
    """A clause of a commitment the official's unit (the department: any unit) is responsible
    for, with what it belongs to."""

    id = serializers.IntegerField()
    number = serializers.IntegerField()
    text = serializers.CharField()
    due_date = serializers.DateField()
    falls_due_on = serializers.DateField(
        allow_null=True,
        help_text="The due date moved past holidays to the next working day; null: the due date.",
    )
    status = serializers.ChoiceField(choices=ClauseStatus.choices)
    fulfilled_on = serializers.DateField(allow_null=True)
    commitment = serializers.IntegerField(source="commitment_id")
    commitment_title = serializers.CharField(source="commitment.title")
    kind = serializers.ChoiceField(choices=CommitmentKind.choices, source="commitment.kind")
    unit = serializers.CharField(source="commitment.unit.display_name")
    enterprise = serializers.CharField(
        source="commitment.enterprise.name", allow_null=True, default=None
    )


class FulfilmentIn(serializers.Serializer):
    """What the responsible unit did to keep a clause, and its evidence."""

    note = serializers.CharField(max_length=5000, help_text="What was done to keep the clause.")
    fulfilled_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="When it was done (today if omitted); never in the future.",
    )
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),
        required=False,
        default=list,
        help_text="Evidence files (multipart only), checked by their content.",
    )


class FulfilmentJsonIn(FulfilmentIn):
    """The JSON form: JSON cannot carry files (multipart can)."""

    files = None


class DisputeIn(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)


class UnitRateOut(serializers.Serializer):
    unit = serializers.CharField(source="display_name")
    code = serializers.CharField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    overdue = serializers.IntegerField()
    disputed = serializers.IntegerField()
    not_due = serializers.IntegerField()
    rate = serializers.FloatField(
        allow_null=True,
        help_text="Percent kept on time among the clauses due; null when none is due.",
    )
