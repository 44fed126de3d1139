"""Several units on one case (交办 to each): parts.

A kind that declares `parts=True` lets the department split a case among several units. Each
unit's part is a case of its own (`Case.parent`): its own status, sign-for, clock, deadline,
reminders, answer, rating, redo (重办) and supervision (督办), so queues, reminders, the
dashboard and monitoring count it under its unit like any case. The case itself waits on its
parts: it counts as answered when all of them (or, if the kind says so, any one) are answered,
and closes when all are closed (`parts_roll_up`, called by every step of a part).

Amsterdam's Signalen splits a signal into child signals the same way ("deelmeldingen").
"""

from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Value
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import permissions
from ..constants import Action, Status
from ..models import Case
from ..text import search_tokens
from . import _steps

ANSWERED_OR_DONE = frozenset({Status.ANSWERED, Status.CLOSED, Status.NOT_ACCEPTED})
DONE = frozenset({Status.CLOSED, Status.NOT_ACCEPTED})
MAX_PARTS = 20


def _units_check(case: Case, units) -> list:
    units = list(dict.fromkeys(units or []))
    if len(units) < 2:
        raise ValidationError({"units": _("Choose at least two units; to send the case to one "
                                          "unit, assign it.")}, code="too_few")
    if len(units) > MAX_PARTS:
        raise ValidationError({"units": _("Choose at most %(n)d units.") % {"n": MAX_PARTS}},
                              code="too_many")
    for unit in units:
        if not unit.is_active:
            raise ValidationError({"units": _("%(unit)s is no longer active.") % {"unit": unit}},
                                  code="inactive")
        if case.subject_unit_id == unit.pk:
            raise ValidationError({"units": _(
                "%(unit)s is the unit this case is about, so it can never handle it."
            ) % {"unit": unit}}, code="subject_unit")
        if case.spec.check_unit is not None:
            try:
                case.spec.check_unit(case, unit)
            except ValidationError as exc:
                raise ValidationError({"units": exc.messages}, code="refused_by_kind") from exc
    return units


@transaction.atomic
def case_split(*, case: Case, actor, units, note: str = "") -> list[Case]:
    """Assign (交办) `case` to several units at once: one part for each, each waiting for its
    unit to sign for it. Department only, for kinds that declare parts. Return the parts."""
    case = _steps.lock_case(case)
    if not case.spec.parts:
        raise ValidationError(_("Cases of this kind go to one unit at a time."), code="no_parts")
    permissions.require_step(actor, case, Action.SPLIT)
    _steps.check_transition(case, Action.SPLIT)
    units = _units_check(case, units)
    note = _steps.clean_text(note, field="note", required=False)
    now = timezone.now()
    parts = []
    for number, unit in enumerate(units, start=1):
        part = Case(
            kind=case.kind, parent=case, reference=f"{case.reference}-{number}",
            subtype=case.subtype, category=case.category, title=case.title,
            description=case.description, submitter=case.submitter, enterprise=case.enterprise,
            subject_unit=case.subject_unit, status=Status.SUBMITTED, submitted_at=now,
            keywords=case.keywords,
            search_vector=SearchVector(Value(search_tokens(
                f"{case.reference} {case.title} {case.description}")), config="simple"),
        )
        part.save()
        del part.search_vector
        part.responsible_unit = unit
        part.assigned_at = now
        _steps.record_step(part, actor=actor, action=Action.ASSIGN, to_status=Status.ASSIGNED,
                           fields=["responsible_unit", "assigned_at"],
                           extra={**_steps.unit_extra(unit), "part_of": case.reference},
                           notices=[_steps.Notice(
                               _steps.unit_officials(unit.pk),
                               format_lazy(gettext_lazy("Case {ref} was assigned to your unit: "
                                                        "please sign for it"), ref=part.reference),
                               case.title)])
        if note:
            _steps.record_step(part, actor=actor, action=Action.NOTE, note=note, save=False)
        parts.append(part)
    case.assigned_at = now
    _steps.record_step(case, actor=actor, action=Action.SPLIT, to_status=Status.ASSIGNED,
                       fields=["assigned_at", *_steps.stop_clock(case)],
                       extra={"units": [u.pk for u in units],
                              "unit_names": [u.name for u in units],
                              "parts": [p.reference for p in parts]},
                       notices=[_steps.to_submitter(case, "assigned")])
    return parts


def parts_roll_up(part: Case, *, actor=None) -> Case | None:
    """Move the case `part` belongs to when its parts say so; return it (None: no parent).

    Call inside the part's step, after its status changed. Locks the case (parts lock their
    own row first, then the case's: one order, no deadlock).
    """
    if not part.parent_id:
        return None
    case = _steps.lock_case(part.parent_id)
    statuses = list(case.parts.values_list("status", flat=True))
    spec = case.spec
    answered = (all(s in ANSWERED_OR_DONE for s in statuses) if spec.answered_when == "all"
                else any(s in ANSWERED_OR_DONE for s in statuses))
    if case.status == Status.ASSIGNED and answered:
        case.answered_at = timezone.now()
        _steps.record_step(case, actor=None, action=Action.PARTS_ANSWERED,
                           to_status=Status.ANSWERED, fields=["answered_at"],
                           extra={"parts": len(statuses)},
                           notices=[_steps.to_submitter(case, "answered")])
    if case.status in (Status.ASSIGNED, Status.ANSWERED) and all(s in DONE for s in statuses):
        case.closed_at = timezone.now()
        _steps.record_step(case, actor=None, action=Action.PARTS_CLOSED, to_status=Status.CLOSED,
                           fields=["closed_at"], extra={"parts": len(statuses)},
                           notices=[_steps.to_submitter(case, "closed")])
    return case
