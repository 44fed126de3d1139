"""The complaint kind's choices and workflow: misconduct types, triage, findings, its transition
table and who sees each step. The engine reads these through the kind's declaration (kind.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.cases.constants import Action, Status, Transition, transition
from portal.cases.kinds import GOVERNMENT, Audience
from portal.cases.workflows import STANDARD_TRANSITIONS

KIND = "complaint"

# A receipt code: 16 decimal digits from `secrets`; only a slow hash of it is stored.
RECEIPT_DIGITS = 16
# The most a reward for one report may come to, in yuan (Art. 7 ¶1).
REWARD_CAP_YUAN = 2000


class Misconduct(models.TextChoices):
    """What the report says the unit or official did (the case's subtype)."""

    INACTION = "inaction", _("Inaction (不作为)")
    SLOWNESS = "slowness", _("Slowness (慢作为)")
    ABUSE = "abuse", _("Abuse of power (乱作为)")
    BUCK_PASSING = "buck_passing", _("Buck-passing (推诿)")
    GRAFT = "graft", _("Graft or obstruction (吃拿卡要)")
    # Reported from a closed report by its reporter; first in the desk's queue.
    RETALIATION = "retaliation", _("Retaliation against a reporter (打击报复)")


class Triage(models.TextChoices):
    """The complaint desk's first decision on a report."""

    PENDING = "pending", _("Waiting for triage")
    ACCEPTED = "accepted", _("Accepted for investigation")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    DUPLICATE = "duplicate", _("Duplicate of an earlier report")


class Finding(models.TextChoices):
    """What the investigating unit found; the reasoning is always required."""

    VERIFIED = "verified", _("Verified")
    PARTLY_VERIFIED = "partly_verified", _("Partly verified")
    UNFOUNDED = "unfounded", _("Unfounded")


REWARDABLE_FINDINGS = frozenset({Finding.VERIFIED, Finding.PARTLY_VERIFIED})


class IdentityRequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a decision")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


# The appeal table without return-to-desk shortcuts it does not need: the desk triages
# (accept / reject), assigns an uninvolved unit, which signs for, investigates (may ask the
# reporter, ask for an extension) and answers with its finding; the reporter rates it.
TRANSITIONS: dict[str, Transition] = {
    # The engine's standard workflow, less transfers between investigating units (the desk
    # chooses the uninvolved unit), and the desk may still decline a report it had accepted.
    **{action: row for action, row in STANDARD_TRANSITIONS.items() if action != Action.TRANSFER},
    Action.REJECT: transition({Status.SUBMITTED, Status.ACCEPTED}, Status.NOT_ACCEPTED),
}

# The reporter sees that the report arrived, was (not) accepted, the unit's questions, the
# outcome and their own steps; which unit investigates and the internal routing stay inside.
_SEEN_BY_REPORTER = Audience.SUBMITTER | GOVERNMENT
AUDIENCES: dict[str, int] = {
    action: _SEEN_BY_REPORTER for action in (
        Action.SUBMIT, Action.ACCEPT, Action.REJECT, Action.REQUEST_INFO, Action.PROVIDE_INFO,
        Action.APPROVE_EXTENSION, Action.ANSWER, Action.RATE, Action.CLOSE, Action.AUTO_CLOSE,
        Action.SUPPLEMENT,
    )
}

DEFAULT_ACCEPTANCE_DAYS = 1
DEFAULT_HANDLING_DAYS = 15  # Guangdong 12345 rules: complaints and reports (DESIGN §9)


class PublicationKind(models.TextChoices):
    """Cases the department publishes (Art. 6(2))."""

    NEGATIVE = "negative", _("Negative case (exposed)")
    EXCELLENT = "excellent", _("Excellent case")


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft, waiting for a second person's approval")
    PUBLISHED = "published", _("Published")
