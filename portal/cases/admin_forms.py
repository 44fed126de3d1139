"""Forms of the case admin: one form per transition an official or the department may take,
and the forms of the supervision (督办), pain-point and dashboard pages.

Each transition form knows the one engine service it calls (`submit`), the action of the
transition table it stands for (`action`) and who may take it (`allowed_for`: the very
permissions.py function its service requires, and nothing more, so the admin offers a step
exactly when the service, the pages and the API would take it). Which steps are offered now is
`steps_available` — the transition table plus those functions, nothing else. The forms leave every business rule to the services: a field
the engine requires is marked required on the page, but its refusal message (and the refusal
of a step not allowed in the current state) comes from the service, so the rules live in one
place.
"""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from portal.orgs.models import Unit

from . import permissions, selectors, services
from .constants import Action, ReturnReason, Status
from .forms import MultipleFileField
from .kinds import kind_spec
from .models import Case


def _textarea(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "cols": 80})


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def unit_choices(*, exclude=()) -> list[tuple[str, str]]:
    """Return the active units as select choices, in one query."""
    units = Unit.objects.filter(is_active=True).exclude(pk__in=[u for u in exclude if u])
    return [("", _("Choose a unit…"))] + [(str(u.pk), str(u)) for u in units.order_by("code")]


class UnitChoiceField(forms.ChoiceField):
    """A unit chosen from precomputed choices (no query per rendered form)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        unit = Unit.objects.filter(pk=value).first()
        if unit is None:
            raise ValidationError(_("Choose a unit from the list."), code="invalid_choice")
        return unit


class ServiceErrorsMixin:
    """Show a service's refusal on the form, next to the field it names."""

    def add_service_error(self, exc: Exception) -> None:
        error_dict = getattr(exc, "error_dict", None)
        if error_dict is None:
            messages = getattr(exc, "messages", None) or [str(exc) or gettext(
                "You are not allowed to do this.")]
            for message in messages:
                self.add_error(None, message)
            return
        for field, errors in error_dict.items():
            target = field if field in self.fields else None
            for error in errors:
                self.add_error(target, error)


# --- transitions ----------------------------------------------------------------------------

class StepForm(ServiceErrorsMixin, forms.Form):
    """A transition taken from the case's admin page, through exactly one service."""

    slug = ""  # in the URL: /admin/cases/case/<pk>/step/<slug>/
    action = ""  # the Action (of the case's kind's transition table) this step takes
    title = ""  # the link in the Actions box and the page heading
    intro = ""  # one sentence on what happens
    submit_label = _("Save")
    success = ""  # "%(ref)s" is the case's reference
    # Fields the engine requires: marked required on the page; the service tells what is missing.
    required_by_engine: tuple[str, ...] = ()
    has_files = False
    do_not_call_in_templates = True  # templates read the class's title and slug

    def __init__(self, *args, case: Case, user, **kwargs):
        self.case = case
        self.user = user
        super().__init__(*args, **kwargs)
        for name in self.required_by_engine:
            self.fields[name].widget.attrs["aria-required"] = "true"

    @classmethod
    def allowed_for(cls, user, case) -> bool:
        """May `user` take this step on `case` at all (whatever its state)? The same rule the
        step's service requires (permissions.STEP_RULES)."""
        return permissions.may_take(user, case, cls.action)

    @classmethod
    def possible_now(cls, case) -> bool:
        allowed = kind_spec(case.kind).transition(cls.action)
        return allowed is not None and case.status in allowed.sources

    def submit(self):
        """Call the step's service with the cleaned data; return what it returns."""
        raise NotImplementedError

    def success_message(self) -> str:
        return str(self.success) % {"ref": self.case.reference}


class SignForForm(StepForm):
    slug, action = "sign-for", Action.SIGN_FOR
    title = _("Sign for")
    intro = _("Sign for (签收) the case: your unit's clock starts today and the due date is set.")
    submit_label = _("Sign for the case")
    success = _("You signed for %(ref)s.")

    def submit(self):
        return services.case_sign_for(case=self.case, actor=self.user)


