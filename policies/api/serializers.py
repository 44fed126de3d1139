"""Input and output serializers of the policies API (one pair per endpoint)."""

from rest_framework import serializers

from ..models import Guide, Policy, PolicyClause, PolicyStatus


class PolicyListOutputSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.display_name")
    in_force_from = serializers.DateField(source="starts_on")
    in_force_until = serializers.DateField(source="ends_on")

    class Meta:
        model = Policy
        fields = ["id", "title", "document_number", "unit", "status", "version", "issued_on",
                  "in_force_from", "in_force_until"]


class ClauseOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = PolicyClause
        fields = ["number", "text"]


class GuideOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Guide
        fields = ["who_benefits", "conditions", "amount", "how_to_apply", "deadline", "contact"]


class PolicyDetailOutputSerializer(PolicyListOutputSerializer):
    clauses = ClauseOutputSerializer(many=True)
    guide = GuideOutputSerializer(allow_null=True, default=None)
    superseded_by = serializers.IntegerField(source="superseded_by_id", allow_null=True)
    topics = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta(PolicyListOutputSerializer.Meta):
        fields = [*PolicyListOutputSerializer.Meta.fields, "summary", "superseded_by",
                  "topics", "clauses", "guide", "conditions"]


class PolicySearchInputSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=100,
                              help_text="Words, Chinese or not (segmented by jieba).")
    status = serializers.ChoiceField(required=False, allow_blank=True, choices=[
        c for c in PolicyStatus.values if c != "draft"])
    unit = serializers.SlugField(required=False, allow_blank=True, max_length=50)
    topic = serializers.SlugField(required=False, allow_blank=True, max_length=50)
    industry = serializers.RegexField(r"^[A-T]$", required=False, allow_blank=True)
    issued_from = serializers.DateField(required=False)
    issued_to = serializers.DateField(required=False)


class ReasonOutputSerializer(serializers.Serializer):
    condition = serializers.CharField()
    clause = serializers.CharField()


class MissingOutputSerializer(serializers.Serializer):
    fact = serializers.CharField(help_text="The fact's key, e.g. registered_capital or "
                                           "qualification:high-tech.")
    label = serializers.CharField()


class EligibilityOutputSerializer(serializers.Serializer):
    policy = serializers.IntegerField()
    title = serializers.CharField()
    outcome = serializers.ChoiceField(choices=["eligible", "not_eligible", "unknown"])
    reasons = ReasonOutputSerializer(many=True)
    missing = MissingOutputSerializer(many=True)
