"""The case engine's vocabulary: statuses, actions, reasons, stages, reminder marks.

Which actions a kind of case allows, from which statuses and to which, is the kind's own
transition table (`KindSpec.transitions`, kinds.py); services check that table and nothing
else. See docs/adr/0005-case-engine.md.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


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
    SUPPLEMENT = "supplement", _("Material added by the submitter")  # 补充材料
    RATE = "rate", _("Rated")
    CLOSE = "close", _("Closed")
    AUTO_CLOSE = "auto_close", _("Closed automatically (not rated in time)")
    NOTE = "note", _("Internal note")
    SUPERVISE = "supervise", _("Supervision item opened")  # 督办
    SUPERVISION_CLOSED = "supervision_closed", _("Supervision item closed")
    # Parts (several units on one case, 交办 to each): the case waits on its parts.
    SPLIT = "split", _("Assigned to several units")
    PARTS_ANSWERED = "parts_answered", _("Answered by the units")
    PARTS_CLOSED = "parts_closed", _("Closed: every part is closed")


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



@dataclass(frozen=True)
class Transition:
    sources: frozenset
    targets: frozenset  # empty: the status does not change


def transition(sources, *targets) -> Transition:
    """A row of a kind's transition table: from `sources` to one of `targets` (none: no change)."""
    return Transition(frozenset(sources), frozenset(targets))


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
    Action.SUPPLEMENT: _("add material to"),
    Action.RATE: _("rate"),
    Action.CLOSE: _("close"),
    Action.AUTO_CLOSE: _("close"),
    Action.NOTE: _("add a note to"),
    Action.SUPERVISE: _("supervise"),
    Action.SUPERVISION_CLOSED: _("close the supervision of"),
    Action.SPLIT: _("assign to several units"),
    Action.PARTS_ANSWERED: _("record the units' answers on"),
    Action.PARTS_CLOSED: _("close"),
}

# The rows a kind whose cases may go to several units at once (KindSpec.parts) adds to its
# table. The parts are cases of their own (Case.parent), each with the whole workflow; the
# case itself moves only with them (services/parts.py).
PART_TRANSITIONS = {
    Action.SPLIT: transition({Status.SUBMITTED, Status.ACCEPTED, Status.RETURNED}, Status.ASSIGNED),
    Action.PARTS_ANSWERED: transition({Status.ASSIGNED}, Status.ANSWERED),
    Action.PARTS_CLOSED: transition({Status.ASSIGNED, Status.ANSWERED}, Status.CLOSED),
}
