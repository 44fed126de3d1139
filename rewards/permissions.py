"""Who may do what with rewards: the one place views, admin and services ask."""

from django.core.exceptions import PermissionDenied

PROPOSE = "rewards.propose_reward"
APPROVE = "rewards.approve_reward"
RECORD_PAYMENT = "rewards.record_reward_payment"


def _has(user, perm) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(perm))


def can_propose(user) -> bool:
    return _has(user, PROPOSE)


def can_approve(user) -> bool:
    return _has(user, APPROVE)


def can_record_payment(user) -> bool:
    return _has(user, RECORD_PAYMENT)


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)