class StartForm(StepForm):
    slug, action = "start", Action.START
    title = _("Start work")
    intro = _("Tell the enterprise that your unit is working on the case.")
    submit_label = _("Start work")
    success = _("Work on %(ref)s has started.")

    note = forms.CharField(label=_("Note for the enterprise (optional)"), required=False,
                           widget=_textarea(3))

    def submit(self):
        return services.case_start(case=self.case, actor=self.user,
                                   note=self.cleaned_data["note"])


class AnswerForm(StepForm):
    slug, action = "answer", Action.ANSWER
    title = _("Answer")
    intro = _("Send the answer to the enterprise; it is then asked to rate it.")
    submit_label = _("Send the answer")
    success = _("The answer to %(ref)s was sent.")
    required_by_engine = ("answer",)
    has_files = True
    USE_TEMPLATE = "use_template"  # name of the submit button that inserts a template

    template = forms.ChoiceField(
        label=_("Reply template"), required=False,
        help_text=_("Choose a template and press “Insert the template”: its text is added to "
                    "the answer below, where you can complete it before sending."),
    )
    answer = forms.CharField(label=_("Answer"), required=False, widget=_textarea(10),
                             strip=False)
    files = MultipleFileField(
        label=_("Attachments (optional)"),
        help_text=_("PDF, PNG, JPEG, Word (.docx), Excel (.xlsx) or plain text."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        templates = list(selectors.reply_templates_for(user=self.user).order_by("title"))
        self.templates = {str(t.pk): t for t in templates}
        self.fields["template"].choices = [("", _("Choose a template…"))] + [
            (str(t.pk), t.title if t.unit_id else gettext("%(title)s (shared)")
             % {"title": t.title}) for t in templates]

    def with_template(self, data) -> dict:
        """Return the initial data of the form re-shown with the chosen template inserted."""
        chosen = self.templates.get(data.get("template") or "")
        text = (data.get("answer") or "").rstrip()
        if chosen is not None:
            text = f"{text}\n\n{chosen.body}" if text else chosen.body
        return {"answer": text, "template": data.get("template") or ""}

    def submit(self):
        return services.case_answer(case=self.case, actor=self.user,
                                    answer=self.cleaned_data["answer"],
                                    files=self.cleaned_data["files"])


class RequestInfoForm(StepForm):
    slug, action = "request-info", Action.REQUEST_INFO
    title = _("Ask the enterprise")
    intro = _("Ask the enterprise for information. Your clock pauses until it answers.")
    submit_label = _("Send the question")
    success = _("Your question on %(ref)s was sent to the enterprise.")
    required_by_engine = ("question",)

    question = forms.CharField(label=_("Question"), required=False, widget=_textarea(5))

    def submit(self):
        return services.case_request_info(case=self.case, actor=self.user,
                                          question=self.cleaned_data["question"])


class RequestExtensionForm(StepForm):
    slug, action = "request-extension", Action.REQUEST_EXTENSION
    title = _("Ask for an extension")
    intro = _("Ask the department for more time. The clock keeps running until it decides.")
    submit_label = _("Ask for the extension")
    success = _("Your extension request for %(ref)s was sent to the department.")
    required_by_engine = ("until", "reason")

    until = forms.DateField(label=_("New due date"), required=False, widget=_date_input())
    reason = forms.CharField(label=_("Why more time is needed"), required=False,
                             widget=_textarea(4))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.case.due_date:
            self.fields["until"].help_text = gettext("The current due date is %(date)s.") % {
                "date": date_format(self.case.due_date, "DATE_FORMAT")}

    def submit(self):
        return services.case_request_extension(case=self.case, actor=self.user,
                                               until=self.cleaned_data["until"],
                                               reason=self.cleaned_data["reason"])


class ReturnForm(StepForm):
    slug, action = "return", Action.RETURN
    title = _("Return (退单)")
    intro = _("Hand the case back to the department for reassignment. It leaves your queue.")
    submit_label = _("Return the case")
    success = _("%(ref)s was returned to the department.")
    required_by_engine = ("reason",)

    reason = forms.ChoiceField(label=_("Reason"), required=False,
                               choices=[("", _("Choose a reason…")), *ReturnReason.choices])
    note = forms.CharField(label=_("Explanation"), required=False, widget=_textarea(4),
                           help_text=_("Required when the reason is “Other reason”."))

    def submit(self):
        return services.case_return(case=self.case, actor=self.user,
                                    reason=self.cleaned_data["reason"],
                                    note=self.cleaned_data["note"])


class TransferForm(StepForm):
    slug, action = "transfer", Action.TRANSFER
    title = _("Transfer (转办)")
    intro = _("Send the case to another unit, which signs for it and starts its own clock.")
    submit_label = _("Transfer the case")
    success = _("%(ref)s was transferred.")
    required_by_engine = ("unit",)

    unit = UnitChoiceField(label=_("To unit"))
    note = forms.CharField(label=_("Instruction to the new unit (internal)"), required=False,
                           widget=_textarea(3))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = unit_choices(exclude=[self.case.responsible_unit_id])


    def submit(self):
        return services.case_transfer(case=self.case, actor=self.user,
                                      unit=self.cleaned_data["unit"],
                                      note=self.cleaned_data["note"])


class NoteForm(StepForm):
    slug, action = "note", Action.NOTE
    title = _("Internal note")
    intro = _("Add a note for the government side. The enterprise never sees it.")
    submit_label = _("Add the note")
    success = _("Your internal note was added to %(ref)s.")
    required_by_engine = ("note",)
    has_files = True

    note = forms.CharField(label=_("Note"), required=False, widget=_textarea(5))
    files = MultipleFileField(
        label=_("Attachments (optional)"),
        help_text=_("PDF, PNG, JPEG, Word (.docx), Excel (.xlsx) or plain text."),
    )


    def submit(self):
        return services.case_add_internal_note(case=self.case, actor=self.user,
                                               note=self.cleaned_data["note"],
                                               files=self.cleaned_data["files"])


class AcceptForm(StepForm):
    slug, action = "accept", Action.ACCEPT
    title = _("Accept")
    intro = _("Accept (受理) the appeal. It then waits to be assigned to a unit.")
    submit_label = _("Accept the appeal")
    success = _("%(ref)s was accepted.")

    note = forms.CharField(label=_("Note for the enterprise (optional)"), required=False,
                           widget=_textarea(3))

    def submit(self):
        return services.case_accept(case=self.case, actor=self.user,
                                    note=self.cleaned_data["note"])


class RejectForm(StepForm):
    slug, action = "reject", Action.REJECT
    title = _("Do not accept")
    intro = _("Decline the appeal. The enterprise is told why; the case is closed.")
    submit_label = _("Do not accept the appeal")
    success = _("%(ref)s was not accepted.")
    required_by_engine = ("reason",)

    reason = forms.CharField(label=_("Reason, shown to the enterprise"), required=False,
                             widget=_textarea(4))

    def submit(self):
        return services.case_reject(case=self.case, actor=self.user,
                                    reason=self.cleaned_data["reason"])


class AssignForm(StepForm):
    slug, action = "assign", Action.ASSIGN
    title = _("Assign (派单)")
    intro = _("Assign the case to the unit that will handle it; the unit then signs for it.")
    submit_label = _("Assign the case")
    success = _("%(ref)s was assigned.")
    required_by_engine = ("unit",)

    unit = UnitChoiceField(label=_("Unit"))
    note = forms.CharField(label=_("Instruction to the unit (internal)"), required=False,
                           widget=_textarea(3))

    def __init__(self, *args, suggestion=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.suggestion = suggestion
        self.fields["unit"].choices = unit_choices()
        if suggestion is not None and not self.is_bound:
            self.initial.setdefault("unit", str(suggestion.unit.pk))

    def submit(self):
        return services.case_assign(case=self.case, actor=self.user,
                                    unit=self.cleaned_data["unit"],
                                    note=self.cleaned_data["note"])


class SplitForm(StepForm):
    slug, action = "split", Action.SPLIT
    title = _("Assign to several units (交办)")
    intro = _("Each unit gets its own part of the case, with its own deadline, answer and "
              "rating; the case is answered when the units have answered.")
    submit_label = _("Assign to these units")
    success = _("%(ref)s was assigned to several units.")
    required_by_engine = ("units",)

    units = forms.ModelMultipleChoiceField(
        label=_("Units"), queryset=Unit.objects.filter(is_active=True).order_by("code"),
        widget=forms.CheckboxSelectMultiple, required=False,
    )
    note = forms.CharField(label=_("Instruction to the units (internal)"), required=False,
                           widget=_textarea(3))

    @classmethod
    def possible_now(cls, case) -> bool:
        return case.spec.parts and super().possible_now(case)

    def submit(self):
        services.case_split(case=self.case, actor=self.user,
                            units=list(self.cleaned_data["units"]),
                            note=self.cleaned_data["note"])
        return self.case


class ExtensionDecisionForm(StepForm):
    slug, action = "decide-extension", Action.APPROVE_EXTENSION
    title = _("Decide the extension")
    intro = _("Approve or refuse the unit's request for more time.")
    submit_label = _("Record the decision")
    success = _("The extension request on %(ref)s was decided.")
    APPROVE, REFUSE = "approve", "refuse"

    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect,
                                 choices=[(APPROVE, _("Approve")), (REFUSE, _("Refuse"))])
    until = forms.DateField(label=_("New due date"), required=False, widget=_date_input(),
                            help_text=_("Leave as asked, or choose another date."))
    note = forms.CharField(label=_("Note"), required=False, widget=_textarea(3),
                           help_text=_("Required when you refuse: tell the unit why. An "
                                       "approval's note is shown to the enterprise."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("until", self.case.extension_requested_until)

    def submit(self):
        return services.case_decide_extension(
            case=self.case, actor=self.user,
            approve=self.cleaned_data["decision"] == self.APPROVE,
            note=self.cleaned_data["note"], until=self.cleaned_data["until"])


class CloseForm(StepForm):
    slug, action = "close", Action.CLOSE
    title = pgettext_lazy("case step", "Close")
    intro = _("Close the answered case without waiting for the enterprise's rating, e.g. when "
              "it has confirmed by telephone that the problem is solved.")
    submit_label = _("Close the case")
    success = _("%(ref)s was closed.")

    note = forms.CharField(label=_("Note for the enterprise (optional)"), required=False,
                           widget=_textarea(3))

    def submit(self):
        return services.case_close(case=self.case, actor=self.user,
                                   note=self.cleaned_data["note"])


class SuperviseForm(StepForm):
    slug, action = "supervise", Action.SUPERVISE
    title = _("Supervise (督办)")
    intro = _("Open a supervision item on this case, with a target and a deadline for the "
              "responsible unit.")
    submit_label = _("Open the supervision item")
    success = _("A supervision item was opened on %(ref)s.")
    required_by_engine = ("target", "due_date")

    target = forms.CharField(label=_("Target"), required=False, widget=_textarea(3))
    due_date = forms.DateField(label=_("Due by"), required=False, widget=_date_input())


    def submit(self):
        return services.supervision_open(actor=self.user, case=self.case,
                                         target=self.cleaned_data["target"],
                                         due_date=self.cleaned_data["due_date"])


# The order of the Actions box: the unit's usual path first, then the department's.
STEP_FORMS: dict[str, type[StepForm]] = {form.slug: form for form in (
    SignForForm, StartForm, AnswerForm, RequestInfoForm, RequestExtensionForm, ReturnForm,
    AcceptForm, RejectForm, AssignForm, SplitForm, ExtensionDecisionForm, CloseForm, TransferForm,
    SuperviseForm, NoteForm,
)}


def steps_available(*, user, case: Case) -> list[type[StepForm]]:
    """Return the steps `user` may take on `case` now: transition table plus permissions."""
    own = case.spec.own_steps  # the kind's own forms take these (e.g. a complaint's finding)
    return [form for form in STEP_FORMS.values()
            if form.action not in own and form.possible_now(case) and form.allowed_for(user, case)]


def step_refusal(form_class: type[StepForm], case: Case) -> str:
    """Return why a step cannot be taken in the case's current state ('' if it can)."""
    if form_class.possible_now(case):
        return ""
    return gettext("This step is not possible while the case is “%(status)s”.") % {
        "status": Status(case.status).label}


# --- bulk sign-for, supervision, pain points, dashboard ---------------------------------------

class SupervisionOpenForm(ServiceErrorsMixin, forms.Form):
    """Open a supervision item (督办) by hand: on a case, or on a unit's work in general."""

    reference = forms.CharField(
        label=_("Case reference number"), required=False, max_length=30,
        help_text=_("For example YS-2026-000123. Leave empty to supervise a unit's work in "
                    "general."),
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}))
    unit = UnitChoiceField(label=_("Responsible unit"),
                           help_text=_("Leave empty to use the case's responsible unit."))
    target = forms.CharField(label=_("Target"), required=False, widget=_textarea(3))
    due_date = forms.DateField(label=_("Due by"), required=False, widget=_date_input())
    required_by_engine = ("target", "due_date")

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = unit_choices()
        for name in self.required_by_engine:
            self.fields[name].widget.attrs["aria-required"] = "true"

    def clean_reference(self):
        reference = self.cleaned_data["reference"].strip().upper()
        if not reference:
            return None
        case = selectors.case_list_visible_to(user=self.user).filter(reference=reference).first()
        if case is None:
            raise ValidationError(_("No case has the reference number %(ref)s."),
                                  params={"ref": reference}, code="not_found")
        return case

    def submit(self):
        return services.supervision_open(actor=self.user, case=self.cleaned_data["reference"],
                                         unit=self.cleaned_data["unit"],
                                         target=self.cleaned_data["target"],
                                         due_date=self.cleaned_data["due_date"])


class SupervisionCloseForm(ServiceErrorsMixin, forms.Form):
    note = forms.CharField(label=_("Outcome"), required=False, widget=_textarea(4),
                           help_text=_("What was achieved, and how the unit responded."))
    required_by_engine = ("note",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].widget.attrs["aria-required"] = "true"


def last_quarter(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """Return the first and last day of the calendar quarter before `today`'s."""
    today = today or timezone.localdate()
    first_month = 3 * ((today.month - 1) // 3) + 1
    this_quarter = today.replace(month=first_month, day=1)
    end = this_quarter - datetime.timedelta(days=1)
    start = end.replace(month=3 * ((end.month - 1) // 3) + 1, day=1)
    return start, end


class PeriodForm(forms.Form):
    """A period [start, end] chosen on a report page (GET)."""

    MAX_DAYS = 3 * 366

    start = forms.DateField(label=_("From"), widget=_date_input())
    end = forms.DateField(label=_("To"), widget=_date_input())

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                raise ValidationError(_("The end of the period must not be before its start."),
                                      code="order")
            if (end - start).days > self.MAX_DAYS:
                raise ValidationError(_("Choose a period of at most three years."),
                                      code="too_long")
        return cleaned


class PainPointPeriodForm(PeriodForm):
    category = forms.ChoiceField(label=_("Category"), required=False)

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = {str(c.pk): c for c in categories}
        self.fields["category"].choices = [("", _("All categories"))] + [
            (str(c.pk), f"— {c.name}" if c.parent_id else c.name) for c in categories]

    def clean_category(self):
        return self.categories.get(self.cleaned_data["category"] or "")


class PainPointSupervisionForm(ServiceErrorsMixin, forms.Form):
    """Turn one pain-point group into a supervision item (Art. 6(1))."""

    category = forms.CharField(widget=forms.HiddenInput, required=False)
    topic = forms.CharField(widget=forms.HiddenInput, required=False, strip=False)
    period_start = forms.DateField(widget=forms.HiddenInput)
    period_end = forms.DateField(widget=forms.HiddenInput)
    unit = UnitChoiceField(label=_("Responsible unit"))
    target = forms.CharField(label=_("Optimisation target"), required=False, widget=_textarea(3))
    due_date = forms.DateField(label=_("Due by"), required=False, widget=_date_input())
    required_by_engine = ("unit", "target", "due_date")

    def __init__(self, *args, units=(), categories=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = categories or {}
        self.fields["unit"].choices = units
        for name in self.required_by_engine:
            self.fields[name].widget.attrs["aria-required"] = "true"

    def clean_category(self):
        value = self.cleaned_data["category"]
        if not value:
            return None
        category = self.categories.get(value)
        if category is None:
            raise ValidationError(_("This category does not exist any more."), code="invalid")
        return category

    def submit(self, *, actor):
        data = self.cleaned_data
        return services.supervision_open_for_pain_point(
            actor=actor, category=data["category"], topic=data["topic"],
            period_start=data["period_start"], period_end=data["period_end"],
            unit=data["unit"], target=data["target"], due_date=data["due_date"])
