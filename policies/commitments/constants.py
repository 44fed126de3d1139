"""Kinds, statuses and the transition table of commitment clauses."""

from django.db import models
from django.utils.translation import gettext_lazy as _

KIND = "commitment"  # the case kind supervision items of clauses live on


class CommitmentKind(models.TextChoices):
    AGREEMENT = "agreement", _("Agreement with an enterprise (招商协议等)")
    SUPPORT_POLICY = "support_policy", _("Support policy")
    PUBLIC_SERVICE = "public_service", _("Public service commitment (公开服务承诺)")


class ClauseStatus(models.TextChoices):
    PENDING = "pending", _("Not yet fulfilled")
    FULFILLED = "fulfilled", _("Fulfilment recorded, awaiting confirmation")
    CONFIRMED = "confirmed", _("Fulfilment confirmed")
    DISPUTED = "disputed", _("Fulfilment disputed")


class Answer(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    DISPUTED = "disputed", _("Disputed")


class Cause(models.TextChoices):
    """Why a clause went to supervision (督办): each opens one item per clause, ever."""

    OVERDUE = "overdue", _("Clause overdue")
    DISPUTED = "disputed", _("Fulfilment disputed")


# The engine's supervision sources this kind declares (kind.py), one per cause: the engine's
# admin, filters and dashboard show what happened, not the nearest engine cause.
SUPERVISION_SOURCES = {
    Cause.OVERDUE: ("commitment_overdue", _("Commitment overdue")),
    Cause.DISPUTED: ("commitment_disputed", _("Disputed by the enterprise")),
}


S = ClauseStatus
# status -> statuses it may move to (the services check this table).
ALLOWED_TRANSITIONS = {
    S.PENDING: {S.FULFILLED},
    S.FULFILLED: {S.CONFIRMED, S.DISPUTED},
    # A disputed clause is worked on again: the unit records new evidence.
    S.DISPUTED: {S.FULFILLED},
    S.CONFIRMED: set(),
}
KEPT = (S.FULFILLED, S.CONFIRMED)

# A commitment made to every enterprise (no enterprise party) counts a fulfilment disputed, and
# sends it to supervision, once this many distinct enterprises dispute it (each once, with a
# reason): one enterprise's word, or one account, does not lower a unit's public rate. An
# agreement's own party disputes alone. The default of the setting
# COMMITMENTS_PUBLIC_DISPUTES_TO_DISPUTE (portal/settings/base.py), read through
# services.public_disputes_to_dispute(). docs/adr/0014.
DEFAULT_PUBLIC_DISPUTES_TO_DISPUTE = 3
