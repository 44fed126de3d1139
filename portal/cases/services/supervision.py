"""Supervision items (督办): opened automatically (overdue, returned too often, unhappy twice),
by the department on a case, or from a pain point (Art. 6(1)); closed with an outcome."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.ledger.services import ledger_append
from portal.workdays.services import add_working_days

from .. import permissions
from ..constants import Action, SupervisionSource, SupervisionStatus
from ..kinds import supervision_source_label
from ..models import Case, Category, EngineSettings, SupervisionItem
from . import _steps

N = _steps.Notice


def _item_notices(item: SupervisionItem, subject) -> list:
    return [N(_steps.department_staff(), subject),
            N(_steps.unit_officials(item.unit_id), subject)]


def _notify_item(item: SupervisionItem, subject, *, actor=None, tag: str = "opened") -> None:
    for index, notice in enumerate(_item_notices(item, subject)):
        recipients = [u for u in notice.recipients if actor is None or u.pk != actor.pk]
        if recipients:
            def send(recipients=recipients, index=index):
                from portal.notifications.services import notify
                try:
                    notify(recipients=recipients, subject=subject,
                           dedup_key=f"cases:supervision:{item.pk}:{tag}:{index}")
                except Exception:
                    _steps.logger.exception("could not notify about supervision item %s", item.pk)
            transaction.on_commit(send)


def _mark_case(case: Case, item: SupervisionItem, *, actor, note: str = "",
               notify: bool = True) -> None:
    """Flag the case and put the item on its internal timeline. Hold the case's row lock."""
    case.is_supervised = True
    case.save(update_fields=["is_supervised", "updated_at"])
    notices = _item_notices(item, format_lazy(
        gettext_lazy("Case {ref} is under supervision (督办): {reason}"),
        ref=case.reference, reason=supervision_source_label(item.source))) if notify else ()
    _steps.record_step(case, actor=actor, action=Action.SUPERVISE, note=note, save=False,
                       extra={"supervision_item": item.pk, "source": item.source,
                              "due_date": item.due_date, "unit": item.unit_id},
                       notices=notices)


def supervision_open_automatic(*, case: Case, source: str, unit=None,
                               settings: EngineSettings | None = None,
                               notify: bool = True) -> SupervisionItem | None:
    """Open the item a rule calls for, once per case and source; None if it exists already.

    Call inside the transaction that holds the case's row lock (the caller's step). With
    notify=False the caller tells people itself (the deadline scan sends one digest).
    """
    if SupervisionItem.objects.filter(case=case, source=source).exists():
        return None
    settings = settings or EngineSettings.load()
    item = SupervisionItem(source=source, case=case, unit=unit or case.responsible_unit,
                           due_date=add_working_days(_steps.today(),
                                                     settings.supervision_working_days))
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:  # opened by a concurrent step that did not hold the lock
        return None
    _mark_case(case, item, actor=None, notify=notify)
    return item


@transaction.atomic
def supervision_open(*, actor, target: str, due_date: datetime.date, case: Case | None = None,
                     unit=None) -> SupervisionItem:
    """Open a supervision item by hand, on an open case or on a unit's work in general."""
    permissions.require(permissions.can_manage_supervision(actor),
                        _("Only the department may open supervision items."))
    target = _steps.clean_text(target, field="target", required=True,
                               message=_("Say what must be achieved."))
    due_date = _steps.as_date(due_date)
    if due_date is None or due_date <= _steps.today():
        raise ValidationError({"due_date": _("Choose a due date after today.")}, code="past")
    if case is not None:
        case = _steps.lock_case(case)
        _steps.check_transition(case, Action.SUPERVISE)
        unit = unit or case.responsible_unit
    if unit is None:
        raise ValidationError({"unit": _("Choose the unit that must act.")}, code="required")
    item = SupervisionItem.objects.create(source=SupervisionSource.MANUAL, case=case, unit=unit,
                                          target=target, due_date=due_date, created_by=actor)
    if case is not None:
        _mark_case(case, item, actor=actor, note=target)
    else:
        ledger_append(actor=actor, action="cases.supervision_opened", obj=item,
                      payload={"source": item.source, "unit": unit.pk, "due_date": due_date})
        _notify_item(item, format_lazy(gettext_lazy("New supervision item (督办) for {unit}"),
                                       unit=unit), actor=actor)
    return item


