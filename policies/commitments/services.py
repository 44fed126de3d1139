"""Every write on commitments. Other apps may call: nothing yet (the department's reports read
selectors.unit_rates).

Each function is one use case in one transaction: check the permission, lock the clause, check
the transition table, write, append the ledger entry, write the notices (their e-mail goes out
after commit). A clause overdue or disputed goes to supervision (督办) on the case engine once
per cause, ever (ClauseSupervision's unique key, written with the engine's item).
"""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from portal.cases.kinds import Side
from portal.cases.models import Case
from portal.cases.services import (
    attachments_check,
    case_open,
    clean_text,
    supervision_open_automatic,
    unit_officials,
    users_with_perm,
)
from portal.ledger.services import ledger_append
from portal.notifications.services import notify
from portal.workdays.services import next_working_day

from . import permissions
from .constants import (
    ALLOWED_TRANSITIONS,
    DEFAULT_PUBLIC_DISPUTES_TO_DISPUTE,
    KIND,
    SUPERVISION_SOURCES,
    Answer,
    Cause,
    ClauseStatus,
)
from .models import Clause, ClauseSupervision, EvidenceFile, Fulfilment, PublicDispute

logger = logging.getLogger(__name__)

# Each cause opens the engine's item under the kind's own source (kind.py declares them), so
# the department reads "Disputed by the enterprise", not the engine's "unhappy rating twice";
# and a clause overdue is not the case overdue (the engine's own scan). docs/adr/0014.
ENGINE_SOURCE = {cause: code for cause, (code, _label) in SUPERVISION_SOURCES.items()}


def _lock(clause) -> Clause:
    return (
        Clause.objects.select_for_update(of=("self",))
        .select_related("commitment", "commitment__unit", "commitment__enterprise")
        .get(pk=clause.pk if isinstance(clause, Clause) else clause)
    )


def _move(clause: Clause, to: str) -> None:
    if to not in ALLOWED_TRANSITIONS[clause.status]:
        raise ValidationError(
            _("This clause is “%(status)s”: that step is not possible now.")
            % {"status": clause.get_status_display()},
            code="invalid_transition",
        )
    clause.status = to


def _page(clause: Clause) -> str:
    return reverse("commitments:detail", args=[clause.commitment_id])


def enterprise_members(enterprise_id) -> list:
    if not enterprise_id:
        return []
    return list(users_with_perm(permissions.ACT_FOR_ENTERPRISE).filter(enterprise_id=enterprise_id))


def public_disputes_to_dispute() -> int:
    """How many distinct enterprises must dispute a fulfilment of a commitment made to every
    enterprise before the clause counts as disputed (settings.COMMITMENTS_PUBLIC_DISPUTES_TO_DISPUTE;
    docs/adr/0014). Read at each call, not at import."""
    return getattr(
        settings, "COMMITMENTS_PUBLIC_DISPUTES_TO_DISPUTE", DEFAULT_PUBLIC_DISPUTES_TO_DISPUTE
    )


def record_refused_message() -> str:
    """Why a fulfilment may not be recorded by this user (in the request's language)."""
    return _(
        "Only an official of the responsible unit may record the fulfilment of this commitment."
    )


def effective_due_date(clause: Clause) -> datetime.date:
    """A due date on a holiday falls due on the next working day (portal.workdays)."""
    return next_working_day(clause.due_date)


