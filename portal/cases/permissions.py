"""Who may see and do what with cases: the one place, used by services, selectors, pages,
API and admin alike.

- Department staff (`orgs.supervise_all_units`) see every case, accept, dispatch, decide
  extensions, close and supervise.
- Unit officials (`orgs.handle_unit_cases`) see and handle the cases whose responsible unit is
  their own unit, and nothing else. A case returned or transferred away leaves their view.
- Enterprise users (`orgs.act_for_enterprise`) see the cases they submitted themselves; the
  enterprise administrator (`orgs.manage_enterprise_members`) sees every case of the
  enterprise. Whoever sees a case on the enterprise side may act for the enterprise on it
  (answer the unit's questions, rate), so a case is not stuck when its submitter is away.
- Every event and file carries its audience (kinds.Audience); a viewer sees it when one of
  their audiences for the case (`audience_of`) is among them. Which steps the submitter side
  sees is the kind's declaration (`KindSpec.audiences`).
- Only the complaint desk (`cases.view_sealed_identity`) is of the DESK audience.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .constants import Action
from .kinds import GOVERNMENT, Audience, kind_spec

SUPERVISE_ALL = "orgs.supervise_all_units"
HANDLE_UNIT_CASES = "orgs.handle_unit_cases"
ACT_FOR_ENTERPRISE = "orgs.act_for_enterprise"
MANAGE_ENTERPRISE = "orgs.manage_enterprise_members"
MANAGE_SUPERVISION = "cases.manage_supervision"
VIEW_PAIN_POINTS = "cases.view_pain_points"
VIEW_SEALED_IDENTITY = "cases.view_sealed_identity"


def is_department(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(SUPERVISE_ALL))


def is_unit_official(user) -> bool:
    return bool(user and user.is_authenticated and user.unit_id
                and user.has_perm(HANDLE_UNIT_CASES))


def is_enterprise_member(user) -> bool:
    return bool(user and user.is_authenticated and user.enterprise_id
                and user.has_perm(ACT_FOR_ENTERPRISE))


def is_enterprise_admin(user) -> bool:
    return is_enterprise_member(user) and user.has_perm(MANAGE_ENTERPRISE)


def visible_cases_q(user) -> Q:
    """Return the filter of the cases `user` may see (an empty result for nobody)."""
    if is_department(user):
        return Q()
    parts = []
    if is_unit_official(user):
        parts.append(Q(responsible_unit_id=user.unit_id))
    if is_enterprise_member(user):
        if is_enterprise_admin(user):
            parts.append(Q(enterprise_id=user.enterprise_id))
        else:
            parts.append(Q(enterprise_id=user.enterprise_id, submitter_id=user.pk))
    if not parts:
        return Q(pk__in=[])
    q = parts[0]
    for part in parts[1:]:
        q |= part
    return q


def enterprise_may_act(user, case) -> bool:
    """The rule of kinds submitted by an enterprise: its member who submitted the case, or its
    administrator, may act for it (answer questions, rate, add material)."""
    if not is_enterprise_member(user) or case.enterprise_id != user.enterprise_id:
        return False
    return case.submitter_id == user.pk or is_enterprise_admin(user)


def enterprise_recipients(case) -> list:
    """Whom a kind submitted by an enterprise notifies: the member who submitted it."""
    return [case.submitter] if case.submitter_id and case.submitter.is_active else []


def can_act_for_submitter(user, case) -> bool:
    """May `user` act on the submitter's side of `case`? The case's kind decides."""
    return bool(user and user.is_authenticated and kind_spec(case.kind).can_act_for_submitter(user, case))


def is_complaint_desk(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(VIEW_SEALED_IDENTITY))


def audience_of(user, case) -> int:
    """Return the audiences (kinds.Audience bits) `user` belongs to for `case`; 0: none.

    The one answer to "which steps and files of this case may this person see": pages, admin,
    API, exports and cached fragments all filter with it (`audience__sees=audience_of(...)`).
    """
    # Asked several times a page (the case, its timeline, its files, its forms): answered once
    # per case object and person. Services re-read the case under their lock, so a step that
    # changes who handles it never sees a stale answer.
    memo = case.__dict__.setdefault("_audiences", {}) if getattr(user, "pk", None) else None
    if memo is not None and user.pk in memo:
        return memo[user.pk]
    mask = 0
    if is_department(user):
        mask |= Audience.DEPARTMENT
        if is_complaint_desk(user):
            mask |= Audience.DESK
    if can_handle(user, case):
        mask |= Audience.UNITS
    if can_act_for_submitter(user, case):
        mask |= Audience.SUBMITTER
    mask = int(mask | Audience.PUBLIC) if mask else 0
    if memo is not None:
        memo[user.pk] = mask
    return mask


def can_handle(user, case) -> bool:
    """May `user` do the responsible unit's work on `case` (sign for, answer, return ...)?"""
    return is_unit_official(user) and case.responsible_unit_id == user.unit_id


