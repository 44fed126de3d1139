"""The deadline scan: reminders at the EARLY / DUE / LATE marks, overdue → supervision.

Efficient on a million cases: each case stores when its next mark is reached
(`next_reminder_at`, partially indexed), so the scan reads only the cases whose mark has come,
in batches, locking them with SKIP LOCKED so concurrent scans share the work instead of
waiting. Exactly once: a mark is recorded as a unique (case, cycle, mark) `CaseReminder` row in
the same transaction as its notification (with a dedup key as well), so a scan that runs twice,
or a retried task, sends nothing twice.
"""

import time
from collections import defaultdict

from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from portal.notifications.services import notify

from .. import deadlines
from ..constants import (
    ACCEPTANCE_STATUSES,
    HANDLING_STATUSES,
    ReminderMark,
    Stage,
    SupervisionSource,
)
from ..models import Case, CaseReminder, EngineSettings
from . import _steps
from .supervision import supervision_open_automatic

_SUBJECTS = {
    (Stage.HANDLING, ReminderMark.EARLY): _("Case {ref} is due by {date}"),
    (Stage.HANDLING, ReminderMark.DUE): _("Case {ref} is overdue: it was due by {date}"),
    (Stage.HANDLING, ReminderMark.LATE): _("Case {ref} is long overdue: it was due by {date}"),
    (Stage.ACCEPTANCE, ReminderMark.EARLY): _("Case {ref} must be accepted and assigned by {date}"),
    (Stage.ACCEPTANCE, ReminderMark.DUE): _("Case {ref} was not assigned in time (due by {date})"),
    (Stage.ACCEPTANCE, ReminderMark.LATE): _("Case {ref} is still not assigned (due by {date})"),
}


def _stage(case: Case) -> str | None:
    if case.status in ACCEPTANCE_STATUSES:
        return Stage.ACCEPTANCE
    if case.status in HANDLING_STATUSES:
        return Stage.HANDLING
    return None


class _Recipients:
    """Who is reminded, read once per batch (officials) or once per scan (department)."""

    def __init__(self):
        self._department = None
        self.officials = defaultdict(list)

    @property
    def department(self) -> list:
        if self._department is None:
            self._department = _steps.department_staff()
        return self._department

    def load_officials(self, unit_ids) -> None:
        self.officials.clear()
        if unit_ids:
            for user in _steps.users_with_perm("orgs.handle_unit_cases").filter(
                    unit_id__in=unit_ids):
                self.officials[user.unit_id].append(user)

    def for_mark(self, case: Case, stage: str, mark: str) -> list:
        if stage == Stage.ACCEPTANCE:
            return self.department
        people = list(self.officials.get(case.responsible_unit_id, []))
        if mark == ReminderMark.LATE:  # at DUE the department hears of the supervision item
            people += [u for u in self.department if u not in people]
        return people


def _process(batch: list[Case], *, now, settings: EngineSettings, people: _Recipients) -> None:
    """Send the reached marks of a locked batch and move each case's next_reminder_at."""
    done = defaultdict(set)
    for case_id, cycle, mark in CaseReminder.objects.filter(case__in=batch).values_list(
            "case_id", "cycle", "mark"):
        done[(case_id, cycle)].add(mark)
    people.load_officials({c.responsible_unit_id for c in batch if c.status in HANDLING_STATUSES})
    rows, overdue = [], []
    for case in batch:
        stage = _stage(case)
        if stage is None or not (case.clock_started_on and case.clock_due_on):
            case.next_reminder_at = None  # no clock runs (e.g. paused): nothing to remind
            continue
        marks = deadlines.reminder_marks(start=case.clock_started_on, due=case.clock_due_on,
                                         early_percent=settings.early_reminder_percent,
                                         late_multiple=settings.late_reminder_multiple)
        seen = done[(case.pk, case.clock_cycle)]
        reached = [m for m in marks if m.mark not in seen and m.at <= now]
        for index, mark in enumerate(reached):
            latest = index == len(reached) - 1  # earlier marks passed unseen are skipped
            rows.append(CaseReminder(case=case, cycle=case.clock_cycle, stage=stage,
                                     mark=mark.mark, due_on=case.clock_due_on,
                                     skipped=not latest, created_at=now))
        if reached:
            mark = reached[-1].mark
            recipients = people.for_mark(case, stage, mark)
            if recipients:
                notify(recipients=recipients,
                       subject=format_lazy(_SUBJECTS[(stage, mark)], ref=case.reference,
                                           date=_steps.lazy_date(case.clock_due_on)),
                       body=case.title, url=_steps.case_url(case, for_submitter=False),
                       dedup_key=f"cases:reminder:{case.pk}:{case.clock_cycle}:{mark}")
            if stage == Stage.HANDLING and mark in (ReminderMark.DUE, ReminderMark.LATE):
                overdue.append(case)
        upcoming = deadlines.next_mark(marks, seen | {m.mark for m in reached})
        case.next_reminder_at = upcoming.at if upcoming and upcoming.at > now else None
    CaseReminder.objects.bulk_create(rows, ignore_conflicts=True)
    Case.objects.bulk_update(batch, ["next_reminder_at"])
    opened = [item for item in (
        supervision_open_automatic(case=case, source=SupervisionSource.OVERDUE,
                                   settings=settings, notify=False)
        for case in overdue) if item]
    if opened and people.department:
        # One message for the batch, not one per case: a scan that was away may find hundreds.
        references = ", ".join(item.case.reference for item in opened[:10])
        notify(recipients=people.department,
               subject=format_lazy(ngettext_lazy(
                   "{n} overdue case is now under supervision (督办)",
                   "{n} overdue cases are now under supervision (督办)", len(opened)),
                   n=len(opened)),
               body=references + (" …" if len(opened) > 10 else ""),
               dedup_key=f"cases:overdue-digest:{opened[0].pk}:{opened[-1].pk}")


def case_reminders_send_due(*, now=None, batch_size: int = 50,
                            max_seconds: float | None = None) -> int:
    """Send every reminder whose mark has been reached by `now`; return the cases processed.

    Each batch is one short transaction (its cases' rows stay locked only that long; a step
    on one of them waits at most for one batch); stop early after `max_seconds` (the next run
    continues).
    """
    now = now or timezone.now()
    settings = EngineSettings.load()
    people = _Recipients()
    started = time.monotonic()
    processed = 0
    while True:
        with transaction.atomic():
            batch = list(Case.objects.select_for_update(of=("self",), skip_locked=True)
                         .select_related("responsible_unit")
                         .filter(next_reminder_at__lte=now)
                         .order_by("next_reminder_at")[:batch_size])
            if batch:
                _process(batch, now=now, settings=settings, people=people)
        processed += len(batch)
        if len(batch) < batch_size:
            return processed
        if max_seconds is not None and time.monotonic() - started > max_seconds:
            return processed