@transaction.atomic
def supervision_open_for_pain_point(*, actor, category: Category | None, topic: str,
                                    period_start: datetime.date, period_end: datetime.date,
                                    unit, target: str, due_date: datetime.date) -> SupervisionItem:
    """Turn a pain point (the appeals of one category and topic in a period, see
    selectors.pain_points) into a supervision item with an optimisation target and deadline."""
    from ..selectors import pain_point_cases

    permissions.require(permissions.can_manage_supervision(actor),
                        _("Only the department may open supervision items."))
    target = _steps.clean_text(target, field="target", required=True,
                               message=_("Say what must be achieved, e.g. an optimisation target."))
    due_date = _steps.as_date(due_date)
    if due_date is None or due_date <= _steps.today():
        raise ValidationError({"due_date": _("Choose a due date after today.")}, code="past")
    if unit is None:
        raise ValidationError({"unit": _("Choose the unit that must act.")}, code="required")
    case_ids = pain_point_cases(category=category, topic=topic, start=period_start,
                                end=period_end)
    if not case_ids:
        raise ValidationError(_("No appeals of this category and topic were found in the period."),
                              code="empty")
    item = SupervisionItem(source=SupervisionSource.PAIN_POINT, category=category,
                           topic=(topic or "")[:50], period_start=period_start,
                           period_end=period_end, unit=unit, target=target, due_date=due_date,
                           created_by=actor)
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        raise ValidationError(_("A supervision item for this pain point and period already "
                                "exists."), code="duplicate") from None
    item.cases.set(case_ids)
    ledger_append(actor=actor, action="cases.supervision_opened", obj=item, payload={
        "source": item.source, "category": getattr(category, "pk", None), "topic": item.topic,
        "period": [period_start, period_end], "cases": len(case_ids), "unit": unit.pk,
        "due_date": due_date,
    })
    _notify_item(item, format_lazy(gettext_lazy("New supervision item (督办) for {unit}: {topic}"),
                                   unit=unit, topic=item.topic or category), actor=actor)
    return item


@transaction.atomic
def supervision_close(*, item: SupervisionItem, actor, note: str) -> SupervisionItem:
    """Close a supervision item with its outcome; the case is no longer flagged once its last
    open item is closed."""
    permissions.require(permissions.can_manage_supervision(actor),
                        _("Only the department may close supervision items."))
    item = SupervisionItem.objects.select_for_update().get(pk=item.pk)
    if item.status != SupervisionStatus.OPEN:
        raise ValidationError(_("This supervision item is already closed."), code="closed")
    note = _steps.clean_text(note, field="note", required=True,
                             message=_("Record the outcome of the supervision."))
    item.status = SupervisionStatus.CLOSED
    item.closed_by = actor
    item.closed_at = timezone.now()
    item.closing_note = note
    item.save(update_fields=["status", "closed_by", "closed_at", "closing_note"])
    if item.case_id:
        case = _steps.lock_case(item.case_id)
        still_open = case.supervision_items.filter(status=SupervisionStatus.OPEN).exists()
        case.is_supervised = still_open
        case.save(update_fields=["is_supervised", "updated_at"])
        _steps.record_step(case, actor=actor, action=Action.SUPERVISION_CLOSED, note=note,
                           save=False, extra={"supervision_item": item.pk})
    else:
        ledger_append(actor=actor, action="cases.supervision_closed", obj=item,
                      payload={"outcome": note})
    return item