def can_dispatch(user) -> bool:
    """May `user` accept, assign, decide extensions and close cases (the department)?"""
    return is_department(user)


def sees_internal(user, case) -> bool:
    """Is `user` on the government's side of `case` (department or responsible unit)?"""
    return bool(audience_of(user, case) & GOVERNMENT)


def can_view_case(user, case) -> bool:
    return bool(audience_of(user, case))


def can_manage_supervision(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(MANAGE_SUPERVISION))


def can_view_pain_points(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(VIEW_PAIN_POINTS))


def can_view_attachment(user, attachment) -> bool:
    return bool(audience_of(user, attachment.case) & attachment.audience)


def require(allowed: bool, message: str | None = None) -> None:
    """Raise PermissionDenied (with a translated message) unless `allowed`."""
    if not allowed:
        raise PermissionDenied(message or _("You are not allowed to do this."))


def require_view(user, case) -> None:
    require(can_view_case(user, case), _("You are not allowed to see this case."))


def require_dispatch(user) -> None:
    require(can_dispatch(user), _("Only the business environment department may do this."))


# --- who may take each step: the one answer, asked by services and the admin's step forms ---

def _may_handle_or_dispatch(user, case) -> bool:
    return can_handle(user, case) or can_dispatch(user)


def _may_dispatch(user, case) -> bool:
    return can_dispatch(user)


def _may_supervise(user, case) -> bool:
    return can_manage_supervision(user)


# (rule, refusal): the refusal is formatted with the case's reference.
_UNIT = (can_handle,
         gettext_noop("Only an official of the unit responsible for %(ref)s may do this."))
_DEPARTMENT = (_may_dispatch, gettext_noop("Only the business environment department may do "
                                           "this."))
_SUBMITTER = (can_act_for_submitter,
              gettext_noop("Only the party that submitted %(ref)s may do this."))
STEP_RULES = {
    Action.SIGN_FOR: _UNIT, Action.START: _UNIT, Action.ANSWER: _UNIT,
    Action.REQUEST_INFO: _UNIT, Action.REQUEST_EXTENSION: _UNIT, Action.RETURN: _UNIT,
    Action.ACCEPT: _DEPARTMENT, Action.REJECT: _DEPARTMENT, Action.ASSIGN: _DEPARTMENT,
    Action.SPLIT: _DEPARTMENT, Action.APPROVE_EXTENSION: _DEPARTMENT,
    Action.REFUSE_EXTENSION: _DEPARTMENT, Action.CLOSE: _DEPARTMENT,
    Action.TRANSFER: (_may_handle_or_dispatch, gettext_noop(
        "Only the responsible unit or the department may transfer %(ref)s.")),
    Action.NOTE: (sees_internal, gettext_noop(
        "Only the responsible unit or the department may add notes to %(ref)s.")),
    Action.SUPERVISE: (_may_supervise, gettext_noop(
        "Only the department may open supervision items.")),
    Action.PROVIDE_INFO: _SUBMITTER, Action.RATE: _SUBMITTER, Action.SUPPLEMENT: _SUBMITTER,
}


def may_take(user, case, action: str) -> bool:
    """May `user` take the step `action` on `case`, whatever the case's state? The rule each
    step's service requires (`require_step`) and the admin offers the step by (admin_forms)."""
    rule = STEP_RULES.get(action)
    return rule is not None and bool(user) and rule[0](user, case)


def require_step(user, case, action: str) -> None:
    """Raise PermissionDenied, in the step's own words, unless `may_take`."""
    if not may_take(user, case, action):
        message = STEP_RULES[action][1] if action in STEP_RULES else None
        require(False, _(message) % {"ref": case.reference} if message else None)
