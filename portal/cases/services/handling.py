"""The responsible unit's steps (sign for 签收, start, ask, extend, answer, note) and the
enterprise's answer to the unit's question."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.workdays.services import add_working_days, working_days_between

from .. import deadlines, permissions
from ..constants import Action, Status
from ..kinds import GOVERNMENT
from ..models import Case, CaseEvent, EngineSettings
from . import _steps
from .submit import attachments_check, attachments_save

N = _steps.Notice


@transaction.atomic
def case_sign_for(*, case: Case, actor) -> Case:
    """Sign for (签收) an assigned case: the unit's clock starts and the due date is set,
    in working days from the deadline rule of the case's kind, type and category."""
    case = _steps.lock_case(case)
    permissions.require_step(actor, case, Action.SIGN_FOR)
    _steps.check_transition(case, Action.SIGN_FOR)
    settings = EngineSettings.load()
    day = _steps.today()
    days = _steps.handling_days(case)
    case.due_date = deadlines.due_date_from(day, days)
    case.signed_for_at = timezone.now()
    fields = ["due_date", "signed_for_at",
              *_steps.start_clock(case, start=day, due=case.due_date, settings=settings)]
    unit = case.responsible_unit
    _steps.record_step(case, actor=actor, action=Action.SIGN_FOR, to_status=Status.SIGNED_FOR,
                       fields=fields, extra={"due_date": case.due_date, "working_days": days,
                                             **_steps.unit_extra(unit)},
                       notices=[_steps.to_submitter(
                           case, "signed_for", unit=unit,
                           body=format_lazy(gettext_lazy("The answer is due by {date}."),
                                            date=_steps.lazy_date(case.due_date)))])
    return case


def case_sign_for_many(*, case_ids, actor) -> tuple[list[Case], dict[int, str]]:
    """Sign for several cases (the admin's bulk action), each on its own.

    Return the cases signed for and, per case id refused, the reason.
    """
    signed, refused = [], {}
    for case_id in case_ids:
        try:
            signed.append(case_sign_for(case=case_id, actor=actor))
        except (ValidationError, PermissionDenied, Case.DoesNotExist) as exc:
            refused[case_id] = " ".join(getattr(exc, "messages", None) or [str(exc)])
    return signed, refused


@transaction.atomic
def case_start(*, case: Case, actor, note: str = "") -> Case:
    """Mark that the unit is working on the case (after sign-for, or on a redo)."""
    case = _steps.lock_case(case)
    permissions.require_step(actor, case, Action.START)
    _steps.check_transition(case, Action.START)
    note = _steps.clean_text(note, field="note", required=False)
    _steps.record_step(case, actor=actor, action=Action.START, to_status=Status.IN_PROGRESS,
                       note=note)
    return case


@transaction.atomic
def case_answer(*, case: Case, actor, answer: str, files=()) -> Case:
    """Answer the enterprise; the clock stops and the submitter is asked to rate the answer."""
    case = _steps.lock_case(case)
    permissions.require_step(actor, case, Action.ANSWER)
    _steps.check_transition(case, Action.ANSWER)
    answer = _steps.clean_text(answer, field="answer", required=True,
                               message=_("Write the answer to the enterprise."))
    files = list(files or [])
    inspected = attachments_check(files)
    case.answered_at = timezone.now()
    case.extension_requested_until = None
    fields = ["answered_at", "extension_requested_until", *_steps.stop_clock(case)]
    event = _steps.record_step(
        case, actor=actor, action=Action.ANSWER, to_status=Status.ANSWERED, note=answer,
        fields=fields, extra={"due_date": case.due_date,
                              "on_time": _steps.today() <= case.due_date if case.due_date else None},
        notices=[_steps.to_submitter(case, "answered")],
    )
    attachments_save(case=case, event=event, actor=actor, files=files, inspected=inspected)
    return case


@transaction.atomic
def case_supplement(*, case: Case, actor, note: str, files=(), side: str | None = None) -> CaseEvent:
    """Add material to an open case (补充材料): a note, files, or both, from the submitter's
    side, where the case's kind allows it. The clock does not change; the responsible unit (or,
    before assignment, the department) is told. A sealed kind's service passes actor=None and
    side=Side.REPORTER after checking the reporter's receipt itself."""
    case = _steps.lock_case(case)
    spec = case.spec
    if actor is not None or not spec.sealed:
        permissions.require_step(actor, case, Action.SUPPLEMENT)
    permissions.require(spec.allows_supplement,
                        _("Material cannot be added to this kind of case."))
    _steps.check_transition(case, Action.SUPPLEMENT)
    files = list(files or [])
    note = _steps.clean_text(note, field="note", required=not files,
                             message=_("Write what you want to add, or attach a file."))
    inspected = attachments_check(files)
    recipients = (_steps.unit_officials(case.responsible_unit_id) if case.responsible_unit_id
                  else _steps.department_staff())
    event = _steps.record_step(
        case, actor=actor, action=Action.SUPPLEMENT, note=note, save=False, side=side,
        extra={"files": len(files)},
        notices=[N(recipients, format_lazy(gettext_lazy("New material was added to case {ref}"),
                                           ref=case.reference), note)],
    )
    attachments_save(case=case, event=event, actor=actor, files=files, inspected=inspected)
    return event


