"""Opening cases and storing their attachments."""

import datetime

from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import connection, transaction
from django.db.models import Value
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import deadlines, permissions
from ..attachments import Inspected, attachment_inspect
from ..constants import FINAL_STATUSES, Action, Kind, Status
from ..models import Attachment, Case, CaseEvent, EngineSettings
from ..text import keywords_of, search_tokens
from . import _steps

DUPLICATE_WINDOW = datetime.timedelta(minutes=10)
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
        attachment = Attachment(case=case, event=event, original_name=info.original_name,
                                content_type=info.content_type, size=info.size,
                                sha256=info.sha256, uploaded_by=actor)
        attachment.file.save(f"upload{info.extension}", f if isinstance(f, File) else File(f),
                             save=False)
        attachment.save()
        saved.append(attachment)
    return saved


@transaction.atomic
def case_open(*, kind: str, actor, title: str, description: str, submitter=None,
              enterprise=None, category=None, appeal_type: str = "", subject_unit=None,
              files=()) -> Case:
    """Open a case of any kind (status submitted, the acceptance clock running).

    For other apps' services (complaints, observer assignments, opinions), which check their
    own permissions first. Kinds whose submitter must stay hidden (reports) keep the person in
    their own detail table and pass submitter=None.
    """
    settings = EngineSettings.load()
    files = list(files or [])
    inspected = attachments_check(files, settings=settings)
    now = timezone.now()
    day = timezone.localdate(now)
    case = Case(kind=kind, title=(title or "").strip(), description=(description or "").strip(),
                submitter=submitter, enterprise=enterprise, category=category,
                appeal_type=appeal_type or "", subject_unit=subject_unit,
                status=Status.SUBMITTED, submitted_at=now)
    # The related rows come as loaded instances, and the database enforces the foreign keys and
    # the check constraints (a new case has no score and no responsible unit, so both hold):
    # validating those here re-read each related row and ran each constraint as a query. A
    # constraint added to Case must be checked here if a new case could break it
    # (tests/cases/test_services_submit.py pins the list).
    case.full_clean(exclude=["reference", *_OPENING_RELATED], validate_constraints=False)
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
    event = _steps.record_step(case, actor=actor, action=Action.SUBMIT, save=False, notices=[
        _steps.Notice(_steps.department_staff(),
                      format_lazy(gettext_lazy("New case {ref} waits for acceptance"), ref=ref),
                      case.title),
        _steps.Notice(_steps.submitter_side(case),
                      format_lazy(gettext_lazy("We received your submission {ref}"), ref=ref),
                      format_lazy(gettext_lazy("It will be accepted by {date}."),
                                  date=case.acceptance_due_date.isoformat()),
                      for_submitter=True, include_actor=True),
    ])
    attachments_save(case=case, event=event, actor=actor, files=files, inspected=inspected)
    return case


@transaction.atomic
def case_submit(*, submitter, title: str, description: str, category, appeal_type: str,
                subject_unit=None, files=()) -> Case:
    """File an appeal (诉求) for the submitter's enterprise; attachments are checked by content.

    Refuses the same appeal submitted twice within ten minutes (a double click, a resent form).
    """
    permissions.require(
        permissions.is_enterprise_member(submitter),
        _("Only a member of a registered enterprise may submit an appeal."),
    )
    # One submit per person at a time, so the duplicate check below cannot be raced.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [7_000_301, submitter.pk])
    earlier = (Case.objects.filter(
        submitter=submitter, title=(title or "").strip(), description=(description or "").strip(),
        submitted_at__gte=timezone.now() - DUPLICATE_WINDOW,
    ).exclude(status__in=FINAL_STATUSES).values_list("reference", flat=True).first())
    if earlier:
        raise ValidationError(
            _("You submitted this appeal a moment ago as %(ref)s; it is already on its way.")
            % {"ref": earlier}, code="duplicate",
        )
    return case_open(kind=Kind.APPEAL, actor=submitter, submitter=submitter,
                     enterprise=submitter.enterprise, title=title, description=description,
                     category=category, appeal_type=appeal_type, subject_unit=subject_unit,
                     files=files)
