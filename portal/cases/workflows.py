"""Workflows kinds build their transition tables from (KindSpec.transitions).

`STANDARD_TRANSITIONS` is the engine's usual path of a case: accept (受理) or decline, assign
(派单), sign for (签收), work, ask the submitter, ask for an extension, answer, rate (1–2 sends
it back for redo, 重办), close; a unit may return (退单) or transfer (转办) it. A kind takes it as
it is (appeals), or drops and changes rows (complaints: no transfer between investigating
units); kinds that split cases among units add `constants.PART_TRANSITIONS`.
"""

from .constants import OPEN_STATUSES, Action, Status, Transition, transition

S = Status
_t = transition
_WORKING = frozenset({S.SIGNED_FOR, S.IN_PROGRESS, S.REOPENED})

STANDARD_TRANSITIONS: dict[str, Transition] = {
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
    # 补充材料: the submitter adds a note or files while the case is open.
    Action.SUPPLEMENT: _t(OPEN_STATUSES),
    Action.NOTE: _t(set(S)),
    Action.SUPERVISE: _t(OPEN_STATUSES),
    Action.SUPERVISION_CLOSED: _t(set(S)),
}

