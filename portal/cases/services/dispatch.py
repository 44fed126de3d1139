"""The department's steps (accept, decline, assign 派单, decide extensions, close) and the
routing steps a unit takes (return 退单, transfer 转办)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import deadlines, permissions
from ..constants import Action, ReturnReason, Status, SupervisionSource
from ..models import Case, EngineSettings
from . import _steps
from .supervision import supervision_open_automatic

N = _steps.Notice


def _unit_check(case: Case, unit, *, field: str = "unit") -> None:
    if unit is None:
        raise ValidationError({field: _("Choose the unit that will handle the case.")},
                              code="required")
    if not unit.is_active:
        raise ValidationError({field: _("%(unit)s is no longer active.") % {"unit": unit}},
                              code="inactive")
    if case.spec.check_unit is not None:  # the kind's own rule, in its own words, first
        try:
            case.spec.check_unit(case, unit)
        except ValidationError as exc:
            raise ValidationError({field: exc.messages}, code="refused_by_kind") from exc
    if case.subject_unit_id == unit.pk:
        raise ValidationError({field: _(
            "%(unit)s is the unit this case is about, so it can never handle it."
        ) % {"unit": unit}}, code="subject_unit")


def _instruction(case: Case, actor, note: str) -> None:
    """Keep a dispatcher's instruction to the unit off the enterprise's timeline."""
    if note:
        _steps.record_step(case, actor=actor, action=Action.NOTE, note=note, save=False)


@transaction.atomic
def case_accept(*, case: Case, actor, note: str = "") -> Case:
    """Accept (受理) a submitted case; the acceptance clock runs on until it is assigned."""
    case = _steps.lock_case(case)
    permissions.require_step(actor, case, Action.ACCEPT)
    _steps.check_transition(case, Action.ACCEPT)
    note = _steps.clean_text(note, field="note", required=False)
    case.accepted_at = timezone.now()
    _steps.record_step(case, actor=actor, action=Action.ACCEPT, to_status=Status.ACCEPTED,
                       note=note, fields=["accepted_at"], notices=[_steps.to_submitter(case, "accepted")])
    return case


@transaction.atomic
def case_reject(*, case: Case, actor, reason: str) -> Case:
    """Decline to accept a submitted case; the reason is shown to the enterprise."""
    case = _steps.lock_case(case)
    permissions.require_step(actor, case, Action.REJECT)
    _steps.check_transition(case, Action.REJECT)
    reason = _steps.clean_text(reason, field="reason", required=True,
                               message=_("Tell the enterprise why the appeal is not accepted."))
    case.closed_at = timezone.now()
    fields = ["closed_at", *_steps.stop_clock(case)]
    _steps.record_step(case, actor=actor, action=Action.REJECT, to_status=Status.NOT_ACCEPTED,
                       note=reason, fields=fields, notices=[_steps.to_submitter(case, "not_accepted", body=reason)])
    return case


@transaction.atomic
def case_assign(*, case: Case, actor, unit, note: str = "") -> Case:
    """Assign (派单) a case to a unit, which must then sign for it.

    Assigning a case still "submitted" accepts it first (two steps on the timeline). `note` is
    an instruction to the unit, kept off the enterprise's timeline.
    """
    case = _steps.lock_case(case)
    permissions.require_step(actor, case, Action.ASSIGN)
    _steps.check_transition(case, Action.ASSIGN)
    _unit_check(case, unit)
    note = _steps.clean_text(note, field="note", required=False)
    now = timezone.now()
    if case.status == Status.SUBMITTED:
        case.accepted_at = now
        _steps.record_step(case, actor=actor, action=Action.ACCEPT, to_status=Status.ACCEPTED,
                           fields=["accepted_at"])
    case.responsible_unit = unit
    case.assigned_at = now
    fields = ["responsible_unit", "assigned_at", *_steps.stop_clock(case)]
    _steps.record_step(case, actor=actor, action=Action.ASSIGN, to_status=Status.ASSIGNED,
                       fields=fields, extra=_steps.unit_extra(unit), notices=[
                           N(_steps.unit_officials(unit.pk),
                             format_lazy(gettext_lazy("Case {ref} was assigned to your unit: please sign "
                                           "for it"), ref=case.reference), case.title)])
    _instruction(case, actor, note)
    return case


@transaction.atomic
def case_transfer(*, case: Case, actor, unit, note: str = "") -> Case:
    """Transfer (转办) a case to another unit, by the responsible unit or the department.

    The new unit signs for it and its own clock starts then. `note` stays internal.
    """
    case = _steps.lock_case(case)
    permissions.require_step(actor, case, Action.TRANSFER)
    _steps.check_transition(case, Action.TRANSFER)
    _unit_check(case, unit)
    if unit.pk == case.responsible_unit_id:
        raise ValidationError({"unit": _("The case is already with %(unit)s.") % {"unit": unit}},
                              code="same_unit")
    note = _steps.clean_text(note, field="note", required=False)
    previous = case.responsible_unit
    case.responsible_unit = unit
    case.assigned_at = timezone.now()
    case.due_date = None
    case.extension_requested_until = None
    fields = ["responsible_unit", "assigned_at", "due_date", "extension_requested_until",
              *_steps.stop_clock(case)]
    _steps.record_step(case, actor=actor, action=Action.TRANSFER, to_status=Status.ASSIGNED,
                       fields=fields, extra={"from_unit": previous.pk if previous else None,
                                             **_steps.unit_extra(unit)},
                       notices=[N(_steps.unit_officials(unit.pk),
                                  format_lazy(gettext_lazy("Case {ref} was transferred to your unit: please "
                                                "sign for it"), ref=case.reference), case.title)])
    _instruction(case, actor, note)
    return case


@transaction.atomic
def case_return(*, case: Case, actor, reason: str, note: str = "") -> Case:
    """Return (退单) a case to the department for reassignment, with a reason code.

    Returned `returns_before_supervision` times, the case opens a supervision item (once).
    """
    case = _steps.lock_case(case)
    permissions.require_step(actor, case, Action.RETURN)
    _steps.check_transition(case, Action.RETURN)
    if reason not in ReturnReason.values:
        raise ValidationError({"reason": _("Choose why you return this case.")}, code="required")
    note = _steps.clean_text(note, field="note", required=reason == ReturnReason.OTHER,
                             message=_("Explain why you return the case."))
    settings = EngineSettings.load()
    unit = case.responsible_unit
    day = _steps.today()
    case.return_count += 1
    case.responsible_unit = None
    case.due_date = None
    case.extension_requested_until = None
    fields = ["return_count", "responsible_unit", "due_date", "extension_requested_until",
              *_steps.start_clock(case, start=day, settings=settings,
                                  due=deadlines.due_date_from(day, _steps.acceptance_days(case)))]
    _steps.record_step(case, actor=actor, action=Action.RETURN, to_status=Status.RETURNED,
                       note=note, fields=fields,
                       extra={"reason": reason, **_steps.unit_extra(unit),
                              "return_count": case.return_count},
                       notices=[N(_steps.department_staff(),
                                  format_lazy(gettext_lazy("{unit} returned case {ref}: please reassign it"),
                                              unit=unit, ref=case.reference),
                                  ReturnReason(reason).label)])
    if case.return_count >= settings.returns_before_supervision:
        supervision_open_automatic(case=case, source=SupervisionSource.RETURNED, unit=unit,
                                   settings=settings)
    return case


@transaction.atomic
def case_decide_extension(*, case: Case, actor, approve: bool, note: str = "",
                          until: datetime.date | None = None) -> Case:
    """Approve (to `until`, or the date asked for) or refuse a unit's extension request.

    An approval and its note are shown to the enterprise; a refusal needs a reason, for the unit.
    """
    case = _steps.lock_case(case)
    action = Action.APPROVE_EXTENSION if approve else Action.REFUSE_EXTENSION
    permissions.require_step(actor, case, action)
    _steps.check_transition(case, action)
    note = _steps.clean_text(note, field="note", required=not approve,
                             message=_("Tell the unit why the extension is refused."))
    old_due = case.due_date
    requested = case.extension_requested_until
    case.extension_requested_until = None
    fields = ["extension_requested_until"]
    if approve:
        new_due = _steps.as_date(until) or requested
        if new_due is None or (old_due and new_due <= old_due):
            raise ValidationError({"until": _("The new due date must be after the current one "
                                              "(%(due)s).") % {"due": old_due}}, code="not_later")
        case.due_date = new_due
        fields += ["due_date", *_steps.move_clock(case, due=new_due,
                                                  settings=EngineSettings.load())]
        notices = [
            N(_steps.unit_officials(case.responsible_unit_id),
              format_lazy(gettext_lazy("Extension of case {ref} approved until {date}"),
                          ref=case.reference, date=_steps.lazy_date(new_due))),
            _steps.to_submitter(case, "extension_approved", body=note, date=_steps.lazy_date(new_due)),
        ]
        extra = {"old_due_date": old_due, "due_date": new_due, "requested_until": requested}
    else:
        notices = [N(_steps.unit_officials(case.responsible_unit_id),
                     format_lazy(gettext_lazy("Extension of case {ref} refused"), ref=case.reference), note)]
        extra = {"due_date": old_due, "requested_until": requested}
    _steps.record_step(case, actor=actor, action=action, to_status=Status.IN_PROGRESS, note=note,
                       fields=fields, extra=extra, notices=notices)
    return case


@transaction.atomic
def case_close(*, case: Case, actor, note: str = "") -> Case:
    """Close an answered case without waiting for a rating (e.g. confirmed by telephone)."""
    case = _steps.lock_case(case)
    permissions.require_step(actor, case, Action.CLOSE)
    _steps.check_transition(case, Action.CLOSE)
    note = _steps.clean_text(note, field="note", required=False)
    case.closed_at = timezone.now()
    _steps.record_step(case, actor=actor, action=Action.CLOSE, to_status=Status.CLOSED,
                       note=note, fields=["closed_at", *_steps.stop_clock(case)], notices=[_steps.to_submitter(case, "closed", body=note)])
    return case
