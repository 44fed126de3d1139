"""Rewards' forms in the admin: only read the request; the services decide."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.cases.forms import ServiceErrorsMixin

from .constants import PaymentMethod
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
