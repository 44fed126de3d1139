"""Object-level rules of complaints: the one place pages, API and admin ask.

- The complaint desk (`cases.view_sealed_identity`) triages, assigns and sees who reported.
- Department staff and the investigating unit (the case's responsible unit) see the report
  without any identifying field; the accused unit does not see it at all (it is never the
  case's responsible unit).
- The reporter acts on their report as a `ReporterActor`: the engine records the step with no
  person (a sealed kind), whether they proved it with a receipt code or by signing in.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from portal.cases import permissions as case_permissions

TRIAGE = "complaints.triage_complaint"
DECIDE_IDENTITY = "complaints.decide_identity_request"
PUBLISH = "complaints.publish_case"


class ReporterActor:
    """The reporter of one complaint, as an actor the engine's services accept.

    It holds no person: it is authenticated for that one complaint only, has no permission, no
    unit and no enterprise, so the engine records its steps as the submitter side with no actor.
    (The engine's case_provide_info and case_rate take an actor, not `side=`, for a sealed kind.)
    """

    is_authenticated = True
    is_active = False
    is_staff = False
    is_superuser = False
    pk = id = None
    unit_id = enterprise_id = None
    unit = enterprise = None

    def __init__(self, complaint_id: int):
        self.complaint_id = complaint_id

    def has_perm(self, perm, obj=None) -> bool:
        return False

    def __repr__(self):
        return f"ReporterActor({self.complaint_id})"


def reporter_may_act(user, case) -> bool:
    """The kind's rule: only the ReporterActor of this very case acts for the reporter."""
    return isinstance(user, ReporterActor) and user.complaint_id == case.pk


def is_desk(user) -> bool:
    return case_permissions.is_complaint_desk(user)


def can_triage(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(TRIAGE))


def can_decide_identity(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(DECIDE_IDENTITY))


def can_publish(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(PUBLISH))


def sees_identity(user) -> bool:
    """May `user` read the sealed reporter of any complaint (the desk only)?"""
    return is_desk(user)


def can_view_complaint(user, complaint) -> bool:
    return case_permissions.sees_internal(user, complaint.case)


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def require_triage(user) -> None:
    require(can_triage(user), _("Only the complaint desk may do this."))
