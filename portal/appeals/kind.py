"""The appeal kind's declaration: what the case engine needs to know about appeals (诉求).

Registered by AppealsConfig.ready(). Messages keep the words the enterprise reads.
"""

from django.utils.translation import gettext_lazy as _

from portal.cases import permissions
from portal.cases.kinds import KindSpec, Party

from .constants import (
    AUDIENCES,
    DEFAULT_ACCEPTANCE_DAYS,
    DEFAULT_HANDLING_DAYS,
    DEFAULT_HANDLING_DAYS_OTHER,
    KIND,
    TRANSITIONS,
    AppealType,
)

APPEAL = KindSpec(
    code=KIND,
    label=_("Enterprise appeal"),
    transitions=TRANSITIONS,
    audiences=AUDIENCES,
    party=Party.ENTERPRISE,
    subtypes=AppealType,
    subtype_required=True,
    category_required=True,
    enterprise_required=True,
    default_acceptance_days=DEFAULT_ACCEPTANCE_DAYS,
    default_handling_days=DEFAULT_HANDLING_DAYS,
    default_handling_days_other=DEFAULT_HANDLING_DAYS_OTHER,
    auto_close_unrated=True,
    allows_supplement=True,
    pain_points=True,
    submitter_url_name="cases:detail",
    can_act_for_submitter=permissions.enterprise_may_act,
    submitter_recipients=permissions.enterprise_recipients,
    messages={
        "received": _("We received your submission {ref}"),
        "accepted": _("Your appeal {ref} was accepted"),
        "not_accepted": _("Your appeal {ref} was not accepted"),
        "signed_for": _("{unit} is handling your appeal {ref}"),
        "info_requested": _("{unit} has a question about your appeal {ref}"),
        "extension_approved": _("The answer to your appeal {ref} is now due by {date}"),
        "answered": _("Your appeal {ref} has been answered: please rate the answer"),
        "reopened": _("Appeal {ref} was sent back to {unit} for redo"),
        "closed": _("Your appeal {ref} was closed"),
        "auto_closed": _("Your appeal {ref} was closed: the answer was not rated in time"),
        "subtype_required": _("Choose the type of your appeal."),
        "category_required": _("Choose the category your appeal is about."),
        "enterprise_required": _("An appeal is filed on behalf of an enterprise."),
    },
)
