"""Input and output serializers of the policies API (one pair per endpoint)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..models import Guide, Policy, PolicyClause, PolicyStatus, Topic


class PolicyListOutputSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.display_name")
    in_force_from = serializers.DateField(source="starts_on")
    in_force_until = serializers.DateField(source="ends_on")

    class Meta:
        model = Policy
        fields = [
            "id",
            "title",
            "document_number",
            "unit",
            "status",
            "version",
            "issued_on",
            "in_force_from",
            "in_force_until",
        ]


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
        fields = [
            *PolicyListOutputSerializer.Meta.fields,
            "summary",
            "superseded_by",
            "topics",
            "clauses",
            "guide",
            "conditions",
        ]


class PolicySearchInputSerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="Words, Chinese or not (segmented by jieba).",
    )
    status = serializers.ChoiceField(
        required=False, allow_blank=True, choices=[c for c in PolicyStatus.values if c != "draft"]
    )
    unit = serializers.SlugField(required=False, allow_blank=True, max_length=50)
    topic = serializers.SlugField(required=False, allow_blank=True, max_length=50)
    industry = serializers.RegexField(r"^[A-T]$", required=False, allow_blank=True)
    issued_from = serializers.DateField(required=False)
    issued_to = serializers.DateField(required=False)


class ReasonOutputSerializer(serializers.Serializer):
    condition = serializers.CharField()
    clause = serializers.CharField()


class MissingOutputSerializer(serializers.Serializer):
    fact = serializers.CharField(
        help_text="The fact's key, e.g. registered_capital or qualification:high-tech."
    )
    label = serializers.CharField()


class EligibilityOutputSerializer(serializers.Serializer):
    policy = serializers.IntegerField()
    title = serializers.CharField()
    outcome = serializers.ChoiceField(choices=["eligible", "not_eligible", "unknown"])
    reasons = ReasonOutputSerializer(many=True)
    missing = MissingOutputSerializer(many=True)


class FactSupplyInputSerializer(serializers.Serializer):
    """One missing fact, as the policy page's form supplies it (policies.services.fact_supply)."""

    key = serializers.CharField(
        max_length=100,
        help_text="A fact the eligibility reports missing: registered_capital, founded_on, "
        "street, park, ownership, industry_division, qualification:<code> or "
        "declared:<id>.",
    )
    value = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="A figure's value (capital in 10,000 yuan, a date as YYYY-MM-DD, a "
        "two-digit division, …).",
    )
    holds = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="A qualification or a declaration: held / true or not.",
    )
    certificate = serializers.FileField(
        required=False,
        help_text="The qualification's certificate (PDF or image), needed when it is held.",
    )

    def validate(self, data):
        # As the page's form: a yes/no fact needs its answer (the service would read a missing
        # answer to a qualification as "not held").
        kind = data["key"].partition(":")[0]
        if kind in ("qualification", "declared") and data.get("holds") is None:
            raise serializers.ValidationError({"holds": _("Answer yes or no.")})
        return data


class FactSupplyJsonInputSerializer(FactSupplyInputSerializer):
    """The same in JSON: a figure or an answer (a certificate comes as multipart/form-data)."""

    certificate = None


class NotRelevantInputSerializer(serializers.Serializer):
    not_relevant = serializers.BooleanField(
        help_text="true: the policy leaves “policies for me”; false: it is relevant again."
    )


class NotRelevantOutputSerializer(serializers.Serializer):
    policy = serializers.IntegerField()
    not_relevant = serializers.BooleanField()


class SubscriptionInputSerializer(serializers.Serializer):
    topic = serializers.SlugRelatedField(
        slug_field="code", queryset=Topic.objects.all(), help_text="The topic's code."
    )
    subscribed = serializers.BooleanField()


class SubscriptionOutputSerializer(serializers.Serializer):
    topic = serializers.CharField(help_text="The topic's code.")
    subscribed = serializers.BooleanField()