@transaction.atomic
def fulfilment_record(
    *, actor, clause: Clause, note: str, files=(), fulfilled_on: datetime.date | None = None
) -> Fulfilment:
    """Record what the unit did to keep `clause`, with its evidence files; the enterprise
    party is told and asked to confirm."""
    clause = _lock(clause)
    if not permissions.may_record(actor, clause):
        raise PermissionDenied(record_refused_message())
    note = clean_text(
        note, field="note", required=True, message=_("Say what was done to keep this commitment.")
    )
    today = timezone.localdate()
    fulfilled_on = fulfilled_on or today
    if fulfilled_on > today:
        raise ValidationError(
            {"fulfilled_on": _("The fulfilment date cannot be in the future.")}, code="future"
        )
    files = list(files or [])
    inspected = attachments_check(files)  # every file checked before anything is saved
    _move(clause, ClauseStatus.FULFILLED)
    clause.fulfilled_on = fulfilled_on
    clause.save(update_fields=["status", "fulfilled_on"])
    fulfilment = Fulfilment.objects.create(
        clause=clause, note=note, fulfilled_on=fulfilled_on, recorded_by=actor
    )
    for f, info in zip(files, inspected, strict=True):
        if hasattr(f, "seek"):
            f.seek(0)
        evidence = EvidenceFile(
            fulfilment=fulfilment,
            original_name=info.original_name,
            content_type=info.content_type,
            size=info.size,
            sha256=info.sha256,
        )
        evidence.file.save(
            f"evidence{info.extension}", f if isinstance(f, File) else File(f), save=False
        )
        evidence.save()
    ledger_append(
        actor=actor,
        action="commitments.fulfilment_recorded",
        obj=clause,
        payload={
            "commitment": clause.commitment_id,
            "fulfilment": fulfilment.pk,
            "fulfilled_on": fulfilled_on,
            "files": [i.sha256 for i in inspected],
        },
    )
    recipients = enterprise_members(clause.commitment.enterprise_id)
    if recipients:
        notify(
            recipients=recipients,
            subject=format_lazy(
                gettext_lazy(
                    "{unit} recorded the fulfilment of a commitment "
                    "to you: please confirm or dispute it"
                ),
                unit=clause.commitment.unit,
            ),  # named in each reader's language
            body=f"{clause.commitment.title}\n{clause.text}",
            url=_page(clause),
            dedup_key=f"commitments:recorded:{fulfilment.pk}",
        )
    return fulfilment


def commitment_record_saved(*, actor, commitment, created: bool) -> None:
    """Ledger what was promised: the commitment and each clause's text and due date, as saved
    in the admin (call in the admin's transaction, after its clauses are saved)."""
    clauses = []
    for clause in commitment.clauses.order_by("number"):
        falls_due_on = effective_due_date(clause)
        if clause.falls_due_on != falls_due_on:
            clause.falls_due_on = falls_due_on
            clause.save(update_fields=["falls_due_on"])
        clauses.append(
            {
                "number": clause.number,
                "due_date": clause.due_date,
                "falls_due_on": falls_due_on,
                "text": clause.text,
            }
        )
    ledger_append(
        actor=actor,
        action="commitments.created" if created else "commitments.changed",
        obj=commitment,
        payload={
            "kind": commitment.kind,
            "title": commitment.title,
            "document_number": commitment.document_number,
            "policy": commitment.policy_id,
            "unit": commitment.unit_id,
            "enterprise": commitment.enterprise_id,
            "clauses": clauses,
        },
    )


@transaction.atomic
def clauses_follow_calendar() -> int:
    """Move the stored working day of each pending clause (`Clause.falls_due_on`) to the one the
    working-day calendar gives now; return how many moved. Called when the department corrects
    the calendar (receivers.py), so the overdue scan and the rate page count from the corrected
    day. One read of the pending clauses with a stored day; only those that moved are locked,
    ledgered and updated (in one statement). A clause kept, confirmed or disputed keeps the day
    it was judged against; one never stored (empty) is worked out at each use already."""
    pending = Clause.objects.filter(status=ClauseStatus.PENDING, falls_due_on__isnull=False)
    moved = {}
    for pk, due, stored in pending.values_list("pk", "due_date", "falls_due_on").iterator(
        chunk_size=2000
    ):
        day = next_working_day(due)
        if day != stored:
            moved[pk] = day
    if not moved:
        return 0
    # Locked and filtered again: a clause kept since the read above is left as it is.
    clauses = list(pending.select_for_update().filter(pk__in=moved).order_by("pk"))
    for clause in clauses:
        ledger_append(
            actor=None,
            action="commitments.falls_due_moved",
            obj=clause,
            payload={
                "due_date": clause.due_date,
                "from": clause.falls_due_on,
                "to": moved[clause.pk],
            },
        )
        clause.falls_due_on = moved[clause.pk]
    Clause.objects.bulk_update(clauses, ["falls_due_on"])
    return len(clauses)


