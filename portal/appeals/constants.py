"""The appeal kind's choices and workflow: its transition table and who sees each step.

The engine reads these through the kind's declaration (kind.py); see
docs/adr/0005-case-engine.md for the table as a picture.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.cases.constants import Action, Transition
from portal.cases.kinds import GOVERNMENT, Audience
from portal.cases.workflows import STANDARD_TRANSITIONS

KIND = "appeal"


class AppealType(models.TextChoices):
    """The nature of an appeal (诉求); it decides the default deadline."""

    INQUIRY = "inquiry", _("Inquiry (咨询)")
    HELP = "help", _("Request for help (求助)")
    SUGGESTION = "suggestion", _("Suggestion (建议)")
    COMPLAINT = "complaint", _("Complaint about a service (投诉)")


# The engine's standard workflow, as it is: accept or decline, assign (派单), sign for (签收),
# work, ask, extend, answer, rate (重办 on 1–2), close; returns (退单) and transfers (转办).
TRANSITIONS: dict[str, Transition] = dict(STANDARD_TRANSITIONS)

# The enterprise sees these steps; internal routing (退单), extension requests and refusals,
# supervision and internal notes stay inside the government (the default audience).
_SEEN_BY_ENTERPRISE = Audience.SUBMITTER | GOVERNMENT
AUDIENCES: dict[str, int] = {
    action: _SEEN_BY_ENTERPRISE for action in (
        Action.SUBMIT, Action.ACCEPT, Action.REJECT, Action.ASSIGN, Action.TRANSFER,
        Action.SIGN_FOR, Action.START, Action.REQUEST_INFO, Action.PROVIDE_INFO,
        Action.APPROVE_EXTENSION, Action.ANSWER, Action.RATE, Action.CLOSE, Action.AUTO_CLOSE,
        Action.SUPPLEMENT,
    )
}

# Used when no DeadlineRule row matches (DESIGN §9), in working days.
DEFAULT_ACCEPTANCE_DAYS = 1
DEFAULT_HANDLING_DAYS = {
    AppealType.INQUIRY: 2,
    AppealType.HELP: 10,
    AppealType.SUGGESTION: 10,
    AppealType.COMPLAINT: 15,
}
DEFAULT_HANDLING_DAYS_OTHER = 15
