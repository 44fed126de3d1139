"""Every write of the appeal kind. Other apps may call `appeal_submit`; every later step of an
appeal is one of the engine's services (portal.cases.services)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.cases import permissions
from portal.cases.constants import FINAL_STATUSES
from portal.cases.models import Case
from portal.cases.services import case_open
from portal.core.sql import model_names

from .constants import KIND

DUPLICATE_WINDOW = datetime.timedelta(minutes=10)


def _earlier_sql() -> str:
    """The form's own earlier case (`own` true), and the submitter's newest open case with the
    same title and description from the last DUPLICATE_WINDOW (false): at most one row each.

    Written out (ADR 0017): Django spent 1.1 ms of a submission's Python compiling this UNION
    of two annotated querysets, PostgreSQL 0.1 ms answering it. With an OR instead of the
    UNION, PostgreSQL read every case of the submitter (3 ms at 2,600 cases)."""
    table, key, submitter, title, description, submitted_at, status, pk, reference = (
        model_names(Case, "submission_key", "submitter", "title", "description", "submitted_at",
                    "status", "pk", "reference"))
    # names from the model, values as parameters
    return (
        f"(SELECT true, {pk}, {reference} FROM {table} WHERE {key} = %(key)s "  # noqa: S608
        f"AND {submitter} = %(submitter)s LIMIT 1) UNION ALL "
        f"(SELECT false, {pk}, {reference} FROM {table} WHERE {submitter} = %(submitter)s "
        f"AND {title} = %(title)s AND {description} = %(description)s "
        f"AND {submitted_at} >= %(since)s AND NOT ({status} = ANY(%(final)s)) "
        f"ORDER BY {submitted_at} DESC, {pk} DESC LIMIT 1)")


_EARLIER_SQL = _earlier_sql()


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
    with connection.cursor() as cursor:
        # One submit per person at a time, so the duplicate check below cannot be raced.
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [7_000_301, submitter.pk])
        # The form's own earlier case and the same appeal sent a moment ago (_earlier_sql)
        cursor.execute(_EARLIER_SQL, {
            "key": submission_key, "submitter": submitter.pk, "title": (title or "").strip(),
            "description": (description or "").strip(),
            "since": timezone.now() - DUPLICATE_WINDOW, "final": list(FINAL_STATUSES)})
        same = cursor.fetchall()
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
