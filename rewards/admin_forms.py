"""Rewards' forms in the admin: only read the request; the services decide."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.cases.forms import ServiceErrorsMixin, UnitChoiceField
from portal.orgs.models import Unit

from .constants import NomineeKind, PaymentMethod
from .models import ExclusionCategory, RewardTier


class ProposeForm(ServiceErrorsMixin, forms.Form):
    service_fields = {"not_excluded": "not_excluded", "tier": "tier"}

    report = forms.CharField(label=_("Reference of the verified report"), max_length=20,
                             error_messages={"required": _("Enter the report's reference")})
    tier = forms.ModelChoiceField(label=_("Reward tier"),
                                  queryset=RewardTier.objects.filter(is_active=True),
                                  error_messages={"required": _("Choose a reward tier")})
    not_excluded = forms.MultipleChoiceField(
        label=_("The reporter is not …"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick each category after checking that it does not apply to the "
                    "reporter."))
    note = forms.CharField(label=_("Grounds"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["not_excluded"].choices = list(
            ExclusionCategory.objects.filter(is_active=True).values_list("code", "name"))


class DecideForm(ServiceErrorsMixin, forms.Form):
    title = _("Approve or refuse")
    service_fields = {"amount": None}

    approve = forms.TypedChoiceField(
        label=_("Decision"), widget=forms.RadioSelect, coerce=lambda v: v == "yes",
        choices=[("yes", _("Approve")), ("no", _("Refuse"))],
        error_messages={"required": _("Choose a decision")})
    note = forms.CharField(label=_("Reason (required to refuse)"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))


class PayForm(ServiceErrorsMixin, forms.Form):
    title = _("Record the payment")

    paid_on = forms.DateField(label=_("Paid on"), initial=timezone.localdate,
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                              error_messages={"required": _("Enter the date of payment"),
                                              "invalid": _("Enter a date such as 2026-11-02")})
    payment_method = forms.ChoiceField(label=_("Payment method"), choices=PaymentMethod.choices)
    payment_reference = forms.CharField(label=_("Payment reference"), required=False,
                                        max_length=100)


class NominateForm(ServiceErrorsMixin, forms.Form):
    nominee_kind = forms.ChoiceField(label=_("Nominee"), choices=NomineeKind.choices,
                                     widget=forms.RadioSelect,
                                     error_messages={"required": _("Choose a unit or an "
                                                                   "individual")})
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.filter(is_active=True)
                           .order_by("code"),
                           error_messages={"required": _("Choose the unit")})
    person_name = forms.CharField(label=_("Name of the individual"), required=False,
                                  max_length=100)
    title = forms.CharField(label=_("Reform (Simplified Chinese)"), required=False)
    title_en = forms.CharField(label=_("Reform (English)"), required=False)
    achievement = forms.CharField(label=_("What it achieved (Simplified Chinese)"),
                                  required=False, widget=forms.Textarea(attrs={"rows": 4}))
    achievement_en = forms.CharField(label=_("What it achieved (English)"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 4}))
    evidence = forms.CharField(label=_("Evidence"), required=False,
                               widget=forms.Textarea(attrs={"rows": 4}),
                               help_text=_("Documents, figures and assessments that show it."))
    amount = forms.DecimalField(label=_("Award in yuan (optional)"), required=False,
                                max_digits=10, decimal_places=2)


class AwardDecideForm(ServiceErrorsMixin, forms.Form):
    title = _("Grant or refuse")

    grant = forms.TypedChoiceField(
        label=_("Decision"), widget=forms.RadioSelect, coerce=lambda v: v == "yes",
        choices=[("yes", _("Grant and publish")), ("no", _("Refuse"))],
        error_messages={"required": _("Choose a decision")})
    note = forms.CharField(label=_("Reason (required to refuse)"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))
