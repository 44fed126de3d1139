"""Choices and the one transition table of the case engine.

Every state change is an `Action`; `TRANSITIONS` says from which statuses an action may be
taken and which status it leads to. Services check this table and nothing else, so the
state machine can be read (and reviewed) here in one screen. See docs/adr/0005-case-engine.md.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """What sort of matter a case is; other apps add a one-to-one detail table per kind."""

    APPEAL = "appeal", _("Enterprise appeal")
    COMPLAINT = "complaint", _("Complaint or report")
    ASSIGNMENT = "assignment", _("Observer assignment")
    OPINION = "opinion", _("Consultation opinion")


class AppealType(models.TextChoices):
    """The nature of an appeal (诉求); it decides the default deadline."""

    INQUIRY = "inquiry", _("Inquiry (咨询)")
    HELP = "help", _("Request for help (求助)")
    SUGGESTION = "suggestion", _("Suggestion (建议)")
    COMPLAINT = "complaint", _("Complaint about a service (投诉)")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    ACCEPTED = "accepted", _("Accepted")
    ASSIGNED = "assigned", _("Assigned to a unit")  # 派单: waiting for the unit to sign for it
    RETURNED = "returned", _("Returned for reassignment")  # 退单
    SIGNED_FOR = "signed_for", _("Signed for")  # 签收: the unit's clock runs
    IN_PROGRESS = "in_progress", _("In progress")
    INFO_REQUESTED = "info_requested", _("Waiting for information from the enterprise")
    EXTENSION_REQUESTED = "extension_requested", _("Extension requested")
    ANSWERED = "answered", _("Answered")
    REOPENED = "reopened", _("Reopened for redo")  # 重办 after an unhappy rating
    CLOSED = "closed", _("Closed")


class Action(models.TextChoices):
    """A step on the timeline. Most change the status (see TRANSITIONS); some only record."""

    SUBMIT = "submit", _("Submitted")
    ACCEPT = "accept", _("Accepted")
    REJECT = "reject", _("Not accepted")
    ASSIGN = "assign", _("Assigned")  # 派单
    RETURN = "return", _("Returned")  # 退单
    TRANSFER = "transfer", _("Transferred")  # 转办
    SIGN_FOR = "sign_for", _("Signed for")  # 签收
    START = "start", _("Work started")
    REQUEST_INFO = "request_info", _("Information requested")
    PROVIDE_INFO = "provide_info", _("Information provided")
    REQUEST_EXTENSION = "request_extension", _("Extension requested")
    APPROVE_EXTENSION = "approve_extension", _("Extension approved")
    REFUSE_EXTENSION = "refuse_extension", _("Extension refused")
    ANSWER = "answer", _("Answered")
    RATE = "rate", _("Rated")
    CLOSE = "close", _("Closed")
    AUTO_CLOSE = "auto_close", _("Closed automatically (not rated in time)")
    NOTE = "note", _("Internal note")
    SUPERVISE = "supervise", _("Supervision item opened")  # 督办
    SUPERVISION_CLOSED = "supervision_closed", _("Supervision item closed")


class ReturnReason(models.TextChoices):
    """Why a unit hands a case back to the department (退单)."""

    NOT_COMPETENT = "not_competent", _("Not within our competence")
    INSUFFICIENT_INFORMATION = "insufficient_information", _("Not enough information to act on")
    DUPLICATE = "duplicate", _("Duplicate of another case")
    WRONG_UNIT = "wrong_unit", _("Another unit is responsible")
    OTHER = "other", _("Other reason (explain in the note)")


class Stage(models.TextChoices):
    """Whose clock is running, which decides the deadline rule and who is reminded."""

    ACCEPTANCE = "acceptance", _("Acceptance and dispatch by the department")
    HANDLING = "handling", _("Handling by the responsible unit")


class ReminderMark(models.TextChoices):
    EARLY = "early", _("Most of the time used")  # 80 % by default
    DUE = "due", _("Deadline passed")
    LATE = "late", _("Long overdue")  # 3× the time by default


class SupervisionSource(models.TextChoices):
    OVERDUE = "overdue", _("Overdue")
    RETURNED = "returned", _("Returned too often")
    UNHAPPY = "unhappy", _("Unhappy rating twice")
    PAIN_POINT = "pain_point", _("Recurring pain point")
    MANUAL = "manual", _("Opened by the department")


class SupervisionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


S = Status
FINAL_STATUSES = frozenset({S.NOT_ACCEPTED, S.CLOSED})
OPEN_STATUSES = frozenset(set(S) - FINAL_STATUSES)
# The department's clock (acceptance and dispatch) runs in these statuses.
ACCEPTANCE_STATUSES = frozenset({S.SUBMITTED, S.ACCEPTED, S.RETURNED})
# The unit's clock runs in these; it pauses while the enterprise is asked for information.
HANDLING_STATUSES = frozenset({S.SIGNED_FOR, S.IN_PROGRESS, S.EXTENSION_REQUESTED, S.REOPENED})
# The unit holds the case (its queue), whether or not its clock runs.
UNIT_STATUSES = frozenset({S.ASSIGNED, S.INFO_REQUESTED, *HANDLING_STATUSES})
_WORKING = frozenset({S.SIGNED_FOR, S.IN_PROGRESS, S.REOPENED})


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    targets: frozenset  # empty: the status does not change


def _t(sources, *targets) -> Transition:
    return Transition(frozenset(sources), frozenset(targets))


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
    Action.NOTE: _t(set(S)),
    Action.SUPERVISE: _t(OPEN_STATUSES),
    Action.SUPERVISION_CLOSED: _t(set(S)),
}

# The verb of each action for messages such as "You cannot sign for YS-2026-000001 while ...".
ACTION_VERBS = {
    Action.ACCEPT: _("accept"),
    Action.REJECT: _("decline"),
    Action.ASSIGN: _("assign"),
    Action.RETURN: _("return"),
    Action.TRANSFER: _("transfer"),
    Action.SIGN_FOR: _("sign for"),
    Action.START: _("start work on"),
    Action.REQUEST_INFO: _("ask the enterprise about"),
    Action.PROVIDE_INFO: _("provide information on"),
    Action.REQUEST_EXTENSION: _("ask for an extension of"),
    Action.APPROVE_EXTENSION: _("approve an extension of"),
    Action.REFUSE_EXTENSION: _("refuse an extension of"),
    Action.ANSWER: _("answer"),
    Action.RATE: _("rate"),
    Action.CLOSE: _("close"),
    Action.AUTO_CLOSE: _("close"),
    Action.NOTE: _("add a note to"),
    Action.SUPERVISE: _("supervise"),
    Action.SUPERVISION_CLOSED: _("close the supervision of"),
}

# The same table seen as a graph: status → statuses it may move to.
ALLOWED_TRANSITIONS: dict[str, frozenset] = {
    status: frozenset(
        target for t in TRANSITIONS.values() if status in t.sources for target in t.targets
    )
    for status in S
}

# Which actions the submitter sees on their timeline. Internal routing (退单), extension
# requests and refusals, supervision and internal notes stay inside the government.
PUBLIC_ACTIONS = frozenset({
    Action.SUBMIT, Action.ACCEPT, Action.REJECT, Action.ASSIGN, Action.TRANSFER,
    Action.SIGN_FOR, Action.START, Action.REQUEST_INFO, Action.PROVIDE_INFO,
    Action.APPROVE_EXTENSION, Action.ANSWER, Action.RATE, Action.CLOSE, Action.AUTO_CLOSE,
})

# Used when no DeadlineRule row matches (DESIGN §9), in working days.
DEFAULT_ACCEPTANCE_DAYS = 1
DEFAULT_HANDLING_DAYS = {
    AppealType.INQUIRY: 2,
    AppealType.HELP: 10,
    AppealType.SUGGESTION: 10,
    AppealType.COMPLAINT: 15,
}
DEFAULT_HANDLING_DAYS_OTHER = 15
