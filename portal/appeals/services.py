"""Every write of the appeal kind. Other apps may call `appeal_submit`; every later step of an
appeal is one of the engine's services (portal.cases.services)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import BooleanField, ExpressionWrapper, Q
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
    # One query for both: the form's own earlier case, or the same text filed a moment ago.
    same_text = Q(title=(title or "").strip(), description=(description or "").strip(),
                  submitted_at__gte=timezone.now() - DUPLICATE_WINDOW) & ~Q(
        status__in=FINAL_STATUSES)
    if submission_key:
        own = Q(submission_key=submission_key)
        earlier = (Case.objects.filter(own | same_text, submitter=submitter)
                   .order_by(ExpressionWrapper(own, output_field=BooleanField()).desc(),
                             "-submitted_at"))
    else:
        earlier = Case.objects.filter(same_text, submitter=submitter).order_by("-submitted_at")
    earlier = earlier.values_list("pk", "reference", "submission_key").first()
    if earlier and submission_key and earlier[2] == submission_key:
        raise AlreadySubmitted(earlier[0], earlier[1])
    if earlier:
        raise ValidationError(
            _("You submitted this appeal a moment ago as %(ref)s; it is already on its way.")
            % {"ref": earlier[1]}, code="duplicate",
        )
    return case_open(kind=KIND, actor=submitter, submitter=submitter,
                     enterprise=submitter.enterprise, title=title, description=description,
                     category=category, subtype=subtype, subject_unit=subject_unit,
                     files=files, submission_key=submission_key)
