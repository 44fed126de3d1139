"""Forms of the enterprise's appeal pages. They only read the request: every rule (attachments
by content, required comment on an unhappy rating, allowed states) is the services' job, and the
views put the services' refusals back on these forms (`add_service_errors`)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.cases.constants import Status
from portal.cases.forms import (
    CategoryChoiceField,
    MultipleFileField,
    ServiceErrorsMixin,
    UnitChoiceField,
    attachments_help,
)
from portal.cases.selectors import categories_for_choice
from portal.orgs.models import Unit

from .constants import AppealType


class AppealForm(ServiceErrorsMixin, forms.Form):
    """File an appeal (诉求) for one's enterprise."""

    service_fields = {"files": "attachments", "subtype": "appeal_type"}

    appeal_type = forms.ChoiceField(
        label=_("What kind of appeal is it?"), choices=AppealType.choices,
        error_messages={"required": _("Choose the kind of appeal")},
        widget=forms.RadioSelect,
    )
    category = CategoryChoiceField(
        label=_("Category"), queryset=categories_for_choice(), empty_label=_("Choose…"),
        error_messages={"required": _("Choose the category your appeal is about")},
        help_text=_("The area your appeal is about; it helps the department send it to the "
                    "right unit."),
    )
    title = forms.CharField(label=_("Title"), max_length=200,
                            error_messages={"required": _("Enter a title for your appeal")},
                            help_text=_("One line saying what the appeal is about."))
    description = forms.CharField(
        label=_("Description"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Describe the problem you want the government to solve")},
        help_text=_("What happened, what you have tried, and what you would like the "
                    "government to do."),
    )
    subject_unit = UnitChoiceField(
        label=_("Unit the appeal is about (optional)"), required=False,
        queryset=Unit.objects.filter(is_active=True).order_by("code"),
        empty_label=_("None in particular"),
        help_text=_("If you complain about a unit's service, choose it here: that unit will "
                    "never be the one to handle your appeal."),
    )
    attachments = MultipleFileField(label=_("Attachments (optional)"))

    field_order = ["appeal_type", "category", "title", "description",
                   "subject_unit", "attachments"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = attachments_help()


class ProvideInfoForm(ServiceErrorsMixin, forms.Form):
    """Answer the responsible unit's question."""

    service_fields = {"files": "attachments"}

    information = forms.CharField(
        label=_("Your answer to the unit"), max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}), required=False,
    )
    attachments = MultipleFileField(label=_("Attachments (optional)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = attachments_help()


class SupplementForm(ServiceErrorsMixin, forms.Form):
    """Add a note or files to an open appeal (补充材料). Prefixed: it shares the page with the
    answer to the unit's question, whose files field would otherwise take the same id."""

    prefix = "supplement"

    service_fields = {"files": "attachments", "note": "note"}

    note = forms.CharField(
        label=_("What to add"), max_length=5000, required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("A note, files, or both. The unit sees it on the timeline."),
    )
    attachments = MultipleFileField(label=_("Files (optional)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = attachments_help()


SCORE_CHOICES = [
    (5, _("5 — very satisfied")),
    (4, _("4 — satisfied")),
    (3, _("3 — acceptable")),
    (2, _("2 — unhappy")),
    (1, _("1 — very unhappy")),
]


class RateForm(ServiceErrorsMixin, forms.Form):
    """Rate the answer from 1 to 5; 1 or 2 sends the case back to the unit for redo (重办)."""

    service_fields = {"score": "score", "comment": "comment"}

    score = forms.TypedChoiceField(
        label=_("How satisfied are you with the answer?"), choices=SCORE_CHOICES, coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a score from 1 (very unhappy) to 5 "
                                      "(very satisfied)."),
                        "invalid_choice": _("Choose a score from 1 (very unhappy) to 5 "
                                            "(very satisfied).")},
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required for a score of 1 or 2: say what is still unresolved, and the "
                    "unit will work on it again."),
    )


STATUS_FILTER_CHOICES = [("", _("All statuses")), *Status.choices]


class CaseFilterForm(forms.Form):
    """The filters of "My cases" (read from the query string)."""

    status = forms.ChoiceField(label=_("Status"), choices=STATUS_FILTER_CHOICES, required=False,
                               error_messages={"invalid_choice": _(
                                   "Choose a status from the list.")})
    overdue = forms.BooleanField(label=_("Only overdue cases"), required=False)
