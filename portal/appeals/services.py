"""Every write of the appeal kind. Other apps may call `appeal_submit`; every later step of an
appeal is one of the engine's services (portal.cases.services)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Value
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.cases import permissions
from portal.cases.constants import FINAL_STATUSES
from portal.cases.models import Case
from portal.cases.services import case_open

from .constants import KIND

DUPLICATE_WINDOW = datetime.timedelta(minutes=10)


class AlreadySubmitted(Exception):
    """The form with this submission key was filed before: `case` is what it opened."""

    def __init__(self, case_id: int, reference: str):
        super().__init__(reference)
        self.case_id, self.reference = case_id, reference


@transaction.atomic
def appeal_submit(*, submitter, title: str, description: str, category, subtype: str,
                  subject_unit=None, files=(), submission_key: str | None = None) -> Case:
    """File an appeal (诉求) for the submitter's enterprise; attachments are checked by content.

    A form is filed once: posted again with the same `submission_key` (a reload, the back
    button, a double click), it raises AlreadySubmitted naming the case the first post opened.
    Refuses the same appeal submitted twice within ten minutes from another form, too.
    """
    permissions.require(
        permissions.is_enterprise_member(submitter),
        _("Only a member of a registered enterprise may submit an appeal."),
    )
    # One submit per person at a time, so the duplicate check below cannot be raced.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [7_000_301, submitter.pk])
    # The form's own earlier case (the unique index on the key), and the same appeal sent a
    # moment ago from another form, asked in one statement: each half on its own index. With
    # an OR, PostgreSQL read every case of the submitter (3 ms at 2,600 cases).
    same = Case.objects.filter(
        submitter=submitter, title=(title or "").strip(), description=(description or "").strip(),
        submitted_at__gte=timezone.now() - DUPLICATE_WINDOW,
    ).exclude(status__in=FINAL_STATUSES).annotate(own=Value(False))
    if submission_key:
        same = (Case.objects.filter(submission_key=submission_key, submitter=submitter)
                .annotate(own=Value(True)).values_list("own", "pk", "reference")[:1]
                .union(same.values_list("own", "pk", "reference")[:1], all=True))
    else:
        same = same.values_list("own", "pk", "reference")[:1]
    found = {own: (pk, reference) for own, pk, reference in same}
    if True in found:
        raise AlreadySubmitted(*found[True])
    if False in found:
        raise ValidationError(
            _("You submitted this appeal a moment ago as %(ref)s; it is already on its way.")
            % {"ref": found[False][1]}, code="duplicate",
        )
    return case_open(kind=KIND, actor=submitter, submitter=submitter,
                     enterprise=submitter.enterprise, title=title, description=description,
                     category=category, subtype=subtype, subject_unit=subject_unit,
                     files=files, submission_key=submission_key)
