"""Who may see and do what with commitments: the one place services, selectors, pages, API
and admin ask.

- Department staff (`orgs.supervise_all_units`) see and edit every commitment.
- A unit official (`orgs.handle_unit_cases`) sees and edits their own unit's commitments and,
  holding `commitments.record_fulfilment`, records the evidence of their fulfilment.
- The enterprise party's members (`orgs.act_for_enterprise`) see their agreements and confirm
  or dispute each fulfilment. A commitment made to every enterprise (no enterprise party) is
  seen by everyone, and any signed-in enterprise user may dispute its fulfilment, once per
  enterprise (the services count it disputed only when several enterprises do; ADR 0014).
"""

from django.db.models import Q

from .constants import ClauseStatus

SUPERVISE_ALL = "orgs.supervise_all_units"
HANDLE_UNIT = "orgs.handle_unit_cases"
ACT_FOR_ENTERPRISE = "orgs.act_for_enterprise"
RECORD = "commitments.record_fulfilment"


def is_department(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(SUPERVISE_ALL))


def official_unit_id(user):
    """The unit `user` acts for as its official, or None."""
    if user and user.is_authenticated and user.unit_id and user.has_perm(HANDLE_UNIT):
        return user.unit_id
    return None


def enterprise_of(user):
    """The enterprise `user` acts for, or None."""
    if user and user.is_authenticated and user.enterprise_id and user.has_perm(ACT_FOR_ENTERPRISE):
        return user.enterprise_id
    return None


def admin_commitments_q(user) -> Q | None:
    """The commitments `user` handles in the admin (None: none at all)."""
    if is_department(user):
        return Q()
    unit_id = official_unit_id(user)
    return Q(unit_id=unit_id) if unit_id else None


def public_commitments_q(user) -> Q:
    """The commitments `user` may read on the public pages."""
    q = Q(enterprise__isnull=True)
    enterprise_id = enterprise_of(user)
    if enterprise_id:
        q |= Q(enterprise_id=enterprise_id)
    return q


def may_record(user, clause) -> bool:
    """Only an official of the clause's responsible unit records its fulfilment."""
    unit_id = official_unit_id(user)
    return bool(unit_id and unit_id == clause.commitment.unit_id and user.has_perm(RECORD))


def may_confirm(user, clause) -> bool:
    """Only a member of the enterprise party confirms (a public commitment has none)."""
    enterprise_id = enterprise_of(user)
    return bool(enterprise_id and enterprise_id == clause.commitment.enterprise_id)


def may_dispute(user, clause) -> bool:
    """The enterprise party disputes; a commitment to every enterprise, any enterprise user."""
    enterprise_id = enterprise_of(user)
    if not enterprise_id:
        return False
    return clause.commitment.enterprise_id in (None, enterprise_id)


def may_answer_now(user, clause, *, disputed_already: bool = False) -> tuple[bool, bool]:
    """(may confirm, may dispute) on the clause's page at its current status;
    `disputed_already`: the reader's enterprise disputed its latest fulfilment (a commitment to
    every enterprise is disputed once per enterprise)."""
    if clause.status != ClauseStatus.FULFILLED:
        return False, False
    return may_confirm(user, clause), may_dispute(user, clause) and not disputed_already