def _latest_fulfilment(clause: Clause) -> Fulfilment:
    return Fulfilment.objects.select_for_update().filter(clause=clause).latest("recorded_at", "id")


# The enterprise's answer -> the status it moves the clause to, and the ledger action.
_ANSWERED = {
    Answer.CONFIRMED: (ClauseStatus.CONFIRMED, "commitments.fulfilment_confirmed"),
    Answer.DISPUTED: (ClauseStatus.DISPUTED, "commitments.fulfilment_disputed"),
}


def _answer_fulfilment(
    *,
    actor,
    clause: Clause,
    answer: str,
    reason: str = "",
    fulfilment: Fulfilment | None = None,
    payload: dict | None = None,
) -> Fulfilment:
    """Move `clause` to the status `answer` gives it, write the answer on its latest fulfilment
    (or on `fulfilment`, read under the same lock) and ledger it with `payload` besides. Call
    holding the clause's row lock (_lock)."""
    status, action = _ANSWERED[answer]
    _move(clause, status)
    clause.save(update_fields=["status"])
    fulfilment = fulfilment or _latest_fulfilment(clause)
    fulfilment.answer, fulfilment.answer_reason = answer, reason
    fulfilment.answered_by, fulfilment.answered_at = actor, timezone.now()
    fulfilment.save(update_fields=["answer", "answer_reason", "answered_by", "answered_at"])
    ledger_append(
        actor=actor,
        action=action,
        obj=clause,
        payload={
            "commitment": clause.commitment_id,
            "fulfilment": fulfilment.pk,
            **(payload or {}),
        },
    )
    return fulfilment


@transaction.atomic
def fulfilment_confirm(*, actor, clause: Clause) -> Fulfilment:
    """The enterprise party confirms that the clause was kept."""
    clause = _lock(clause)
    if not permissions.may_confirm(actor, clause):
        raise PermissionDenied(
            _("Only the enterprise the agreement is made with may confirm its fulfilment.")
        )
    return _answer_fulfilment(actor=actor, clause=clause, answer=Answer.CONFIRMED)


@transaction.atomic
def fulfilment_dispute(*, actor, clause: Clause, reason: str) -> Fulfilment:
    """The enterprise says the clause was not kept, with its reason; the unit is told and the
    clause goes to supervision (督办).

    For a commitment made to every enterprise (no enterprise party) each enterprise disputes a
    fulfilment once, and the clause is disputed only when public_disputes_to_dispute() distinct
    enterprises have (`_public_dispute`; docs/adr/0014)."""
    clause = _lock(clause)
    if not permissions.may_dispute(actor, clause):
        raise PermissionDenied(
            _("Only the enterprise the agreement is made with may dispute its fulfilment.")
        )
    reason = clean_text(
        reason,
        field="reason",
        required=True,
        message=_("Say why you dispute the fulfilment, so the unit can act on it."),
    )
    if clause.commitment.enterprise_id is None:
        return _public_dispute(actor=actor, clause=clause, reason=reason)
    fulfilment = _answer_fulfilment(
        actor=actor,
        clause=clause,
        answer=Answer.DISPUTED,
        reason=reason,
        payload={"reason": reason},
    )
    _tell_unit_of_dispute(clause, reason, dedup_key=f"commitments:disputed:{fulfilment.pk}")
    clause_supervise(clause=clause, cause=Cause.DISPUTED, detail=reason)
    return fulfilment


def _tell_unit_of_dispute(clause: Clause, reason: str, *, dedup_key: str) -> None:
    """Tell the responsible unit's officials that an enterprise disputed a fulfilment."""
    recipients = unit_officials(clause.commitment.unit_id)
    if recipients:
        notify(
            recipients=recipients,
            subject=format_lazy(
                gettext_lazy("An enterprise disputed the fulfilment of “{title}”"),
                title=clause.commitment.title,
            ),
            body=f"{clause.text}\n\n{reason}",
            url=reverse("admin:commitments_clause_change", args=[clause.pk]),
            dedup_key=dedup_key,
        )


