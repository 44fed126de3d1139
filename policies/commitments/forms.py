from django import forms
from django.utils.translation import gettext_lazy as _

from portal.cases.forms import MultipleFileField, ServiceErrorsMixin


class DisputeForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why do you dispute it?"), widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text=_("Say what was promised and what happened instead; the unit and the "
                    "department read it."),
        error_messages={"required": _("Say why you dispute the fulfilment, so the unit can act "
                                      "on it.")})


class FulfilmentForm(ServiceErrorsMixin, forms.Form):
    """The official's evidence of fulfilment (admin)."""

    note = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 5}),
                           error_messages={"required": _("Say what was done to keep this "
                                                         "commitment.")})
    fulfilled_on = forms.DateField(label=_("Fulfilled on"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}),
                                   help_text=_("Leave empty for today."))
    files = MultipleFileField(label=_("Evidence files"))
