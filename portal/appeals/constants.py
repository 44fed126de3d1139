"""The appeal kind's choices and workflow: its transition table and who sees each step.

The engine reads these through the kind's declaration (kind.py); see
docs/adr/0005-case-engine.md for the table as a picture.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.cases.constants import OPEN_STATUSES, Action, Status, Transition, transition
from portal.cases.kinds import GOVERNMENT, Audience

KIND = "appeal"


class AppealType(models.TextChoices):
    """The nature of an appeal (诉求); it decides the default deadline."""

    INQUIRY = "inquiry", _("Inquiry (咨询)")
    HELP = "help", _("Request for help (求助)")
    SUGGESTION = "suggestion", _("Suggestion (建议)")
    COMPLAINT = "complaint", _("Complaint about a service (投诉)")


S = Status
_t = transition
_WORKING = frozenset({S.SIGNED_FOR, S.IN_PROGRESS, S.REOPENED})

TRANSITIONS: dict[str, Transition] = {
    Action.ACCEPT: _t({S.SUBMITTED}, S.ACCEPTED),
    Action.REJECT: _t({S.SUBMITTED}, S.NOT_ACCEPTED),
    # Assigning straight from "submitted" records the acceptance first (two events).
    Action.ASSIGN: _t({S.SUBMITTED, S.ACCEPTED, S.RETURNED}, S.ASSIGNED),
    Action.RETURN: _t({S.ASSIGNED, S.SIGNED_FOR, S.IN_PROGRESS}, S.RETURNED),
    Action.TRANSFER: _t({S.ASSIGNED, S.SIGNED_FOR, S.IN_PROGRESS}, S.ASSIGNED),
    Action.SIGN_FOR: _t({S.ASSIGNED}, S.SIGNED_FOR),
    Action.START: _t({S.SIGNED_FOR, S.REOPENED}, S.IN_PROGRESS),
    Action.REQUEST_INFO: _t(_WORKING, S.INFO_REQUESTED),
    Action.PROVIDE_INFO: _t({S.INFO_REQUESTED}, S.IN_PROGRESS),
    Action.REQUEST_EXTENSION: _t(_WORKING, S.EXTENSION_REQUESTED),
    Action.APPROVE_EXTENSION: _t({S.EXTENSION_REQUESTED}, S.IN_PROGRESS),
    Action.REFUSE_EXTENSION: _t({S.EXTENSION_REQUESTED}, S.IN_PROGRESS),
    # A pending extension request lapses when the unit answers anyway.
    Action.ANSWER: _t({*_WORKING, S.EXTENSION_REQUESTED}, S.ANSWERED),
    # ≥ 3 closes; ≤ 2 sends the case back to the unit for redo (重办).
    Action.RATE: _t({S.ANSWERED}, S.CLOSED, S.REOPENED),
    Action.CLOSE: _t({S.ANSWERED}, S.CLOSED),
    Action.AUTO_CLOSE: _t({S.ANSWERED}, S.CLOSED),
    # 补充材料: the enterprise adds a note or files while the case is open.
    Action.SUPPLEMENT: _t(OPEN_STATUSES),
    Action.NOTE: _t(set(S)),
    Action.SUPERVISE: _t(OPEN_STATUSES),
    Action.SUPERVISION_CLOSED: _t(set(S)),
}

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