def _public_dispute(*, actor, clause: Clause, reason: str) -> Fulfilment:
    """One enterprise's dispute of a commitment made to every enterprise. Call holding the
    clause's row lock: the count of distinct enterprises is read under it."""
    if ClauseStatus.DISPUTED not in ALLOWED_TRANSITIONS[clause.status]:
        _move(clause, ClauseStatus.DISPUTED)  # raises the transition table's refusal
    fulfilment = _latest_fulfilment(clause)
    enterprise_id = permissions.enterprise_of(actor)
    if PublicDispute.objects.filter(fulfilment=fulfilment, enterprise_id=enterprise_id).exists():
        raise ValidationError(
            _("Your enterprise has already disputed this fulfilment; the unit has your reason."),
            code="already_disputed",
        )
    dispute = PublicDispute.objects.create(
        fulfilment=fulfilment, enterprise_id=enterprise_id, reason=reason, disputed_by=actor
    )
    disputes = list(
        PublicDispute.objects.filter(fulfilment=fulfilment)
        .order_by("disputed_at", "id")
        .values_list("reason", flat=True)
    )
    ledger_append(
        actor=actor,
        action="commitments.public_dispute_recorded",
        obj=clause,
        payload={
            "commitment": clause.commitment_id,
            "fulfilment": fulfilment.pk,
            "dispute": dispute.pk,
            "enterprises": len(disputes),
            "reason": reason,
        },
    )
    _tell_unit_of_dispute(clause, reason, dedup_key=f"commitments:public-dispute:{dispute.pk}")
    if len(disputes) < public_disputes_to_dispute():
        return fulfilment
    # Enough enterprises, each once: the clause is disputed, the rate counts it, the department
    # supervises, with every enterprise's reason.
    reasons = "\n".join(f"{n}. {text}" for n, text in enumerate(disputes, 1))
    # The enterprises' own words go to the unit and the department (supervision item), not on
    # the public page that shows the answer: it says only how many disputed.
    with translation.override(settings.LANGUAGE_CODE):
        summary = ngettext(
            "Disputed by %(n)d enterprise.", "Disputed by %(n)d enterprises.", len(disputes)
        ) % {"n": len(disputes)}
    _answer_fulfilment(
        actor=actor,
        clause=clause,
        answer=Answer.DISPUTED,
        reason=summary,
        fulfilment=fulfilment,
        payload={"reason": reasons, "enterprises": len(disputes)},
    )
    clause_supervise(clause=clause, cause=Cause.DISPUTED, detail=reasons)
    return fulfilment


def clause_supervise(*, clause: Clause, cause: str, detail: str = "") -> ClauseSupervision | None:
    """Open the supervision item (督办) `cause` calls for on `clause`, once per clause and cause;
    return None when it was opened before. Call holding the clause's row lock (_lock)."""
    if ClauseSupervision.objects.filter(clause=clause, cause=cause).exists():
        return None
    commitment = clause.commitment
    if clause.case_id is None:
        # Stored text, read by the department: written in the site's language.
        with translation.override(settings.LANGUAGE_CODE):
            title = _("Commitment of %(unit)s: %(title)s, clause %(n)s") % {
                "unit": commitment.unit.name,
                "title": commitment.title,
                "n": clause.number,
            }
        case = case_open(
            kind=KIND,
            actor=None,
            side=Side.SYSTEM,
            title=title[:200],
            description=f"{commitment.document_number}\n{clause.text}".strip(),
        )
        clause.case = case
        clause.save(update_fields=["case"])
    case = Case.objects.select_for_update().get(pk=clause.case_id)
    item = supervision_open_automatic(case=case, source=ENGINE_SOURCE[cause], unit=commitment.unit)
    if item is None:  # the engine holds one already (only if a row of ours was lost)
        return None
    # What the department must see achieved: the clause, and the enterprise's words if any.
    with translation.override(settings.LANGUAGE_CODE):
        target = _("Keep clause %(n)s (due %(due)s): %(text)s") % {
            "n": clause.number,
            "due": clause.due_date.isoformat(),
            "text": clause.text,
        }
        if detail:
            target += "\n" + _("The enterprise disputes the fulfilment: %(reason)s") % {
                "reason": detail
            }
    item.target = target
    item.save(update_fields=["target"])
    row = ClauseSupervision.objects.create(clause=clause, cause=cause, item=item)
    ledger_append(
        actor=None,
        action="commitments.supervision_opened",
        obj=clause,
        payload={"cause": cause, "item": item.pk, "case": case.pk, "detail": detail},
    )
    return row


