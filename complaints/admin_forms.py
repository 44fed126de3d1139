"""The desk's and the investigating unit's forms in the admin. Rules are the services'; these
only read the request, and the admin puts the services' refusals back on them."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.cases.forms import MultipleFileField, ServiceErrorsMixin, UnitChoiceField
from portal.orgs.models import Unit

from .constants import Finding, Misconduct, PublicationKind, Triage


class TriageForm(ServiceErrorsMixin, forms.Form):
    title = _("Triage")
    service_fields = {"duplicate_of": "earlier_reference"}

    decision = forms.ChoiceField(
        label=_("Decision"), widget=forms.RadioSelect,
        choices=[(Triage.ACCEPTED, Triage.ACCEPTED.label),
                 (Triage.NOT_ACCEPTED, Triage.NOT_ACCEPTED.label),
                 (Triage.DUPLICATE, Triage.DUPLICATE.label)],
        error_messages={"required": _("Choose a decision")})
    reason = forms.CharField(label=_("Reason (required when not accepted; the reporter reads "
                                     "it)"), required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))
    earlier_reference = forms.CharField(label=_("Reference of the earlier report (duplicates)"),
                                        required=False, max_length=20)


class AssignForm(ServiceErrorsMixin, forms.Form):
    title = _("Assign to an uninvolved unit")

    unit = UnitChoiceField(label=_("Investigating unit"),
                           queryset=Unit.objects.filter(is_active=True).order_by("code"),
                           error_messages={"required": _("Choose the unit that will "
                                                         "investigate")})
    note = forms.CharField(label=_("Instruction to the unit (internal)"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class FindingForm(ServiceErrorsMixin, forms.Form):
    title = _("Record the finding")
    service_fields = {"files": "attachments", "answer": "reasoning"}

    finding = forms.ChoiceField(label=_("Finding"), choices=Finding.choices,
                                widget=forms.RadioSelect,
                                error_messages={"required": _("Choose the finding")})
    reasoning = forms.CharField(label=_("Reasoning"), required=False,
                                widget=forms.Textarea(attrs={"rows": 5}),
                                help_text=_("What was checked and what it showed. The reporter "
                                            "reads it."))
    attachments = MultipleFileField(label=_("Files (optional)"))


class IdentityAskForm(ServiceErrorsMixin, forms.Form):
    title = _("Ask to know who reported")

    reason = forms.CharField(label=_("Why do you need it?"), required=False,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("A supervisor other than you decides. Every request, "
                                         "decision and viewing is kept and written to the "
                                         "ledger."))


class IdentityDecideForm(ServiceErrorsMixin, forms.Form):
    title = _("Decide")
    service_fields = {"decision_reason": "reason"}

    approve = forms.TypedChoiceField(
        label=_("Decision"), widget=forms.RadioSelect, coerce=lambda v: v == "yes",
        choices=[("yes", _("Approve: show the identity to the asker for 24 hours")),
                 ("no", _("Refuse"))],
        error_messages={"required": _("Choose a decision")})
    reason = forms.CharField(label=_("Reason"), required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))


class PublicationDraftForm(ServiceErrorsMixin, forms.Form):
    service_fields = {"complaint": "report"}

    kind = forms.ChoiceField(label=_("Kind"), choices=PublicationKind.choices,
                             widget=forms.RadioSelect,
                             error_messages={"required": _("Choose a negative or an excellent "
                                                           "case")})
    report = forms.CharField(label=_("Reference of the verified report (negative cases)"),
                             required=False, max_length=20)
    unit = UnitChoiceField(label=_("Unit (excellent cases; a negative one takes the report's)"),
                           required=False,
                           queryset=Unit.objects.filter(is_active=True).order_by("code"))
    misconduct = forms.ChoiceField(label=_("Misconduct"), required=False,
                                   choices=[("", "—"), *Misconduct.choices])
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100,
                              error_messages={"required": _("Enter the year")})
    title = forms.CharField(label=_("Title (Simplified Chinese)"), required=False)
    title_en = forms.CharField(label=_("Title (English)"), required=False)
    text = forms.CharField(label=_("Text (Simplified Chinese)"), required=False,
                           widget=forms.Textarea(attrs={"rows": 6}),
                           help_text=_("De-identified: never the reporter's name, phone, "
                                       "e-mail or enterprise. Traditional Chinese is converted "
                                       "from it."))
    text_en = forms.CharField(label=_("Text (English)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 6}))


class PublicationApproveForm(ServiceErrorsMixin, forms.Form):
    title = _("Approve and publish")

    confirm = forms.BooleanField(label=_("I have read the text: it is accurate and names no "
                                         "reporter"),
                                 error_messages={"required": _("Confirm that you have read "
                                                               "the text")})
