"""Forms of the reporter's pages. They only read the request: the rules are the services', and
the views put the services' refusals back on these forms (`add_service_errors`)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.cases.forms import (
    MultipleFileField,
    ServiceErrorsMixin,
    UnitChoiceField,
    attachments_help,
)
from portal.orgs.models import Unit

from .constants import Misconduct, PublicationKind

SCORE_CHOICES = [
    (5, _("5 — very satisfied")),
    (4, _("4 — satisfied")),
    (3, _("3 — acceptable")),
    (2, _("2 — unhappy")),
    (1, _("1 — very unhappy")),
]


class ComplaintForm(ServiceErrorsMixin, forms.Form):
    """Report conduct that harms the business environment (投诉举报)."""

    service_fields = {"files": "attachments", "facts": "facts"}

    accused_unit = UnitChoiceField(
        label=_("Which unit is it about?"), queryset=Unit.objects.filter(is_active=True)
        .exclude(kind=Unit.Kind.DEPARTMENT).order_by("code"),
        empty_label=_("Choose…"),
        error_messages={"required": _("Choose the unit whose conduct you report")},
    )
    official_name = forms.CharField(
        label=_("Name of the official (optional)"), max_length=100, required=False,
        help_text=_("If you know who it was."))
    misconduct = forms.ChoiceField(
        label=_("What kind of misconduct was it?"), choices=Misconduct.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what kind of misconduct it was")})
    title = forms.CharField(label=_("In one line"), max_length=200,
                            error_messages={"required": _("Enter one line saying what "
                                                          "happened")})
    facts = forms.CharField(
        label=_("What happened"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Describe what happened")},
        help_text=_("Who did what, when and where, and what it cost you. Do not write your own "
                    "name here if you want to stay anonymous."))
    occurred_on = forms.DateField(
        label=_("When did it happen? (optional)"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date such as 2026-11-02")})
    place = forms.CharField(label=_("Where did it happen? (optional)"), max_length=200,
                            required=False)
    attachments = MultipleFileField(label=_("Evidence (optional)"))

    def __init__(self, *args, named: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = attachments_help()
        if named:
            self.fields["phone"] = forms.CharField(
                label=_("Phone for the investigators (optional)"), max_length=30,
                required=False, help_text=_("Only the complaint desk sees it."))
            self.fields["anonymous"] = forms.BooleanField(
                label=_("File this report anonymously instead"), required=False,
                help_text=_("Your name is then not kept at all; you follow the report with a "
                            "receipt code, and it cannot be rewarded."))


class ReceiptSavedForm(forms.Form):
    saved = forms.BooleanField(
        label=_("I have saved my receipt code"),
        error_messages={"required": _("Confirm that you have saved the receipt code: it "
                                      "cannot be shown again")})


class FollowForm(forms.Form):
    reference = forms.CharField(label=_("Reference"), max_length=20,
                                help_text=_("For example YS-2026-000123."),
                                error_messages={"required": _("Enter the reference of your "
                                                              "report")})
    code = forms.CharField(label=_("Receipt code"), max_length=40,
                           widget=forms.PasswordInput(render_value=False,
                                                      attrs={"autocomplete": "off",
                                                             "inputmode": "numeric"}),
                           help_text=_("The 16 digits you received when you filed the report."),
                           error_messages={"required": _("Enter your receipt code")})


class AnswerForm(ServiceErrorsMixin, forms.Form):
    service_fields = {"files": "attachments"}

    information = forms.CharField(label=_("Your answer"), max_length=5000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 5}))
    attachments = MultipleFileField(label=_("Files (optional)"))


class MaterialForm(ServiceErrorsMixin, forms.Form):
    service_fields = {"files": "attachments", "note": "note"}

    note = forms.CharField(label=_("What do you want to add?"), max_length=5000, required=False,
                           widget=forms.Textarea(attrs={"rows": 4}))
    attachments = MultipleFileField(label=_("Evidence (optional)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = attachments_help()


class RateForm(ServiceErrorsMixin, forms.Form):
    service_fields = {"score": "score", "comment": "comment"}

    score = forms.TypedChoiceField(
        label=_("How satisfied are you with the outcome?"), choices=SCORE_CHOICES, coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a score from 1 (very unhappy) to 5 "
                                      "(very satisfied).")})
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required for a score of 1 or 2: say what is still unresolved."))


class RetaliationForm(ServiceErrorsMixin, forms.Form):
    """Report retaliation suffered for a closed report (打击报复)."""

    service_fields = {"files": "attachments"}

    title = forms.CharField(label=_("In one line"), max_length=200,
                            error_messages={"required": _("Enter one line saying what "
                                                          "happened")})
    facts = forms.CharField(label=_("What happened"), max_length=5000,
                            widget=forms.Textarea(attrs={"rows": 5}),
                            error_messages={"required": _("Describe the retaliation")})
    attachments = MultipleFileField(label=_("Evidence (optional)"))


def _years():
    import datetime

    this = datetime.date.today().year
    return [("", _("Any year"))] + [(str(y), str(y)) for y in range(this, this - 6, -1)]


class PublishedFilterForm(forms.Form):
    """The filters of the public list of published cases (read from the query string)."""

    unit = UnitChoiceField(label=_("Unit"), required=False, empty_label=_("Any unit"),
                           queryset=Unit.objects.filter(is_active=True).order_by("code"))
    kind = forms.ChoiceField(label=_("Kind"), required=False,
                             choices=[("", _("Negative and excellent")), *PublicationKind.choices])
    misconduct = forms.ChoiceField(label=_("Misconduct"), required=False,
                                   choices=[("", _("Any type")), *Misconduct.choices])
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None,
                                  choices=_years)