def clause_overdue_ids(*, today: datetime.date | None = None) -> list[int]:
    """Return the clauses past the day they fall due (`Clause.falls_due_on`, the due date moved
    past holidays), not yet fulfilled, and not yet supervised for it. Selected in SQL on the
    index clause_pending_falls_due."""
    today = today or timezone.localdate()
    candidates = (
        Clause.objects.filter(status=ClauseStatus.PENDING)
        .filter(Q(falls_due_on__lt=today) | Q(falls_due_on__isnull=True, due_date__lt=today))
        .exclude(supervisions__cause=Cause.OVERDUE)
        .values_list("pk", "falls_due_on", "due_date")
    )
    # A clause saved without the admin (falls_due_on empty) has its working day worked out here,
    # among the few whose due date itself is past.
    return [pk for pk, falls, due in candidates if falls or next_working_day(due) < today]


def clause_escalate_overdue(*, clause_id: int) -> bool:
    """Send one overdue clause to supervision and tell its enterprise party; False when another
    run did, or it was kept."""
    with transaction.atomic():
        clause = (
            Clause.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("commitment", "commitment__unit")
            .filter(pk=clause_id)
            .first()
        )
        if clause is None or clause.status != ClauseStatus.PENDING:
            return False
        if effective_due_date(clause) >= timezone.localdate():
            return False
        if clause_supervise(clause=clause, cause=Cause.OVERDUE) is None:
            return False
        _tell_party_overdue(clause)
        return True


def _tell_party_overdue(clause: Clause) -> None:
    """Tell the enterprise party (an agreement's; a commitment to every enterprise has none)
    that a clause promised to it is overdue and supervised. Once: sent in the transaction that
    opens the overdue item (once per clause, ever), under a dedup key besides."""
    recipients = enterprise_members(clause.commitment.enterprise_id)
    if not recipients:
        return
    commitment = clause.commitment
    notify(
        recipients=recipients,
        subject=format_lazy(
            gettext_lazy(
                "{unit} has not kept a commitment to you by its due "
                "date: the department now supervises it"
            ),
            unit=commitment.unit,
        ),  # named in each reader's language
        body=format_lazy(
            gettext_lazy("{title}, clause {n} (due {due}): {text}"),
            title=commitment.title,
            n=clause.number,
            due=clause.due_date.isoformat(),
            text=clause.text,
        ),
        url=_page(clause),
        dedup_key=f"commitments:overdue:{clause.pk}",
    )


def clauses_scan_overdue() -> int:
    """The daily job: every overdue clause to supervision, once. Return how many opened.

    First the stored working days follow the calendar (clauses_follow_calendar): a correction
    whose listener failed (calendar_changed is sent robustly, the failure only logged) is
    repaired within a day, before the scan selects on those days. If that fails too, the scan
    still runs on the days stored (the escalation checks the due date against the calendar)."""
    try:
        clauses_follow_calendar()
    except Exception:  # the scan is the job's duty; the next run (or correction) retries this
        logger.exception("could not move the clauses' stored working days to the calendar")
    opened = 0
    for clause_id in clause_overdue_ids():
        try:
            opened += clause_escalate_overdue(clause_id=clause_id)
        except Exception:  # one bad row must not stop the others; the next run retries it
            logger.exception("could not send overdue clause %s to supervision", clause_id)
    return opened
