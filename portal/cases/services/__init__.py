"""Every write to the case engine. Other apps, pages, the admin and the API may call:

Opening: case_open (any kind, for the kinds' own services: appeals.services.appeal_submit, ...),
attachments_check.
Department: case_accept, case_reject, case_assign, case_split (交办 to several units, for kinds
with parts), case_decide_extension, case_close.
Responsible unit: case_sign_for, case_sign_for_many, case_start, case_request_info,
case_request_extension, case_answer, case_return, case_transfer (also the department),
case_add_internal_note (also the department).
Submitter side: case_provide_info, case_supplement (补充材料), case_rate.
Supervision (督办): supervision_open, supervision_open_for_pain_point, supervision_close.
Periodic (tasks.py): case_reminders_send_due, case_auto_close_unrated.
Who is told (for the kinds' own notices): users_with_perm, unit_officials, department_staff.
Text a person typed: clean_text (stripped, required, at most TEXT_MAX characters).

Each service is keyword-only and atomic; it checks permissions (permissions.py), locks the case
row, checks the transition table (constants.TRANSITIONS), writes the timeline event and the
ledger entry, and notifies after commit. Refusals raise PermissionDenied (wrong person) or
ValidationError (bad input, or InvalidTransition for a step not allowed now) with a translated
message, and change nothing. Services return the updated case, re-read under the lock: use
the returned object, not the one passed in.
"""

from ._steps import (  # who is told: the holders of a permission, for the kinds' own notices
    InvalidTransition,
    clean_text,
    department_staff,
    reference_allocate,
    unit_officials,
    users_with_perm,
)
from .dispatch import (
    case_accept,
    case_assign,
    case_close,
    case_decide_extension,
    case_reject,
    case_return,
    case_transfer,
)
from .handling import (
    case_add_internal_note,
    case_answer,
    case_provide_info,
    case_request_extension,
    case_request_info,
    case_sign_for,
    case_sign_for_many,
    case_start,
    case_supplement,
)
from .parts import case_split, parts_roll_up
from .reminders import case_reminders_send_due
from .satisfaction import case_auto_close_unrated, case_rate
from .submit import attachments_check, case_open
from .supervision import (
    supervision_close,
    supervision_open,
    supervision_open_automatic,
    supervision_open_for_pain_point,
)

__all__ = [
    "InvalidTransition",
    "attachments_check",
    "case_accept",
    "case_add_internal_note",
    "case_answer",
    "case_assign",
    "case_auto_close_unrated",
    "case_close",
    "case_decide_extension",
    "case_open",
    "case_provide_info",
    "case_rate",
    "case_reject",
    "case_reminders_send_due",
    "case_request_extension",
    "case_request_info",
    "case_return",
    "case_sign_for",
    "case_sign_for_many",
    "case_split",
    "case_start",
    "case_supplement",
    "case_transfer",
    "clean_text",
    "department_staff",
    "parts_roll_up",
    "reference_allocate",
    "supervision_close",
    "supervision_open",
    "supervision_open_automatic",
    "supervision_open_for_pain_point",
    "unit_officials",
    "users_with_perm",
]
