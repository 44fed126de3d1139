from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitmentsConfig(AppConfig):
    """Commitments kept (履约兑现, Art. 3 ¶3): agreements with enterprises, support policies and
    public service commitments, their clauses, evidence of fulfilment, the enterprise's answer,
    and supervision (督办) on the case engine when a clause is overdue or disputed."""

    name = "policies.commitments"
    label = "commitments"
    verbose_name = _("Commitments (履约)")

    def ready(self):
        from portal.cases.kinds import register
        from portal.workdays.signals import calendar_changed

        from . import receivers
        from .kind import COMMITMENT

        register(COMMITMENT)
        calendar_changed.connect(
            receivers.calendar_changed, dispatch_uid="commitments.calendar_changed"
        )
