"""The commitment kind's declaration: a clause that went to supervision (督办) is a case.

The engine's supervision items hang on a case; a clause gets one case the first time it is
overdue or disputed, and the department works it like any other (accept, assign to the unit,
answer). It is the government's own matter: every step is seen by the government only, and
the case has no submitter or enterprise (the enterprise follows the clause on its own page).
"""

from django.utils.translation import gettext_lazy as _

from portal.cases.kinds import KindSpec, Party
from portal.cases.workflows import STANDARD_TRANSITIONS

from .constants import KIND, SUPERVISION_SOURCES

COMMITMENT = KindSpec(
    code=KIND,
    label=_("Commitment supervision (履约督办)"),
    transitions=STANDARD_TRANSITIONS,
    audiences={},  # the government only
    party=Party.ENTERPRISE,
    enterprise_required=False,
    default_acceptance_days=1,
    default_handling_days_other=10,
    auto_close_unrated=True,
    allows_supplement=False,
    pain_points=False,
    messages={},
    # "Disputed by the enterprise", "Commitment overdue": the engine lists them with its own.
    supervision_sources=dict(SUPERVISION_SOURCES.values()),
)
