"""Opening cases and storing their attachments."""

from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import F, Value
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import deadlines
from ..attachments import Inspected, attachment_inspect
from ..constants import Action, Status
from ..kinds import GOVERNMENT, kind_spec
from ..models import Attachment, Case, CaseEvent, EngineSettings
from ..text import keywords_of, search_tokens
from . import _steps

_OPENING_RELATED = ("category", "submitter", "enterprise", "subject_unit")


def attachments_check(files, *, settings: EngineSettings | None = None) -> list[Inspected]:
    """Inspect every file before anything is saved; raise one error listing every bad file."""
    files = list(files or [])
    settings = settings or EngineSettings.load()
    if len(files) > settings.attachment_max_count:
        raise ValidationError({"files": _("You can attach at most %(n)d files at once.")
                               % {"n": settings.attachment_max_count}}, code="too_many")
    inspected, errors = [], []
    for f in files:
        try:
            inspected.append(attachment_inspect(f, max_bytes=settings.attachment_max_bytes))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({"files": errors}, code="bad_file")
    return inspected


def attachments_save(*, case: Case, event: CaseEvent | None, actor, files,
                     inspected: list[Inspected]) -> list[Attachment]:
    """Store checked files on `case`, attached to the step `event`, which the caller has just
    written in the same transaction: a cached timeline is keyed by its newest step (ADR 0009),
    so files must never be added to an older step."""
    saved = []
    for f, info in zip(files, inspected, strict=True):
        if hasattr(f, "seek"):
            f.seek(0)
        # The file is seen by whoever sees its step, and uploaded by the step's actor as the
        # event stored it (nobody, for a sealed submitter).
        attachment = Attachment(case=case, event=event, original_name=info.original_name,
                                content_type=info.content_type, size=info.size,
                                sha256=info.sha256,
                                uploaded_by=event.actor if event is not None else actor,
                                audience=event.audience if event is not None else GOVERNMENT)
        attachment.file.save(f"upload{info.extension}", f if isinstance(f, File) else File(f),
                             save=False)
        attachment.save()
        saved.append(attachment)
    if saved:  # the case's count of files, which its timeline reads them by (case_timeline_for)
        Case.objects.filter(pk=case.pk).update(
            attachment_count=F("attachment_count") + len(saved))
        case.attachment_count += len(saved)
    return saved


def case_open(*, kind: str, actor, title: str, description: str, submitter=None,
              enterprise=None, category=None, subtype: str = "", subject_unit=None,
              files=(), side: str | None = None, submission_key: str | None = None) -> Case:
    """Open a case of `kind` (status submitted, the acceptance clock running).

    For the kinds' own services (appeals.services.appeal_submit, ...), which check their own
    permissions first. For a sealed kind the person stays in the kind's own table: `actor`,
    `submitter` and `enterprise` must be None (refused otherwise), and `side` says as what the
    step was taken (kinds.Side.REPORTER). `submission_key` is the one-time key of the form
    the case comes from, stored on the case (unique): the kind's service looks it up first, so
    a form posted twice opens one case.
    """
    spec = kind_spec(kind)
    if spec.sealed and (actor is not None or submitter is not None or enterprise is not None):
        raise ValueError(f"case kind {kind!r} seals its submitter: open its cases with no "
                         "actor, submitter or enterprise (keep the person in the kind's table)")
    settings = EngineSettings.load()
    files = list(files or [])
    inspected = attachments_check(files, settings=settings)
    now = timezone.now()
    day = timezone.localdate(now)
    case = Case(kind=kind, title=(title or "").strip(), description=(description or "").strip(),
                submitter=submitter, enterprise=enterprise, category=category,
                subtype=subtype or "", subject_unit=subject_unit,
                status=Status.SUBMITTED, submitted_at=now, submission_key=submission_key or None)
    # The related rows come as loaded instances, and the database enforces the foreign keys and
    # the check constraints (a new case has no score and no responsible unit, so both hold):
    # validating those here re-read each related row and ran each constraint as a query. A
    # constraint added to Case must be checked here if a new case could break it
    # (tests/cases/test_services_submit.py pins the list; the submission key's uniqueness is
    # the kind's service's to check, as appeal_submit does, before it calls this).
    case.full_clean(exclude=["reference", *_OPENING_RELATED], validate_constraints=False)
    # Everything above refuses bad input before any write, so a caller may catch that and carry
    # on. The writes take no savepoint inside a kind's transaction (two statements on every
    # submission, issue 11): one failing there leaves nothing a caller could carry on with.
    with transaction.atomic(savepoint=False):
        return _case_write(case, actor=actor, side=side, day=day, settings=settings,
                           files=files, inspected=inspected)


def _case_write(case: Case, *, actor, side, day, settings, files, inspected) -> Case:
    case.reference = _steps.reference_allocate(year=day.year)
    case.acceptance_due_date = deadlines.due_date_from(day, _steps.acceptance_days(case))
    _steps.start_clock(case, start=day, due=case.acceptance_due_date, settings=settings)
    case.keywords = keywords_of(f"{case.title}\n{case.description}")
    case.search_vector = SearchVector(  # computed by PostgreSQL in the INSERT itself
        Value(search_tokens(f"{case.reference} {case.title} {case.description}")),
        config="simple")
    case.save()
    del case.search_vector  # deferred: the expression is not a value, and no later save writes it
    ref = case.reference
    event = _steps.record_step(case, actor=actor, action=Action.SUBMIT, save=False, side=side,
                               notices=[
        _steps.Notice(_steps.department_staff(),
                      format_lazy(gettext_lazy("New case {ref} waits for acceptance"), ref=ref),
                      case.title),
        _steps.to_submitter(case, "received", include_actor=True,
                            date=_steps.lazy_date(case.acceptance_due_date)),
    ])
    attachments_save(case=case, event=event, actor=actor, files=files, inspected=inspected)
    return case
