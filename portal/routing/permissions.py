"""Who may do what with routing: the one place the admin, pages and services ask.

Routing is the department's (区营商环境改革局) business: only department staff
(`orgs.supervise_all_units`) edit rules, read the learned models, start a retrain and see
suggestions. The model permissions (given to the role in roles.py) are required as well, so
the admin's usual checks and ours agree. Unit officials see none of it.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

SUPERVISE_ALL = "orgs.supervise_all_units"
RETRAIN = "routing.retrain_routingmodel"


def is_department(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active
                and user.has_perm(SUPERVISE_ALL))


def can_rules(user, action: str = "view") -> bool:
    """May `user` view / add / change / delete routing rules?"""
    return is_department(user) and user.has_perm(f"routing.{action}_routingrule")


def can_view_models(user) -> bool:
    return is_department(user) and user.has_perm("routing.view_routingmodel")


def can_retrain(user) -> bool:
    return is_department(user) and user.has_perm(RETRAIN)


def can_see_suggestions(user) -> bool:
    """May `user` see routing suggestions (the dispatcher: department staff)?"""
    return is_department(user)


def require_rules(user, action: str) -> None:
    if not can_rules(user, action):
        raise PermissionDenied(_("Only the business environment department may edit "
                                 "routing rules."))


def require_retrain(user) -> None:
    if not can_retrain(user):
        raise PermissionDenied(_("Only the business environment department may retrain "
                                 "routing suggestions."))
