from rest_framework import serializers


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


class CommitmentListOut(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    document_number = serializers.CharField()
    unit = serializers.CharField(source="unit.display_name")
    enterprise = serializers.CharField(source="enterprise.name", allow_null=True, default=None)


class CommitmentOut(CommitmentListOut):
    summary = serializers.CharField()
    signed_on = serializers.DateField(allow_null=True)
    clauses = ClauseOut(many=True, source="clauses.all")


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
    rate = serializers.FloatField(allow_null=True, help_text="Percent kept on time among the "
                                  "clauses due; null when none is due.")
