"""The complaint kind's declaration (投诉举报): what the case engine needs to know.

Registered by ComplaintsConfig.ready(). The reporter is sealed: the engine keeps no person for
these cases, and tells the reporter through `services.reporter_tell` (the sealed notices).
"""

from django.utils.translation import gettext_lazy as _

from portal.cases.constants import Action
from portal.cases.kinds import KindSpec, Party

from . import permissions
from .constants import (
    AUDIENCES,
    DEFAULT_ACCEPTANCE_DAYS,
    DEFAULT_HANDLING_DAYS,
    KIND,
    TRANSITIONS,
    Misconduct,
)


def _check_unit(case, unit):
    from .models import Complaint
    from .services import unit_check_uninvolved

    unit_check_uninvolved(complaint=Complaint.objects.select_related("accused_unit")
                          .get(case=case), unit=unit)


def _tell(case, subject, body):
    from .services import reporter_tell

    reporter_tell(case, subject, body)


COMPLAINT = KindSpec(
    code=KIND,
    label=_("Complaint or report"),
    transitions=TRANSITIONS,
    audiences=AUDIENCES,
    party=Party.SEALED,
    sealed=True,
    subtypes=Misconduct,
    subtype_required=True,
    default_acceptance_days=DEFAULT_ACCEPTANCE_DAYS,
    default_handling_days_other=DEFAULT_HANDLING_DAYS,
    auto_close_unrated=True,
    allows_supplement=True,
    pain_points=False,
    can_act_for_submitter=permissions.reporter_may_act,
    notify_sealed_submitter=_tell,
    check_unit=_check_unit,
    # The finding is recorded with its answer on the complaint's own form.
    own_steps=frozenset({Action.ANSWER}),
    messages={
        "received": _("We received your report {ref}"),
        "accepted": _("Your report {ref} was accepted for investigation"),
        "not_accepted": _("Your report {ref} was not accepted"),
        "info_requested": _("The investigators have a question about your report {ref}"),
        "extension_approved": _("The outcome of your report {ref} is now due by {date}"),
        "answered": _("The investigation of your report {ref} has an outcome: please rate it"),
        "reopened": _("Report {ref} was sent back for further investigation"),
        "closed": _("Your report {ref} was closed"),
        "auto_closed": _("Your report {ref} was closed: the outcome was not rated in time"),
        "subtype_required": _("Choose what kind of misconduct it was."),
    },
)