@transaction.atomic
def case_request_extension(*, case: Case, actor, until: datetime.date, reason: str) -> Case:
    """Ask the department for more time; the clock keeps running until it decides."""
    case = _steps.lock_case(case)
    permissions.require_step(actor, case, Action.REQUEST_EXTENSION)
    _steps.check_transition(case, Action.REQUEST_EXTENSION)
    reason = _steps.clean_text(reason, field="reason", required=True,
                               message=_("Explain why more time is needed."))
    until = _steps.as_date(until)
    if until is None or (case.due_date and until <= case.due_date):
        raise ValidationError({"until": _("Ask for a date after the current due date "
                                          "(%(due)s).") % {"due": case.due_date}},
                              code="not_later")
    case.extension_requested_until = until
    _steps.record_step(case, actor=actor, action=Action.REQUEST_EXTENSION,
                       to_status=Status.EXTENSION_REQUESTED, note=reason,
                       fields=["extension_requested_until"],
                       extra={"due_date": case.due_date, "requested_until": until},
                       notices=[N(_steps.department_staff(),
                                  format_lazy(gettext_lazy("{unit} asks to extend case {ref} until {date}"),
                                              unit=case.responsible_unit, ref=case.reference,
                                              date=_steps.lazy_date(until)), reason)])
    return case


@transaction.atomic
def case_request_info(*, case: Case, actor, question: str) -> Case:
    """Ask the enterprise for information; the unit's clock pauses until it answers."""
    case = _steps.lock_case(case)
    permissions.require_step(actor, case, Action.REQUEST_INFO)
    _steps.check_transition(case, Action.REQUEST_INFO)
    question = _steps.clean_text(question, field="question", required=True,
                                 message=_("Write what you need to know."))
    case.info_requested_at = timezone.now()
    _steps.record_step(case, actor=actor, action=Action.REQUEST_INFO,
                       to_status=Status.INFO_REQUESTED, note=question,
                       fields=["info_requested_at", *_steps.stop_clock(case)],
                       notices=[_steps.to_submitter(case, "info_requested", body=question,
                                                    unit=case.responsible_unit)])
    return case


@transaction.atomic
def case_provide_info(*, case: Case, actor, information: str, files=()) -> Case:
    """Answer the unit's question (enterprise side). The due date moves by the working days
    the unit waited, and its clock runs again."""
    case = _steps.lock_case(case)
    permissions.require_step(actor, case, Action.PROVIDE_INFO)
    _steps.check_transition(case, Action.PROVIDE_INFO)
    information = _steps.clean_text(information, field="information", required=True,
                                    message=_("Write your answer to the unit's question."))
    files = list(files or [])
    inspected = attachments_check(files)
    waited = 0
    if case.info_requested_at:
        waited = max(working_days_between(timezone.localdate(case.info_requested_at),
                                          _steps.today()), 0)
    old_due = case.due_date
    fields = ["info_requested_at"]
    if case.due_date and waited > 0:
        case.due_date = add_working_days(case.due_date, waited)
        fields += ["due_date", *_steps.move_clock(case, due=case.due_date,
                                                  settings=EngineSettings.load())]
    case.info_requested_at = None
    event = _steps.record_step(
        case, actor=actor, action=Action.PROVIDE_INFO, to_status=Status.IN_PROGRESS,
        note=information, fields=fields,
        extra={"paused_working_days": waited, "old_due_date": old_due, "due_date": case.due_date},
        notices=[N(_steps.unit_officials(case.responsible_unit_id),
                   format_lazy(gettext_lazy("The enterprise answered your question on case {ref}"),
                               ref=case.reference), information)],
    )
    attachments_save(case=case, event=event, actor=actor, files=files, inspected=inspected)
    return case


@transaction.atomic
def case_add_internal_note(*, case: Case, actor, note: str, files=()) -> CaseEvent:
    """Add a note for the government side only; the enterprise never sees it."""
    case = _steps.lock_case(case)
    permissions.require_step(actor, case, Action.NOTE)
    _steps.check_transition(case, Action.NOTE)
    note = _steps.clean_text(note, field="note", required=True, message=_("Write the note."))
    files = list(files or [])
    inspected = attachments_check(files)
    event = _steps.record_step(case, actor=actor, action=Action.NOTE, note=note, save=False,
                               audience=GOVERNMENT)
    attachments_save(case=case, event=event, actor=actor, files=files, inspected=inspected)
    return event
